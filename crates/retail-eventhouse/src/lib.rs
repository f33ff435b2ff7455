//! The local hot path of retail-rti: a stand-in for the Fabric Eventhouse in one DuckDB file.
//!
//! The `duckdb` sink ([`DuckdbSink`], built by [`build_sink`] for `--sink duckdb[:PATH]`)
//! writes each event into a typed table per event type (the 9 envelope columns then the
//! payload columns, fabric.md §3.1–§3.2), in micro-batches through the Arrow appender. In the
//! same transaction it merges the batch into the aggregate views of fabric.md §3.7
//! ([`views::VIEWS`], same definitions as `fabric/kql/06_views.kql`) and evaluates the alert
//! rules of §3.10 ([`alerts::Rule`]), which land in the `alerts` table and on standard error.
//! Events are deduplicated on `trace_id`, as the KQL `*_dedup` views do.
//!
//! ```
//! use retail_eventhouse::{Eventhouse, EventhouseOptions, scenario};
//! use retail_schemas::Ts;
//!
//! let mut house = Eventhouse::open_in_memory(EventhouseOptions::default())?;
//! let t = Ts::parse_rfc3339("2024-03-06T14:00:10Z").unwrap();
//! let now = Ts(retail_eventhouse::wall_clock_micros());
//! let events = [
//!     scenario::envelope(scenario::receipt("RCP-1", 5, t, "SALE", 60_000, 0, "CASH"), now),
//!     scenario::envelope(scenario::receipt("RCP-2", 5, t, "SALE", 1_000, 100, "CASH"), now),
//! ];
//! let outcome = house.ingest(&events)?;
//! assert_eq!(outcome.stored, 2);
//! // 60,000 + 8 % tax ≥ 500.00: one high-value receipt alert.
//! assert_eq!(outcome.alerts.len(), 1);
//! let net: i64 = house.connection().query_row(
//!     "SELECT net_sales_cents FROM mv_store_sales_minute WHERE store_id = 5", [], |r| r.get(0))?;
//! assert_eq!(net, 60_000 + 900);
//! // The same events again are duplicates: nothing changes.
//! assert_eq!(house.ingest(&events)?.duplicates, 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod alerts;
mod error;
mod eventhouse;
pub mod scenario;
mod sink;
pub mod snapshot;
pub mod tables;
pub mod views;

pub use alerts::{Alert, Rule, RuleParams};
pub use error::{EventhouseError, Result};
pub use eventhouse::{
    BUSINESS_CLOCK_TYPES, BatchOutcome, Eventhouse, EventhouseOptions, UNKNOWN_EVENT_DDL,
    snapshot_path_for, wall_clock_micros,
};
pub use sink::{BatchObserver, DATABASE_FILE, DuckdbSink, DuckdbSinkOptions, build_sink};
