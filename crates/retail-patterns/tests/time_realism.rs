//! Realism of the time models against public retail patterns (docs/realism.md).
//!
//! Expected in-store demand of a typical store — daily traffic multiplier 1.0, the most common
//! opening hours 08:00–22:00, America/Chicago, Christmas closed — is Σ λ(s,d,h) over the open
//! hour slots, with the season's expected weather factor (§7.1) in place of a daily draw. One
//! test draws real weather and Poisson counts with a fixed seed to check that the sampled data
//! show the same shape. No timing is measured.

use chrono::Datelike;
use retail_patterns::calendar::{self, HolidayKey, Season};
use retail_patterns::demand::{self, Weather};
use retail_patterns::localtime::{self, parse_tz};
use retail_schemas::Date;

const CUSTOMERS_PER_DAY: f64 = 233.0;
const OPEN: u32 = 8 * 60;
const CLOSE: u32 = 22 * 60;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd(y, m, day).unwrap()
}

/// Expected receipts of the typical store on `date`.
fn expected_day(date: Date) -> f64 {
    let tz = parse_tz("America/Chicago").unwrap();
    let closed = [HolidayKey::ChristmasDay];
    let rates = demand::day_checkout_rates(
        CUSTOMERS_PER_DAY,
        1.0,
        tz,
        date,
        OPEN,
        CLOSE,
        Weather::Cloudy,
        &closed,
    )
    .unwrap();
    let weather = demand::expected_weather_factor(Season::of(date));
    rates.iter().map(|(_, l)| l).sum::<f64>() * weather
}

fn monthly_totals(year: i32) -> [f64; 12] {
    let mut months = [0.0; 12];
    let mut day = d(year, 1, 1);
    while calendar::year_of(day) == year {
        months[day.to_naive().month0() as usize] += expected_day(day);
        day = day.succ();
    }
    months
}

fn month_lengths(year: i32) -> [f64; 12] {
    let mut days = [0.0; 12];
    let mut day = d(year, 1, 1);
    while calendar::year_of(day) == year {
        days[day.to_naive().month0() as usize] += 1.0;
        day = day.succ();
    }
    days
}

fn holiday_share(year: i32) -> f64 {
    let m = monthly_totals(year);
    (m[10] + m[11]) / m.iter().sum::<f64>()
}

/// Months other than the holiday season (Nov, Dec) and Back-to-School's August.
const ORDINARY_MONTHS: [usize; 9] = [0, 1, 2, 3, 4, 5, 6, 8, 9];

#[test]
fn holiday_months_beat_every_ordinary_month_and_winter_is_the_trough() {
    for year in 2024..=2027 {
        let m = monthly_totals(year);
        eprintln!("{year} monthly expected receipts: {m:.0?}");
        let busiest_ordinary = ORDINARY_MONTHS.iter().map(|i| m[*i]).fold(0.0, f64::max);
        assert!(m[10] > busiest_ordinary * 1.15, "{year}: November");
        assert!(m[11] > busiest_ordinary * 1.15, "{year}: December");
        // By month total the trough is January or the shorter February (as in Census data);
        // per trading day January is always the weakest month.
        let trough = (0..12).min_by(|a, b| m[*a].total_cmp(&m[*b])).unwrap();
        assert!(trough <= 1, "{year}: trough month {}", trough + 1);
        let days = month_lengths(year);
        let per_day: Vec<f64> = (0..12).map(|i| m[i] / days[i]).collect();
        let weakest = (0..12)
            .min_by(|a, b| per_day[*a].total_cmp(&per_day[*b]))
            .unwrap();
        assert_eq!(weakest, 0, "{year}: January has the lowest demand per day");
        assert!(
            m[11] / m[0] > 1.8,
            "{year}: December/January {}",
            m[11] / m[0]
        );
    }
}

#[test]
fn contract_back_to_school_window_makes_august_the_peak_month() {
    // Known deviation from public data (Census: December is the peak month, August only ~3 %
    // above average): §7.1's Back to School in-store multiplier 1.8 with a 14-day window lifts
    // all of Aug 1–29 by 51 % on average. This test pins the contract's behaviour; when the
    // contract is recalibrated it fails and docs/realism.md must be updated with it.
    for year in 2024..=2027 {
        let m = monthly_totals(year);
        let peak = (0..12).max_by(|a, b| m[*a].total_cmp(&m[*b])).unwrap();
        assert_eq!(peak, 7, "{year}");
        let lift = m[7] / (m[6] * calendar::month_factor(8) / calendar::month_factor(7));
        assert!((1.40..1.60).contains(&lift), "{year}: August lift {lift}");
    }
}

#[test]
fn november_and_december_share_is_close_to_the_nrf_figure() {
    // NRF: November–December sales average about 19 % of annual retail sales. The contract's
    // factors put the share of expected in-store receipts slightly above it (see realism.md).
    let shares: Vec<f64> = (2024..=2027).map(holiday_share).collect();
    eprintln!("Nov+Dec share of annual expected receipts 2024–2027: {shares:.4?}");
    for share in shares {
        assert!((0.18..0.23).contains(&share), "{share}");
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
    let share = (months[10] + months[11]) as f64 / total as f64;
    eprintln!(
        "sampled 2024: months {months:?}, Nov+Dec share {share:.4}, BF {black_friday} vs {ordinary_friday}"
    );
    let busiest_ordinary = ORDINARY_MONTHS.iter().map(|i| months[*i]).max().unwrap();
    assert!(months[10] > busiest_ordinary && months[11] > busiest_ordinary);
    let trough = (0..12).min_by_key(|i| months[*i]).unwrap();
    assert_eq!(trough, 0, "January");
    assert!((share - holiday_share(2024)).abs() < 0.01, "{share}");
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
