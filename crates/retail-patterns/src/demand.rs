//! In-store and online demand (data-contract §7.1 weather, §7.2, §7.11 hour curve).
//!
//! The expected number of checkouts of store s in hour slot h of trading day d is
//!
//! λ(s,d,h) = customers_per_day × daily_traffic_multiplier(s) × dow(d) × month_in_store(d)
//!            × in_store_holiday(d) × weather(s,d) × w(h) / W(daytype)
//!
//! where w is the weekday or weekend hour curve and W its sum, so a store open 24 hours on a day
//! whose factors are all 1.0 expects exactly `customers_per_day` checkouts. weather(s,d) is the
//! §7.1 factor of the drawn condition scaled to the same seasonal mean in every season
//! ([`weather_demand_factor`]; spring, and with it §11's calibration day, is unchanged). The count of a slot is
//! Poisson(λ) from stream `store_hour(store, date, slot)`, the instants uniform in the slot.
//! month_in_store(d) is [`calendar::in_store_month_factor`], fitted to Census monthly shares
//! instead of the contract's factors (docs/realism.md).
//!
//! ```
//! use retail_patterns::demand::{self, Weather};
//! use retail_patterns::localtime::{hour_slots, parse_tz};
//! use retail_schemas::Date;
//! let tz = parse_tz("America/Chicago").unwrap();
//! let wednesday = Date::from_ymd(2024, 3, 6).unwrap();
//! let slots = hour_slots(tz, wednesday, 0, 1440).unwrap();
//! let total: f64 = slots
//!     .iter()
//!     .map(|s| demand::checkout_rate(233.0, 1.0, wednesday, s, Weather::Cloudy, 1.0))
//!     .sum();
//! // 233 × dow 0.9 × March in store 1.01 × cloudy 1.0.
//! assert!((total - 233.0 * 0.9 * 1.01).abs() < 1e-9);
//! ```

use chrono_tz::Tz;
use retail_rng::Stream;
use retail_schemas::{Date, Ts};

use crate::PatternsError;
use crate::calendar::{self, HolidayKey, Season};
use crate::localtime::{self, HourSlot};

/// Mon–Fri hour weights by local wall-clock hour 0..=23 (§7.2).
pub const WEEKDAY_HOUR_WEIGHTS: [f64; 24] = [
    0.02, 0.01, 0.01, 0.01, 0.02, 0.05, 0.12, 0.22, 0.30, 0.40, 0.50, 0.80, 1.1464, 1.1464, 0.70,
    0.70, 0.70, 1.20, 1.4598, 1.4598, 0.90, 0.70, 0.35, 0.12,
];

/// Sat–Sun hour weights by local wall-clock hour 0..=23 (§7.2).
pub const WEEKEND_HOUR_WEIGHTS: [f64; 24] = [
    0.03, 0.02, 0.01, 0.01, 0.01, 0.03, 0.08, 0.16, 0.26, 0.40, 0.60, 0.80, 1.00, 1.1763, 1.2853,
    1.2853, 1.1763, 1.10, 1.00, 0.90, 0.80, 0.60, 0.30, 0.10,
];

/// W(weekday): the contract's row sum of [`WEEKDAY_HOUR_WEIGHTS`].
pub const WEEKDAY_WEIGHT_SUM: f64 = 13.0424;

/// W(weekend): the contract's row sum of [`WEEKEND_HOUR_WEIGHTS`].
pub const WEEKEND_WEIGHT_SUM: f64 = 13.1332;

/// Online order and impression hour curve by local hour (§7.11): 0–5 .3, 6–8 .5, 9–11 .6,
/// 12–17 .8, 18–22 1.0, 23 .6.
pub const ONLINE_HOUR_WEIGHTS: [f64; 24] = [
    0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.5, 0.5, 0.5, 0.6, 0.6, 0.6, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 1.0,
    1.0, 1.0, 1.0, 1.0, 0.6,
];

/// In-store hour weight w(h) of a local hour on a weekday or weekend day (0 for hours ≥ 24).
pub fn hour_weight(weekend: bool, local_hour: u8) -> f64 {
    let table = if weekend {
        &WEEKEND_HOUR_WEIGHTS
    } else {
        &WEEKDAY_HOUR_WEIGHTS
    };
    table.get(local_hour as usize).copied().unwrap_or(0.0)
}

/// W(daytype): the sum of the hour curve used on weekday or weekend days.
pub fn hour_weight_sum(weekend: bool) -> f64 {
    if weekend {
        WEEKEND_WEIGHT_SUM
    } else {
        WEEKDAY_WEIGHT_SUM
    }
}

