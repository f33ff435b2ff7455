//! Engine throughput (rows/s): the `small` profile over a week and the `default` profile for
//! one day, each at 1 and 2 threads. Run with `cargo bench -p retail-facts --bench engine`.
//! Set `ENGINE_BENCH_SKIP_DEFAULT=1` to measure only the small profile.
//! Set `ENGINE_BENCH_RSS_DAYS=N` to run only the default profile over N days on 2 threads,
//! printing per day the process RSS (Linux) and the sizes of the state carried between days,
//! plus the time spent encoding the checkpoint (which the pipeline does every day).

use std::sync::Arc;
use std::time::Instant;

use retail_config::Profile;
use retail_facts::{FactsContext, Generator};
use retail_master::{Dictionaries, MasterData};

fn measure(label: &str, ctx: &FactsContext, days: i32, threads: usize) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    pool.install(|| {
        let generator = Generator::new(ctx.clone()).expect("generator");
        let setup = Instant::now();
        let mut state = generator.initial_state().expect("initial state");
        let setup_s = setup.elapsed().as_secs_f64();
        let start = ctx.dataset_start;
        let clock = Instant::now();
        let mut rows = 0usize;
        for day in generator.run_days(&mut state, start, start.plus_days(days - 1)) {
            rows += day.expect("day").1.len();
        }
        let secs = clock.elapsed().as_secs_f64();
        println!(
            "{label:<8} days={days} threads={threads}: {rows} rows in {secs:.2} s = {:.0} rows/s (initial state {setup_s:.2} s)",
            rows as f64 / secs
        );
    });
}

fn context(profile: Profile) -> FactsContext {
    let config = profile.config();
    let dicts = Dictionaries::bundled().expect("bundled dictionaries");
    let master = MasterData::generate(&config, &dicts).expect("master data");
    FactsContext::new(Arc::new(master), Arc::new(config))
}

/// `VmRSS` and `VmHWM` of this process in MiB (0 where /proc is unavailable).
fn rss_mib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
            / 1024
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn state_growth(ctx: &FactsContext, days: i32) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("thread pool");
    pool.install(|| {
        let generator = Generator::new(ctx.clone()).expect("generator");
        let mut state = generator.initial_state().expect("initial state");
        let start = ctx.dataset_start;
        let clock = Instant::now();
        let mut rows = 0usize;
        let mut encode_s = 0.0;
        for offset in 0..days {
            let date = start.plus_days(offset);
            let batch = generator.run_day(&mut state, date).expect("day");
            rows += batch.len();
            drop(batch);
            let encode = Instant::now();
            let bytes = retail_facts::checkpoint_to_bytes(&state).expect("checkpoint");
            encode_s += encode.elapsed().as_secs_f64();
            let agenda: usize = state.stores.iter().map(|s| s.pending_event_count()).sum();
            let returns: usize = state.stores.iter().map(|s| s.pending_return_count()).sum();
            let queue: usize = state.dcs.iter().map(|d| d.queue.len()).sum();
            let held: usize = state.held.0.values().map(|b| b.len()).sum();
            let (rss, hwm) = rss_mib();
            println!(
                "{date}: rss {rss} MiB (peak {hwm}), checkpoint {} KiB, store agenda {agenda}, \
                 pending returns {returns}, dc queue {queue}, held rows {held}",
                bytes.len() / 1024
            );
        }
        let secs = clock.elapsed().as_secs_f64();
        println!(
            "default days={days} threads=2: {rows} rows in {secs:.2} s = {:.0} rows/s \
             (checkpoint encoding {encode_s:.2} s of it)",
            rows as f64 / secs
        );
    });
}

fn main() {
    if let Some(days) = std::env::var("ENGINE_BENCH_RSS_DAYS")
        .ok()
        .and_then(|v| v.parse::<i32>().ok())
    {
        state_growth(&context(Profile::Default), days);
        return;
    }
    let small = context(Profile::Small);
    for threads in [1, 2] {
        measure("small", &small, 7, threads);
    }
    if std::env::var_os("ENGINE_BENCH_SKIP_DEFAULT").is_none() {
        let default = context(Profile::Default);
        for threads in [1, 2] {
            measure("default", &default, 1, threads);
        }
    }
}
