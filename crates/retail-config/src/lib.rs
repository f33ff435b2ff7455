//! retail-rti configuration (data-contract §10): built-in profiles, JSON loading with unknown
//! fields rejected, whole-config validation that reports every violation with its JSON path,
//! and the `config_hash` that guards continuation runs.
//!
//! Resolution: the built-in profile named by `profile` (default `default`) → the file's values
//! merged over it (objects recursively, arrays and scalars replace) → command-line
//! [`Overrides`] → validation of the whole. Secrets never live in the file.
//!
//! ```
//! use retail_config::{Config, ConfigError, Overrides, Profile};
//!
//! // Only what differs from the profile needs to be written.
//! let config = Config::from_json_str(r#"{ "profile": "small", "seed": 7 }"#).unwrap();
//! assert_eq!(config.volume.stores, 4);
//! assert_eq!(config.day_count(), 14);
//! assert_ne!(config.config_hash(), Profile::Small.config().config_hash());
//!
//! // Command-line values override last and are validated too.
//! let config = config
//!     .apply(&Overrides { threads: Some(2), ..Overrides::default() })
//!     .unwrap();
//! assert_eq!(config.threads(), 2);
//!
//! // Every problem is reported with its JSON path.
//! let err = Config::from_json_str(r#"{ "volume": { "dcs": 0, "dcss": 1 } }"#).unwrap_err();
//! let ConfigError::Invalid(problems) = &err else { panic!() };
//! assert_eq!(problems.len(), 2);
//! assert!(err.to_string().contains("volume.dcs: 0 is not allowed: must be at least 1"));
//! assert!(err.to_string().contains("volume.dcss: unknown field; known fields: "));
//! ```
#![deny(missing_docs)]

mod config;
pub mod error;
mod json;
mod load;
pub mod model;
pub mod profiles;
mod validate;

pub use config::{Overrides, Pacing, ParquetCompression, StreamAuth};
pub use error::{ConfigError, Violation};
pub use model::*;
pub use validate::{
    MAX_DATE, MAX_RANGE_DAYS, MAX_SEED, MIN_DATE, NAMESPACE_SUFFIXES, connection_string_violations,
};
