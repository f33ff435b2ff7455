//! The real Event Hubs sink (azure_messaging_eventhubs) against the local stand-in broker.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use retail_eventhubs_standin::{ReceivedEvent, Standin, StandinConfig};
use retail_streaming::eventhubs::{
    CircuitBreakerConfig, EventHubsAuth, EventHubsConfig, EventHubsSink, OnRetriesExhausted,
    RetryPolicy,
};
use retail_streaming::{
    EncodedEvent, ErrorStage, PipelineOptions, SecretString, Sink, SinkMetrics, spawn_sink,
};

/// Recognisable fake SAS key: it must never show up in any output.
const FAKE_KEY: &str = "FAKEsasKEY0000do0not0log0me0000000000000000=";
const TEST_BOUND: Duration = Duration::from_secs(180);
const EVENT_TYPES: [&str; 4] = [
    "receipt_created",
    "receipt_line_added",
    "payment_processed",
    "inventory_updated",
];

fn config(standin: &Standin, dir: &Path) -> EventHubsConfig {
    EventHubsConfig {
        auth: EventHubsAuth::ConnectionString(SecretString::new(
            standin.connection_string(FAKE_KEY),
        )),
        custom_endpoint: Some(standin.endpoint()),
        // Small batches so that a few thousand events make many transfers.
        max_batch_bytes: 16 * 1024,
        max_event_bytes: 8 * 1024,
        send_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 40,
            initial_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(300),
            ..Default::default()
        },
        circuit_breaker: CircuitBreakerConfig {
            failure_threshold: 8,
            open_for: Duration::from_millis(200),
        },
        dead_letter_path: dir.join("dead-letter.jsonl"),
        max_buffered_events: 2_000,
        ..Default::default()
    }
}

fn events(count: usize, keys: usize) -> Vec<EncodedEvent> {
    (0..count)
        .map(|i| {
            let event_type = EVENT_TYPES[i % EVENT_TYPES.len()];
            let key = format!("store-{}", i % keys);
            let trace_id = format!("00000000-0000-5000-8000-{i:012}");
            let body = format!(
                r#"{{"event_type":"{event_type}","schema_version":"1.0","source":"retail-datagen","trace_id":"{trace_id}","partition_key":"{key}","payload":{{"n":{i},"pad":"{}"}}}}"#,
                "x".repeat(i % 200)
            );
            EncodedEvent::new(body, event_type, trace_id, key, 1_700_000_000_000_000 + i as i64)
        })
        .collect()
}

/// Sends `events` through a fresh sink; returns the run result, the metrics and the sink's
/// final checkpoint.
async fn run(
    config: EventHubsConfig,
    events: &[EncodedEvent],
) -> (
    Result<retail_streaming::RunSummary, retail_streaming::SinkError>,
    Arc<SinkMetrics>,
) {
    let metrics = Arc::new(SinkMetrics::new());
    let sink = EventHubsSink::new(config, Arc::clone(&metrics)).expect("sink builds");
    let (sender, run) = spawn_sink(
        Box::new(sink),
        PipelineOptions {
            channel_capacity: 256,
            ..Default::default()
        },
    );
    for event in events {
        if sender.send(event.clone()).await.is_err() {
            break;
        }
    }
    drop(sender);
    (run.finish().await, metrics)
}

fn first_occurrences(received: &[ReceivedEvent]) -> BTreeMap<String, &ReceivedEvent> {
    let mut first = BTreeMap::new();
    for event in received {
        first
            .entry(event.message_id.clone().unwrap_or_default())
            .or_insert(event);
    }
    first
}

