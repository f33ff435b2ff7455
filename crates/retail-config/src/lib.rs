//! retail-rti configuration (data-contract §10): built-in profiles, JSON loading with unknown
//! fields rejected, whole-config validation that reports every violation with its JSON path,
//! and the `config_hash` that guards continuation runs.
#![deny(missing_docs)]

pub mod model;

pub use model::*;
