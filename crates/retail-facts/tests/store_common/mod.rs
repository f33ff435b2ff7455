#![allow(dead_code)]
//! Shared harness of the store-day tests: the `small` profile's master data and a few
//! simulated days per store with hand-made inbound deliveries that fill yesterday's reorders.

use std::sync::{Arc, OnceLock};

use retail_config::{Config, Profile};
use retail_facts::store_day::{StoreDayOutput, StoreState, simulate_store_day};
use retail_facts::{FactsContext, InboundDelivery, InboundLine, NoAttribution};
use retail_master::{Dictionaries, MasterData};
use retail_patterns::localtime;
use retail_schemas::Date;

pub fn master(config: &Config) -> Arc<MasterData> {
    static SMALL: OnceLock<Arc<MasterData>> = OnceLock::new();
    SMALL
        .get_or_init(|| {
            let dicts = Dictionaries::bundled().expect("bundled dictionaries");
            Arc::new(MasterData::generate(config, &dicts).expect("small master data"))
        })
        .clone()
}

/// The small profile's context (master data built once per test binary).
pub fn small_context() -> FactsContext {
    let config = Profile::Small.config();
    let master = master(&config);
    FactsContext::new(master, Arc::new(config))
}

pub fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd(y, m, day).unwrap()
}

/// One simulated store-day.
pub struct Day {
    pub store_id: i64,
    pub date: Date,
    pub planned: Vec<InboundDelivery>,
    pub output: StoreDayOutput,
}

/// Simulates `days` days from `first` for every store; each day's reorders come back the next
/// day as one delivery unloaded 3 h after the store opens (or 10:00 for round-the-clock).
pub fn run(ctx: &FactsContext, first: Date, days: i32) -> (Vec<Day>, Vec<StoreState>) {
    let mut out = Vec::new();
    let mut states = Vec::new();
    for store in &ctx.master.stores {
        let mut state = StoreState::new(ctx, store.store_id).unwrap();
        let mut planned: Vec<InboundDelivery> = Vec::new();
        for k in 0..days {
            let date = first.plus_days(k);
            let output =
                simulate_store_day(ctx, &mut state, date, &planned, &NoAttribution).unwrap();
            let tz = ctx.master.store_tz(store.store_id).unwrap();
            let next = date.succ();
            let minute = if store.open_minute == 0 {
                600
            } else {
                store.open_minute as u32 + 180
            };
            let next_planned = if output.reorders.is_empty() {
                Vec::new()
            } else {
                vec![InboundDelivery {
                    shipment_id: format!("SHP-{:03}-{}-0001", store.dc_id, next.yyyymmdd()),
                    store_id: store.store_id,
                    unloading_ts: localtime::local_to_utc(tz, next, minute).unwrap(),
                    lines: output
                        .reorders
                        .iter()
                        .map(|r| InboundLine {
                            product_id: r.product_id,
                            quantity: r.reorder_quantity,
                            reorder_id: r.reorder_id.clone(),
                        })
                        .collect(),
                }]
            };
            out.push(Day {
                store_id: store.store_id,
                date,
                planned: std::mem::replace(&mut planned, next_planned),
                output,
            });
        }
        states.push(state);
    }
    (out, states)
}
