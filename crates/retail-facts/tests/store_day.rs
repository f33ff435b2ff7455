//! The store trading day against the store-side invariants of data-contract §13 (#8–#16, #18,
//! #19, #25, #26, #29–#33), on the `small` profile over 16 days around Thanksgiving 2024.

mod store_common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use retail_facts::FactBatch;
use retail_facts::store_day::{StoreState, simulate_store_day};
use retail_patterns::calendar;
use retail_patterns::localtime;
use retail_patterns::tax::line_tax_cents;
use retail_schemas::{Date, Ts};
use store_common::*;

struct Run {
    ctx: retail_facts::FactsContext,
    days: Vec<Day>,
    all: FactBatch,
}

fn run16() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let ctx = small_context();
        let (days, _) = run(&ctx, d(2024, 11, 20), 16);
        let mut all = FactBatch::default();
        for day in &days {
            all.append(day.output.batch.clone());
        }
        Run { ctx, days, all }
    })
}

#[test]
fn every_row_carries_its_day_and_the_volumes_are_plausible() {
    let r = run16();
    for day in &r.days {
        let b = &day.output.batch;
        let dates = b
            .fact_receipts
            .iter()
            .map(|x| x.business_date)
            .chain(b.fact_receipt_lines.iter().map(|x| x.business_date))
            .chain(b.fact_payments.iter().map(|x| x.business_date))
            .chain(b.fact_store_inventory_txn.iter().map(|x| x.business_date))
            .chain(b.fact_ble_pings.iter().map(|x| x.business_date))
            .chain(b.fact_foot_traffic.iter().map(|x| x.business_date))
            .chain(b.fact_online_order_headers.iter().map(|x| x.business_date))
            .chain(b.fact_reorders.iter().map(|x| x.business_date))
            .chain(b.fact_stockouts.iter().map(|x| x.business_date))
            .chain(b.fact_store_ops.iter().map(|x| x.business_date));
        for bd in dates {
            assert_eq!(bd, day.date, "store {} day {}", day.store_id, day.date);
        }
        assert!(
            b.fact_store_inventory_txn
                .iter()
                .all(|t| t.store_id == day.store_id)
        );
        assert_eq!(day.output.reorders, b.fact_reorders);
    }
    let sales = r
        .all
        .fact_receipts
        .iter()
        .filter(|x| x.receipt_type == "SALE")
        .count();
    // 4 stores × 16 days × 60 customers/day × multipliers and open shares.
    assert!((1_000..12_000).contains(&sales), "{sales} sales");
    assert!(!r.all.fact_online_order_headers.is_empty());
    assert!(!r.all.fact_reorders.is_empty());
    assert!(
        r.all
            .fact_store_inventory_txn
            .iter()
            .any(|t| t.txn_type == "INBOUND_SHIPMENT")
    );
    let per_store_day = r.all.len() as f64 / r.days.len() as f64;
    println!(
        "rows per store-day (small): {per_store_day:.0}; {:?}",
        r.all.row_counts()
    );
}

#[test]
fn same_inputs_give_identical_batches() {
    let ctx = small_context();
    let (a, sa) = run(&ctx, d(2024, 11, 27), 3);
    let (b, sb) = run(&ctx, d(2024, 11, 27), 3);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.output.batch, y.output.batch);
    }
    // The serialised state round-trips and continues identically.
    for (s, t) in sa.iter().zip(&sb) {
        let json = serde_json::to_string(s).unwrap();
        assert_eq!(json, serde_json::to_string(t).unwrap());
        let mut restored: StoreState = serde_json::from_str(&json).unwrap();
        let mut original = s.clone();
        let date = d(2024, 11, 30);
        let o1 = simulate_store_day(&ctx, &mut original, date, &[], &retail_facts::NoAttribution)
            .unwrap();
        let o2 = simulate_store_day(&ctx, &mut restored, date, &[], &retail_facts::NoAttribution)
            .unwrap();
        assert_eq!(o1.batch, o2.batch);
    }
}

