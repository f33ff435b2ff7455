//! Streaming delivery under faults (issue #9 item 2): the real Event Hubs sink against the
//! local stand-in while a seeded schedule injects faults (24 by default, the issue's 120 with
//! `RELIABILITY_ITERATIONS=full`, any count N with `RELIABILITY_ITERATIONS=N`; 100 events per
//! fault) — connections dropped in the
//! middle of a batch, server-busy (throttling) rejections, slow acknowledgements and stand-in
//! restarts on the same port. Afterwards every generated event is acknowledged or
//! dead-lettered, none is lost, and the only duplicates are redeliveries of the same event,
//! removable by trace_id.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use retail_eventhubs_standin::{Standin, StandinConfig};
use retail_streaming::eventhubs::{
    CircuitBreakerConfig, EventHubsAuth, EventHubsConfig, EventHubsSink, OnRetriesExhausted,
    RetryPolicy,
};
use retail_streaming::{EncodedEvent, PipelineOptions, SecretString, SinkMetrics, spawn_sink};

const FAULTS_FULL: usize = 120;
const FAULTS_DEFAULT: usize = 24;
const EVENTS_PER_FAULT: usize = 100;
const SEED: u64 = 0x0009_FA17_0002;
const TEST_BOUND: Duration = Duration::from_secs(400);
const KEY: &str = "FAKEsasKEYreliabilityFaults000000000000000=";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Fault {
    /// The connection drops after this many more events (mid-batch).
    DropAfter(u64),
    /// The next N transfers are refused with `com.microsoft:server-busy`.
    ServerBusy(u32),
    /// Acknowledgements are delayed by this many milliseconds from now on.
    SlowAcks(u64),
    /// The stand-in stops for this many milliseconds, then listens again on the same port.
    Restart(u64),
}

struct Xorshift(u64);

impl Xorshift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// How many faults to inject: see the file's documentation.
fn fault_count() -> usize {
    match std::env::var("RELIABILITY_ITERATIONS").as_deref() {
        Ok("full") => FAULTS_FULL,
        Ok(n) => n
            .parse()
            .unwrap_or_else(|_| panic!("RELIABILITY_ITERATIONS={n}: expected `full` or a count")),
        Err(_) => FAULTS_DEFAULT,
    }
}

/// The seeded fault schedule for `faults` faults over `events` events: (received-event
/// threshold, fault).
fn schedule(faults: usize, events: usize) -> Vec<(usize, Fault)> {
    let mut rng = Xorshift(SEED);
    (0..faults)
        .map(|i| {
            let fault = match rng.below(10) {
                0..=3 => Fault::ServerBusy(1 + rng.below(3) as u32),
                4..=6 => Fault::DropAfter(1 + rng.below(40)),
                7..=8 => Fault::SlowAcks(rng.below(15)),
                _ => Fault::Restart(50 + rng.below(150)),
            };
            // Spread over the first 80 % of the stream so that every fault is injected.
            (i * events * 8 / 10 / faults, fault)
        })
        .collect()
}

fn events(count: usize) -> Vec<EncodedEvent> {
    (0..count)
        .map(|i| {
            let key = format!("store-{}", i % 6);
            let trace_id = format!("00000000-0000-5000-9000-{i:012}");
            let body = format!(
                r#"{{"event_type":"receipt_line_added","schema_version":"1.0","trace_id":"{trace_id}","partition_key":"{key}","payload":{{"n":{i},"pad":"{}"}}}}"#,
                "z".repeat(i % 97)
            );
            EncodedEvent::new(body, "receipt_line_added", trace_id, key, i as i64)
        })
        .collect()
}

