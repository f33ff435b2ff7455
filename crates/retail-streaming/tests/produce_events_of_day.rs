//! events.md §6 and §9.2 on a generated small-profile day: one event per mapped source row,
//! unique trace ids, stream order, and every envelope decodes back to itself.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use retail_config::Profile;
use retail_facts::{FactBatch, FactsContext, Generator};
use retail_master::{Dictionaries, MasterData};
use retail_schemas::{Envelope, EventType, Payload};
use retail_streaming::events_of_day;

fn small_day() -> (FactBatch, Arc<MasterData>, u64) {
    let config = Profile::Small.config();
    let dicts = Dictionaries::bundled().unwrap();
    let master = Arc::new(MasterData::generate(&config, &dicts).unwrap());
    let seed = config.seed;
    let generator = Generator::new(FactsContext::new(master.clone(), Arc::new(config))).unwrap();
    let mut state = generator.initial_state().unwrap();
    let first = generator.context().dataset_start;
    generator.run_day(&mut state, first).unwrap();
    let mut batch = generator.run_day(&mut state, first.succ()).unwrap();
    batch.sort();
    (batch, master, seed)
}

/// Source rows selected by the table of events.md §6, per event type.
fn expected_counts(b: &FactBatch) -> BTreeMap<EventType, usize> {
    use EventType::*;
    let moves = |s: &str| b.fact_truck_moves.iter().filter(|m| m.status == s).count();
    let ops = |s: &str| {
        b.fact_store_ops
            .iter()
            .filter(|o| o.operation_type == s)
            .count()
    };
    BTreeMap::from([
        (ReceiptCreated, b.fact_receipts.len()),
        (ReceiptLineAdded, b.fact_receipt_lines.len()),
        (PaymentProcessed, b.fact_payments.len()),
        (
            InventoryUpdated,
            b.fact_store_inventory_txn.len() + b.fact_dc_inventory_txn.len(),
        ),
        (StockoutDetected, b.fact_stockouts.len()),
        (ReorderTriggered, b.fact_reorders.len()),
        (CustomerEntered, b.fact_foot_traffic.len()),
        (CustomerZoneChanged, b.fact_customer_zone_changes.len()),
        (BlePingDetected, b.fact_ble_pings.len()),
        (TruckArrived, moves("ARRIVED")),
        (TruckDeparted, moves("COMPLETED")),
        (StoreOpened, ops("OPENED")),
        (StoreClosed, ops("CLOSED")),
        (AdImpression, b.fact_marketing.len()),
        (PromotionApplied, b.fact_promotions.len()),
        (OnlineOrderCreated, b.fact_online_order_headers.len()),
        (
            OnlineOrderPicked,
            b.fact_online_order_headers
                .iter()
                .filter(|h| h.picked_ts.is_some())
                .count(),
        ),
        (
            OnlineOrderShipped,
            b.fact_online_order_headers
                .iter()
                .filter(|h| h.shipped_ts.is_some())
                .count(),
        ),
    ])
}

#[test]
fn a_generated_day_maps_to_ordered_unique_decodable_events() {
    let (batch, master, seed) = small_day();
    let events = events_of_day(&batch, &master).unwrap();

    let mut counts: BTreeMap<EventType, usize> =
        EventType::all().into_iter().map(|t| (t, 0)).collect();
    for e in &events {
        *counts.get_mut(&e.payload.event_type()).unwrap() += 1;
    }
    assert_eq!(counts, expected_counts(&batch));
    assert!(events.len() > 1000, "a small day has many events");

    for w in events.windows(2) {
        let (a, b) = (w[0].order_key(), w[1].order_key());
        assert!(a <= b, "out of order: {a:?} then {b:?}");
        assert!((a.0, a.1) <= (b.0, b.1));
    }

    let mut trace_ids = BTreeSet::new();
    let mut stockouts_with_correlation = 0;
    for e in events {
        let envelope = e.into_file_envelope(seed);
        assert_eq!(envelope.ingest_timestamp, envelope.payload.event_ts());
        assert!(
            trace_ids.insert(envelope.trace_id),
            "duplicate trace_id {}",
            envelope.trace_id
        );
        if let Payload::StockoutDetected(_) = &envelope.payload {
            stockouts_with_correlation += usize::from(envelope.correlation_id.is_some());
        }
        let json = envelope.to_json().unwrap();
        let decoded = Envelope::from_json(&json).unwrap();
        assert_eq!(decoded, envelope);
    }
    assert_eq!(
        stockouts_with_correlation > 0,
        !batch.fact_stockouts.is_empty(),
        "stockouts take the correlation id of their depleting movement"
    );
}

#[test]
fn mapping_is_deterministic() {
    let (batch, master, _) = small_day();
    assert_eq!(
        events_of_day(&batch, &master).unwrap(),
        events_of_day(&batch, &master).unwrap()
    );
}
