//! A distribution centre's day (data-contract §7.9–§7.11, phases 1 and 3 of §12.4): its queued
//! movements in §7.9 processing order, DC-node online orders (SHIP_FROM_DC), the allocation of
//! its stores' reorders at the planning instant, and the 23:00 purchase-order evaluation.
//!
//! The day is an event loop over the DC-local day: queued movements (supplier receipts, picks,
//! loads, cancellation releases) and order creations are taken in time order, so ledger_seq and
//! txn ids follow event_ts. Phase 1 runs the loop up to the planning instant P and allocates;
//! phase 3 runs it to 23:00, evaluates purchase orders, and finishes the day.

use chrono::NaiveTime;
use chrono_tz::Tz;
use retail_patterns::basket::{BasketRequest, DrawIndex, draw_basket};
use retail_patterns::disruption::DcSite;
use retail_patterns::inventory::{
    Ledger, Movement, draw_purchase_order_arrival, evaluate_purchase_order, stockout_suppressed,
};
use retail_patterns::localtime::{local_date_of, local_to_utc, resolve_local};
use retail_patterns::logistics::{Allocation, PlannedShipment, split_into_shipments};
use retail_patterns::online::{
    FulfillmentMode, NodeType, draw_cancellation, draw_lifecycle, is_peak_shipping_date,
    shape_online_basket,
};
use retail_patterns::payment::{Channel, PaymentAttempt, draw_charge_attempts, draw_refund};
use retail_patterns::promotion::{PricedLine, draw_promotion};
use retail_patterns::tax::{LineMoney, PurchaseTotals};
use retail_patterns::{calendar, ids, online};
use retail_rng::{Stream, round_half_away};
use retail_schemas::tables::*;
use retail_schemas::{Date, Money, Ts};

use crate::engine::EngineModels;
use crate::world::{DcEventKind, DcLedger, DcState, PendingReorder};
use crate::{Attribution, FactBatch, FactsContext, FactsError};

/// One DC-node order of the day before its basket is drawn.
struct DayOrder {
    created: Ts,
    customer_id: i64,
    stream: Stream,
}

/// A DC's work in progress for one day (lives only during `run_day`).
pub(crate) struct DcDayWork {
    date: Date,
    tz: Tz,
    orders: Vec<DayOrder>,
    cursor: usize,
    next_order_seq: u32,
    /// Rows written so far.
    pub batch: FactBatch,
}

fn dc_index(st: &DcState, product_id: i64) -> Result<usize, FactsError> {
    let i = usize::try_from(product_id - 1)
        .map_err(|_| FactsError::Master(format!("product {product_id} unknown")))?;
    if i >= st.ledgers.len() {
        return Err(FactsError::Master(format!("product {product_id} unknown")));
    }
    Ok(i)
}

fn ledger_mut(st: &mut DcState, product_id: i64) -> Result<&mut Ledger, FactsError> {
    let i = dc_index(st, product_id)?;
    Ok(&mut st.ledgers[i].0)
}

fn patterns(e: retail_patterns::PatternsError) -> FactsError {
    FactsError::Invariant(e.to_string())
}

/// The DC's time zone.
pub(crate) fn dc_tz(ctx: &FactsContext, dc_id: i64) -> Result<Tz, FactsError> {
    ctx.master
        .dc_tz(dc_id)
        .ok_or_else(|| FactsError::Master(format!("DC {dc_id} unknown")))
}

/// The state of a DC at the dataset start (§7.9 initial ledgers).
pub(crate) fn initial_dc_state(
    ctx: &FactsContext,
    models: &EngineModels,
    dc_id: i64,
) -> Result<DcState, FactsError> {
    use retail_patterns::inventory::{LocationType, draw_initial_ledger};
    let mut ledgers = Vec::with_capacity(ctx.master.products.len());
    for p in &ctx.master.products {
        let mut rng = Stream::new(
            ctx.seed,
            "inventory_init",
            &[LocationType::Dc.index() as i64, dc_id, p.product_id],
        );
        let launched = p.launch_date <= ctx.dataset_start;
        ledgers.push(DcLedger(draw_initial_ledger(
            LocationType::Dc,
            &models.dc_inventory,
            launched,
            &mut rng,
        )?));
    }
    Ok(DcState {
        dc_id,
        ledgers,
        queue: Default::default(),
        last_stockout: Default::default(),
        txn_counter: (ctx.dataset_start, 0),
    })
}

