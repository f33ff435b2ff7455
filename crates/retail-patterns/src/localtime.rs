//! Store-local time (data-contract §8.1, §7.2, §7.13): converting local wall-clock times of an
//! IANA zone to UTC instants, the local date of an instant, and the real hour slots and
//! 15-minute intervals of a trading day.
//!
//! Hour slots are enumerated on the UTC time line, not on the wall clock, so a day with a DST
//! change has exactly as many slots as it has real hours: 23 on the spring-forward day and 25
//! on the fall-back day for a store open around the clock, the repeated wall-clock hour being a
//! separate slot that carries the same local hour (and therefore the same demand weight).
//!
//! ```
//! use retail_patterns::localtime::{self, parse_tz};
//! use retail_schemas::Date;
//! let ny = parse_tz("America/New_York").unwrap();
//! let fall_back = Date::from_ymd(2024, 11, 3).unwrap();
//! let slots = localtime::hour_slots(ny, fall_back, 0, 1440).unwrap();
//! assert_eq!(slots.len(), 25);
//! assert_eq!((slots[1].local_hour, slots[2].local_hour), (1, 1));
//! ```

use chrono::{LocalResult, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Timelike};
use chrono_tz::Tz;
use retail_schemas::{Date, Ts};

use crate::PatternsError;

/// Minutes in a day; `close_minute = 1440` means 24:00, i.e. 00:00 of the next day.
pub const MINUTES_PER_DAY: u32 = 1440;

/// Parses an IANA zone name (`America/New_York`).
pub fn parse_tz(name: &str) -> Result<Tz, PatternsError> {
    name.parse::<Tz>()
        .map_err(|_| PatternsError::UnknownTimeZone(name.to_string()))
}

fn naive_local(date: Date, minute_of_day: u32) -> Result<NaiveDateTime, PatternsError> {
    if minute_of_day > MINUTES_PER_DAY {
        return Err(PatternsError::InvalidParameter {
            name: "minute_of_day",
            value: minute_of_day.to_string(),
            rule: "must be within 0..=1440 (1440 = 24:00)",
        });
    }
    let midnight = date.to_naive().and_time(NaiveTime::MIN);
    Ok(midnight + TimeDelta::minutes(minute_of_day as i64))
}

/// Resolves a local wall-clock time to an instant: ambiguous times (fall-back) take the earlier
/// offset (§8.1); a time inside a spring-forward gap is read with the offset in force before the
/// gap, which lands the same distance after the gap's end (02:30 → 03:30 in New York).
pub fn resolve_local(tz: Tz, local: NaiveDateTime) -> Ts {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(dt) => Ts::from_datetime(&dt),
        LocalResult::Ambiguous(earlier, _) => Ts::from_datetime(&earlier),
        LocalResult::None => {
            // No zone has a gap longer than a day; the offset a day earlier is the one in force
            // before this gap.
            let before = local - TimeDelta::days(1);
            let offset_seconds = match tz.from_local_datetime(&before) {
                LocalResult::Single(dt) | LocalResult::Ambiguous(dt, _) => {
                    dt.naive_local().signed_duration_since(dt.naive_utc())
                }
                LocalResult::None => TimeDelta::zero(),
            };
            let utc = local - offset_seconds;
            Ts(utc.and_utc().timestamp_micros())
        }
    }
}

/// The instant of local `date` at `minute_of_day` (0..=1440, 1440 = 00:00 of the next day) in
/// zone `tz`, with §8.1's rules for ambiguous and non-existent times ([`resolve_local`]).
pub fn local_to_utc(tz: Tz, date: Date, minute_of_day: u32) -> Result<Ts, PatternsError> {
    Ok(resolve_local(tz, naive_local(date, minute_of_day)?))
}

/// Local midnight (00:00) of `date` in `tz`.
pub fn local_midnight(tz: Tz, date: Date) -> Ts {
    resolve_local(tz, date.to_naive().and_time(NaiveTime::MIN))
}

/// The local wall-clock date-time of an instant.
pub fn local_datetime(tz: Tz, ts: Ts) -> NaiveDateTime {
    tz.from_utc_datetime(&ts.to_datetime().naive_utc())
        .naive_local()
}

/// The local calendar date of an instant in `tz`.
pub fn local_date_of(tz: Tz, ts: Ts) -> Date {
    Date::from_naive(local_datetime(tz, ts).date())
}

/// The local wall-clock hour (0..=23) of an instant in `tz`.
pub fn local_hour_of(tz: Tz, ts: Ts) -> u8 {
    local_datetime(tz, ts).hour() as u8
}

/// One real hour of a trading day: `[start, end)` in UTC, with the local wall-clock hour it
/// shows. `end − start` is one hour except for a first or last slot cut by opening hours that do
/// not fall on a full hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HourSlot {
    /// First instant of the slot.
    pub start: Ts,
    /// First instant after the slot.
    pub end: Ts,
    /// Local wall-clock hour shown during the slot (0..=23); repeated on a fall-back day.
    pub local_hour: u8,
}

