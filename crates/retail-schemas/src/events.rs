//! The 18 event types of events.md: envelope, payloads, identity and linkage.
//!
//! A payload is a fact row (events.md §1): eleven event types carry a fact row type of
//! [`crate::tables`] unchanged; the others are declared here with [`contract_table!`]. Every
//! envelope field is derived from the payload and the seed ([`Envelope::new`]): `trace_id` per
//! §4.1, `correlation_id` / `session_id` / `parent_event_id` per §4.2, `partition_key` per §5.1.
//!
//! ```
//! use retail_schemas::events::{Envelope, EventType, Payload};
//! use retail_schemas::tables::FactStoreOps;
//! use retail_schemas::{Date, Ts};
//! let row = FactStoreOps {
//!     store_id: 5,
//!     event_ts: Ts::parse_rfc3339("2024-03-06T14:00:00Z").unwrap(),
//!     operation_type: "OPENED".into(),
//!     business_date: Date::parse("2024-03-06").unwrap(),
//!     reason: "REGULAR_HOURS".into(),
//! };
//! let event = Envelope::for_file(42, Payload::from_store_ops(row).unwrap());
//! assert_eq!(event.event_type, EventType::StoreOpened);
//! assert_eq!(event.trace_id.to_string(), "58418e35-a67e-59a0-bc10-7c3baf75fc5c");
//! assert_eq!(event.partition_key, "store-5");
//! ```

use std::borrow::Cow;
use std::fmt::Write as _;

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::contract_table;
use crate::row::{DecodeError, DynRow, Lines, Row, TableDef};
use crate::tables::{
    FactBlePing, FactCustomerZoneChange, FactDcInventoryTxn, FactFootTraffic, FactMarketing,
    FactOnlineOrderHeader, FactOnlineOrderLine, FactPayment, FactPromoLine, FactPromotion,
    FactReceipt, FactReceiptLine, FactReorder, FactStockout, FactStoreInventoryTxn, FactStoreOps,
    FactTruckMove,
};
use crate::types::{Date, Money, Ts};

/// The envelope's `schema_version` for this contract.
pub const SCHEMA_VERSION: &str = "1.0";
/// The envelope's `source`.
pub const SOURCE: &str = "retail-datagen";
/// Namespace of every `trace_id`: UUIDv5(URL namespace, `urn:retail-datagen:event`) (§4.1).
pub const TRACE_NAMESPACE: Uuid = Uuid::from_u128(0x56057053_d6e4_504b_ad46_5800de60f7aa);

/// The 18 event types, in events.md §4.1 order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventType {
    /// `receipt_created` (§7.1).
    ReceiptCreated,
    /// `receipt_line_added` (§7.2).
    ReceiptLineAdded,
    /// `payment_processed` (§7.3).
    PaymentProcessed,
    /// `inventory_updated` (§7.4).
    InventoryUpdated,
    /// `stockout_detected` (§7.5).
    StockoutDetected,
    /// `reorder_triggered` (§7.6).
    ReorderTriggered,
    /// `customer_entered` (§7.7).
    CustomerEntered,
    /// `customer_zone_changed` (§7.8).
    CustomerZoneChanged,
    /// `ble_ping_detected` (§7.9).
    BlePingDetected,
    /// `truck_arrived` (§7.10).
    TruckArrived,
    /// `truck_departed` (§7.11).
    TruckDeparted,
    /// `store_opened` (§7.12).
    StoreOpened,
    /// `store_closed` (§7.13).
    StoreClosed,
    /// `ad_impression` (§7.14).
    AdImpression,
    /// `promotion_applied` (§7.15).
    PromotionApplied,
    /// `online_order_created` (§7.16).
    OnlineOrderCreated,
    /// `online_order_picked` (§7.17).
    OnlineOrderPicked,
    /// `online_order_shipped` (§7.18).
    OnlineOrderShipped,
}

impl EventType {
    const ALL: [EventType; 18] = [
        EventType::ReceiptCreated,
        EventType::ReceiptLineAdded,
        EventType::PaymentProcessed,
        EventType::InventoryUpdated,
        EventType::StockoutDetected,
        EventType::ReorderTriggered,
        EventType::CustomerEntered,
        EventType::CustomerZoneChanged,
        EventType::BlePingDetected,
        EventType::TruckArrived,
        EventType::TruckDeparted,
        EventType::StoreOpened,
        EventType::StoreClosed,
        EventType::AdImpression,
        EventType::PromotionApplied,
        EventType::OnlineOrderCreated,
        EventType::OnlineOrderPicked,
        EventType::OnlineOrderShipped,
    ];

    /// All 18 types in events.md §4.1 / §7 order.
    pub fn all() -> [EventType; 18] {
        Self::ALL
    }

