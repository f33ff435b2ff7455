//! Realism of the time models against public retail patterns (docs/realism.md).
//!
//! Expected in-store demand of a typical store — daily traffic multiplier 1.0, the most common
//! opening hours 08:00–22:00, America/Chicago, Christmas closed — is Σ λ(s,d,h) over the open
//! hour slots averaged over the season's weather table
//! ([`retail_patterns::seasonality::TypicalStore`]). One test draws real weather and Poisson
//! counts with a fixed seed to check that the sampled data show the same shape. The shape
//! assertions fail if the seasonality regresses (December no longer the peak, Back to School
//! back on top, weather doubling the winter trough…). No timing is measured.

use chrono::Datelike;
use retail_patterns::calendar::{self, HolidayKey};
use retail_patterns::demand::{self, Weather};
use retail_patterns::localtime::{self, parse_tz};
use retail_patterns::returns::ReturnParams;
use retail_patterns::seasonality::{DemandYear, TypicalStore};
use retail_schemas::Date;

const CUSTOMERS_PER_DAY: f64 = 233.0;
const OPEN: u32 = 8 * 60;
const CLOSE: u32 = 22 * 60;
/// Years checked: a full cycle of Thanksgiving / Christmas weekdays and both leap-year cases.
const YEARS: std::ops::RangeInclusive<i32> = 2024..=2031;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd(y, m, day).unwrap()
}

fn store() -> TypicalStore {
    TypicalStore::default_profile()
}

/// Expected receipts of the typical store on `date`.
fn expected_day(date: Date) -> f64 {
    store().expected_receipts(date).unwrap()
}

fn in_store(year: i32) -> DemandYear {
    DemandYear::in_store(&store(), year).unwrap()
}

/// Mean per day of each month relative to the mean day of the year.
fn per_day_profile(year: &DemandYear) -> [f64; 12] {
    let mut sums = [0.0; 12];
    let mut counts = [0.0; 12];
    for (date, v) in year.days() {
        let m = date.to_naive().month0() as usize;
        sums[m] += v;
        counts[m] += 1.0;
    }
    let mean = year.total() / counts.iter().sum::<f64>();
    std::array::from_fn(|m| sums[m] / counts[m] / mean)
}

fn ranked_months(shares: &[f64; 12]) -> Vec<usize> {
    let mut months: Vec<usize> = (0..12).collect();
    months.sort_by(|a, b| shares[*b].total_cmp(&shares[*a]));
    months
}

#[test]
fn december_is_the_peak_month_november_second_and_winter_the_trough() {
    for year in YEARS {
        let y = in_store(year);
        let shares = y.monthly_shares();
        eprintln!("{year} monthly shares %: {:.2?}", shares.map(|s| 100.0 * s));
        let ranked = ranked_months(&shares);
        assert_eq!(ranked[0], 11, "{year}: December is the peak month");
        assert_eq!(ranked[1], 10, "{year}: November is second");
        assert!(
            shares[11] > shares[10] * 1.05,
            "{year}: December clearly above November"
        );
        // The trough is January or the shorter February (Census: both ≈ 7 %); per trading day
        // January is always the weakest month.
        assert!(ranked[11] <= 1, "{year}: trough month {}", ranked[11] + 1);
        let per_day = per_day_profile(&y);
        let weakest = (0..12)
            .min_by(|a, b| per_day[*a].total_cmp(&per_day[*b]))
            .unwrap();
        assert_eq!(weakest, 0, "{year}: January has the lowest demand per day");
        // Census 1998, retail excluding motor vehicles → GAFO: December per day 1.31 → 1.62
        // times the year's mean day, January 0.86 → 0.79 (December/January 1.53 → 2.05); the
        // weekday mix of each year moves the ratio by a few points.
        let dec_over_jan = per_day[11] / per_day[0];
        assert!(
            (1.4..2.1).contains(&dec_over_jan),
            "{year}: December/January per day {dec_over_jan}"
        );
    }
}

