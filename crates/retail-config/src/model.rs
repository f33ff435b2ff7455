//! The resolved configuration (data-contract §10.2, events.md §9.4). Field names are the JSON
//! names; every struct rejects unknown fields.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A built-in profile: the base a configuration file is merged over (data-contract §10.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// `default`: the calibrated 86-store network, one month (March 2024).
    Default,
    /// `small`: 4 stores, 14 days around Thanksgiving 2024, sized for tests.
    Small,
}

impl Profile {
    /// Every built-in profile.
    pub const ALL: [Profile; 2] = [Profile::Default, Profile::Small];

    /// The name used in `profile` and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Default => "default",
            Profile::Small => "small",
        }
    }

    /// The profile with this name.
    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The profile's fully resolved configuration.
    pub fn config(self) -> Config {
        match self {
            Profile::Default => crate::profiles::default_config(),
            Profile::Small => crate::profiles::small_config(),
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::from_name(s)
            .ok_or_else(|| format!("unknown profile `{s}`: use `default` or `small`"))
    }
}

/// The 8 marketing channels of `marketing_cost.channels` (data-contract §7.12).
pub const CHANNELS: [&str; 8] = [
    "EMAIL",
    "DISPLAY",
    "SOCIAL",
    "SEARCH",
    "FACEBOOK",
    "GOOGLE",
    "INSTAGRAM",
    "YOUTUBE",
];

/// The devices of `marketing_cost.device_multipliers`.
pub const DEVICES: [&str; 3] = ["MOBILE", "DESKTOP", "TABLET"];

/// Holiday keys that `calendar.closed_holidays` may list (data-contract §7.1, "Closable").
pub const CLOSABLE_HOLIDAYS: [&str; 4] = [
    "new_years_day",
    "easter_sunday",
    "thanksgiving",
    "christmas_day",
];

/// Kinds of scheduled supply-chain disruption (data-contract §1).
pub const DISRUPTION_KINDS: [&str; 5] = [
    "dc_outage",
    "truck_breakdown",
    "weather_delay",
    "supplier_delay",
    "inventory_shortage",
];

/// The 18 event type names of events.md §7, in section order.
pub const EVENT_TYPES: [&str; 18] = [
    "receipt_created",
    "receipt_line_added",
    "payment_processed",
    "inventory_updated",
    "stockout_detected",
    "reorder_triggered",
    "customer_entered",
    "customer_zone_changed",
    "ble_ping_detected",
    "truck_arrived",
    "truck_departed",
    "store_opened",
    "store_closed",
    "ad_impression",
    "promotion_applied",
    "online_order_created",
    "online_order_picked",
    "online_order_shipped",
];

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
    /// What it hits: a DC number (`DC003`), a store number (`S000005`), a two-letter state
    /// (`TX`) or `ALL`.
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