    /// The lower snake_case name (`receipt_created`), also the KQL table name.
    pub fn name(self) -> &'static str {
        match self {
            EventType::ReceiptCreated => "receipt_created",
            EventType::ReceiptLineAdded => "receipt_line_added",
            EventType::PaymentProcessed => "payment_processed",
            EventType::InventoryUpdated => "inventory_updated",
            EventType::StockoutDetected => "stockout_detected",
            EventType::ReorderTriggered => "reorder_triggered",
            EventType::CustomerEntered => "customer_entered",
            EventType::CustomerZoneChanged => "customer_zone_changed",
            EventType::BlePingDetected => "ble_ping_detected",
            EventType::TruckArrived => "truck_arrived",
            EventType::TruckDeparted => "truck_departed",
            EventType::StoreOpened => "store_opened",
            EventType::StoreClosed => "store_closed",
            EventType::AdImpression => "ad_impression",
            EventType::PromotionApplied => "promotion_applied",
            EventType::OnlineOrderCreated => "online_order_created",
            EventType::OnlineOrderPicked => "online_order_picked",
            EventType::OnlineOrderShipped => "online_order_shipped",
        }
    }

    /// The type with this name.
    pub fn parse(name: &str) -> Option<EventType> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Rank used to break `event_ts` ties in emission order (events.md §9.2): causes first.
    pub fn tie_break_rank(self) -> u8 {
        match self {
            EventType::StoreOpened => 0,
            EventType::TruckArrived => 1,
            EventType::TruckDeparted => 2,
            EventType::CustomerEntered => 3,
            EventType::BlePingDetected => 4,
            EventType::CustomerZoneChanged => 5,
            EventType::AdImpression => 6,
            EventType::OnlineOrderCreated => 7,
            EventType::OnlineOrderPicked => 8,
            EventType::OnlineOrderShipped => 9,
            EventType::ReceiptCreated => 10,
            EventType::ReceiptLineAdded => 11,
            EventType::PromotionApplied => 12,
            EventType::PaymentProcessed => 13,
            EventType::InventoryUpdated => 14,
            EventType::StockoutDetected => 15,
            EventType::ReorderTriggered => 16,
            EventType::StoreClosed => 17,
        }
    }

    /// The definition of this event's payload (a fact table or a payload declared here).
    pub fn payload_def(self) -> &'static TableDef {
        use crate::tables::*;
        match self {
            EventType::ReceiptCreated => &FACT_RECEIPTS,
            EventType::ReceiptLineAdded => &FACT_RECEIPT_LINES,
            EventType::PaymentProcessed => &FACT_PAYMENTS,
            EventType::InventoryUpdated => &INVENTORY_UPDATED,
            EventType::StockoutDetected => &FACT_STOCKOUTS,
            EventType::ReorderTriggered => &FACT_REORDERS,
            EventType::CustomerEntered => &FACT_FOOT_TRAFFIC,
            EventType::CustomerZoneChanged => &FACT_CUSTOMER_ZONE_CHANGES,
            EventType::BlePingDetected => &FACT_BLE_PINGS,
            EventType::TruckArrived | EventType::TruckDeparted => &FACT_TRUCK_MOVES,
            EventType::StoreOpened | EventType::StoreClosed => &FACT_STORE_OPS,
            EventType::AdImpression => &FACT_MARKETING,
            EventType::PromotionApplied => &PROMOTION_APPLIED,
            EventType::OnlineOrderCreated => &ONLINE_ORDER_CREATED,
            EventType::OnlineOrderPicked => &ONLINE_ORDER_PICKED,
            EventType::OnlineOrderShipped => &ONLINE_ORDER_SHIPPED,
        }
    }

    /// The fact table the events come from (events.md §6).
    pub fn source_table(self) -> &'static str {
        match self {
            EventType::InventoryUpdated => "fact_store_inventory_txn, fact_dc_inventory_txn",
            EventType::PromotionApplied => "fact_promotions (+ fact_promo_lines)",
            EventType::OnlineOrderCreated => {
                "fact_online_order_headers (+ fact_online_order_lines)"
            }
            EventType::OnlineOrderPicked | EventType::OnlineOrderShipped => {
                "fact_online_order_headers"
            }
            other => other.payload_def().name,
        }
    }

    /// Names of the natural-key parts of §4.1, in order.
    pub fn natural_key(self) -> &'static [&'static str] {
        match self {
            EventType::ReceiptCreated => &["receipt_id"],
            EventType::ReceiptLineAdded => &["receipt_id", "line_number"],
            EventType::PaymentProcessed => &["payment_id"],
            EventType::InventoryUpdated => &["txn_id"],
            EventType::StockoutDetected => &["stockout_id"],
            EventType::ReorderTriggered => &["reorder_id"],
            EventType::CustomerEntered => &["store_id", "zone", "interval_start_ts"],
            EventType::CustomerZoneChanged => &["visit_id", "change_number"],
            EventType::BlePingDetected => &["visit_id", "ping_number"],
            EventType::TruckArrived | EventType::TruckDeparted => &["shipment_id", "status"],
            EventType::StoreOpened | EventType::StoreClosed => {
                &["store_id", "event_ts", "operation_type"]
            }
            EventType::AdImpression => &["impression_id"],
            EventType::PromotionApplied => &["promotion_id"],
            EventType::OnlineOrderCreated
            | EventType::OnlineOrderPicked
            | EventType::OnlineOrderShipped => &["order_id"],
        }
    }

    /// The `trace_id` of the occurrence of this type with the given natural-key parts (§4.1):
    /// UUIDv5 of `{seed}|{event_type}|{part}|{part}…`.
    pub fn trace_id(self, seed: u64, key: &[KeyPart<'_>]) -> Uuid {
        let mut name = String::with_capacity(96);
        let _ = write!(name, "{seed}|{}", self.name());
        for part in key {
            name.push('|');
            match part {
                KeyPart::Str(s) => name.push_str(s),
                KeyPart::Int(i) => {
                    let _ = write!(name, "{i}");
                }
                KeyPart::Ts(ts) => {
                    let mut buf = Vec::with_capacity(30);
                    if crate::json::write_ts(&mut buf, *ts).is_ok() {
                        // Strip the quotes the JSON writer adds.
                        name.push_str(std::str::from_utf8(&buf[1..buf.len() - 1]).unwrap_or(""));
                    } else {
                        let _ = write!(name, "{}", ts.0);
                    }
                }
            }
        }
        Uuid::new_v5(&TRACE_NAMESPACE, name.as_bytes())
    }

    /// Rule for `correlation_id` / `session_id` / `parent_event_id` (§4.2), for documentation.
    pub fn linkage_rule(self) -> [&'static str; 3] {
        match self {
            EventType::ReceiptCreated => [
                "receipt_id",
                "visit_id (SALE), null (RETURN)",
                "null (SALE); receipt_created of original_receipt_id (RETURN)",
            ],
            EventType::ReceiptLineAdded => [
                "receipt_id",
                "as its receipt (VIS- + the coordinates of an RCP- receipt, else null)",
                "receipt_created of the receipt",
            ],
            EventType::PaymentProcessed => [
                "receipt_id or order_id",
                "visit_id for in-store SALE charges, else null",
                "receipt_created / online_order_created of the purchase",
            ],
            EventType::InventoryUpdated => [
                "reference_id (null for CYCLE_COUNT)",
                "visit_id for SALE movements, else null",
                "SALE, RETURN, DAMAGED, RETURN_TO_VENDOR: receipt_line_added of (reference_id, reference_line_number); ONLINE_PICK: online_order_picked of the order; INBOUND_SHIPMENT: truck_arrived of the shipment; others null",
            ],
            EventType::StockoutDetected => [
                "correlation_id of the depleting movement (supplied by the producer)",
                "null",
                "inventory_updated of txn_id",
            ],
            EventType::ReorderTriggered => ["reorder_id", "null", "null"],
            EventType::CustomerEntered => ["null", "null", "null"],
            EventType::CustomerZoneChanged => [
                "receipt_id of the visit (RCP- + visit coordinates)",
                "visit_id",
                "ble_ping_detected of (visit_id, ping_number)",
            ],
            EventType::BlePingDetected => ["receipt_id of the visit", "visit_id", "null"],
            EventType::TruckArrived => ["shipment_id", "null", "null"],
            EventType::TruckDeparted => ["shipment_id", "null", "truck_arrived of the shipment"],
            EventType::StoreOpened | EventType::StoreClosed => ["null", "null", "null"],
            EventType::AdImpression => ["campaign_id", "null", "null"],
            EventType::PromotionApplied => [
                "receipt_id or order_id",
                "visit_id (in-store), else null",
                "receipt_created / online_order_created",
            ],
            EventType::OnlineOrderCreated => ["order_id", "null", "null"],
            EventType::OnlineOrderPicked => ["order_id", "null", "online_order_created"],
            EventType::OnlineOrderShipped => ["order_id", "null", "online_order_picked"],
        }
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One part of a natural key (§4.1): strings verbatim, integers in decimal, timestamps in the
/// §3 format.
#[derive(Clone, Copy, Debug)]
pub enum KeyPart<'a> {
    /// A string part.
    Str(&'a str),
    /// An integer part.
    Int(i64),
    /// A timestamp part.
    Ts(Ts),
}

contract_table! {
    /// Payload of `inventory_updated`: a store or DC inventory movement (events.md §7.4).
    pub struct InventoryUpdated as INVENTORY_UPDATED {
        table: "inventory_updated",
        kind: Payload,
        grain: "one stock movement of one product at one store or DC.",
        key: [txn_id],
        fields: {
            /// Store (`SIT-…`) or DC (`DIT-…`) txn_id
            txn_id: String,
            /// Movement instant
            event_ts: Ts,
            /// Location-local date
            business_date: Date,
            /// STORE / DC
            location_type: String,
            /// Set iff STORE
            store_id: Option<i64>,
            /// Set iff DC
            dc_id: Option<i64>,
            /// FK dim_products
            product_id: i64,
            /// Per (location, product) sequence
            ledger_seq: i64,
            /// Store or DC txn type (data contract)
            txn_type: String,
            /// Signed delta ≠ 0
            quantity: i32,
            /// On-hand after the movement ≥ 0
            balance: i32,
            /// RECEIPT / SHIPMENT / ORDER / CYCLE_COUNT / PURCHASE_ORDER
            reference_type: String,
            /// As in the fact table
            reference_id: Option<String>,
            /// As in the fact table
            reference_line_number: Option<i32>,
        }
    }
}

contract_table! {
    /// One embedded line of `promotion_applied` (a `fact_promo_lines` row without the columns it shares with its promotion).
    pub struct PromotionLine as PROMOTION_APPLIED_LINE {
        table: "promotion_applied.lines",
        kind: LineItem,
        grain: "one discounted line of the promotion, ordered by line_number.",
        key: [line_number],
        fields: {
            /// = the discounted receipt / order line number
            line_number: i32,
            /// FK dim_products
            product_id: i64,
            /// Line quantity
            quantity: i32,
            /// = line gross_cents
            gross: Money,
            /// = line discount_cents (> 0)
            discount: Money,
        }
    }
}

contract_table! {
    /// Payload of `promotion_applied`: a `fact_promotions` row with its promo lines embedded (events.md §7.15).
    pub struct PromotionApplied as PROMOTION_APPLIED {
        table: "promotion_applied",
        kind: Payload,
        grain: "one applied promotion code on one purchase, with its discounted lines.",
        key: [promotion_id],
        fields: {
            /// `PRM-{purchase_id}-{promo_code}`
            promotion_id: String,
            /// = purchase `event_ts`
            event_ts: Ts,
            /// = purchase `business_date`
            business_date: Date,
            /// STORE / ONLINE
            channel: String,
            /// FK fact_receipts (STORE); exactly one of receipt_id / order_id
            receipt_id: Option<String>,
            /// FK fact_online_order_headers (ONLINE)
            order_id: Option<String>,
            /// Purchase store / fulfilling store, else NULL
            store_id: Option<i64>,
            /// Fulfilling DC of a DC order, else NULL
            dc_id: Option<i64>,
            /// FK dim_customers
            customer_id: i64,
            /// Code from the promotion table (data-contract §7.6)
            promo_code: String,
            /// PERCENTAGE / BOGO
            discount_type: String,
            /// Percentage of the code (BOGO50 → 50)
            discount_pct: i32,
            /// Number of discounted lines (≥ 1)
            line_count: i32,
            /// Distinct product ids of the discounted lines, ascending
            product_ids: Vec<i64>,
            /// Σ discount_cents of the discounted lines (> 0)
            discount: Money,
            /// The promotion's `fact_promo_lines` rows, ordered by line_number
            lines: Lines<PromotionLine>,
        }
    }
}

contract_table! {
    /// One embedded line of `online_order_created` (a `fact_online_order_lines` row without order_id, event_ts, business_date).
    pub struct OnlineOrderLineItem as ONLINE_ORDER_CREATED_LINE {
        table: "online_order_created.lines",
        kind: LineItem,
        grain: "one product line of the order, ordered by line_number.",
        key: [line_number],
        fields: {
            /// 1..line_count
            line_number: i32,
            /// FK dim_products; launched and available at the node when ordered
            product_id: i64,
            /// 1..3
            quantity: i32,
            /// Product `sale_price_cents`
            unit_price: Money,
            /// `unit_price_cents × quantity`
            gross: Money,
            /// Promotion discount (0 when none)
            discount: Money,
            /// `gross_cents − discount_cents`
            net: Money,
            /// Same formula as receipt lines with the order's tax rate (data-contract §7.7)
            tax: Money,
            /// Code that discounted the line, else NULL
            promo_code: Option<String>,
            /// FULFILLED / CANCELLED (= CANCELLED iff order CANCELLED)
            line_status: String,
        }
    }
}

contract_table! {
    /// Payload of `online_order_created`: an order header without its lifecycle columns, lines embedded (events.md §7.16).
    pub struct OnlineOrderCreated as ONLINE_ORDER_CREATED {
        table: "online_order_created",
        kind: Payload,
        grain: "one online order at creation, with its lines.",
        key: [order_id],
        fields: {
            /// `ORD-S{store:05}-{yyyymmdd}-{seq:05}` or `ORD-D{dc:03}-{yyyymmdd}-{seq:05}` (node, node-local date)
            order_id: String,
            /// Order creation instant
            event_ts: Ts,
            /// Node-local date of `event_ts`
            business_date: Date,
            /// FK dim_customers
            customer_id: i64,
            /// SHIP_FROM_DC / SHIP_FROM_STORE / BOPIS
            fulfillment_mode: String,
            /// DC for SHIP_FROM_DC, else STORE
            node_type: String,
            /// FK dim_stores; set iff node_type = STORE
            store_id: Option<i64>,
            /// FK dim_distribution_centers; set iff node_type = DC
            dc_id: Option<i64>,
            /// 1..8
            line_count: i32,
            /// Σ line quantity
            item_count: i32,
            /// Σ line gross_cents
            subtotal: Money,
            /// Σ line discount_cents
            discount: Money,
            /// Σ line tax_cents
            tax: Money,
            /// `subtotal_cents − discount_cents + tax_cents`
            total: Money,
            /// Tender of the APPROVED charge
            tender_type: String,
            /// Applied code or NULL
            promo_code: Option<String>,
            /// Last-touch impression within 7 days (data-contract §7.12)
            attributed_impression_id: Option<String>,
            /// Campaign of `attributed_impression_id`
            attributed_campaign_id: Option<String>,
            /// The order's `fact_online_order_lines` rows, ordered by line_number
            lines: Lines<OnlineOrderLineItem>,
        }
    }
}

contract_table! {
    /// Payload of `online_order_picked` (events.md §7.17).
    pub struct OnlineOrderPicked as ONLINE_ORDER_PICKED {
        table: "online_order_picked",
        kind: Payload,
        grain: "one picked online order.",
        key: [order_id],
        fields: {
            /// FK online order
            order_id: String,
            /// picked_ts of the order
            event_ts: Ts,
            /// Node-local date of `event_ts`
            business_date: Date,
            /// Order customer
            customer_id: i64,
            /// As on the order
            fulfillment_mode: String,
            /// STORE / DC
            node_type: String,
            /// Set iff node_type = STORE
            store_id: Option<i64>,
            /// Set iff node_type = DC
            dc_id: Option<i64>,
            /// As on the order
            line_count: i32,
            /// As on the order
            item_count: i32,
        }
    }
}

contract_table! {
    /// Payload of `online_order_shipped` (events.md §7.18).
    pub struct OnlineOrderShipped as ONLINE_ORDER_SHIPPED {
        table: "online_order_shipped",
        kind: Payload,
        grain: "one online order handed to the carrier.",
        key: [order_id],
        fields: {
            /// FK online order
            order_id: String,
            /// shipped_ts of the order
            event_ts: Ts,
            /// Node-local date of `event_ts`
            business_date: Date,
            /// Order customer
            customer_id: i64,
            /// As on the order
            fulfillment_mode: String,
            /// STORE / DC
            node_type: String,
            /// Set iff node_type = STORE
            store_id: Option<i64>,
            /// Set iff node_type = DC
            dc_id: Option<i64>,
            /// As on the order
            line_count: i32,
            /// As on the order
            item_count: i32,
        }
    }
}

/// The payload definitions declared here (not fact tables), with their line items.
pub fn payload_tables() -> [&'static TableDef; 7] {
    [
        &INVENTORY_UPDATED,
        &PROMOTION_APPLIED,
        &PROMOTION_APPLIED_LINE,
        &ONLINE_ORDER_CREATED,
        &ONLINE_ORDER_CREATED_LINE,
        &ONLINE_ORDER_PICKED,
        &ONLINE_ORDER_SHIPPED,
    ]
}

impl From<FactStoreInventoryTxn> for InventoryUpdated {
    fn from(t: FactStoreInventoryTxn) -> Self {
        InventoryUpdated {
            txn_id: t.txn_id,
            event_ts: t.event_ts,
            business_date: t.business_date,
            location_type: "STORE".into(),
            store_id: Some(t.store_id),
            dc_id: None,
            product_id: t.product_id,
            ledger_seq: t.ledger_seq,
            txn_type: t.txn_type,
            quantity: t.quantity,
            balance: t.balance,
            reference_type: t.reference_type,
            reference_id: t.reference_id,
            reference_line_number: t.reference_line_number,
        }
    }
}

impl From<FactDcInventoryTxn> for InventoryUpdated {
    fn from(t: FactDcInventoryTxn) -> Self {
        InventoryUpdated {
            txn_id: t.txn_id,
            event_ts: t.event_ts,
            business_date: t.business_date,
            location_type: "DC".into(),
            store_id: None,
            dc_id: Some(t.dc_id),
            product_id: t.product_id,
            ledger_seq: t.ledger_seq,
            txn_type: t.txn_type,
            quantity: t.quantity,
            balance: t.balance,
            reference_type: t.reference_type,
            reference_id: Some(t.reference_id),
            reference_line_number: t.reference_line_number,
        }
    }
}

impl From<&FactPromoLine> for PromotionLine {
    fn from(l: &FactPromoLine) -> Self {
        PromotionLine {
            line_number: l.line_number,
            product_id: l.product_id,
            quantity: l.quantity,
            gross: l.gross,
            discount: l.discount,
        }
    }
}

impl PromotionApplied {
    /// The event of a promotion and its promo lines (any order; they are sorted by
    /// line_number). Lines of other promotions are an error naming the line.
    pub fn from_fact(
        promotion: FactPromotion,
        lines: &[FactPromoLine],
    ) -> Result<Self, DecodeError> {
        let mut items = Vec::with_capacity(lines.len());
        for l in lines {
            if l.promotion_id != promotion.promotion_id {
                return Err(DecodeError::new(
                    "lines",
                    format!(
                        "line {} belongs to {} not {}",
                        l.line_number, l.promotion_id, promotion.promotion_id
                    ),
                ));
            }
            items.push(PromotionLine::from(l));
        }
        items.sort_by_key(|l| l.line_number);
        Ok(PromotionApplied {
            promotion_id: promotion.promotion_id,
            event_ts: promotion.event_ts,
            business_date: promotion.business_date,
            channel: promotion.channel,
            receipt_id: promotion.receipt_id,
            order_id: promotion.order_id,
            store_id: promotion.store_id,
            dc_id: promotion.dc_id,
            customer_id: promotion.customer_id,
            promo_code: promotion.promo_code,
            discount_type: promotion.discount_type,
            discount_pct: promotion.discount_pct,
            line_count: promotion.line_count,
            product_ids: promotion.product_ids,
            discount: promotion.discount,
            lines: Lines(items),
        })
    }
}

impl From<&FactOnlineOrderLine> for OnlineOrderLineItem {
    fn from(l: &FactOnlineOrderLine) -> Self {
        OnlineOrderLineItem {
            line_number: l.line_number,
            product_id: l.product_id,
            quantity: l.quantity,
            unit_price: l.unit_price,
            gross: l.gross,
            discount: l.discount,
            net: l.net,
            tax: l.tax,
            promo_code: l.promo_code.clone(),
            line_status: l.line_status.clone(),
        }
    }
}

impl OnlineOrderCreated {
    /// The creation event of an order header and its lines (sorted by line_number); the
    /// lifecycle columns are dropped. Lines of other orders are an error naming the line.
    pub fn from_fact(
        header: &FactOnlineOrderHeader,
        lines: &[FactOnlineOrderLine],
    ) -> Result<Self, DecodeError> {
        let mut items = Vec::with_capacity(lines.len());
        for l in lines {
            if l.order_id != header.order_id {
                return Err(DecodeError::new(
                    "lines",
                    format!(
                        "line {} belongs to {} not {}",
                        l.line_number, l.order_id, header.order_id
                    ),
                ));
            }
            items.push(OnlineOrderLineItem::from(l));
        }
        items.sort_by_key(|l| l.line_number);
        let h = header.clone();
        Ok(OnlineOrderCreated {
            order_id: h.order_id,
            event_ts: h.event_ts,
            business_date: h.business_date,
            customer_id: h.customer_id,
            fulfillment_mode: h.fulfillment_mode,
            node_type: h.node_type,
            store_id: h.store_id,
            dc_id: h.dc_id,
            line_count: h.line_count,
            item_count: h.item_count,
            subtotal: h.subtotal,
            discount: h.discount,
            tax: h.tax,
            total: h.total,
            tender_type: h.tender_type,
            promo_code: h.promo_code,
            attributed_impression_id: h.attributed_impression_id,
            attributed_campaign_id: h.attributed_campaign_id,
            lines: Lines(items),
        })
    }
}

/// What the `online_order_picked` / `online_order_shipped` events of an online order carry
/// from its `fact_online_order_headers` row: the one mapping of both events, whether the
/// header is at hand ([`OrderLifecycle::from_header`]) or only these columns were read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderLifecycle {
    /// `order_id`.
    pub order_id: String,
    /// `customer_id`.
    pub customer_id: i64,
    /// `fulfillment_mode`.
    pub fulfillment_mode: String,
    /// `node_type`.
    pub node_type: String,
    /// `store_id` (STORE nodes).
    pub store_id: Option<i64>,
    /// `dc_id` (DC nodes).
    pub dc_id: Option<i64>,
    /// `line_count`.
    pub line_count: i32,
    /// `item_count`.
    pub item_count: i32,
    /// `picked_ts`.
    pub picked_ts: Option<Ts>,
    /// `shipped_ts`.
    pub shipped_ts: Option<Ts>,
}

/// Builds an order-progress payload (`OnlineOrderPicked` / `OnlineOrderShipped` share their
/// columns) from a lifecycle, the event instant and its node-local date.
macro_rules! order_progress_payload {
    ($payload:ident, $order:expr, $event_ts:expr, $business_date:expr) => {
        $payload {
            order_id: $order.order_id.clone(),
            event_ts: $event_ts,
            business_date: $business_date,
            customer_id: $order.customer_id,
            fulfillment_mode: $order.fulfillment_mode.clone(),
            node_type: $order.node_type.clone(),
            store_id: $order.store_id,
            dc_id: $order.dc_id,
            line_count: $order.line_count,
            item_count: $order.item_count,
        }
    };
}

impl OrderLifecycle {
    /// The lifecycle columns of an order header.
    pub fn from_header(header: &FactOnlineOrderHeader) -> Self {
        OrderLifecycle {
            order_id: header.order_id.clone(),
            customer_id: header.customer_id,
            fulfillment_mode: header.fulfillment_mode.clone(),
            node_type: header.node_type.clone(),
            store_id: header.store_id,
            dc_id: header.dc_id,
            line_count: header.line_count,
            item_count: header.item_count,
            picked_ts: header.picked_ts,
            shipped_ts: header.shipped_ts,
        }
    }

    /// The pick event of the order, `None` when `picked_ts` is null. `business_date` is the
    /// node-local date of `picked_ts`, which the caller computes in the node's time zone.
    pub fn picked_event(&self, business_date: Date) -> Option<OnlineOrderPicked> {
        let event_ts = self.picked_ts?;
        Some(order_progress_payload!(
            OnlineOrderPicked,
            self,
            event_ts,
            business_date
        ))
    }

    /// The ship event of the order, `None` when `shipped_ts` is null. `business_date` is the
    /// node-local date of `shipped_ts`, which the caller computes in the node's time zone.
    pub fn shipped_event(&self, business_date: Date) -> Option<OnlineOrderShipped> {
        let event_ts = self.shipped_ts?;
        Some(order_progress_payload!(
            OnlineOrderShipped,
            self,
            event_ts,
            business_date
        ))
    }
}

/// The body of one event; the variant decides the event type.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    /// `receipt_created`.
    ReceiptCreated(FactReceipt),
    /// `receipt_line_added`.
    ReceiptLineAdded(FactReceiptLine),
    /// `payment_processed`.
    PaymentProcessed(FactPayment),
    /// `inventory_updated`.
    InventoryUpdated(InventoryUpdated),
    /// `stockout_detected`.
    StockoutDetected(FactStockout),
    /// `reorder_triggered`.
    ReorderTriggered(FactReorder),
    /// `customer_entered`.
    CustomerEntered(FactFootTraffic),
    /// `customer_zone_changed`.
    CustomerZoneChanged(FactCustomerZoneChange),
    /// `ble_ping_detected`.
    BlePingDetected(FactBlePing),
    /// `truck_arrived` (status ARRIVED).
    TruckArrived(FactTruckMove),
    /// `truck_departed` (status COMPLETED).
    TruckDeparted(FactTruckMove),
    /// `store_opened`.
    StoreOpened(FactStoreOps),
    /// `store_closed`.
    StoreClosed(FactStoreOps),
    /// `ad_impression`.
    AdImpression(FactMarketing),
    /// `promotion_applied`.
    PromotionApplied(PromotionApplied),
    /// `online_order_created`.
    OnlineOrderCreated(OnlineOrderCreated),
    /// `online_order_picked`.
    OnlineOrderPicked(OnlineOrderPicked),
    /// `online_order_shipped`.
    OnlineOrderShipped(OnlineOrderShipped),
}