#[test]
fn money_and_promotions_hold_invariants_8_to_10() {
    let r = run16();
    let b = &r.all;
    let mut lines: BTreeMap<&str, Vec<&retail_schemas::tables::FactReceiptLine>> = BTreeMap::new();
    for l in &b.fact_receipt_lines {
        lines.entry(&l.receipt_id).or_default().push(l);
    }
    let taxability = &r.ctx.master.product_taxability;
    for rc in &b.fact_receipts {
        let ls = &lines[rc.receipt_id.as_str()];
        let rate = r.ctx.master.store(rc.store_id).unwrap().tax_rate_bps;
        assert_eq!(ls.len() as i32, rc.line_count);
        assert_eq!(ls.iter().map(|l| l.quantity).sum::<i32>(), rc.item_count);
        assert_eq!(
            ls.iter().map(|l| l.gross.cents()).sum::<i64>(),
            rc.subtotal.cents()
        );
        assert_eq!(
            ls.iter().map(|l| l.discount.cents()).sum::<i64>(),
            rc.discount.cents()
        );
        assert_eq!(
            ls.iter().map(|l| l.tax.cents()).sum::<i64>(),
            rc.tax.cents()
        );
        assert_eq!(
            rc.total.cents(),
            rc.subtotal.cents() - rc.discount.cents() + rc.tax.cents()
        );
        for (k, l) in ls.iter().enumerate() {
            assert_eq!(l.line_number, k as i32 + 1);
            assert_eq!(l.gross.cents(), l.unit_price.cents() * l.quantity as i64);
            assert_eq!(l.net.cents(), l.gross.cents() - l.discount.cents());
            let pct = taxability[(l.product_id - 1) as usize].pct();
            assert_eq!(l.tax.cents(), line_tax_cents(l.net.cents(), rate, pct));
            if rc.receipt_type == "SALE" {
                assert!(l.quantity >= 1);
                assert!(0 <= l.discount.cents() && l.discount.cents() <= l.gross.cents());
                let launch = r.ctx.master.product(l.product_id).unwrap().launch_date;
                assert!(launch <= l.business_date, "#27");
            }
        }
        if rc.receipt_type == "SALE" {
            assert!(rc.total.cents() > 0);
            assert_eq!(rc.promo_code.is_some(), rc.discount.cents() > 0);
        }
    }
    // Promotions (#10).
    let mut promo_lines: BTreeMap<&str, Vec<&retail_schemas::tables::FactPromoLine>> =
        BTreeMap::new();
    for l in &b.fact_promo_lines {
        promo_lines.entry(&l.promotion_id).or_default().push(l);
    }
    let receipts: BTreeMap<&str, &retail_schemas::tables::FactReceipt> = b
        .fact_receipts
        .iter()
        .map(|r| (r.receipt_id.as_str(), r))
        .collect();
    let mut promoted = BTreeSet::new();
    for p in &b.fact_promotions {
        let pl = &promo_lines[p.promotion_id.as_str()];
        assert_eq!(pl.len() as i32, p.line_count);
        assert_eq!(
            pl.iter().map(|l| l.discount.cents()).sum::<i64>(),
            p.discount.cents()
        );
        assert!(pl.iter().all(|l| l.promo_code == p.promo_code));
        let ids: BTreeSet<i64> = pl.iter().map(|l| l.product_id).collect();
        assert_eq!(ids.into_iter().collect::<Vec<_>>(), p.product_ids);
        if let Some(rid) = &p.receipt_id {
            let rc = receipts[rid.as_str()];
            assert_eq!(rc.receipt_type, "SALE");
            assert_eq!(rc.discount.cents(), p.discount.cents());
            assert_eq!(rc.promo_code.as_deref(), Some(p.promo_code.as_str()));
            assert!(promoted.insert(rid.clone()), "one promotion per purchase");
        }
    }
    for rc in &b.fact_receipts {
        assert_eq!(
            promoted.contains(&rc.receipt_id),
            rc.receipt_type == "SALE" && rc.discount.cents() > 0
        );
    }
}