/// Daily weather condition of a geography (§7.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Weather {
    /// ×1.1
    Sunny,
    /// ×1.0
    Cloudy,
    /// ×0.7
    Rainy,
    /// ×0.6
    Snowy,
    /// ×0.5
    Stormy,
}

impl Weather {
    /// All conditions in table order (the categorical draw order).
    pub const ALL: [Weather; 5] = [
        Weather::Sunny,
        Weather::Cloudy,
        Weather::Rainy,
        Weather::Snowy,
        Weather::Stormy,
    ];

    /// In-store demand factor.
    pub fn factor(self) -> f64 {
        match self {
            Weather::Sunny => 1.1,
            Weather::Cloudy => 1.0,
            Weather::Rainy => 0.7,
            Weather::Snowy => 0.6,
            Weather::Stormy => 0.5,
        }
    }

    /// Upper-case name (`SUNNY`).
    pub fn name(self) -> &'static str {
        match self {
            Weather::Sunny => "SUNNY",
            Weather::Cloudy => "CLOUDY",
            Weather::Rainy => "RAINY",
            Weather::Snowy => "SNOWY",
            Weather::Stormy => "STORMY",
        }
    }
}

/// Condition probabilities of a season, in [`Weather::ALL`] order.
pub fn weather_weights(season: Season) -> [f64; 5] {
    match season {
        Season::Spring => [0.4, 0.3, 0.3, 0.0, 0.0],
        Season::Summer => [0.6, 0.3, 0.1, 0.0, 0.0],
        Season::Fall => [0.3, 0.4, 0.2, 0.1, 0.0],
        Season::Winter => [0.2, 0.3, 0.1, 0.3, 0.1],
    }
}

/// Expected §7.1 table factor of a season (spring 0.95, summer 1.03, fall 0.93, winter 0.82),
/// before the seasonal normalisation of [`weather_demand_factor`].
pub fn expected_weather_factor(season: Season) -> f64 {
    weather_weights(season)
        .iter()
        .zip(Weather::ALL)
        .map(|(p, w)| p * w.factor())
        .sum()
}

/// The expected weather demand factor of every season: spring's 0.95, the value on which §11's
/// calibration day (a March Wednesday) is computed.
pub fn expected_weather_demand_factor() -> f64 {
    expected_weather_factor(Season::Spring)
}

/// The factor `weather` applies to in-store demand in `season`: the §7.1 table factor scaled so
/// that every season expects [`expected_weather_demand_factor`] (0.95).
///
/// Departure from §7.1 (docs/decisions.md, "Seasonality recalibration"): with the raw table the
/// weather draw also shifted the seasons (winter 0.82 vs summer 1.03), on top of the month
/// factors that already carry the seasonality, and made January 36 % below the average month.
/// Scaled, weather only modulates days around their season (a snowy winter day is 0.60 / 0.82 =
/// 73 % of an average winter day, a sunny one 134 %); spring is unchanged, so §11's calibration
/// holds exactly.
pub fn weather_demand_factor(weather: Weather, season: Season) -> f64 {
    // The ratio first, so that spring's factors are the table's exactly (ratio 1.0).
    weather.factor() * (expected_weather_demand_factor() / expected_weather_factor(season))
}

/// The weather of `geography_id` on `date`: one categorical draw over the season's weights from
/// stream `weather(geography_id, date)`.
pub fn draw_weather(seed: u64, geography_id: i64, date: Date) -> Weather {
    let mut stream = Stream::new(seed, "weather", &[geography_id, date.0 as i64]);
    let weights = weather_weights(Season::of(date));
    let index = stream.categorical(&weights).unwrap_or(1);
    Weather::ALL[index]
}

/// λ(s,d,h) of §7.2: expected checkouts of `slot` on trading day `date`, with the weather's
/// seasonally scaled [`weather_demand_factor`].
///
/// `holiday` is the in-store holiday multiplier of `date`
/// ([`calendar::in_store_multiplier`]); closure days must not call this (use
/// [`day_checkout_rates`], which returns no slot on them). The weekday/weekend curve follows
/// `date`; a slot shorter than an hour (opening hours not on a full hour) gets its share of the
/// hour's weight, so whole-hour slots use w(h) exactly.
pub fn checkout_rate(
    customers_per_day: f64,
    traffic_multiplier: f64,
    date: Date,
    slot: &HourSlot,
    weather: Weather,
    holiday: f64,
) -> f64 {
    let weekend = calendar::is_weekend(date);
    let fraction = slot.hour_fraction().min(1.0);
    customers_per_day
        * traffic_multiplier
        * calendar::day_of_week_factor(date)
        * calendar::in_store_month_factor_of(date)
        * holiday
        * weather_demand_factor(weather, Season::of(date))
        * (hour_weight(weekend, slot.local_hour) * fraction)
        / hour_weight_sum(weekend)
}