/// Expands `$body` once per variant with `$p` bound to the inner row.
macro_rules! each_payload {
    ($self:expr, $p:ident => $body:expr) => {
        match $self {
            Payload::ReceiptCreated($p) => $body,
            Payload::ReceiptLineAdded($p) => $body,
            Payload::PaymentProcessed($p) => $body,
            Payload::InventoryUpdated($p) => $body,
            Payload::StockoutDetected($p) => $body,
            Payload::ReorderTriggered($p) => $body,
            Payload::CustomerEntered($p) => $body,
            Payload::CustomerZoneChanged($p) => $body,
            Payload::BlePingDetected($p) => $body,
            Payload::TruckArrived($p) => $body,
            Payload::TruckDeparted($p) => $body,
            Payload::StoreOpened($p) => $body,
            Payload::StoreClosed($p) => $body,
            Payload::AdImpression($p) => $body,
            Payload::PromotionApplied($p) => $body,
            Payload::OnlineOrderCreated($p) => $body,
            Payload::OnlineOrderPicked($p) => $body,
            Payload::OnlineOrderShipped($p) => $body,
        }
    };
}

/// `VIS-` + the coordinates of a SALE receipt id (`RCP-…`); `None` for anything else.
fn visit_of_receipt(receipt_id: &str) -> Option<String> {
    receipt_id.strip_prefix("RCP-").map(|c| format!("VIS-{c}"))
}

