//! Emitters: every schema artefact rendered from the [`TableDef`](crate::TableDef) metadata
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