#[test]
fn holiday_quarter_and_season_shares_match_census_retail() {
    // NRF: November + December ≈ 19 % of annual retail sales; Census 1998 (not adjusted):
    // retail excluding motor vehicles Nov+Dec 19.9 %, Q4 28.4 %, Q4/Q1 1.28. The in-store
    // month factors are fitted to that series (docs/realism.md).
    for year in YEARS {
        let y = in_store(year);
        let s = y.monthly_shares();
        let holiday = s[10] + s[11];
        let q4 = y.quarter_share(4);
        eprintln!(
            "{year}: Nov+Dec {:.2} %, Q4 {:.2} %",
            100.0 * holiday,
            100.0 * q4
        );
        assert!(
            (0.19..0.205).contains(&holiday),
            "{year}: Nov+Dec {holiday}"
        );
        assert!((0.27..0.30).contains(&q4), "{year}: Q4 {q4}");
        assert!(q4 > y.quarter_share(1) * 1.2, "{year}: Q4 vs Q1");
    }
}

#[test]
fn back_to_school_is_a_bump_not_the_peak() {
    for year in YEARS {
        let y = in_store(year);
        let shares = y.monthly_shares();
        let per_day = per_day_profile(&y);
        assert!(shares[7] < shares[10], "{year}: August below November");
        assert!(shares[7] < shares[11], "{year}: August below December");
        // At most a small bump over July per day (Census: +0.6 % for retail excluding motor
        // vehicles, +6.5 % for GAFO), not the contract factors' +55 %; the weekday mix of a year
        // moves it by a few points either way.
        let bump = per_day[7] / per_day[6];
        assert!(
            (0.95..1.15).contains(&bump),
            "{year}: August/July per day {bump}"
        );
        // Aug 15 itself is busier than the same weekday four weeks earlier or later.
        let bts = HolidayKey::BackToSchool.date(year);
        for other in [bts.plus_days(-28), bts.plus_days(28)] {
            assert!(y.day(bts).unwrap() > y.day(other).unwrap(), "{year}");
        }
    }
}

#[test]
fn weather_modulates_the_seasons_instead_of_doubling_them() {
    // Census: January per day ≈ 0.86 (ex. motor vehicles) / 0.79 (GAFO) of the year's mean day,
    // July 0.98 / 0.93. With the raw §7.1 weather table January fell to 0.63.
    for year in YEARS {
        let per_day = per_day_profile(&in_store(year));
        let jan_over_jul = per_day[0] / per_day[6];
        assert!(
            (0.72..0.95).contains(&jan_over_jul),
            "{year}: January/July per day {jan_over_jul}"
        );
        // Ordinary months (March–October) stay within a ±15 % band around the mean day.
        for (m, v) in per_day.iter().enumerate().take(10).skip(2) {
            assert!((0.82..1.15).contains(v), "{year}: month {} at {v}", m + 1);
        }
    }
}

#[test]
fn holiday_peaks_rank_where_shoppers_expect_them() {
    for year in YEARS {
        let y = in_store(year);
        let mean = y.total() / y.days().count() as f64;
        let bf = HolidayKey::BlackFriday.date(year);
        let rank = y.rank_of(bf).unwrap();
        assert!(rank <= 3, "{year}: Black Friday rank {rank}");
        // The last Saturday before Christmas ("Super Saturday") is a top-10 day.
        let super_saturday = (18..=24)
            .rev()
            .map(|day| d(year, 12, day))
            .find(|day| calendar::iso_day_of_week(*day) == 6)
            .unwrap();
        let rank = y.rank_of(super_saturday).unwrap();
        assert!(rank <= 10, "{year}: Super Saturday rank {rank}");
        // Dec 23 is well above the mean day even when it falls on a Monday (factor 0.7).
        let dec23 = y.day(d(year, 12, 23)).unwrap();
        assert!(
            dec23 > 1.2 * mean,
            "{year}: Dec 23 {dec23} vs mean day {mean}"
        );
        // Easter Saturday beats the ordinary Saturdays two weeks around it.
        let holy_saturday = HolidayKey::HolySaturday.date(year);
        for other in [holy_saturday.plus_days(-14), holy_saturday.plus_days(14)] {
            assert!(
                y.day(holy_saturday).unwrap() > 1.2 * y.day(other).unwrap(),
                "{year}: Easter Saturday"
            );
        }
        // Christmas Day is closed; Dec 26 is a top-10 day.
        assert_eq!(y.day(d(year, 12, 25)), Some(0.0));
        assert!(y.rank_of(d(year, 12, 26)).unwrap() <= 10, "{year}: Dec 26");
    }
}

