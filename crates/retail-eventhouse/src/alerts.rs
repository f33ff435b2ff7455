//! The alert rules of fabric.md §3.10 (`fabric/kql/09_rules.kql`), evaluated on every
//! micro-batch. The KQL rules look at what arrived since the previous evaluation
//! (`ingest_timestamp > ago(window)`); locally that is exactly the micro-batch's fresh rows.
//! Activator fires once per new `alert_key`; locally the `alerts` table's primary key
//! `(rule, alert_key)` does the same.

use retail_schemas::Ts;

/// One alert rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// `rule_stockout`: a `stockout_detected` arrived.
    Stockout,
    /// `rule_urgent_reorder`: a `reorder_triggered` with priority URGENT arrived.
    UrgentReorder,
    /// `rule_truck_dwell_breach`: a truck at dock (or departed after) longer than the threshold.
    TruckDwellBreach,
    /// `rule_zone_overcrowded`: a zone report above the visitor or dwell limit arrived.
    ZoneOvercrowded,
    /// `rule_high_value_receipt`: a SALE receipt at or above the amount arrived.
    HighValueReceipt,
}

impl Rule {
    /// Every rule, in fabric.md order.
    pub const ALL: [Rule; 5] = [
        Rule::Stockout,
        Rule::UrgentReorder,
        Rule::TruckDwellBreach,
        Rule::ZoneOvercrowded,
        Rule::HighValueReceipt,
    ];

    /// The KQL function name (`rule_stockout`, …), stored in `alerts.rule`.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Stockout => "rule_stockout",
            Rule::UrgentReorder => "rule_urgent_reorder",
            Rule::TruckDwellBreach => "rule_truck_dwell_breach",
            Rule::ZoneOvercrowded => "rule_zone_overcrowded",
            Rule::HighValueReceipt => "rule_high_value_receipt",
        }
    }

    /// The rule called `name`.
    pub fn parse(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// Thresholds of the rules (the KQL functions' parameter defaults).
#[derive(Clone, Debug, PartialEq)]
pub struct RuleParams {
    /// `rule_truck_dwell_breach(threshold_minutes)`.
    pub truck_dwell_threshold_minutes: f64,
    /// `fn_truck_sla(lookback)`: arrivals older than this (business time) are not checked.
    pub truck_lookback_minutes: i64,
    /// `rule_zone_overcrowded(max_visitors)`.
    pub max_visitors: i32,
    /// `rule_zone_overcrowded(max_avg_dwell_seconds)`.
    pub max_avg_dwell_seconds: i32,
    /// `rule_high_value_receipt(min_total_cents)`.
    pub min_total_cents: i64,
}

impl Default for RuleParams {
    fn default() -> Self {
        Self {
            truck_dwell_threshold_minutes: 90.0,
            truck_lookback_minutes: 24 * 60,
            max_visitors: 60,
            max_avg_dwell_seconds: 600,
            min_total_cents: 50_000,
        }
    }
}

/// One raised alert (a row of the `alerts` table).
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    /// The rule that fired.
    pub rule: Rule,
    /// Stable key of the condition (as the KQL rule's `alert_key`).
    pub alert_key: String,
    /// Business time of the triggering event.
    pub event_ts: Ts,
    /// `ingest_timestamp` of the triggering event (for at-dock trucks: of the arrival).
    pub trigger_ingest_ts: Ts,
    /// Wall-clock instant the alert was committed.
    pub raised_at: Ts,
    /// Store concerned, if any.
    pub store_id: Option<i64>,
    /// DC concerned, if any.
    pub dc_id: Option<i64>,
    /// Product concerned, if any.
    pub product_id: Option<i64>,
    /// One human-readable line.
    pub message: String,
}

/// DDL of the `alerts` table.
pub const ALERTS_TABLE_DDL: &str = "CREATE TABLE IF NOT EXISTS alerts (\
rule VARCHAR NOT NULL, alert_key VARCHAR NOT NULL, raised_at TIMESTAMPTZ NOT NULL, \
event_ts TIMESTAMPTZ NOT NULL, trigger_ingest_ts TIMESTAMPTZ NOT NULL, store_id BIGINT, \
dc_id BIGINT, product_id BIGINT, message VARCHAR NOT NULL, PRIMARY KEY (rule, alert_key))";

/// KQL's text form of a datetime in `strcat` (`2024-03-06T14:15:00Z`, fraction only when
/// non-zero), used in the zone alert key.
pub fn kql_datetime_text(ts: Ts) -> String {
    let dt = ts.to_datetime();
    let micros = ts.0.rem_euclid(1_000_000);
    if micros == 0 {
        dt.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        // KQL prints 7 fractional digits (100 ns ticks).
        format!("{}.{:06}0Z", dt.format("%Y-%m-%dT%H:%M:%S"), micros)
    }
}
