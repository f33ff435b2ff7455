//! Event Hubs sink throughput: real envelopes of generated `small`-profile days sent through
//! the real `azure_messaging_eventhubs` producer (batches of up to 1 MB) into the local
//! stand-in broker over loopback TCP. Prints events/s, MB/s, the mean batch size and the CPU
//! time per event, and checks that the broker received every event.
//!
//! `cargo bench -p retail-streaming --bench eventhubs_standin`. Environment:
//! `STANDIN_BENCH_EVENTS` (default 300 000), `STANDIN_BENCH_ACK_DELAY_MS` (the broker's delay
//! before settling each transfer, default 1: with 0 the SDK's AMQP layer loses some
//! settlements and those sends only end at the timeout), `STANDIN_BENCH_SEND_TIMEOUT_S` (the
//! sink's per-send timeout, default 5; the CLI's is 30), `STANDIN_BENCH_MAX_BUFFERED` (events
//! the sink holds while per-key batches fill, default 200 000; the CLI's is 50 000).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use retail_eventhubs_standin::{ReceivedEvent, Standin, StandinConfig};
use retail_streaming::eventhubs::{EventHubsAuth, EventHubsConfig, EventHubsSink};
use retail_streaming::produce::encode;
use retail_streaming::{
    EncodedEvent, PipelineOptions, SecretString, Sink, SinkMetrics, spawn_sink,
};

mod support;
use support::{cpu_seconds, env_number, small_profile_days};

/// Real envelopes, in stream order, from as many generated days as needed.
fn generated_events(count: usize) -> Vec<EncodedEvent> {
    let (seed, days) = small_profile_days();
    days.flatten()
        .take(count)
        .map(|event| encode(event, seed, true).expect("encode"))
        .collect()
}

/// Batch sizes as the broker saw them, per kind of partition key (events.md §5.1): the count,
/// the plain mean, the byte-weighted mean (the size of the batch an average byte travels in)
/// and the share of bytes carried in batches of at least 500 kB.
fn print_batch_sizes(received: &[ReceivedEvent]) {
    let mut batches: BTreeMap<u64, (String, usize)> = BTreeMap::new();
    for event in received {
        let kind = event
            .partition_key
            .as_deref()
            .and_then(|key| key.split('-').next())
            .unwrap_or("none")
            .to_owned();
        batches.entry(event.transfer_number).or_insert((kind, 0)).1 += event.body.len();
    }
    let mut by_kind: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (kind, bytes) in batches.values() {
        by_kind.entry(kind).or_default().push(*bytes);
    }
    for (kind, sizes) in by_kind {
        let total: usize = sizes.iter().sum();
        let squares: f64 = sizes.iter().map(|&b| (b as f64) * (b as f64)).sum();
        let large: usize = sizes.iter().filter(|&&b| b >= 500_000).sum();
        println!(
            "  {kind:<8} keys: {} batches, mean {:.0} KB, byte-weighted mean {:.0} KB, \
             largest {:.0} KB, {:.0} % of {:.1} MB in batches >= 500 KB",
            sizes.len(),
            total as f64 / sizes.len() as f64 / 1e3,
            squares / total.max(1) as f64 / 1e3,
            sizes.iter().max().copied().unwrap_or(0) as f64 / 1e3,
            100.0 * large as f64 / total.max(1) as f64,
            total as f64 / 1e6,
        );
    }
}

fn main() {
    let count = env_number("STANDIN_BENCH_EVENTS", 300_000) as usize;
    let ack_delay = Duration::from_millis(env_number("STANDIN_BENCH_ACK_DELAY_MS", 1));
    let send_timeout = Duration::from_secs(env_number("STANDIN_BENCH_SEND_TIMEOUT_S", 5));
    let buffered = env_number("STANDIN_BENCH_MAX_BUFFERED", 200_000) as usize;
    let events = generated_events(count);
    let bytes: usize = events.iter().map(|e| e.body.len()).sum();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let standin = Standin::start(StandinConfig::default())
            .await
            .expect("stand-in starts");
        standin.set_ack_delay(ack_delay);
        let dir = tempfile::tempdir().expect("temp dir");
        let config = EventHubsConfig {
            auth: EventHubsAuth::ConnectionString(SecretString::new(
                standin.connection_string("benchKEY00000000000000000000000000000000000="),
            )),
            custom_endpoint: Some(standin.endpoint()),
            max_batch_bytes: 1_000_000,
            send_timeout,
            max_buffered_events: buffered,
            dead_letter_path: dir.path().join("dead-letter.jsonl"),
            ..Default::default()
        };
        let metrics = Arc::new(SinkMetrics::new());
        let mut sink = EventHubsSink::new(config, metrics.clone()).expect("sink builds");
        sink.healthcheck().await.expect("healthcheck");
        let cpu_before = cpu_seconds();
        let clock = Instant::now();
        let (sender, run) = spawn_sink(Box::new(sink), PipelineOptions::default());
        for event in events {
            sender.send(event).await.expect("sink running");
        }
        drop(sender);
        run.finish().await.expect("sink run");
        let secs = clock.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu_before;
        let received = standin.received_count();
        let stats = standin.stats();
        let sent = metrics.snapshot();
        println!(
            "eventhubs → stand-in: {count} events, {:.1} MB in {secs:.2} s = {:.0} events/s, {:.1} MB/s; \
             {} batches (mean {:.0} KB, {:.0} events); {:.2} CPU-s = {:.0} events/CPU-s (broker included); \
             acknowledged {}, dead-lettered {}, retries {}, errors {:?}, received by the broker {received} \
             (ack delay {ack_delay:?}, send timeout {send_timeout:?}, max buffered {buffered})",
            bytes as f64 / 1e6,
            count as f64 / secs,
            bytes as f64 / 1e6 / secs,
            stats.transfers_accepted,
            bytes as f64 / 1e3 / stats.transfers_accepted.max(1) as f64,
            count as f64 / stats.transfers_accepted.max(1) as f64,
            cpu,
            count as f64 / cpu,
            sent.events_sent_all_types(),
            sent.events_dead_lettered_total,
            sent.retries_total,
            sent.errors_total,
        );
        let arrived = standin.received();
        print_batch_sizes(&arrived);
        // Retried batches may arrive twice (at-least-once; consumers dedupe on trace_id).
        let distinct: std::collections::BTreeSet<Option<&String>> =
            arrived.iter().map(|e| e.message_id.as_ref()).collect();
        assert_eq!(distinct.len(), count, "the broker must receive every event");
        standin.stop().await;
    });
}
