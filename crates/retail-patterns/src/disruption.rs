//! Supply-chain disruptions (data-contract §1): DC outages, truck breakdowns, weather delays,
//! supplier delays and inventory shortages. They have no table of their own; the fact engine
//! asks a [`DisruptionSchedule`] pure questions ("what share of its capacity does DC003 have at
//! this instant?") and the answers show up in existing facts as late or missing shipments, lower
//! inbound quantities, and therefore more stockouts and reorders.
//!
//! A disruption is written `kind:TARGET:DURATION[:SEVERITY]` (for example `dc_outage:DC003:2h`,
//! `weather_delay:TX:1d:0.8`) with a separately given start instant, or comes from the
//! configuration's `disruptions` list ([`Disruption::from_parts`]). Targets: `ALL`, a DC number
//! (`DC003`), a store number (`S000005`) or a two-letter state (`TX`). Every disruption is
//! active on `[start, end)`.
//!
//! ```
//! use retail_patterns::disruption::{DcSite, Disruption, DisruptionSchedule};
//! use retail_schemas::Ts;
//! let start = Ts::parse_rfc3339("2024-03-06T10:00:00Z").unwrap();
//! let outage = Disruption::parse("dc_outage:DC003:2h", start).unwrap();
//! let schedule = DisruptionSchedule::new(vec![outage]);
//! let dc3 = DcSite { dc_id: 3, state: "TX" };
//! assert_eq!(schedule.dc_capacity_factor(&dc3, start.plus_minutes(30)), 0.0);
//! assert_eq!(schedule.dc_capacity_factor(&dc3, start.plus_minutes(120)), 1.0);
//! ```

use std::fmt;

use retail_schemas::Ts;

use crate::PatternsError;

/// The five kinds of disruption.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DisruptionKind {
    /// A DC loses (part of) its handling capacity. Targets: DC, state, ALL.
    DcOutage,
    /// Trucks break down on the road. Targets: any.
    TruckBreakdown,
    /// Bad weather slows trucks. Targets: any.
    WeatherDelay,
    /// Suppliers deliver late. Targets: DC, state, ALL.
    SupplierDelay,
    /// Suppliers deliver short. Targets: DC, state, ALL.
    InventoryShortage,
}

impl DisruptionKind {
    /// All kinds.
    pub const ALL: [DisruptionKind; 5] = [
        DisruptionKind::DcOutage,
        DisruptionKind::TruckBreakdown,
        DisruptionKind::WeatherDelay,
        DisruptionKind::SupplierDelay,
        DisruptionKind::InventoryShortage,
    ];

    /// Configuration key (`dc_outage`).
    pub fn key(self) -> &'static str {
        match self {
            DisruptionKind::DcOutage => "dc_outage",
            DisruptionKind::TruckBreakdown => "truck_breakdown",
            DisruptionKind::WeatherDelay => "weather_delay",
            DisruptionKind::SupplierDelay => "supplier_delay",
            DisruptionKind::InventoryShortage => "inventory_shortage",
        }
    }

    /// Parses a configuration key.
    pub fn parse(key: &str) -> Result<Self, PatternsError> {
        Self::ALL
            .into_iter()
            .find(|k| k.key() == key)
            .ok_or_else(|| PatternsError::InvalidDisruption {
                text: key.to_string(),
                reason: format!(
                    "unknown kind; expected one of {}",
                    Self::ALL.map(|k| k.key()).join(", ")
                ),
            })
    }

    /// Severity used when a disruption string gives none: a full outage, half-strength
    /// otherwise.
    pub fn default_severity(self) -> f64 {
        match self {
            DisruptionKind::DcOutage => 1.0,
            _ => 0.5,
        }
    }

    /// Whether a store can be the target (only kinds acting on trucks can).
    pub fn accepts_store_target(self) -> bool {
        matches!(
            self,
            DisruptionKind::TruckBreakdown | DisruptionKind::WeatherDelay
        )
    }
}

impl fmt::Display for DisruptionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// What a disruption hits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DisruptionTarget {
    /// Every DC, store and route.
    All,
    /// One DC (`DC003` → 3), and for truck effects every route leaving it.
    Dc(i64),
    /// One store (`S000005` → 5): routes arriving at it.
    Store(i64),
    /// Every DC and store located in a state (`TX`).
    State(String),
}

