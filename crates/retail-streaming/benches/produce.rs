//! The producer without the generator: events of already generated `small`-profile days
//! merged, paced (unpaced here), serialised into envelopes and handed to the `null` and
//! `jsonl` sinks. Prints events/s and events per CPU-second; together with the facts engine's
//! own bench this splits `retail stream`'s cost into generation and production.
//!
//! `cargo bench -p retail-streaming --bench produce` (`PRODUCE_BENCH_DAYS=N`, default 7).

use std::sync::Arc;
use std::time::Instant;

use retail_streaming::{
    DayEvent, JsonlSink, NullSink, PipelineOptions, ProduceOptions, Sink, SinkMetrics, produce,
    spawn_sink,
};

mod support;
use support::{cpu_seconds, env_number, small_profile_days};

fn measure(label: &str, days: Vec<Vec<DayEvent>>, seed: u64, sink: Box<dyn Sink>, file: bool) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let events: usize = days.iter().map(Vec::len).sum();
    let cpu_before = cpu_seconds();
    let clock = Instant::now();
    let sent = runtime.block_on(async move {
        let (day_tx, day_rx) = tokio::sync::mpsc::channel(1);
        let feeder = tokio::spawn(async move {
            for day in days {
                if day_tx.send(day).await.is_err() {
                    break;
                }
            }
        });
        let (sender, run) = spawn_sink(sink, PipelineOptions::default());
        let mut options = ProduceOptions::new(seed);
        options.file_timestamps = file;
        let summary = produce(day_rx, &sender, &options).await.expect("produce");
        drop(sender);
        run.finish().await.expect("sink run");
        feeder.await.expect("feeder");
        summary.events_sent
    });
    let secs = clock.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    assert_eq!(sent as usize, events, "every event is sent");
    println!(
        "{label:<6} {events} events in {secs:.2} s = {:.0} events/s; {cpu:.2} CPU-s = {:.0} events/CPU-s",
        events as f64 / secs,
        events as f64 / cpu
    );
}

fn main() {
    let day_count = env_number("PRODUCE_BENCH_DAYS", 7) as usize;
    let (seed, days) = small_profile_days();
    let generated: Vec<Vec<DayEvent>> = days.take(day_count).collect();
    let null = Box::new(NullSink::new(Arc::new(SinkMetrics::new())));
    measure("null", generated.clone(), seed, null, false);
    let dir = tempfile::tempdir().expect("temp dir");
    let jsonl = Box::new(JsonlSink::new(
        dir.path().join("events.jsonl"),
        None,
        Arc::new(SinkMetrics::new()),
    ));
    measure("jsonl", generated, seed, jsonl, true);
}
