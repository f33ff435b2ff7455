//! Hot-path latency of the duckdb sink: for each event, from its creation (the instant it is
//! built and stamped `ingest_timestamp`) to the commit of the micro-batch that makes it
//! visible in the KPI views; from its creation to the first KPI snapshot file that counts it
//! (what `retail dashboard` serves; a watcher thread reads the file every 5 ms, the page then
//! polls once a second); and from a triggering event's creation to its alert.
//!
//! `cargo bench -p retail-eventhouse --bench latency` (release). Rates: 1,000 and 10,000
//! events/s paced for `LATENCY_SECONDS` (default 10) each, then unpaced (maximum sustained).
//! The database is a fresh file in a temporary directory; the events are the deterministic
//! mixed stream of `retail_eventhouse::scenario` plus a stockout and a high-value receipt
//! every 1,000 events.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use retail_eventhouse::{DuckdbSink, DuckdbSinkOptions, scenario, wall_clock_micros};
use retail_schemas::Ts;
use retail_streaming::{EncodedEvent, PipelineOptions, SinkMetrics, spawn_sink};

#[derive(Default)]
struct Samples {
    created: Vec<i64>,
    visible: Vec<i64>,
    alert: Vec<i64>,
    batches: usize,
}

/// Reads the snapshot file every 5 ms until `stop`; returns (events_total, instant first
/// seen) for every new total.
fn watch_snapshot(
    path: std::path::PathBuf,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<Vec<(i64, i64)>> {
    std::thread::spawn(move || {
        let mut seen: Vec<(i64, i64)> = Vec::new();
        loop {
            let done = stop.load(std::sync::atomic::Ordering::Relaxed);
            let total = std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
                .and_then(|value| value["events_total"].as_i64());
            if let Some(total) = total
                && seen.last().is_none_or(|&(last, _)| total > last)
            {
                seen.push((total, wall_clock_micros()));
            }
            if done {
                return seen;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    })
}

fn percentile(sorted: &[i64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)] as f64 / 1000.0
}

fn run(rate: Option<u64>, count: usize) -> String {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("retail.duckdb");
    let samples = Arc::new(Mutex::new(Samples {
        created: vec![0; count],
        ..Samples::default()
    }));
    let observed = samples.clone();
    let options = DuckdbSinkOptions::new(&path);
    let stop_watching = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = watch_snapshot(
        options
            .eventhouse
            .snapshot_path
            .clone()
            .expect("the sink writes a snapshot"),
        stop_watching.clone(),
    );
    let sink = DuckdbSink::new(options, Arc::new(SinkMetrics::new())).with_batch_observer(
        Box::new(move |batch, outcome| {
            let mut s = observed.lock().expect("samples");
            s.batches += 1;
            for e in batch {
                let created = s.created[e.index as usize];
                s.visible.push(outcome.committed_at_micros - created);
            }
            for a in &outcome.alerts {
                s.alert.push(a.raised_at.0 - a.trigger_ingest_ts.0);
            }
        }),
    );
    let start_ts = Ts::parse_rfc3339("2024-03-06T08:00:00Z").expect("timestamp");
    let mut payloads = scenario::mixed_payloads(start_ts, 50_000, count);
    for (i, p) in payloads.iter_mut().enumerate() {
        let ts = p.event_ts();
        if i % 1000 == 998 {
            *p = scenario::stockout(&format!("STK-{i}"), 1 + (i % 12) as i64, 100, ts, "TXN-0");
        } else if i % 1000 == 999 {
            *p = scenario::receipt(&format!("RCP-BIG-{i}"), 3, ts, "SALE", 80_000, 0, "CASH");
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let started = Instant::now();
    runtime.block_on(async {
        let (sender, run) = spawn_sink(Box::new(sink), PipelineOptions::default());
        for (i, payload) in payloads.into_iter().enumerate() {
            if let Some(rate) = rate {
                let due = started + Duration::from_secs_f64(i as f64 / rate as f64);
                if due > Instant::now() {
                    tokio::time::sleep_until(due.into()).await;
                }
            }
            let created = wall_clock_micros();
            let envelope = scenario::envelope(payload, Ts(created));
            let event = EncodedEvent::new(
                envelope.to_json().expect("encodes"),
                envelope.event_type.name(),
                envelope.trace_id.to_string(),
                envelope.partition_key.clone(),
                envelope.payload.event_ts().0,
            );
            samples.lock().expect("samples").created[i] = created;
            sender.send(event).await.expect("sink running");
        }
        drop(sender);
        run.finish().await.expect("sink run");
    });
    let elapsed = started.elapsed().as_secs_f64();
    stop_watching.store(true, std::sync::atomic::Ordering::Relaxed);
    let totals = watcher.join().expect("watcher");
    let mut s = samples.lock().expect("samples");
    // Events are committed in creation order: the first snapshot counting more than i events
    // is the first that shows event i.
    let mut dashboard: Vec<i64> = Vec::with_capacity(count);
    let mut next = totals.iter().peekable();
    for (i, created) in s.created.iter().enumerate() {
        while next.peek().is_some_and(|&&(total, _)| total <= i as i64) {
            next.next();
        }
        if let Some(&&(_, seen_at)) = next.peek() {
            dashboard.push(seen_at - created);
        }
    }
    dashboard.sort_unstable();
    s.visible.sort_unstable();
    s.alert.sort_unstable();
    format!(
        "| {} | {} | {:.0} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {} |",
        rate.map_or("max (unpaced)".to_string(), |r| format!("{r}")),
        count,
        count as f64 / elapsed,
        s.batches,
        percentile(&s.visible, 50.0),
        percentile(&s.visible, 95.0),
        percentile(&s.visible, 99.0),
        percentile(&dashboard, 50.0),
        percentile(&dashboard, 95.0),
        percentile(&dashboard, 99.0),
        percentile(&s.alert, 50.0),
        percentile(&s.alert, 99.0),
        s.alert.len(),
    )
}

fn main() {
    let seconds: u64 = std::env::var("LATENCY_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let max_events: usize = std::env::var("LATENCY_MAX_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300_000);
    println!(
        "| rate (events/s) | events | achieved events/s | micro-batches | KPI p50 ms | KPI p95 ms | KPI p99 ms | snapshot p50 ms | snapshot p95 ms | snapshot p99 ms | alert p50 ms | alert p99 ms | alerts |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for rate in [1_000u64, 10_000] {
        println!("{}", run(Some(rate), (rate * seconds) as usize));
    }
    println!("{}", run(None, max_events));
}
