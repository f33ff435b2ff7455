//! Row types of the 7 dimension and 18 fact tables of data-contract §4–§5, declared once.
//!
//! Each declaration is the single source of truth for the table: the Rust struct, its
//! [`TableDef`](crate::TableDef), and everything emitted from it (DuckDB DDL, Arrow schema, KQL,
//! JSON Schema, Markdown). Field doc comments are the contract rules.

use crate::contract_table;
use crate::types::{Date, Money, Ts};

contract_table! {
    /// A row of `dim_geographies`: one row per selected dictionary place.
    pub struct DimGeography as DIM_GEOGRAPHIES {
        table: "dim_geographies",
        kind: Dimension,
        grain: "one row per selected dictionary place.",
        key: [geography_id],
        fields: {
            /// Rank (1-based) of the row's selection key among the selected dictionary rows
            geography_id: i64,
            /// Dictionary `city`
            city: String,
            /// Dictionary `state`, 2 upper-case letters (USPS)
            state: String,
            /// Dictionary `zip`, text, leading zeros kept, `^\d{5}(-\d{4})?$`
            zip_code: String,
            /// Dictionary `district`
            district: String,
            /// Dictionary `region`: West, Midwest, Northeast, Southeast, Southwest
            region: String,
            /// Dictionary latitude, WGS84 degrees
            latitude: f64,
            /// Dictionary longitude, WGS84 degrees
            longitude: f64,
            /// Dictionary IANA zone name (e.g. `America/Chicago`); must exist in the bundled tzdb
            time_zone: String,
            /// URBAN / SUBURBAN / RURAL drawn once per geography (§7.3)
            urbanicity: String,
        }
    }
}

contract_table! {
    /// A row of `dim_distribution_centers`: one row per distribution center.
    pub struct DimDistributionCenter as DIM_DISTRIBUTION_CENTERS {
        table: "dim_distribution_centers",
        kind: Dimension,
        grain: "one row per distribution center.",
        key: [dc_id],
        fields: {
            /// 1..`dcs`: the k-th DC sits in the geography with the k-th highest placement weight (§7.3)
            dc_id: i64,
            /// `DC` + dc_id zero-padded to 3 digits (`DC007`)
            dc_number: String,
            /// FK dim_geographies; at most one DC per geography
            geography_id: i64,
            /// Synthetic industrial address (§7.3)
            address: String,
            /// Geography latitude + U(−0.05, 0.05)
            latitude: f64,
            /// Geography longitude + U(−0.05, 0.05)
            longitude: f64,
            /// Copy of the geography's `time_zone`
            time_zone: String,
        }
    }
}

contract_table! {
    /// A row of `dim_stores`: one row per store.
    pub struct DimStore as DIM_STORES {
        table: "dim_stores",
        kind: Dimension,
        grain: "one row per store.",
        key: [store_id],
        fields: {
            /// 1..`stores` in allocation order (§7.3)
            store_id: i64,
            /// `S` + store_id zero-padded to 6 digits (`S000005`)
            store_number: String,
            /// FK dim_geographies; only geographies whose state hosts a DC
            geography_id: i64,
            /// FK dim_distribution_centers: serving DC (nearest; every DC serves ≥ 1 store, §7.3)
            dc_id: i64,
            /// Synthetic commercial address
            address: String,
            /// Geography latitude + U(−0.05, 0.05)
            latitude: f64,
            /// Geography longitude + U(−0.05, 0.05)
            longitude: f64,
            /// Copy of the geography's `time_zone`; store hours are interpreted in this zone
            time_zone: String,
            /// Combined sales-tax rate in basis points: exact (state, city) match → state mean → 741
            tax_rate_bps: i32,
            /// FLAGSHIP / HIGH_VOLUME / MEDIUM_VOLUME / LOW_VOLUME / KIOSK (§7.3)
            volume_class: String,
            /// HYPERMARKET / SUPERSTORE / STANDARD / NEIGHBORHOOD / EXPRESS
            store_format: String,
            /// `24/7`, `06:00-24:00`, `08:00-22:00` or `09:00-21:00`
            hours_label: String,
            /// Local opening minute after midnight (0, 360, 480, 540)
            open_minute: i32,
            /// Local closing minute after midnight (1440, 1440, 1320, 1260); `open_minute` < `close_minute`
            close_minute: i32,
            /// Uniform in the volume class range (§7.3)
            daily_traffic_multiplier: f64,
        }
    }
}

