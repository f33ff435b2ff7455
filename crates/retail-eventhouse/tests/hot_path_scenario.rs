//! Done-when of the local hot path: a scripted scenario — a stockout and a late truck, among
//! ordinary sales — streamed through the duckdb sink; the KPIs and the alerts are asserted.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use retail_eventhouse::{
    BatchOutcome, DuckdbSink, DuckdbSinkOptions, Eventhouse, EventhouseOptions, Rule, scenario,
    snapshot, wall_clock_micros,
};
use retail_schemas::events::Envelope;
use retail_schemas::{Payload, Ts};
use retail_streaming::{EncodedEvent, PipelineOptions, SinkMetrics, spawn_sink};

const MIN: i64 = 60_000_000;

fn at(minutes: i64) -> Ts {
    Ts(Ts::parse_rfc3339("2024-03-06T14:00:00Z").unwrap().0 + minutes * MIN)
}

/// The scripted day, in event-time order.
fn scripted_events(ingest: Ts) -> Vec<Envelope> {
    use scenario::*;
    let mut payloads: Vec<Payload> = vec![
        truck("SHP-LATE", "ARRIVED", at(0), 5, None),
        receipt("RCP-A", 5, at(1), "SALE", 2_000, 100, "CASH"),
        receipt_line("RCP-A", 1, 5, 100, at(1), 2, 1_000),
        payment("PAY-A", 5, at(1), "CASH", 2_052, "APPROVED"),
        inventory("TXN-1", 5, 100, at(1), 1, -2, 1),
        receipt("RCP-B", 6, at(1), "SALE", 3_000, 0, "CREDIT_CARD"),
        receipt_line("RCP-B", 1, 6, 101, at(1), 3, 1_000),
        payment("PAY-B", 6, at(1), "CREDIT_CARD", 3_240, "APPROVED"),
        payment("PAY-B2", 6, at(1), "DEBIT_CARD", 3_240, "DECLINED"),
        foot_traffic(5, "ENTRANCE", at(0), 75, 120),
        receipt("RCP-C", 5, at(2), "RETURN", 500, 0, "CASH"),
        truck("SHP-OK", "ARRIVED", at(30), 6, None),
        receipt("RCP-D", 5, at(31), "SALE", 1_000, 0, "CASH"),
        receipt_line("RCP-D", 1, 5, 100, at(31), 1, 1_000),
        inventory("TXN-2", 5, 100, at(31), 2, -1, 0),
        stockout("STK-1", 5, 100, at(31), "TXN-2"),
        reorder("RO-1", 5, 100, at(31), "URGENT"),
        reorder("RO-2", 5, 101, at(31), "NORMAL"),
        truck("SHP-OK", "COMPLETED", at(60), 6, Some(30.0)),
        receipt("RCP-BIG", 6, at(100), "SALE", 55_000, 0, "CREDIT_CARD"),
        receipt_line("RCP-BIG", 1, 6, 102, at(100), 1, 55_000),
    ];
    payloads.sort_by_key(|p| p.event_ts());
    payloads.into_iter().map(|p| envelope(p, ingest)).collect()
}

fn encoded(envelope: &Envelope) -> EncodedEvent {
    EncodedEvent::new(
        envelope.to_json().unwrap(),
        envelope.event_type.name(),
        envelope.trace_id.to_string(),
        envelope.partition_key.clone(),
        envelope.payload.event_ts().0,
    )
}

fn stream_through_sink(path: &std::path::Path, events: &[Envelope]) -> Vec<BatchOutcome> {
    let outcomes = Arc::new(Mutex::new(Vec::new()));
    let seen = outcomes.clone();
    let mut options = DuckdbSinkOptions::new(path);
    options.max_batch_events = 4;
    options.max_batch_delay = Duration::from_secs(60);
    let sink = DuckdbSink::new(options, Arc::new(SinkMetrics::new())).with_batch_observer(
        Box::new(move |_, outcome| seen.lock().unwrap().push(outcome.clone())),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (sender, run) = spawn_sink(Box::new(sink), PipelineOptions::default());
        for e in events {
            sender.send(encoded(e)).await.unwrap();
        }
        drop(sender);
        let summary = run.finish().await.unwrap();
        assert_eq!(summary.acknowledged_through, Some(events.len() as u64 - 1));
    });
    Arc::try_unwrap(outcomes).unwrap().into_inner().unwrap()
}

