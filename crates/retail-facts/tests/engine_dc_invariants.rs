//! DC-side invariants of data-contract §13 over a small-profile week: #6, #15 (DC ledgers),
//! #17, #18 (DC stockouts), #20, #21, #22, #23.
mod engine_support;

use std::collections::{BTreeMap, BTreeSet};

use engine_support::*;
use retail_facts::{FactBatch, Generator};
use retail_schemas::Ts;

const DAYS: i32 = 7;

fn week() -> (FactBatch, retail_facts::FactsContext) {
    let ctx = small_context();
    let generator = Generator::new(ctx.clone()).unwrap();
    (merged(&run(&generator, DAYS).0), ctx)
}

#[test]
fn shipments_logistics_and_dc_ledgers_hold_the_contract() {
    let (all, ctx) = week();
    let master = &ctx.master;
    let capacity = ctx.config.volume.truck_capacity as i32;

    // #6: every DC ships within the week.
    let shipping: BTreeSet<i64> = all.fact_truck_moves.iter().map(|m| m.dc_id).collect();
    let dcs: BTreeSet<i64> = master
        .distribution_centers
        .iter()
        .map(|d| d.dc_id)
        .collect();
    assert_eq!(shipping, dcs, "#6 every DC appears in fact_truck_moves");

    // #21, #22 per shipment.
    let mut moves: BTreeMap<&str, Vec<&retail_schemas::tables::FactTruckMove>> = BTreeMap::new();
    for m in &all.fact_truck_moves {
        moves.entry(&m.shipment_id).or_default().push(m);
    }
    let order = [
        "SCHEDULED",
        "LOADING",
        "IN_TRANSIT",
        "ARRIVED",
        "UNLOADING",
        "COMPLETED",
    ];
    let mut complete = BTreeSet::new();
    let mut trips: BTreeMap<i64, Vec<(Ts, Ts, i64)>> = BTreeMap::new();
    for (id, rows) in &moves {
        let mut rows = rows.clone();
        rows.sort_by_key(|r| order.iter().position(|s| *s == r.status).unwrap());
        assert!(
            rows.windows(2).all(|w| w[0].event_ts < w[1].event_ts),
            "#21 {id}"
        );
        let first = rows[0];
        assert!((1..=capacity).contains(&first.units), "#22 units {id}");
        let truck = master.truck(first.truck_id).unwrap();
        let products: Vec<i64> = all
            .fact_truck_inventory
            .iter()
            .filter(|t| t.shipment_id == *id && t.action == "LOAD")
            .map(|t| t.product_id)
            .collect();
        match first.temperature_class.as_str() {
            "REFRIGERATED" => {
                assert!(truck.refrigerated, "#22 refrigerated truck {id}");
                assert!(
                    products
                        .iter()
                        .all(|p| master.product(*p).unwrap().requires_refrigeration)
                );
            }
            "AMBIENT" => {
                assert!(
                    products
                        .iter()
                        .all(|p| !master.product(*p).unwrap().requires_refrigeration)
                );
            }
            other => panic!("temperature class {other}"),
        }
        for r in &rows {
            assert_eq!(
                r.dwell_minutes.is_some(),
                r.status == "COMPLETED",
                "#21 dwell {id}"
            );
            if r.status == "IN_TRANSIT" {
                assert_eq!(r.event_ts, r.planned_departure_ts);
            }
            if r.status == "LOADING" {
                assert_eq!(
                    r.event_ts.0,
                    r.planned_departure_ts.0 - 2 * Ts::MICROS_PER_HOUR
                );
            }
        }
        if rows.len() == 6 {
            let statuses: Vec<&str> = rows.iter().map(|r| r.status.as_str()).collect();
            assert_eq!(statuses, order, "#21 six statuses {id}");
            let dwell = (rows[5].event_ts.0 - rows[3].event_ts.0) as f64 / 60e6;
            assert!((rows[5].dwell_minutes.unwrap() - dwell).abs() < 1e-9);
            complete.insert(id.to_string());
            let travel = first.eta_ts.0 - first.planned_departure_ts.0;
            trips.entry(first.truck_id).or_default().push((
                rows[1].event_ts,
                rows[5].event_ts,
                travel,
            ));
        }
    }
    assert!(!complete.is_empty());
    // #23: a truck's trips do not overlap.
    for (truck, mut list) in trips {
        list.sort();
        for w in list.windows(2) {
            assert!(w[1].0.0 >= w[0].1.0 + w[0].2, "#23 truck {truck} overlaps");
        }
    }

    // #17: per shipment and product, OUTBOUND = LOAD = UNLOAD = INBOUND = units.
    let mut per: BTreeMap<(String, i64), [i64; 4]> = BTreeMap::new();
    for t in &all.fact_dc_inventory_txn {
        if t.txn_type == "OUTBOUND_SHIPMENT" {
            per.entry((t.reference_id.clone(), t.product_id))
                .or_default()[0] -= t.quantity as i64;
        }
    }
    for t in &all.fact_truck_inventory {
        let i = if t.action == "LOAD" { 1 } else { 2 };
        per.entry((t.shipment_id.clone(), t.product_id))
            .or_default()[i] += t.quantity as i64;
    }
    for t in &all.fact_store_inventory_txn {
        if t.txn_type == "INBOUND_SHIPMENT" {
            let id = t.reference_id.clone().unwrap();
            per.entry((id, t.product_id)).or_default()[3] += t.quantity as i64;
        }
    }
    let mut checked = 0;
    for ((shipment, product), sums) in &per {
        if !complete.contains(shipment) {
            continue;
        }
        assert!(
            sums.iter().all(|s| *s == sums[0] && *s > 0),
            "#17 {shipment} product {product}: {sums:?}"
        );
        checked += 1;
    }
    assert!(checked > 0);
    for (id, rows) in &moves {
        if !complete.contains(*id) {
            continue;
        }
        let units: i64 = per
            .iter()
            .filter(|((s, _), _)| s == id)
            .map(|(_, v)| v[1])
            .sum();
        assert_eq!(units, rows[0].units as i64, "#17 units {id}");
    }

    // #20: shipped units per reorder ≤ reorder quantity.
    let requested: BTreeMap<&str, i32> = all
        .fact_reorders
        .iter()
        .map(|r| (r.reorder_id.as_str(), r.reorder_quantity))
        .collect();
    let mut shipped: BTreeMap<&str, i32> = BTreeMap::new();
    for t in all
        .fact_truck_inventory
        .iter()
        .filter(|t| t.action == "LOAD")
    {
        *shipped.entry(&t.reorder_id).or_default() += t.quantity;
    }
    for (reorder, units) in shipped {
        assert!(units <= requested[reorder], "#20 {reorder}");
    }

    // #15 and #18 on DC ledgers.
    let mut ledgers: BTreeMap<(i64, i64), Vec<&retail_schemas::tables::FactDcInventoryTxn>> =
        BTreeMap::new();
    for t in &all.fact_dc_inventory_txn {
        ledgers.entry((t.dc_id, t.product_id)).or_default().push(t);
    }
    let stockouts: BTreeMap<&str, &retail_schemas::tables::FactStockout> = all
        .fact_stockouts
        .iter()
        .filter(|s| s.location_type == "DC")
        .map(|s| (s.txn_id.as_str(), s))
        .collect();
    let txn_ids: BTreeSet<&str> = all
        .fact_dc_inventory_txn
        .iter()
        .map(|t| t.txn_id.as_str())
        .collect();
    assert_eq!(
        txn_ids.len(),
        all.fact_dc_inventory_txn.len(),
        "#1 unique DC txn ids"
    );
    for ((dc, product), mut rows) in ledgers {
        rows.sort_by_key(|r| r.ledger_seq);
        let opening = rows[0].balance - rows[0].quantity;
        assert!(opening >= 0);
        let mut last_stockout: Option<Ts> = None;
        for (k, r) in rows.iter().enumerate() {
            assert_eq!(r.ledger_seq, k as i64 + 1, "#15 seq {dc}/{product}");
            assert!(r.balance >= 0);
            let before = if k == 0 { opening } else { rows[k - 1].balance };
            assert_eq!(r.balance, before + r.quantity, "#15 chain {dc}/{product}");
            if k > 0 {
                assert!(rows[k - 1].event_ts <= r.event_ts, "#15 time order");
            }
            let sign_ok = match r.txn_type.as_str() {
                "SUPPLIER_RECEIPT" => r.quantity > 0 && r.reference_type == "PURCHASE_ORDER",
                "OUTBOUND_SHIPMENT" => r.quantity < 0 && r.reference_type == "SHIPMENT",
                "ONLINE_PICK" => r.quantity < 0 && r.reference_type == "ORDER",
                _ => false,
            };
            assert!(sign_ok, "#16 {}", r.txn_id);
            let tz = ctx.master.dc_tz(dc).unwrap();
            assert_eq!(
                r.business_date,
                retail_patterns::localtime::local_date_of(tz, r.event_ts)
            );
            if before > 0 && r.balance == 0 {
                let suppressed = last_stockout.is_some_and(|l| r.event_ts.0 - l.0 < 86_400_000_000);
                match stockouts.get(r.txn_id.as_str()) {
                    Some(s) => {
                        assert!(!suppressed, "#18 stockout inside 24 h");
                        assert_eq!(s.last_known_quantity, -r.quantity);
                        last_stockout = Some(r.event_ts);
                    }
                    None => assert!(suppressed, "#18 missing stockout for {}", r.txn_id),
                }
            }
        }
    }
    for s in stockouts.keys() {
        assert!(txn_ids.contains(s), "#18 stockout points to a DC txn");
    }
}

