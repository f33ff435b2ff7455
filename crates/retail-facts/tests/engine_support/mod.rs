#![allow(dead_code)]
//! Shared harness of the engine tests: the `small` profile's context (master data built once
//! per test binary) and helpers to run a range of days.

use std::sync::{Arc, OnceLock};

use retail_config::{Config, Profile};
use retail_facts::{FactBatch, FactsContext, Generator, WorldState};
use retail_master::{Dictionaries, MasterData};
use retail_schemas::Date;

fn master(config: &Config) -> Arc<MasterData> {
    static SMALL: OnceLock<Arc<MasterData>> = OnceLock::new();
    SMALL
        .get_or_init(|| {
            let dicts = Dictionaries::bundled().expect("bundled dictionaries");
            Arc::new(MasterData::generate(config, &dicts).expect("small master data"))
        })
        .clone()
}

/// The small profile's context.
pub fn small_context() -> FactsContext {
    small_context_with(|_| {})
}

/// The small profile's context with configuration changes that keep the dimensions.
pub fn small_context_with(change: impl FnOnce(&mut Config)) -> FactsContext {
    let mut config = Profile::Small.config();
    let master = master(&config);
    change(&mut config);
    FactsContext::new(master, Arc::new(config))
}

/// Runs `days` days from the dataset start; returns the per-day batches and the final state.
pub fn run(generator: &Generator, days: i32) -> (Vec<FactBatch>, WorldState) {
    let mut state = generator.initial_state().unwrap();
    let first = generator.context().dataset_start;
    let batches = generator
        .run_days(&mut state, first, first.plus_days(days - 1))
        .map(|r| r.unwrap().1)
        .collect();
    (batches, state)
}

/// All batches merged.
pub fn merged(batches: &[FactBatch]) -> FactBatch {
    let mut all = FactBatch::default();
    for b in batches {
        all.append(b.clone());
    }
    all
}

pub fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd(y, m, day).unwrap()
}
