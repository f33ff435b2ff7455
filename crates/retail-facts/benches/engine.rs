//! Engine throughput (rows/s): the `small` profile over a week and the `default` profile for
//! one day, each at 1 and 2 threads. Run with `cargo bench -p retail-facts --bench engine`.
//! Set `ENGINE_BENCH_SKIP_DEFAULT=1` to measure only the small profile.

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

fn main() {
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
