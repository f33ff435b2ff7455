//! Whole-config validation: every rule of data-contract §10.2 and events.md §9.4, plus the
//! `disruptions` list. All violations are collected; nothing here panics.

use std::collections::BTreeSet;

use retail_schemas::{Date, Ts};

use crate::error::Violation;
use crate::load::{looks_like_secret, render_value};
use crate::model::*;

/// Largest seed: 2^53 − 1, so that every seed survives a round trip through a JSON double.
pub const MAX_SEED: u64 = 9_007_199_254_740_991;
/// Longest run: `end_date − start_date` in days.
pub const MAX_RANGE_DAYS: i32 = 3_660;
/// Earliest allowed `dates.start_date`.
pub const MIN_DATE: &str = "2000-01-01";
/// Latest allowed `dates.end_date`.
pub const MAX_DATE: &str = "2099-12-31";

/// Every rule the configuration breaks, in field order; empty when it is valid.
pub fn violations(config: &Config) -> Vec<Violation> {
    let mut c = Checker::default();
    c.check_top(config);
    c.check_dates(&config.dates);
    c.check_volume(&config.volume);
    c.check_supply(&config.supply);
    c.check_returns(&config.returns);
    c.check_online(&config.online);
    c.check_marketing(&config.marketing, &config.marketing_cost);
    c.check_calendar(&config.calendar);
    c.check_disruptions(config);
    c.check_output(&config.output);
    c.check_performance(&config.performance);
    c.check_stream(&config.stream);
    c.out
}

#[derive(Default)]
struct Checker {
    out: Vec<Violation>,
}

/// A derived number (sum, product) for messages, without binary-fraction noise.
fn approx(x: f64) -> String {
    json(&((x * 1e9).round() / 1e9))
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .map(|v| render_value(&v))
        .unwrap_or_else(|_| "<unprintable>".to_string())
}

impl Checker {
    fn fail(&mut self, path: &str, value: String, rule: impl Into<String>) {
        self.out.push(Violation::new(path, value, rule));
    }

