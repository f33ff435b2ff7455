//! The service, checked against the generator it consumes: what arrives through the sink must
//! be exactly the day's receipts.

use std::collections::BTreeMap;
use std::sync::Arc;

use consumer_service::{StoreSales, run_first_day, service_config};
use retail_facts::{FactsContext, Generator};
use retail_master::{Dictionaries, MasterData};

/// Receipts and net sales per store, straight from the generated rows.
fn sales_from_rows(seed: u64) -> BTreeMap<i64, StoreSales> {
    let config = service_config(seed).unwrap();
    let master = MasterData::generate(&config, &Dictionaries::bundled().unwrap()).unwrap();
    let generator = Generator::new(FactsContext::new(Arc::new(master), Arc::new(config))).unwrap();
    let mut state = generator.initial_state().unwrap();
    let batch = generator
        .run_day(&mut state, generator.context().dataset_start)
        .unwrap();
    let mut sales: BTreeMap<i64, StoreSales> = BTreeMap::new();
    for receipt in &batch.fact_receipts {
        let store = sales.entry(receipt.store_id).or_default();
        store.receipts += 1;
        store.net_cents += receipt.total.0;
    }
    sales
}

#[test]
fn the_config_built_in_code_is_the_small_profile_on_black_friday() {
    let config = service_config(7).unwrap();
    assert_eq!(config.volume.stores, 4);
    assert_eq!(config.start_date().to_string(), "2024-11-29");
    assert_eq!(config.day_count(), 2);
}

#[tokio::test]
async fn the_board_matches_the_generated_receipts_store_by_store() {
    let board = run_first_day(service_config(7).unwrap()).await.unwrap();
    assert_eq!(board.stores, sales_from_rows(7));
    assert_eq!(board.stores.len(), 4, "every store trades on Black Friday");
    assert!(board.stores.values().all(|s| s.net_cents > 0));
    assert_eq!(
        board.events.get("receipt_created"),
        Some(&board.total_receipts())
    );
    assert!(board.events.contains_key("payment_processed"));
}

#[tokio::test]
async fn the_same_seed_gives_the_same_board_and_another_seed_another() {
    let first = run_first_day(service_config(7).unwrap()).await.unwrap();
    let again = run_first_day(service_config(7).unwrap()).await.unwrap();
    assert_eq!(first, again);
    let other = run_first_day(service_config(8).unwrap()).await.unwrap();
    assert_ne!(first.stores, other.stores);
}
