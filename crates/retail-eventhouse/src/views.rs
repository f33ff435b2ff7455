//! The aggregate materialized views of fabric.md §3.7 (`fabric/kql/06_views.kql`) as DuckDB
//! tables kept up to date per micro-batch.
//!
//! Each [`ViewDef`] states the view once — source, filter, group keys, aggregates — and both
//! SQL texts come from it: the incremental merge of a micro-batch's fresh rows
//! ([`ViewDef::merge_sql`]) and the from-scratch query over the whole typed table
//! ([`ViewDef::from_scratch_sql`]), which tests compare.
//!
//! KQL → DuckDB: `bin(event_ts, 1m)` → `time_bucket(INTERVAL '1 minute', event_ts)` (session
//! time zone UTC), `countif(p)` → `count(*) FILTER (WHERE p)`, `sumif(x, p)` →
//! `coalesce(sum(x) FILTER (WHERE p), 0)`, `sum` of longs stays a BIGINT, `arg_max(ledger_seq,
//! …)` → `max(ledger_seq)` + `arg_max(…, ledger_seq)`.

use retail_schemas::EventType;

/// How a micro-batch's partial aggregate is combined with the stored row of the same group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Merge {
    /// Every aggregate is a count or a sum: stored + fresh.
    Additive,
    /// `arg_max(by, …)`: the fresh row replaces the stored one when its `by` is greater.
    LatestBy(&'static str),
}

/// One aggregate view.
#[derive(Clone, Copy, Debug)]
pub struct ViewDef {
    /// View (and DuckDB table) name, as in KQL.
    pub name: &'static str,
    /// Typed table it reads (the `_dedup` view of KQL: the local tables are deduplicated on
    /// `trace_id` at ingestion).
    pub source: EventType,
    /// Row filter, DuckDB SQL.
    pub filter: Option<&'static str>,
    /// Group keys: (column, DuckDB expression).
    pub keys: &'static [(&'static str, &'static str)],
    /// Aggregates: (column, DuckDB aggregate expression).
    pub aggregates: &'static [(&'static str, &'static str)],
    /// Columns of the primary key used to merge (a subset of the keys).
    pub primary_key: &'static [&'static str],
    /// How partial aggregates merge.
    pub merge: Merge,
}

const MINUTE: &str = "time_bucket(INTERVAL '1 minute', event_ts)";
const QUARTER: &str = "time_bucket(INTERVAL '15 minutes', event_ts)";
const HOUR: &str = "time_bucket(INTERVAL '1 hour', event_ts)";

const PRODUCT_AGGREGATES: &[(&str, &str)] = &[
    ("units", "CAST(sum(quantity) AS BIGINT)"),
    ("net_sales_cents", "CAST(sum(net_cents) AS BIGINT)"),
    ("lines", "count(*)"),
];

/// Every view of fabric.md §3.7, in its order.
pub const VIEWS: &[ViewDef] = &[
    ViewDef {
        name: "mv_store_sales_minute",
        source: EventType::ReceiptCreated,
        filter: None,
        keys: &[("store_id", "store_id"), ("minute", MINUTE)],
        aggregates: &[
            (
                "sale_receipts",
                "count(*) FILTER (WHERE receipt_type = 'SALE')",
            ),
            (
                "return_receipts",
                "count(*) FILTER (WHERE receipt_type = 'RETURN')",
            ),
            ("items", "CAST(sum(item_count) AS BIGINT)"),
            (
                "net_sales_cents",
                "CAST(sum(subtotal_cents - discount_cents) AS BIGINT)",
            ),
            ("tax_cents", "CAST(sum(tax_cents) AS BIGINT)"),
            ("total_cents", "CAST(sum(total_cents) AS BIGINT)"),
            (
                "sale_total_cents",
                "CAST(coalesce(sum(total_cents) FILTER (WHERE receipt_type = 'SALE'), 0) AS BIGINT)",
            ),
        ],
        primary_key: &["store_id", "minute"],
        merge: Merge::Additive,
    },
    ViewDef {
        name: "mv_sales_product_minute",
        source: EventType::ReceiptLineAdded,
        filter: None,
        keys: &[("product_id", "product_id"), ("minute", MINUTE)],
        aggregates: PRODUCT_AGGREGATES,
        primary_key: &["product_id", "minute"],
        merge: Merge::Additive,
    },
    ViewDef {
        name: "mv_top_products_15m",
        source: EventType::ReceiptLineAdded,
        filter: None,
        keys: &[("product_id", "product_id"), ("window_start", QUARTER)],
        aggregates: PRODUCT_AGGREGATES,
        primary_key: &["product_id", "window_start"],
        merge: Merge::Additive,
    },
    ViewDef {
        name: "mv_tender_mix_15m",
        source: EventType::PaymentProcessed,
        filter: Some("status = 'APPROVED'"),
        keys: &[
            ("channel", "channel"),
            ("tender_type", "tender_type"),
            ("payment_type", "payment_type"),
            ("window_start", QUARTER),
        ],
        aggregates: &[
            ("payments", "count(*)"),
            ("amount_cents", "CAST(sum(amount_cents) AS BIGINT)"),
        ],
        primary_key: &["channel", "tender_type", "payment_type", "window_start"],
        merge: Merge::Additive,
    },
    ViewDef {
        name: "mv_zone_dwell_minute",
        source: EventType::CustomerEntered,
        filter: None,
        keys: &[
            ("store_id", "store_id"),
            ("zone", "zone"),
            ("minute", MINUTE),
        ],
        aggregates: &[
            ("visitors", "CAST(sum(visitor_count) AS BIGINT)"),
            (
                "dwell_seconds_total",
                "CAST(sum(CAST(visitor_count AS BIGINT) * avg_dwell_seconds) AS BIGINT)",
            ),
            ("reports", "count(*)"),
        ],
        primary_key: &["store_id", "zone", "minute"],
        merge: Merge::Additive,
    },
    ViewDef {
        name: "mv_inventory_latest",
        source: EventType::InventoryUpdated,
        filter: None,
        // store_id / dc_id are NULL on the other location type, and a primary key column
        // cannot be NULL: a text key stands for the four group columns.
        keys: &[
            (
                "group_key",
                "concat_ws('|', location_type, coalesce(CAST(store_id AS VARCHAR), ''), coalesce(CAST(dc_id AS VARCHAR), ''), CAST(product_id AS VARCHAR))",
            ),
            ("location_type", "location_type"),
            ("store_id", "store_id"),
            ("dc_id", "dc_id"),
            ("product_id", "product_id"),
        ],
        aggregates: &[
            ("ledger_seq", "max(ledger_seq)"),
            ("balance", "arg_max(balance, ledger_seq)"),
            ("event_ts", "arg_max(event_ts, ledger_seq)"),
            ("txn_id", "arg_max(txn_id, ledger_seq)"),
            ("txn_type", "arg_max(txn_type, ledger_seq)"),
        ],
        primary_key: &["group_key"],
        merge: Merge::LatestBy("ledger_seq"),
    },
    ViewDef {
        name: "mv_online_orders_15m",
        source: EventType::OnlineOrderCreated,
        filter: None,
        keys: &[
            ("fulfillment_mode", "fulfillment_mode"),
            ("window_start", QUARTER),
        ],
        aggregates: &[
            ("orders", "count(*)"),
            ("items", "CAST(sum(item_count) AS BIGINT)"),
            ("total_cents", "CAST(sum(total_cents) AS BIGINT)"),
        ],
        primary_key: &["fulfillment_mode", "window_start"],
        merge: Merge::Additive,
    },
    ViewDef {
        name: "mv_marketing_spend_hourly",
        source: EventType::AdImpression,
        filter: None,
        keys: &[
            ("campaign_id", "campaign_id"),
            ("channel", "channel"),
            ("hour", HOUR),
        ],
        aggregates: &[
            ("impressions", "count(*)"),
            ("cost_cents", "CAST(sum(cost_cents) AS BIGINT)"),
        ],
        primary_key: &["campaign_id", "channel", "hour"],
        merge: Merge::Additive,
    },
];

