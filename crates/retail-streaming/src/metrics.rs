//! Telemetry shared by every sink (events.md §9.5) and its Prometheus text rendering.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// Where in the pipeline an error happened (events.md §9.5 `stage` label).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorStage {
    /// Turning a row into event bytes (reported by the producer, not by sinks).
    Serializing,
    /// Delivering events to the destination, including connecting to it.
    Sending,
}

impl ErrorStage {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorStage::Serializing => "serializing",
            ErrorStage::Sending => "sending",
        }
    }
}

/// Counters and gauges of one sink. All methods take `&self`; share it with `Arc`.
#[derive(Debug, Default)]
pub struct SinkMetrics {
    events_received: AtomicU64,
    events_sent: Mutex<BTreeMap<String, u64>>,
    bytes_sent: AtomicU64,
    batches_sent: AtomicU64,
    errors: Mutex<BTreeMap<(ErrorStage, String), u64>>,
    retries: AtomicU64,
    dead_lettered: AtomicU64,
    buffered_events: AtomicI64,
    last_sent_event_ts_micros: AtomicI64,
    has_sent: AtomicU64,
}

/// A consistent copy of every counter, for assertions and summaries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetricsSnapshot {
    /// Events handed to the sink.
    pub events_received_total: u64,
    /// Events acknowledged by the destination, by event type.
    pub events_sent_total: BTreeMap<String, u64>,
    /// Body bytes acknowledged by the destination.
    pub bytes_sent_total: u64,
    /// Batches (or writes) acknowledged by the destination.
    pub batches_sent_total: u64,
    /// Errors by (stage, kind).
    pub errors_total: BTreeMap<(ErrorStage, String), u64>,
    /// Retried attempts.
    pub retries_total: u64,
    /// Events written to the dead-letter file instead of the destination.
    pub events_dead_lettered_total: u64,
    /// Events accepted but not yet acknowledged or dead-lettered.
    pub buffered_events: i64,
    /// `event_ts` of the last acknowledged event, if any.
    pub last_sent_event_ts_micros: Option<i64>,
}

impl MetricsSnapshot {
    /// Sum of `events_sent_total` over all event types.
    pub fn events_sent_all_types(&self) -> u64 {
        self.events_sent_total.values().sum()
    }
}

impl SinkMetrics {
    /// Fresh, all-zero metrics.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts `n` events entering the sink's buffer.
    pub fn record_received(&self, n: u64) {
        self.events_received.fetch_add(n, Ordering::Relaxed);
        self.buffered_events.fetch_add(n as i64, Ordering::Relaxed);
    }

