//! The hand-offs between the engine (DC side, day loop) and the store trading day: the only
//! types both sides share.

use std::sync::Arc;

use retail_config::Config;
use retail_master::MasterData;
use retail_schemas::{Date, Ts};

/// Immutable inputs of a generation run, shared by every worker.
#[derive(Clone)]
pub struct FactsContext {
    /// Dimension rows and their lookup indexes.
    pub master: Arc<MasterData>,
    /// The resolved configuration.
    pub config: Arc<Config>,
    /// Master seed.
    pub seed: u64,
    /// First date of the dataset (`dates.start_date`).
    pub dataset_start: Date,
}

impl FactsContext {
    /// Builds the context.
    pub fn new(master: Arc<MasterData>, config: Arc<Config>) -> Self {
        let seed = config.seed;
        let dataset_start = config.start_date();
        Self {
            master,
            config,
            seed,
            dataset_start,
        }
    }
}

/// One product line of a shipment planned for a store.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InboundLine {
    /// Product.
    pub product_id: i64,
    /// Units (> 0).
    pub quantity: i32,
    /// The store reorder this line fills.
    pub reorder_id: String,
}

/// A shipment planned by a DC for a store: the store adds its units to `on_order` on the day the
/// shipment is planned and receives them (INBOUND_SHIPMENT, releasing `on_order`) at
/// `unloading_ts`, which may fall on a later day.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InboundDelivery {
    /// `SHP-…` id.
    pub shipment_id: String,
    /// Destination store.
    pub store_id: i64,
    /// UNLOADING instant (store-side movements are stamped here).
    pub unloading_ts: Ts,
    /// Lines in product_id order.
    pub lines: Vec<InboundLine>,
}

/// Last-touch attribution lookup (data-contract §7.12), implemented by the engine over the
/// impressions of the attribution window.
pub trait Attribution: Sync {
    /// `(impression_id, campaign_id)` of the last impression of `customer_id` within the window
    /// before `at`, if any.
    fn last_touch(&self, customer_id: i64, at: Ts) -> Option<(String, String)>;
}

/// An attribution source with no impressions (useful for tests and isolated store days).
pub struct NoAttribution;

impl Attribution for NoAttribution {
    fn last_touch(&self, _customer_id: i64, _at: Ts) -> Option<(String, String)> {
        None
    }
}
