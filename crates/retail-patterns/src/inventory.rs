//! Inventory ledgers and replenishment rules (data-contract §7.9).
//!
//! A [`Ledger`] enforces the contract's two balances at every step: available-to-promise
//! ATP = on_hand − reserved ≥ 0 and on_hand ≥ 0 (§13 #15). Operations that would break them
//! return an error and leave the ledger unchanged, so the generator can never write a negative
//! balance.

use std::collections::BTreeMap;

use retail_rng::Stream;
use retail_schemas::Ts;

use crate::PatternsError;
use crate::ids::journey_enum;

journey_enum! {
    /// `location_type` of ledgers, stockouts and inventory events (stream coordinate: index).
    LocationType {
        /// A store.
        Store => "STORE",
        /// A distribution center.
        Dc => "DC",
    }
}

journey_enum! {
    /// `txn_type`, in §7.9 processing-tie order.
    TxnType {
        /// Store receipt of a shipment (+).
        InboundShipment => "INBOUND_SHIPMENT",
        /// DC receipt of a purchase order (+).
        SupplierReceipt => "SUPPLIER_RECEIPT",
        /// Customer return (+).
        Return => "RETURN",
        /// In-store sale (−).
        Sale => "SALE",
        /// Online-order pick (−).
        OnlinePick => "ONLINE_PICK",
        /// DC load onto a truck (−).
        OutboundShipment => "OUTBOUND_SHIPMENT",
        /// Damaged returned units (−).
        Damaged => "DAMAGED",
        /// Returned units sent back to the vendor (−).
        ReturnToVendor => "RETURN_TO_VENDOR",
        /// Cycle-count correction (±).
        Adjustment => "ADJUSTMENT",
    }
}

impl TxnType {
    /// Rank of the §7.9 tie order (0 first).
    pub fn processing_rank(self) -> usize {
        self.index()
    }

    /// Required sign of the quantity: +1, −1, or 0 when either sign is allowed (ADJUSTMENT).
    pub fn quantity_sign(self) -> i32 {
        match self {
            TxnType::InboundShipment | TxnType::SupplierReceipt | TxnType::Return => 1,
            TxnType::Adjustment => 0,
            _ => -1,
        }
    }
}

/// Sort key of the §7.9 processing order: event_ts, txn type rank, reference_id (NULL first),
/// reference line number (NULL first), product_id. It assigns txn_id sequences and ledger_seq.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProcessingKey {
    /// Movement instant.
    pub event_ts: Ts,
    /// [`TxnType::processing_rank`].
    pub txn_rank: usize,
    /// reference_id.
    pub reference_id: Option<String>,
    /// reference_line_number.
    pub reference_line: Option<u32>,
    /// product_id.
    pub product_id: i64,
}

impl ProcessingKey {
    /// Builds the key of a movement.
    pub fn new(
        event_ts: Ts,
        txn_type: TxnType,
        reference_id: Option<&str>,
        reference_line: Option<u32>,
        product_id: i64,
    ) -> Self {
        ProcessingKey {
            event_ts,
            txn_rank: txn_type.processing_rank(),
            reference_id: reference_id.map(str::to_string),
            reference_line,
            product_id,
        }
    }
}

/// The state of one (location, product) ledger (§7.9, §12.6 checkpoint state).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Units on hand (≥ 0).
    pub on_hand: i64,
    /// Units held for online picks, DC allocations awaiting loading, or returns awaiting
    /// disposition (0 ≤ reserved ≤ on_hand).
    pub reserved: i64,
    /// Store: allocated units not yet unloaded; DC: open purchase-order units (≥ 0).
    pub on_order: i64,
    /// Movements written so far (the last txn's ledger_seq).
    pub ledger_seq: u64,
    /// Order-up-to level.
    pub par: i64,
    /// Reorder point.
    pub reorder_point: i64,
}

/// A movement written by the ledger (one txn row).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Movement {
    /// Signed quantity (≠ 0).
    pub quantity: i64,
    /// Balance (on_hand) after the movement.
    pub balance: i64,
    /// 1-based ledger sequence of the movement.
    pub ledger_seq: u64,
    /// True when the movement took the balance from > 0 to 0 (a stockout candidate).
    pub depleted: bool,
}

fn violation(name: &'static str, value: i64, rule: &'static str) -> PatternsError {
    PatternsError::InvalidParameter {
        name,
        value: value.to_string(),
        rule,
    }
}

impl Ledger {
    /// Available-to-promise: on_hand − reserved.
    pub fn atp(&self) -> i64 {
        self.on_hand - self.reserved
    }