/// The view called `name`.
pub fn view(name: &str) -> Option<&'static ViewDef> {
    VIEWS.iter().find(|v| v.name == name)
}

impl ViewDef {
    /// Output column names: keys then aggregates.
    pub fn columns(&self) -> Vec<&'static str> {
        self.keys
            .iter()
            .chain(self.aggregates)
            .map(|(name, _)| *name)
            .collect()
    }

    /// The aggregate query over `table` (a typed table or a micro-batch's staging table).
    pub fn aggregate_sql(&self, table: &str) -> String {
        let select: Vec<String> = self
            .keys
            .iter()
            .chain(self.aggregates)
            .map(|(name, expr)| format!("{expr} AS {name}"))
            .collect();
        let group: Vec<String> = (1..=self.keys.len()).map(|i| i.to_string()).collect();
        format!(
            "SELECT {} FROM {table}{} GROUP BY {}",
            select.join(", "),
            self.filter
                .map(|f| format!(" WHERE {f}"))
                .unwrap_or_default(),
            group.join(", ")
        )
    }

    /// The view computed from scratch over the whole typed table — what KQL's view holds.
    pub fn from_scratch_sql(&self) -> String {
        self.aggregate_sql(self.source.name())
    }

    /// Creates the view's table, column types as the aggregate query yields them.
    pub(crate) fn create_sql(&self, column_types: &[(String, String)]) -> String {
        let columns: Vec<String> = column_types
            .iter()
            .map(|(name, ty)| {
                let not_null = if self.primary_key.contains(&name.as_str()) {
                    " NOT NULL"
                } else {
                    ""
                };
                format!("{name} {ty}{not_null}")
            })
            .collect();
        format!(
            "CREATE TABLE IF NOT EXISTS {} ({}, PRIMARY KEY ({}))",
            self.name,
            columns.join(", "),
            self.primary_key.join(", ")
        )
    }

    /// Merges the aggregate of `staging` (the fresh rows of one micro-batch) into the view.
    pub fn merge_sql(&self, staging: &str) -> String {
        let columns = self.columns();
        let updates: Vec<String> = match self.merge {
            Merge::Additive => self
                .aggregates
                .iter()
                .map(|(name, _)| format!("{name} = {}.{name} + EXCLUDED.{name}", self.name))
                .collect(),
            Merge::LatestBy(_) => self
                .aggregates
                .iter()
                .map(|(name, _)| format!("{name} = EXCLUDED.{name}"))
                .collect(),
        };
        let condition = match self.merge {
            Merge::Additive => String::new(),
            Merge::LatestBy(by) => format!(" WHERE EXCLUDED.{by} > {}.{by}", self.name),
        };
        format!(
            "INSERT INTO {} ({}) {} ON CONFLICT ({}) DO UPDATE SET {}{condition}",
            self.name,
            columns.join(", "),
            self.aggregate_sql(staging),
            self.primary_key.join(", "),
            updates.join(", ")
        )
    }
}
