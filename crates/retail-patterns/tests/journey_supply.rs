//! A week of store reorders → DC allocation → shipments → trucks → unloads, composed from the
//! inventory and logistics models, checked against data-contract §13 #15, #17, #19–#23.

use std::collections::BTreeMap;

use retail_patterns::inventory::{
    InitialInventoryParams, Ledger, LocationType, draw_initial_ledger, evaluate_reorder,
};
use retail_patterns::logistics::{
    Allocation, TemperatureClass, TruckCandidate, TruckTier, choose_truck, draw_shipment_timeline,
    haversine_miles, planned_travel_minutes, split_into_shipments,
};
use retail_rng::Stream;
use retail_schemas::Ts;

const SEED: u64 = 99;
const CAPACITY: u32 = 400;

#[test]
fn a_week_of_replenishment_keeps_ledgers_and_trucks_consistent() {
    let store_params = InitialInventoryParams {
        par_min: 20,
        par_max: 60,
        reorder_point_min: 5,
        reorder_point_max: 20,
    };
    let dc_params = InitialInventoryParams {
        par_min: 2_000,
        par_max: 4_000,
        reorder_point_min: 200,
        reorder_point_max: 800,
    };
    let stores = [
        (1i64, 41.88, -87.63),
        (2, 41.50, -88.10),
        (3, 42.10, -87.90),
    ];
    let dc = (1i64, 41.80, -87.90);
    let products: Vec<(i64, bool)> = (1..=60).map(|p| (p, p % 5 == 0)).collect();
    let mut store_ledgers: BTreeMap<(i64, i64), Ledger> = BTreeMap::new();
    let mut dc_ledgers: BTreeMap<i64, Ledger> = BTreeMap::new();
    for &(p, _) in &products {
        let mut rng = Stream::new(SEED, "inventory_init", &[1, dc.0, p]);
        dc_ledgers.insert(
            p,
            draw_initial_ledger(LocationType::Dc, &dc_params, true, &mut rng).unwrap(),
        );
        for &(s, _, _) in &stores {
            let mut rng = Stream::new(SEED, "inventory_init", &[0, s, p]);
            let l =
                draw_initial_ledger(LocationType::Store, &store_params, true, &mut rng).unwrap();
            store_ledgers.insert((s, p), l);
        }
    }
    let mut trucks = vec![
        TruckCandidate {
            truck_id: 1,
            refrigerated: true,
            tier: TruckTier::HomeFleet,
            available_at: None,
        },
        TruckCandidate {
            truck_id: 2,
            refrigerated: false,
            tier: TruckTier::HomeFleet,
            available_at: None,
        },
        TruckCandidate {
            truck_id: 3,
            refrigerated: false,
            tier: TruckTier::Pool,
            available_at: None,
        },
    ];
    let mut truck_log: BTreeMap<i64, Vec<(Ts, Ts, i64)>> = BTreeMap::new();
    let day = Ts::MICROS_PER_DAY;
    let mut shipped_units = 0u64;
    for d in 0..7i64 {
        // Sales deplete the stores (store-day streams).
        for (&(s, p), ledger) in store_ledgers.iter_mut() {
            let mut rng = Stream::new(SEED, "sales", &[s, p, d]);
            let want = rng.range_inclusive(0, 12);
            let sell = want.min(ledger.atp());
            if sell > 0 {
                let m = ledger.sell(sell).unwrap();
                assert!(m.balance >= 0);
            }
        }
        // Store reorder evaluation (§13 #19).
        let mut reorders = Vec::new();
        for (&(s, p), ledger) in &store_ledgers {
            if let Some(r) = evaluate_reorder(ledger) {
                assert!(ledger.position() <= ledger.reorder_point);
                assert_eq!(r.quantity, ledger.par - ledger.position());
                reorders.push((r.priority, s, p, r.quantity));
            }
        }
        // DC planning: priority, store, product; allocate min(quantity, DC ATP) (§7.9).
        reorders.sort();
        let mut allocations = Vec::new();
        for &(_, s, p, quantity) in &reorders {
            let dc_ledger = dc_ledgers.get_mut(&p).unwrap();
            let units = quantity.min(dc_ledger.atp());
            if units <= 0 {
                continue;
            }
            dc_ledger.reserve(units).unwrap();
            store_ledgers
                .get_mut(&(s, p))
                .unwrap()
                .add_on_order(units)
                .unwrap();
            allocations.push(Allocation {
                store_id: s,
                product_id: p,
                units: units as u32,
                refrigerated: products[(p - 1) as usize].1,
                reorder_id: format!("RO-{s}-{d}-{p}"),
            });
        }
        let planning = Ts(1_709_800_000_000_000 + d * day);
        let shipments = split_into_shipments(&allocations, CAPACITY).unwrap();
        for (seq, shipment) in shipments.iter().enumerate() {
            let refrigerated = shipment.temperature_class == TemperatureClass::Refrigerated;
            assert!(
                shipment
                    .lines
                    .iter()
                    .all(|l| products[(l.product_id - 1) as usize].1 == refrigerated)
            );
            let units = shipment.units();
            assert!((1..=CAPACITY).contains(&units), "§13 #22");
            let (truck_id, departure) = choose_truck(&trucks, planning, refrigerated).unwrap();
            let store = stores.iter().find(|s| s.0 == shipment.store_id).unwrap();
            let travel = planned_travel_minutes(haversine_miles(dc.1, dc.2, store.1, store.2));
            let mut rng = Stream::new(SEED, "shipment", &[dc.0, d, seq as i64 + 1]);
            let t = draw_shipment_timeline(planning, departure, travel, units, CAPACITY, &mut rng);
            // Loads at LOADING release the DC reservation; unloads at UNLOADING release on_order.
            for line in &shipment.lines {
                dc_ledgers
                    .get_mut(&line.product_id)
                    .unwrap()
                    .consume_reserved(line.units as i64)
                    .unwrap();
                let m = store_ledgers
                    .get_mut(&(shipment.store_id, line.product_id))
                    .unwrap()
                    .receive_on_order(line.units as i64)
                    .unwrap();
                assert!(m.balance > 0);
                shipped_units += line.units as u64;
            }
            let truck = trucks.iter_mut().find(|t| t.truck_id == truck_id).unwrap();
            assert!(truck.refrigerated || !refrigerated);
            truck.available_at = Some(t.truck_available_at);
            truck_log
                .entry(truck_id)
                .or_default()
                .push((t.loading, t.completed, travel));
        }
    }
    assert!(shipped_units > 0);
    assert!(
        truck_log.values().any(|t| t.len() >= 2),
        "trucks are reused"
    );
    // §13 #23: a truck's next LOADING ≥ previous COMPLETED + planned travel.
    for trips in truck_log.values() {
        for w in trips.windows(2) {
            assert!(w[1].0.0 >= w[0].1.plus_minutes(w[0].2).0, "{trips:?}");
        }
    }
    // §13 #15: balances and ATP never negative; nothing left reserved or on order.
    for l in store_ledgers.values().chain(dc_ledgers.values()) {
        assert!(l.on_hand >= 0 && l.atp() >= 0);
        assert_eq!(l.on_order, 0);
        assert_eq!(l.reserved, 0);
    }
}
