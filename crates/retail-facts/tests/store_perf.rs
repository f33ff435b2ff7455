//! Throughput figures of the store day (run with `--ignored --nocapture`; nothing is asserted
//! about time, the figures are printed).

use std::sync::Arc;
use std::time::Instant;

use retail_config::Profile;
use retail_facts::store_day::{StoreState, simulate_store_day};
use retail_facts::{FactsContext, NoAttribution};
use retail_master::{Dictionaries, MasterData};
use retail_schemas::Date;

fn measure(profile: Profile, days: i32) {
    let config = profile.config();
    let dicts = Dictionaries::bundled().unwrap();
    let master = Arc::new(MasterData::generate(&config, &dicts).unwrap());
    let ctx = FactsContext::new(master, Arc::new(config));
    let start = Date::from_ymd(2024, 3, 4).unwrap();
    let t0 = Instant::now();
    let mut states: Vec<StoreState> = ctx
        .master
        .stores
        .iter()
        .map(|s| StoreState::new(&ctx, s.store_id).unwrap())
        .collect();
    let init = t0.elapsed();
    let t1 = Instant::now();
    let mut rows = 0usize;
    let mut last_day = retail_facts::FactBatch::default();
    for k in 0..days {
        last_day = retail_facts::FactBatch::default();
        for state in &mut states {
            let out =
                simulate_store_day(&ctx, state, start.plus_days(k), &[], &NoAttribution).unwrap();
            rows += out.batch.len();
            last_day.append(out.batch);
        }
    }
    let elapsed = t1.elapsed().as_secs_f64();
    let store_days = (states.len() as i32 * days) as f64;
    println!(
        "{}: {} stores × {days} days: init {:.2}s; {rows} rows in {elapsed:.2}s = {:.0} rows/s, {:.0} rows and {:.1} ms per store-day",
        profile.name(),
        states.len(),
        init.as_secs_f64(),
        rows as f64 / elapsed,
        rows as f64 / store_days,
        elapsed * 1000.0 / store_days,
    );
    println!("  last day by table: {:?}", last_day.row_counts());
}

#[test]
#[ignore = "throughput figures; run explicitly in release mode"]
fn store_day_throughput() {
    measure(Profile::Small, 7);
    measure(Profile::Default, 2);
}
