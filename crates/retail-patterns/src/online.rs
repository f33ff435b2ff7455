//! Online orders (data-contract §7.11): node order rates, basket trimming, quantity
//! replacement, cancellation, and the pick / ship / delivery lifecycle.
//!
//! Draw order on the `online_order(…)` stream after the basket, promotion and payment draws
//! ([`draw_cancellation`] then [`draw_lifecycle`]): cancellation Bernoulli; when cancelled
//! `U{5..60}`; otherwise pick offset `U{30..240}` (+ `U{15..60}` when moved into open hours);
//! BOPIS: `U{2..48}` h (+ `U{15..60}` when moved); ship modes: `U{60..720}`, transit days,
//! `U{0..600}`. Trimming ([`draw_trim_limit`]) and quantity replacement
//! ([`replace_large_quantity`]) run right after the basket draw, trim first then one
//! replacement per kept line in line order.

use retail_rng::Stream;
use retail_schemas::{Date, Ts};

use crate::ids::journey_enum;

journey_enum! {
    /// `fulfillment_mode` of an online order (§7.11).
    FulfillmentMode {
        /// Shipped from the serving DC.
        ShipFromDc => "SHIP_FROM_DC",
        /// Shipped from a store.
        ShipFromStore => "SHIP_FROM_STORE",
        /// Buy online, pick up in store.
        Bopis => "BOPIS",
    }
}

journey_enum! {
    /// Fulfilment node type (`node_type`).
    NodeType {
        /// A store.
        Store => "STORE",
        /// A distribution center.
        Dc => "DC",
    }
}

/// Default `online.mode_shares` (SHIP_FROM_DC .60, SHIP_FROM_STORE .30, BOPIS .10).
pub const DEFAULT_MODE_SHARES: [(FulfillmentMode, f64); 3] = [
    (FulfillmentMode::ShipFromDc, 0.60),
    (FulfillmentMode::ShipFromStore, 0.30),
    (FulfillmentMode::Bopis, 0.10),
];

/// Default `online.cancel_rate`.
pub const DEFAULT_CANCEL_RATE: f64 = 0.02;

/// N(d) = `online_orders_per_day` × clamp(month factor × online holiday multiplier, 0.5, 2.5).
pub fn network_orders_per_day(orders_per_day: f64, month_factor: f64, online_holiday: f64) -> f64 {
    orders_per_day * (month_factor * online_holiday).clamp(0.5, 2.5)
}

/// Poisson rate of a store node for one store mode: N(d) × share_m × f_s.
pub fn store_node_rate(network_orders: f64, mode_share: f64, customer_share: f64) -> f64 {
    network_orders * mode_share * customer_share
}

/// Poisson rate of a DC node: N(d) × share_SHIP_FROM_DC × Σ f_s over the stores it serves.
pub fn dc_node_rate(network_orders: f64, dc_mode_share: f64, served_customer_share: f64) -> f64 {
    network_orders * dc_mode_share * served_customer_share
}

/// Order count of a node-day: Poisson(rate) on [online_node_day(node_type, node_id, date)].
pub fn draw_order_count(rate: f64, rng: &mut Stream) -> u64 {
    rng.poisson(rate)
}

/// Online hour curve (local hours 0–23): 0–5 .3, 6–8 .5, 9–11 .6, 12–17 .8, 18–22 1.0, 23 .6.
pub const ONLINE_HOUR_WEIGHTS: [f64; 24] = [
    0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.5, 0.5, 0.5, 0.6, 0.6, 0.6, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 1.0,
    1.0, 1.0, 1.0, 1.0, 0.6,
];

/// Maximum lines of an online basket: U{1..3} (p .60), U{2..5} (.30), U{5..8} (.10).
pub fn draw_trim_limit(rng: &mut Stream) -> usize {
    let (a, b) = match rng.categorical(&[0.60, 0.30, 0.10]) {
        Some(1) => (2, 5),
        Some(2) => (5, 8),
        _ => (1, 3),
    };
    rng.range_inclusive(a, b) as usize
}

/// Quantities > 3 are replaced by 1/2/3 with p .7/.25/.05 (one `f64`); others kept (no draw).
pub fn replace_large_quantity(quantity: u32, rng: &mut Stream) -> u32 {
    if quantity <= 3 {
        return quantity;
    }
    rng.categorical(&[0.7, 0.25, 0.05]).unwrap_or(0) as u32 + 1
}

/// Online basket shaping: keeps the first [`draw_trim_limit`] lines, then replaces quantities
/// > 3 line by line ([`replace_large_quantity`]).
pub fn shape_online_basket(
    mut lines: Vec<crate::basket::BasketLine>,
    rng: &mut Stream,
) -> Vec<crate::basket::BasketLine> {
    let limit = draw_trim_limit(rng);
    lines.truncate(limit);
    for line in &mut lines {
        line.quantity = replace_large_quantity(line.quantity, rng);
    }
    lines
}