    /// Inventory position: on_hand − reserved + on_order.
    pub fn position(&self) -> i64 {
        self.atp() + self.on_order
    }

    fn write(&mut self, quantity: i64) -> Movement {
        let before = self.on_hand;
        self.on_hand += quantity;
        self.ledger_seq += 1;
        Movement {
            quantity,
            balance: self.on_hand,
            ledger_seq: self.ledger_seq,
            depleted: before > 0 && self.on_hand == 0,
        }
    }

    fn positive(quantity: i64) -> Result<(), PatternsError> {
        if quantity <= 0 {
            Err(violation("quantity", quantity, "must be positive"))
        } else {
            Ok(())
        }
    }

    /// SALE (−qty): only from ATP.
    pub fn sell(&mut self, quantity: i64) -> Result<Movement, PatternsError> {
        Self::positive(quantity)?;
        if quantity > self.atp() {
            return Err(violation(
                "quantity",
                quantity,
                "a sale cannot exceed available-to-promise",
            ));
        }
        Ok(self.write(-quantity))
    }

    /// Reserves units (online order, DC allocation); no movement row.
    pub fn reserve(&mut self, quantity: i64) -> Result<(), PatternsError> {
        Self::positive(quantity)?;
        if quantity > self.atp() {
            return Err(violation(
                "quantity",
                quantity,
                "a reservation cannot exceed available-to-promise",
            ));
        }
        self.reserved += quantity;
        Ok(())
    }

    /// Releases held units without moving them (cancellation, restocked return); no row.
    pub fn release(&mut self, quantity: i64) -> Result<(), PatternsError> {
        Self::positive(quantity)?;
        if quantity > self.reserved {
            return Err(violation(
                "quantity",
                quantity,
                "cannot release more than is reserved",
            ));
        }
        self.reserved -= quantity;
        Ok(())
    }

    /// ONLINE_PICK / OUTBOUND_SHIPMENT / DAMAGED / RETURN_TO_VENDOR (−qty) of held units.
    pub fn consume_reserved(&mut self, quantity: i64) -> Result<Movement, PatternsError> {
        Self::positive(quantity)?;
        if quantity > self.reserved {
            return Err(violation(
                "quantity",
                quantity,
                "only reserved units can be picked, loaded or disposed",
            ));
        }
        self.reserved -= quantity;
        Ok(self.write(-quantity))
    }

    /// RETURN (+qty): the returned units are held until their disposition.
    pub fn receive_return(&mut self, quantity: i64) -> Result<Movement, PatternsError> {
        Self::positive(quantity)?;
        self.reserved += quantity;
        Ok(self.write(quantity))
    }

    /// Adds units on order (store allocation, DC purchase order); no row.
    pub fn add_on_order(&mut self, quantity: i64) -> Result<(), PatternsError> {
        Self::positive(quantity)?;
        self.on_order += quantity;
        Ok(())
    }

    /// INBOUND_SHIPMENT / SUPPLIER_RECEIPT (+qty): units leave on_order and arrive on hand.
    pub fn receive_on_order(&mut self, quantity: i64) -> Result<Movement, PatternsError> {
        Self::positive(quantity)?;
        if quantity > self.on_order {
            return Err(violation(
                "quantity",
                quantity,
                "cannot receive more than is on order",
            ));
        }
        self.on_order -= quantity;
        Ok(self.write(quantity))
    }

    /// ADJUSTMENT: `delta` clipped to ≥ −ATP; `None` (no row) when the clipped delta is 0.
    pub fn adjust(&mut self, delta: i64) -> Option<Movement> {
        let clipped = delta.max(-self.atp());
        (clipped != 0).then(|| self.write(clipped))
    }
}

/// Initial-inventory knobs of one location type (§10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InitialInventoryParams {
    /// `*_initial_inventory_min`.
    pub par_min: i64,
    /// `*_initial_inventory_max`.
    pub par_max: i64,
    /// `*_reorder_point_min`.
    pub reorder_point_min: i64,
    /// `*_reorder_point_max`.
    pub reorder_point_max: i64,
}