impl HourSlot {
    /// Length in microseconds.
    pub fn micros(&self) -> i64 {
        self.end.0 - self.start.0
    }

    /// Share of a full hour the slot covers (1.0 for every slot of whole-hour opening hours).
    pub fn hour_fraction(&self) -> f64 {
        self.micros() as f64 / Ts::MICROS_PER_HOUR as f64
    }
}

/// The UTC bounds `[open, close)` of trading day `date` for opening hours given as local
/// minutes of the day (`0..1440` open, `close` ≤ 1440 where 1440 = 24:00).
pub fn trading_bounds(
    tz: Tz,
    date: Date,
    open_minute: u32,
    close_minute: u32,
) -> Result<(Ts, Ts), PatternsError> {
    if open_minute >= close_minute {
        return Err(PatternsError::InvalidParameter {
            name: "open_minute",
            value: format!("{open_minute} (close {close_minute})"),
            rule: "opening must come before closing on the same trading day",
        });
    }
    let open = local_to_utc(tz, date, open_minute)?;
    let close = local_to_utc(tz, date, close_minute)?;
    Ok((open, close))
}

/// Micros from `ts` to the next full local hour (`≤ 1 h`).
fn micros_to_next_local_hour(tz: Tz, ts: Ts) -> i64 {
    let local = local_datetime(tz, ts);
    let into_hour = local.minute() as i64 * Ts::MICROS_PER_MINUTE
        + local.second() as i64 * Ts::MICROS_PER_SECOND
        + (local.nanosecond() / 1000) as i64;
    Ts::MICROS_PER_HOUR - into_hour
}

/// The real hour slots of trading day `date` inside `[open, close)` (§7.2), in time order.
///
/// Slots are cut at every full local hour on the UTC time line, so a DST day has no missing or
/// duplicated instant: a store open 00:00–24:00 gets 23 slots on the spring-forward day, 25 on
/// the fall-back day (the repeated hour as its own slot with the same `local_hour`), 24 otherwise.
pub fn hour_slots(
    tz: Tz,
    date: Date,
    open_minute: u32,
    close_minute: u32,
) -> Result<Vec<HourSlot>, PatternsError> {
    let (open, close) = trading_bounds(tz, date, open_minute, close_minute)?;
    let mut slots = Vec::with_capacity(25);
    let mut start = open;
    while start < close {
        let end = Ts((start.0 + micros_to_next_local_hour(tz, start)).min(close.0));
        slots.push(HourSlot {
            start,
            end,
            local_hour: local_hour_of(tz, start),
        });
        start = end;
    }
    Ok(slots)
}

/// A 15-minute interval of a trading day (foot traffic, §7.13).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QuarterHour {
    /// Position among the day's intervals (0-based), the `interval` stream coordinate.
    pub index: u32,
    /// First instant.
    pub start: Ts,
    /// First instant after the interval (`start + 15 min`).
    pub end: Ts,
    /// Local wall-clock hour of `start`.
    pub local_hour: u8,
    /// Local wall-clock minute of `start` (0, 15, 30 or 45).
    pub local_minute: u8,
    /// Index of the hour slot (in [`hour_slots`]) that contains the interval.
    pub slot_index: u32,
}

/// The 15-minute intervals aligned on local quarter hours that lie fully inside `[open, close)`
/// of trading day `date`, in time order (§7.13). Built from [`hour_slots`], so DST days get
/// 92 or 100 intervals for a store open around the clock.
pub fn quarter_hours(
    tz: Tz,
    date: Date,
    open_minute: u32,
    close_minute: u32,
) -> Result<Vec<QuarterHour>, PatternsError> {
    const QUARTER: i64 = 15 * Ts::MICROS_PER_MINUTE;
    let slots = hour_slots(tz, date, open_minute, close_minute)?;
    let mut out = Vec::with_capacity(slots.len() * 4);
    for (slot_index, slot) in slots.iter().enumerate() {
        // A slot ends on a full local hour (or the close); quarter boundaries count back from
        // the slot's hour end, which is a full local hour even when the slot is cut.
        let hour_end = slot.start.0 + micros_to_next_local_hour(tz, slot.start);
        let hour_start = hour_end - Ts::MICROS_PER_HOUR;
        for q in 0..4 {
            let start = hour_start + q * QUARTER;
            let end = start + QUARTER;
            if start >= slot.start.0 && end <= slot.end.0 {
                out.push(QuarterHour {
                    index: out.len() as u32,
                    start: Ts(start),
                    end: Ts(end),
                    local_hour: slot.local_hour,
                    local_minute: (q * 15) as u8,
                    slot_index: slot_index as u32,
                });
            }
        }
    }
    Ok(out)
}

/// The UTC bounds `[00:00, 24:00)` of local calendar day `date` (23, 24 or 25 hours long).
pub fn local_day_bounds(tz: Tz, date: Date) -> (Ts, Ts) {
    (local_midnight(tz, date), local_midnight(tz, date.succ()))
}