contract_table! {
    /// A row of `dim_trucks`: one row per truck.
    pub struct DimTruck as DIM_TRUCKS {
        table: "dim_trucks",
        kind: Dimension,
        grain: "one row per truck.",
        key: [truck_id],
        fields: {
            /// 1..N: DC-fleet trucks assigned to DCs first, then unassigned fleet (POOL), then SUPPLIER
            truck_id: i64,
            /// 3 letters + 4 digits from a seed-keyed affine bijection of truck_id (unique by construction)
            license_plate: String,
            /// Refrigerated trucks are numbered before dry trucks inside each group
            refrigerated: bool,
            /// DC_FLEET / POOL / SUPPLIER
            fleet_type: String,
            /// FK dim_distribution_centers; set iff `fleet_type` = DC_FLEET
            home_dc_id: Option<i64>,
            /// = `volume.truck_capacity`
            capacity_units: i32,
        }
    }
}

contract_table! {
    /// A row of `dim_customers`: one row per customer.
    pub struct DimCustomer as DIM_CUSTOMERS {
        table: "dim_customers",
        kind: Dimension,
        grain: "one row per customer.",
        key: [customer_id],
        fields: {
            /// 1..`total_customers`
            customer_id: i64,
            /// Uniform draw from the first-name dictionary
            first_name: String,
            /// Uniform draw from the last-name dictionary
            last_name: String,
            /// Synthetic residential address in the customer's geography
            address: String,
            /// FK dim_geographies; weighted draw by placement weight (§7.3)
            geography_id: i64,
            /// FK dim_stores: nearest store to the customer's geography (ties → lower store_id)
            primary_store_id: i64,
            /// FK dim_stores: second nearest; NULL when only one store exists
            secondary_store_id: Option<i64>,
            /// `LC` + customer_id padded to 9 digits + 3 digits U{100..999} (unique by the id part)
            loyalty_card: String,
            /// `(AAA) EEE-NNNN`, AAA ∈ {555, 800, 888, 877, 866}, EEE U{200..999}, NNNN U{1000..9999}
            phone: String,
            /// `BLE` + base-36 (0-9A-Z) of customer_id left-padded with `0` to 6 chars (`BLE001179`)
            ble_id: String,
            /// `AD` + the same base-36 code (`AD001179`)
            ad_id: String,
            /// BUDGET_CONSCIOUS .35 / CONVENIENCE_FOCUSED .25 / QUALITY_SEEKER .20 / BRAND_LOYAL .20
            shopper_segment: String,
            /// REGULAR .80 / COMMUTER .10 / BUSINESS_TRAVELER .05 / TOURIST .03 / SNOWBIRD .02
            mobility_segment: String,
            /// Bernoulli(0.35); app users can be identified by BLE beacons
            has_mobile_app: bool,
        }
    }
}

contract_table! {
    /// A row of `dim_products`: one row per SKU (product × brand).
    pub struct DimProduct as DIM_PRODUCTS {
        table: "dim_products",
        kind: Dimension,
        grain: "one row per SKU (product × brand).",
        key: [product_id],
        fields: {
            /// 1..`total_products`
            product_id: i64,
            /// `SKU-` + product_id padded to 7 digits
            sku: String,
            /// Base product name from the product dictionary (repeats across brands)
            product_name: String,
            /// Brand of the drawn (product, brand) combination
            brand: String,
            /// The brand's company
            company: String,
            /// From the base product
            department: String,
            /// From the base product
            category: String,
            /// From the base product
            subcategory: String,
            /// food / beverages / household / personal_care / electronics / clothing / home_garden / other (§7.5)
            basket_category: String,
            /// Cost < sale price; Cost/SalePrice ∈ [0.50, 0.85] (§7.4)
            cost: Money,
            /// Base price × U(0.85,1.15) × (1 + U(−0.15,0.15)), rounded half away from zero to cents, ≥ 1
            msrp: Money,
            /// = msrp (p 0.60) else msrp × (1 − U(0.05,0.35)) rounded; ≤ msrp
            sale_price: Money,
            /// Category rule (§7.4); refrigerated SKUs travel on refrigerated trucks
            requires_refrigeration: bool,
            /// TAXABLE / REDUCED_RATE / NON_TAXABLE (§7.7)
            taxability: String,
            /// First date the SKU may be ordered or sold (§7.4)
            launch_date: Date,
            /// Semicolon-separated lower-case tags (`thanksgiving;turkey`) or NULL
            tags: Option<String>,
        }
    }
}