/// §7.9 initial ledger on [inventory_init(location_type, location_id, product_id)]: par
/// U{min..max}; reorder point U{rop_min..min(rop_max, max(rop_min, par div k))} with k = 3 for
/// stores and 2 for DCs; on_hand = par when launched on or before the start date, else 0.
pub fn draw_initial_ledger(
    location_type: LocationType,
    params: &InitialInventoryParams,
    launched_by_start: bool,
    rng: &mut Stream,
) -> Result<Ledger, PatternsError> {
    if params.par_min < 0 || params.par_min > params.par_max {
        return Err(violation(
            "initial_inventory_min",
            params.par_min,
            "0 ≤ min ≤ max",
        ));
    }
    if params.reorder_point_min < 0 || params.reorder_point_min > params.reorder_point_max {
        return Err(violation(
            "reorder_point_min",
            params.reorder_point_min,
            "0 ≤ min ≤ max",
        ));
    }
    let par = rng.range_inclusive(params.par_min, params.par_max);
    let divisor = match location_type {
        LocationType::Store => 3,
        LocationType::Dc => 2,
    };
    let upper = params
        .reorder_point_max
        .min(params.reorder_point_min.max(par / divisor));
    let reorder_point = rng.range_inclusive(params.reorder_point_min, upper);
    Ok(Ledger {
        on_hand: if launched_by_start { par } else { 0 },
        par,
        reorder_point,
        ..Ledger::default()
    })
}

journey_enum! {
    /// `fact_reorders.priority`.
    ReorderPriority {
        /// Deficit ≥ 50 %.
        Urgent => "URGENT",
        /// Deficit ≥ 25 %.
        High => "HIGH",
        /// Otherwise (and rop = 0).
        Normal => "NORMAL",
    }
}

/// Priority by deficit % = (rop − on_hand) / rop × 100 (exact integers): ≥ 50 URGENT, ≥ 25 HIGH,
/// else NORMAL; rop = 0 → NORMAL.
pub fn reorder_priority(reorder_point: i64, on_hand: i64) -> ReorderPriority {
    if reorder_point <= 0 {
        return ReorderPriority::Normal;
    }
    let deficit_x100 = (reorder_point - on_hand) * 100;
    if deficit_x100 >= 50 * reorder_point {
        ReorderPriority::Urgent
    } else if deficit_x100 >= 25 * reorder_point {
        ReorderPriority::High
    } else {
        ReorderPriority::Normal
    }
}

/// A reorder line decided at the store's evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReorderDecision {
    /// par − position (> 0).
    pub quantity: i64,
    /// Priority.
    pub priority: ReorderPriority,
}

/// §7.9 store reorder evaluation: position ≤ reorder point → par − position units (when > 0).
pub fn evaluate_reorder(ledger: &Ledger) -> Option<ReorderDecision> {
    let position = ledger.position();
    let quantity = ledger.par - position;
    (position <= ledger.reorder_point && quantity > 0).then(|| ReorderDecision {
        quantity,
        priority: reorder_priority(ledger.reorder_point, ledger.on_hand),
    })
}

/// §7.9 DC supplier replenishment at 23:00: the same position rule gives the purchase-order units.
pub fn evaluate_purchase_order(ledger: &Ledger) -> Option<i64> {
    let position = ledger.position();
    let quantity = ledger.par - position;
    (position <= ledger.reorder_point && quantity > 0).then_some(quantity)
}

/// When a purchase order arrives: lead days and the local time of day in µs after midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PurchaseOrderArrival {
    /// U{lead_min..lead_max} days after the evaluation date.
    pub lead_days: i64,
    /// U(06:00, 18:00) local, as µs after local midnight.
    pub local_micros: i64,
}

/// Draws a purchase order's arrival on [dc_day(dc, date)]: lead days, then the time of day.
pub fn draw_purchase_order_arrival(
    lead_min: i64,
    lead_max: i64,
    rng: &mut Stream,
) -> PurchaseOrderArrival {
    let lead_days = rng.range_inclusive(lead_min, lead_max.max(lead_min));
    let six = 6 * Ts::MICROS_PER_HOUR;
    let local_micros = six + (rng.f64() * (12 * Ts::MICROS_PER_HOUR) as f64) as i64;
    PurchaseOrderArrival {
        lead_days,
        local_micros,
    }
}

/// Default `cycle_count_store_share`.
pub const DEFAULT_CYCLE_COUNT_STORE_SHARE: f64 = 0.10;