fn config(standin: &Standin, dir: &std::path::Path) -> EventHubsConfig {
    EventHubsConfig {
        auth: EventHubsAuth::ConnectionString(SecretString::new(standin.connection_string(KEY))),
        custom_endpoint: Some(standin.endpoint()),
        max_batch_bytes: 8 * 1024,
        max_event_bytes: 4 * 1024,
        // A dropped connection is noticed when the send times out: keep that short.
        send_timeout: Duration::from_secs(1),
        connect_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 12,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(200),
            ..Default::default()
        },
        circuit_breaker: CircuitBreakerConfig {
            failure_threshold: 10,
            open_for: Duration::from_millis(100),
        },
        dead_letter_path: dir.join("dead-letter.jsonl"),
        max_buffered_events: 1_000,
        on_retries_exhausted: OnRetriesExhausted::DeadLetter,
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_faults_lose_no_event() {
    let faults = fault_count();
    let event_count = faults * EVENTS_PER_FAULT;
    tokio::time::timeout(TEST_BOUND, async {
        let standin = Arc::new(Standin::start(StandinConfig::default()).await.unwrap());
        let dir = tempfile::tempdir().unwrap();
        let sent = events(event_count);
        let plan = schedule(faults, event_count);
        let injector = {
            let standin = Arc::clone(&standin);
            let plan = plan.clone();
            tokio::spawn(async move {
                let mut injected: BTreeMap<&'static str, usize> = BTreeMap::new();
                for (threshold, fault) in plan {
                    while standin.received_count() < threshold {
                        tokio::time::sleep(Duration::from_millis(2)).await;
                    }
                    let kind = match fault {
                        Fault::DropAfter(n) => {
                            standin.drop_connection_after_events(n);
                            "connection dropped mid-batch"
                        }
                        Fault::ServerBusy(n) => {
                            standin.reject_next_transfers_server_busy(n);
                            "server busy"
                        }
                        Fault::SlowAcks(ms) => {
                            standin.set_ack_delay(Duration::from_millis(ms));
                            "slow acknowledgements"
                        }
                        Fault::Restart(ms) => {
                            standin.stop().await;
                            tokio::time::sleep(Duration::from_millis(ms)).await;
                            standin.restart().await.unwrap();
                            "stand-in restart"
                        }
                    };
                    *injected.entry(kind).or_default() += 1;
                }
                standin.set_ack_delay(Duration::ZERO);
                injected
            })
        };

        let metrics = Arc::new(SinkMetrics::new());
        let sink = EventHubsSink::new(config(&standin, dir.path()), Arc::clone(&metrics)).unwrap();
        let (sender, run) = spawn_sink(
            Box::new(sink),
            PipelineOptions {
                channel_capacity: 256,
                ..Default::default()
            },
        );
        for event in &sent {
            sender.send(event.clone()).await.unwrap();
        }
        drop(sender);
        let summary = run.finish().await.unwrap();
        let injected = injector.await.unwrap();
        let total_injected: usize = injected.values().sum();
        assert_eq!(total_injected, faults, "{injected:?}");

        // generated = acknowledged + dead-lettered, and the checkpoint covers everything.
        let snapshot = metrics.snapshot();
        assert_eq!(summary.events_received, event_count as u64);
        assert_eq!(summary.acknowledged_through, Some(event_count as u64 - 1));
        let dead: Vec<serde_json::Value> =
            std::fs::read_to_string(dir.path().join("dead-letter.jsonl"))
                .unwrap_or_default()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
        assert_eq!(snapshot.events_dead_lettered_total, dead.len() as u64);
        assert_eq!(
            snapshot.events_sent_all_types() + snapshot.events_dead_lettered_total,
            event_count as u64,
            "{snapshot:?}"
        );

        // No event lost: each one arrived or sits in the dead-letter file.
        let received = standin.received();
        let mut copies: BTreeMap<String, Vec<&Vec<u8>>> = BTreeMap::new();
        for event in &received {
            copies
                .entry(event.message_id.clone().unwrap_or_default())
                .or_default()
                .push(&event.body);
        }
        let dead_ids: BTreeSet<String> = dead
            .iter()
            .map(|d| d["trace_id"].as_str().unwrap().to_owned())
            .collect();
        for event in &sent {
            let arrived = copies.get(&event.trace_id);
            assert!(
                arrived.is_some() || dead_ids.contains(&event.trace_id),
                "{} was lost",
                event.trace_id
            );
            // Duplicates are redeliveries of the same bytes: removable by trace_id.
            for body in arrived.into_iter().flatten() {
                assert_eq!(**body, event.body.to_vec(), "{}", event.trace_id);
            }
        }
        let sent_ids: BTreeSet<&str> = sent.iter().map(|e| e.trace_id.as_str()).collect();
        assert!(copies.keys().all(|id| sent_ids.contains(id.as_str())));
        let duplicates = received.len() - copies.len();
        let stats = standin.stats();
        println!(
            "{event_count} events, {total_injected} faults injected {injected:?}; acknowledged {}, \
             dead-lettered {}, received {} ({} distinct, {duplicates} redelivered duplicates, \
             all removed by trace_id); retries {}, stand-in {stats:?}",
            snapshot.events_sent_all_types(),
            snapshot.events_dead_lettered_total,
            received.len(),
            copies.len(),
            snapshot.retries_total,
        );
        standin.stop().await;
    })
    .await
    .expect("test bounded in time");
}
