//! One store's trading day (phase 2 of data-contract §12.4). STUB: being written.

use retail_schemas::Date;
use retail_schemas::tables::FactReorder;

use crate::{Attribution, FactBatch, FactsContext, FactsError, InboundDelivery};

/// Everything a store carries from one day to the next (ledgers, queues, counters).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct StoreState {
    /// The store.
    pub store_id: i64,
}

impl StoreState {
    /// The state at the dataset start (initial ledgers).
    pub fn new(_ctx: &FactsContext, store_id: i64) -> Result<Self, FactsError> {
        Ok(Self { store_id })
    }
}

/// What a store day produces.
#[derive(Clone, Debug, Default)]
pub struct StoreDayOutput {
    /// All rows written by the store on this day (any business date ≥ the day).
    pub batch: FactBatch,
    /// The reorders evaluated at close (also in `batch`), handed to the DC's planning.
    pub reorders: Vec<FactReorder>,
}

/// Simulates one trading day of one store.
pub fn simulate_store_day(
    _ctx: &FactsContext,
    _state: &mut StoreState,
    _date: Date,
    _planned: &[InboundDelivery],
    _attribution: &dyn Attribution,
) -> Result<StoreDayOutput, FactsError> {
    Ok(StoreDayOutput::default())
}