/// Cancellation (`online.cancel_rate`): `Some(cancelled_ts)` = creation + U{5..60} min.
pub fn draw_cancellation(cancel_rate: f64, created: Ts, rng: &mut Stream) -> Option<Ts> {
    if rng.bernoulli(cancel_rate) {
        Some(created.plus_minutes(rng.range_inclusive(5, 60)))
    } else {
        None
    }
}

/// Open hours of a store node, supplied by the caller (local time lives with the calendar).
pub struct StoreHours<'a> {
    /// True when the instant lies inside [open, close) of a trading day.
    pub is_open: &'a dyn Fn(Ts) -> bool,
    /// The next opening instant strictly after the given instant (skipping closure days).
    pub next_opening: &'a dyn Fn(Ts) -> Ts,
}

/// Moves an instant outside open hours to the next opening + U{15..60} min (store nodes only; no
/// draw when already open or at a DC).
pub fn move_into_open_hours(ts: Ts, hours: Option<&StoreHours<'_>>, rng: &mut Stream) -> Ts {
    match hours {
        Some(h) if !(h.is_open)(ts) => {
            (h.next_opening)(ts).plus_minutes(rng.range_inclusive(15, 60))
        }
        _ => ts,
    }
}

/// Transit days: U{1..3} from a DC, U{1..2} from a store, × 1.5 rounded half away in peak season.
pub fn draw_transit_days(node: NodeType, peak_season: bool, rng: &mut Stream) -> i64 {
    let days = match node {
        NodeType::Dc => rng.range_inclusive(1, 3),
        NodeType::Store => rng.range_inclusive(1, 2),
    };
    if peak_season {
        retail_rng::round_half_away(days as f64 * 1.5)
    } else {
        days
    }
}

/// True for Nov 20 – Dec 24 (the ×1.5 transit season).
pub fn is_peak_shipping_date(date: Date) -> bool {
    use chrono::Datelike;
    let d = date.to_naive();
    (d.month() == 11 && d.day() >= 20) || (d.month() == 12 && d.day() <= 24)
}

/// Lifecycle instants of a completed order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderLifecycle {
    /// `picked_ts`.
    pub picked_ts: Ts,
    /// `shipped_ts` (`None` for BOPIS).
    pub shipped_ts: Option<Ts>,
    /// `delivered_ts` (BOPIS: customer pick-up).
    pub delivered_ts: Ts,
}

/// §7.11 lifecycle of a non-cancelled order. `hours` is `Some` for store nodes; `peak(shipped)`
/// tells whether the shipping instant falls in Nov 20 – Dec 24 (node-local).
pub fn draw_lifecycle(
    mode: FulfillmentMode,
    node: NodeType,
    created: Ts,
    hours: Option<&StoreHours<'_>>,
    peak: impl Fn(Ts) -> bool,
    rng: &mut Stream,
) -> OrderLifecycle {
    let hours = if node == NodeType::Store { hours } else { None };
    let picked = created.plus_minutes(rng.range_inclusive(30, 240));
    let picked_ts = move_into_open_hours(picked, hours, rng);
    match mode {
        FulfillmentMode::Bopis => {
            let pickup = Ts(picked_ts.0 + rng.range_inclusive(2, 48) * Ts::MICROS_PER_HOUR);
            OrderLifecycle {
                picked_ts,
                shipped_ts: None,
                delivered_ts: move_into_open_hours(pickup, hours, rng),
            }
        }
        _ => {
            let shipped = picked_ts.plus_minutes(rng.range_inclusive(60, 720));
            let transit = draw_transit_days(node, peak(shipped), rng);
            let delivered = Ts(shipped.0 + transit * Ts::MICROS_PER_DAY)
                .plus_minutes(rng.range_inclusive(0, 600));
            OrderLifecycle {
                picked_ts,
                shipped_ts: Some(shipped),
                delivered_ts: delivered,
            }
        }
    }
}

/// `order_id` of a node: `ORD-S{store:05}-…` or `ORD-D{dc:03}-…`.
pub fn order_id(node: NodeType, node_id: i64, node_date: Date, seq: u32) -> String {
    match node {
        NodeType::Store => crate::ids::store_order_id(node_id, node_date, seq),
        NodeType::Dc => crate::ids::dc_order_id(node_id, node_date, seq),
    }
}

