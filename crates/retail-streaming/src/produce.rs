//! Event production: fact rows → events (events.md §6) in stream order (§9.2), and the paced
//! producer that feeds a sink from a sequence of generated days (§9.3).

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use chrono::TimeZone;
use retail_facts::FactBatch;
use retail_master::MasterData;
use retail_schemas::events::{InventoryUpdated, OnlineOrderCreated, PromotionApplied};
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
    /// The payload, boxed: events are sorted and merged by the million, and payloads are large
    /// (a receipt is ~270 bytes) while the box is one word.
    pub payload: Box<Payload>,
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
        let is_stockout = matches!(*self.payload, Payload::StockoutDetected(_));
        let envelope = Envelope::new(seed, *self.payload, ingest_timestamp);
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
///
/// Copies the rows; [`events_of_day_owned`] moves them instead (what a stream does).
pub fn events_of_day(
    batch: &FactBatch,
    master: &MasterData,
) -> Result<Vec<DayEvent>, ProduceError> {
    events_of_day_owned(batch.clone(), master)
}

/// [`events_of_day`], consuming the batch: its rows become the payloads without a copy.
pub fn events_of_day_owned(
    batch: FactBatch,
    master: &MasterData,
) -> Result<Vec<DayEvent>, ProduceError> {
    let FactBatch {
        fact_receipts,
        fact_receipt_lines,
        fact_payments,
        fact_store_inventory_txn,
        fact_dc_inventory_txn,
        fact_truck_moves,
        fact_truck_inventory: _,
        fact_foot_traffic,
        fact_ble_pings,
        fact_customer_zone_changes,
        fact_marketing,
        fact_promotions,
        mut fact_promo_lines,
        fact_online_order_headers,
        mut fact_online_order_lines,
        fact_store_ops,
        fact_stockouts,
        fact_reorders,
    } = batch;
    let mut out: Vec<DayEvent> = Vec::with_capacity(
        fact_receipts.len()
            + fact_receipt_lines.len()
            + fact_payments.len()
            + fact_store_inventory_txn.len()
            + fact_dc_inventory_txn.len()
            + fact_truck_moves.len()
            + fact_foot_traffic.len()
            + fact_ble_pings.len()
            + fact_customer_zone_changes.len()
            + fact_marketing.len()
            + fact_promotions.len()
            + 3 * fact_online_order_headers.len()
            + fact_store_ops.len()
            + fact_stockouts.len()
            + fact_reorders.len(),
    );
    // Source rank per type rank (a type's events are pushed in source primary-key order).
    let mut counters = [0u32; 256];
    let mut push = |out: &mut Vec<DayEvent>, payload: Payload, stockout_correlation| {
        let rank = &mut counters[usize::from(payload.event_type().tie_break_rank())];
        out.push(DayEvent {
            payload: Box::new(payload),
            stockout_correlation,
            source_rank: *rank,
        });
        *rank += 1;
    };

    for r in fact_receipts {
        push(&mut out, Payload::ReceiptCreated(r), None);
    }
    for r in fact_receipt_lines {
        push(&mut out, Payload::ReceiptLineAdded(r), None);
    }
    for r in fact_payments {
        push(&mut out, Payload::PaymentProcessed(r), None);
    }

    // Online orders: created (with lines), picked, shipped. A stable sort keeps each order's
    // lines in batch order; an order's lines are then one contiguous run.
    fact_online_order_lines.sort_by(|a, b| a.order_id.cmp(&b.order_id));
    for h in &fact_online_order_headers {
        let lines = lines_of(&fact_online_order_lines, &h.order_id, |l| &l.order_id);
        let created = OnlineOrderCreated::from_fact(h, lines).map_err(|e| {
            mapping_error(EventType::OnlineOrderCreated, &h.order_id, e.to_string())
        })?;
        push(&mut out, Payload::OnlineOrderCreated(created), None);
    }
    drop(fact_online_order_lines);
    let lifecycles: Vec<OrderLifecycle> = fact_online_order_headers
        .iter()
        .map(OrderLifecycle::from_header)
        .collect();
    drop(fact_online_order_headers);
    out.extend(order_progress_events(&lifecycles, master, None)?);

    // Inventory: store rows then DC rows. A stockout's correlation id is that of the movement
    // that caused it, when that movement is one of this day's.
    let mut movement_correlation: HashMap<String, Option<String>> = fact_stockouts
        .iter()
        .map(|s| (s.txn_id.clone(), None))
        .collect();
    let movements = fact_store_inventory_txn
        .into_iter()
        .map(InventoryUpdated::from)
        .chain(
            fact_dc_inventory_txn
                .into_iter()
                .map(InventoryUpdated::from),
        );
    for p in movements {
        if let Some(slot) = movement_correlation.get_mut(&p.txn_id) {
            slot.clone_from(&p.reference_id);
        }
        push(&mut out, Payload::InventoryUpdated(p), None);
    }
    for r in fact_truck_moves {
        if let Some(p) = Payload::from_truck_move(r) {
            push(&mut out, p, None);
        }
    }
    for r in fact_foot_traffic {
        push(&mut out, Payload::CustomerEntered(r), None);
    }
    for r in fact_ble_pings {
        push(&mut out, Payload::BlePingDetected(r), None);
    }
    for r in fact_customer_zone_changes {
        push(&mut out, Payload::CustomerZoneChanged(r), None);
    }
    for r in fact_marketing {
        push(&mut out, Payload::AdImpression(r), None);
    }

    fact_promo_lines.sort_by(|a, b| a.promotion_id.cmp(&b.promotion_id));
    for p in fact_promotions {
        let lines = lines_of(&fact_promo_lines, &p.promotion_id, |l| &l.promotion_id);
        let promotion_id = p.promotion_id.clone();
        let applied = PromotionApplied::from_fact(p, lines).map_err(|e| {
            mapping_error(EventType::PromotionApplied, &promotion_id, e.to_string())
        })?;
        push(&mut out, Payload::PromotionApplied(applied), None);
    }
    for r in fact_store_ops {
        if let Some(p) = Payload::from_store_ops(r) {
            push(&mut out, p, None);
        }
    }
    for r in fact_stockouts {
        // A depleting movement of an earlier day is not in this batch: its correlation is
        // unknown (null), as the payload alone cannot tell it.
        let correlation = movement_correlation.get(&r.txn_id).cloned().flatten();
        push(&mut out, Payload::StockoutDetected(r), correlation);
    }
    for r in fact_reorders {
        push(&mut out, Payload::ReorderTriggered(r), None);
    }

    Ok(sorted_by_order_key(out))
}