contract_table! {
    /// A row of `dim_date`: one row per calendar day.
    pub struct DimDate as DIM_DATE {
        table: "dim_date",
        kind: Dimension,
        grain: "one row per calendar day.",
        key: [date_key],
        fields: {
            /// yyyymmdd
            date_key: i32,
            /// Calendar date; one row per day from 2000-01-01 to 2099-12-31 (36 525 rows)
            date: Date,
            /// Calendar year
            year: i32,
            /// 1..4
            quarter: i32,
            /// 1..12
            month: i32,
            /// English month name (`March`)
            month_name: String,
            /// 1..31
            day_of_month: i32,
            /// ISO 8601, 1 = Monday … 7 = Sunday
            day_of_week: i32,
            /// English day name
            day_name: String,
            /// ISO 8601 week number
            iso_week: i32,
            /// ISO 8601 week-based year
            iso_year: i32,
            /// day_of_week ≥ 6
            is_weekend: bool,
            /// Fiscal year starts 1 July and is named by its start year: year if month ≥ 7 else year − 1
            fiscal_year: i32,
            /// ((month − 7) mod 12) div 3 + 1
            fiscal_quarter: i32,
            /// WINTER (Dec–Feb), SPRING (Mar–May), SUMMER (Jun–Aug), FALL (Sep–Nov)
            season: String,
            /// Name of the holiday falling exactly on this date (§7.1), else NULL
            holiday_name: Option<String>,
            /// holiday_name IS NOT NULL
            is_holiday: bool,
            /// Date is a closure holiday (`calendar.closed_holidays`)
            is_store_closed: bool,
            /// Holiday demand multiplier for stores on this date (1.0 when none, §7.1)
            in_store_multiplier: f64,
            /// Holiday demand multiplier for online orders on this date
            online_multiplier: f64,
            /// Marketing impression multiplier on this date
            marketing_multiplier: f64,
        }
    }
}

contract_table! {
    /// A row of `fact_receipts`: one in-store receipt: a SALE at checkout, or the RETURN of (part of) one earlier sale.
    pub struct FactReceipt as FACT_RECEIPTS {
        table: "fact_receipts",
        kind: Fact,
        grain: "one in-store receipt: a SALE at checkout, or the RETURN of (part of) one earlier sale.",
        key: [receipt_id],
        fields: {
            /// `RCP-{store:05}-{yyyymmdd}-{seq:06}` (SALE) or `RTN-…` reusing the original sale's coordinates (RETURN)
            receipt_id: String,
            /// Checkout instant; inside the store's open hours on a non-closure day
            event_ts: Ts,
            /// Store-local date of `event_ts`
            business_date: Date,
            /// FK dim_stores
            store_id: i64,
            /// FK dim_customers (RETURN: the original buyer)
            customer_id: i64,
            /// `VIS-…` with the receipt's coordinates (SALE); NULL for RETURN
            visit_id: Option<String>,
            /// SALE / RETURN
            receipt_type: String,
            /// RETURN only: the SALE receipt being returned
            original_receipt_id: Option<String>,
            /// Number of lines (≥ 1)
            line_count: i32,
            /// Σ line quantity (negative on RETURN)
            item_count: i32,
            /// Σ line `gross_cents`
            subtotal: Money,
            /// Σ line `discount_cents` (≥ 0 on SALE)
            discount: Money,
            /// Σ line `tax_cents`
            tax: Money,
            /// `subtotal_cents − discount_cents + tax_cents`
            total: Money,
            /// Tender of the APPROVED payment: CREDIT_CARD / DEBIT_CARD / CASH / MOBILE_PAY
            tender_type: String,
            /// Code applied to the receipt (at most one), else NULL
            promo_code: Option<String>,
            /// Last-touch impression of the same customer within 7 days before `event_ts` (SALE only, §7.12)
            attributed_impression_id: Option<String>,
            /// Campaign of `attributed_impression_id`
            attributed_campaign_id: Option<String>,
        }
    }
}

