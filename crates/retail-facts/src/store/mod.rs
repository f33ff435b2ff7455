//! Building blocks of the store trading day ([`crate::store_day`]).

pub mod models;

pub use models::{StoreModel, StoreModels};