    /// Whole-number bounds, inclusive.
    fn int(&mut self, path: &str, value: impl Into<i128>, min: Option<i128>, max: Option<i128>) {
        let v = value.into();
        let ok = min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m);
        if !ok {
            let rule = match (min, max) {
                (Some(lo), Some(hi)) => format!("must be between {lo} and {hi}"),
                (Some(lo), None) => format!("must be at least {lo}"),
                (None, Some(hi)) => format!("must be at most {hi}"),
                (None, None) => "is out of range".to_string(),
            };
            self.fail(path, v.to_string(), rule);
        }
    }

    /// Number bounds; `open_low` / `open_high` make that end exclusive.
    fn num(&mut self, path: &str, v: f64, low: Option<(f64, bool)>, high: Option<(f64, bool)>) {
        let above = low.is_none_or(|(lo, open)| if open { v > lo } else { v >= lo });
        let below = high.is_none_or(|(hi, open)| if open { v < hi } else { v <= hi });
        if !(v.is_finite() && above && below) {
            let lo_text = low.map(|(lo, open)| {
                if open {
                    format!("greater than {lo}")
                } else {
                    format!("at least {lo}")
                }
            });
            let hi_text = high.map(|(hi, open)| {
                if open {
                    format!("less than {hi}")
                } else {
                    format!("at most {hi}")
                }
            });
            let rule = match (lo_text, hi_text) {
                (Some(l), Some(h)) => format!("must be {l} and {h}"),
                (Some(l), None) => format!("must be {l}"),
                (None, Some(h)) => format!("must be {h}"),
                (None, None) => "must be a finite number".to_string(),
            };
            self.fail(path, json(&v), rule);
        }
    }

    fn one_of(&mut self, path: &str, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            let list: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
            let rule = match list.len() {
                2 => format!("must be {} or {}", list[0], list[1]),
                _ => format!("must be one of {}", list.join(", ")),
            };
            self.fail(path, json(&value), rule);
        }
    }

    fn check_top(&mut self, config: &Config) {
        if config.config_version != 1 {
            self.fail(
                "config_version",
                config.config_version.to_string(),
                "must be 1",
            );
        }
        let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
        self.one_of("profile", &config.profile, &names);
        self.int("seed", config.seed, Some(0), Some(MAX_SEED.into()));
    }

    fn check_dates(&mut self, dates: &Dates) {
        let start = self.date("dates.start_date", &dates.start_date);
        let end = self.date("dates.end_date", &dates.end_date);
        let (min, max) = (parse_date(MIN_DATE), parse_date(MAX_DATE));
        if let (Some(s), Some(lo)) = (start, min) {
            if s < lo {
                self.fail(
                    "dates.start_date",
                    json(&dates.start_date),
                    format!("must be {MIN_DATE} or later"),
                );
            }
        }
        if let (Some(e), Some(hi)) = (end, max) {
            if e > hi {
                self.fail(
                    "dates.end_date",
                    json(&dates.end_date),
                    format!("must be {MAX_DATE} or earlier"),
                );
            }
        }
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                self.fail(
                    "dates.end_date",
                    json(&dates.end_date),
                    format!("must not be before dates.start_date ({})", dates.start_date),
                );
            } else if e.0 - s.0 > MAX_RANGE_DAYS {
                self.fail(
                    "dates.end_date",
                    json(&dates.end_date),
                    format!(
                        "must be at most {MAX_RANGE_DAYS} days after dates.start_date ({}); it is {} days after",
                        dates.start_date,
                        e.0 - s.0
                    ),
                );
            }
        }
    }

    fn date(&mut self, path: &str, text: &str) -> Option<Date> {
        let parsed = parse_date(text);
        if parsed.is_none() {
            self.fail(
                path,
                json(&text),
                "must be a real calendar date written YYYY-MM-DD",
            );
        }
        parsed
    }

    fn check_volume(&mut self, v: &Volume) {
        let p = |f: &str| format!("volume.{f}");
        self.int(&p("total_geographies"), v.total_geographies, Some(1), None);
        self.int(&p("stores"), v.stores, Some(1), Some(99_999));
        self.int(&p("dcs"), v.dcs, Some(1), None);
        if v.dcs > v.total_geographies {
            self.fail(
                &p("dcs"),
                v.dcs.to_string(),
                format!(
                    "must be at most volume.total_geographies ({}): at most one DC per geography",
                    v.total_geographies
                ),
            );
        }
        if v.dcs > v.stores {
            self.fail(
                &p("dcs"),
                v.dcs.to_string(),
                format!(
                    "must be at most volume.stores ({}): every DC serves at least one store",
                    v.stores
                ),
            );
        }
        self.int(
            &p("total_customers"),
            v.total_customers,
            Some(1),
            Some(999_999_999),
        );
        self.int(
            &p("total_products"),
            v.total_products,
            Some(1),
            Some(9_999_999),
        );
        self.int(
            &p("customers_per_day"),
            v.customers_per_day,
            Some(0),
            Some(100_000),
        );
        self.int(
            &p("online_orders_per_day"),
            v.online_orders_per_day,
            Some(0),
            Some(10_000_000),
        );
        self.int(
            &p("marketing_impressions_per_day"),
            v.marketing_impressions_per_day,
            Some(0),
            Some(100_000_000),
        );
        let fleet = u64::from(v.refrigerated_trucks) + u64::from(v.non_refrigerated_trucks);
        if fleet < u64::from(v.dcs) {
            self.fail(
                &p("non_refrigerated_trucks"),
                v.non_refrigerated_trucks.to_string(),
                format!(
                    "volume.refrigerated_trucks + volume.non_refrigerated_trucks ({fleet}) must be at least volume.dcs ({}): every DC owns a truck",
                    v.dcs
                ),
            );
        }
        if u64::from(v.refrigerated_trucks) + u64::from(v.supplier_refrigerated_trucks) < 1 {
            self.fail(
                &p("supplier_refrigerated_trucks"),
                v.supplier_refrigerated_trucks.to_string(),
                "volume.refrigerated_trucks + volume.supplier_refrigerated_trucks must be at least 1: refrigerated shipments need a refrigerated truck",
            );
        }
        self.num(
            &p("truck_dc_assignment_rate"),
            v.truck_dc_assignment_rate,
            Some((0.0, true)),
            Some((1.0, false)),
        );
        if let Some(per_dc) = v.trucks_per_dc {
            self.int(&p("trucks_per_dc"), per_dc, Some(1), None);
            let needed = u64::from(v.dcs) * u64::from(per_dc);
            if per_dc >= 1 && needed > fleet {
                self.fail(
                    &p("trucks_per_dc"),
                    per_dc.to_string(),
                    format!(
                        "volume.dcs × trucks_per_dc ({needed}) must be at most the DC fleet, volume.refrigerated_trucks + volume.non_refrigerated_trucks ({fleet})"
                    ),
                );
            }
        }
        self.int(
            &p("truck_capacity"),
            v.truck_capacity,
            Some(100),
            Some(1_000_000),
        );
        self.min_max(
            "volume.store_initial_inventory",
            (v.store_initial_inventory_min, v.store_initial_inventory_max),
            1,
            Some(1_000_000),
        );
        self.min_max(
            "volume.store_reorder_point",
            (v.store_reorder_point_min, v.store_reorder_point_max),
            0,
            None,
        );
        if v.store_reorder_point_min >= v.store_initial_inventory_min {
            self.fail(
                &p("store_reorder_point_min"),
                v.store_reorder_point_min.to_string(),
                format!(
                    "must be less than volume.store_initial_inventory_min ({})",
                    v.store_initial_inventory_min
                ),
            );
        }
        self.min_max(
            "volume.dc_initial_inventory",
            (v.dc_initial_inventory_min, v.dc_initial_inventory_max),
            1,
            Some(100_000_000),
        );
        self.min_max(
            "volume.dc_reorder_point",
            (v.dc_reorder_point_min, v.dc_reorder_point_max),
            0,
            None,
        );
        if v.dc_reorder_point_min >= v.dc_initial_inventory_min {
            self.fail(
                &p("dc_reorder_point_min"),
                v.dc_reorder_point_min.to_string(),
                format!(
                    "must be less than volume.dc_initial_inventory_min ({})",
                    v.dc_initial_inventory_min
                ),
            );
        }
    }

    /// `<stem>_min` / `<stem>_max` with lo ≤ min ≤ max ≤ hi.
    fn min_max(&mut self, stem: &str, (min, max): (u32, u32), lo: i128, hi: Option<i128>) {
        self.int(&format!("{stem}_min"), min, Some(lo), hi);
        self.int(&format!("{stem}_max"), max, Some(lo), hi);
        if min > max {
            let field = stem.rsplit('.').next().unwrap_or(stem);
            self.fail(
                &format!("{stem}_max"),
                max.to_string(),
                format!("must be at least {field}_min ({min})"),
            );
        }
    }

    fn check_supply(&mut self, s: &Supply) {
        self.min_max(
            "supply.supplier_lead_time_days",
            (s.supplier_lead_time_days_min, s.supplier_lead_time_days_max),
            1,
            Some(30),
        );
        self.num(
            "supply.cycle_count_store_share",
            s.cycle_count_store_share,
            Some((0.0, false)),
            Some((1.0, false)),
        );
    }

    fn check_returns(&mut self, r: &Returns) {
        self.num(
            "returns.rate",
            r.rate,
            Some((0.0, false)),
            Some((0.20, false)),
        );
        self.num(
            "returns.holiday_rate_multiplier",
            r.holiday_rate_multiplier,
            Some((1.0, false)),
            None,
        );
        let peak = r.rate * r.holiday_rate_multiplier;
        if r.rate.is_finite() && r.holiday_rate_multiplier.is_finite() && peak > 0.5 {
            self.fail(
                "returns.holiday_rate_multiplier",
                json(&r.holiday_rate_multiplier),
                format!(
                    "returns.rate × holiday_rate_multiplier ({}) must be at most 0.5",
                    approx(peak)
                ),
            );
        }
        self.int("returns.min_lag_days", r.min_lag_days, Some(1), Some(30));
        self.int("returns.max_lag_days", r.max_lag_days, Some(1), Some(30));
        if r.min_lag_days > r.max_lag_days {
            self.fail(
                "returns.max_lag_days",
                r.max_lag_days.to_string(),
                format!("must be at least returns.min_lag_days ({})", r.min_lag_days),
            );
        }
        self.num(
            "returns.line_return_probability",
            r.line_return_probability,
            Some((0.0, true)),
            Some((1.0, false)),
        );
    }

    fn check_online(&mut self, o: &Online) {
        self.num(
            "online.cancel_rate",
            o.cancel_rate,
            Some((0.0, false)),
            Some((0.5, false)),
        );
        let shares = [
            ("SHIP_FROM_DC", o.mode_shares.SHIP_FROM_DC),
            ("SHIP_FROM_STORE", o.mode_shares.SHIP_FROM_STORE),
            ("BOPIS", o.mode_shares.BOPIS),
        ];
        for (mode, share) in shares {
            self.num(
                &format!("online.mode_shares.{mode}"),
                share,
                Some((0.0, false)),
                None,
            );
        }
        let sum: f64 = shares.iter().map(|(_, s)| s).sum();
        let sums_to_one = (sum - 1.0).abs() <= 1e-9;
        if !sums_to_one {
            self.fail(
                "online.mode_shares",
                json(&o.mode_shares),
                format!("shares must sum to 1 (± 1e-9); they sum to {}", approx(sum)),
            );
        }
    }

    fn check_marketing(&mut self, m: &Marketing, cost: &MarketingCost) {
        self.num(
            "marketing.campaign_start_probability",
            m.campaign_start_probability,
            Some((0.0, false)),
            Some((1.0, false)),
        );
        self.int(
            "marketing.attribution_window_days",
            m.attribution_window_days,
            Some(1),
            Some(90),
        );
        for channel in CHANNELS {
            if !cost.channels.contains_key(channel) {
                self.out.push(Violation::without_value(
                    format!("marketing_cost.channels.{channel}"),
                    "is required: all 8 channels need a [min_cents, max_cents] range",
                ));
            }
        }
        for (channel, [min, max]) in &cost.channels {
            let path = crate::load::child_path("marketing_cost.channels", channel);
            if !CHANNELS.contains(&channel.as_str()) {
                self.out.push(Violation::without_value(
                    path,
                    format!("unknown channel; known channels: {}", CHANNELS.join(", ")),
                ));
            } else if *min < 0 || min > max {
                self.fail(
                    &path,
                    json(&[min, max]),
                    "must be [min_cents, max_cents] with 0 ≤ min ≤ max",
                );
            }
        }
        for device in DEVICES {
            if !cost.device_multipliers.contains_key(device) {
                self.out.push(Violation::without_value(
                    format!("marketing_cost.device_multipliers.{device}"),
                    "is required: MOBILE, DESKTOP and TABLET all need a multiplier",
                ));
            }
        }
        for (device, multiplier) in &cost.device_multipliers {
            let path = crate::load::child_path("marketing_cost.device_multipliers", device);
            if !DEVICES.contains(&device.as_str()) {
                self.out.push(Violation::without_value(
                    path,
                    format!("unknown device; known devices: {}", DEVICES.join(", ")),
                ));
            } else {
                self.num(&path, *multiplier, Some((0.0, true)), None);
            }
        }
    }

    fn check_calendar(&mut self, cal: &Calendar) {
        let mut seen = BTreeSet::new();
        for (i, key) in cal.closed_holidays.iter().enumerate() {
            let path = format!("calendar.closed_holidays[{i}]");
            if !CLOSABLE_HOLIDAYS.contains(&key.as_str()) {
                self.fail(
                    &path,
                    json(key),
                    format!(
                        "must be a closable holiday key: {}",
                        CLOSABLE_HOLIDAYS.join(", ")
                    ),
                );
            } else if !seen.insert(key.as_str()) {
                self.fail(&path, json(key), "is listed twice");
            }
        }
    }

    fn check_disruptions(&mut self, config: &Config) {
        for (i, d) in config.disruptions.iter().enumerate() {
            let p = |f: &str| format!("disruptions[{i}].{f}");
            self.one_of(&p("kind"), &d.kind, &DISRUPTION_KINDS);
            if let Some(rule) = target_problem(&d.kind, &d.target, &config.volume) {
                self.fail(&p("target"), json(&d.target), rule);
            }
            if Ts::parse_rfc3339(&d.start).is_none() {
                self.fail(
                    &p("start"),
                    json(&d.start),
                    "must be an RFC 3339 instant, e.g. 2024-03-06T08:00:00Z",
                );
            }
            self.num(
                &p("duration_hours"),
                d.duration_hours,
                Some((0.0, true)),
                None,
            );
            self.num(
                &p("severity"),
                d.severity,
                Some((0.0, true)),
                Some((1.0, false)),
            );
        }
    }

    fn check_output(&mut self, o: &Output) {
        if o.dir.trim().is_empty() {
            self.fail("output.dir", json(&o.dir), "must be a non-empty path");
        }
        let bad_file = o.duckdb_file.is_empty()
            || o.duckdb_file == "."
            || o.duckdb_file == ".."
            || o.duckdb_file.contains(['/', '\\'])
            || o.duckdb_file.chars().any(char::is_control);
        if bad_file {
            self.fail(
                "output.duckdb_file",
                json(&o.duckdb_file),
                "must be a plain file name without path separators",
            );
        }
        self.one_of(
            "output.parquet_compression",
            &o.parquet_compression,
            &["zstd", "snappy", "none"],
        );
        self.int(
            "output.parquet_zstd_level",
            o.parquet_zstd_level,
            Some(1),
            Some(22),
        );
        self.int(
            "output.parquet_row_group_rows",
            o.parquet_row_group_rows,
            Some(1_024),
            Some(16_777_216),
        );
    }

    fn check_performance(&mut self, p: &Performance) {
        if let Some(threads) = p.threads {
            self.int("performance.threads", threads, Some(1), Some(1_024));
        }
    }

    fn check_stream(&mut self, s: &Stream) {
        let p = |f: &str| format!("stream.{f}");
        if !is_event_hub_name(&s.event_hub) {
            self.fail(
                &p("event_hub"),
                json(&s.event_hub),
                "must be 1 to 256 characters matching ^[A-Za-z0-9][A-Za-z0-9._-]*$",
            );
        }
        self.one_of(&p("auth"), &s.auth, &["connection_string", "entra_id"]);
        match &s.fully_qualified_namespace {
            Some(ns) if !is_fully_qualified_namespace(ns) => self.fail(
                &p("fully_qualified_namespace"),
                json(ns),
                format!(
                    "must be <namespace>.{} (or a sovereign-cloud suffix: {}), where <namespace> is 6 to 50 letters, digits or hyphens starting with a letter",
                    NAMESPACE_SUFFIXES[0],
                    NAMESPACE_SUFFIXES[1..].join(", ")
                ),
            ),
            None if s.auth == "entra_id" => self.out.push(Violation::without_value(
                p("fully_qualified_namespace"),
                "is required when stream.auth is \"entra_id\"",
            )),
            _ => {}
        }
        if !is_env_var_name(&s.connection_string_env) {
            self.fail(
                &p("connection_string_env"),
                json(&s.connection_string_env),
                "must be the NAME of an environment variable (letters, digits and _, not starting with a digit), not its value",
            );
        }
        self.one_of(&p("pacing"), &s.pacing, &["realtime", "replay"]);
        self.num(&p("speed"), s.speed, Some((0.0, false)), None);
        self.int(
            &p("max_events_per_second"),
            s.max_events_per_second,
            Some(1),
            Some(1_000_000),
        );
        self.int(
            &p("max_batch_bytes"),
            s.max_batch_bytes,
            Some(1_024),
            Some(1_048_576),
        );
        self.int(&p("max_event_bytes"), s.max_event_bytes, Some(1_024), None);
        if s.max_event_bytes > s.max_batch_bytes {
            self.fail(
                &p("max_event_bytes"),
                s.max_event_bytes.to_string(),
                format!(
                    "must be at most stream.max_batch_bytes ({})",
                    s.max_batch_bytes
                ),
            );
        }
        self.int(
            &p("send_timeout_ms"),
            s.send_timeout_ms,
            Some(1_000),
            Some(600_000),
        );
        self.int(
            &p("retry_max_attempts"),
            s.retry_max_attempts,
            Some(1),
            Some(100),
        );
        self.int(
            &p("retry_initial_backoff_ms"),
            s.retry_initial_backoff_ms,
            Some(10),
            Some(60_000),
        );
        if s.retry_max_backoff_ms < s.retry_initial_backoff_ms {
            self.fail(
                &p("retry_max_backoff_ms"),
                s.retry_max_backoff_ms.to_string(),
                format!(
                    "must be at least stream.retry_initial_backoff_ms ({})",
                    s.retry_initial_backoff_ms
                ),
            );
        }
        if let Some(types) = &s.event_types {
            if types.is_empty() {
                self.fail(
                    &p("event_types"),
                    "[]".to_string(),
                    "must name at least one event type (or be null for all 18)",
                );
            }
            let mut seen = BTreeSet::new();
            for (i, name) in types.iter().enumerate() {
                let path = format!("stream.event_types[{i}]");
                if !EVENT_TYPES.contains(&name.as_str()) {
                    self.fail(
                        &path,
                        json(name),
                        format!("must be an event type: {}", EVENT_TYPES.join(", ")),
                    );
                } else if !seen.insert(name.as_str()) {
                    self.fail(&path, json(name), "is listed twice");
                }
            }
        }
        if let Some(days) = s.days {
            self.int(&p("days"), days, Some(1), None);
        }
        self.int(&p("lookahead_days"), s.lookahead_days, Some(1), Some(7));
    }
}