/// `RCP-` + the coordinates of a visit id (`VIS-…`).
fn receipt_of_visit(visit_id: &str) -> Option<String> {
    visit_id.strip_prefix("VIS-").map(|c| format!("RCP-{c}"))
}

impl Payload {
    /// The event type of this payload.
    pub fn event_type(&self) -> EventType {
        match self {
            Payload::ReceiptCreated(_) => EventType::ReceiptCreated,
            Payload::ReceiptLineAdded(_) => EventType::ReceiptLineAdded,
            Payload::PaymentProcessed(_) => EventType::PaymentProcessed,
            Payload::InventoryUpdated(_) => EventType::InventoryUpdated,
            Payload::StockoutDetected(_) => EventType::StockoutDetected,
            Payload::ReorderTriggered(_) => EventType::ReorderTriggered,
            Payload::CustomerEntered(_) => EventType::CustomerEntered,
            Payload::CustomerZoneChanged(_) => EventType::CustomerZoneChanged,
            Payload::BlePingDetected(_) => EventType::BlePingDetected,
            Payload::TruckArrived(_) => EventType::TruckArrived,
            Payload::TruckDeparted(_) => EventType::TruckDeparted,
            Payload::StoreOpened(_) => EventType::StoreOpened,
            Payload::StoreClosed(_) => EventType::StoreClosed,
            Payload::AdImpression(_) => EventType::AdImpression,
            Payload::PromotionApplied(_) => EventType::PromotionApplied,
            Payload::OnlineOrderCreated(_) => EventType::OnlineOrderCreated,
            Payload::OnlineOrderPicked(_) => EventType::OnlineOrderPicked,
            Payload::OnlineOrderShipped(_) => EventType::OnlineOrderShipped,
        }
    }