impl DisruptionTarget {
    /// Parses `ALL`, `DC{n}`, `S{n}` or a two-letter upper-case state.
    pub fn parse(text: &str) -> Result<Self, PatternsError> {
        let invalid = |reason: &str| PatternsError::InvalidDisruption {
            text: text.to_string(),
            reason: reason.to_string(),
        };
        let number = |digits: &str| -> Option<i64> {
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits.parse::<i64>().ok().filter(|n| *n >= 1)
        };
        // Two upper-case letters are a state first, so `DC` (District of Columbia) and `SC`
        // stay states while DC and store numbers always carry digits.
        if text == "ALL" {
            Ok(DisruptionTarget::All)
        } else if text.len() == 2 && text.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(DisruptionTarget::State(text.to_string()))
        } else if let Some(digits) = text.strip_prefix("DC") {
            number(digits)
                .map(DisruptionTarget::Dc)
                .ok_or_else(|| invalid("a DC target is DC followed by its number, e.g. DC003"))
        } else if let Some(digits) = text.strip_prefix('S') {
            number(digits)
                .map(DisruptionTarget::Store)
                .ok_or_else(|| invalid("a store target is S followed by its number, e.g. S000005"))
        } else {
            Err(invalid(
                "target must be ALL, a DC number (DC003), a store number (S000005) or a state (TX)",
            ))
        }
    }
}

impl fmt::Display for DisruptionTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DisruptionTarget::All => f.write_str("ALL"),
            DisruptionTarget::Dc(id) => write!(f, "DC{id:03}"),
            DisruptionTarget::Store(id) => write!(f, "S{id:06}"),
            DisruptionTarget::State(state) => f.write_str(state),
        }
    }
}

/// One scheduled disruption, active on `[start, end)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Disruption {
    /// Kind.
    pub kind: DisruptionKind,
    /// Target.
    pub target: DisruptionTarget,
    /// First affected instant.
    pub start: Ts,
    /// First instant no longer affected.
    pub end: Ts,
    /// Strength in (0, 1]: share of capacity lost, or the scale of the delay.
    pub severity: f64,
}

/// Parses a duration: a positive number followed by `s`, `m`, `h` or `d` (`30m`, `2h`, `1.5d`);
/// returns microseconds.
pub fn parse_duration(text: &str) -> Result<i64, PatternsError> {
    let invalid = |reason: &str| PatternsError::InvalidDisruption {
        text: text.to_string(),
        reason: reason.to_string(),
    };
    let unit_len = text.chars().last().map(char::len_utf8).unwrap_or(0);
    let (number, unit) = text.split_at(text.len() - unit_len);
    let unit_micros = match unit {
        "s" => Ts::MICROS_PER_SECOND,
        "m" => Ts::MICROS_PER_MINUTE,
        "h" => Ts::MICROS_PER_HOUR,
        "d" => Ts::MICROS_PER_DAY,
        _ => {
            return Err(invalid(
                "duration needs a unit: s, m, h or d (e.g. 30m, 2h, 1d)",
            ));
        }
    };
    let value: f64 = number
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| invalid("duration must start with a number (e.g. 30m, 2h, 1d)"))?;
    let micros = value * unit_micros as f64;
    if !(micros >= 1.0 && micros <= 3_660.0 * Ts::MICROS_PER_DAY as f64) {
        return Err(invalid("duration must be positive and at most 3 660 days"));
    }
    Ok(retail_rng::round_half_away(micros))
}

impl Disruption {
    /// A validated disruption: severity in (0, 1], duration > 0, target allowed for the kind.
    pub fn new(
        kind: DisruptionKind,
        target: DisruptionTarget,
        start: Ts,
        duration_micros: i64,
        severity: f64,
    ) -> Result<Self, PatternsError> {
        let describe = format!("{kind}:{target}");
        if !(severity > 0.0 && severity <= 1.0) {
            return Err(PatternsError::InvalidDisruption {
                text: describe,
                reason: format!("severity {severity} must be in (0, 1]"),
            });
        }
        if duration_micros <= 0 {
            return Err(PatternsError::InvalidDisruption {
                text: describe,
                reason: "duration must be positive".into(),
            });
        }
        if matches!(target, DisruptionTarget::Store(_)) && !kind.accepts_store_target() {
            return Err(PatternsError::InvalidDisruption {
                text: describe,
                reason: format!(
                    "{kind} acts on DCs: target a DC, a state or ALL (stores only for truck_breakdown and weather_delay)"
                ),
            });
        }
        Ok(Self {
            kind,
            target,
            start,
            end: Ts(start.0 + duration_micros),
            severity,
        })
    }

