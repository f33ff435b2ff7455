//! One store's trading day (phase 2 of data-contract §12.4).
//!
//! Public signatures (stable; the engine calls them): [`StoreState::new`]`(ctx, store_id)`,
//! [`simulate_store_day`]`(ctx, state, date, planned, attribution)` and [`StoreDayOutput`]. The
//! per-run precomputed models (catalog, draw indexes, customer choosers, knobs) live in
//! [`crate::store::StoreModels`], built lazily and cached per context — no extra parameter.
//!
//! The day is an event-driven simulation over an agenda ordered by the §7.9 processing order
//! (event_ts, txn type rank, reference id, reference line, product). Visits, online-order
//! creations, the cycle count and the reorder evaluation are agenda events too, so every ATP
//! read (basket capping, reservations) sees exactly the movements that precede it. Events
//! dated after the day (unloads, picks, dispositions, cancellations, returns) stay in the
//! [`StoreState`] and are written on their own day, so every row of a day's batch carries
//! business_date = that day.

use std::collections::BTreeMap;
use std::sync::Arc;

use retail_patterns::basket::{Basket, BasketRequest, DrawIndex, draw_basket};
use retail_patterns::calendar::{self, is_closed};
use retail_patterns::demand::{self, OnlineDayCurve};
use retail_patterns::ids;
use retail_patterns::inventory::{
    Ledger, LocationType, Movement, TxnType, draw_cycle_count, draw_initial_ledger,
    evaluate_reorder, stockout_suppressed,
};
use retail_patterns::localtime::{self, HourSlot, QuarterHour};
use retail_patterns::online::{
    FulfillmentMode, NodeType, StoreHours, draw_cancellation, draw_lifecycle, draw_order_count,
    is_peak_shipping_date, network_orders_per_day, shape_online_basket, store_node_rate,
};
use retail_patterns::payment::{Channel, PaymentAttempt, TenderType, draw_charge_attempts};
use retail_patterns::promotion::{AppliedPromotion, PricedLine, draw_promotion};
use retail_patterns::returns::{Disposition, ReturnPlan, ReturnableLine, draw_return_plan};
use retail_patterns::sensors::{
    IntervalInput, VisitSensorInput, Zone, anon_ble_id, draw_foot_traffic, draw_visit_trace,
};
use retail_patterns::tax::{LineMoney, PurchaseTotals};
use retail_rng::Stream;
use retail_schemas::tables::*;
use retail_schemas::{Date, Money, Ts};
use serde::{Deserialize, Serialize};

use crate::store::{StoreModel, StoreModels};
use crate::world::LedgerDef;
use crate::{Attribution, FactBatch, FactsContext, FactsError, InboundDelivery};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct LedgerCell(#[serde(with = "LedgerDef")] Ledger);

/// §7.9 processing-order key of an agenda entry; `line` 0 stands for a NULL reference line and
/// an empty `reference` for a NULL reference id. `uid` only makes keys unique.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
struct AgendaKey {
    ts: Ts,
    rank: u8,
    reference: String,
    line: u32,
    product: i64,
    uid: u64,
}

/// Ranks of non-movement events: after every movement type at the same instant.
const RANK_RESTOCK: u8 = 9;
const RANK_ORDER: u8 = 10;
const RANK_REORDER: u8 = 11;

fn movement_rank(t: TxnType) -> u8 {
    t.processing_rank() as u8
}

/// One line of a queued return.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct ReturnLine {
    original_line: u32,
    product_id: i64,
    quantity: i64,
    unit_price_cents: i64,
    gross_cents: i64,
    discount_cents: i64,
    net_cents: i64,
    tax_cents: i64,
    promo_code: Option<String>,
    /// Index in [`Disposition::ALL`].
    disposition: u8,
}

/// A return decided at checkout, materialised on `return_date`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct PendingReturn {
    sale_receipt_id: String,
    return_date: Date,
    customer_id: i64,
    tender: String,
    refund_processing_ms: u32,
    instant_draws: (f64, f64),
    lines: Vec<ReturnLine>,
}

/// A cancelled store-node order waiting for its cancellation instant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct CancelledOrder {
    order_id: String,
    customer_id: i64,
    total_cents: i64,
    tender: String,
    refund_processing_ms: u32,
    /// (product_id, reserved units).
    lines: Vec<(i64, i64)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum AgendaEvent {
    Inbound {
        shipment_id: String,
        product_id: i64,
        quantity: i64,
    },
    Return(Box<PendingReturn>),
    Disposition {
        receipt_id: String,
        line: u32,
        product_id: i64,
        quantity: i64,
        disposition: u8,
    },
    OnlinePick {
        order_id: String,
        line: u32,
        product_id: i64,
        quantity: i64,
    },
    Cancel(Box<CancelledOrder>),
    // Day-local events (always processed on the day that scheduled them).
    Visit {
        index: u32,
    },
    OrderCreate {
        index: u32,
    },
    CycleCount,
    ReorderEval,
}

mod agenda_pairs {
    use super::{AgendaEvent, AgendaKey};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(
        map: &BTreeMap<AgendaKey, AgendaEvent>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let pairs: Vec<(&AgendaKey, &AgendaEvent)> = map.iter().collect();
        pairs.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<AgendaKey, AgendaEvent>, D::Error> {
        let pairs: Vec<(AgendaKey, AgendaEvent)> = Vec::deserialize(d)?;
        Ok(pairs.into_iter().collect())
    }
}

/// Everything a store carries from one day to the next (ledgers, queues, counters).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoreState {
    /// The store.
    pub store_id: i64,
    /// One ledger per product (index product_id − 1).
    ledgers: Vec<LedgerCell>,
    /// Last stockout instant per product (24 h suppression).
    last_stockout: Vec<Option<Ts>>,
    /// Future movements and events in processing order.
    #[serde(with = "agenda_pairs")]
    agenda: BTreeMap<AgendaKey, AgendaEvent>,
    /// Returns decided at checkout, waiting for their day.
    pending_returns: Vec<PendingReturn>,
    /// Unique suffix of agenda keys.
    next_uid: u64,
}

