//! retail-rti: realistic, reproducible synthetic retail data and real-time retail events.
//!
//! This facade re-exports the library crates under one name so a service can depend on a
//! single package. Each module is the crate of the same name; nothing is added here:
//!
//! | module | crate | use it to |
//! |---|---|---|
//! | [`config`] | `retail-config` | build or load a configuration (profiles `small`, `default`) |
//! | [`master`] | `retail-master` | generate the 7 dimension tables ([`master::MasterData`]) |
//! | [`facts`] | `retail-facts` | generate fact rows: one store-day, or whole days of every location |
//! | [`streaming`] | `retail-streaming` | turn fact rows into event envelopes and send them to a sink |
//! | [`store`] | `retail-store` | write DuckDB and Parquet |
//! | [`validate`] | `retail-validate` | check the data contract's invariants over a DuckDB database |
//! | [`schemas`] | `retail-schemas` | row types of the 25 tables, events, schema emitters |
//! | [`patterns`] | `retail-patterns` | the pure behaviour models (calendar, demand, baskets…) |
//! | [`rng`] | `retail-rng` | the deterministic random streams everything draws from |
//!
//! Generating data never needs DuckDB: rows are plain Rust values, and events are built from
//! them in memory. One store's trading day, as typed receipts and then as event envelopes:
//!
//! ```
//! use std::sync::Arc;
//! use retail_rti::config::Profile;
//! use retail_rti::facts::store_day::{StoreState, simulate_store_day};
//! use retail_rti::facts::{FactsContext, NoAttribution};
//! use retail_rti::master::{Dictionaries, MasterData};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Profile::Small.config();
//! let master = MasterData::generate(&config, &Dictionaries::bundled()?)?;
//! let ctx = FactsContext::new(Arc::new(master), Arc::new(config));
//! let store_id = ctx.master.stores[0].store_id;
//! let day = ctx.dataset_start;
//!
//! let mut state = StoreState::new(&ctx, store_id)?;
//! let output = simulate_store_day(&ctx, &mut state, day, &[], &NoAttribution)?;
//! let receipts = &output.batch.fact_receipts;
//! assert!(!receipts.is_empty());
//! assert!(receipts.iter().all(|r| r.store_id == store_id && r.business_date == day));
//!
//! // The same rows as the events a live feed would carry (events.md), in stream order.
//! let events = retail_rti::streaming::events_of_day(&output.batch, &ctx.master)?;
//! let first = retail_rti::streaming::produce::encode(events[0].clone(), ctx.seed, true)?;
//! assert!(first.body.starts_with(b"{"));
//! assert_eq!(first.partition_key, format!("store-{store_id}"));
//! # Ok(())
//! # }
//! ```
//!
//! Runnable examples live in `examples/` (`cargo run --example sample_dataset`), and
//! `examples/consumer-service/` is a separate crate that uses only this public API.
#![deny(missing_docs)]

pub use retail_config as config;
pub use retail_facts as facts;
pub use retail_master as master;
pub use retail_patterns as patterns;
pub use retail_rng as rng;
pub use retail_schemas as schemas;
pub use retail_store as store;
pub use retail_streaming as streaming;
pub use retail_validate as validate;