#[test]
fn returns_spike_right_after_christmas() {
    let params = ReturnParams::default();
    for year in 2024..=2027 {
        let r = DemandYear::returns(&store(), &params, year).unwrap();
        let mean = r.total() / r.days().count() as f64;
        let top = r.top_days(1)[0];
        eprintln!("{year}: returns mean {mean:.2}/day, top {top:?}");
        assert_eq!(top.0, d(year, 12, 26), "{year}: the busiest returns day");
        assert!(top.1 > 4.0 * mean, "{year}: {} vs {mean}", top.1);
        assert_eq!(r.day(d(year, 12, 25)), Some(0.0), "closed");
        // Holiday purchases (3× return rate) keep returns above an ordinary day into January.
        let early_january = r.day(d(year, 1, 3)).unwrap();
        let march = r.day(d(year, 3, 12)).unwrap();
        assert!(
            early_january > 1.5 * march,
            "{year}: {early_january} vs {march}"
        );
        assert!(
            r.monthly_shares()[11] > 0.2,
            "{year}: December share of returns"
        );
    }
}

#[test]
fn online_orders_peak_in_the_holiday_season_too() {
    for year in YEARS {
        let y = DemandYear::online(653.0, year).unwrap();
        let s = y.monthly_shares();
        let ranked = ranked_months(&s);
        assert_eq!(&ranked[..2], &[11, 10], "{year}: {s:?}");
        assert!(s[7] < s[10], "{year}: online August below November");
        let cyber_monday = HolidayKey::CyberMonday.date(year);
        assert_eq!(y.rank_of(cyber_monday), Some(1), "{year}: Cyber Monday");
    }
}

#[test]
fn black_friday_is_at_least_twice_an_ordinary_friday() {
    for year in 2024..=2030 {
        let bf = HolidayKey::BlackFriday.date(year);
        // An ordinary Friday of November: outside every holiday window.
        let ordinary = (1..=3)
            .map(|weeks| bf.plus_days(-7 * weeks))
            .find(|day| calendar::in_store_multiplier(*day) == 1.0)
            .unwrap();
        let ratio = expected_day(bf) / expected_day(ordinary);
        eprintln!("{year}: Black Friday / ordinary Friday = {ratio:.2}");
        assert!(ratio >= 2.0, "{year}: {ratio}");

        // §11: ≥ 2.5 × the mean of the surrounding non-holiday weekdays of the same weeks
        // (Mon–Fri of Black Friday's week and the week before, holidays excluded).
        let monday = bf.plus_days(-4);
        let neighbours: Vec<f64> = (-7..5)
            .map(|k| monday.plus_days(k))
            .filter(|day| !calendar::is_weekend(*day) && calendar::holiday_on(*day).is_none())
            .map(expected_day)
            .collect();
        let mean = neighbours.iter().sum::<f64>() / neighbours.len() as f64;
        eprintln!(
            "{year}: Black Friday / mean of surrounding weekdays = {:.2}",
            expected_day(bf) / mean
        );
        assert!(
            expected_day(bf) >= 2.5 * mean,
            "{year}: {} vs {mean}",
            expected_day(bf)
        );
    }
}

#[test]
fn christmas_day_has_no_store_demand_when_closed() {
    let xmas = d(2024, 12, 25);
    assert_eq!(expected_day(xmas), 0.0);
    // Open, it would be one of the busiest days of the year (multiplier 2.0).
    let tz = parse_tz("America/Chicago").unwrap();
    let open: f64 = demand::day_checkout_rates(
        CUSTOMERS_PER_DAY,
        1.0,
        tz,
        xmas,
        OPEN,
        CLOSE,
        Weather::Cloudy,
        &[],
    )
    .unwrap()
    .iter()
    .map(|(_, l)| l)
    .sum();
    assert!(open > expected_day(d(2024, 12, 4)) * 2.0);
}

#[test]
fn saturday_is_the_busiest_day_of_the_week() {
    let mut by_weekday = [0.0; 7];
    let mut counts = [0usize; 7];
    let mut day = d(2024, 1, 1);
    while calendar::year_of(day) == 2024 {
        let i = calendar::iso_day_of_week(day) as usize - 1;
        by_weekday[i] += expected_day(day);
        counts[i] += 1;
        day = day.succ();
    }
    let means: Vec<f64> = by_weekday
        .iter()
        .zip(counts)
        .map(|(s, n)| s / n as f64)
        .collect();
    eprintln!("mean expected receipts Mon..Sun 2024: {means:.1?}");
    let busiest = (0..7)
        .max_by(|a, b| means[*a].total_cmp(&means[*b]))
        .unwrap();
    assert_eq!(busiest, 5, "Saturday");
    assert!(means[5] > means[0] * 1.5, "Saturday > Monday clearly");
}