#[test]
fn payments_hold_invariants_12_to_14() {
    let r = run16();
    let b = &r.all;
    let mut by_purchase: BTreeMap<String, Vec<&retail_schemas::tables::FactPayment>> =
        BTreeMap::new();
    for p in &b.fact_payments {
        assert_eq!(p.receipt_id.is_some(), p.order_id.is_none(), "#5");
        assert_eq!(p.status == "DECLINED", p.decline_reason.is_some());
        let key = p.receipt_id.clone().or(p.order_id.clone()).unwrap();
        by_purchase.entry(key).or_default().push(p);
    }
    for rc in &b.fact_receipts {
        let ps = &by_purchase[&rc.receipt_id];
        if rc.receipt_type == "SALE" {
            let approved: Vec<_> = ps.iter().filter(|p| p.status == "APPROVED").collect();
            assert_eq!(approved.len(), 1);
            let a = approved[0];
            assert_eq!(
                (a.payment_type.as_str(), a.amount.cents(), a.event_ts),
                ("CHARGE", rc.total.cents(), rc.event_ts)
            );
            assert_eq!(a.tender_type, rc.tender_type, "#14");
            let mut sorted = ps.clone();
            sorted.sort_by_key(|p| p.attempt_number);
            for (k, p) in sorted.iter().enumerate() {
                assert_eq!(p.attempt_number, k as i32 + 1);
                if k + 1 < sorted.len() {
                    assert_eq!(p.status, "DECLINED");
                    assert_ne!(p.tender_type, "CASH");
                    assert!(p.event_ts < sorted[k + 1].event_ts);
                }
            }
        } else {
            assert_eq!(ps.len(), 1);
            let p = ps[0];
            assert_eq!(
                (p.payment_type.as_str(), p.status.as_str()),
                ("REFUND", "APPROVED")
            );
            assert_eq!(p.amount.cents(), rc.total.cents());
            assert!(p.amount.cents() < 0);
            assert_eq!(p.event_ts, rc.event_ts);
            assert_eq!(p.tender_type, rc.tender_type);
        }
    }
    for o in &b.fact_online_order_headers {
        let ps = &by_purchase[&o.order_id];
        let charges: Vec<_> = ps
            .iter()
            .filter(|p| p.payment_type == "CHARGE" && p.status == "APPROVED")
            .collect();
        assert_eq!(charges.len(), 1);
        assert_eq!(charges[0].amount.cents(), o.total.cents());
        assert_eq!(charges[0].event_ts, o.event_ts);
        let refunds: Vec<_> = ps.iter().filter(|p| p.payment_type == "REFUND").collect();
        if o.order_status == "CANCELLED" {
            // A cancellation after the last simulated day is not written yet.
            if o.cancelled_ts.unwrap()
                < r.days.last().unwrap().output.batch.fact_foot_traffic[0].interval_start_ts
            {
                assert_eq!(refunds.len(), 1);
            }
            for f in refunds {
                assert_eq!(f.amount.cents(), -o.total.cents());
                assert_eq!(Some(f.event_ts), o.cancelled_ts);
                assert_eq!(f.payment_id, format!("PAY-{}-R", o.order_id));
            }
        } else {
            assert!(refunds.is_empty());
        }
    }
}