/// §7.9 cycle count of a store-day on [cycle_count(store, date)]: with p `share` the store counts
/// U{1..3} distinct products among `candidates` (launched, on_hand > 0, ascending product_id),
/// each with a delta U{−5..5} \ {0}. Draws: Bernoulli; count; one key per candidate
/// (sampling without replacement); one `U{1..10}` per counted product in key order. Returns
/// (product_id, raw delta) pairs; clip each with [`Ledger::adjust`] at the count instant.
pub fn draw_cycle_count(share: f64, candidates: &[i64], rng: &mut Stream) -> Vec<(i64, i64)> {
    if candidates.is_empty() || !rng.bernoulli(share) {
        return Vec::new();
    }
    let k = (rng.range_inclusive(1, 3) as usize).min(candidates.len());
    rng.sample_without_replacement(candidates.len(), k)
        .into_iter()
        .map(|i| {
            let r = rng.range_inclusive(1, 10);
            (candidates[i], if r <= 5 { r - 6 } else { r - 5 })
        })
        .collect()
}

/// Stockout suppression window: a new stockout is written only when none was written for the
/// same (location_type, location, product) strictly less than 86 400 s earlier.
pub const STOCKOUT_WINDOW_MICROS: i64 = 86_400 * Ts::MICROS_PER_SECOND;

/// True when a depletion at `now` is suppressed by the stockout written at `last`.
pub fn stockout_suppressed(last: Option<Ts>, now: Ts) -> bool {
    last.is_some_and(|l| now.0 - l.0 < STOCKOUT_WINDOW_MICROS)
}

/// Last written stockout per (location_type, location_id, product_id) (checkpoint state).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StockoutTracker {
    last: BTreeMap<(LocationType, i64, i64), Ts>,
}

impl StockoutTracker {
    /// Decides whether a depletion at `now` writes a stockout row, remembering it if so.
    pub fn record(
        &mut self,
        location_type: LocationType,
        location_id: i64,
        product_id: i64,
        now: Ts,
    ) -> bool {
        let key = (location_type, location_id, product_id);
        if stockout_suppressed(self.last.get(&key).copied(), now) {
            return false;
        }
        self.last.insert(key, now);
        true
    }