    /// The payload as a row view (definition, cells, JSON writer).
    pub fn as_row(&self) -> &dyn DynRow {
        each_payload!(self, p => p as &dyn DynRow)
    }

    /// Business instant (`payload.event_ts`).
    pub fn event_ts(&self) -> Ts {
        each_payload!(self, p => p.event_ts)
    }

    /// Business date (`payload.business_date`).
    pub fn business_date(&self) -> Date {
        each_payload!(self, p => p.business_date)
    }

    /// The event of a truck move: ARRIVED → `truck_arrived`, COMPLETED → `truck_departed`,
    /// other statuses are not evented (`None`, events.md §6).
    pub fn from_truck_move(row: FactTruckMove) -> Option<Payload> {
        match row.status.as_str() {
            "ARRIVED" => Some(Payload::TruckArrived(row)),
            "COMPLETED" => Some(Payload::TruckDeparted(row)),
            _ => None,
        }
    }

    /// The event of a store operation: OPENED → `store_opened`, CLOSED → `store_closed`.
    pub fn from_store_ops(row: FactStoreOps) -> Option<Payload> {
        match row.operation_type.as_str() {
            "OPENED" => Some(Payload::StoreOpened(row)),
            "CLOSED" => Some(Payload::StoreClosed(row)),
            _ => None,
        }
    }

    /// Decodes the payload object of an event of type `event_type`.
    pub fn decode(event_type: EventType, obj: &Map<String, Value>) -> Result<Payload, DecodeError> {
        Ok(match event_type {
            EventType::ReceiptCreated => Payload::ReceiptCreated(Row::decode(obj)?),
            EventType::ReceiptLineAdded => Payload::ReceiptLineAdded(Row::decode(obj)?),
            EventType::PaymentProcessed => Payload::PaymentProcessed(Row::decode(obj)?),
            EventType::InventoryUpdated => Payload::InventoryUpdated(Row::decode(obj)?),
            EventType::StockoutDetected => Payload::StockoutDetected(Row::decode(obj)?),
            EventType::ReorderTriggered => Payload::ReorderTriggered(Row::decode(obj)?),
            EventType::CustomerEntered => Payload::CustomerEntered(Row::decode(obj)?),
            EventType::CustomerZoneChanged => Payload::CustomerZoneChanged(Row::decode(obj)?),
            EventType::BlePingDetected => Payload::BlePingDetected(Row::decode(obj)?),
            EventType::TruckArrived => Payload::TruckArrived(Row::decode(obj)?),
            EventType::TruckDeparted => Payload::TruckDeparted(Row::decode(obj)?),
            EventType::StoreOpened => Payload::StoreOpened(Row::decode(obj)?),
            EventType::StoreClosed => Payload::StoreClosed(Row::decode(obj)?),
            EventType::AdImpression => Payload::AdImpression(Row::decode(obj)?),
            EventType::PromotionApplied => Payload::PromotionApplied(Row::decode(obj)?),
            EventType::OnlineOrderCreated => Payload::OnlineOrderCreated(Row::decode(obj)?),
            EventType::OnlineOrderPicked => Payload::OnlineOrderPicked(Row::decode(obj)?),
            EventType::OnlineOrderShipped => Payload::OnlineOrderShipped(Row::decode(obj)?),
        })
    }