#[test]
fn ledgers_hold_invariants_15_16_and_18() {
    let r = run16();
    let b = &r.all;
    let mut per_product: BTreeMap<(i64, i64), Vec<&retail_schemas::tables::FactStoreInventoryTxn>> =
        BTreeMap::new();
    for day in &r.days {
        let txns = &day.output.batch.fact_store_inventory_txn;
        for (k, t) in txns.iter().enumerate() {
            assert_eq!(
                t.txn_id,
                retail_patterns::ids::store_txn_id(day.store_id, day.date, k as u32 + 1),
                "txn seq in processing order"
            );
            if k > 0 {
                assert!(txns[k - 1].event_ts <= t.event_ts, "processing order");
            }
        }
    }
    for t in &b.fact_store_inventory_txn {
        per_product
            .entry((t.store_id, t.product_id))
            .or_default()
            .push(t);
        let sign = match t.txn_type.as_str() {
            "SALE" | "ONLINE_PICK" | "DAMAGED" | "RETURN_TO_VENDOR" => -1,
            "RETURN" | "INBOUND_SHIPMENT" => 1,
            _ => 0,
        };
        assert_ne!(t.quantity, 0);
        if sign != 0 {
            assert_eq!(t.quantity.signum(), sign, "{t:?}");
        }
    }
    let stockouts: BTreeMap<&str, &retail_schemas::tables::FactStockout> = b
        .fact_stockouts
        .iter()
        .map(|s| (s.txn_id.as_str(), s))
        .collect();
    let mut last_stockout: BTreeMap<(i64, i64), Ts> = BTreeMap::new();
    for ((store, product), txns) in &per_product {
        let par = StoreState::new(&r.ctx, *store)
            .unwrap()
            .ledger(*product)
            .unwrap()
            .on_hand;
        let mut prev = txns[0].balance - txns[0].quantity;
        assert!(prev == 0 || prev as i64 == par);
        for (k, t) in txns.iter().enumerate() {
            assert_eq!(t.ledger_seq, k as i64 + 1);
            assert_eq!(t.balance, prev + t.quantity);
            assert!(t.balance >= 0);
            if k > 0 {
                assert!(txns[k - 1].event_ts <= t.event_ts);
            }
            if prev > 0 && t.balance == 0 {
                let suppressed = last_stockout
                    .get(&(*store, *product))
                    .is_some_and(|l| t.event_ts.0 - l.0 < 86_400_000_000);
                match stockouts.get(t.txn_id.as_str()) {
                    Some(s) => {
                        assert!(!suppressed);
                        assert_eq!(s.last_known_quantity, -t.quantity);
                        assert_eq!(s.event_ts, t.event_ts);
                        last_stockout.insert((*store, *product), t.event_ts);
                    }
                    None => assert!(suppressed, "missing stockout for {}", t.txn_id),
                }
            } else {
                assert!(!stockouts.contains_key(t.txn_id.as_str()));
            }
            prev = t.balance;
        }
    }
    // #16: one SALE movement per SALE line, one RETURN movement per RETURN line.
    let moves: BTreeMap<(&str, i32), &retail_schemas::tables::FactStoreInventoryTxn> = b
        .fact_store_inventory_txn
        .iter()
        .filter(|t| {
            t.reference_type == "RECEIPT" && matches!(t.txn_type.as_str(), "SALE" | "RETURN")
        })
        .map(|t| {
            (
                (
                    t.reference_id.as_deref().unwrap(),
                    t.reference_line_number.unwrap(),
                ),
                t,
            )
        })
        .collect();
    assert_eq!(moves.len(), b.fact_receipt_lines.len());
    for l in &b.fact_receipt_lines {
        let m = moves[&(l.receipt_id.as_str(), l.line_number)];
        assert_eq!(m.quantity, -l.quantity);
        assert_eq!(m.product_id, l.product_id);
        assert_eq!(m.event_ts, l.event_ts);
    }
    // #19: reorders follow the position rule.
    for ro in &b.fact_reorders {
        let position = ro.on_hand_quantity - ro.reserved_quantity + ro.on_order_quantity;
        assert!(position <= ro.reorder_point);
        assert_eq!(ro.reorder_quantity, ro.order_up_to_quantity - position);
        assert!(ro.reorder_quantity > 0);
    }
}

fn open_bounds(r: &Run, store_id: i64, date: Date) -> (Ts, Ts) {
    let s = r.ctx.master.store(store_id).unwrap();
    let tz = r.ctx.master.store_tz(store_id).unwrap();
    localtime::trading_bounds(tz, date, s.open_minute as u32, s.close_minute as u32).unwrap()
}