/// Sequence numbers of a node-day's orders: sorted by (creation instant, draw index), numbered
/// from 1. `created[i]` is the creation instant of draw index i; returns seq per draw index.
pub fn order_sequence_numbers(created: &[Ts]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..created.len()).collect();
    order.sort_by_key(|&i| (created[i], i));
    let mut seq = vec![0u32; created.len()];
    for (rank, i) in order.into_iter().enumerate() {
        seq[i] = rank as u32 + 1;
    }
    seq
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = Ts::MICROS_PER_HOUR;

    #[test]
    fn rates_clamp_and_compose() {
        assert_eq!(network_orders_per_day(100.0, 1.25, 2.5), 250.0);
        assert_eq!(network_orders_per_day(100.0, 0.85, 0.5), 50.0);
        assert!((store_node_rate(250.0, 0.3, 0.02) - 1.5).abs() < 1e-12);
        assert!((dc_node_rate(250.0, 0.6, 0.5) - 75.0).abs() < 1e-12);
        assert_eq!(ONLINE_HOUR_WEIGHTS[23], 0.6);
        assert_eq!(ONLINE_HOUR_WEIGHTS[18], 1.0);
    }

    #[test]
    fn trimming_and_quantities() {
        let mut rng = Stream::new(1, "online_order", &[]);
        let mut small = 0;
        for _ in 0..10_000 {
            let n = draw_trim_limit(&mut rng);
            assert!((1..=8).contains(&n));
            if n <= 3 {
                small += 1;
            }
            assert_eq!(replace_large_quantity(2, &mut rng), 2);
            assert!((1..=3).contains(&replace_large_quantity(5, &mut rng)));
        }
        let line = |q| crate::basket::BasketLine {
            product_id: q as i64,
            basket_category: crate::basket::BasketCategory::Food,
            quantity: q,
            multiplier: 1.0,
        };
        for _ in 0..200 {
            let shaped = shape_online_basket((1..=10).map(line).collect(), &mut rng);
            assert!((1..=8).contains(&shaped.len()));
            assert!(shaped.iter().all(|l| l.quantity <= 3));
            assert_eq!(shaped[0].product_id, 1, "the first lines are kept");
        }
        // P(limit ≤ 3) = .6 + .3 × 2/4 = .75.
        assert!((7_300..7_700).contains(&small), "{small}");
    }

    #[test]
    fn lifecycle_is_strictly_increasing_and_store_picks_are_open() {
        // Open 08:00–22:00 every day (UTC for the test).
        let is_open = |t: Ts| {
            let h = t.0.rem_euclid(Ts::MICROS_PER_DAY) / HOUR;
            (8..22).contains(&h)
        };
        let next_opening = |t: Ts| {
            let day = t.0.div_euclid(Ts::MICROS_PER_DAY) * Ts::MICROS_PER_DAY;
            let today = Ts(day + 8 * HOUR);
            if t < today {
                today
            } else {
                Ts(today.0 + Ts::MICROS_PER_DAY)
            }
        };
        let hours = StoreHours {
            is_open: &is_open,
            next_opening: &next_opening,
        };
        for i in 0..3_000 {
            let mut rng = Stream::new(2, "online_order", &[i]);
            let created = Ts(1_700_000_000_000_000 + i * 977 * 1_000_000);
            let mode = FulfillmentMode::ALL[(i % 3) as usize];
            let node = if mode == FulfillmentMode::ShipFromDc {
                NodeType::Dc
            } else {
                NodeType::Store
            };
            let l = draw_lifecycle(mode, node, created, Some(&hours), |_| i % 2 == 0, &mut rng);
            assert!(created < l.picked_ts);
            match l.shipped_ts {
                Some(s) => {
                    assert_ne!(mode, FulfillmentMode::Bopis);
                    assert!(l.picked_ts < s && s < l.delivered_ts);
                }
                None => {
                    assert_eq!(mode, FulfillmentMode::Bopis);
                    assert!(l.picked_ts < l.delivered_ts);
                    assert!(is_open(l.delivered_ts));
                }
            }
            if node == NodeType::Store {
                assert!(is_open(l.picked_ts), "{:?}", l.picked_ts);
            }
        }
    }

    #[test]
    fn transit_cancellation_ids_and_sequence() {
        let mut rng = Stream::new(3, "t", &[]);
        for _ in 0..200 {
            assert!([2, 3, 5].contains(&draw_transit_days(NodeType::Dc, true, &mut rng)));
            assert!((1..=2).contains(&draw_transit_days(NodeType::Store, false, &mut rng)));
            let c = draw_cancellation(1.0, Ts(0), &mut rng).unwrap();
            assert!((5 * 60_000_000..=60 * 60_000_000).contains(&c.0));
        }
        assert_eq!(draw_cancellation(0.0, Ts(0), &mut rng), None);
        assert!(is_peak_shipping_date(Date::from_ymd(2024, 11, 20).unwrap()));
        assert!(is_peak_shipping_date(Date::from_ymd(2024, 12, 24).unwrap()));
        assert!(!is_peak_shipping_date(
            Date::from_ymd(2024, 12, 25).unwrap()
        ));
        assert!(!is_peak_shipping_date(
            Date::from_ymd(2024, 11, 19).unwrap()
        ));
        let d = Date::from_ymd(2024, 3, 6).unwrap();
        assert_eq!(order_id(NodeType::Dc, 2, d, 42), "ORD-D002-20240306-00042");
        assert_eq!(
            order_id(NodeType::Store, 5, d, 1),
            "ORD-S00005-20240306-00001"
        );
        assert_eq!(
            order_sequence_numbers(&[Ts(5), Ts(1), Ts(5), Ts(0)]),
            vec![3, 2, 4, 1]
        );
    }
}
