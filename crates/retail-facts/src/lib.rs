//! Fact generators for retail-rti: the 18 fact tables of data-contract §5, produced day by day
//! from the dimension tables and the behaviour models of `retail-patterns`.
//!
//! A day runs in the three phases of data-contract §12.4: (1) every DC processes its movements
//! before its planning instant and plans shipments for its stores' reorders of the previous day
//! (truck assignment over DCs in `dc_id` order); (2) every store, in parallel, trades its day
//! ([`store_day`]); (3) every DC, in parallel, processes the rest of its local day. Locations own
//! their ledgers and counters; cross-location effects move only through these hand-offs, so the
//! output is identical whatever the thread count.
//!
//! One day of a small dataset as typed rows, without any storage:
//!
//! ```
//! use std::collections::BTreeMap;
//! use std::sync::Arc;
//! use retail_config::Config;
//! use retail_facts::{FactsContext, Generator};
//! use retail_master::{Dictionaries, MasterData};
//!
//! let config = Config::from_json_str(
//!     r#"{ "profile": "small", "volume": { "stores": 2, "customers_per_day": 20 } }"#,
//! )
//! .unwrap();
//! let master = MasterData::generate(&config, &Dictionaries::bundled().unwrap()).unwrap();
//! let generator = Generator::new(FactsContext::new(Arc::new(master), Arc::new(config))).unwrap();
//! let mut state = generator.initial_state().unwrap();
//! let day = generator.context().dataset_start;
//! let batch = generator.run_day(&mut state, day).unwrap();
//!
//! // Receipts add up: each one's total follows from its parts and it has as many lines as
//! // it says, all in the batch.
//! assert!(!batch.fact_receipts.is_empty());
//! let mut lines_per_receipt: BTreeMap<&str, i32> = BTreeMap::new();
//! for line in &batch.fact_receipt_lines {
//!     *lines_per_receipt.entry(line.receipt_id.as_str()).or_default() += 1;
//! }
//! for receipt in &batch.fact_receipts {
//!     assert_eq!(receipt.business_date, day);
//!     assert_eq!(receipt.total.0, receipt.subtotal.0 - receipt.discount.0 + receipt.tax.0);
//!     assert_eq!(lines_per_receipt[receipt.receipt_id.as_str()], receipt.line_count);
//! }
//! ```
#![deny(missing_docs)]

pub mod checkpoint;
pub mod dc_day;
pub mod engine;
pub mod interface;
pub mod marketing;
pub mod output;
pub mod store;
pub mod store_day;
pub mod world;

pub use checkpoint::{
    checkpoint_from_bytes, checkpoint_to_bytes, load_checkpoint, save_checkpoint,
};
pub use engine::Generator;
pub use interface::*;
pub use marketing::AttributionIndex;
pub use output::{FactBatch, TableVisitor, apply_permutation};
pub use world::WorldState;

/// Errors of fact generation.
#[derive(Debug, thiserror::Error)]
pub enum FactsError {
    /// A behaviour model rejected its parameters.
    #[error(transparent)]
    Patterns(#[from] retail_patterns::PatternsError),
    /// The dimension data does not support generation (for example an unknown store).
    #[error("inconsistent master data: {0}")]
    Master(String),
    /// An internal invariant broke (a generator bug, reported instead of writing bad data).
    #[error("generator invariant broken: {0}")]
    Invariant(String),
    /// A continuation does not match the dataset it continues.
    #[error("cannot continue this dataset: {0}")]
    Continuation(String),
}
