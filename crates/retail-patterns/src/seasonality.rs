//! The expected seasonal shape of demand, computed from the pure models without drawing a
//! single random number: what a year of generated data *should* look like (docs/realism.md).
//!
//! A [`TypicalStore`] stands for the stores of a profile: its expected receipts on a date are
//! Σ λ(s,d,h) over the open hour slots (§7.2) averaged over the season's weather table, i.e.
//! exactly the mean of what the facts engine draws for such a store. A [`DemandYear`] holds one
//! such value per calendar day (in-store receipts, online orders or store returns) and answers
//! the questions of a realism check: monthly and quarterly shares, weekday shares, the busiest
//! days and the rank of a given day.
//!
//! ```
//! use retail_patterns::calendar::HolidayKey;
//! use retail_patterns::seasonality::{DemandYear, TypicalStore};
//! let store = TypicalStore::default_profile();
//! let year = DemandYear::in_store(&store, 2024).unwrap();
//! let shares = year.monthly_shares();
//! // December is the peak month and Black Friday the busiest day.
//! assert!(shares[11] > shares.iter().take(11).copied().fold(0.0, f64::max));
//! assert_eq!(year.rank_of(HolidayKey::BlackFriday.date(2024)), Some(1));
//! ```

use std::collections::BTreeMap;

use chrono::Datelike;
use chrono_tz::Tz;
use retail_schemas::Date;

use crate::PatternsError;
use crate::calendar::{self, HolidayKey, Season};
use crate::demand::{self, Weather};
use crate::online;
use crate::returns::{self, ReturnParams};

/// A store whose expected demand represents a profile: `customers_per_day` and traffic
/// multiplier of §7.2, its zone, opening hours and the configured closure holidays.
#[derive(Clone, Debug, PartialEq)]
pub struct TypicalStore {
    /// `customers_per_day` of the profile.
    pub customers_per_day: f64,
    /// `daily_traffic_multiplier` of the store.
    pub traffic_multiplier: f64,
    /// Store zone.
    pub tz: Tz,
    /// Opening minute of the local day.
    pub open_minute: u32,
    /// Closing minute of the local day (1440 = 24:00).
    pub close_minute: u32,
    /// `calendar.closed_holidays`.
    pub closed: Vec<HolidayKey>,
}

impl TypicalStore {
    /// The default profile's typical store: 233 customers per day, multiplier 1.0,
    /// America/Chicago, the most common opening hours 08:00–22:00, Christmas Day closed.
    pub fn default_profile() -> Self {
        TypicalStore {
            customers_per_day: 233.0,
            traffic_multiplier: 1.0,
            tz: chrono_tz::America::Chicago,
            open_minute: 8 * 60,
            close_minute: 22 * 60,
            closed: vec![HolidayKey::ChristmasDay],
        }
    }

    /// Whether the store trades on `date`.
    pub fn is_trading_day(&self, date: Date) -> bool {
        !calendar::is_closed(date, &self.closed)
    }

    /// Expected checkouts on `date`: Σ λ over the open hour slots, averaged over the weather
    /// conditions of the date's season with their probabilities; 0 on a closure day.
    pub fn expected_receipts(&self, date: Date) -> Result<f64, PatternsError> {
        let weights = demand::weather_weights(Season::of(date));
        let mut expected = 0.0;
        for (weather, p) in Weather::ALL.into_iter().zip(weights) {
            if p == 0.0 {
                continue;
            }
            let rates = demand::day_checkout_rates(
                self.customers_per_day,
                self.traffic_multiplier,
                self.tz,
                date,
                self.open_minute,
                self.close_minute,
                weather,
                &self.closed,
            )?;
            expected += p * rates.iter().map(|(_, lambda)| lambda).sum::<f64>();
        }
        Ok(expected)
    }
}

/// One expected value per calendar day of a year.
#[derive(Clone, Debug, PartialEq)]
pub struct DemandYear {
    year: i32,
    first: Date,
    daily: Vec<f64>,
}