/// Planning instant P = max(02:00 DC-local on `date`, latest reorder of the previous day + 30 min).
pub(crate) fn planning_instant(
    tz: Tz,
    date: Date,
    reorders: &[&PendingReorder],
) -> Result<Ts, FactsError> {
    let two = local_to_utc(tz, date, 120)?;
    let latest = reorders.iter().map(|r| r.event_ts.plus_minutes(30)).max();
    Ok(latest.map_or(two, |l| l.max(two)))
}

/// Draws the day's DC-node order count, customers and creation instants (§7.11).
pub(crate) fn start_day(
    ctx: &FactsContext,
    models: &EngineModels,
    st: &DcState,
    date: Date,
) -> Result<DcDayWork, FactsError> {
    let tz = dc_tz(ctx, st.dc_id)?;
    let config = &ctx.config;
    let customers = &models.dc_customers[(st.dc_id - 1) as usize];
    let mut orders = Vec::new();
    if !customers.is_empty() && config.volume.online_orders_per_day > 0 {
        let network = online::network_orders_per_day(
            config.volume.online_orders_per_day as f64,
            calendar::month_factor_of(date),
            calendar::online_multiplier(date),
        );
        let share = customers.len() as f64 / ctx.master.customers.len().max(1) as f64;
        let rate = online::dc_node_rate(network, config.online.mode_shares.SHIP_FROM_DC, share);
        let node = NodeType::Dc.index() as i64;
        let mut day_rng = Stream::new(
            ctx.seed,
            "online_node_day",
            &[node, st.dc_id, date.0 as i64],
        );
        let count = online::draw_order_count(rate, &mut day_rng);
        let curve = retail_patterns::demand::OnlineDayCurve::new(tz, date);
        for i in 0..count {
            let mut stream = Stream::new(
                ctx.seed,
                "online_order",
                &[node, st.dc_id, date.0 as i64, i as i64],
            );
            let customer_id = customers[stream.below(customers.len() as u64) as usize];
            let created = curve.draw(&mut stream);
            orders.push((created, i, customer_id, stream));
        }
    }
    orders.sort_by_key(|o| (o.0, o.1));
    Ok(DcDayWork {
        date,
        tz,
        orders: orders
            .into_iter()
            .map(|(created, _, customer_id, stream)| DayOrder {
                created,
                customer_id,
                stream,
            })
            .collect(),
        cursor: 0,
        next_order_seq: 0,
        batch: FactBatch::default(),
    })
}

/// Everything the event loop reads.
pub(crate) struct DayInputs<'a> {
    pub ctx: &'a FactsContext,
    pub models: &'a EngineModels,
    pub attribution: &'a dyn Attribution,
    pub draw_index: &'a DrawIndex,
}

