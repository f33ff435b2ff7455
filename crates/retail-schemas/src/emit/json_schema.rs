//! JSON Schema (draft 2020-12) of the envelope, of each event and of each table's rows.
//!
//! Every member is `required` (events.md §1: fixed shape, `null` never omitted); unknown
//! members are allowed, because consumers must ignore them (§8).

use serde_json::{Map, Value, json};

use crate::events::{EventType, SCHEMA_VERSION, SOURCE};
use crate::row::TableDef;
use crate::types::LogicalType;

/// The `$schema` of every document.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

const TS_PATTERN: &str = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$";
const DATE_PATTERN: &str = r"^\d{4}-\d{2}-\d{2}$";
const UUID_PATTERN: &str = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

fn nullable(mut schema: Map<String, Value>, null: bool) -> Value {
    if null {
        if let Some(Value::String(t)) = schema.get("type").cloned() {
            schema.insert("type".into(), json!([t, "null"]));
        }
    }
    Value::Object(schema)
}

fn base(ty: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!(ty));
    m
}

/// The schema of one column of `def`.
pub fn column_schema(def: &TableDef, name: &str, ty: LogicalType, null: bool, doc: &str) -> Value {
    let mut m = match ty {
        LogicalType::BigInt => {
            let mut m = base("integer");
            m.insert("minimum".into(), json!(-9_007_199_254_740_991_i64));
            m.insert("maximum".into(), json!(9_007_199_254_740_991_i64));
            m
        }
        LogicalType::Integer => {
            let mut m = base("integer");
            m.insert("minimum".into(), json!(i32::MIN));
            m.insert("maximum".into(), json!(i32::MAX));
            m
        }
        LogicalType::Varchar => base("string"),
        LogicalType::Boolean => base("boolean"),
        LogicalType::Money | LogicalType::Decimal => base("number"),
        LogicalType::Timestamp => {
            let mut m = base("string");
            m.insert("pattern".into(), json!(TS_PATTERN));
            m
        }
        LogicalType::Date => {
            let mut m = base("string");
            m.insert("pattern".into(), json!(DATE_PATTERN));
            m
        }
        LogicalType::Double => base("number"),
        LogicalType::ListBigInt => {
            let mut m = base("array");
            m.insert("items".into(), json!({"type": "integer"}));
            m
        }
        LogicalType::Lines => {
            let mut m = base("array");
            if let Some(item) = def.field(name).and_then(|f| f.lines_of) {
                m.insert("items".into(), object_schema(item()));
            }
            m
        }
    };
    if !doc.is_empty() {
        m.insert("description".into(), json!(doc));
    }
    nullable(m, null)
}

/// `{"type":"object","properties":{…},"required":[…]}` of a table, payload or line item, in
/// contract column order.
pub fn object_schema(def: &TableDef) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    for c in def.columns() {
        props.insert(
            c.name.into(),
            column_schema(def, c.name, c.ty, c.nullable, c.doc),
        );
        required.push(json!(c.name));
    }
    json!({
        "type": "object",
        "description": def.grain,
        "properties": props,
        "required": required,
    })
}

/// The row schema of a table (`$id` `urn:retail-rti:schema:1.0:table:<name>`).
pub fn table_schema(def: &TableDef) -> Value {
    let mut m = Map::new();
    m.insert("$schema".into(), json!(DIALECT));
    m.insert(
        "$id".into(),
        json!(format!(
            "urn:retail-rti:schema:{SCHEMA_VERSION}:table:{}",
            def.name
        )),
    );
    m.insert("title".into(), json!(def.name));
    if let Value::Object(o) = object_schema(def) {
        m.extend(o);
    }
    Value::Object(m)
}

fn envelope_properties(event_type: Value, payload: Value) -> Map<String, Value> {
    let mut p = Map::new();
    p.insert("event_type".into(), event_type);
    p.insert(
        "schema_version".into(),
        json!({"type": "string", "pattern": r"^1\.\d+$", "description": "MAJOR.MINOR; \"1.0\" for this contract"}),
    );
    p.insert("source".into(), json!({"type": "string", "const": SOURCE}));
    p.insert(
        "trace_id".into(),
        json!({"type": "string", "pattern": UUID_PATTERN, "description": "Deterministic UUIDv5 (events.md §4.1); the dedupe key"}),
    );
    p.insert(
        "ingest_timestamp".into(),
        json!({"type": "string", "pattern": TS_PATTERN, "description": "Emission time on the producer's clock"}),
    );
    p.insert(
        "correlation_id".into(),
        json!({"type": ["string", "null"], "description": "Business transaction id (events.md §4.2)"}),
    );
    p.insert(
        "partition_key".into(),
        json!({"type": "string", "pattern": r"^(store|dc|customer)-\d+$", "description": "Event Hubs partition key (events.md §5.1)"}),
    );
    p.insert(
        "session_id".into(),
        json!({"type": ["string", "null"], "description": "In-store visit id for visit-bound events"}),
    );
    p.insert(
        "parent_event_id".into(),
        json!({"type": ["string", "null"], "pattern": UUID_PATTERN, "description": "trace_id of the causing event (events.md §4.2)"}),
    );
    p.insert("payload".into(), payload);
    p
}

fn envelope_document(id: String, title: String, event_type: Value, payload: Value) -> Value {
    let props = envelope_properties(event_type, payload);
    let required: Vec<Value> = props.keys().map(|k| json!(k)).collect();
    json!({
        "$schema": DIALECT,
        "$id": id,
        "title": title,
        "type": "object",
        "properties": props,
        "required": required,
    })
}

/// The generic envelope: any of the 18 event types, payload an object.
pub fn envelope_schema() -> Value {
    let names: Vec<&str> = EventType::all().iter().map(|t| t.name()).collect();
    envelope_document(
        format!("urn:retail-rti:schema:{SCHEMA_VERSION}:envelope"),
        "event envelope".into(),
        json!({"type": "string", "enum": names}),
        json!({"type": "object"}),
    )
}

/// One event type: the envelope with `event_type` fixed and the payload's schema.
pub fn event_schema(t: EventType) -> Value {
    envelope_document(
        format!("urn:retail-rti:schema:{SCHEMA_VERSION}:event:{}", t.name()),
        t.name().into(),
        json!({"type": "string", "const": t.name()}),
        object_schema(t.payload_def()),
    )
}

/// Pretty-printed text of a schema document.
pub fn render(schema: &Value) -> String {
    serde_json::to_string_pretty(schema).unwrap_or_default() + "\n"
}
