mod engine_support;

use engine_support::*;
use retail_facts::Generator;

#[test]
fn a_small_week_produces_every_dc_side_table() {
    let generator = Generator::new(small_context()).unwrap();
    let (batches, state) = run(&generator, 7);
    for (i, b) in batches.iter().enumerate() {
        eprintln!("day {i}: {:?}", b.row_counts());
    }
    eprintln!("held dates: {:?}", state.held.0.keys().collect::<Vec<_>>());
    let all = merged(&batches);
    assert!(!all.fact_truck_moves.is_empty());
    assert!(!all.fact_dc_inventory_txn.is_empty());
    assert!(!all.fact_marketing.is_empty());
}