/// Parses a strict `YYYY-MM-DD` date.
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape_ok {
        return None;
    }
    Date::parse(text)
}

fn is_event_hub_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    first_ok
        && name.len() <= 256
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Service Bus host suffixes: public cloud first, then sovereign clouds.
pub const NAMESPACE_SUFFIXES: [&str; 4] = [
    "servicebus.windows.net",
    "servicebus.usgovcloudapi.net",
    "servicebus.chinacloudapi.cn",
    "servicebus.cloudapi.de",
];

fn is_fully_qualified_namespace(host: &str) -> bool {
    NAMESPACE_SUFFIXES.iter().any(|suffix| {
        host.strip_suffix(suffix)
            .and_then(|rest| rest.strip_suffix('.'))
            .is_some_and(is_namespace_name)
    })
}

/// Event Hubs namespace names: 6–50 letters, digits and hyphens, starting with a letter and
/// ending with a letter or digit.
fn is_namespace_name(name: &str) -> bool {
    (6..=50).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

pub(crate) fn is_env_var_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !looks_like_secret(name)
}

/// Why a disruption target is not acceptable for its kind, if it is not. Same forms as
/// `retail_patterns::disruption::DisruptionTarget`: two capital letters are always a state (so
/// `DC` is the District of Columbia); DC and store numbers carry digits.
fn target_problem(kind: &str, target: &str, volume: &Volume) -> Option<String> {
    const FORMS: &str = "must be ALL, a DC number (DC001..), a store number (S000001..) or a two-letter state code (TX)";
    let is_state = target.len() == 2 && target.bytes().all(|b| b.is_ascii_uppercase());
    if target == "ALL" || is_state {
        return None;
    }
    let number = |prefix: &str| -> Option<u64> {
        let digits = target.strip_prefix(prefix)?;
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse().ok())
            .flatten()
    };
    if let Some(dc) = number("DC") {
        return (dc == 0 || dc > u64::from(volume.dcs)).then(|| {
            format!(
                "names no DC: DC numbers run from DC001 to DC{:03}",
                volume.dcs
            )
        });
    }
    if let Some(store) = number("S") {
        if !STORE_TARGET_KINDS.contains(&kind) {
            return Some(format!(
                "a store can be the target only of {}; {kind} acts on DCs: target a DC, a state or ALL",
                STORE_TARGET_KINDS.join(" and ")
            ));
        }
        return (store == 0 || store > u64::from(volume.stores)).then(|| {
            format!(
                "names no store: store numbers run from S000001 to S{:06}",
                volume.stores
            )
        });
    }
    Some(FORMS.to_string())
}