    /// Counts one acknowledged batch (a write, for file sinks) of events, given as
    /// `(event_type, body_bytes, event_ts_micros)`.
    pub fn record_sent<'a>(&self, events: impl IntoIterator<Item = (&'a str, usize, i64)>) {
        let mut count = 0i64;
        let mut bytes = 0u64;
        let mut newest_ts = None;
        {
            let mut by_type = lock(&self.events_sent);
            for (event_type, body_bytes, event_ts) in events {
                *by_type.entry(event_type.to_owned()).or_default() += 1;
                count += 1;
                bytes += body_bytes as u64;
                newest_ts = Some(newest_ts.map_or(event_ts, |t: i64| t.max(event_ts)));
            }
        }
        if count == 0 {
            return;
        }
        self.bytes_sent.fetch_add(bytes, Ordering::Relaxed);
        self.batches_sent.fetch_add(1, Ordering::Relaxed);
        self.buffered_events.fetch_sub(count, Ordering::Relaxed);
        if let Some(ts) = newest_ts {
            self.last_sent_event_ts_micros
                .fetch_max(ts, Ordering::Relaxed);
            if self.has_sent.swap(1, Ordering::Relaxed) == 0 {
                // The first value must win over the i64::default() of 0 for pre-1970 times.
                self.last_sent_event_ts_micros.store(ts, Ordering::Relaxed);
            }
        }
    }

    /// Counts one error.
    pub fn record_error(&self, stage: ErrorStage, kind: &str) {
        *lock(&self.errors)
            .entry((stage, kind.to_owned()))
            .or_default() += 1;
    }

    /// Counts one retried attempt.
    pub fn record_retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts `n` events moved to the dead-letter file.
    pub fn record_dead_lettered(&self, n: u64) {
        self.dead_lettered.fetch_add(n, Ordering::Relaxed);
        self.buffered_events.fetch_sub(n as i64, Ordering::Relaxed);
    }

    /// A copy of every counter.
    pub fn snapshot(&self) -> MetricsSnapshot {
        MetricsSnapshot {
            events_received_total: self.events_received.load(Ordering::Relaxed),
            events_sent_total: lock(&self.events_sent).clone(),
            bytes_sent_total: self.bytes_sent.load(Ordering::Relaxed),
            batches_sent_total: self.batches_sent.load(Ordering::Relaxed),
            errors_total: lock(&self.errors).clone(),
            retries_total: self.retries.load(Ordering::Relaxed),
            events_dead_lettered_total: self.dead_lettered.load(Ordering::Relaxed),
            buffered_events: self.buffered_events.load(Ordering::Relaxed),
            last_sent_event_ts_micros: (self.has_sent.load(Ordering::Relaxed) == 1)
                .then(|| self.last_sent_event_ts_micros.load(Ordering::Relaxed)),
        }
    }

    /// Prometheus text exposition (format 0.0.4) of these metrics with a `sink` label.
    /// `now_micros` is the wall clock used for `lag_seconds` (now − last sent `event_ts`);
    /// the gauge is absent until an event was sent.
    pub fn render_prometheus(&self, sink: &str, now_micros: i64) -> String {
        render_prometheus(&[(sink, self)], now_micros)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding a counter map cannot leave it inconsistent: keep counting.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Renders several sinks' metrics as one Prometheus text exposition, each series labelled
/// with its sink name. Series and labels come out in a stable order.
pub fn render_prometheus(sinks: &[(&str, &SinkMetrics)], now_micros: i64) -> String {
    let snapshots: Vec<(&str, MetricsSnapshot)> = sinks
        .iter()
        .map(|(name, metrics)| (*name, metrics.snapshot()))
        .collect();
    let mut out = String::new();
    let mut family = |name: &str, kind: &str, help: &str, lines: Vec<String>| {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        for line in lines {
            let _ = writeln!(out, "{name}{line}");
        }
    };
    let per_sink = |value: &dyn Fn(&MetricsSnapshot) -> String| -> Vec<String> {
        snapshots
            .iter()
            .map(|(sink, s)| format!("{{sink=\"{}\"}} {}", escape(sink), value(s)))
            .collect()
    };
    family(
        "events_received_total",
        "counter",
        "Events handed to the sink.",
        per_sink(&|s| s.events_received_total.to_string()),
    );
    family(
        "events_sent_total",
        "counter",
        "Events acknowledged by the destination, by event type.",
        snapshots
            .iter()
            .flat_map(|(sink, s)| {
                s.events_sent_total.iter().map(move |(event_type, n)| {
                    format!(
                        "{{sink=\"{}\",event_type=\"{}\"}} {n}",
                        escape(sink),
                        escape(event_type)
                    )
                })
            })
            .collect(),
    );
    family(
        "bytes_sent_total",
        "counter",
        "Event body bytes acknowledged by the destination.",
        per_sink(&|s| s.bytes_sent_total.to_string()),
    );
    family(
        "batches_sent_total",
        "counter",
        "Batches acknowledged by the destination.",
        per_sink(&|s| s.batches_sent_total.to_string()),
    );
    family(
        "errors_total",
        "counter",
        "Errors by stage and kind.",
        snapshots
            .iter()
            .flat_map(|(sink, s)| {
                s.errors_total.iter().map(move |((stage, kind), n)| {
                    format!(
                        "{{sink=\"{}\",stage=\"{}\",kind=\"{}\"}} {n}",
                        escape(sink),
                        stage.as_str(),
                        escape(kind)
                    )
                })
            })
            .collect(),
    );
    family(
        "retries_total",
        "counter",
        "Retried send attempts.",
        per_sink(&|s| s.retries_total.to_string()),
    );
    family(
        "events_dead_lettered_total",
        "counter",
        "Events written to the dead-letter file after a permanent failure.",
        per_sink(&|s| s.events_dead_lettered_total.to_string()),
    );
    family(
        "buffered_events",
        "gauge",
        "Events accepted by the sink and not yet acknowledged.",
        per_sink(&|s| s.buffered_events.to_string()),
    );
    family(
        "lag_seconds",
        "gauge",
        "Wall clock minus event_ts of the last acknowledged event.",
        snapshots
            .iter()
            .filter_map(|(sink, s)| {
                s.last_sent_event_ts_micros.map(|ts| {
                    let lag = (now_micros.saturating_sub(ts)) as f64 / 1e6;
                    format!("{{sink=\"{}\"}} {lag}", escape(sink))
                })
            })
            .collect(),
    );
    out
}

fn escape(label_value: &str) -> String {
    label_value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_add_up_and_the_gauge_follows_acknowledgements() {
        let metrics = SinkMetrics::new();
        metrics.record_received(5);
        metrics.record_sent([
            ("receipt_created", 10, 100),
            ("receipt_line_added", 20, 300),
        ]);
        metrics.record_sent([("receipt_created", 5, 200)]);
        metrics.record_dead_lettered(1);
        metrics.record_retry();
        metrics.record_error(ErrorStage::Sending, "server_busy");
        metrics.record_error(ErrorStage::Sending, "server_busy");
        let s = metrics.snapshot();
        assert_eq!(s.events_received_total, 5);
        assert_eq!(s.events_sent_total["receipt_created"], 2);
        assert_eq!(s.events_sent_all_types(), 3);
        assert_eq!(s.bytes_sent_total, 35);
        assert_eq!(s.batches_sent_total, 2);
        assert_eq!(s.buffered_events, 1);
        assert_eq!(s.events_dead_lettered_total, 1);
        assert_eq!(s.retries_total, 1);
        assert_eq!(
            s.errors_total[&(ErrorStage::Sending, "server_busy".into())],
            2
        );
        assert_eq!(s.last_sent_event_ts_micros, Some(300));
    }

    #[test]
    fn an_empty_batch_counts_nothing() {
        let metrics = SinkMetrics::new();
        metrics.record_sent(std::iter::empty());
        assert_eq!(metrics.snapshot(), MetricsSnapshot::default());
    }

    #[test]
    fn prometheus_text_has_every_family_labels_and_lag() {
        let metrics = SinkMetrics::new();
        metrics.record_received(2);
        metrics.record_sent([("store_opened", 7, 1_000_000)]);
        metrics.record_error(ErrorStage::Sending, "timeout");
        let text = metrics.render_prometheus("eventhubs", 3_500_000);
        for expected in [
            "# TYPE events_received_total counter",
            "events_received_total{sink=\"eventhubs\"} 2",
            "events_sent_total{sink=\"eventhubs\",event_type=\"store_opened\"} 1",
            "bytes_sent_total{sink=\"eventhubs\"} 7",
            "batches_sent_total{sink=\"eventhubs\"} 1",
            "errors_total{sink=\"eventhubs\",stage=\"sending\",kind=\"timeout\"} 1",
            "retries_total{sink=\"eventhubs\"} 0",
            "# TYPE buffered_events gauge",
            "buffered_events{sink=\"eventhubs\"} 1",
            "lag_seconds{sink=\"eventhubs\"} 2.5",
        ] {
            assert!(
                text.lines().any(|l| l == expected),
                "missing {expected:?} in\n{text}"
            );
        }
    }

    #[test]
    fn lag_is_absent_before_the_first_send_and_labels_are_escaped() {
        let metrics = SinkMetrics::new();
        let text = metrics.render_prometheus("jsonl:\"a\\b\"", 0);
        assert!(
            !text.lines().any(|l| l.starts_with("lag_seconds{")),
            "{text}"
        );
        assert!(text.contains("sink=\"jsonl:\\\"a\\\\b\\\"\""), "{text}");
    }
}