contract_table! {
    /// A row of `fact_receipt_lines`: one product line of a receipt.
    pub struct FactReceiptLine as FACT_RECEIPT_LINES {
        table: "fact_receipt_lines",
        kind: Fact,
        grain: "one product line of a receipt.",
        key: [receipt_id, line_number],
        fields: {
            /// FK fact_receipts
            receipt_id: String,
            /// 1..line_count in basket order
            line_number: i32,
            /// = receipt `event_ts`
            event_ts: Ts,
            /// = receipt `business_date`
            business_date: Date,
            /// = receipt `store_id`
            store_id: i64,
            /// FK dim_products; launch_date ≤ business_date
            product_id: i64,
            /// SALE 1..n (capped by available stock); RETURN: −(original quantity)
            quantity: i32,
            /// Product `sale_price_cents` on the sale date (RETURN: original unit price)
            unit_price: Money,
            /// `unit_price_cents × quantity`
            gross: Money,
            /// Promotion discount of the line (0 when none); ≤ gross on SALE
            discount: Money,
            /// `gross_cents − discount_cents`
            net: Money,
            /// round_half_away(net_cents × tax_rate_bps × taxability_pct / 1 000 000) (RETURN: −original)
            tax: Money,
            /// Code that discounted this line, else NULL
            promo_code: Option<String>,
            /// RETURN only: line number on the original receipt
            original_line_number: Option<i32>,
        }
    }
}

contract_table! {
    /// A row of `fact_payments`: one payment attempt or refund.
    pub struct FactPayment as FACT_PAYMENTS {
        table: "fact_payments",
        kind: Fact,
        grain: "one payment attempt or refund.",
        key: [payment_id],
        fields: {
            /// `PAY-{purchase_id}-{n}` (charge attempt n = 1..3) or `PAY-{order_id}-R` (cancellation refund)
            payment_id: String,
            /// APPROVED charge = purchase `event_ts`; declined attempts earlier; refunds at return/cancel time
            event_ts: Ts,
            /// = the purchase's business_date; refunds: local date of the return / cancellation at the purchase location
            business_date: Date,
            /// STORE / ONLINE
            channel: String,
            /// FK fact_receipts (STORE); exactly one of receipt_id / order_id is set
            receipt_id: Option<String>,
            /// FK fact_online_order_headers (ONLINE)
            order_id: Option<String>,
            /// FK dim_stores: receipt store or fulfilling store; NULL for DC-fulfilled orders
            store_id: Option<i64>,
            /// FK dim_distribution_centers: fulfilling DC of an online order, else NULL
            dc_id: Option<i64>,
            /// FK dim_customers
            customer_id: i64,
            /// CHARGE / REFUND
            payment_type: String,
            /// 1..3 for charges; 1 for refunds
            attempt_number: i32,
            /// STORE: CREDIT_CARD, DEBIT_CARD, CASH, MOBILE_PAY; ONLINE: CREDIT_CARD, DEBIT_CARD, PAYPAL, GIFT_CARD
            tender_type: String,
            /// CHARGE: purchase total (> 0); REFUND: negative refunded total
            amount: Money,
            /// APPROVED / DECLINED (refunds are always APPROVED)
            status: String,
            /// Set iff DECLINED: INSUFFICIENT_FUNDS, CARD_EXPIRED, INVALID_CVV, NETWORK_ERROR, FRAUD_SUSPECTED, CARD_BLOCKED, LIMIT_EXCEEDED
            decline_reason: Option<String>,
            /// U{min..max} by tender (§7.8)
            processing_time_ms: i32,
        }
    }
}

