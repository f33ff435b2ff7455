//! What the streaming benches share: the events of generated `small`-profile days, CPU time,
//! and numeric settings from the environment.

use std::sync::Arc;

use retail_config::Profile;
use retail_facts::{FactsContext, Generator};
use retail_master::{Dictionaries, MasterData};
use retail_streaming::{DayEvent, events_of_day_owned};

/// The `small` profile's seed and its days from the dataset start, each as its events in
/// stream order (§9.2), generated one day at a time as the iterator is pulled.
pub fn small_profile_days() -> (u64, impl Iterator<Item = Vec<DayEvent>>) {
    let config = Profile::Small.config();
    let seed = config.seed;
    let dicts = Dictionaries::bundled().expect("bundled dictionaries");
    let master = Arc::new(MasterData::generate(&config, &dicts).expect("master data"));
    let generator =
        Generator::new(FactsContext::new(master.clone(), Arc::new(config))).expect("generator");
    let mut state = generator.initial_state().expect("initial state");
    let mut day = generator.context().dataset_start;
    let days = std::iter::from_fn(move || {
        let mut batch = generator.run_day(&mut state, day).expect("day");
        batch.sort();
        day = day.succ();
        Some(events_of_day_owned(batch, &master).expect("events"))
    });
    (seed, days)
}

/// User + system CPU seconds of this process (Linux /proc/self/stat, clock ticks of 1/100 s).
pub fn cpu_seconds() -> f64 {
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

/// The number in environment variable `name`, or `default` when it is unset or not a number.
pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