    /// Parses `kind:TARGET:DURATION[:SEVERITY]` starting at `start` (e.g. `dc_outage:DC003:2h`,
    /// `supplier_delay:ALL:3d:0.4`). Without severity, [`DisruptionKind::default_severity`].
    pub fn parse(spec: &str, start: Ts) -> Result<Self, PatternsError> {
        let parts: Vec<&str> = spec.trim().split(':').collect();
        if !(3..=4).contains(&parts.len()) {
            return Err(PatternsError::InvalidDisruption {
                text: spec.to_string(),
                reason: "expected kind:TARGET:DURATION[:SEVERITY], e.g. dc_outage:DC003:2h".into(),
            });
        }
        let kind = DisruptionKind::parse(parts[0])?;
        let target = DisruptionTarget::parse(parts[1])?;
        let duration = parse_duration(parts[2])?;
        let severity = match parts.get(3) {
            None => kind.default_severity(),
            Some(text) => text
                .parse::<f64>()
                .map_err(|_| PatternsError::InvalidDisruption {
                    text: spec.to_string(),
                    reason: format!("severity `{text}` is not a number"),
                })?,
        };
        Self::new(kind, target, start, duration, severity)
    }

    /// From the configuration's fields: kind key, target, RFC 3339 start, duration in hours,
    /// severity.
    pub fn from_parts(
        kind: &str,
        target: &str,
        start: &str,
        duration_hours: f64,
        severity: f64,
    ) -> Result<Self, PatternsError> {
        let kind = DisruptionKind::parse(kind)?;
        let target = DisruptionTarget::parse(target)?;
        let start = Ts::parse_rfc3339(start).ok_or_else(|| PatternsError::InvalidDisruption {
            text: start.to_string(),
            reason: "start must be an RFC 3339 instant, e.g. 2024-03-06T10:00:00Z".into(),
        })?;
        if !(duration_hours > 0.0 && duration_hours <= 3_660.0 * 24.0) {
            return Err(PatternsError::InvalidDisruption {
                text: format!("{kind}:{target}"),
                reason: format!("duration_hours {duration_hours} must be > 0 (at most 3 660 days)"),
            });
        }
        let micros = retail_rng::round_half_away(duration_hours * Ts::MICROS_PER_HOUR as f64);
        Self::new(kind, target, start, micros, severity)
    }

    /// Whether `ts` lies in `[start, end)`.
    pub fn active_at(&self, ts: Ts) -> bool {
        self.start <= ts && ts < self.end
    }

    /// Length in whole days, rounded up (at least 1).
    pub fn duration_days_ceil(&self) -> i64 {
        let micros = self.end.0 - self.start.0;
        ((micros + Ts::MICROS_PER_DAY - 1) / Ts::MICROS_PER_DAY).max(1)
    }

    fn hits_dc(&self, dc: &DcSite<'_>) -> bool {
        match &self.target {
            DisruptionTarget::All => true,
            DisruptionTarget::Dc(id) => *id == dc.dc_id,
            DisruptionTarget::Store(_) => false,
            DisruptionTarget::State(state) => state == dc.state,
        }
    }

    fn hits_route(&self, route: &Route<'_>) -> bool {
        match &self.target {
            DisruptionTarget::All => true,
            DisruptionTarget::Dc(id) => *id == route.dc_id,
            DisruptionTarget::Store(id) => *id == route.store_id,
            DisruptionTarget::State(state) => state == route.dc_state || state == route.store_state,
        }
    }
}

impl fmt::Display for Disruption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}s:{} from {}",
            self.kind,
            self.target,
            (self.end.0 - self.start.0) / Ts::MICROS_PER_SECOND,
            self.severity,
            self.start
        )
    }
}

/// A distribution centre as seen by disruption queries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DcSite<'a> {
    /// dc_id.
    pub dc_id: i64,
    /// Two-letter state of the DC.
    pub state: &'a str,
}

/// A DC → store truck route as seen by disruption queries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route<'a> {
    /// Origin dc_id.
    pub dc_id: i64,
    /// Origin state.
    pub dc_state: &'a str,
    /// Destination store_id.
    pub store_id: i64,
    /// Destination state.
    pub store_state: &'a str,
}

/// All disruptions of a run, in (start, kind, target) order; answers the effect queries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DisruptionSchedule {
    items: Vec<Disruption>,
}

impl DisruptionSchedule {
    /// A schedule of `items` (sorted, so the input order never matters).
    pub fn new(mut items: Vec<Disruption>) -> Self {
        items.sort_by(|a, b| {
            (a.start, a.kind, &a.target, a.end)
                .cmp(&(b.start, b.kind, &b.target, b.end))
                .then(a.severity.total_cmp(&b.severity))
        });
        Self { items }
    }

    /// Adds one disruption (injected while streaming).
    pub fn push(&mut self, item: Disruption) {
        let mut items = std::mem::take(&mut self.items);
        items.push(item);
        *self = Self::new(items);
    }

