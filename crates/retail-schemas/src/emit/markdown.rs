//! The Markdown data dictionary (`docs/data-dictionary.md`) and event catalog
//! (`docs/event-catalog.md`), rendered from the metadata.

use crate::events::{EventType, SCHEMA_VERSION};
use crate::row::{ColumnDef, TableDef};
use crate::types::LogicalType;

use super::kql;

/// The contract's name of a column type (`DECIMAL(12,2)`, `LIST<BIGINT>`, `TIMESTAMP`, …).
pub fn type_name(ty: LogicalType) -> &'static str {
    match ty {
        LogicalType::Lines => "LINES",
        other => other.contract_name(),
    }
}

/// The JSON form of a column type in events (events.md §3).
pub fn json_name(ty: LogicalType) -> &'static str {
    match ty {
        LogicalType::BigInt | LogicalType::Integer => "integer",
        LogicalType::Varchar => "string",
        LogicalType::Boolean => "boolean",
        LogicalType::Money | LogicalType::Decimal => "number (2 dp)",
        LogicalType::Timestamp => "string (RFC 3339, µs, Z)",
        LogicalType::Date => "string (YYYY-MM-DD)",
        LogicalType::Double => "number",
        LogicalType::ListBigInt => "array of integer",
        LogicalType::Lines => "array of object",
    }
}

/// Escapes a cell: pipes would split the table row, newlines would end it.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn yn(null: bool) -> &'static str {
    if null { "Y" } else { "N" }
}

fn key_list(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The column table of a table: `| # | Column | Type | Null | Rule |`.
pub fn column_table(cols: &[ColumnDef]) -> String {
    let mut out = String::from("| # | Column | Type | Null | Rule |\n|---|---|---|---|---|\n");
    for (i, c) in cols.iter().enumerate() {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} |\n",
            i + 1,
            c.name,
            type_name(c.ty),
            yn(c.nullable),
            cell(c.doc)
        ));
    }
    out
}

/// The section of one table: heading, grain, key, columns.
pub fn table_section(def: &TableDef) -> String {
    format!(
        "## `{}`\n\n* Grain: {}\n* Primary key: {}\n* Columns: {}\n\n{}",
        def.name,
        def.grain,
        key_list(def.primary_key),
        def.columns().len(),
        column_table(&def.columns())
    )
}

/// `docs/data-dictionary.md`: every table of the contract.
pub fn data_dictionary() -> String {
    let mut out = format!(
        "# Data dictionary\n\n\
         <!-- Generated from crates/retail-schemas by `RETAIL_BLESS=1 cargo test -p retail-schemas --test docs`; do not edit. -->\n\n\
         Contract version {}. The 7 dimension and 18 fact tables of `data-contract.md` §4–§5, in contract order. \
         Types are logical types (data-contract §2.2): in DuckDB TIMESTAMP is `TIMESTAMPTZ` and LIST<BIGINT> is `BIGINT[]`; \
         every money value is a `<stem>_cents` BIGINT followed by its `<stem>` DECIMAL(12,2) twin. \
         `Null` N means `NOT NULL` in DuckDB and REQUIRED in Parquet.\n\n",
        crate::CONTRACT_VERSION
    );
    out.push_str("| Table | Kind | Grain | Primary key | Columns |\n|---|---|---|---|---|\n");
    for def in crate::all_tables() {
        out.push_str(&format!(
            "| [`{0}`](#{0}) | {1:?} | {2} | {3} | {4} |\n",
            def.name,
            def.kind,
            cell(def.grain),
            key_list(def.primary_key),
            def.columns().len()
        ));
    }
    for def in crate::all_tables() {
        out.push('\n');
        out.push_str(&table_section(def));
    }
    out
}