impl StoreState {
    /// The state at the dataset start (initial ledgers).
    pub fn new(ctx: &FactsContext, store_id: i64) -> Result<Self, FactsError> {
        let models = StoreModels::for_context(ctx)?;
        models.store(store_id)?;
        let mut ledgers = Vec::with_capacity(models.launch_date.len());
        for (i, launch) in models.launch_date.iter().enumerate() {
            let product_id = i as i64 + 1;
            let mut rng = Stream::new(
                ctx.seed,
                "inventory_init",
                &[LocationType::Store.index() as i64, store_id, product_id],
            );
            let ledger = draw_initial_ledger(
                LocationType::Store,
                &models.inventory,
                *launch <= ctx.dataset_start,
                &mut rng,
            )?;
            ledgers.push(LedgerCell(ledger));
        }
        Ok(Self {
            store_id,
            last_stockout: vec![None; ledgers.len()],
            ledgers,
            agenda: BTreeMap::new(),
            pending_returns: Vec::new(),
            next_uid: 0,
        })
    }

    /// The ledger of a product.
    pub fn ledger(&self, product_id: i64) -> Option<&Ledger> {
        usize::try_from(product_id - 1)
            .ok()
            .and_then(|i| self.ledgers.get(i))
            .map(|c| &c.0)
    }

    /// Scheduled future events (unloads, picks, dispositions, cancellations, due returns).
    pub fn pending_event_count(&self) -> usize {
        self.agenda.len()
    }

    /// Returns decided at checkout and not yet materialised.
    pub fn pending_return_count(&self) -> usize {
        self.pending_returns.len()
    }

    fn schedule(
        &mut self,
        ts: Ts,
        rank: u8,
        reference: &str,
        line: u32,
        product: i64,
        event: AgendaEvent,
    ) {
        self.next_uid += 1;
        let key = AgendaKey {
            ts,
            rank,
            reference: reference.to_string(),
            line,
            product,
            uid: self.next_uid,
        };
        self.agenda.insert(key, event);
    }
}

/// What a store day produces.
#[derive(Clone, Debug, Default)]
pub struct StoreDayOutput {
    /// All rows written by the store on this day (every row has business_date = the day).
    pub batch: FactBatch,
    /// The reorders evaluated at close (also in `batch`), handed to the DC's planning.
    pub reorders: Vec<FactReorder>,
}

/// A checkout of the day (visit `i` of hour slot `slot`).
struct VisitPlan {
    ts: Ts,
    slot: u32,
    i: u32,
}

/// A store-node online order of the day, its stream positioned after customer and instant.
struct OrderPlan {
    rng: Stream,
    customer_id: i64,
    mode: FulfillmentMode,
    created: Ts,
}

fn money(cents: i64) -> Money {
    Money(cents)
}

fn as_i32(v: i64) -> i32 {
    v.clamp(i32::MIN as i64, i32::MAX as i64) as i32
}

fn month_of(date: Date) -> u32 {
    date.yyyymmdd() / 100 % 100
}

/// Priced lines, the applied promotion and the line money of one purchase.
type PricedPurchase = (Vec<PricedLine>, Option<AppliedPromotion>, Vec<LineMoney>);

/// Open-hours rules of a store (§7.11 pick moves).
struct Hours<'a> {
    tz: chrono_tz::Tz,
    open: u32,
    close: u32,
    closed: &'a [calendar::HolidayKey],
}

impl Hours<'_> {
    fn bounds(&self, date: Date) -> Option<(Ts, Ts)> {
        localtime::trading_bounds(self.tz, date, self.open, self.close).ok()
    }

    fn is_open(&self, ts: Ts) -> bool {
        let date = localtime::local_date_of(self.tz, ts);
        if is_closed(date, self.closed) {
            return false;
        }
        self.bounds(date)
            .is_some_and(|(open, close)| open <= ts && ts < close)
    }

    fn next_opening(&self, ts: Ts) -> Ts {
        let mut date = localtime::local_date_of(self.tz, ts);
        for _ in 0..400 {
            if !is_closed(date, self.closed)
                && let Some((open, _)) = self.bounds(date)
                && open > ts
            {
                return open;
            }
            date = date.succ();
        }
        ts
    }
}

/// Everything one store-day run works with.
struct DayRun<'a> {
    ctx: &'a FactsContext,
    models: &'a StoreModels,
    sm: &'a StoreModel,
    state: &'a mut StoreState,
    attribution: &'a dyn Attribution,
    date: Date,
    store_id: i64,
    hours: Hours<'a>,
    index: Arc<DrawIndex>,
    opening: Ts,
    month: u32,
    return_holiday_window: bool,
    visits: Vec<VisitPlan>,
    orders: Vec<Option<OrderPlan>>,
    intervals: Vec<QuarterHour>,
    buyer_counts: Vec<[u32; 5]>,
    empty_visits: Vec<u32>,
    txn_seq: u32,
    receipt_seq: u32,
    order_seq: u32,
    batch: FactBatch,
    reorders: Vec<FactReorder>,
}

