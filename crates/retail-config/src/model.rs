//! The resolved configuration (data-contract §10.2, events.md §9.4). Field names are the JSON
//! names; every struct rejects unknown fields.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A fully resolved configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Must be 1.
    pub config_version: u32,
    /// Built-in profile the file starts from: `default` or `small`.
    pub profile: String,
    /// Master seed, 0 ≤ seed ≤ 2^53 − 1.
    pub seed: u64,
    /// Date range of the run.
    pub dates: Dates,
    /// Volumes and inventory ranges.
    pub volume: Volume,
    /// Supply chain knobs.
    pub supply: Supply,
    /// Returns knobs.
    pub returns: Returns,
    /// Online orders knobs.
    pub online: Online,
    /// Marketing knobs.
    pub marketing: Marketing,
    /// Impression cost ranges.
    pub marketing_cost: MarketingCost,
    /// Calendar knobs.
    pub calendar: Calendar,
    /// Supply-chain disruptions scheduled for generation (data-contract §1).
    #[serde(default)]
    pub disruptions: Vec<Disruption>,
    /// Output knobs.
    pub output: Output,
    /// Performance knobs (never affect output).
    pub performance: Performance,
    /// Streaming knobs (events.md §9.4).
    pub stream: Stream,
}

/// `dates.*`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dates {
    /// First generated date, `YYYY-MM-DD`.
    pub start_date: String,
    /// Last generated date (inclusive), `YYYY-MM-DD`.
    pub end_date: String,
}

/// `volume.*`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Volume {
    pub total_geographies: u32,
    pub dcs: u32,
    pub stores: u32,
    pub total_customers: u64,
    pub total_products: u32,
    pub customers_per_day: u32,
    pub online_orders_per_day: u32,
    pub marketing_impressions_per_day: u64,
    pub refrigerated_trucks: u32,
    pub non_refrigerated_trucks: u32,
    pub supplier_refrigerated_trucks: u32,
    pub supplier_non_refrigerated_trucks: u32,
    pub truck_dc_assignment_rate: f64,
    pub trucks_per_dc: Option<u32>,
    pub truck_capacity: u32,
    pub store_initial_inventory_min: u32,
    pub store_initial_inventory_max: u32,
    pub store_reorder_point_min: u32,
    pub store_reorder_point_max: u32,
    pub dc_initial_inventory_min: u32,
    pub dc_initial_inventory_max: u32,
    pub dc_reorder_point_min: u32,
    pub dc_reorder_point_max: u32,
}

/// `supply.*`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Supply {
    pub supplier_lead_time_days_min: u32,
    pub supplier_lead_time_days_max: u32,
    pub cycle_count_store_share: f64,
}

/// `returns.*`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Returns {
    pub rate: f64,
    pub holiday_rate_multiplier: f64,
    pub min_lag_days: u32,
    pub max_lag_days: u32,
    pub line_return_probability: f64,
}

/// `online.*`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Online {
    /// Share of orders cancelled.
    pub cancel_rate: f64,
    /// Fulfilment mode shares.
    pub mode_shares: ModeShares,
}

/// `online.mode_shares`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs, non_snake_case)]
pub struct ModeShares {
    pub SHIP_FROM_DC: f64,
    pub SHIP_FROM_STORE: f64,
    pub BOPIS: f64,
}

/// `marketing.*`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Marketing {
    pub campaign_start_probability: f64,
    pub attribution_window_days: u32,
}

/// `marketing_cost.*`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketingCost {
    /// Channel → [min_cents, max_cents]; all 8 channels.
    pub channels: BTreeMap<String, [i64; 2]>,
    /// Device → multiplier (MOBILE, DESKTOP, TABLET).
    pub device_multipliers: BTreeMap<String, f64>,
}

/// `calendar.*`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// Closable holiday keys on which stores do not trade.
    pub closed_holidays: Vec<String>,
}

/// One scheduled supply-chain disruption.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disruption {
    /// `dc_outage`, `truck_breakdown`, `weather_delay`, `supplier_delay` or `inventory_shortage`.
    pub kind: String,
    /// What it hits: a DC number (`DC003`), a store number (`S000005`), a state (`TX`) or `ALL`.
    pub target: String,
    /// Start instant, RFC 3339 UTC.
    pub start: String,
    /// Duration in hours (> 0).
    pub duration_hours: f64,
    /// Severity in (0, 1]: share of capacity lost or delay factor.
    pub severity: f64,
}

/// `output.*`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Output {
    pub dir: String,
    pub duckdb: bool,
    pub duckdb_file: String,
    pub parquet: bool,
    pub parquet_compression: String,
    pub parquet_zstd_level: i32,
    pub parquet_row_group_rows: u32,
    pub events_file: bool,
}

/// `performance.*`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Performance {
    /// Worker threads; null = all cores. Never affects output.
    pub threads: Option<u32>,
}

/// `stream.*` (events.md §9.4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Stream {
    pub event_hub: String,
    pub fully_qualified_namespace: Option<String>,
    pub auth: String,
    pub connection_string_env: String,
    pub pacing: String,
    pub speed: f64,
    pub max_events_per_second: u32,
    pub max_batch_bytes: u32,
    pub max_event_bytes: u32,
    pub send_timeout_ms: u32,
    pub retry_max_attempts: u32,
    pub retry_initial_backoff_ms: u32,
    pub retry_max_backoff_ms: u32,
    pub event_types: Option<Vec<String>>,
    pub days: Option<u32>,
    pub lookahead_days: u32,
}