contract_table! {
    /// A row of `fact_online_order_headers`: one online order.
    pub struct FactOnlineOrderHeader as FACT_ONLINE_ORDER_HEADERS {
        table: "fact_online_order_headers",
        kind: Fact,
        grain: "one online order.",
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
            /// Final status: COMPLETED / CANCELLED
            order_status: String,
            /// Pick instant; NULL iff CANCELLED
            picked_ts: Option<Ts>,
            /// Carrier hand-over; NULL for BOPIS and CANCELLED
            shipped_ts: Option<Ts>,
            /// Delivery (ship modes) or customer pick-up (BOPIS); NULL iff CANCELLED
            delivered_ts: Option<Ts>,
            /// Set iff CANCELLED: event_ts + U{5..60} min
            cancelled_ts: Option<Ts>,
            /// Last-touch impression within 7 days (§7.12)
            attributed_impression_id: Option<String>,
            /// Campaign of `attributed_impression_id`
            attributed_campaign_id: Option<String>,
        }
    }
}

contract_table! {
    /// A row of `fact_online_order_lines`: one product line of an online order.
    pub struct FactOnlineOrderLine as FACT_ONLINE_ORDER_LINES {
        table: "fact_online_order_lines",
        kind: Fact,
        grain: "one product line of an online order.",
        key: [order_id, line_number],
        fields: {
            /// FK fact_online_order_headers
            order_id: String,
            /// 1..line_count
            line_number: i32,
            /// = header `event_ts`
            event_ts: Ts,
            /// = header `business_date`
            business_date: Date,
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
            /// Same formula as receipt lines with the order's tax rate (§7.7)
            tax: Money,
            /// Code that discounted the line, else NULL
            promo_code: Option<String>,
            /// FULFILLED / CANCELLED (= CANCELLED iff order CANCELLED)
            line_status: String,
        }
    }
}

contract_table! {
    /// A row of `fact_store_inventory_txn`: one stock movement of one product at one store.
    pub struct FactStoreInventoryTxn as FACT_STORE_INVENTORY_TXN {
        table: "fact_store_inventory_txn",
        kind: Fact,
        grain: "one stock movement of one product at one store.",
        key: [txn_id],
        fields: {
            /// `SIT-{store:05}-{yyyymmdd}-{seq:07}`, seq in processing order within the store-day
            txn_id: String,
            /// Instant of the movement
            event_ts: Ts,
            /// Store-local date
            business_date: Date,
            /// FK dim_stores
            store_id: i64,
            /// FK dim_products
            product_id: i64,
            /// 1-based sequence of movements of this (store, product) since the dataset start
            ledger_seq: i64,
            /// SALE, RETURN, INBOUND_SHIPMENT, ONLINE_PICK, ADJUSTMENT, DAMAGED, RETURN_TO_VENDOR
            txn_type: String,
            /// Signed delta ≠ 0 (SALE, ONLINE_PICK, DAMAGED, RETURN_TO_VENDOR < 0; RETURN, INBOUND > 0)
            quantity: i32,
            /// On-hand after the movement, ≥ 0; = previous balance + quantity
            balance: i32,
            /// RECEIPT / SHIPMENT / ORDER / CYCLE_COUNT
            reference_type: String,
            /// receipt_id, shipment_id or order_id; NULL for CYCLE_COUNT
            reference_id: Option<String>,
            /// Receipt or order line number when the reference has lines
            reference_line_number: Option<i32>,
        }
    }
}