/// Runs the DC's events with instant < `until` in processing order.
pub(crate) fn advance(
    inputs: &DayInputs<'_>,
    st: &mut DcState,
    work: &mut DcDayWork,
    until: Ts,
) -> Result<(), FactsError> {
    loop {
        let next_event = st.queue.first_key_value().map(|(k, _)| k.0);
        let next_order = work.orders.get(work.cursor).map(|o| o.created);
        let take_event = match (next_event, next_order) {
            (Some(e), Some(o)) => e <= o,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return Ok(()),
        };
        if take_event {
            if next_event.is_some_and(|e| e >= until) {
                return Ok(());
            }
            let (key, kind) = st.queue.pop_first().expect("peeked");
            process_event(inputs, st, work, key, kind)?;
        } else {
            if next_order.is_some_and(|o| o >= until) {
                return Ok(());
            }
            let i = work.cursor;
            work.cursor += 1;
            create_order(inputs, st, work, i)?;
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn write_movement(
    st: &mut DcState,
    work: &mut DcDayWork,
    ts: Ts,
    txn_type: &str,
    product_id: i64,
    movement: Movement,
    reference_type: &str,
    reference_id: &str,
    line: Option<u32>,
) {
    let local = local_date_of(work.tz, ts);
    if st.txn_counter.0 != local {
        st.txn_counter = (local, 0);
    }
    st.txn_counter.1 += 1;
    let txn_id = ids::dc_txn_id(st.dc_id, local, st.txn_counter.1);
    if movement.depleted && !stockout_suppressed(st.last_stockout.get(&product_id).copied(), ts) {
        st.last_stockout.insert(product_id, ts);
        work.batch.fact_stockouts.push(FactStockout {
            stockout_id: ids::stockout_id(&txn_id),
            event_ts: ts,
            business_date: local,
            location_type: "DC".into(),
            store_id: None,
            dc_id: Some(st.dc_id),
            product_id,
            last_known_quantity: (-movement.quantity) as i32,
            txn_id: txn_id.clone(),
        });
    }
    work.batch.fact_dc_inventory_txn.push(FactDcInventoryTxn {
        txn_id,
        event_ts: ts,
        business_date: local,
        dc_id: st.dc_id,
        product_id,
        ledger_seq: movement.ledger_seq as i64,
        txn_type: txn_type.into(),
        quantity: movement.quantity as i32,
        balance: movement.balance as i32,
        reference_type: reference_type.into(),
        reference_id: reference_id.into(),
        reference_line_number: line.map(|l| l as i32),
    });
}

fn process_event(
    inputs: &DayInputs<'_>,
    st: &mut DcState,
    work: &mut DcDayWork,
    key: crate::world::DcEventKey,
    kind: DcEventKind,
) -> Result<(), FactsError> {
    let (ts, _, reference_id, line, product_id) = key.clone();
    match kind {
        DcEventKind::SupplierReceipt { quantity } => {
            let schedule = &inputs.models.disruptions;
            let site = DcSite {
                dc_id: st.dc_id,
                state: &inputs.models.dc_states[(st.dc_id - 1) as usize],
            };
            if let Some(end) = schedule.dc_outage_end(&site, ts).filter(|e| *e > ts) {
                st.queue.insert(
                    (end, key.1, key.2, key.3, key.4),
                    DcEventKind::SupplierReceipt { quantity },
                );
                return Ok(());
            }
            let factor = schedule.inbound_quantity_factor(&site, ts);
            let received = if factor >= 1.0 {
                quantity
            } else {
                round_half_away(quantity as f64 * factor).clamp(0, quantity)
            };
            let ledger = ledger_mut(st, product_id)?;
            // The shortfall closes with the order: it leaves on_order so the next evaluation
            // re-orders it.
            ledger.on_order -= quantity - received;
            if ledger.on_order < 0 {
                return Err(FactsError::Invariant("DC on_order below 0".into()));
            }
            if received > 0 {
                let m = ledger.receive_on_order(received).map_err(patterns)?;
                write_movement(
                    st,
                    work,
                    ts,
                    "SUPPLIER_RECEIPT",
                    product_id,
                    m,
                    "PURCHASE_ORDER",
                    &reference_id,
                    None,
                );
            }
        }
        DcEventKind::OnlinePick { quantity } => {
            let m = ledger_mut(st, product_id)?
                .consume_reserved(quantity)
                .map_err(patterns)?;
            write_movement(
                st,
                work,
                ts,
                "ONLINE_PICK",
                product_id,
                m,
                "ORDER",
                &reference_id,
                line,
            );
        }
        DcEventKind::OutboundShipment { quantity } => {
            let m = ledger_mut(st, product_id)?
                .consume_reserved(quantity)
                .map_err(patterns)?;
            write_movement(
                st,
                work,
                ts,
                "OUTBOUND_SHIPMENT",
                product_id,
                m,
                "SHIPMENT",
                &reference_id,
                None,
            );
        }
        DcEventKind::CancelRelease { quantity } => {
            ledger_mut(st, product_id)?
                .release(quantity)
                .map_err(patterns)?;
        }
    }
    Ok(())
}

fn payment_row(
    order_id: &str,
    dc_id: i64,
    customer_id: i64,
    business_date: Date,
    a: &PaymentAttempt,
    payment_id: String,
) -> FactPayment {
    FactPayment {
        payment_id,
        event_ts: a.event_ts,
        business_date,
        channel: "ONLINE".into(),
        receipt_id: None,
        order_id: Some(order_id.to_string()),
        store_id: None,
        dc_id: Some(dc_id),
        customer_id,
        payment_type: a.payment_type.as_str().into(),
        attempt_number: a.attempt_number as i32,
        tender_type: a.tender.as_str().into(),
        amount: Money(a.amount_cents),
        status: a.status.as_str().into(),
        decline_reason: a.decline_reason.map(|r| r.as_str().to_string()),
        processing_time_ms: a.processing_time_ms as i32,
    }
}

/// Creates order `i` of the day (§7.11): basket capped by DC ATP, promotion, tax at the
/// customer's primary-store rate, payments, cancellation or lifecycle, reservations and picks.
fn create_order(
    inputs: &DayInputs<'_>,
    st: &mut DcState,
    work: &mut DcDayWork,
    i: usize,
) -> Result<(), FactsError> {
    let ctx = inputs.ctx;
    let master = &ctx.master;
    let date = work.date;
    let tz = work.tz;
    let (created, customer_id) = (work.orders[i].created, work.orders[i].customer_id);
    let rng = &mut work.orders[i].stream;
    let customer = master
        .customer(customer_id)
        .ok_or_else(|| FactsError::Master(format!("customer {customer_id} unknown")))?;
    let segment = master.customer_shopper_segments[(customer_id - 1) as usize];
    let ledgers = &st.ledgers;
    let basket = draw_basket(
        inputs.draw_index,
        &BasketRequest {
            segment,
            format: None,
            date,
        },
        rng,
        |pid| {
            usize::try_from(pid - 1)
                .ok()
                .and_then(|i| ledgers.get(i))
                .map_or(0, |l| l.0.atp().clamp(0, u32::MAX as i64) as u32)
        },
    );
    let lines = shape_online_basket(basket.lines, rng);
    if lines.is_empty() {
        return Ok(());
    }
    work.next_order_seq += 1;
    let order_id = ids::dc_order_id(st.dc_id, date, work.next_order_seq);
    let month = {
        use chrono::Datelike;
        date.to_naive().month()
    };
    let mut priced = Vec::with_capacity(lines.len());
    for (n, l) in lines.iter().enumerate() {
        let product = master
            .product(l.product_id)
            .ok_or_else(|| FactsError::Master(format!("product {} unknown", l.product_id)))?;
        priced.push(PricedLine {
            line_number: n as u32 + 1,
            product_id: l.product_id,
            basket_category: l.basket_category,
            quantity: l.quantity as i64,
            unit_price_cents: product.sale_price.cents(),
        });
    }
    let promotion = draw_promotion(segment, month, &priced, rng);
    let rate = master
        .store(customer.primary_store_id)
        .map(|s| s.tax_rate_bps)
        .ok_or_else(|| FactsError::Master("customer primary store unknown".into()))?;
    let mut money = Vec::with_capacity(priced.len());
    for l in &priced {
        let discount = promotion
            .as_ref()
            .map_or(0, |p| p.discount_of(l.line_number));
        let pct = master.product_taxability[(l.product_id - 1) as usize].pct();
        money.push(
            LineMoney::sale(l.unit_price_cents, l.quantity, discount, rate, pct)
                .map_err(patterns)?,
        );
    }
    let totals = PurchaseTotals::of(&money);
    let attempts = draw_charge_attempts(Channel::Online, totals.total_cents, created, rng);
    let approved = attempts
        .last()
        .ok_or_else(|| FactsError::Invariant("no approved charge".into()))?;
    let tender = approved.tender;
    let cancelled = draw_cancellation(ctx.config.online.cancel_rate, created, rng);
    for l in &priced {
        ledger_mut(st, l.product_id)?
            .reserve(l.quantity)
            .map_err(patterns)?;
    }
    let mut lifecycle = None;
    match cancelled {
        Some(cancelled_ts) => {
            let refund = draw_refund(tender, -totals.total_cents, cancelled_ts, rng);
            work.batch.fact_payments.push(payment_row(
                &order_id,
                st.dc_id,
                customer_id,
                local_date_of(tz, cancelled_ts),
                &refund,
                ids::cancellation_refund_payment_id(&order_id),
            ));
            for l in &priced {
                st.queue.insert(
                    (
                        cancelled_ts,
                        u8::MAX,
                        order_id.clone(),
                        Some(l.line_number),
                        l.product_id,
                    ),
                    DcEventKind::CancelRelease {
                        quantity: l.quantity,
                    },
                );
            }
        }
        None => {
            let life = draw_lifecycle(
                FulfillmentMode::ShipFromDc,
                NodeType::Dc,
                created,
                None,
                |ts| is_peak_shipping_date(local_date_of(tz, ts)),
                rng,
            );
            for l in &priced {
                let kind = DcEventKind::OnlinePick {
                    quantity: l.quantity,
                };
                st.queue.insert(
                    (
                        life.picked_ts,
                        kind.rank(),
                        order_id.clone(),
                        Some(l.line_number),
                        l.product_id,
                    ),
                    kind,
                );
            }
            lifecycle = Some(life);
        }
    }
    let attribution = inputs.attribution.last_touch(customer_id, created);
    for a in &attempts {
        work.batch.fact_payments.push(payment_row(
            &order_id,
            st.dc_id,
            customer_id,
            date,
            a,
            ids::payment_id(&order_id, a.attempt_number),
        ));
    }
    let code = promotion.as_ref().map(|p| p.code.code.to_string());
    if let Some(p) = &promotion {
        let discounted: Vec<_> = p.lines.iter().filter(|l| l.discount_cents > 0).collect();
        let promotion_id = ids::promotion_id(&order_id, p.code.code);
        work.batch.fact_promotions.push(FactPromotion {
            promotion_id: promotion_id.clone(),
            event_ts: created,
            business_date: date,
            channel: "ONLINE".into(),
            receipt_id: None,
            order_id: Some(order_id.clone()),
            store_id: None,
            dc_id: Some(st.dc_id),
            customer_id,
            promo_code: p.code.code.into(),
            discount_type: p.code.discount_type.as_str().into(),
            discount_pct: p.code.pct as i32,
            line_count: discounted.len() as i32,
            product_ids: p.product_ids.clone(),
            discount: Money(p.discount_cents),
        });
        for l in discounted {
            work.batch.fact_promo_lines.push(FactPromoLine {
                promotion_id: promotion_id.clone(),
                line_number: l.line_number as i32,
                event_ts: created,
                business_date: date,
                channel: "ONLINE".into(),
                receipt_id: None,
                order_id: Some(order_id.clone()),
                product_id: l.product_id,
                promo_code: p.code.code.into(),
                quantity: l.quantity as i32,
                gross: Money(l.gross_cents),
                discount: Money(l.discount_cents),
            });
        }
    }
    let status = if cancelled.is_some() {
        "CANCELLED"
    } else {
        "COMPLETED"
    };
    for (l, m) in priced.iter().zip(&money) {
        work.batch
            .fact_online_order_lines
            .push(FactOnlineOrderLine {
                order_id: order_id.clone(),
                line_number: l.line_number as i32,
                event_ts: created,
                business_date: date,
                product_id: l.product_id,
                quantity: l.quantity as i32,
                unit_price: Money(l.unit_price_cents),
                gross: Money(m.gross_cents),
                discount: Money(m.discount_cents),
                net: Money(m.net_cents),
                tax: Money(m.tax_cents),
                promo_code: (m.discount_cents > 0).then(|| code.clone()).flatten(),
                line_status: if cancelled.is_some() {
                    "CANCELLED"
                } else {
                    "FULFILLED"
                }
                .into(),
            });
    }
    work.batch
        .fact_online_order_headers
        .push(FactOnlineOrderHeader {
            order_id: order_id.clone(),
            event_ts: created,
            business_date: date,
            customer_id,
            fulfillment_mode: FulfillmentMode::ShipFromDc.as_str().into(),
            node_type: "DC".into(),
            store_id: None,
            dc_id: Some(st.dc_id),
            line_count: priced.len() as i32,
            item_count: priced.iter().map(|l| l.quantity as i32).sum(),
            subtotal: Money(totals.subtotal_cents),
            discount: Money(totals.discount_cents),
            tax: Money(totals.tax_cents),
            total: Money(totals.total_cents),
            tender_type: tender.as_str().into(),
            promo_code: code,
            order_status: status.into(),
            picked_ts: lifecycle.map(|l| l.picked_ts),
            shipped_ts: lifecycle.and_then(|l| l.shipped_ts),
            delivered_ts: lifecycle.map(|l| l.delivered_ts),
            cancelled_ts: cancelled,
            attributed_impression_id: attribution.as_ref().map(|a| a.0.clone()),
            attributed_campaign_id: attribution.map(|a| a.1),
        });
    Ok(())
}

/// §7.9 allocation at P: reorders in (priority, store_id, product_id) order get
/// min(requested × capacity factor, ATP) units, reserved at the DC; grouped into shipments.
pub(crate) fn allocate(
    inputs: &DayInputs<'_>,
    st: &mut DcState,
    reorders: &[&PendingReorder],
    planning: Ts,
) -> Result<Vec<PlannedShipment>, FactsError> {
    let ctx = inputs.ctx;
    let site = DcSite {
        dc_id: st.dc_id,
        state: &inputs.models.dc_states[(st.dc_id - 1) as usize],
    };
    let factor = inputs
        .models
        .disruptions
        .dc_capacity_factor(&site, planning);
    let mut sorted: Vec<&PendingReorder> = reorders.to_vec();
    sorted.sort_by(|a, b| {
        (a.priority_rank, a.store_id, a.product_id, &a.reorder_id).cmp(&(
            b.priority_rank,
            b.store_id,
            b.product_id,
            &b.reorder_id,
        ))
    });
    let mut allocations = Vec::new();
    for r in sorted {
        let requested = if factor >= 1.0 {
            r.quantity
        } else {
            (r.quantity as f64 * factor.max(0.0)).floor() as i64
        };
        let ledger = ledger_mut(st, r.product_id)?;
        let units = requested.min(ledger.atp());
        if units <= 0 {
            continue;
        }
        ledger.reserve(units).map_err(patterns)?;
        let product = ctx
            .master
            .product(r.product_id)
            .ok_or_else(|| FactsError::Master(format!("product {} unknown", r.product_id)))?;
        allocations.push(Allocation {
            store_id: r.store_id,
            product_id: r.product_id,
            units: units as u32,
            refrigerated: product.requires_refrigeration,
            reorder_id: r.reorder_id.clone(),
        });
    }
    Ok(split_into_shipments(
        &allocations,
        ctx.config.volume.truck_capacity.max(1),
    )?)
}

/// Phase 3: the rest of the DC-local day, with the 23:00 purchase-order evaluation
/// [dc_day(dc, date)].
pub(crate) fn finish_day(
    inputs: &DayInputs<'_>,
    st: &mut DcState,
    work: &mut DcDayWork,
) -> Result<(), FactsError> {
    let ctx = inputs.ctx;
    let date = work.date;
    let tz = work.tz;
    let evaluation = local_to_utc(tz, date, 23 * 60)?;
    advance(inputs, st, work, evaluation)?;
    let site = DcSite {
        dc_id: st.dc_id,
        state: &inputs.models.dc_states[(st.dc_id - 1) as usize],
    };
    let extra = inputs
        .models
        .disruptions
        .supplier_lead_time_extra_days(&site, evaluation) as i64;
    let supply = &ctx.config.supply;
    let mut rng = Stream::new(ctx.seed, "dc_day", &[st.dc_id, date.0 as i64]);
    let mut seq = 0u32;
    for p in &ctx.master.products {
        if p.launch_date > date {
            continue;
        }
        let i = dc_index(st, p.product_id)?;
        let Some(quantity) = evaluate_purchase_order(&st.ledgers[i].0) else {
            continue;
        };
        seq += 1;
        let po = ids::purchase_order_id(st.dc_id, date, seq);
        let arrival = draw_purchase_order_arrival(
            supply.supplier_lead_time_days_min as i64,
            supply.supplier_lead_time_days_max as i64,
            &mut rng,
        );
        let day = date.plus_days((arrival.lead_days + extra) as i32);
        let local = day.to_naive().and_time(NaiveTime::MIN)
            + chrono::TimeDelta::microseconds(arrival.local_micros);
        let ts = resolve_local(tz, local);
        st.ledgers[i].0.add_on_order(quantity).map_err(patterns)?;
        let kind = DcEventKind::SupplierReceipt { quantity };
        st.queue
            .insert((ts, kind.rank(), po, None, p.product_id), kind);
    }
    let day_end = retail_patterns::localtime::local_midnight(tz, date.succ());
    advance(inputs, st, work, day_end)?;
    Ok(())
}
