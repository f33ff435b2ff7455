//! Backpressure (issue #9 item 3): a producer far faster than its sink never grows memory
//! without bound. 200,000 events of 4 KiB (800 MiB in all) go through `spawn_sink` into a
//! deliberately slow sink; the events waiting between producer and sink never exceed the
//! channel's capacity, and the process's resident memory grows by a small fraction of the
//! volume sent.
//!
//! This file holds one test so that nothing else in the process moves its memory figures.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use retail_streaming::{
    AckTracker, EncodedEvent, HealthReport, PipelineOptions, SequencedEvent, Sink, SinkError,
    SinkMetrics, spawn_sink,
};

const EVENTS: u64 = 200_000;
const BODY_BYTES: usize = 4_096;
const CAPACITY: usize = 1_000;
/// Resident memory may grow by at most this much while 800 MiB flow through.
const RSS_GROWTH_BUDGET_KIB: u64 = 96 * 1024;

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Sleeps a millisecond every 50 events (≈ 50,000 events/s, far slower than the producer) and
/// records the largest backlog it sees and the peak resident memory.
struct SlowSink {
    metrics: Arc<SinkMetrics>,
    tracker: AckTracker,
    sent_by_producer: Arc<AtomicU64>,
    taken: u64,
    max_backlog: Arc<AtomicU64>,
    peak_rss_kib: Arc<AtomicU64>,
}

#[async_trait]
impl Sink for SlowSink {
    fn name(&self) -> &'static str {
        "slow"
    }

    fn metrics(&self) -> Arc<SinkMetrics> {
        Arc::clone(&self.metrics)
    }

    async fn healthcheck(&mut self) -> Result<HealthReport, SinkError> {
        Ok(HealthReport {
            sink: "slow",
            destination: "nowhere, slowly".into(),
            partition_ids: Vec::new(),
        })
    }

    async fn submit(&mut self, event: SequencedEvent) -> Result<(), SinkError> {
        self.taken += 1;
        let backlog = self
            .sent_by_producer
            .load(Ordering::SeqCst)
            .saturating_sub(self.taken);
        self.max_backlog.fetch_max(backlog, Ordering::SeqCst);
        if self.taken % 50 == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        if self.taken % 5_000 == 0 {
            self.peak_rss_kib.fetch_max(rss_kib(), Ordering::SeqCst);
        }
        self.tracker.observe(event.index);
        self.tracker.resolve(event.index);
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    async fn close(self: Box<Self>) -> Result<(), SinkError> {
        Ok(())
    }

    fn acknowledged_through(&self) -> Option<u64> {
        self.tracker.acknowledged_through()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_sink_holds_the_producer_back_with_bounded_memory() {
    let baseline_kib = rss_kib();
    let sent_by_producer = Arc::new(AtomicU64::new(0));
    let max_backlog = Arc::new(AtomicU64::new(0));
    let peak_rss_kib = Arc::new(AtomicU64::new(0));
    let sink = SlowSink {
        metrics: Arc::new(SinkMetrics::new()),
        tracker: AckTracker::new(),
        sent_by_producer: Arc::clone(&sent_by_producer),
        taken: 0,
        max_backlog: Arc::clone(&max_backlog),
        peak_rss_kib: Arc::clone(&peak_rss_kib),
    };
    let (sender, run) = spawn_sink(
        Box::new(sink),
        PipelineOptions {
            channel_capacity: CAPACITY,
            ..Default::default()
        },
    );
    let padding = "p".repeat(BODY_BYTES);
    let mut producer_waits = 0u64;
    let started = std::time::Instant::now();
    for i in 0..EVENTS {
        if sender.available_capacity() == 0 {
            producer_waits += 1;
        }
        let body = format!(r#"{{"event_type":"ble_ping_detected","n":{i},"pad":"{padding}"}}"#);
        sender
            .send(EncodedEvent::new(
                body,
                "ble_ping_detected",
                format!("t{i}"),
                "store-1",
                0,
            ))
            .await
            .unwrap();
        sent_by_producer.fetch_add(1, Ordering::SeqCst);
    }
    drop(sender);
    let summary = tokio::time::timeout(Duration::from_secs(300), run.finish())
        .await
        .expect("the slow sink finishes")
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(summary.events_received, EVENTS);
    assert_eq!(summary.acknowledged_through, Some(EVENTS - 1));

    let max_backlog = max_backlog.load(Ordering::SeqCst);
    let peak = peak_rss_kib.load(Ordering::SeqCst).max(rss_kib());
    let growth = peak.saturating_sub(baseline_kib);
    let volume_mib = EVENTS * BODY_BYTES as u64 / (1024 * 1024);
    println!(
        "{EVENTS} events, {volume_mib} MiB through a channel of {CAPACITY}; largest backlog \
         {max_backlog} events; the producer found the channel full {producer_waits} times; \
         RSS {baseline_kib} KiB before, peak {peak} KiB (+{growth} KiB); {:.1}s",
        elapsed.as_secs_f64()
    );
    // The producer was really held back, and never more than the channel was waiting (one
    // more may sit between the channel and the sink's submit).
    assert!(
        producer_waits > 0,
        "the sink was not slower than the producer"
    );
    assert!(
        max_backlog <= CAPACITY as u64 + 2,
        "backlog {max_backlog} exceeds the channel capacity {CAPACITY}"
    );
    assert!(
        growth < RSS_GROWTH_BUDGET_KIB,
        "RSS grew by {growth} KiB while {volume_mib} MiB were sent"
    );
}
