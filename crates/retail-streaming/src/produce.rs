//! Event production: fact rows → events (events.md §6) in stream order (§9.2), and the paced
//! producer that feeds a sink from a sequence of generated days (§9.3).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use chrono::TimeZone;
use retail_facts::FactBatch;
use retail_master::MasterData;
use retail_schemas::events::{InventoryUpdated, OnlineOrderCreated, PromotionApplied};
use retail_schemas::tables::{FactOnlineOrderLine, FactPromoLine};
use retail_schemas::{Date, Envelope, EventType, Payload, Ts};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::error::SinkError;
use crate::event::EncodedEvent;
use crate::sink::EventSender;

/// What the pick and ship events of an online order need from its header row (the input of
/// [`carried_over_events`]); declared beside the event payloads it maps to.
pub use retail_schemas::events::OrderLifecycle;

/// Errors of event production.
#[derive(Debug, thiserror::Error)]
pub enum ProduceError {
    /// A fact row could not be turned into its event (inconsistent batch).
    #[error("building the {event_type} event of {key}: {message}")]
    Mapping {
        /// Event type being built.
        event_type: EventType,
        /// Source row key.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// An envelope could not be serialized.
    #[error("serializing the {event_type} event {trace_id}: {message}")]
    Encode {
        /// Event type.
        event_type: EventType,
        /// trace_id of the event.
        trace_id: String,
        /// Encoder message.
        message: String,
    },
    /// The sink stopped or failed.
    #[error(transparent)]
    Sink(#[from] SinkError),
}

/// One event of a day, before its envelope is stamped.
#[derive(Clone, Debug, PartialEq)]
pub struct DayEvent {
    /// The payload.
    pub payload: Payload,
    /// For `stockout_detected`: the depleting movement's correlation id (§4.2); unused otherwise.
    pub stockout_correlation: Option<String>,
    /// Position of the source row among the day's events of the same type, in source-table
    /// primary-key order (store inventory before DC inventory): the last tie breaker of §9.2.
    pub source_rank: u32,
}

impl DayEvent {
    /// `(event_ts, type rank, source rank)`: the order of §9.2.
    pub fn order_key(&self) -> (Ts, u8, u32) {
        (
            self.payload.event_ts(),
            self.payload.event_type().tie_break_rank(),
            self.source_rank,
        )
    }

    /// The envelope, stamped with `ingest_timestamp` (wall clock for network sinks, the
    /// payload's `event_ts` for the NDJSON file sink: see [`Envelope::for_file`]).
    pub fn into_envelope(self, seed: u64, ingest_timestamp: Ts) -> Envelope {
        let is_stockout = matches!(self.payload, Payload::StockoutDetected(_));
        let envelope = Envelope::new(seed, self.payload, ingest_timestamp);
        if is_stockout {
            envelope.with_correlation_id(self.stockout_correlation)
        } else {
            envelope
        }
    }

    /// The envelope of the NDJSON file sink: `ingest_timestamp` = `event_ts` (§9.1).
    pub fn into_file_envelope(self, seed: u64) -> Envelope {
        let ts = self.payload.event_ts();
        self.into_envelope(seed, ts)
    }
}

/// Node-local date of `ts` at the order's fulfilment node (store, else DC).
fn node_local_date(master: &MasterData, order: &OrderLifecycle, ts: Ts) -> Option<Date> {
    let tz = match (order.store_id, order.dc_id) {
        (Some(store), _) => master.store_tz(store)?,
        (None, Some(dc)) => master.dc_tz(dc)?,
        (None, None) => return None,
    };
    let local = tz.from_utc_datetime(&ts.to_datetime().naive_utc());
    Some(Date::from_naive(local.date_naive()))
}

fn mapping_error(event_type: EventType, key: &str, message: impl Into<String>) -> ProduceError {
    ProduceError::Mapping {
        event_type,
        key: key.to_owned(),
        message: message.into(),
    }
}

/// Every event of one generated day (events.md §6: one event per mapped source row), sorted
/// per §9.2 (`event_ts`, type rank, source primary key). `online_order_picked` / `_shipped`
/// events carry the order's pick / ship instant, which can fall on a later date than the day.
pub fn events_of_day(
    batch: &FactBatch,
    master: &MasterData,
) -> Result<Vec<DayEvent>, ProduceError> {
    let mut out: Vec<DayEvent> = Vec::with_capacity(batch.len());
    let mut counters: BTreeMap<u8, u32> = BTreeMap::new();
    let mut push = |out: &mut Vec<DayEvent>, payload: Payload, stockout_correlation| {
        let rank = counters
            .entry(payload.event_type().tie_break_rank())
            .or_default();
        out.push(DayEvent {
            payload,
            stockout_correlation,
            source_rank: *rank,
        });
        *rank += 1;
    };

    for r in &batch.fact_receipts {
        push(&mut out, Payload::ReceiptCreated(r.clone()), None);
    }
    for r in &batch.fact_receipt_lines {
        push(&mut out, Payload::ReceiptLineAdded(r.clone()), None);
    }
    for r in &batch.fact_payments {
        push(&mut out, Payload::PaymentProcessed(r.clone()), None);
    }

    // Online orders: created (with lines), picked, shipped.
    let mut order_lines: HashMap<&str, Vec<FactOnlineOrderLine>> = HashMap::new();
    for l in &batch.fact_online_order_lines {
        order_lines
            .entry(l.order_id.as_str())
            .or_default()
            .push(l.clone());
    }
    for h in &batch.fact_online_order_headers {
        let lines = order_lines
            .get(h.order_id.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let created = OnlineOrderCreated::from_fact(h, lines).map_err(|e| {
            mapping_error(EventType::OnlineOrderCreated, &h.order_id, e.to_string())
        })?;
        push(&mut out, Payload::OnlineOrderCreated(created), None);
    }
    let lifecycles: Vec<OrderLifecycle> = batch
        .fact_online_order_headers
        .iter()
        .map(OrderLifecycle::from_header)
        .collect();
    out.extend(order_progress_events(&lifecycles, master, None)?);

    // Inventory: store rows then DC rows; remember each movement's correlation id for the
    // stockouts it causes.
    let mut movement_correlation: HashMap<String, Option<String>> = HashMap::new();
    for r in &batch.fact_store_inventory_txn {
        let p = InventoryUpdated::from(r.clone());
        movement_correlation.insert(p.txn_id.clone(), p.reference_id.clone());
        push(&mut out, Payload::InventoryUpdated(p), None);
    }
    for r in &batch.fact_dc_inventory_txn {
        let p = InventoryUpdated::from(r.clone());
        movement_correlation.insert(p.txn_id.clone(), p.reference_id.clone());
        push(&mut out, Payload::InventoryUpdated(p), None);
    }
    for r in &batch.fact_truck_moves {
        if let Some(p) = Payload::from_truck_move(r.clone()) {
            push(&mut out, p, None);
        }
    }
    for r in &batch.fact_foot_traffic {
        push(&mut out, Payload::CustomerEntered(r.clone()), None);
    }
    for r in &batch.fact_ble_pings {
        push(&mut out, Payload::BlePingDetected(r.clone()), None);
    }
    for r in &batch.fact_customer_zone_changes {
        push(&mut out, Payload::CustomerZoneChanged(r.clone()), None);
    }
    for r in &batch.fact_marketing {
        push(&mut out, Payload::AdImpression(r.clone()), None);
    }

    let mut promo_lines: HashMap<&str, Vec<FactPromoLine>> = HashMap::new();
    for l in &batch.fact_promo_lines {
        promo_lines
            .entry(l.promotion_id.as_str())
            .or_default()
            .push(l.clone());
    }
    for p in &batch.fact_promotions {
        let lines = promo_lines
            .get(p.promotion_id.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let applied = PromotionApplied::from_fact(p.clone(), lines).map_err(|e| {
            mapping_error(EventType::PromotionApplied, &p.promotion_id, e.to_string())
        })?;
        push(&mut out, Payload::PromotionApplied(applied), None);
    }
    for r in &batch.fact_store_ops {
        if let Some(p) = Payload::from_store_ops(r.clone()) {
            push(&mut out, p, None);
        }
    }
    for r in &batch.fact_stockouts {
        // A depleting movement of an earlier day is not in this batch: fall back to its txn_id's
        // correlation being unknown (null), as the payload alone cannot tell it.
        let correlation = movement_correlation.get(&r.txn_id).cloned().flatten();
        push(&mut out, Payload::StockoutDetected(r.clone()), correlation);
    }
    for r in &batch.fact_reorders {
        push(&mut out, Payload::ReorderTriggered(r.clone()), None);
    }

    out.sort_by_key(DayEvent::order_key);
    Ok(out)
}

/// The `online_order_picked` then `online_order_shipped` events of `orders`, each type ranked
/// in `orders` order, dated at the node-local date of their instant; with `first_day`, the
/// events dated before it are left out (and not ranked).
fn order_progress_events(
    orders: &[OrderLifecycle],
    master: &MasterData,
    first_day: Option<Date>,
) -> Result<Vec<DayEvent>, ProduceError> {
    type Instant = fn(&OrderLifecycle) -> Option<Ts>;
    type Event = fn(&OrderLifecycle, Date) -> Option<Payload>;
    let kinds: [(EventType, Instant, Event); 2] = [
        (
            EventType::OnlineOrderPicked,
            |o| o.picked_ts,
            |o, date| o.picked_event(date).map(Payload::OnlineOrderPicked),
        ),
        (
            EventType::OnlineOrderShipped,
            |o| o.shipped_ts,
            |o, date| o.shipped_event(date).map(Payload::OnlineOrderShipped),
        ),
    ];
    let mut out = Vec::new();
    for (event_type, instant, event) in kinds {
        let mut rank = 0;
        for order in orders {
            let Some(ts) = instant(order) else { continue };
            let date = node_local_date(master, order, ts)
                .ok_or_else(|| mapping_error(event_type, &order.order_id, "unknown node"))?;
            if first_day.is_some_and(|first| date < first) {
                continue;
            }
            if let Some(payload) = event(order, date) {
                out.push(DayEvent {
                    payload,
                    stockout_correlation: None,
                    source_rank: rank,
                });
                rank += 1;
            }
        }
    }
    Ok(out)
}

/// The `online_order_picked` / `_shipped` events of orders created before `first_day` whose
/// pick or ship falls on `first_day` or later (node-local business date, as the file sink
/// files them). A stream that starts at `first_day` sends these with its first day: they
/// belong to its dates but their source rows were generated with an earlier day. Sorted per
/// §9.2.
pub fn carried_over_events(
    orders: &[OrderLifecycle],
    master: &MasterData,
    first_day: Date,
) -> Result<Vec<DayEvent>, ProduceError> {
    let mut sorted = orders.to_vec();
    sorted.sort_by(|a, b| a.order_id.cmp(&b.order_id));
    let mut out = order_progress_events(&sorted, master, Some(first_day))?;
    out.sort_by_key(DayEvent::order_key);
    Ok(out)
}

/// How events are spaced in time (events.md §9.3).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pacing {
    /// As fast as the rate cap allows.
    Unpaced,
    /// Event k at `start + (event_ts_k − event_ts_1) / speed`.
    Replay {
        /// Speed-up factor (> 0).
        speed: f64,
    },
    /// Event k when the wall clock reaches its `event_ts`; catch up at the rate cap when behind.
    Realtime,
}

/// Options of [`produce`].
#[derive(Clone, Debug)]
pub struct ProduceOptions {
    /// Seed of the dataset (trace ids).
    pub seed: u64,
    /// Spacing of events.
    pub pacing: Pacing,
    /// Cap in events per second (`None`: unlimited).
    pub max_events_per_second: Option<u64>,
    /// Stop after this many events.
    pub max_events: Option<u64>,
    /// Stop after this much wall time.
    pub duration: Option<Duration>,
    /// Only these types (`None`: all 18).
    pub event_types: Option<BTreeSet<EventType>>,
    /// `ingest_timestamp` = `event_ts` (file sink) instead of the wall clock.
    pub file_timestamps: bool,
    /// Events at the head of the (filtered) stream to pass over without encoding or sending:
    /// the resume position of an earlier run (events.md §9.3).
    pub skip_events: u64,
    /// When this receiver sees `true` (or its sender is dropped), production stops after the
    /// event being sent ([`StopReason::Stopped`]); pacing sleeps and backpressure waits are
    /// interrupted.
    pub stop: Option<tokio::sync::watch::Receiver<bool>>,
}

impl ProduceOptions {
    /// Unpaced, unlimited, every type, wall-clock ingest timestamps.
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            pacing: Pacing::Unpaced,
            max_events_per_second: None,
            max_events: None,
            duration: None,
            event_types: None,
            file_timestamps: false,
            skip_events: 0,
            stop: None,
        }
    }
}

/// What [`produce`] sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProduceSummary {
    /// Events handed to the sink.
    pub events_sent: u64,
    /// Events passed over at the head of the stream ([`ProduceOptions::skip_events`]).
    pub events_skipped: u64,
    /// Days whose events were taken from the source.
    pub days: u32,
    /// `event_ts` of the first event sent.
    pub first_event_ts: Option<Ts>,
    /// `event_ts` of the last event sent.
    pub last_event_ts: Option<Ts>,
    /// Why the run ended.
    pub stop: StopReason,
}