/// The run of `lines` (sorted by parent id) whose parent id is `id`.
fn lines_of<'a, L>(lines: &'a [L], id: &str, parent: impl Fn(&L) -> &String) -> &'a [L] {
    let start = lines.partition_point(|l| parent(l).as_str() < id);
    let end = start + lines[start..].partition_point(|l| parent(l).as_str() == id);
    &lines[start..end]
}

/// `events` in §9.2 order, ties kept in input order (a stable sort). Events are large, so the
/// keys are sorted apart and the events then put in place by following the permutation's
/// cycles: each event moves about twice and no second day-sized buffer is allocated.
fn sorted_by_order_key(mut events: Vec<DayEvent>) -> Vec<DayEvent> {
    let mut keys: Vec<((Ts, u8, u32), u32)> = events
        .iter()
        .enumerate()
        .map(|(i, e)| (e.order_key(), i as u32))
        .collect();
    keys.sort_unstable();
    retail_facts::apply_permutation(&mut events, keys.into_iter().map(|(_, i)| i).collect());
    events
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
                    payload: Box::new(payload),
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

/// Events encoded but not yet handed to the sink. Unpaced, events are handed over in groups
/// (one wake-up of the sink task per group instead of per event); a group is handed over
/// before every pacing sleep and every return, so it never delays an event that is due.
struct Outbox {
    group: usize,
    events: Vec<EncodedEvent>,
}

impl Outbox {
    /// Events per hand-off (fewer when the sink's channel is smaller).
    const GROUP: usize = 64;

    fn new(channel_capacity: usize) -> Self {
        let group = Self::GROUP.min(channel_capacity).max(1);
        Outbox {
            group,
            events: Vec::with_capacity(group),
        }
    }

    fn len(&self) -> usize {
        self.events.len()
    }

    fn is_full(&self) -> bool {
        self.events.len() >= self.group
    }

    fn push(&mut self, event: EncodedEvent) {
        self.events.push(event);
    }

    /// Hands the group to the sink, waiting through backpressure, and counts it in `summary`;
    /// `false` when the stop signal came first (the group is then not sent, and not counted).
    async fn flush(
        &mut self,
        sender: &EventSender,
        stop: &Option<tokio::sync::watch::Receiver<bool>>,
        summary: &mut ProduceSummary,
    ) -> Result<bool, ProduceError> {
        if self.events.is_empty() {
            return Ok(true);
        }
        let count = self.events.len() as u64;
        let event_ts = |e: &EncodedEvent| Ts(e.event_ts_micros);
        let (first, last) = (
            self.events.first().map(event_ts),
            self.events.last().map(event_ts),
        );
        let group = self.events.drain(..);
        let sent = match stop {
            None => {
                sender.send_batch(group).await?;
                true
            }
            Some(_) => {
                tokio::select! {
                    biased;
                    sent = sender.send_batch(group) => { sent?; true }
                    () = stop_signal(stop) => false,
                }
            }
        };
        // A group interrupted by the stop signal was dropped whole (`send_batch` queues all
        // or nothing).
        self.events.clear();
        if sent {
            summary.events_sent += count;
            if summary.first_event_ts.is_none() {
                summary.first_event_ts = first;
            }
            summary.last_event_ts = last;
        }
        Ok(sent)
    }
}

/// The merge key across days (§9.2 without the source rank, which is per day).
fn merge_key(e: &DayEvent) -> (Ts, u8) {
    (
        e.payload.event_ts(),
        e.payload.event_type().tie_break_rank(),
    )
}

/// Events not yet sent, in §9.2 order: a merged head, then the rest of the newest day, left in
/// that day's own buffer (a day is about a million events: it is not copied again).
struct Pending {
    head: std::collections::VecDeque<DayEvent>,
    tail: std::vec::IntoIter<DayEvent>,
}

impl Pending {
    fn new() -> Self {
        Pending {
            head: Default::default(),
            tail: Vec::new().into_iter(),
        }
    }

    fn front(&self) -> Option<&DayEvent> {
        self.head.front().or_else(|| self.tail.as_slice().first())
    }

    fn pop_front(&mut self) -> Option<DayEvent> {
        self.head.pop_front().or_else(|| self.tail.next())
    }

    /// Adds a day's events (in §9.2 order). The result is that of a stable sort, on
    /// `(event_ts, type rank)`, of the pending events followed by the day's: on ties the
    /// pending (earlier-day) events keep their lead. Only the day's events up to the last
    /// pending one are merged; the others stay where they are.
    fn add_day(&mut self, day: Vec<DayEvent>) {
        let last = self
            .tail
            .as_slice()
            .last()
            .or_else(|| self.head.back())
            .map(merge_key);
        let Some(last) = last else {
            self.tail = day.into_iter();
            return;
        };
        let mut day = day.into_iter();
        let overlap = day.as_slice().partition_point(|e| merge_key(e) <= last);
        let mut earlier = std::mem::take(&mut self.head)
            .into_iter()
            .chain(std::mem::replace(&mut self.tail, Vec::new().into_iter()))
            .peekable();
        let mut later = day.by_ref().take(overlap).peekable();
        let mut merged = std::collections::VecDeque::new();
        loop {
            let take_earlier = match (earlier.peek(), later.peek()) {
                (Some(a), Some(b)) => merge_key(a) <= merge_key(b),
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let next = if take_earlier {
                earlier.next()
            } else {
                later.next()
            };
            merged.extend(next);
        }
        drop(later);
        self.head = merged;
        self.tail = day;
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
    let mut pending = Pending::new();
    let mut outbox = Outbox::new(sender.max_capacity());
    // Hands the outbox to the sink; returns from `produce` as stopped if the stop signal
    // came first.
    macro_rules! flush_or_stop {
        () => {
            if !outbox.flush(sender, &options.stop, &mut summary).await? {
                summary.stop = StopReason::Stopped;
                return Ok(summary);
            }
        };
    }
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
                    pending.add_day(day);
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
            if options
                .max_events
                .is_some_and(|m| summary.events_sent + outbox.len() as u64 >= m)
            {
                flush_or_stop!();
                summary.stop = StopReason::MaxEvents;
                return Ok(summary);
            }
            if let Some(due) = pacer.due(ts) {
                if deadline.is_some_and(|d| due > d) {
                    flush_or_stop!();
                    let until = deadline.unwrap_or(due);
                    if !sleep_unless_stopped(until, &options.stop).await {
                        summary.stop = StopReason::Stopped;
                        return Ok(summary);
                    }
                    summary.stop = StopReason::Duration;
                    return Ok(summary);
                }
                if due > Instant::now() + Duration::from_millis(1) {
                    flush_or_stop!();
                    if !sleep_unless_stopped(due, &options.stop).await {
                        summary.stop = StopReason::Stopped;
                        return Ok(summary);
                    }
                }
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                flush_or_stop!();
                summary.stop = StopReason::Duration;
                return Ok(summary);
            }
            let Some(event) = pending.pop_front() else {
                break;
            };
            outbox.push(encode(event, options.seed, options.file_timestamps)?);
            pacer.sent += 1;
            if outbox.is_full() {
                flush_or_stop!();
            }
        }
        // Nothing more is due before the next day arrives: hand over what is encoded.
        flush_or_stop!();
        if watermark.is_none() {
            return Ok(summary);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use retail_schemas::tables::FactStoreOps;

    /// Store-opened/closed events with few distinct instants (many ties); `store_id` numbers
    /// them so an order can be compared exactly.
    fn events(count: usize, seed: u64) -> Vec<DayEvent> {
        let mut x = seed;
        (0..count)
            .map(|i| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let opened = (x >> 33) % 2 == 0;
                let payload = Payload::from_store_ops(FactStoreOps {
                    store_id: i as i64,
                    event_ts: Ts(((x >> 40) % 16) as i64 * 1_000_000),
                    operation_type: if opened { "OPENED" } else { "CLOSED" }.into(),
                    business_date: Date(0),
                    reason: "REGULAR_HOURS".into(),
                })
                .unwrap();
                DayEvent {
                    payload: Box::new(payload),
                    stockout_correlation: None,
                    source_rank: ((x >> 20) % 4) as u32,
                }
            })
            .collect()
    }

    fn ids(events: &[DayEvent]) -> Vec<i64> {
        events
            .iter()
            .map(|e| match &*e.payload {
                Payload::StoreOpened(r) | Payload::StoreClosed(r) => r.store_id,
                _ => unreachable!("only store operations are built"),
            })
            .collect()
    }

    #[test]
    fn the_key_sort_equals_a_stable_sort() {
        for (count, seed) in [(0, 1), (1, 2), (2, 3), (1000, 4), (5000, 5)] {
            let mut expected = events(count, seed);
            expected.sort_by_key(DayEvent::order_key);
            let got = sorted_by_order_key(events(count, seed));
            assert_eq!(ids(&got), ids(&expected), "{count} events, seed {seed}");
        }
    }

    #[test]
    fn adding_a_day_equals_a_stable_sort_of_what_is_pending_then_the_day() {
        for (popped, seed) in [(0, 7), (10, 8), (400, 9), (1000, 10)] {
            let mut first = events(1000, seed);
            first.sort_by_key(merge_key);
            let mut second = events(1500, seed + 100);
            for e in &mut second {
                // Number the second day's events after the first day's.
                if let Payload::StoreOpened(r) | Payload::StoreClosed(r) = &mut *e.payload {
                    r.store_id += 10_000;
                }
            }
            second.sort_by_key(merge_key);

            let mut expected: Vec<DayEvent> = first[popped..].to_vec();
            expected.extend(second.iter().cloned());
            expected.sort_by_key(merge_key);

            let mut pending = Pending::new();
            pending.add_day(first);
            for _ in 0..popped {
                pending.pop_front().unwrap();
            }
            pending.add_day(second);
            let mut got = Vec::new();
            while let Some(front) = pending.front().map(merge_key) {
                let e = pending.pop_front().unwrap();
                assert_eq!(merge_key(&e), front);
                got.push(e);
            }
            assert_eq!(ids(&got), ids(&expected), "{popped} popped, seed {seed}");
        }
    }
}