contract_table! {
    /// A row of `fact_dc_inventory_txn`: one stock movement of one product at one DC.
    pub struct FactDcInventoryTxn as FACT_DC_INVENTORY_TXN {
        table: "fact_dc_inventory_txn",
        kind: Fact,
        grain: "one stock movement of one product at one DC.",
        key: [txn_id],
        fields: {
            /// `DIT-{dc:03}-{yyyymmdd}-{seq:07}`
            txn_id: String,
            /// Instant of the movement
            event_ts: Ts,
            /// DC-local date
            business_date: Date,
            /// FK dim_distribution_centers
            dc_id: i64,
            /// FK dim_products
            product_id: i64,
            /// 1-based sequence per (dc, product)
            ledger_seq: i64,
            /// SUPPLIER_RECEIPT (> 0), OUTBOUND_SHIPMENT (< 0), ONLINE_PICK (< 0)
            txn_type: String,
            /// Signed delta ≠ 0
            quantity: i32,
            /// On-hand after the movement, ≥ 0
            balance: i32,
            /// PURCHASE_ORDER / SHIPMENT / ORDER
            reference_type: String,
            /// `PO-{dc:03}-{yyyymmdd}-{seq:04}`, shipment_id or order_id
            reference_id: String,
            /// Order line number for ONLINE_PICK, else NULL
            reference_line_number: Option<i32>,
        }
    }
}

contract_table! {
    /// A row of `fact_truck_moves`: one status transition of one DC → store shipment.
    pub struct FactTruckMove as FACT_TRUCK_MOVES {
        table: "fact_truck_moves",
        kind: Fact,
        grain: "one status transition of one DC → store shipment.",
        key: [shipment_id, status],
        fields: {
            /// `SHP-{dc:03}-{yyyymmdd}-{seq:04}` (DC planning date)
            shipment_id: String,
            /// SCHEDULED, LOADING, IN_TRANSIT, ARRIVED, UNLOADING, COMPLETED — each exactly once, in this order
            status: String,
            /// Instant the shipment entered `status`
            event_ts: Ts,
            /// DC-local date for SCHEDULED/LOADING/IN_TRANSIT, store-local for ARRIVED/UNLOADING/COMPLETED
            business_date: Date,
            /// FK dim_trucks
            truck_id: i64,
            /// FK dim_distribution_centers (= the store's serving DC)
            dc_id: i64,
            /// FK dim_stores
            store_id: i64,
            /// REFRIGERATED / AMBIENT; REFRIGERATED loads only on refrigerated trucks
            temperature_class: String,
            /// Σ quantity on the shipment, 1..truck capacity
            units: i32,
            /// Distinct products on the shipment
            line_count: i32,
            /// Planned DC departure
            planned_departure_ts: Ts,
            /// Planned store arrival = planned departure + planned travel
            eta_ts: Ts,
            /// Planned store departure = eta + planned dock wait + planned unload
            etd_ts: Ts,
            /// COMPLETED only: (COMPLETED.event_ts − ARRIVED.event_ts) in minutes
            dwell_minutes: Option<f64>,
        }
    }
}

contract_table! {
    /// A row of `fact_truck_inventory`: one product of one shipment per LOAD or UNLOAD action.
    pub struct FactTruckInventory as FACT_TRUCK_INVENTORY {
        table: "fact_truck_inventory",
        kind: Fact,
        grain: "one product of one shipment per LOAD or UNLOAD action.",
        key: [shipment_id, product_id, action],
        fields: {
            /// FK fact_truck_moves
            shipment_id: String,
            /// FK dim_products
            product_id: i64,
            /// LOAD / UNLOAD
            action: String,
            /// LOAD = LOADING instant; UNLOAD = UNLOADING instant
            event_ts: Ts,
            /// DC-local (LOAD) or store-local (UNLOAD)
            business_date: Date,
            /// = shipment truck
            truck_id: i64,
            /// = shipment DC
            dc_id: i64,
            /// = shipment store
            store_id: i64,
            /// FK fact_reorders: the store reorder this line fills
            reorder_id: String,
            /// > 0; LOAD and UNLOAD quantities are equal
            quantity: i32,
        }
    }
}