/// Why [`produce`] ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StopReason {
    /// The day source ended.
    #[default]
    SourceEnded,
    /// `max_events` reached.
    MaxEvents,
    /// `duration` elapsed.
    Duration,
    /// The stop signal of [`ProduceOptions::stop`] was raised.
    Stopped,
}

/// Wall clock in µs since the epoch.
fn wall_clock() -> Ts {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Ts(micros)
}

/// Serializes one event into what sinks consume.
pub fn encode(
    event: DayEvent,
    seed: u64,
    file_timestamps: bool,
) -> Result<EncodedEvent, ProduceError> {
    let envelope = if file_timestamps {
        event.into_file_envelope(seed)
    } else {
        event.into_envelope(seed, wall_clock())
    };
    let body = envelope.to_json().map_err(|e| ProduceError::Encode {
        event_type: envelope.event_type,
        trace_id: envelope.trace_id.to_string(),
        message: e.to_string(),
    })?;
    Ok(EncodedEvent::new(
        body,
        envelope.event_type.name(),
        envelope.trace_id.to_string(),
        envelope.partition_key,
        envelope.payload.event_ts().0,
    ))
}

struct Pacer {
    pacing: Pacing,
    rate: Option<u64>,
    started: Instant,
    first_ts: Option<Ts>,
    sent: u64,
}