    /// Remembered instants in key order (for checkpoints).
    pub fn entries(&self) -> impl Iterator<Item = (&(LocationType, i64, i64), &Ts)> {
        self.last.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger(on_hand: i64, reserved: i64, on_order: i64, par: i64, rop: i64) -> Ledger {
        Ledger {
            on_hand,
            reserved,
            on_order,
            ledger_seq: 0,
            par,
            reorder_point: rop,
        }
    }

    #[test]
    fn ledger_enforces_atp_and_balance() {
        let mut l = ledger(10, 0, 0, 20, 5);
        l.reserve(4).unwrap();
        assert!(l.sell(7).is_err(), "ATP is 6");
        assert_eq!(l, ledger(10, 4, 0, 20, 5), "unchanged after an error");
        let m = l.sell(6).unwrap();
        assert_eq!(
            (m.quantity, m.balance, m.ledger_seq, m.depleted),
            (-6, 4, 1, false)
        );
        let m = l.consume_reserved(4).unwrap();
        assert_eq!((m.balance, m.ledger_seq, m.depleted), (0, 2, true));
        assert!(l.consume_reserved(1).is_err());
        assert!(l.sell(0).is_err());
        let m = l.receive_return(2).unwrap();
        assert_eq!((m.balance, l.reserved, l.atp()), (2, 2, 0));
        l.release(2).unwrap();
        assert_eq!(l.atp(), 2);
        assert!(l.receive_on_order(1).is_err());
        l.add_on_order(8).unwrap();
        assert_eq!(l.position(), 10);
        let m = l.receive_on_order(8).unwrap();
        assert_eq!((m.balance, l.on_order, m.ledger_seq), (10, 0, 4));
        l.reserve(7).unwrap();
        let m = l.adjust(-5).unwrap();
        assert_eq!((m.quantity, m.balance), (-3, 7), "clipped to −ATP");
        assert_eq!(l.adjust(-1), None, "clipped to 0: no row");
        assert!(l.atp() >= 0 && l.on_hand >= 0);
    }

    #[test]
    fn reorders_and_priorities() {
        assert_eq!(reorder_priority(10, 5), ReorderPriority::Urgent);
        assert_eq!(reorder_priority(10, 6), ReorderPriority::High);
        assert_eq!(reorder_priority(8, 6), ReorderPriority::High);
        assert_eq!(reorder_priority(8, 7), ReorderPriority::Normal);
        assert_eq!(reorder_priority(0, 0), ReorderPriority::Normal);
        let d = evaluate_reorder(&ledger(4, 1, 2, 30, 6)).unwrap();
        assert_eq!(
            d,
            ReorderDecision {
                quantity: 25,
                priority: ReorderPriority::High
            }
        );
        assert_eq!(evaluate_reorder(&ledger(4, 0, 3, 30, 6)), None);
        assert_eq!(
            evaluate_purchase_order(&ledger(100, 0, 0, 500, 100)),
            Some(400)
        );
        assert_eq!(evaluate_purchase_order(&ledger(101, 0, 0, 500, 100)), None);
    }

    #[test]
    fn initial_ledgers_follow_the_ranges() {
        let p = InitialInventoryParams {
            par_min: 20,
            par_max: 40,
            reorder_point_min: 5,
            reorder_point_max: 30,
        };
        for product in 0..500 {
            let mut rng = Stream::new(1, "inventory_init", &[0, 3, product]);
            let l =
                draw_initial_ledger(LocationType::Store, &p, product % 2 == 0, &mut rng).unwrap();
            assert!((20..=40).contains(&l.par));
            assert!(l.reorder_point >= 5 && l.reorder_point <= (l.par / 3).max(5));
            assert_eq!(l.on_hand, if product % 2 == 0 { l.par } else { 0 });
            let dc = draw_initial_ledger(LocationType::Dc, &p, true, &mut rng).unwrap();
            assert!(dc.reorder_point <= 30.min((dc.par / 2).max(5)));
        }
        let bad = InitialInventoryParams {
            par_min: 5,
            par_max: 1,
            ..p
        };
        assert!(
            draw_initial_ledger(LocationType::Dc, &bad, true, &mut Stream::new(1, "x", &[]))
                .is_err()
        );
        let arrival = draw_purchase_order_arrival(2, 5, &mut Stream::new(2, "dc_day", &[]));
        assert!((2..=5).contains(&arrival.lead_days));
        assert!(
            (6 * Ts::MICROS_PER_HOUR..18 * Ts::MICROS_PER_HOUR).contains(&arrival.local_micros)
        );
    }

    #[test]
    fn cycle_counts_pick_distinct_products_with_nonzero_deltas() {
        let candidates: Vec<i64> = (10..40).collect();
        let mut counted_days = 0;
        for day in 0..2_000 {
            let mut rng = Stream::new(1, "cycle_count", &[5, day]);
            let counts = draw_cycle_count(DEFAULT_CYCLE_COUNT_STORE_SHARE, &candidates, &mut rng);
            if counts.is_empty() {
                continue;
            }
            counted_days += 1;
            assert!((1..=3).contains(&counts.len()));
            let mut ids: Vec<i64> = counts.iter().map(|c| c.0).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), counts.len());
            assert!(counts.iter().all(|(_, d)| *d != 0 && (-5..=5).contains(d)));
        }
        assert!((160..240).contains(&counted_days), "{counted_days}");
        assert!(draw_cycle_count(1.0, &[], &mut Stream::new(1, "x", &[])).is_empty());
    }

    #[test]
    fn processing_order_and_stockout_window() {
        let t = Ts(1_000);
        let mut keys = [
            ProcessingKey::new(t, TxnType::Sale, Some("RCP-2"), Some(1), 9),
            ProcessingKey::new(t, TxnType::Sale, Some("RCP-1"), Some(2), 9),
            ProcessingKey::new(t, TxnType::InboundShipment, Some("SHP-9"), None, 5),
            ProcessingKey::new(Ts(999), TxnType::Adjustment, None, None, 1),
            ProcessingKey::new(t, TxnType::Sale, Some("RCP-1"), Some(1), 9),
        ];
        keys.sort();
        let order: Vec<(usize, Option<&str>, Option<u32>)> = keys
            .iter()
            .map(|k| (k.txn_rank, k.reference_id.as_deref(), k.reference_line))
            .collect();
        assert_eq!(
            order,
            vec![
                (8, None, None),
                (0, Some("SHP-9"), None),
                (3, Some("RCP-1"), Some(1)),
                (3, Some("RCP-1"), Some(2)),
                (3, Some("RCP-2"), Some(1)),
            ]
        );
        assert_eq!(TxnType::Damaged.quantity_sign(), -1);
        let mut tracker = StockoutTracker::default();
        let day = STOCKOUT_WINDOW_MICROS;
        assert!(tracker.record(LocationType::Store, 5, 7, Ts(0)));
        assert!(!tracker.record(LocationType::Store, 5, 7, Ts(day - 1)));
        assert!(
            tracker.record(LocationType::Dc, 5, 7, Ts(day - 1)),
            "other location type"
        );
        assert!(
            tracker.record(LocationType::Store, 5, 7, Ts(day)),
            "exactly 24 h later"
        );
    }
}