/// Disruption kinds that act on trucks and so may target a single store.
const STORE_TARGET_KINDS: [&str; 2] = ["truck_breakdown", "weather_delay"];

/// Checks the value of the connection-string environment variable (events.md §9.4) without
/// ever echoing it: it must contain `Endpoint=sb://`, `SharedAccessKeyName=` and
/// `SharedAccessKey=`, and an `EntityPath`, when present, must equal `stream.event_hub`.
pub fn connection_string_violations(stream: &Stream, value: &str) -> Vec<Violation> {
    let path = format!("${}", stream.connection_string_env);
    let mut out = Vec::new();
    for part in ["Endpoint=sb://", "SharedAccessKeyName=", "SharedAccessKey="] {
        if !value.contains(part) {
            out.push(Violation::without_value(
                path.clone(),
                format!("the connection string in this environment variable must contain {part}"),
            ));
        }
    }
    let entity = value
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| k.eq_ignore_ascii_case("EntityPath"))
        .map(|(_, v)| v);
    if let Some(entity) = entity {
        if entity != stream.event_hub {
            let shown = if is_event_hub_name(entity) {
                format!("\"{entity}\"")
            } else {
                "another hub".to_string()
            };
            out.push(Violation::without_value(
                path,
                format!(
                    "the connection string's EntityPath ({shown}) must equal stream.event_hub (\"{}\")",
                    stream.event_hub
                ),
            ));
        }
    }
    out
}
