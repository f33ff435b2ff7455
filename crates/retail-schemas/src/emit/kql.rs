//! KQL for the Eventhouse (fabric.md §3.1–§3.5): the raw landing table, one typed table per
//! event type (9 envelope columns + the payload fields), `unknown_event`, one JSON ingestion
//! mapping per table and the routing functions with their update policies.

use crate::events::EventType;
use crate::row::ColumnDef;
use crate::types::LogicalType;

/// Name of the landing table.
pub const RAW_TABLE: &str = "retail_events_raw";
/// Name of the table of events of unknown type or unsupported version.
pub const UNKNOWN_EVENT_TABLE: &str = "unknown_event";

/// The 9 envelope columns of every typed table (events.md §2.1 without `payload`).
pub const ENVELOPE_COLUMNS: [(&str, &str); 9] = [
    ("event_type", "string"),
    ("schema_version", "string"),
    ("source", "string"),
    ("trace_id", "string"),
    ("ingest_timestamp", "datetime"),
    ("correlation_id", "string"),
    ("partition_key", "string"),
    ("session_id", "string"),
    ("parent_event_id", "string"),
];

/// The KQL column type of a logical type (fabric.md §3.1).
pub fn kql_type(ty: LogicalType) -> &'static str {
    match ty {
        LogicalType::BigInt => "long",
        LogicalType::Integer => "int",
        LogicalType::Varchar => "string",
        LogicalType::Boolean => "bool",
        LogicalType::Money | LogicalType::Decimal => "decimal",
        LogicalType::Timestamp | LogicalType::Date => "datetime",
        LogicalType::Double => "real",
        LogicalType::ListBigInt | LogicalType::Lines => "dynamic",
    }
}

/// Payload columns of an event type in events.md §7 order.
pub fn payload_columns(t: EventType) -> Vec<ColumnDef> {
    t.payload_def().columns()
}

/// `(name, kql type)` of every column of a typed table: envelope then payload.
pub fn typed_columns(t: EventType) -> Vec<(&'static str, &'static str)> {
    ENVELOPE_COLUMNS
        .iter()
        .copied()
        .chain(payload_columns(t).iter().map(|c| (c.name, kql_type(c.ty))))
        .collect()
}

fn raw_columns() -> Vec<(&'static str, &'static str)> {
    let mut cols = ENVELOPE_COLUMNS.to_vec();
    cols.push(("payload", "dynamic"));
    cols
}

fn unknown_columns() -> Vec<(&'static str, &'static str)> {
    let mut cols = raw_columns();
    cols.push(("reason", "string"));
    cols
}

fn create_merge(name: &str, cols: &[(&str, &str)]) -> String {
    let list: Vec<String> = cols.iter().map(|(n, t)| format!("{n}:{t}")).collect();
    format!(".create-merge table {name} ({})", list.join(", "))
}

/// `.create-merge table retail_events_raw (…)`.
pub fn raw_table() -> String {
    create_merge(RAW_TABLE, &raw_columns())
}

/// `.create-merge table <event_type> (…)`.
pub fn typed_table(t: EventType) -> String {
    create_merge(t.name(), &typed_columns(t))
}

/// `.create-merge table unknown_event (…)`.
pub fn unknown_event_table() -> String {
    create_merge(UNKNOWN_EVENT_TABLE, &unknown_columns())
}

fn mapping(table: &str, entries: &[(&str, String, &str)]) -> String {
    let mut json = String::from("[");
    for (i, (column, path, datatype)) in entries.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&format!(
            "{{\"column\":\"{column}\",\"path\":\"{path}\",\"datatype\":\"{datatype}\"}}"
        ));
    }
    json.push(']');
    format!(".create-or-alter table {table} ingestion json mapping \"{table}_mapping\" '{json}'")
}

fn envelope_entries() -> Vec<(&'static str, String, &'static str)> {
    ENVELOPE_COLUMNS
        .iter()
        .map(|(n, t)| (*n, format!("$.{n}"), *t))
        .collect()
}

/// Mapping `retail_events_raw_mapping`: envelope from `$.<column>`, payload from `$.payload`.
pub fn raw_mapping() -> String {
    let mut entries = envelope_entries();
    entries.push(("payload", "$.payload".into(), "dynamic"));
    mapping(RAW_TABLE, &entries)
}

/// Mapping `<event_type>_mapping`: envelope from `$.<column>`, payload fields from
/// `$.payload.<field>`.
pub fn typed_mapping(t: EventType) -> String {
    let mut entries = envelope_entries();
    for c in payload_columns(t) {
        entries.push((c.name, format!("$.payload.{}", c.name), kql_type(c.ty)));
    }
    mapping(t.name(), &entries)
}

/// Mapping `unknown_event_mapping`: envelope and payload; `reason` is not mapped.
pub fn unknown_event_mapping() -> String {
    let mut entries = envelope_entries();
    entries.push(("payload", "$.payload".into(), "dynamic"));
    mapping(UNKNOWN_EVENT_TABLE, &entries)
}

