//! Emitters: every schema artefact rendered from the [`TableDef`] metadata
//! alone — DuckDB DDL, Arrow schemas, KQL tables / mappings / routing, JSON Schema and the
//! Markdown data dictionary and event catalog. No emitter restates a column list.
//!
//! ```
//! use retail_schemas::emit::{duckdb, kql};
//! use retail_schemas::events::EventType;
//! use retail_schemas::tables::FACT_STORE_OPS;
//! assert!(duckdb::create_table(&FACT_STORE_OPS).contains("event_ts TIMESTAMPTZ NOT NULL"));
//! assert!(kql::typed_table(EventType::StoreOpened).starts_with(".create-merge table store_opened ("));
//! ```

pub mod arrow;
pub mod duckdb;
pub mod fabric;
pub mod json_schema;
pub mod kql;
pub mod markdown;

use crate::events::EventType;
use crate::row::TableDef;

/// An artefact kind the emitters produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// DuckDB DDL of the 25 tables (+ `_meta`).
    Duckdb,
    /// Arrow schemas of the 25 tables and the 18 event payloads.
    Arrow,
    /// KQL tables, JSON ingestion mappings and routing of the Eventhouse.
    Kql,
    /// JSON Schema of the envelope, the 18 events and the 25 tables' rows.
    JsonSchema,
    /// Markdown data dictionary and event catalog.
    Markdown,
}

impl Format {
    /// The name used on the command line (`json-schema`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Duckdb => "duckdb",
            Format::Arrow => "arrow",
            Format::Kql => "kql",
            Format::JsonSchema => "json-schema",
            Format::Markdown => "markdown",
        }
    }
}

/// A name that the chosen format does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown table `{name}` for format {format}; valid names: {}", valid.join(", "))]
pub struct UnknownName {
    /// The format asked for.
    pub format: &'static str,
    /// The name given.
    pub name: String,
    /// Every name the format accepts.
    pub valid: Vec<&'static str>,
}

fn table_names() -> impl Iterator<Item = &'static str> {
    crate::all_tables().into_iter().map(|t| t.name)
}

fn event_names() -> impl Iterator<Item = &'static str> {
    EventType::all().into_iter().map(EventType::name)
}

/// The names `render` accepts for `format`, in output order.
pub fn names(format: Format) -> Vec<&'static str> {
    match format {
        Format::Duckdb => table_names().collect(),
        Format::Arrow | Format::Markdown => table_names().chain(event_names()).collect(),
        Format::Kql => kql::table_names(),
        Format::JsonSchema => std::iter::once("envelope")
            .chain(event_names())
            .chain(table_names())
            .collect(),
    }
}

fn arrow_event(t: EventType) -> String {
    let body = arrow::render(t.payload_def());
    // `table <payload def>` heading becomes `event <type>`: the payload def of two event
    // types can be one fact table.
    let rest = body.split_once('\n').map(|(_, r)| r).unwrap_or("");
    format!(
        "event {} (payload {})\n{rest}",
        t.name(),
        t.payload_def().name
    )
}

/// Renders every artefact of `format`, or only the one called `name`.
pub fn render(format: Format, name: Option<&str>) -> Result<String, UnknownName> {
    let Some(name) = name else {
        return Ok(match format {
            Format::Duckdb => duckdb::script(),
            Format::Arrow => {
                let mut parts: Vec<String> =
                    crate::all_tables().into_iter().map(arrow::render).collect();
                parts.extend(EventType::all().into_iter().map(arrow_event));
                parts.join("\n")
            }
            Format::Kql => kql::script(),
            Format::JsonSchema => {
                let mut events = serde_json::Map::new();
                for t in EventType::all() {
                    events.insert(t.name().into(), json_schema::event_schema(t));
                }
                let mut tables = serde_json::Map::new();
                for def in crate::all_tables() {
                    tables.insert(def.name.into(), json_schema::table_schema(def));
                }
                json_schema::render(&serde_json::json!({
                    "envelope": json_schema::envelope_schema(),
                    "events": events,
                    "tables": tables,
                }))
            }
            Format::Markdown => format!(
                "{}\n{}",
                markdown::data_dictionary(),
                markdown::event_catalog()
            ),
        });
    };
    let unknown = || UnknownName {
        format: format.name(),
        name: name.to_owned(),
        valid: names(format),
    };
    let table: Option<&'static TableDef> = crate::table(name);
    let event = EventType::parse(name);
    match format {
        Format::Duckdb => table.map(duckdb::create_table).ok_or_else(unknown),
        Format::Arrow => table
            .map(arrow::render)
            .or_else(|| event.map(arrow_event))
            .ok_or_else(unknown),
        Format::Kql => kql::table_block(name).ok_or_else(unknown),
        Format::JsonSchema => {
            if name == "envelope" {
                return Ok(json_schema::render(&json_schema::envelope_schema()));
            }
            event
                .map(json_schema::event_schema)
                .or_else(|| table.map(json_schema::table_schema))
                .map(|v| json_schema::render(&v))
                .ok_or_else(unknown)
        }
        Format::Markdown => table
            .map(markdown::table_section)
            .or_else(|| event.map(markdown::event_section))
            .ok_or_else(unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_renders_and_unknown_names_list_the_valid_ones() {
        for format in [
            Format::Duckdb,
            Format::Arrow,
            Format::Kql,
            Format::JsonSchema,
            Format::Markdown,
        ] {
            for name in names(format) {
                let text = render(format, Some(name)).unwrap();
                assert!(text.contains(name), "{} {name}", format.name());
            }
            assert!(!render(format, None).unwrap().is_empty());
            let err = render(format, Some("fact_nothing")).unwrap_err();
            assert!(err.valid.len() >= 18);
            assert!(err.to_string().contains("valid names: "), "{err}");
        }
        let err = render(Format::Duckdb, Some("receipt_created")).unwrap_err();
        assert!(
            err.to_string()
                .contains("fact_receipts, fact_receipt_lines"),
            "{err}"
        );
        assert_eq!(names(Format::Duckdb).len(), 25);
        assert_eq!(names(Format::Kql).len(), 20);
    }
}