contract_table! {
    /// A row of `fact_foot_traffic`: one zone sensor report per store, zone and 15-minute interval inside open hours.
    pub struct FactFootTraffic as FACT_FOOT_TRAFFIC {
        table: "fact_foot_traffic",
        kind: Fact,
        grain: "one zone sensor report per store, zone and 15-minute interval inside open hours.",
        key: [store_id, zone, interval_start_ts],
        fields: {
            /// FK dim_stores
            store_id: i64,
            /// ENTRANCE / ELECTRONICS / GROCERY / CLOTHING / CHECKOUT
            zone: String,
            /// Start of a 15-minute interval fully inside open hours
            interval_start_ts: Ts,
            /// Interval end (= start + 15 min): the sensor's report time
            event_ts: Ts,
            /// Store-local date of `interval_start_ts`
            business_date: Date,
            /// `FT-{store:05}-{zone}`
            sensor_id: String,
            /// 15
            interval_minutes: i32,
            /// People detected in the zone during the interval (§7.13), ≥ 0
            visitor_count: i32,
            /// Mean dwell of those people; 0 when visitor_count = 0
            avg_dwell_seconds: i32,
        }
    }
}

contract_table! {
    /// A row of `fact_ble_pings`: one beacon detection of one visiting device.
    pub struct FactBlePing as FACT_BLE_PINGS {
        table: "fact_ble_pings",
        kind: Fact,
        grain: "one beacon detection of one visiting device.",
        key: [visit_id, ping_number],
        fields: {
            /// Visit of a SALE receipt (`VIS-…`)
            visit_id: String,
            /// 1..n in time order within the visit
            ping_number: i32,
            /// Ping instant, within [visit start, receipt event_ts]
            event_ts: Ts,
            /// Store-local date
            business_date: Date,
            /// FK dim_stores
            store_id: i64,
            /// `BCN-{store:05}-{zone}`
            beacon_id: String,
            /// Zone of the beacon
            zone: String,
            /// Customer `ble_id` (identified visit) or `ANON-` + 16 hex (anonymous visit, §7.13)
            customer_ble_id: String,
            /// Set iff the visit is identified
            customer_id: Option<i64>,
            /// U{−80..−30} dBm
            rssi: i32,
        }
    }
}

contract_table! {
    /// A row of `fact_customer_zone_changes`: one zone transition within a visit.
    pub struct FactCustomerZoneChange as FACT_CUSTOMER_ZONE_CHANGES {
        table: "fact_customer_zone_changes",
        kind: Fact,
        grain: "one zone transition within a visit.",
        key: [visit_id, change_number],
        fields: {
            /// FK (visit) of the pings
            visit_id: String,
            /// 1..k−1 for a path of k zones
            change_number: i32,
            /// = `event_ts` of the first ping in `to_zone`
            event_ts: Ts,
            /// Store-local date
            business_date: Date,
            /// FK dim_stores
            store_id: i64,
            /// As on the pings
            customer_ble_id: String,
            /// As on the pings
            customer_id: Option<i64>,
            /// Zone of the previous ping
            from_zone: String,
            /// Zone of this ping; ≠ from_zone
            to_zone: String,
            /// `ping_number` of the first ping in `to_zone`
            ping_number: i32,
        }
    }
}

contract_table! {
    /// A row of `fact_marketing`: one ad impression.
    pub struct FactMarketing as FACT_MARKETING {
        table: "fact_marketing",
        kind: Fact,
        grain: "one ad impression.",
        key: [impression_id],
        fields: {
            /// `IMP-{yyyymmdd}-{seq:07}`, seq in (event_ts, campaign_id, draw) order of the day
            impression_id: String,
            /// Impression instant
            event_ts: Ts,
            /// Customer-local date (the marketing day)
            business_date: Date,
            /// `CMP-{start yyyymmdd}-{n:02}`
            campaign_id: String,
            /// SEASONAL_SALE / PRODUCT_LAUNCH / LOYALTY_PROGRAM / FLASH_SALE
            campaign_type: String,
            /// FACEBOOK, GOOGLE, INSTAGRAM, YOUTUBE, EMAIL, DISPLAY, SEARCH, SOCIAL
            channel: String,
            /// `{campaign_id}-C{k:02}`, k = 1..creatives of the campaign
            creative_id: String,
            /// FK dim_customers: the targeted customer
            customer_id: i64,
            /// = that customer's `ad_id`
            customer_ad_id: String,
            /// MOBILE .60 / DESKTOP .30 / TABLET .10
            device: String,
            /// round_half_away(U(channel min, max cents) × device multiplier) ≥ 1
            cost: Money,
        }
    }
}