fn query<T: duckdb::types::FromSql>(house: &Eventhouse, sql: &str) -> T {
    house
        .connection()
        .query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[test]
fn a_stockout_and_a_late_truck_raise_alerts_and_move_the_kpis() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("retail.duckdb");
    let events = scripted_events(Ts(wall_clock_micros()));
    let outcomes = stream_through_sink(&path, &events);
    assert!(outcomes.len() >= 5, "micro-batches: {}", outcomes.len());

    let raised: Vec<(Rule, String)> = outcomes
        .iter()
        .flat_map(|o| o.alerts.iter().map(|a| (a.rule, a.alert_key.clone())))
        .collect();
    let mut sorted = raised.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        vec![
            (Rule::Stockout, "STK-1".to_string()),
            (Rule::UrgentReorder, "RO-1".to_string()),
            (Rule::TruckDwellBreach, "SHP-LATE".to_string()),
            (
                Rule::ZoneOvercrowded,
                "5|ENTRANCE|2024-03-06T14:00:00Z".to_string()
            ),
            (Rule::HighValueReceipt, "RCP-BIG".to_string()),
        ]
    );
    // The late truck is noticed when business time passes arrival + 90 min: in the batch of
    // the 15:40 receipt, not before.
    let truck_batch = outcomes
        .iter()
        .position(|o| o.alerts.iter().any(|a| a.rule == Rule::TruckDwellBreach))
        .unwrap();
    let big_batch = outcomes
        .iter()
        .position(|o| o.alerts.iter().any(|a| a.rule == Rule::HighValueReceipt))
        .unwrap();
    assert_eq!(truck_batch, big_batch);
    // The snapshot file was written for the dashboard.
    assert!(retail_eventhouse::snapshot_path_for(&path).exists());

    let mut house = Eventhouse::open(&path, EventhouseOptions::default()).unwrap();
    // Store 5, 14:01: one SALE (2,000 − 100 net, 8 % tax) and 14:02 one RETURN.
    let row: (i64, i64, i64, i64, i64) = house
        .connection()
        .query_row(
            "SELECT sale_receipts, return_receipts, net_sales_cents, tax_cents, total_cents \
             FROM mv_store_sales_minute WHERE store_id = 5 AND minute = TIMESTAMPTZ '2024-03-06 14:01:00+00'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(row, (1, 0, 1_900, 152, 2_052));
    assert_eq!(
        query::<i64>(
            &house,
            "SELECT return_receipts FROM mv_store_sales_minute WHERE store_id = 5 AND minute = TIMESTAMPTZ '2024-03-06 14:02:00+00'"
        ),
        1
    );
    // Product 100: 2 units at 14:01, 1 unit at 14:31 — two 15-minute windows.
    assert_eq!(
        query::<i64>(
            &house,
            "SELECT sum(units) FROM mv_top_products_15m WHERE product_id = 100"
        ),
        3
    );
    assert_eq!(
        query::<i64>(
            &house,
            "SELECT count(*) FROM mv_top_products_15m WHERE product_id = 100"
        ),
        2
    );
    // Tender mix counts approved payments only.
    assert_eq!(
        query::<i64>(&house, "SELECT sum(payments) FROM mv_tender_mix_15m"),
        2
    );
    assert_eq!(
        query::<i64>(
            &house,
            "SELECT dwell_seconds_total FROM mv_zone_dwell_minute WHERE store_id = 5 AND zone = 'ENTRANCE'"
        ),
        75 * 120
    );
    // The stockout left the latest balance at 0, and it is still open.
    assert_eq!(
        query::<i32>(
            &house,
            "SELECT balance FROM mv_inventory_latest WHERE location_type = 'STORE' AND store_id = 5 AND product_id = 100"
        ),
        0
    );
    let snap = house.snapshot().unwrap();
    assert_eq!(snap["open_stockouts"], 1);
    assert_eq!(snap["business_now"], "2024-03-06T15:40:00.000000Z");
    assert_eq!(snap["events_total"], events.len() as i64);
    assert_eq!(snap["alerts"].as_array().unwrap().len(), 5);
    // Alerts table: one row per rule and key, with the trigger's business time.
    assert_eq!(query::<i64>(&house, "SELECT count(*) FROM alerts"), 5);
    assert_eq!(
        query::<String>(
            &house,
            "SELECT strftime(event_ts, '%H:%M') FROM alerts WHERE rule = 'rule_truck_dwell_breach'"
        ),
        "14:00"
    );

    // A replay after a restart changes nothing and raises nothing again.
    let again = house.ingest(&events).unwrap();
    assert_eq!((again.stored, again.duplicates), (0, events.len()));
    assert!(again.alerts.is_empty(), "{:?}", again.alerts);
    drop(house);
    let replay = stream_through_sink(&path, &events);
    assert!(replay.iter().all(|o| o.alerts.is_empty() && o.stored == 0));
    let house = Eventhouse::open(&path, EventhouseOptions::default()).unwrap();
    assert_eq!(query::<i64>(&house, "SELECT count(*) FROM alerts"), 5);
    assert_eq!(
        query::<i64>(
            &house,
            "SELECT sum(sale_receipts) FROM mv_store_sales_minute"
        ),
        4
    );
    drop(house);
    // Without a writer, the dashboard's reader computes the same snapshot from the file.
    std::fs::remove_file(retail_eventhouse::snapshot_path_for(&path)).unwrap();
    let read = snapshot::read_snapshot(&path).unwrap();
    assert_eq!(read["open_stockouts"], 1);
    assert_eq!(read["alert_counts"].as_array().unwrap().len(), 5);
}