    /// The `trace_id` of this event (§4.1).
    pub fn trace_id(&self, seed: u64) -> Uuid {
        use KeyPart::{Int, Str};
        let t = self.event_type();
        match self {
            Payload::ReceiptCreated(p) => t.trace_id(seed, &[Str(&p.receipt_id)]),
            Payload::ReceiptLineAdded(p) => {
                t.trace_id(seed, &[Str(&p.receipt_id), Int(p.line_number.into())])
            }
            Payload::PaymentProcessed(p) => t.trace_id(seed, &[Str(&p.payment_id)]),
            Payload::InventoryUpdated(p) => t.trace_id(seed, &[Str(&p.txn_id)]),
            Payload::StockoutDetected(p) => t.trace_id(seed, &[Str(&p.stockout_id)]),
            Payload::ReorderTriggered(p) => t.trace_id(seed, &[Str(&p.reorder_id)]),
            Payload::CustomerEntered(p) => t.trace_id(
                seed,
                &[
                    Int(p.store_id),
                    Str(&p.zone),
                    KeyPart::Ts(p.interval_start_ts),
                ],
            ),
            Payload::CustomerZoneChanged(p) => {
                t.trace_id(seed, &[Str(&p.visit_id), Int(p.change_number.into())])
            }
            Payload::BlePingDetected(p) => {
                t.trace_id(seed, &[Str(&p.visit_id), Int(p.ping_number.into())])
            }
            Payload::TruckArrived(p) | Payload::TruckDeparted(p) => {
                t.trace_id(seed, &[Str(&p.shipment_id), Str(&p.status)])
            }
            Payload::StoreOpened(p) | Payload::StoreClosed(p) => t.trace_id(
                seed,
                &[
                    Int(p.store_id),
                    KeyPart::Ts(p.event_ts),
                    Str(&p.operation_type),
                ],
            ),
            Payload::AdImpression(p) => t.trace_id(seed, &[Str(&p.impression_id)]),
            Payload::PromotionApplied(p) => t.trace_id(seed, &[Str(&p.promotion_id)]),
            Payload::OnlineOrderCreated(p) => t.trace_id(seed, &[Str(&p.order_id)]),
            Payload::OnlineOrderPicked(p) => t.trace_id(seed, &[Str(&p.order_id)]),
            Payload::OnlineOrderShipped(p) => t.trace_id(seed, &[Str(&p.order_id)]),
        }
    }

    /// `parent_event_id` (§4.2): the recomputed `trace_id` of the causing event, if any.
    pub fn parent_event_id(&self, seed: u64) -> Option<Uuid> {
        use EventType as E;
        use KeyPart::{Int, Str};
        let purchase_parent =
            |receipt_id: &Option<String>, order_id: &Option<String>| match (receipt_id, order_id) {
                (Some(r), _) => Some(E::ReceiptCreated.trace_id(seed, &[Str(r)])),
                (None, Some(o)) => Some(E::OnlineOrderCreated.trace_id(seed, &[Str(o)])),
                (None, None) => None,
            };
        match self {
            Payload::ReceiptCreated(p) => p
                .original_receipt_id
                .as_deref()
                .map(|orig| E::ReceiptCreated.trace_id(seed, &[Str(orig)])),
            Payload::ReceiptLineAdded(p) => {
                Some(E::ReceiptCreated.trace_id(seed, &[Str(&p.receipt_id)]))
            }
            Payload::PaymentProcessed(p) => purchase_parent(&p.receipt_id, &p.order_id),
            Payload::InventoryUpdated(p) => {
                let reference = p.reference_id.as_deref()?;
                match p.txn_type.as_str() {
                    "SALE" | "RETURN" | "DAMAGED" | "RETURN_TO_VENDOR" => {
                        let line = p.reference_line_number?;
                        Some(
                            E::ReceiptLineAdded.trace_id(seed, &[Str(reference), Int(line.into())]),
                        )
                    }
                    "ONLINE_PICK" => Some(E::OnlineOrderPicked.trace_id(seed, &[Str(reference)])),
                    "INBOUND_SHIPMENT" => {
                        Some(E::TruckArrived.trace_id(seed, &[Str(reference), Str("ARRIVED")]))
                    }
                    _ => None,
                }
            }
            Payload::StockoutDetected(p) => {
                Some(E::InventoryUpdated.trace_id(seed, &[Str(&p.txn_id)]))
            }
            Payload::CustomerZoneChanged(p) => Some(
                E::BlePingDetected.trace_id(seed, &[Str(&p.visit_id), Int(p.ping_number.into())]),
            ),
            Payload::TruckDeparted(p) => {
                Some(E::TruckArrived.trace_id(seed, &[Str(&p.shipment_id), Str("ARRIVED")]))
            }
            Payload::PromotionApplied(p) => purchase_parent(&p.receipt_id, &p.order_id),
            Payload::OnlineOrderPicked(p) => {
                Some(E::OnlineOrderCreated.trace_id(seed, &[Str(&p.order_id)]))
            }
            Payload::OnlineOrderShipped(p) => {
                Some(E::OnlineOrderPicked.trace_id(seed, &[Str(&p.order_id)]))
            }
            Payload::ReorderTriggered(_)
            | Payload::CustomerEntered(_)
            | Payload::BlePingDetected(_)
            | Payload::TruckArrived(_)
            | Payload::StoreOpened(_)
            | Payload::StoreClosed(_)
            | Payload::AdImpression(_)
            | Payload::OnlineOrderCreated(_) => None,
        }
    }

    /// `correlation_id` (§4.2). For `stockout_detected` it is the depleting movement's
    /// correlation id, which the payload does not carry: `None` here, see
    /// [`Envelope::with_correlation_id`].
    pub fn correlation_id(&self) -> Option<String> {
        match self {
            Payload::ReceiptCreated(p) => Some(p.receipt_id.clone()),
            Payload::ReceiptLineAdded(p) => Some(p.receipt_id.clone()),
            Payload::PaymentProcessed(p) => p.receipt_id.clone().or_else(|| p.order_id.clone()),
            Payload::InventoryUpdated(p) => p.reference_id.clone(),
            Payload::StockoutDetected(_) => None,
            Payload::ReorderTriggered(p) => Some(p.reorder_id.clone()),
            Payload::CustomerEntered(_) => None,
            Payload::CustomerZoneChanged(p) => receipt_of_visit(&p.visit_id),
            Payload::BlePingDetected(p) => receipt_of_visit(&p.visit_id),
            Payload::TruckArrived(p) | Payload::TruckDeparted(p) => Some(p.shipment_id.clone()),
            Payload::StoreOpened(_) | Payload::StoreClosed(_) => None,
            Payload::AdImpression(p) => Some(p.campaign_id.clone()),
            Payload::PromotionApplied(p) => p.receipt_id.clone().or_else(|| p.order_id.clone()),
            Payload::OnlineOrderCreated(p) => Some(p.order_id.clone()),
            Payload::OnlineOrderPicked(p) => Some(p.order_id.clone()),
            Payload::OnlineOrderShipped(p) => Some(p.order_id.clone()),
        }
    }