#[test]
fn hourly_curve_has_a_midday_and_an_early_evening_peak() {
    let w = demand::WEEKDAY_HOUR_WEIGHTS;
    let argmax = |range: std::ops::Range<usize>| range.max_by(|a, b| w[*a].total_cmp(&w[*b]));
    let midday = argmax(10..16).unwrap();
    let evening = argmax(16..22).unwrap();
    assert!((12..=13).contains(&midday), "{midday}");
    assert!((17..=19).contains(&evening), "{evening}");
    // A real dip between the two peaks, and the evening peak is the day's maximum.
    let dip = w[14].min(w[15]).min(w[16]);
    assert!(dip < 0.7 * w[midday] && dip < 0.6 * w[evening]);
    assert_eq!(argmax(0..24), argmax(16..22));
    // Weekends peak in the early afternoon instead.
    let e = demand::WEEKEND_HOUR_WEIGHTS;
    let weekend_peak = (0..24).max_by(|a, b| e[*a].total_cmp(&e[*b])).unwrap();
    assert!((13..=15).contains(&weekend_peak), "{weekend_peak}");
}

#[test]
fn sampled_receipts_show_the_same_shape_with_a_fixed_seed() {
    // Real weather draws and Poisson counts for 20 typical stores in 20 geographies over 2024.
    let tz = parse_tz("America/Chicago").unwrap();
    let closed = [HolidayKey::ChristmasDay];
    let seed = 42;
    let mut months = [0u64; 12];
    let mut black_friday = 0u64;
    let mut ordinary_friday = 0u64;
    let mut day = d(2024, 1, 1);
    while calendar::year_of(day) == 2024 {
        for store in 1..=20i64 {
            let weather = demand::draw_weather(seed, store, day);
            let rates = demand::day_checkout_rates(
                CUSTOMERS_PER_DAY,
                1.0,
                tz,
                day,
                OPEN,
                CLOSE,
                weather,
                &closed,
            )
            .unwrap();
            let mut n = 0u64;
            for (i, (slot, lambda)) in rates.iter().enumerate() {
                n += demand::draw_checkouts(seed, store, day, i as u32, slot, *lambda).len() as u64;
            }
            months[day.to_naive().month0() as usize] += n;
            if day == d(2024, 11, 29) {
                black_friday += n;
            }
            if day == d(2024, 11, 15) {
                ordinary_friday += n;
            }
            if day == d(2024, 12, 25) {
                assert_eq!(n, 0);
            }
        }
        day = day.succ();
    }
    let total: u64 = months.iter().sum();
    let sampled: [f64; 12] = months.map(|m| m as f64 / total as f64);
    let expected = in_store(2024).monthly_shares();
    eprintln!(
        "sampled 2024: months {months:?}, shares % {:.2?}, BF {black_friday} vs {ordinary_friday}",
        sampled.map(|s| 100.0 * s)
    );
    let ranked = ranked_months(&sampled);
    assert_eq!(&ranked[..2], &[11, 10], "December, then November");
    assert!(ranked[11] <= 1, "January or February is the trough");
    // 20 stores × 366 days: weather draws shift a month by a few tenths of a point at most.
    for (m, (s, e)) in sampled.iter().zip(expected).enumerate() {
        assert!(
            (s - e).abs() < 0.004,
            "month {}: sampled {s} vs expected {e}",
            m + 1
        );
    }
    assert!(black_friday as f64 >= 2.0 * ordinary_friday as f64);
    // Local-time sanity: every sampled checkout of a day lies on that local date.
    let slots = localtime::hour_slots(tz, d(2024, 11, 29), OPEN, CLOSE).unwrap();
    let instants = demand::draw_checkouts(seed, 1, d(2024, 11, 29), 10, &slots[10], 50.0);
    assert!(
        instants
            .iter()
            .all(|t| localtime::local_date_of(tz, *t) == d(2024, 11, 29))
    );
}
