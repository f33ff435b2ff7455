//! The producer without the generator: events of already generated `small`-profile days
//! merged, paced (unpaced here), serialised into envelopes and handed to the `null` and
//! `jsonl` sinks. Prints events/s and events per CPU-second; together with the facts engine's
//! own bench this splits `retail stream`'s cost into generation and production.
//!
//! `cargo bench -p retail-streaming --bench produce` (`PRODUCE_BENCH_DAYS=N`, default 7).

use std::sync::Arc;
use std::time::Instant;

use retail_config::Profile;
use retail_facts::{FactsContext, Generator};
use retail_master::{Dictionaries, MasterData};
use retail_streaming::{
    DayEvent, JsonlSink, NullSink, PipelineOptions, ProduceOptions, Sink, SinkMetrics,
    events_of_day_owned, produce, spawn_sink,
};

/// User + system CPU seconds of this process (Linux /proc/self/stat, clock ticks of 1/100 s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rfind(')').map_or("", |i| &stat[i + 1..]);
    let fields: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse().ok())
        .collect();
    fields.iter().sum::<f64>() / 100.0
}

fn generated_days(days: usize) -> (Vec<Vec<DayEvent>>, u64) {
    let config = Profile::Small.config();
    let seed = config.seed;
    let dicts = Dictionaries::bundled().expect("bundled dictionaries");
    let master = Arc::new(MasterData::generate(&config, &dicts).expect("master data"));
    let generator =
        Generator::new(FactsContext::new(master.clone(), Arc::new(config))).expect("generator");
    let mut state = generator.initial_state().expect("initial state");
    let mut day = generator.context().dataset_start;
    let mut out = Vec::with_capacity(days);
    for _ in 0..days {
        let mut batch = generator.run_day(&mut state, day).expect("day");
        batch.sort();
        out.push(events_of_day_owned(batch, &master).expect("events"));
        day = day.succ();
    }
    (out, seed)
}

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
    let days = std::env::var("PRODUCE_BENCH_DAYS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let (generated, seed) = generated_days(days);
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