impl DayRun<'_> {
    fn ledger(&mut self, product_id: i64) -> Result<&mut Ledger, FactsError> {
        usize::try_from(product_id - 1)
            .ok()
            .and_then(|i| self.state.ledgers.get_mut(i))
            .map(|c| &mut c.0)
            .ok_or_else(|| FactsError::Master(format!("unknown product {product_id}")))
    }

    #[allow(clippy::too_many_arguments)]
    fn write_movement(
        &mut self,
        ts: Ts,
        product_id: i64,
        txn_type: TxnType,
        mv: Movement,
        reference_type: &'static str,
        reference_id: Option<&str>,
        line: Option<u32>,
    ) {
        self.txn_seq += 1;
        let txn_id = ids::store_txn_id(self.store_id, self.date, self.txn_seq);
        if mv.depleted {
            let slot = &mut self.state.last_stockout[(product_id - 1) as usize];
            if !stockout_suppressed(*slot, ts) {
                *slot = Some(ts);
                self.batch.fact_stockouts.push(FactStockout {
                    stockout_id: ids::stockout_id(&txn_id),
                    event_ts: ts,
                    business_date: self.date,
                    location_type: LocationType::Store.as_str().to_string(),
                    store_id: Some(self.store_id),
                    dc_id: None,
                    product_id,
                    last_known_quantity: as_i32(-mv.quantity),
                    txn_id: txn_id.clone(),
                });
            }
        }
        self.batch
            .fact_store_inventory_txn
            .push(FactStoreInventoryTxn {
                txn_id,
                event_ts: ts,
                business_date: self.date,
                store_id: self.store_id,
                product_id,
                ledger_seq: mv.ledger_seq as i64,
                txn_type: txn_type.as_str().to_string(),
                quantity: as_i32(mv.quantity),
                balance: as_i32(mv.balance),
                reference_type: reference_type.to_string(),
                reference_id: reference_id.map(str::to_string),
                reference_line_number: line.map(|l| l as i32),
            });
    }

    fn interval_of(&self, ts: Ts) -> Option<usize> {
        let k = self.intervals.partition_point(|q| q.start <= ts);
        (k > 0 && ts < self.intervals[k - 1].end).then(|| k - 1)
    }

    /// A purchase's `fact_payments` rows (one per charge attempt), then the rows of its applied
    /// promotion if any; `purchase_id` is the receipt id in store, the order id online.
    fn settlement_rows(
        &mut self,
        channel: Channel,
        purchase_id: &str,
        ts: Ts,
        customer_id: i64,
        attempts: &[PaymentAttempt],
        promo: Option<&AppliedPromotion>,
    ) {
        for a in attempts {
            let payment_id = ids::payment_id(purchase_id, a.attempt_number);
            let row = self.payment_row(payment_id, a, channel, purchase_id, customer_id);
            self.batch.fact_payments.push(row);
        }
        if let Some(p) = promo {
            self.promotion_rows(p, channel, purchase_id, ts, customer_id);
        }
    }

    /// A basket drawn for `request`, each line capped by the product's available-to-promise
    /// stock in this store.
    fn draw_stocked_basket(&self, request: &BasketRequest, rng: &mut Stream) -> Basket {
        let ledgers = &self.state.ledgers;
        draw_basket(&self.index, request, rng, |pid| {
            ledgers
                .get((pid - 1) as usize)
                .map_or(0, |c| c.0.atp().clamp(0, u32::MAX as i64) as u32)
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn payment_row(
        &self,
        payment_id: String,
        a: &PaymentAttempt,
        channel: Channel,
        purchase_id: &str,
        customer_id: i64,
    ) -> FactPayment {
        let store = channel == Channel::Store;
        FactPayment {
            payment_id,
            event_ts: a.event_ts,
            business_date: self.date,
            channel: channel.as_str().to_string(),
            receipt_id: store.then(|| purchase_id.to_string()),
            order_id: (!store).then(|| purchase_id.to_string()),
            store_id: Some(self.store_id),
            dc_id: None,
            customer_id,
            payment_type: a.payment_type.as_str().to_string(),
            attempt_number: a.attempt_number as i32,
            tender_type: a.tender.as_str().to_string(),
            amount: money(a.amount_cents),
            status: a.status.as_str().to_string(),
            decline_reason: a.decline_reason.map(|r| r.as_str().to_string()),
            processing_time_ms: a.processing_time_ms as i32,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn promotion_rows(
        &mut self,
        promo: &AppliedPromotion,
        channel: Channel,
        purchase_id: &str,
        ts: Ts,
        customer_id: i64,
    ) {
        let store = channel == Channel::Store;
        let promotion_id = ids::promotion_id(purchase_id, promo.code.code);
        for l in &promo.lines {
            self.batch.fact_promo_lines.push(FactPromoLine {
                promotion_id: promotion_id.clone(),
                line_number: l.line_number as i32,
                event_ts: ts,
                business_date: self.date,
                channel: channel.as_str().to_string(),
                receipt_id: store.then(|| purchase_id.to_string()),
                order_id: (!store).then(|| purchase_id.to_string()),
                product_id: l.product_id,
                promo_code: promo.code.code.to_string(),
                quantity: as_i32(l.quantity),
                gross: money(l.gross_cents),
                discount: money(l.discount_cents),
            });
        }
        self.batch.fact_promotions.push(FactPromotion {
            promotion_id,
            event_ts: ts,
            business_date: self.date,
            channel: channel.as_str().to_string(),
            receipt_id: store.then(|| purchase_id.to_string()),
            order_id: (!store).then(|| purchase_id.to_string()),
            store_id: Some(self.store_id),
            dc_id: None,
            customer_id,
            promo_code: promo.code.code.to_string(),
            discount_type: promo.code.discount_type.as_str().to_string(),
            discount_pct: promo.code.pct as i32,
            line_count: promo.lines.len() as i32,
            product_ids: promo.product_ids.clone(),
            discount: money(promo.discount_cents),
        });
    }

    /// Prices, promotes and taxes basket lines (§7.5–§7.7).
    fn price_lines(
        &self,
        lines: &[retail_patterns::basket::BasketLine],
        segment: retail_patterns::basket::ShopperSegment,
        rng: &mut Stream,
    ) -> Result<PricedPurchase, FactsError> {
        let priced: Vec<PricedLine> = lines
            .iter()
            .enumerate()
            .map(|(k, l)| PricedLine {
                line_number: k as u32 + 1,
                product_id: l.product_id,
                basket_category: l.basket_category,
                quantity: l.quantity as i64,
                unit_price_cents: self.models.unit_price_cents[(l.product_id - 1) as usize],
            })
            .collect();
        let promo = draw_promotion(segment, self.month, &priced, rng);
        let mut money_lines = Vec::with_capacity(priced.len());
        for l in &priced {
            let discount = promo.as_ref().map_or(0, |p| p.discount_of(l.line_number));
            money_lines.push(LineMoney::sale(
                l.unit_price_cents,
                l.quantity,
                discount,
                self.sm.tax_rate_bps,
                self.models.taxability_pct[(l.product_id - 1) as usize],
            )?);
        }
        Ok((priced, promo, money_lines))
    }

    fn visit(&mut self, index: usize) -> Result<(), FactsError> {
        let (ts, slot, i) = {
            let v = &self.visits[index];
            (v.ts, v.slot, v.i)
        };
        let mut rng = Stream::new(
            self.ctx.seed,
            "visit",
            &[self.store_id, self.date.0 as i64, slot as i64, i as i64],
        );
        let Some(customer_id) = self.sm.chooser.draw(&mut rng) else {
            self.count_browser(ts);
            return Ok(());
        };
        let segment = self.models.customer_segments[(customer_id - 1) as usize];
        let request = BasketRequest {
            segment,
            format: Some(self.sm.format),
            date: self.date,
        };
        let basket = self.draw_stocked_basket(&request, &mut rng);
        if basket.lines.is_empty() {
            self.count_browser(ts);
            return Ok(());
        }
        self.receipt_seq += 1;
        let seq = self.receipt_seq;
        let receipt_id = ids::sale_receipt_id(self.store_id, self.date, seq);
        let visit_id = ids::visit_id(self.store_id, self.date, seq);
        let (priced, promo, money_lines) = self.price_lines(&basket.lines, segment, &mut rng)?;
        let totals = PurchaseTotals::of(&money_lines);
        let attempts = draw_charge_attempts(Channel::Store, totals.total_cents, ts, &mut rng);
        let tender = attempts
            .last()
            .map(|a| a.tender)
            .unwrap_or(TenderType::Cash);
        let returnable: Vec<ReturnableLine> = priced
            .iter()
            .zip(&money_lines)
            .map(|(l, m)| ReturnableLine {
                line_number: l.line_number,
                net_cents: m.net_cents,
                basket_category: l.basket_category,
            })
            .collect();
        let plan = draw_return_plan(
            &self.models.returns,
            self.return_holiday_window,
            &returnable,
            &mut rng,
        );
        // The refund's processing time is drawn right after the return decision (decided).
        let refund_ms = plan.as_ref().map(|_| tender.draw_processing_ms(&mut rng));
        let customer = self
            .ctx
            .master
            .customer(customer_id)
            .ok_or_else(|| FactsError::Master(format!("unknown customer {customer_id}")))?;
        let trace = draw_visit_trace(
            &VisitSensorInput {
                format: self.sm.format,
                daily_traffic_multiplier: self.sm.traffic_multiplier,
                checkout: ts,
                opening: self.opening,
                has_mobile_app: customer.has_mobile_app,
            },
            &mut rng,
        );
        let attribution = self.attribution.last_touch(customer_id, ts);
        let promo_code = promo.as_ref().map(|p| p.code.code.to_string());

        // Receipt, lines, SALE movements.
        self.batch.fact_receipts.push(FactReceipt {
            receipt_id: receipt_id.clone(),
            event_ts: ts,
            business_date: self.date,
            store_id: self.store_id,
            customer_id,
            visit_id: Some(visit_id.clone()),
            receipt_type: "SALE".to_string(),
            original_receipt_id: None,
            line_count: priced.len() as i32,
            item_count: as_i32(priced.iter().map(|l| l.quantity).sum()),
            subtotal: money(totals.subtotal_cents),
            discount: money(totals.discount_cents),
            tax: money(totals.tax_cents),
            total: money(totals.total_cents),
            tender_type: tender.as_str().to_string(),
            promo_code: promo_code.clone(),
            attributed_impression_id: attribution.as_ref().map(|a| a.0.clone()),
            attributed_campaign_id: attribution.map(|a| a.1),
        });
        for (l, m) in priced.iter().zip(&money_lines) {
            let line_promo = (m.discount_cents > 0).then(|| promo_code.clone()).flatten();
            self.batch.fact_receipt_lines.push(FactReceiptLine {
                receipt_id: receipt_id.clone(),
                line_number: l.line_number as i32,
                event_ts: ts,
                business_date: self.date,
                store_id: self.store_id,
                product_id: l.product_id,
                quantity: as_i32(l.quantity),
                unit_price: money(l.unit_price_cents),
                gross: money(m.gross_cents),
                discount: money(m.discount_cents),
                net: money(m.net_cents),
                tax: money(m.tax_cents),
                promo_code: line_promo,
                original_line_number: None,
            });
            let mv = self.ledger(l.product_id)?.sell(l.quantity)?;
            self.write_movement(
                ts,
                l.product_id,
                TxnType::Sale,
                mv,
                "RECEIPT",
                Some(&receipt_id),
                Some(l.line_number),
            );
        }
        self.settlement_rows(
            Channel::Store,
            &receipt_id,
            ts,
            customer_id,
            &attempts,
            promo.as_ref(),
        );

        // Return decision: queued for its day.
        if let Some(plan) = plan {
            let closed = self.hours.closed;
            if let Some(return_date) = plan.date(self.date, self.models.returns.max_lag_days, |d| {
                !is_closed(d, closed)
            }) {
                let lines = plan
                    .lines
                    .iter()
                    .filter_map(|(n, disposition)| {
                        let k = (*n as usize).checked_sub(1)?;
                        let (l, m) = (priced.get(k)?, money_lines.get(k)?);
                        Some(ReturnLine {
                            original_line: *n,
                            product_id: l.product_id,
                            quantity: l.quantity,
                            unit_price_cents: l.unit_price_cents,
                            gross_cents: m.gross_cents,
                            discount_cents: m.discount_cents,
                            net_cents: m.net_cents,
                            tax_cents: m.tax_cents,
                            promo_code: (m.discount_cents > 0)
                                .then(|| promo_code.clone())
                                .flatten(),
                            disposition: disposition.index() as u8,
                        })
                    })
                    .collect();
                self.state.pending_returns.push(PendingReturn {
                    sale_receipt_id: receipt_id.clone(),
                    return_date,
                    customer_id,
                    tender: tender.as_str().to_string(),
                    refund_processing_ms: refund_ms.unwrap_or(0),
                    instant_draws: plan.instant_draws,
                    lines,
                });
            }
        }

        // Sensors.
        let ble = if trace.identified {
            customer.ble_id.clone()
        } else {
            anon_ble_id(&self.models.anon_key, self.store_id, self.date, seq)?
        };
        let ble_customer = trace.identified.then_some(customer_id);
        for p in &trace.pings {
            self.batch.fact_ble_pings.push(FactBlePing {
                visit_id: visit_id.clone(),
                ping_number: p.ping_number as i32,
                event_ts: p.event_ts,
                business_date: self.date,
                store_id: self.store_id,
                beacon_id: ids::beacon_id(self.store_id, p.zone),
                zone: p.zone.as_str().to_string(),
                customer_ble_id: ble.clone(),
                customer_id: ble_customer,
                rssi: p.rssi,
            });
        }
        for z in &trace.zone_changes {
            self.batch
                .fact_customer_zone_changes
                .push(FactCustomerZoneChange {
                    visit_id: visit_id.clone(),
                    change_number: z.change_number as i32,
                    event_ts: z.event_ts,
                    business_date: self.date,
                    store_id: self.store_id,
                    customer_ble_id: ble.clone(),
                    customer_id: ble_customer,
                    from_zone: z.from_zone.as_str().to_string(),
                    to_zone: z.to_zone.as_str().to_string(),
                    ping_number: z.ping_number as i32,
                });
        }
        if let Some(k) = self.interval_of(trace.start) {
            self.buyer_counts[k][Zone::Entrance.index()] += 1;
        }
        for (zone, from, _) in &trace.segments {
            if matches!(zone, Zone::Entrance | Zone::Checkout) {
                continue;
            }
            if let Some(k) = self.interval_of(*from) {
                self.buyer_counts[k][zone.index()] += 1;
            }
        }
        if let Some(k) = self.interval_of(ts) {
            self.buyer_counts[k][Zone::Checkout.index()] += 1;
        }
        Ok(())
    }

    fn count_browser(&mut self, ts: Ts) {
        if let Some(k) = self.interval_of(ts) {
            self.empty_visits[k] += 1;
        }
    }

    fn create_order(&mut self, index: usize) -> Result<(), FactsError> {
        let Some(mut plan) = self.orders.get_mut(index).and_then(Option::take) else {
            return Ok(());
        };
        let rng = &mut plan.rng;
        let created = plan.created;
        let customer_id = plan.customer_id;
        let segment = self.models.customer_segments[(customer_id - 1) as usize];
        let request = BasketRequest {
            segment,
            format: None,
            date: self.date,
        };
        let basket = self.draw_stocked_basket(&request, rng);
        let lines = shape_online_basket(basket.lines, rng);
        if lines.is_empty() {
            return Ok(());
        }
        self.order_seq += 1;
        let order_id = ids::store_order_id(self.store_id, self.date, self.order_seq);
        for l in &lines {
            self.ledger(l.product_id)?.reserve(l.quantity as i64)?;
        }
        let (priced, promo, money_lines) = self.price_lines(&lines, segment, rng)?;
        let totals = PurchaseTotals::of(&money_lines);
        let attempts = draw_charge_attempts(Channel::Online, totals.total_cents, created, rng);
        let tender = attempts
            .last()
            .map(|a| a.tender)
            .unwrap_or(TenderType::CreditCard);
        let cancelled = draw_cancellation(self.models.cancel_rate, created, rng);
        let mut lifecycle = None;
        if let Some(cancelled_ts) = cancelled {
            let refund_ms = tender.draw_processing_ms(rng);
            let event = CancelledOrder {
                order_id: order_id.clone(),
                customer_id,
                total_cents: totals.total_cents,
                tender: tender.as_str().to_string(),
                refund_processing_ms: refund_ms,
                lines: priced.iter().map(|l| (l.product_id, l.quantity)).collect(),
            };
            self.state.schedule(
                cancelled_ts,
                RANK_ORDER,
                &order_id,
                0,
                0,
                AgendaEvent::Cancel(Box::new(event)),
            );
        } else {
            let is_open = |ts: Ts| self.hours.is_open(ts);
            let next_opening = |ts: Ts| self.hours.next_opening(ts);
            let store_hours = StoreHours {
                is_open: &is_open,
                next_opening: &next_opening,
            };
            let tz = self.hours.tz;
            let lc = draw_lifecycle(
                plan.mode,
                NodeType::Store,
                created,
                Some(&store_hours),
                |ts| is_peak_shipping_date(localtime::local_date_of(tz, ts)),
                rng,
            );
            lifecycle = Some(lc);
        }
        if let Some(lc) = &lifecycle {
            for l in &priced {
                self.state.schedule(
                    lc.picked_ts,
                    movement_rank(TxnType::OnlinePick),
                    &order_id,
                    l.line_number,
                    l.product_id,
                    AgendaEvent::OnlinePick {
                        order_id: order_id.clone(),
                        line: l.line_number,
                        product_id: l.product_id,
                        quantity: l.quantity,
                    },
                );
            }
        }
        let attribution = self.attribution.last_touch(customer_id, created);
        let promo_code = promo.as_ref().map(|p| p.code.code.to_string());
        let status = if cancelled.is_some() {
            "CANCELLED"
        } else {
            "FULFILLED"
        };
        self.batch
            .fact_online_order_headers
            .push(FactOnlineOrderHeader {
                order_id: order_id.clone(),
                event_ts: created,
                business_date: self.date,
                customer_id,
                fulfillment_mode: plan.mode.as_str().to_string(),
                node_type: NodeType::Store.as_str().to_string(),
                store_id: Some(self.store_id),
                dc_id: None,
                line_count: priced.len() as i32,
                item_count: as_i32(priced.iter().map(|l| l.quantity).sum()),
                subtotal: money(totals.subtotal_cents),
                discount: money(totals.discount_cents),
                tax: money(totals.tax_cents),
                total: money(totals.total_cents),
                tender_type: tender.as_str().to_string(),
                promo_code: promo_code.clone(),
                order_status: if cancelled.is_some() {
                    "CANCELLED"
                } else {
                    "COMPLETED"
                }
                .to_string(),
                picked_ts: lifecycle.map(|l| l.picked_ts),
                shipped_ts: lifecycle.and_then(|l| l.shipped_ts),
                delivered_ts: lifecycle.map(|l| l.delivered_ts),
                cancelled_ts: cancelled,
                attributed_impression_id: attribution.as_ref().map(|a| a.0.clone()),
                attributed_campaign_id: attribution.map(|a| a.1),
            });
        for (l, m) in priced.iter().zip(&money_lines) {
            self.batch
                .fact_online_order_lines
                .push(FactOnlineOrderLine {
                    order_id: order_id.clone(),
                    line_number: l.line_number as i32,
                    event_ts: created,
                    business_date: self.date,
                    product_id: l.product_id,
                    quantity: as_i32(l.quantity),
                    unit_price: money(l.unit_price_cents),
                    gross: money(m.gross_cents),
                    discount: money(m.discount_cents),
                    net: money(m.net_cents),
                    tax: money(m.tax_cents),
                    promo_code: (m.discount_cents > 0).then(|| promo_code.clone()).flatten(),
                    line_status: status.to_string(),
                });
        }
        self.settlement_rows(
            Channel::Online,
            &order_id,
            created,
            customer_id,
            &attempts,
            promo.as_ref(),
        );
        Ok(())
    }

    fn materialise_return(&mut self, ts: Ts, r: &PendingReturn) -> Result<(), FactsError> {
        let Some(rtn_id) = ids::return_receipt_id(&r.sale_receipt_id) else {
            return Err(FactsError::Invariant(format!(
                "not a sale receipt id: {}",
                r.sale_receipt_id
            )));
        };
        let negated: Vec<LineMoney> = r
            .lines
            .iter()
            .map(|l| {
                LineMoney {
                    gross_cents: l.gross_cents,
                    discount_cents: l.discount_cents,
                    net_cents: l.net_cents,
                    tax_cents: l.tax_cents,
                }
                .negated()
            })
            .collect();
        let totals = PurchaseTotals::of(&negated);
        self.batch.fact_receipts.push(FactReceipt {
            receipt_id: rtn_id.clone(),
            event_ts: ts,
            business_date: self.date,
            store_id: self.store_id,
            customer_id: r.customer_id,
            visit_id: None,
            receipt_type: "RETURN".to_string(),
            original_receipt_id: Some(r.sale_receipt_id.clone()),
            line_count: r.lines.len() as i32,
            item_count: as_i32(-r.lines.iter().map(|l| l.quantity).sum::<i64>()),
            subtotal: money(totals.subtotal_cents),
            discount: money(totals.discount_cents),
            tax: money(totals.tax_cents),
            total: money(totals.total_cents),
            tender_type: r.tender.clone(),
            promo_code: None,
            attributed_impression_id: None,
            attributed_campaign_id: None,
        });
        self.batch.fact_payments.push(FactPayment {
            payment_id: ids::payment_id(&rtn_id, 1),
            event_ts: ts,
            business_date: self.date,
            channel: Channel::Store.as_str().to_string(),
            receipt_id: Some(rtn_id.clone()),
            order_id: None,
            store_id: Some(self.store_id),
            dc_id: None,
            customer_id: r.customer_id,
            payment_type: "REFUND".to_string(),
            attempt_number: 1,
            tender_type: r.tender.clone(),
            amount: money(totals.total_cents),
            status: "APPROVED".to_string(),
            decline_reason: None,
            processing_time_ms: r.refund_processing_ms as i32,
        });
        for (k, (l, m)) in r.lines.iter().zip(&negated).enumerate() {
            let line_number = k as u32 + 1;
            self.batch.fact_receipt_lines.push(FactReceiptLine {
                receipt_id: rtn_id.clone(),
                line_number: line_number as i32,
                event_ts: ts,
                business_date: self.date,
                store_id: self.store_id,
                product_id: l.product_id,
                quantity: as_i32(-l.quantity),
                unit_price: money(l.unit_price_cents),
                gross: money(m.gross_cents),
                discount: money(m.discount_cents),
                net: money(m.net_cents),
                tax: money(m.tax_cents),
                promo_code: l.promo_code.clone(),
                original_line_number: Some(l.original_line as i32),
            });
            let mv = self.ledger(l.product_id)?.receive_return(l.quantity)?;
            self.write_movement(
                ts,
                l.product_id,
                TxnType::Return,
                mv,
                "RECEIPT",
                Some(&rtn_id),
                Some(line_number),
            );
            let disposition = Disposition::ALL
                .get(l.disposition as usize)
                .copied()
                .unwrap_or(Disposition::Restock);
            let rank = match disposition {
                Disposition::Restock => RANK_RESTOCK,
                Disposition::ReturnToVendor => movement_rank(TxnType::ReturnToVendor),
                Disposition::Damaged => movement_rank(TxnType::Damaged),
            };
            self.state.schedule(
                ts.plus_minutes(disposition.offset_minutes()),
                rank,
                &rtn_id,
                line_number,
                l.product_id,
                AgendaEvent::Disposition {
                    receipt_id: rtn_id.clone(),
                    line: line_number,
                    product_id: l.product_id,
                    quantity: l.quantity,
                    disposition: l.disposition,
                },
            );
        }
        Ok(())
    }

    fn cycle_count(&mut self, ts: Ts) -> Result<(), FactsError> {
        let candidates: Vec<i64> = self
            .state
            .ledgers
            .iter()
            .enumerate()
            .filter(|(i, c)| c.0.on_hand > 0 && self.models.launch_date[*i] <= self.date)
            .map(|(i, _)| i as i64 + 1)
            .collect();
        let mut rng = Stream::new(
            self.ctx.seed,
            "cycle_count",
            &[self.store_id, self.date.0 as i64],
        );
        let mut counted = draw_cycle_count(self.models.cycle_count_share, &candidates, &mut rng);
        counted.sort_unstable();
        for (product_id, delta) in counted {
            if let Some(mv) = self.ledger(product_id)?.adjust(delta) {
                self.write_movement(
                    ts,
                    product_id,
                    TxnType::Adjustment,
                    mv,
                    "CYCLE_COUNT",
                    None,
                    None,
                );
            }
        }
        Ok(())
    }

    fn evaluate_reorders(&mut self, ts: Ts) {
        let mut seq = 0;
        for (i, cell) in self.state.ledgers.iter().enumerate() {
            if self.models.launch_date[i] > self.date {
                continue;
            }
            let ledger = &cell.0;
            let Some(decision) = evaluate_reorder(ledger) else {
                continue;
            };
            seq += 1;
            let row = FactReorder {
                reorder_id: ids::reorder_id(self.store_id, self.date, seq),
                event_ts: ts,
                business_date: self.date,
                store_id: self.store_id,
                dc_id: self.sm.dc_id,
                product_id: i as i64 + 1,
                on_hand_quantity: as_i32(ledger.on_hand),
                on_order_quantity: as_i32(ledger.on_order),
                reserved_quantity: as_i32(ledger.reserved),
                reorder_point: as_i32(ledger.reorder_point),
                order_up_to_quantity: as_i32(ledger.par),
                reorder_quantity: as_i32(decision.quantity),
                priority: decision.priority.as_str().to_string(),
            };
            self.reorders.push(row);
        }
        self.batch
            .fact_reorders
            .extend(self.reorders.iter().cloned());
    }

    fn process(&mut self, key: AgendaKey, event: AgendaEvent) -> Result<(), FactsError> {
        let ts = key.ts;
        match event {
            AgendaEvent::Inbound {
                shipment_id,
                product_id,
                quantity,
            } => {
                let mv = self.ledger(product_id)?.receive_on_order(quantity)?;
                self.write_movement(
                    ts,
                    product_id,
                    TxnType::InboundShipment,
                    mv,
                    "SHIPMENT",
                    Some(&shipment_id),
                    None,
                );
            }
            AgendaEvent::Return(r) => self.materialise_return(ts, &r)?,
            AgendaEvent::Disposition {
                receipt_id,
                line,
                product_id,
                quantity,
                disposition,
            } => {
                let kind = Disposition::ALL
                    .get(disposition as usize)
                    .copied()
                    .unwrap_or(Disposition::Restock);
                match kind {
                    Disposition::Restock => self.ledger(product_id)?.release(quantity)?,
                    Disposition::Damaged | Disposition::ReturnToVendor => {
                        let mv = self.ledger(product_id)?.consume_reserved(quantity)?;
                        let txn = if kind == Disposition::Damaged {
                            TxnType::Damaged
                        } else {
                            TxnType::ReturnToVendor
                        };
                        self.write_movement(
                            ts,
                            product_id,
                            txn,
                            mv,
                            "RECEIPT",
                            Some(&receipt_id),
                            Some(line),
                        );
                    }
                }
            }
            AgendaEvent::OnlinePick {
                order_id,
                line,
                product_id,
                quantity,
            } => {
                let mv = self.ledger(product_id)?.consume_reserved(quantity)?;
                self.write_movement(
                    ts,
                    product_id,
                    TxnType::OnlinePick,
                    mv,
                    "ORDER",
                    Some(&order_id),
                    Some(line),
                );
            }
            AgendaEvent::Cancel(c) => {
                for &(product_id, quantity) in &c.lines {
                    self.ledger(product_id)?.release(quantity)?;
                }
                self.batch.fact_payments.push(FactPayment {
                    payment_id: ids::cancellation_refund_payment_id(&c.order_id),
                    event_ts: ts,
                    business_date: self.date,
                    channel: Channel::Online.as_str().to_string(),
                    receipt_id: None,
                    order_id: Some(c.order_id.clone()),
                    store_id: Some(self.store_id),
                    dc_id: None,
                    customer_id: c.customer_id,
                    payment_type: "REFUND".to_string(),
                    attempt_number: 1,
                    tender_type: c.tender.clone(),
                    amount: money(-c.total_cents),
                    status: "APPROVED".to_string(),
                    decline_reason: None,
                    processing_time_ms: c.refund_processing_ms as i32,
                });
            }
            AgendaEvent::Visit { index } => self.visit(index as usize)?,
            AgendaEvent::OrderCreate { index } => self.create_order(index as usize)?,
            AgendaEvent::CycleCount => self.cycle_count(ts)?,
            AgendaEvent::ReorderEval => self.evaluate_reorders(ts),
        }
        Ok(())
    }
}

/// Simulates one trading day of one store.
pub fn simulate_store_day(
    ctx: &FactsContext,
    state: &mut StoreState,
    date: Date,
    planned: &[InboundDelivery],
    attribution: &dyn Attribution,
) -> Result<StoreDayOutput, FactsError> {
    let models = StoreModels::for_context(ctx)?;
    let store_id = state.store_id;
    let sm = models.store(store_id)?;
    let tz = ctx
        .master
        .store_tz(store_id)
        .ok_or_else(|| FactsError::Master(format!("no time zone for store {store_id}")))?;
    let closed_today = is_closed(date, &models.closed);
    let (day_start, day_end) = localtime::local_day_bounds(tz, date);
    let (opening, closing) = localtime::trading_bounds(tz, date, sm.open_minute, sm.close_minute)?;
    let hours = Hours {
        tz,
        open: sm.open_minute,
        close: sm.close_minute,
        closed: &models.closed,
    };
    let mut batch = FactBatch::default();

    // Store operations (§7.14).
    let op = |ts: Ts, kind: &str, reason: &str| FactStoreOps {
        store_id,
        event_ts: ts,
        operation_type: kind.to_string(),
        business_date: date,
        reason: reason.to_string(),
    };
    if sm.all_day {
        let closed_yesterday = is_closed(date.plus_days(-1), &models.closed);
        if closed_today && !closed_yesterday {
            batch
                .fact_store_ops
                .push(op(day_start, "CLOSED", "HOLIDAY_CLOSURE"));
        } else if !closed_today && closed_yesterday {
            batch
                .fact_store_ops
                .push(op(day_start, "OPENED", "HOLIDAY_CLOSURE"));
        }
    } else if !closed_today {
        batch
            .fact_store_ops
            .push(op(opening, "OPENED", "REGULAR_HOURS"));
        batch
            .fact_store_ops
            .push(op(closing, "CLOSED", "REGULAR_HOURS"));
    }

    // Inbound shipments planned today: on order now, received at UNLOADING.
    for delivery in planned {
        if delivery.store_id != store_id {
            return Err(FactsError::Invariant(format!(
                "shipment {} for store {} handed to store {store_id}",
                delivery.shipment_id, delivery.store_id
            )));
        }
        for line in &delivery.lines {
            let q = line.quantity as i64;
            let cell = usize::try_from(line.product_id - 1)
                .ok()
                .and_then(|i| state.ledgers.get_mut(i))
                .ok_or_else(|| {
                    FactsError::Master(format!("unknown product {}", line.product_id))
                })?;
            cell.0.add_on_order(q)?;
            state.schedule(
                delivery.unloading_ts,
                movement_rank(TxnType::InboundShipment),
                &delivery.shipment_id,
                0,
                line.product_id,
                AgendaEvent::Inbound {
                    shipment_id: delivery.shipment_id.clone(),
                    product_id: line.product_id,
                    quantity: q,
                },
            );
        }
    }

    // Checkouts (§7.2).
    let weather = demand::draw_weather(ctx.seed, sm.geography_id, date);
    let rates = demand::day_checkout_rates(
        models.customers_per_day,
        sm.traffic_multiplier,
        tz,
        date,
        sm.open_minute,
        sm.close_minute,
        weather,
        &models.closed,
    )?;
    let mut visits = Vec::new();
    for (slot_index, (slot, lambda)) in rates.iter().enumerate() {
        let instants =
            demand::draw_checkouts(ctx.seed, store_id, date, slot_index as u32, slot, *lambda);
        for (i, ts) in instants.into_iter().enumerate() {
            visits.push(VisitPlan {
                ts,
                slot: slot_index as u32,
                i: i as u32,
            });
        }
    }
    for (index, v) in visits.iter().enumerate() {
        state.schedule(
            v.ts,
            movement_rank(TxnType::Sale),
            "",
            v.i,
            v.slot as i64,
            AgendaEvent::Visit {
                index: index as u32,
            },
        );
    }

    // Returns due today (§7.15).
    if !closed_today {
        let weekend = calendar::is_weekend(date);
        let slots: Vec<(Ts, Ts, f64)> =
            localtime::hour_slots(tz, date, sm.open_minute, sm.close_minute)?
                .iter()
                .map(|s: &HourSlot| {
                    (
                        s.start,
                        s.end,
                        demand::hour_weight(weekend, s.local_hour) * s.hour_fraction().min(1.0),
                    )
                })
                .collect();
        let (due, later): (Vec<PendingReturn>, Vec<PendingReturn>) =
            std::mem::take(&mut state.pending_returns)
                .into_iter()
                .partition(|r| r.return_date <= date);
        state.pending_returns = later;
        for r in due {
            let plan = ReturnPlan {
                lag_days: 0,
                lines: Vec::new(),
                instant_draws: r.instant_draws,
            };
            let Some(ts) = plan.instant(&slots) else {
                continue;
            };
            let rtn = ids::return_receipt_id(&r.sale_receipt_id).unwrap_or_default();
            state.schedule(
                ts,
                movement_rank(TxnType::Return),
                &rtn,
                0,
                0,
                AgendaEvent::Return(Box::new(r)),
            );
        }
    }

    // Store-node online orders (§7.11).
    let n = network_orders_per_day(
        models.online_orders_per_day,
        calendar::month_factor_of(date),
        calendar::online_multiplier(date),
    );
    let mut node_rng = Stream::new(
        ctx.seed,
        "online_node_day",
        &[NodeType::Store.index() as i64, store_id, date.0 as i64],
    );
    let counts = [
        (
            FulfillmentMode::ShipFromStore,
            draw_order_count(
                store_node_rate(n, models.store_mode_shares[0], sm.customer_share),
                &mut node_rng,
            ),
        ),
        (
            FulfillmentMode::Bopis,
            draw_order_count(
                store_node_rate(n, models.store_mode_shares[1], sm.customer_share),
                &mut node_rng,
            ),
        ),
    ];
    let node_customers = ctx.master.customers_of_store(store_id);
    let curve = OnlineDayCurve::new(tz, date);
    let mut orders = Vec::new();
    if !node_customers.is_empty() {
        for (mode, count) in counts {
            for _ in 0..count {
                let i = orders.len() as i64;
                let mut rng = Stream::new(
                    ctx.seed,
                    "online_order",
                    &[NodeType::Store.index() as i64, store_id, date.0 as i64, i],
                );
                let customer_id = node_customers[rng.below(node_customers.len() as u64) as usize];
                let created = curve.draw(&mut rng);
                orders.push(Some(OrderPlan {
                    rng,
                    customer_id,
                    mode,
                    created,
                }));
            }
        }
    }
    for (index, o) in orders.iter().enumerate() {
        if let Some(o) = o {
            state.schedule(
                o.created,
                RANK_ORDER,
                "",
                index as u32,
                0,
                AgendaEvent::OrderCreate {
                    index: index as u32,
                },
            );
        }
    }

    // Cycle count and reorder evaluation (§7.9).
    let mut reorder_after_loop = None;
    if !closed_today {
        let (count_ts, eval_ts) = if sm.all_day {
            (
                localtime::local_to_utc(tz, date, 22 * 60)?,
                localtime::local_to_utc(tz, date, 23 * 60)?,
            )
        } else {
            (closing.plus_minutes(-30), closing)
        };
        state.schedule(
            count_ts,
            movement_rank(TxnType::Adjustment),
            "",
            0,
            0,
            AgendaEvent::CycleCount,
        );
        if eval_ts < day_end {
            state.schedule(eval_ts, RANK_REORDER, "", 0, 0, AgendaEvent::ReorderEval);
        } else {
            reorder_after_loop = Some(eval_ts);
        }
    }

    let intervals = if closed_today {
        Vec::new()
    } else {
        localtime::quarter_hours(tz, date, sm.open_minute, sm.close_minute)?
    };
    let index = models.draw_index(date);
    let tg = calendar::thanksgiving(calendar::year_of(date));
    let christmas_eve = Date::from_ymd(calendar::year_of(date), 12, 24).unwrap_or(tg);
    let mut run = DayRun {
        ctx,
        models: &models,
        sm,
        state,
        attribution,
        date,
        store_id,
        hours,
        index,
        opening,
        month: month_of(date),
        return_holiday_window: date >= tg && date <= christmas_eve,
        visits,
        orders,
        buyer_counts: vec![[0; 5]; intervals.len()],
        empty_visits: vec![0; intervals.len()],
        intervals,
        txn_seq: 0,
        receipt_seq: 0,
        order_seq: 0,
        batch,
        reorders: Vec::new(),
    };

    // The agenda, in processing order, up to the end of the local day.
    while let Some(entry) = run.state.agenda.first_entry() {
        if entry.key().ts >= day_end {
            break;
        }
        let (key, event) = entry.remove_entry();
        run.process(key, event)?;
    }
    if let Some(ts) = reorder_after_loop {
        run.evaluate_reorders(ts);
    }
    let _ = day_start;

    // Foot traffic (§7.13).
    let weekend = calendar::is_weekend(date);
    for (k, q) in run.intervals.iter().enumerate() {
        let lambda = rates.get(q.slot_index as usize).map_or(0.0, |r| r.1);
        let mut rng = Stream::new(
            ctx.seed,
            "foot_traffic",
            &[store_id, date.0 as i64, q.index as i64],
        );
        let rows = draw_foot_traffic(
            &IntervalInput {
                format: sm.format,
                hour_lambda: lambda,
                local_hour: q.local_hour as u32,
                weekend,
                buyer_counts: run.buyer_counts[k],
                empty_basket_visits: run.empty_visits[k],
            },
            &mut rng,
        );
        for z in rows {
            run.batch.fact_foot_traffic.push(FactFootTraffic {
                store_id,
                zone: z.zone.as_str().to_string(),
                interval_start_ts: q.start,
                event_ts: q.end,
                business_date: date,
                sensor_id: ids::sensor_id(store_id, z.zone),
                interval_minutes: 15,
                visitor_count: z.visitor_count as i32,
                avg_dwell_seconds: z.avg_dwell_seconds as i32,
            });
        }
    }

    Ok(StoreDayOutput {
        batch: run.batch,
        reorders: run.reorders,
    })
}