impl Pacer {
    /// When event number `self.sent` with `event_ts` may leave.
    fn due(&mut self, event_ts: Ts) -> Option<Instant> {
        let first = *self.first_ts.get_or_insert(event_ts);
        let by_rate = self
            .rate
            .map(|r| self.started + Duration::from_secs_f64(self.sent as f64 / r as f64));
        let by_time = match self.pacing {
            Pacing::Unpaced => None,
            Pacing::Replay { speed } if speed > 0.0 => {
                let offset = (event_ts.0 - first.0).max(0) as f64 / 1e6 / speed;
                Some(self.started + Duration::from_secs_f64(offset))
            }
            Pacing::Replay { .. } => None,
            Pacing::Realtime => {
                let ahead = event_ts.0 - wall_clock().0;
                (ahead > 0).then(|| Instant::now() + Duration::from_micros(ahead as u64))
            }
        };
        match (by_rate, by_time) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }
}

fn stop_raised(stop: &Option<tokio::sync::watch::Receiver<bool>>) -> bool {
    stop.as_ref().is_some_and(|s| *s.borrow())
}

/// Waits until `stop` is raised or its sender is gone (a dropped sender counts as a stop).
async fn stop_signal(stop: &Option<tokio::sync::watch::Receiver<bool>>) {
    match stop {
        Some(stop) => {
            let mut stop = stop.clone();
            let _ = stop.wait_for(|raised| *raised).await;
        }
        None => std::future::pending().await,
    }
}