/// The projection of one payload column in a routing function (fabric.md §3.3).
pub fn projection(c: &ColumnDef) -> String {
    let n = c.name;
    match c.ty {
        LogicalType::BigInt => format!("{n} = tolong(payload.{n})"),
        LogicalType::Integer => format!("{n} = toint(payload.{n})"),
        LogicalType::Varchar => format!("{n} = tostring(payload.{n})"),
        LogicalType::Boolean => format!("{n} = tobool(payload.{n})"),
        LogicalType::Money | LogicalType::Decimal => {
            format!("{n} = todecimal(tolong(payload.{n}_cents)) / 100")
        }
        LogicalType::Timestamp | LogicalType::Date => format!("{n} = todatetime(payload.{n})"),
        LogicalType::Double => format!("{n} = toreal(payload.{n})"),
        LogicalType::ListBigInt | LogicalType::Lines => format!("{n} = payload.{n}"),
    }
}

fn envelope_list() -> String {
    ENVELOPE_COLUMNS
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

fn update_policy(table: &str) -> String {
    format!(
        ".alter table {table} policy update @'[{{\"IsEnabled\": true, \"Source\": \"{RAW_TABLE}\", \"Query\": \"route_{table}()\", \"IsTransactional\": false, \"PropagateIngestionProperties\": false}}]'"
    )
}

/// `route_<event_type>()` and the update policy of its table (fabric.md §3.3).
pub fn routing(t: EventType) -> String {
    let name = t.name();
    let projections: Vec<String> = payload_columns(t)
        .iter()
        .map(|c| format!("        {}", projection(c)))
        .collect();
    format!(
        ".create-or-alter function with (folder = \"routing\", docstring = \"Projects {name} events from {RAW_TABLE}\")\n\
         route_{name}() {{\n    {RAW_TABLE}\n    | where event_type == \"{name}\" and schema_version startswith \"1.\"\n    | project {},\n{}\n}}\n\n{}",
        envelope_list(),
        projections.join(",\n"),
        update_policy(name)
    )
}

/// `route_unknown_event()` and the update policy of `unknown_event` (fabric.md §3.3).
pub fn unknown_event_routing() -> String {
    let known: Vec<String> = EventType::all()
        .iter()
        .map(|t| format!("\"{}\"", t.name()))
        .collect();
    format!(
        ".create-or-alter function with (folder = \"routing\", docstring = \"Projects events of unknown type or unsupported schema version from {RAW_TABLE}\")\n\
         route_{UNKNOWN_EVENT_TABLE}() {{\n    let known_types = dynamic([{}]);\n    {RAW_TABLE}\n    | where event_type !in (known_types) or not(schema_version startswith \"1.\")\n    | project {}, payload,\n        reason = iff(event_type !in (known_types), \"UNKNOWN_EVENT_TYPE\", \"UNSUPPORTED_SCHEMA_VERSION\")\n}}\n\n{}",
        known.join(", "),
        envelope_list(),
        update_policy(UNKNOWN_EVENT_TABLE)
    )
}

/// The KQL table names this module declares: raw, the 18 typed tables, unknown_event.
pub fn table_names() -> Vec<&'static str> {
    let mut names = vec![RAW_TABLE];
    names.extend(EventType::all().iter().map(|t| t.name()));
    names.push(UNKNOWN_EVENT_TABLE);
    names
}

/// The table command, its mapping and (except for the raw table) its routing, for one table
/// name of [`table_names`].
pub fn table_block(name: &str) -> Option<String> {
    if name == RAW_TABLE {
        return Some(format!("{}\n\n{}\n", raw_table(), raw_mapping()));
    }
    if name == UNKNOWN_EVENT_TABLE {
        return Some(format!(
            "{}\n\n{}\n\n{}\n",
            unknown_event_table(),
            unknown_event_mapping(),
            unknown_event_routing()
        ));
    }
    let t = EventType::parse(name)?;
    Some(format!(
        "{}\n\n{}\n\n{}\n",
        typed_table(t),
        typed_mapping(t),
        routing(t)
    ))
}

/// Tables (raw, 18 typed, unknown_event), one command per paragraph (`01_tables.kql` minus
/// hand-written tables).
pub fn tables_script() -> String {
    let mut parts = vec![raw_table()];
    parts.extend(EventType::all().iter().map(|t| typed_table(*t)));
    parts.push(unknown_event_table());
    parts.join("\n\n") + "\n"
}

/// One JSON mapping per table (`02_mappings.kql`).
pub fn mappings_script() -> String {
    let mut parts = vec![raw_mapping()];
    parts.extend(EventType::all().iter().map(|t| typed_mapping(*t)));
    parts.push(unknown_event_mapping());
    parts.join("\n\n") + "\n"
}

/// Routing functions and update policies (`03_routing.kql`).
pub fn routing_script() -> String {
    let mut parts: Vec<String> = EventType::all().iter().map(|t| routing(*t)).collect();
    parts.push(unknown_event_routing());
    parts.join("\n\n") + "\n"
}

/// Everything, table by table: each table with its mapping and routing.
pub fn script() -> String {
    table_names()
        .iter()
        .filter_map(|n| table_block(n))
        .collect::<Vec<_>>()
        .join("\n")
}