/// The payload table of an event: `| # | Field | Logical type | JSON | KQL | Null | Rule |`.
pub fn payload_table(cols: &[ColumnDef]) -> String {
    let mut out = String::from(
        "| # | Field | Logical type | JSON | KQL | Null | Rule |\n|---|---|---|---|---|---|---|\n",
    );
    for (i, c) in cols.iter().enumerate() {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} | {} |\n",
            i + 1,
            c.name,
            type_name(c.ty),
            json_name(c.ty),
            kql::kql_type(c.ty),
            yn(c.nullable),
            cell(c.doc)
        ));
    }
    out
}

/// The section of one event type.
pub fn event_section(t: EventType) -> String {
    let def = t.payload_def();
    let [correlation, session, parent] = t.linkage_rule();
    let mut out = format!(
        "## `{name}`\n\n\
         * Source: {source}\n\
         * Payload: `{payload}` ({fields} fields)\n\
         * Natural key (trace_id name `{{seed}}|{name}|…`): {key}\n\
         * correlation_id: {correlation}\n\
         * session_id: {session}\n\
         * parent_event_id: {parent}\n\
         * Partition key: `store-{{store_id}}`, else `dc-{{dc_id}}`, else `customer-{{customer_id}}` (events.md §5.1)\n\
         * Tie-break rank: {rank}\n\
         * KQL: table `{name}`, mapping `{name}_mapping`, routing function `route_{name}()`\n\n{table}",
        name = t.name(),
        source = t.source_table(),
        payload = def.name,
        fields = def.columns().len(),
        key = key_list(t.natural_key()),
        rank = t.tie_break_rank(),
        table = payload_table(&def.columns()),
    );
    if let Some(item) = def.line_item() {
        out.push_str(&format!(
            "\nEach item of `lines` (`{}`, {}):\n\n{}",
            item.name,
            item.grain,
            payload_table(&item.columns())
        ));
    }
    out
}

/// `docs/event-catalog.md`: the envelope and every event type.
pub fn event_catalog() -> String {
    let mut out = format!(
        "# Event catalog\n\n\
         <!-- Generated from crates/retail-schemas by `RETAIL_BLESS=1 cargo test -p retail-schemas --test docs`; do not edit. -->\n\n\
         Event schema version {SCHEMA_VERSION} (`events.md`). Every event is one compact JSON object: the envelope below, \
         members in this order, then the payload of its type. Every field is always present; optional values are `null`.\n\n\
         ## Envelope\n\n\
         | # | Field | JSON | KQL | Null | Rule |\n|---|---|---|---|---|---|\n"
    );
    let envelope_rules = [
        "One of the 18 event types below",
        "`\"1.0\"` (MAJOR.MINOR)",
        "`\"retail-datagen\"`",
        "Deterministic UUIDv5 of `{seed}|{event_type}|{natural key}`; the dedupe key",
        "Emission time on the producer's clock (= `payload.event_ts` in NDJSON files)",
        "Business transaction id",
        "Event Hubs partition key actually used",
        "In-store visit id for visit-bound events",
        "trace_id of the causing event",
    ];
    for (i, ((name, kql_ty), rule)) in kql::ENVELOPE_COLUMNS.iter().zip(envelope_rules).enumerate()
    {
        let null = matches!(*name, "correlation_id" | "session_id" | "parent_event_id");
        let json = if *kql_ty == "datetime" {
            "string (RFC 3339, µs, Z)"
        } else {
            "string"
        };
        out.push_str(&format!(
            "| {} | `{name}` | {json} | {kql_ty} | {} | {} |\n",
            i + 1,
            yn(null),
            cell(rule)
        ));
    }
    out.push_str(
        "| 10 | `payload` | object | dynamic (raw table only) | N | Event-specific body |\n\n",
    );
    out.push_str("| Event type | Source | Natural key | Tie-break rank |\n|---|---|---|---|\n");
    for t in EventType::all() {
        out.push_str(&format!(
            "| [`{0}`](#{0}) | {1} | {2} | {3} |\n",
            t.name(),
            t.source_table(),
            key_list(t.natural_key()),
            t.tie_break_rank()
        ));
    }
    for t in EventType::all() {
        out.push('\n');
        out.push_str(&event_section(t));
    }
    out
}