#[test]
fn dc_node_orders_reserve_pick_and_pay_like_the_contract() {
    let (all, _) = week();
    let dc_orders: Vec<_> = all
        .fact_online_order_headers
        .iter()
        .filter(|o| o.node_type == "DC")
        .collect();
    assert!(!dc_orders.is_empty());
    let picks: BTreeMap<(String, i32), &retail_schemas::tables::FactDcInventoryTxn> = all
        .fact_dc_inventory_txn
        .iter()
        .filter(|t| t.txn_type == "ONLINE_PICK")
        .map(|t| {
            (
                (t.reference_id.clone(), t.reference_line_number.unwrap()),
                t,
            )
        })
        .collect();
    let last_day = all
        .fact_online_order_headers
        .iter()
        .map(|o| o.business_date)
        .max()
        .unwrap();
    for o in &dc_orders {
        assert!(
            o.order_id
                .starts_with(&format!("ORD-D{:03}-", o.dc_id.unwrap()))
        );
        assert_eq!(o.fulfillment_mode, "SHIP_FROM_DC");
        assert_eq!(o.total.0, o.subtotal.0 - o.discount.0 + o.tax.0);
        let lines: Vec<_> = all
            .fact_online_order_lines
            .iter()
            .filter(|l| l.order_id == o.order_id)
            .collect();
        assert_eq!(lines.len() as i32, o.line_count);
        let charges: Vec<_> = all
            .fact_payments
            .iter()
            .filter(|p| p.order_id.as_deref() == Some(&o.order_id) && p.payment_type == "CHARGE")
            .collect();
        let approved: Vec<_> = charges.iter().filter(|p| p.status == "APPROVED").collect();
        assert_eq!(approved.len(), 1, "#12 {}", o.order_id);
        assert_eq!(approved[0].amount, o.total);
        assert_eq!(approved[0].event_ts, o.event_ts);
        if o.order_status == "CANCELLED" {
            assert!(o.picked_ts.is_none() && o.cancelled_ts.is_some());
            assert!(lines.iter().all(|l| l.line_status == "CANCELLED"));
            assert!(
                lines
                    .iter()
                    .all(|l| !picks.contains_key(&(o.order_id.clone(), l.line_number)))
            );
        } else {
            let picked = o.picked_ts.unwrap();
            assert!(o.event_ts < picked && picked < o.shipped_ts.unwrap());
            assert!(o.shipped_ts.unwrap() < o.delivered_ts.unwrap());
            if o.business_date < last_day {
                for l in &lines {
                    let p = picks[&(o.order_id.clone(), l.line_number)];
                    assert_eq!(
                        (p.event_ts, -p.quantity, p.product_id),
                        (picked, l.quantity, l.product_id),
                        "#30"
                    );
                }
            }
        }
    }
}