/// Sleeps until `until`; `false` when the stop signal came first.
async fn sleep_unless_stopped(
    until: Instant,
    stop: &Option<tokio::sync::watch::Receiver<bool>>,
) -> bool {
    tokio::select! {
        () = tokio::time::sleep_until(until) => true,
        () = stop_signal(stop) => false,
    }
}

/// Sends one event, waiting through backpressure; `false` when the stop signal came first
/// (the event is then not sent).
async fn send_unless_stopped(
    sender: &EventSender,
    event: EncodedEvent,
    stop: &Option<tokio::sync::watch::Receiver<bool>>,
) -> Result<bool, ProduceError> {
    if stop.is_none() {
        sender.send(event).await?;
        return Ok(true);
    }
    tokio::select! {
        biased;
        sent = sender.send(event) => { sent?; Ok(true) }
        () = stop_signal(stop) => Ok(false),
    }
}

/// Feeds `sender` with the events of the days received from `days` (each day's events sorted,
/// as [`events_of_day`] returns them), merged across days so the stream stays in §9.2 order,
/// paced per `options`. Returns when the source ends or a limit is reached; the caller drops
/// the sender and finishes the sink run.
pub async fn produce(
    mut days: mpsc::Receiver<Vec<DayEvent>>,
    sender: &EventSender,
    options: &ProduceOptions,
) -> Result<ProduceSummary, ProduceError> {
    let started = Instant::now();
    let deadline = options.duration.map(|d| started + d);
    let mut pacer = Pacer {
        pacing: options.pacing,
        rate: options.max_events_per_second.filter(|r| *r > 0),
        started,
        first_ts: None,
        sent: 0,
    };
    let mut summary = ProduceSummary::default();
    // Events not yet sent, in order; a later day can hold events earlier than an earlier
    // day's last ones (time zones, picks and shipments), so only events before the newest
    // day's first instant are released.
    let mut pending: std::collections::VecDeque<DayEvent> = Default::default();
    loop {
        let next = match &options.stop {
            Some(stop) => {
                let mut stop = stop.clone();
                tokio::select! {
                    day = days.recv() => day,
                    _ = stop.wait_for(|raised| *raised) => {
                        summary.stop = StopReason::Stopped;
                        return Ok(summary);
                    }
                }
            }
            None => days.recv().await,
        };
        let watermark = match next {
            Some(mut day) => {
                summary.days += 1;
                if let Some(types) = &options.event_types {
                    day.retain(|e| types.contains(&e.payload.event_type()));
                }
                let watermark = day.first().map(|e| e.payload.event_ts());
                if !day.is_empty() {
                    let mut merged: Vec<DayEvent> = pending.drain(..).collect();
                    let old = merged.len();
                    merged.extend(day);
                    if old > 0 {
                        // Stable sort on (ts, rank): the carried events keep their lead on ties.
                        merged.sort_by_key(|e| {
                            (
                                e.payload.event_ts(),
                                e.payload.event_type().tie_break_rank(),
                            )
                        });
                    }
                    pending = merged.into();
                }
                match watermark {
                    Some(w) => Some(w),
                    None => continue,
                }
            }
            None => None,
        };
        while let Some(front) = pending.front() {
            let ts = front.payload.event_ts();
            if watermark.is_some_and(|w| ts >= w) {
                break;
            }
            if summary.events_skipped < options.skip_events {
                pending.pop_front();
                summary.events_skipped += 1;
                continue;
            }
            if stop_raised(&options.stop) {
                summary.stop = StopReason::Stopped;
                return Ok(summary);
            }
            if options.max_events.is_some_and(|m| summary.events_sent >= m) {
                summary.stop = StopReason::MaxEvents;
                return Ok(summary);
            }
            if let Some(due) = pacer.due(ts) {
                if deadline.is_some_and(|d| due > d) {
                    let until = deadline.unwrap_or(due);
                    if !sleep_unless_stopped(until, &options.stop).await {
                        summary.stop = StopReason::Stopped;
                        return Ok(summary);
                    }
                    summary.stop = StopReason::Duration;
                    return Ok(summary);
                }
                if due > Instant::now() + Duration::from_millis(1)
                    && !sleep_unless_stopped(due, &options.stop).await
                {
                    summary.stop = StopReason::Stopped;
                    return Ok(summary);
                }
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                summary.stop = StopReason::Duration;
                return Ok(summary);
            }
            let Some(event) = pending.pop_front() else {
                break;
            };
            let encoded = encode(event, options.seed, options.file_timestamps)?;
            if !send_unless_stopped(sender, encoded, &options.stop).await? {
                summary.stop = StopReason::Stopped;
                return Ok(summary);
            }
            pacer.sent += 1;
            summary.events_sent += 1;
            summary.first_event_ts.get_or_insert(ts);
            summary.last_event_ts = Some(ts);
        }
        if watermark.is_none() {
            return Ok(summary);
        }
    }
}