/// The open hour slots of a store's trading day with their λ, in time order; empty on a closure
/// day (no store trading at all, §7.1).
#[allow(clippy::too_many_arguments)]
pub fn day_checkout_rates(
    customers_per_day: f64,
    traffic_multiplier: f64,
    tz: Tz,
    date: Date,
    open_minute: u32,
    close_minute: u32,
    weather: Weather,
    closed: &[HolidayKey],
) -> Result<Vec<(HourSlot, f64)>, PatternsError> {
    if calendar::is_closed(date, closed) {
        return Ok(Vec::new());
    }
    let holiday = calendar::in_store_multiplier(date);
    let slots = localtime::hour_slots(tz, date, open_minute, close_minute)?;
    Ok(slots
        .into_iter()
        .map(|slot| {
            let rate = checkout_rate(
                customers_per_day,
                traffic_multiplier,
                date,
                &slot,
                weather,
                holiday,
            );
            (slot, rate)
        })
        .collect())
}

/// The checkout instants of one hour slot: Poisson(λ) count, then that many instants uniform at
/// microsecond resolution in `[slot.start, slot.end)`, sorted ascending. Stream
/// `store_hour(store_id, date, slot_index)`; draws: the count, then one `U{0..len−1}` µs offset
/// per checkout. Visit `i` of the slot is the `i`-th instant of the returned list.
pub fn draw_checkouts(
    seed: u64,
    store_id: i64,
    date: Date,
    slot_index: u32,
    slot: &HourSlot,
    lambda: f64,
) -> Vec<Ts> {
    let mut stream = Stream::new(
        seed,
        "store_hour",
        &[store_id, date.0 as i64, slot_index as i64],
    );
    let count = stream.poisson(lambda);
    let span = slot.micros();
    if span <= 0 {
        return Vec::new();
    }
    let mut instants: Vec<Ts> = (0..count)
        .map(|_| Ts(slot.start.0 + stream.below(span as u64) as i64))
        .collect();
    instants.sort_unstable();
    instants
}

/// Online hour-curve weight of a local hour (0 for hours ≥ 24).
pub fn online_hour_weight(local_hour: u8) -> f64 {
    ONLINE_HOUR_WEIGHTS
        .get(local_hour as usize)
        .copied()
        .unwrap_or(0.0)
}

/// The online hour curve laid over the real hours of one local calendar day, for drawing
/// instants (online orders §7.11, ad impressions §7.12). Built once per (zone, date) and
/// reused for every draw of that day.
#[derive(Clone, Debug, PartialEq)]
pub struct OnlineDayCurve {
    slots: Vec<HourSlot>,
    weights: Vec<f64>,
}

impl OnlineDayCurve {
    /// The curve of local `date` in `tz` (23, 24 or 25 real hours; a repeated hour keeps its
    /// weight, a skipped hour has none).
    pub fn new(tz: Tz, date: Date) -> Self {
        let slots =
            localtime::hour_slots(tz, date, 0, localtime::MINUTES_PER_DAY).unwrap_or_default();
        let weights = slots
            .iter()
            .map(|s| online_hour_weight(s.local_hour) * s.hour_fraction())
            .collect();
        Self { slots, weights }
    }

    /// The real hour slots of the day.
    pub fn slots(&self) -> &[HourSlot] {
        &self.slots
    }

    /// Draws one instant: a categorical draw of the hour slot by weight, then a uniform
    /// microsecond inside it (two draws from `stream`, in that order).
    pub fn draw(&self, stream: &mut Stream) -> Ts {
        let index = stream.categorical(&self.weights).unwrap_or(0);
        match self.slots.get(index) {
            Some(slot) => Ts(slot.start.0 + stream.below(slot.micros().max(1) as u64) as i64),
            None => Ts(0),
        }
    }
}

/// Draws an instant on local `date` in `tz` from the online hour curve (see
/// [`OnlineDayCurve::draw`]); build an [`OnlineDayCurve`] instead when drawing many.
pub fn draw_online_instant(stream: &mut Stream, tz: Tz, date: Date) -> Ts {
    OnlineDayCurve::new(tz, date).draw(stream)
}