contract_table! {
    /// A row of `fact_promotions`: one applied promotion code on one purchase.
    pub struct FactPromotion as FACT_PROMOTIONS {
        table: "fact_promotions",
        kind: Fact,
        grain: "one applied promotion code on one purchase.",
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
            /// Code from the promotion table (§7.6)
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
        }
    }
}

contract_table! {
    /// A row of `fact_promo_lines`: one discounted line of a promotion.
    pub struct FactPromoLine as FACT_PROMO_LINES {
        table: "fact_promo_lines",
        kind: Fact,
        grain: "one discounted line of a promotion.",
        key: [promotion_id, line_number],
        fields: {
            /// FK fact_promotions
            promotion_id: String,
            /// = the discounted receipt / order line number
            line_number: i32,
            /// = purchase `event_ts`
            event_ts: Ts,
            /// = purchase `business_date`
            business_date: Date,
            /// STORE / ONLINE
            channel: String,
            /// As on the promotion
            receipt_id: Option<String>,
            /// As on the promotion
            order_id: Option<String>,
            /// FK dim_products
            product_id: i64,
            /// = promotion code
            promo_code: String,
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
    /// A row of `fact_store_ops`: one opening or closing of one store.
    pub struct FactStoreOps as FACT_STORE_OPS {
        table: "fact_store_ops",
        kind: Fact,
        grain: "one opening or closing of one store.",
        key: [store_id, event_ts, operation_type],
        fields: {
            /// FK dim_stores
            store_id: i64,
            /// Local opening or closing instant converted to UTC
            event_ts: Ts,
            /// OPENED / CLOSED; per store the rows alternate in time
            operation_type: String,
            /// Store-local date of the trading day the operation belongs to
            business_date: Date,
            /// REGULAR_HOURS / HOLIDAY_CLOSURE
            reason: String,
        }
    }
}

contract_table! {
    /// A row of `fact_stockouts`: one depletion of a product at a location to zero, at most one per 24 h per (location_type, location, product).
    pub struct FactStockout as FACT_STOCKOUTS {
        table: "fact_stockouts",
        kind: Fact,
        grain: "one depletion of a product at a location to zero, at most one per 24 h per (location_type, location, product).",
        key: [stockout_id],
        fields: {
            /// `SO-{txn_id}` of the depleting movement
            stockout_id: String,
            /// = depleting movement `event_ts`
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
            /// On-hand just before the depleting movement (≥ 1)
            last_known_quantity: i32,
            /// FK store or DC inventory txn that brought the balance to 0
            txn_id: String,
        }
    }
}

contract_table! {
    /// A row of `fact_reorders`: one replenishment request line (store × product) at a store's daily evaluation.
    pub struct FactReorder as FACT_REORDERS {
        table: "fact_reorders",
        kind: Fact,
        grain: "one replenishment request line (store × product) at a store's daily evaluation.",
        key: [reorder_id],
        fields: {
            /// `RO-{store:05}-{yyyymmdd}-{seq:05}`, seq in product_id order
            reorder_id: String,
            /// Store closing instant (24/7 stores: 23:00 local)
            event_ts: Ts,
            /// Store-local date
            business_date: Date,
            /// FK dim_stores
            store_id: i64,
            /// FK dim_distribution_centers: the store's serving DC
            dc_id: i64,
            /// FK dim_products (launched)
            product_id: i64,
            /// Store on-hand at evaluation
            on_hand_quantity: i32,
            /// Units allocated to shipments not yet unloaded
            on_order_quantity: i32,
            /// Units held at the store at evaluation (online reservations, returns awaiting disposition)
            reserved_quantity: i32,
            /// Per (store, product) (§7.9)
            reorder_point: i32,
            /// Per (store, product) par level
            order_up_to_quantity: i32,
            /// order_up_to − (on_hand − reserved + on_order) > 0
            reorder_quantity: i32,
            /// deficit % = (rop − on_hand)/rop × 100: ≥ 50 URGENT, ≥ 25 HIGH, else NORMAL
            priority: String,
        }
    }
}