    /// `session_id` (§4.2): the in-store visit of visit-bound events, derived from the
    /// receipt or visit coordinates.
    pub fn session_id(&self) -> Option<String> {
        match self {
            Payload::ReceiptCreated(p) => p.visit_id.clone(),
            Payload::ReceiptLineAdded(p) => visit_of_receipt(&p.receipt_id),
            Payload::PaymentProcessed(p) if p.channel == "STORE" && p.payment_type == "CHARGE" => {
                p.receipt_id.as_deref().and_then(visit_of_receipt)
            }
            Payload::InventoryUpdated(p) if p.txn_type == "SALE" => {
                p.reference_id.as_deref().and_then(visit_of_receipt)
            }
            Payload::CustomerZoneChanged(p) => Some(p.visit_id.clone()),
            Payload::BlePingDetected(p) => Some(p.visit_id.clone()),
            Payload::PromotionApplied(p) if p.channel == "STORE" => {
                p.receipt_id.as_deref().and_then(visit_of_receipt)
            }
            _ => None,
        }
    }

    /// `partition_key` (§5.1): `store-{id}`, else `dc-{id}`, else `customer-{id}`.
    pub fn partition_key(&self) -> String {
        let (store, dc, customer): (Option<i64>, Option<i64>, Option<i64>) = match self {
            Payload::ReceiptCreated(p) => (Some(p.store_id), None, Some(p.customer_id)),
            Payload::ReceiptLineAdded(p) => (Some(p.store_id), None, None),
            Payload::PaymentProcessed(p) => (p.store_id, p.dc_id, Some(p.customer_id)),
            Payload::InventoryUpdated(p) => (p.store_id, p.dc_id, None),
            Payload::StockoutDetected(p) => (p.store_id, p.dc_id, None),
            Payload::ReorderTriggered(p) => (Some(p.store_id), Some(p.dc_id), None),
            Payload::CustomerEntered(p) => (Some(p.store_id), None, None),
            Payload::CustomerZoneChanged(p) => (Some(p.store_id), None, p.customer_id),
            Payload::BlePingDetected(p) => (Some(p.store_id), None, p.customer_id),
            Payload::TruckArrived(p) | Payload::TruckDeparted(p) => {
                (Some(p.store_id), Some(p.dc_id), None)
            }
            Payload::StoreOpened(p) | Payload::StoreClosed(p) => (Some(p.store_id), None, None),
            Payload::AdImpression(p) => (None, None, Some(p.customer_id)),
            Payload::PromotionApplied(p) => (p.store_id, p.dc_id, Some(p.customer_id)),
            Payload::OnlineOrderCreated(p) => (p.store_id, p.dc_id, Some(p.customer_id)),
            Payload::OnlineOrderPicked(p) => (p.store_id, p.dc_id, Some(p.customer_id)),
            Payload::OnlineOrderShipped(p) => (p.store_id, p.dc_id, Some(p.customer_id)),
        };
        match (store, dc, customer) {
            (Some(s), _, _) => format!("store-{s}"),
            (None, Some(d), _) => format!("dc-{d}"),
            (None, None, Some(c)) => format!("customer-{c}"),
            // Only a DC-less, store-less inventory row could get here; the contract forbids it.
            (None, None, None) => "unkeyed".to_owned(),
        }
    }
}

/// One event: the envelope of events.md §2.1 around its payload.
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope {
    /// One of the 18 types; always equals `payload.event_type()` for built events.
    pub event_type: EventType,
    /// `"1.0"` for events built here; decoded events keep what they carried (`1.x`).
    pub schema_version: Cow<'static, str>,
    /// `"retail-datagen"` for events built here.
    pub source: Cow<'static, str>,
    /// Deterministic UUIDv5 (§4.1), the dedupe key.
    pub trace_id: Uuid,
    /// Emission time on the producer's clock (= `payload.event_ts` in files).
    pub ingest_timestamp: Ts,
    /// Business transaction id (§4.2).
    pub correlation_id: Option<String>,
    /// Event Hubs partition key (§5.1).
    pub partition_key: String,
    /// In-store visit id of visit-bound events (§4.2).
    pub session_id: Option<String>,
    /// `trace_id` of the causing event (§4.2).
    pub parent_event_id: Option<Uuid>,
    /// The event body.
    pub payload: Payload,
}

impl Envelope {
    /// An event with every envelope field derived from the payload and the seed, stamped with
    /// `ingest_timestamp` (the producer's clock; network sinks pass the wall clock).
    pub fn new(seed: u64, payload: Payload, ingest_timestamp: Ts) -> Envelope {
        Envelope {
            event_type: payload.event_type(),
            schema_version: Cow::Borrowed(SCHEMA_VERSION),
            source: Cow::Borrowed(SOURCE),
            trace_id: payload.trace_id(seed),
            ingest_timestamp,
            correlation_id: payload.correlation_id(),
            partition_key: payload.partition_key(),
            session_id: payload.session_id(),
            parent_event_id: payload.parent_event_id(seed),
            payload,
        }
    }

    /// An event for the NDJSON file sink: `ingest_timestamp` = `payload.event_ts` (§9.1).
    pub fn for_file(seed: u64, payload: Payload) -> Envelope {
        let ts = payload.event_ts();
        Envelope::new(seed, payload, ts)
    }