impl DemandYear {
    fn build(
        year: i32,
        mut value: impl FnMut(Date) -> Result<f64, PatternsError>,
    ) -> Result<Self, PatternsError> {
        let first = year_start(year)?;
        let next = year_start(year + 1)?;
        let daily = (first.0..next.0)
            .map(|day| value(Date(day)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(DemandYear { year, first, daily })
    }

    /// Expected in-store receipts of `store` on every day of `year`.
    pub fn in_store(store: &TypicalStore, year: i32) -> Result<Self, PatternsError> {
        Self::build(year, |date| store.expected_receipts(date))
    }

    /// Expected network online orders on every day of `year` (§7.11 N(d) with
    /// `orders_per_day`); online ordering never closes.
    pub fn online(orders_per_day: f64, year: i32) -> Result<Self, PatternsError> {
        Self::build(year, |date| {
            Ok(online::network_orders_per_day(
                orders_per_day,
                calendar::month_factor_of(date),
                calendar::online_multiplier(date),
            ))
        })
    }

    /// Expected RETURN receipts of `store` on every day of `year` (§7.15): every sale of the
    /// previous `max_lag_days` days is returned with p = rate (× the holiday multiplier for
    /// sales in [TG, Dec 24]) after a uniform lag, moved off closure days as the model does.
    pub fn returns(
        store: &TypicalStore,
        params: &ReturnParams,
        year: i32,
    ) -> Result<Self, PatternsError> {
        let min_lag = params.min_lag_days;
        let max_lag = params.max_lag_days.max(min_lag);
        let lags = (max_lag - min_lag + 1) as f64;
        let first = year_start(year)?;
        // Expected returns decided on each sale day, from max_lag days before the year on.
        let mut decided: BTreeMap<i32, f64> = BTreeMap::new();
        for day in first.0 - max_lag as i32..year_start(year + 1)?.0 {
            let sale = Date(day);
            let tg = calendar::thanksgiving(calendar::year_of(sale));
            let christmas_eve = Date::from_ymd(calendar::year_of(sale), 12, 24).unwrap_or(tg);
            let in_window = (tg..=christmas_eve).contains(&sale);
            let p = params.return_probability(in_window);
            decided.insert(day, store.expected_receipts(sale)? * p);
        }
        let mut arriving: BTreeMap<i32, f64> = BTreeMap::new();
        for (&day, &expected) in &decided {
            if expected == 0.0 {
                continue;
            }
            for lag in min_lag..=max_lag {
                let due =
                    returns::return_date(Date(day), lag, max_lag, |d| store.is_trading_day(d));
                if let Some(due) = due {
                    *arriving.entry(due.0).or_insert(0.0) += expected / lags;
                }
            }
        }
        Self::build(year, |date| {
            Ok(arriving.get(&date.0).copied().unwrap_or(0.0))
        })
    }

    /// The calendar year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The value of `date`, if it lies in the year.
    pub fn day(&self, date: Date) -> Option<f64> {
        usize::try_from(date.0 - self.first.0)
            .ok()
            .and_then(|i| self.daily.get(i))
            .copied()
    }

    /// Every day of the year with its value, in date order.
    pub fn days(&self) -> impl Iterator<Item = (Date, f64)> + '_ {
        self.daily
            .iter()
            .enumerate()
            .map(|(i, v)| (Date(self.first.0 + i as i32), *v))
    }

    /// Sum over the year.
    pub fn total(&self) -> f64 {
        self.daily.iter().sum()
    }

    /// Sum per month, January first.
    pub fn monthly_totals(&self) -> [f64; 12] {
        let mut months = [0.0; 12];
        for (date, value) in self.days() {
            months[date.to_naive().month0() as usize] += value;
        }
        months
    }

    /// Share of the year per month, January first (sums to 1 unless the year is all zero).
    pub fn monthly_shares(&self) -> [f64; 12] {
        let total = self.total();
        self.monthly_totals()
            .map(|m| if total > 0.0 { m / total } else { 0.0 })
    }

    /// Share of the year in calendar quarter `quarter` (1..=4; 0 otherwise).
    pub fn quarter_share(&self, quarter: u32) -> f64 {
        if !(1..=4).contains(&quarter) {
            return 0.0;
        }
        let first = (quarter as usize - 1) * 3;
        self.monthly_shares()[first..first + 3].iter().sum()
    }

    /// Share of the year per ISO weekday, Monday first.
    pub fn day_of_week_shares(&self) -> [f64; 7] {
        let mut days = [0.0; 7];
        for (date, value) in self.days() {
            days[calendar::iso_day_of_week(date) as usize - 1] += value;
        }
        let total = self.total();
        days.map(|d| if total > 0.0 { d / total } else { 0.0 })
    }

    /// The `n` days with the highest values, highest first (ties → earlier date).
    pub fn top_days(&self, n: usize) -> Vec<(Date, f64)> {
        let mut days: Vec<(Date, f64)> = self.days().collect();
        days.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        days.truncate(n);
        days
    }

    /// 1-based rank of `date` by value (1 = busiest day; ties share the better rank).
    pub fn rank_of(&self, date: Date) -> Option<usize> {
        let value = self.day(date)?;
        Some(1 + self.daily.iter().filter(|v| **v > value).count())
    }
}

fn year_start(year: i32) -> Result<Date, PatternsError> {
    Date::from_ymd(year, 1, 1).ok_or_else(|| PatternsError::InvalidParameter {
        name: "year",
        value: year.to_string(),
        rule: "must be a representable calendar year",
    })
}