#[test]
fn undecodable_events_go_to_unknown_event_and_the_rest_is_stored() {
    let mut house = Eventhouse::open_in_memory(EventhouseOptions::default()).unwrap();
    let now = Ts(wall_clock_micros());
    let good = scenario::envelope(
        scenario::receipt("RCP-1", 1, at(0), "SALE", 100, 0, "CASH"),
        now,
    );
    let events = vec![
        encoded(&good),
        EncodedEvent::new(&b"{not json"[..], "receipt_created", "t-1", "store-1", 0),
        EncodedEvent::new(
            &br#"{"event_type":"coupon_scanned","payload":{}}"#[..],
            "coupon_scanned",
            "t-2",
            "store-1",
            0,
        ),
    ];
    let outcome = house.ingest_encoded(&events).unwrap();
    assert_eq!((outcome.stored, outcome.rejected), (1, 2));
    let reasons: Vec<String> = {
        let mut stmt = house
            .connection()
            .prepare("SELECT reason FROM unknown_event ORDER BY trace_id")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert!(reasons[0].starts_with("UNDECODABLE"), "{reasons:?}");
    assert!(reasons[1].starts_with("UNKNOWN_EVENT_TYPE"), "{reasons:?}");
    assert_eq!(
        query::<i64>(&house, "SELECT count(*) FROM receipt_created"),
        1
    );
}

#[test]
fn a_batch_committed_between_snapshot_writes_reaches_the_snapshot_once_idle() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kpis.json");
    let interval = Duration::from_millis(300);
    let options = EventhouseOptions {
        snapshot_path: Some(file.clone()),
        snapshot_interval: interval,
        ..EventhouseOptions::default()
    };
    let mut house = Eventhouse::open(&dir.path().join("e.duckdb"), options).unwrap();
    let events_in_file = || {
        let text = std::fs::read_to_string(&file).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()["events_total"]
            .as_i64()
            .unwrap()
    };
    let now = Ts(wall_clock_micros());
    let receipt =
        |id: &str| scenario::envelope(scenario::receipt(id, 1, at(0), "SALE", 100, 0, "CASH"), now);
    house.ingest(&[receipt("RCP-1")]).unwrap();
    assert_eq!(events_in_file(), 1, "the first batch is written at once");
    // Within the interval the second batch may not be in the file yet; once the interval has
    // passed, the idle sink's call must write it even though no further batch comes.
    house.ingest(&[receipt("RCP-2")]).unwrap();
    std::thread::sleep(interval);
    house.write_snapshot_if_stale().unwrap();
    assert_eq!(events_in_file(), 2);
}