#[test]
fn receipts_and_sensors_lie_inside_open_hours_and_pings_match_visits() {
    let r = run16();
    let b = &r.all;
    for rc in &b.fact_receipts {
        let (open, close) = open_bounds(r, rc.store_id, rc.business_date);
        assert!(open <= rc.event_ts && rc.event_ts < close, "#25 {rc:?}");
    }
    let mut pings: BTreeMap<&str, Vec<&retail_schemas::tables::FactBlePing>> = BTreeMap::new();
    for p in &b.fact_ble_pings {
        pings.entry(&p.visit_id).or_default().push(p);
    }
    let mut changes: BTreeMap<&str, Vec<&retail_schemas::tables::FactCustomerZoneChange>> =
        BTreeMap::new();
    for z in &b.fact_customer_zone_changes {
        changes.entry(&z.visit_id).or_default().push(z);
    }
    let mut visits = 0;
    let mut identified = 0;
    for rc in b.fact_receipts.iter().filter(|r| r.receipt_type == "SALE") {
        let vid = rc.visit_id.as_deref().expect("#32 visit id");
        assert_eq!(&vid[4..], &rc.receipt_id[4..]);
        let ps = &pings[vid];
        assert!(ps.len() >= 2);
        assert_eq!(ps[0].zone, "ENTRANCE");
        assert_eq!(ps.last().unwrap().zone, "CHECKOUT");
        let (open, _) = open_bounds(r, rc.store_id, rc.business_date);
        for (k, p) in ps.iter().enumerate() {
            assert_eq!(p.ping_number, k as i32 + 1);
            assert!(p.event_ts >= open && p.event_ts <= rc.event_ts);
            assert!((-80..=-30).contains(&p.rssi));
        }
        let customer = r.ctx.master.customer(rc.customer_id).unwrap();
        visits += 1;
        if ps[0].customer_id.is_some() {
            identified += 1;
            assert!(
                ps.iter().all(|p| p.customer_ble_id == customer.ble_id
                    && p.customer_id == Some(rc.customer_id))
            );
        } else {
            assert!(ps.iter().all(|p| p.customer_ble_id.starts_with("ANON-")
                && p.customer_ble_id.len() == 21
                && p.customer_id.is_none()));
        }
        let expected: Vec<(String, String, i32)> = ps
            .windows(2)
            .filter(|w| w[0].zone != w[1].zone)
            .map(|w| (w[0].zone.clone(), w[1].zone.clone(), w[1].ping_number))
            .collect();
        let got: Vec<(String, String, i32)> = changes
            .get(vid)
            .map(|zs| {
                zs.iter()
                    .map(|z| (z.from_zone.clone(), z.to_zone.clone(), z.ping_number))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(got, expected);
    }
    let share = identified as f64 / visits as f64;
    assert!((0.2..0.4).contains(&share), "identified share {share}");
}

#[test]
fn foot_traffic_covers_open_intervals_and_counts_buyers() {
    let r = run16();
    for day in &r.days {
        let b = &day.output.batch;
        let s = r.ctx.master.store(day.store_id).unwrap();
        let tz = r.ctx.master.store_tz(day.store_id).unwrap();
        let quarters =
            localtime::quarter_hours(tz, day.date, s.open_minute as u32, s.close_minute as u32)
                .unwrap();
        assert_eq!(b.fact_foot_traffic.len(), 5 * quarters.len(), "#33");
        let mut checkout: BTreeMap<Ts, i32> = BTreeMap::new();
        let mut entrance = 0;
        for f in &b.fact_foot_traffic {
            assert_eq!(f.event_ts.0 - f.interval_start_ts.0, 15 * 60_000_000);
            assert_eq!(f.avg_dwell_seconds == 0, f.visitor_count == 0);
            if f.zone == "CHECKOUT" {
                checkout.insert(f.interval_start_ts, f.visitor_count);
            }
            if f.zone == "ENTRANCE" {
                entrance += f.visitor_count;
            }
        }
        let mut sales_per_interval: BTreeMap<Ts, i32> = BTreeMap::new();
        let mut sales = 0;
        for rc in b.fact_receipts.iter().filter(|r| r.receipt_type == "SALE") {
            let q = quarters
                .iter()
                .find(|q| q.start <= rc.event_ts && rc.event_ts < q.end)
                .unwrap();
            *sales_per_interval.entry(q.start).or_default() += 1;
            sales += 1;
        }
        for (start, n) in sales_per_interval {
            assert!(checkout[&start] >= n);
        }
        assert!(entrance >= sales);
    }
}

#[test]
fn returns_are_materialised_one_to_fourteen_days_later() {
    let r = run16();
    let b = &r.all;
    let sales: BTreeMap<&str, &retail_schemas::tables::FactReceipt> = b
        .fact_receipts
        .iter()
        .filter(|r| r.receipt_type == "SALE")
        .map(|r| (r.receipt_id.as_str(), r))
        .collect();
    let mut lines: BTreeMap<(&str, i32), &retail_schemas::tables::FactReceiptLine> =
        BTreeMap::new();
    for l in &b.fact_receipt_lines {
        lines.insert((l.receipt_id.as_str(), l.line_number), l);
    }
    let mut returns = 0;
    let mut seen = BTreeSet::new();
    for rt in b
        .fact_receipts
        .iter()
        .filter(|r| r.receipt_type == "RETURN")
    {
        returns += 1;
        let orig_id = rt.original_receipt_id.as_deref().unwrap();
        assert!(seen.insert(orig_id), "at most one return per sale");
        assert_eq!(rt.receipt_id, format!("RTN-{}", &orig_id[4..]));
        let orig = sales[orig_id];
        assert_eq!(
            (orig.store_id, orig.customer_id),
            (rt.store_id, rt.customer_id)
        );
        let lag = rt.business_date.0 - orig.business_date.0;
        assert!((1..=14).contains(&lag), "#29 lag {lag}");
        assert!(rt.visit_id.is_none() && rt.promo_code.is_none());
        assert_eq!(rt.tender_type, orig.tender_type);
        for k in 1..=rt.line_count {
            let l = lines[&(rt.receipt_id.as_str(), k)];
            let o = lines[&(orig_id, l.original_line_number.unwrap())];
            assert_eq!(
                (
                    l.quantity,
                    l.gross.cents(),
                    l.discount.cents(),
                    l.net.cents(),
                    l.tax.cents()
                ),
                (
                    -o.quantity,
                    -o.gross.cents(),
                    -o.discount.cents(),
                    -o.net.cents(),
                    -o.tax.cents()
                ),
                "#8 exact negation"
            );
            assert_eq!((l.product_id, l.unit_price), (o.product_id, o.unit_price));
        }
    }
    assert!(
        returns > 0,
        "the holiday season of the small profile has returns"
    );
    // Dispositions follow their RETURN movement.
    let returned: BTreeSet<(&str, i32)> = b
        .fact_store_inventory_txn
        .iter()
        .filter(|t| t.txn_type == "RETURN")
        .map(|t| {
            (
                t.reference_id.as_deref().unwrap(),
                t.reference_line_number.unwrap(),
            )
        })
        .collect();
    for t in b
        .fact_store_inventory_txn
        .iter()
        .filter(|t| matches!(t.txn_type.as_str(), "DAMAGED" | "RETURN_TO_VENDOR"))
    {
        assert!(returned.contains(&(
            t.reference_id.as_deref().unwrap(),
            t.reference_line_number.unwrap()
        )));
    }
}

#[test]
fn store_node_orders_follow_their_lifecycle() {
    let r = run16();
    let b = &r.all;
    let last_day = r.days.iter().map(|d| d.date).max().unwrap();
    let picks: BTreeMap<(&str, i32), &retail_schemas::tables::FactStoreInventoryTxn> = b
        .fact_store_inventory_txn
        .iter()
        .filter(|t| t.txn_type == "ONLINE_PICK")
        .map(|t| {
            (
                (
                    t.reference_id.as_deref().unwrap(),
                    t.reference_line_number.unwrap(),
                ),
                t,
            )
        })
        .collect();
    let mut lines: BTreeMap<&str, Vec<&retail_schemas::tables::FactOnlineOrderLine>> =
        BTreeMap::new();
    for l in &b.fact_online_order_lines {
        lines.entry(&l.order_id).or_default().push(l);
    }
    let mut seqs: BTreeMap<(i64, Date), Vec<(Ts, u32)>> = BTreeMap::new();
    for o in &b.fact_online_order_headers {
        let store = o.store_id.unwrap();
        assert_eq!(o.node_type, "STORE");
        assert!(o.dc_id.is_none());
        let seq: u32 = o.order_id[20..].parse().unwrap();
        seqs.entry((store, o.business_date))
            .or_default()
            .push((o.event_ts, seq));
        let ls = &lines[o.order_id.as_str()];
        assert!((1..=8).contains(&ls.len()));
        assert!(ls.iter().all(|l| (1..=3).contains(&l.quantity)));
        let tz = r.ctx.master.store_tz(store).unwrap();
        let s = r.ctx.master.store(store).unwrap();
        let open = |ts: Ts| {
            let date = localtime::local_date_of(tz, ts);
            let (a, z) =
                localtime::trading_bounds(tz, date, s.open_minute as u32, s.close_minute as u32)
                    .unwrap();
            date.to_naive().format("%m-%d").to_string() != "12-25" && a <= ts && ts < z
        };
        if o.order_status == "CANCELLED" {
            assert!(o.cancelled_ts.is_some());
            assert!(o.picked_ts.is_none() && o.shipped_ts.is_none() && o.delivered_ts.is_none());
            assert!(ls.iter().all(|l| l.line_status == "CANCELLED"));
            assert!(
                ls.iter()
                    .all(|l| !picks.contains_key(&(l.order_id.as_str(), l.line_number)))
            );
        } else {
            let picked = o.picked_ts.unwrap();
            assert!(o.event_ts < picked);
            assert!(open(picked), "#31 pick inside open hours");
            match o.fulfillment_mode.as_str() {
                "BOPIS" => {
                    assert!(o.shipped_ts.is_none());
                    assert!(picked < o.delivered_ts.unwrap());
                    assert!(
                        open(o.delivered_ts.unwrap()),
                        "#31 pick-up inside open hours"
                    );
                }
                "SHIP_FROM_STORE" => {
                    let shipped = o.shipped_ts.unwrap();
                    assert!(picked < shipped && shipped < o.delivered_ts.unwrap());
                }
                m => panic!("unexpected mode {m}"),
            }
            if localtime::local_date_of(tz, picked) <= last_day {
                for l in ls {
                    let p = picks[&(l.order_id.as_str(), l.line_number)];
                    assert_eq!(
                        (p.event_ts, p.quantity, p.product_id),
                        (picked, -l.quantity, l.product_id)
                    );
                }
            }
        }
    }
    for ((_, _), mut v) in seqs {
        v.sort();
        for (k, (_, seq)) in v.iter().enumerate() {
            assert_eq!(*seq, k as u32 + 1, "order seq in creation order");
        }
    }
}

#[test]
fn no_trading_on_christmas_day_and_store_ops_alternate() {
    let ctx = small_context();
    let (days, _) = run(&ctx, d(2024, 12, 23), 4);
    let christmas = d(2024, 12, 25);
    assert!(calendar::is_closed(
        christmas,
        &calendar::parse_closed_holidays(&["christmas_day"]).unwrap()
    ));
    for day in &days {
        let b = &day.output.batch;
        if day.date == christmas {
            assert!(b.fact_receipts.is_empty());
            assert!(b.fact_foot_traffic.is_empty());
            assert!(b.fact_reorders.is_empty());
            assert!(b.fact_ble_pings.is_empty());
            assert!(
                b.fact_store_inventory_txn
                    .iter()
                    .all(|t| t.txn_type != "SALE")
            );
        } else {
            assert!(
                !b.fact_receipts.is_empty(),
                "{} trades on {}",
                day.store_id,
                day.date
            );
        }
    }
    // #26: per store the operations alternate in time and every sale lies inside a window.
    for store in &ctx.master.stores {
        let mut ops: Vec<_> = days
            .iter()
            .filter(|d| d.store_id == store.store_id)
            .flat_map(|d| d.output.batch.fact_store_ops.iter())
            .collect();
        ops.sort_by_key(|o| o.event_ts);
        for w in ops.windows(2) {
            assert_ne!(w[0].operation_type, w[1].operation_type);
        }
        if store.open_minute != 0 {
            assert_eq!(ops.len(), 6, "3 trading days × OPENED/CLOSED");
        }
    }
}

#[test]
fn movements_follow_the_processing_order_and_inbound_fills_the_deliveries() {
    use retail_patterns::inventory::TxnType;
    let r = run16();
    let mut inbound_days = 0;
    for day in &r.days {
        let txns = &day.output.batch.fact_store_inventory_txn;
        let key = |t: &retail_schemas::tables::FactStoreInventoryTxn| {
            (
                t.event_ts,
                TxnType::parse(&t.txn_type).unwrap().processing_rank(),
                t.reference_id.clone(),
                t.reference_line_number,
                t.product_id,
            )
        };
        for w in txns.windows(2) {
            assert!(
                key(&w[0]) <= key(&w[1]),
                "§7.9 order: {:?} then {:?}",
                w[0],
                w[1]
            );
        }
        for delivery in &day.planned {
            inbound_days += 1;
            let rows: Vec<_> = txns
                .iter()
                .filter(|t| t.reference_id.as_deref() == Some(delivery.shipment_id.as_str()))
                .collect();
            assert_eq!(rows.len(), delivery.lines.len());
            for (row, line) in rows.iter().zip(&delivery.lines) {
                assert_eq!(row.txn_type, "INBOUND_SHIPMENT");
                assert_eq!(row.reference_type, "SHIPMENT");
                assert_eq!(row.reference_line_number, None);
                assert_eq!(
                    (row.product_id, row.quantity),
                    (line.product_id, line.quantity)
                );
                assert_eq!(row.event_ts, delivery.unloading_ts);
            }
        }
    }
    assert!(inbound_days > 10);
}

#[test]
fn a_round_the_clock_store_closes_only_around_christmas() {
    let small = small_context();
    let mut master = (*small.master).clone();
    master.stores[0].open_minute = 0;
    master.stores[0].close_minute = 1440;
    let ctx = retail_facts::FactsContext::new(
        std::sync::Arc::new(master),
        std::sync::Arc::new(retail_config::Profile::Small.config()),
    );
    let tz = ctx.master.store_tz(1).unwrap();
    let mut state = StoreState::new(&ctx, 1).unwrap();
    let mut ops = Vec::new();
    for day in [d(2024, 12, 24), d(2024, 12, 25), d(2024, 12, 26)] {
        let out =
            simulate_store_day(&ctx, &mut state, day, &[], &retail_facts::NoAttribution).unwrap();
        let (midnight, next_midnight) = localtime::local_day_bounds(tz, day);
        match day.0 - d(2024, 12, 24).0 {
            0 => {
                assert!(out.batch.fact_store_ops.is_empty());
                let eleven = localtime::local_to_utc(tz, day, 23 * 60).unwrap();
                assert!(!out.reorders.is_empty());
                assert!(
                    out.reorders.iter().all(|r| r.event_ts == eleven),
                    "#19 23:00"
                );
                assert_eq!(out.batch.fact_foot_traffic.len(), 5 * 96);
                assert!(
                    out.batch
                        .fact_receipts
                        .iter()
                        .all(|r| midnight <= r.event_ts && r.event_ts < next_midnight)
                );
            }
            1 => {
                assert!(out.batch.fact_receipts.is_empty());
                assert!(out.reorders.is_empty());
                assert_eq!(out.batch.fact_store_ops.len(), 1);
                let op = &out.batch.fact_store_ops[0];
                assert_eq!(
                    (op.operation_type.as_str(), op.reason.as_str(), op.event_ts),
                    ("CLOSED", "HOLIDAY_CLOSURE", midnight)
                );
            }
            _ => {
                assert!(!out.batch.fact_receipts.is_empty());
                let op = &out.batch.fact_store_ops[0];
                assert_eq!(
                    (op.operation_type.as_str(), op.reason.as_str(), op.event_ts),
                    ("OPENED", "HOLIDAY_CLOSURE", midnight)
                );
                assert_eq!(op.business_date, day);
            }
        }
        ops.extend(out.batch.fact_store_ops);
    }
    assert_eq!(ops.len(), 2);
}