/// Every acknowledged event arrived byte for byte, with §5.2 properties, and per key the
/// first arrivals are in send order.
fn assert_delivered(
    sent: &[EncodedEvent],
    received: &[ReceivedEvent],
    acknowledged: &BTreeSet<String>,
) {
    let first = first_occurrences(received);
    for event in sent.iter().filter(|e| acknowledged.contains(&e.trace_id)) {
        let got = first
            .get(&event.trace_id)
            .unwrap_or_else(|| panic!("acknowledged {} never arrived", event.trace_id));
        assert_eq!(got.body, event.body.to_vec(), "{}", event.trace_id);
        assert_eq!(
            got.partition_key.as_deref(),
            Some(event.partition_key.as_str())
        );
        assert_eq!(got.content_type.as_deref(), Some("application/json"));
        let expected: BTreeMap<String, String> = [
            ("Table", event.event_type.clone()),
            ("Format", "json".to_string()),
            (
                "IngestionMappingReference",
                format!("{}_mapping", event.event_type),
            ),
            ("event_type", event.event_type.clone()),
            ("schema_version", "1.0".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        assert_eq!(got.application_properties, expected);
    }
    // Per-key order of first arrivals equals send order.
    let mut position: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, event) in sent.iter().enumerate() {
        position.insert(event.trace_id.as_str(), i);
    }
    let mut seen = BTreeSet::new();
    let mut last_by_key: BTreeMap<String, usize> = BTreeMap::new();
    for event in received {
        let id = event.message_id.clone().unwrap_or_default();
        if !seen.insert(id.clone()) {
            continue;
        }
        let Some(&pos) = position.get(id.as_str()) else {
            continue;
        };
        let key = event.partition_key.clone().unwrap_or_default();
        if let Some(&previous) = last_by_key.get(&key) {
            assert!(
                previous < pos,
                "key {key}: event {pos} arrived after {previous}"
            );
        }
        last_by_key.insert(key, pos);
    }
}

fn acknowledged_ids(sent: &[EncodedEvent], through: Option<u64>) -> BTreeSet<String> {
    let n = through.map_or(0, |t| t as usize + 1);
    sent[..n].iter().map(|e| e.trace_id.clone()).collect()
}

fn dead_lettered(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("dead-letter.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// One test's world: a fresh stand-in and a scratch directory for the dead-letter file.
struct Harness {
    standin: Arc<Standin>,
    dir: tempfile::TempDir,
}

impl Harness {
    /// The sink configuration pointing at this stand-in.
    fn config(&self) -> EventHubsConfig {
        config(&self.standin, self.dir.path())
    }

    /// Sends `events` through a fresh sink with [`Harness::config`].
    async fn send(
        &self,
        events: &[EncodedEvent],
    ) -> (
        Result<retail_streaming::RunSummary, retail_streaming::SinkError>,
        Arc<SinkMetrics>,
    ) {
        run(self.config(), events).await
    }

    /// Asserts what [`assert_delivered`] asserts for the events acknowledged through `through`.
    fn assert_delivered(&self, sent: &[EncodedEvent], through: Option<u64>) {
        assert_delivered(
            sent,
            &self.standin.received(),
            &acknowledged_ids(sent, through),
        );
    }

    fn dead_lettered(&self) -> Vec<serde_json::Value> {
        dead_lettered(self.dir.path())
    }
}

/// Runs `body` against a fresh stand-in, bounded by TEST_BOUND, and stops the stand-in after.
async fn with_standin<F, Fut>(body: F)
where
    F: FnOnce(Arc<Harness>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    tokio::time::timeout(TEST_BOUND, async {
        let harness = Arc::new(Harness {
            standin: Arc::new(Standin::start(StandinConfig::default()).await.unwrap()),
            dir: tempfile::tempdir().unwrap(),
        });
        body(Arc::clone(&harness)).await;
        harness.standin.stop().await;
    })
    .await
    .expect("test bounded in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_events_arrive_exactly_as_sent_in_key_order() {
    tokio::time::timeout(TEST_BOUND, async {
        let standin = Standin::start(StandinConfig::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let sent = events(5_000, 7);

        let mut sink =
            EventHubsSink::new(config(&standin, dir.path()), Arc::new(SinkMetrics::new())).unwrap();
        let report = sink.healthcheck().await.unwrap();
        assert_eq!(report.partition_ids, vec!["0", "1", "2", "3"]);
        assert_eq!(
            report.destination,
            "standin.servicebus.windows.net/retail-events"
        );
        Box::new(sink).close().await.unwrap();

        let (summary, metrics) = run(config(&standin, dir.path()), &sent).await;
        let summary = summary.unwrap();
        assert_eq!(summary.events_received, 5_000);
        assert_eq!(summary.acknowledged_through, Some(4_999));
        let received = standin.received();
        assert_delivered(
            &sent,
            &received,
            &acknowledged_ids(&sent, summary.acknowledged_through),
        );
        assert_eq!(first_occurrences(&received).len(), 5_000);
        let snapshot = metrics.snapshot();
        assert_eq!(snapshot.events_sent_all_types(), 5_000);
        assert_eq!(snapshot.events_sent_total["receipt_created"], 1_250);
        assert_eq!(
            snapshot.bytes_sent_total,
            sent.iter().map(|e| e.body.len() as u64).sum::<u64>()
        );
        assert!(
            snapshot.batches_sent_total >= 5_000 * 100 / (16 * 1024),
            "{snapshot:?}"
        );
        assert_eq!(snapshot.buffered_events, 0);
        // Batches are per key: every transfer holds events of one key only.
        let mut keys_per_transfer: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
        for event in &received {
            keys_per_transfer
                .entry(event.transfer_number)
                .or_default()
                .insert(event.partition_key.clone().unwrap_or_default());
        }
        assert!(keys_per_transfer.values().all(|keys| keys.len() == 1));
        assert!(keys_per_transfer.len() < 5_000, "events were not batched");
        assert!(dead_lettered(dir.path()).is_empty());
        standin.stop().await;
    })
    .await
    .expect("test bounded in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_dropped_mid_batch_loses_nothing() {
    with_standin(|h| async move {
        let sent = events(3_000, 5);
        h.standin.drop_connection_after_events(1_111);
        let (summary, metrics) = h.send(&sent).await;
        let summary = summary.unwrap();
        let snapshot = metrics.snapshot();
        assert_eq!(summary.acknowledged_through, Some(2_999));
        assert_eq!(
            snapshot.events_sent_all_types() + snapshot.events_dead_lettered_total,
            3_000
        );
        let stats = h.standin.stats();
        // Count the cut itself, not the closed socket: on a loaded machine the client can
        // time out and close the connection before the broker reaches the transfer to cut.
        assert_eq!(stats.transfers_cut, 1, "{stats:?}");
        assert!(stats.connections >= 2, "{stats:?}");
        assert!(snapshot.retries_total >= 1, "{snapshot:?}");
        h.assert_delivered(&sent, summary.acknowledged_through);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_busy_for_a_while_is_retried() {
    with_standin(|h| async move {
        let sent = events(2_000, 3);
        h.standin.reject_next_transfers_server_busy(12);
        let (summary, metrics) = h.send(&sent).await;
        let summary = summary.unwrap();
        let snapshot = metrics.snapshot();
        assert_eq!(summary.acknowledged_through, Some(1_999));
        assert_eq!(snapshot.events_sent_all_types(), 2_000);
        assert_eq!(h.standin.stats().transfers_rejected, 12);
        assert!(snapshot.retries_total >= 1, "{snapshot:?}");
        assert!(
            snapshot
                .errors_total
                .get(&(ErrorStage::Sending, "server_busy".to_string()))
                .copied()
                .unwrap_or(0)
                >= 1,
            "{snapshot:?}"
        );
        h.assert_delivered(&sent, summary.acknowledged_through);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standin_restart_on_the_same_port_is_survived() {
    with_standin(|h| async move {
        let sent = events(3_000, 4);
        // Slow acknowledgements keep the run going long enough to restart under it.
        h.standin.set_ack_delay(Duration::from_millis(5));
        let restarter = {
            let standin = Arc::clone(&h.standin);
            tokio::spawn(async move {
                while standin.received_count() < 500 {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                standin.stop().await;
                tokio::time::sleep(Duration::from_millis(400)).await;
                standin.set_ack_delay(Duration::ZERO);
                standin.restart().await.unwrap();
            })
        };
        let (summary, metrics) = h.send(&sent).await;
        restarter.await.unwrap();
        let summary = summary.unwrap();
        let snapshot = metrics.snapshot();
        assert_eq!(summary.acknowledged_through, Some(2_999));
        assert_eq!(
            snapshot.events_sent_all_types() + snapshot.events_dead_lettered_total,
            3_000
        );
        assert!(
            h.standin.stats().connections >= 2,
            "{:?}",
            h.standin.stats()
        );
        h.assert_delivered(&sent, summary.acknowledged_through);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_events_are_dead_lettered_and_counted() {
    with_standin(|h| async move {
        let mut sent = events(300, 3);
        let big = format!(
            r#"{{"event_type":"promotion_applied","pad":"{}"}}"#,
            "y".repeat(9_000)
        );
        sent[100] = EncodedEvent::new(big, "promotion_applied", "big-1", "store-1", 0);
        let (summary, metrics) = h.send(&sent).await;
        let summary = summary.unwrap();
        let snapshot = metrics.snapshot();
        assert_eq!(summary.acknowledged_through, Some(299));
        assert_eq!(snapshot.events_sent_all_types(), 299);
        assert_eq!(snapshot.events_dead_lettered_total, 1);
        assert_eq!(
            snapshot.errors_total[&(ErrorStage::Sending, "oversize".to_string())],
            1
        );
        let dead = h.dead_lettered();
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0]["trace_id"], "big-1");
        assert_eq!(dead[0]["index"], 100);
        assert_eq!(dead[0]["error_kind"], "oversize");
        assert_eq!(dead[0]["event"]["event_type"], "promotion_applied");
        assert!(
            h.standin
                .received()
                .iter()
                .all(|e| e.message_id.as_deref() != Some("big-1"))
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permanent_rejection_stops_the_run_before_the_checkpoint_passes_it() {
    with_standin(|h| async move {
        let sent = events(1_000, 2);
        h.standin
            .reject_next_transfers(1_000_000, "amqp:unauthorized-access");
        let mut cfg = h.config();
        cfg.on_retries_exhausted = OnRetriesExhausted::Stop;
        let (summary, metrics) = run(cfg, &sent).await;
        let error = summary.unwrap_err().to_string();
        assert!(error.contains("unauthorized"), "{error}");
        let snapshot = metrics.snapshot();
        assert_eq!(snapshot.events_sent_all_types(), 0);
        assert_eq!(
            snapshot.retries_total, 0,
            "permanent errors are not retried"
        );
        assert!(h.standin.received().is_empty());
    })
    .await;
}