    /// Replaces `correlation_id`; used for `stockout_detected`, whose correlation id is that of
    /// the depleting movement (the `inventory_updated` event of `txn_id`, i.e. its `reference_id`).
    pub fn with_correlation_id(mut self, correlation_id: Option<String>) -> Envelope {
        self.correlation_id = correlation_id;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_ids_match_the_examples_of_events_md_4_1() {
        use KeyPart::{Int, Str, Ts as T};
        let ts = |s: &str| Ts::parse_rfc3339(s).unwrap();
        let cases: [(EventType, Vec<KeyPart<'_>>, &str); 18] = [
            (
                EventType::ReceiptCreated,
                vec![Str("RCP-00005-20240306-000123")],
                "d61b56e2-9e16-5828-b74c-ee843fcbc1ba",
            ),
            (
                EventType::ReceiptLineAdded,
                vec![Str("RCP-00005-20240306-000123"), Int(2)],
                "b9d98445-f903-5868-b84c-cbcd2879db7e",
            ),
            (
                EventType::PaymentProcessed,
                vec![Str("PAY-RCP-00005-20240306-000123-1")],
                "39ddb2c4-311c-5c71-a567-30bd6a60198c",
            ),
            (
                EventType::InventoryUpdated,
                vec![Str("SIT-00005-20240306-0004312")],
                "5e90b55e-d7ca-5ffc-98f4-6a3cb85cc052",
            ),
            (
                EventType::StockoutDetected,
                vec![Str("SO-SIT-00005-20240306-0004312")],
                "0dfd5a8a-91ed-5716-9eb4-1d6be8add3f6",
            ),
            (
                EventType::ReorderTriggered,
                vec![Str("RO-00005-20240306-00017")],
                "67aa495b-6b36-55fa-8c82-dc098079acb2",
            ),
            (
                EventType::CustomerEntered,
                vec![
                    Int(5),
                    Str("CHECKOUT"),
                    T(ts("2024-03-06T19:30:00.000000Z")),
                ],
                "f4a3472e-b3f9-5675-82ed-722c02fa3c18",
            ),
            (
                EventType::CustomerZoneChanged,
                vec![Str("VIS-00005-20240306-000123"), Int(2)],
                "014c14b6-55ac-5972-a205-05d220fb8c50",
            ),
            (
                EventType::BlePingDetected,
                vec![Str("VIS-00005-20240306-000123"), Int(10)],
                "534b6222-ae84-526b-aa96-f8e5e3eb41a0",
            ),
            (
                EventType::TruckArrived,
                vec![Str("SHP-002-20240307-0003"), Str("ARRIVED")],
                "2988ebff-9030-5494-bbbc-7cb15396cc7c",
            ),
            (
                EventType::TruckDeparted,
                vec![Str("SHP-002-20240307-0003"), Str("COMPLETED")],
                "e1a34f76-2f28-53a0-b790-ce750df30f7d",
            ),
            (
                EventType::StoreOpened,
                vec![Int(5), T(ts("2024-03-06T14:00:00.000000Z")), Str("OPENED")],
                "58418e35-a67e-59a0-bc10-7c3baf75fc5c",
            ),
            (
                EventType::StoreClosed,
                vec![Int(5), T(ts("2024-03-07T04:00:00.000000Z")), Str("CLOSED")],
                "5452bd22-4c87-5877-94df-ecd93175bcf3",
            ),
            (
                EventType::AdImpression,
                vec![Str("IMP-20240306-0004521")],
                "80c6959f-a2ef-59df-ac12-d296557329f9",
            ),
            (
                EventType::PromotionApplied,
                vec![Str("PRM-RCP-00005-20240306-000123-SAVE10")],
                "f9dd05da-69da-54fb-8c47-b33492673859",
            ),
            (
                EventType::OnlineOrderCreated,
                vec![Str("ORD-D002-20240306-00042")],
                "9b93838c-fc98-5fce-809e-28fc56234e93",
            ),
            (
                EventType::OnlineOrderPicked,
                vec![Str("ORD-D002-20240306-00042")],
                "8cd7f1ac-f4b7-5690-a413-29e37540f3f2",
            ),
            (
                EventType::OnlineOrderShipped,
                vec![Str("ORD-D002-20240306-00042")],
                "89094421-e7e7-5e04-b7a5-41d93eabf11a",
            ),
        ];
        for (t, key, want) in cases {
            assert_eq!(t.trace_id(42, &key).to_string(), want, "{t}");
            assert_ne!(
                t.trace_id(43, &key).to_string(),
                want,
                "{t}: the seed must matter"
            );
        }
    }

    #[test]
    fn the_namespace_is_uuid5_of_the_url_namespace() {
        assert_eq!(
            Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:retail-datagen:event"),
            TRACE_NAMESPACE
        );
    }

    #[test]
    fn names_parse_back_and_ranks_are_a_permutation() {
        let mut ranks: Vec<u8> = EventType::all()
            .iter()
            .map(|t| t.tie_break_rank())
            .collect();
        for t in EventType::all() {
            assert_eq!(EventType::parse(t.name()), Some(t));
            assert!(!t.natural_key().is_empty());
            for part in t.natural_key() {
                assert!(
                    t.payload_def().columns().iter().any(|c| c.name == *part),
                    "{t}: key part {part}"
                );
            }
        }
        assert_eq!(EventType::parse("receipt_deleted"), None);
        ranks.sort_unstable();
        assert_eq!(ranks, (0..18).collect::<Vec<u8>>());
        assert_eq!(EventType::StoreOpened.tie_break_rank(), 0);
        assert_eq!(EventType::StoreClosed.tie_break_rank(), 17);
        assert!(
            EventType::ReceiptCreated.tie_break_rank()
                < EventType::ReceiptLineAdded.tie_break_rank()
        );
    }

    fn header() -> FactOnlineOrderHeader {
        FactOnlineOrderHeader {
            order_id: "ORD-D002-20240306-00042".into(),
            event_ts: Ts(1_000),
            business_date: Date(19_788),
            customer_id: 301_877,
            fulfillment_mode: "SHIP_FROM_DC".into(),
            node_type: "DC".into(),
            store_id: None,
            dc_id: Some(2),
            line_count: 1,
            item_count: 2,
            subtotal: Money(898),
            discount: Money(0),
            tax: Money(0),
            total: Money(898),
            tender_type: "PAYPAL".into(),
            promo_code: None,
            order_status: "COMPLETED".into(),
            picked_ts: Some(Ts(2_000)),
            shipped_ts: None,
            delivered_ts: Some(Ts(9_000)),
            cancelled_ts: None,
            attributed_impression_id: None,
            attributed_campaign_id: None,
        }
    }

    #[test]
    fn order_lifecycle_events_follow_the_header_timestamps() {
        let h = header();
        let lifecycle = OrderLifecycle::from_header(&h);
        let picked = lifecycle.picked_event(Date(19_789)).unwrap();
        assert_eq!(picked.event_ts, Ts(2_000));
        assert_eq!(picked.business_date, Date(19_789));
        assert_eq!(
            (picked.order_id.as_str(), picked.dc_id, picked.item_count),
            (h.order_id.as_str(), h.dc_id, h.item_count)
        );
        assert!(lifecycle.shipped_event(Date(19_789)).is_none());
        let shipped = OrderLifecycle {
            shipped_ts: Some(Ts(5_000)),
            ..lifecycle
        }
        .shipped_event(Date(19_790))
        .unwrap();
        assert_eq!(
            (shipped.event_ts, shipped.business_date),
            (Ts(5_000), Date(19_790))
        );
        assert_eq!(shipped.customer_id, h.customer_id);
        let line = FactOnlineOrderLine {
            order_id: h.order_id.clone(),
            line_number: 1,
            event_ts: h.event_ts,
            business_date: h.business_date,
            product_id: 3305,
            quantity: 2,
            unit_price: Money(449),
            gross: Money(898),
            discount: Money(0),
            net: Money(898),
            tax: Money(0),
            promo_code: None,
            line_status: "FULFILLED".into(),
        };
        let created = OnlineOrderCreated::from_fact(&h, std::slice::from_ref(&line)).unwrap();
        assert_eq!(created.lines.0[0].gross, Money(898));
        let mut foreign = line;
        foreign.order_id = "ORD-D002-20240306-00043".into();
        let err = OnlineOrderCreated::from_fact(&h, &[foreign]).unwrap_err();
        assert_eq!(err.field, "lines");
        let event = Envelope::for_file(42, Payload::OnlineOrderPicked(picked));
        assert_eq!(event.partition_key, "dc-2");
        assert_eq!(
            event.parent_event_id.unwrap().to_string(),
            "9b93838c-fc98-5fce-809e-28fc56234e93"
        );
    }

    #[test]
    fn inventory_txns_map_to_one_payload_with_a_location_type() {
        let dc = FactDcInventoryTxn {
            txn_id: "DIT-002-20240307-0000917".into(),
            event_ts: Ts(5),
            business_date: Date(19_789),
            dc_id: 2,
            product_id: 911,
            ledger_seq: 3,
            txn_type: "OUTBOUND_SHIPMENT".into(),
            quantity: -40,
            balance: 100,
            reference_type: "SHIPMENT".into(),
            reference_id: "SHP-002-20240307-0003".into(),
            reference_line_number: None,
        };
        let p = InventoryUpdated::from(dc);
        assert_eq!(
            (p.location_type.as_str(), p.store_id, p.dc_id),
            ("DC", None, Some(2))
        );
        let event = Envelope::for_file(42, Payload::InventoryUpdated(p));
        assert_eq!(event.partition_key, "dc-2");
        assert_eq!(
            event.correlation_id.as_deref(),
            Some("SHP-002-20240307-0003")
        );
        assert_eq!(
            event.parent_event_id, None,
            "OUTBOUND_SHIPMENT has no parent event"
        );
        assert_eq!(event.session_id, None);
    }
}