    /// The disruptions in order.
    pub fn items(&self) -> &[Disruption] {
        &self.items
    }

    /// Whether there is no disruption at all (the fact engine can skip every query).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn active<'s>(
        &'s self,
        kind: DisruptionKind,
        ts: Ts,
    ) -> impl Iterator<Item = &'s Disruption> + 's {
        self.items
            .iter()
            .filter(move |d| d.kind == kind && d.active_at(ts))
    }

    /// Share of its handling capacity DC `dc` has at `ts`: 1 − the greatest severity among
    /// active `dc_outage`s hitting it, 1.0 when none.
    ///
    /// Meaning for the fact engine: at a planning instant the DC allocates at most
    /// `floor(requested × factor)` units to each reorder (the unallocated rest is dropped as
    /// usual and the store re-evaluates the next day); at factor 0 it allocates nothing, and
    /// supplier receipts due during the outage are received at [`Self::dc_outage_end`].
    pub fn dc_capacity_factor(&self, dc: &DcSite<'_>, ts: Ts) -> f64 {
        let lost = self
            .active(DisruptionKind::DcOutage, ts)
            .filter(|d| d.hits_dc(dc))
            .map(|d| d.severity)
            .fold(0.0, f64::max);
        1.0 - lost
    }

    /// If a full outage (severity 1) of DC `dc` is active at `ts`, the first instant after it at
    /// which no full outage is active (chained and overlapping outages are followed); else
    /// `None`.
    pub fn dc_outage_end(&self, dc: &DcSite<'_>, ts: Ts) -> Option<Ts> {
        let mut at = ts;
        let mut moved = false;
        loop {
            let end = self
                .active(DisruptionKind::DcOutage, at)
                .filter(|d| d.severity >= 1.0 && d.hits_dc(dc))
                .map(|d| d.end)
                .max();
            match end {
                Some(end) => {
                    at = end;
                    moved = true;
                }
                None => return moved.then_some(at),
            }
        }
    }

    /// Multiplier (≥ 1) of the actual travel time of a shipment departing at `ts` on `route`:
    /// `(1 + 2 × s_breakdown) × (1 + s_weather)` with s the greatest severity among active
    /// `truck_breakdown`s and `weather_delay`s hitting the route (its DC, its store, either
    /// state, or ALL). A severity-1 breakdown triples the trip (breakdown, wait for a
    /// replacement, transfer); a severity-1 storm doubles it. The planned travel time and
    /// `eta_ts` stay as planned, so late arrivals are visible in `fact_truck_moves`.
    pub fn truck_delay_factor(&self, route: &Route<'_>, ts: Ts) -> f64 {
        let worst = |kind| {
            self.active(kind, ts)
                .filter(|d| d.hits_route(route))
                .map(|d| d.severity)
                .fold(0.0, f64::max)
        };
        (1.0 + 2.0 * worst(DisruptionKind::TruckBreakdown))
            * (1.0 + worst(DisruptionKind::WeatherDelay))
    }

    /// Extra lead-time days for a purchase order DC `dc` places at `ts` (the 23:00 evaluation):
    /// the greatest `ceil(severity × duration in days)` among active `supplier_delay`s hitting
    /// the DC, 0 when none. A 3-day, severity-1 delay therefore pushes every order placed during
    /// it back by 3 days.
    pub fn supplier_lead_time_extra_days(&self, dc: &DcSite<'_>, ts: Ts) -> u32 {
        self.active(DisruptionKind::SupplierDelay, ts)
            .filter(|d| d.hits_dc(dc))
            .map(|d| libm::ceil(d.severity * d.duration_days_ceil() as f64) as u32)
            .max()
            .unwrap_or(0)
    }

    /// Share of an ordered quantity a supplier receipt at DC `dc` at `ts` actually delivers:
    /// 1 − the greatest severity among active `inventory_shortage`s hitting the DC. The engine
    /// receives `round_half_away(quantity × factor)` units and closes the purchase order (the
    /// shortfall leaves on_order, so the next evaluation re-orders it).
    pub fn inbound_quantity_factor(&self, dc: &DcSite<'_>, ts: Ts) -> f64 {
        let short = self
            .active(DisruptionKind::InventoryShortage, ts)
            .filter(|d| d.hits_dc(dc))
            .map(|d| d.severity)
            .fold(0.0, f64::max);
        1.0 - short
    }

    /// The disruptions active at `ts` (for logging and the streaming dashboard).
    pub fn active_at(&self, ts: Ts) -> Vec<&Disruption> {
        self.items.iter().filter(|d| d.active_at(ts)).collect()
    }
}
