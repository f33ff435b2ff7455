//! In-store demand rates, weather, checkout draws and the online hour curve (§7.1, §7.2, §7.11).

use retail_patterns::calendar::{HolidayKey, Season};
use retail_patterns::demand::{self, OnlineDayCurve, Weather};
use retail_patterns::localtime::{self, parse_tz};
use retail_rng::Stream;
use retail_schemas::{Date, Ts};

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd(y, m, day).unwrap()
}

#[test]
fn hour_curves_sum_to_the_contract_constants() {
    let weekday: f64 = demand::WEEKDAY_HOUR_WEIGHTS.iter().sum();
    let weekend: f64 = demand::WEEKEND_HOUR_WEIGHTS.iter().sum();
    assert!((weekday - demand::WEEKDAY_WEIGHT_SUM).abs() < 1e-9);
    assert!((weekend - demand::WEEKEND_WEIGHT_SUM).abs() < 1e-9);
    assert_eq!(demand::hour_weight(false, 18), 1.4598);
    assert_eq!(demand::hour_weight(true, 14), 1.2853);
    assert_eq!(demand::hour_weight(true, 24), 0.0);
    assert_eq!(demand::online_hour_weight(23), 0.6);
    assert_eq!(demand::online_hour_weight(5), 0.3);
    assert_eq!(demand::online_hour_weight(18), 1.0);
}

#[test]
fn weather_is_deterministic_and_follows_the_season_table() {
    assert_eq!(
        demand::draw_weather(42, 3, d(2024, 1, 10)),
        demand::draw_weather(42, 3, d(2024, 1, 10))
    );
    let n = 20_000;
    for (date, season) in [
        (d(2024, 4, 10), Season::Spring),
        (d(2024, 7, 10), Season::Summer),
        (d(2024, 10, 10), Season::Fall),
        (d(2024, 1, 10), Season::Winter),
    ] {
        let mut counts = [0usize; 5];
        for geo in 0..n {
            let w = demand::draw_weather(42, geo, date);
            counts[Weather::ALL.iter().position(|x| *x == w).unwrap()] += 1;
        }
        let weights = demand::weather_weights(season);
        for (count, p) in counts.iter().zip(weights) {
            let share = *count as f64 / n as f64;
            // 5 σ of a binomial share with n = 20 000 is below 0.018.
            assert!((share - p).abs() < 0.018, "{season:?} {counts:?}");
            if p == 0.0 {
                assert_eq!(*count, 0, "{season:?} never draws an impossible condition");
            }
        }
    }
    assert!((demand::expected_weather_factor(Season::Spring) - 0.95).abs() < 1e-12);
    assert!((demand::expected_weather_factor(Season::Winter) - 0.82).abs() < 1e-12);
}

#[test]
fn weather_modulates_days_without_shifting_the_seasons() {
    // Every season expects the same demand factor, spring's 0.95 (§11's calibration basis).
    for season in [Season::Spring, Season::Summer, Season::Fall, Season::Winter] {
        let expected: f64 = demand::weather_weights(season)
            .iter()
            .zip(Weather::ALL)
            .map(|(p, w)| p * demand::weather_demand_factor(w, season))
            .sum();
        assert!((expected - 0.95).abs() < 1e-12, "{season:?}: {expected}");
        // The order and ratios of the conditions are the table's.
        let sunny = demand::weather_demand_factor(Weather::Sunny, season);
        let stormy = demand::weather_demand_factor(Weather::Stormy, season);
        assert!((stormy / sunny - 0.5 / 1.1).abs() < 1e-12);
    }
    assert!((demand::expected_weather_demand_factor() - 0.95).abs() < 1e-12);
    // Spring keeps the §7.1 factors exactly; winter days are scaled up by 0.95 / 0.82.
    for w in Weather::ALL {
        assert_eq!(demand::weather_demand_factor(w, Season::Spring), w.factor());
    }
    let snowy = demand::weather_demand_factor(Weather::Snowy, Season::Winter);
    assert!((snowy - 0.6 * 0.95 / 0.82).abs() < 1e-12);
}

#[test]
fn a_24_hour_day_expects_customers_per_day_times_its_factors() {
    let tz = parse_tz("America/Chicago").unwrap();
    // Saturday 2024-03-09, March (in store 1.01), cloudy, no holiday: 100 × 1.4 × 1.01.
    let sat = d(2024, 3, 9);
    let rates =
        demand::day_checkout_rates(100.0, 1.0, tz, sat, 0, 1440, Weather::Cloudy, &[]).unwrap();
    let total: f64 = rates.iter().map(|(_, l)| l).sum();
    assert!((total - 141.4).abs() < 1e-9, "{total}");
    // Black Friday 2024 (Friday 1.2, November in store 0.88, holiday 3.5), sunny in the fall (1.1 scaled
    // by 0.95 / 0.93), multiplier 2.
    let bf = d(2024, 11, 29);
    let rates =
        demand::day_checkout_rates(100.0, 2.0, tz, bf, 0, 1440, Weather::Sunny, &[]).unwrap();
    let total: f64 = rates.iter().map(|(_, l)| l).sum();
    let expected = 100.0 * 2.0 * 1.2 * 0.88 * 3.5 * 1.1 * 0.95 / 0.93;
    assert!((total - expected).abs() < 1e-9, "{total} vs {expected}");
    // Store hours cut the day: 08:00–22:00 keeps only those hours' weights.
    let wed = d(2024, 3, 6);
    let rates =
        demand::day_checkout_rates(100.0, 1.0, tz, wed, 480, 1320, Weather::Cloudy, &[]).unwrap();
    assert_eq!(rates.len(), 14);
    let share: f64 = demand::WEEKDAY_HOUR_WEIGHTS[8..22].iter().sum::<f64>() / 13.0424;
    let total: f64 = rates.iter().map(|(_, l)| l).sum();
    // Wednesday 0.9 × March in store 1.01.
    assert!((total - 90.9 * share).abs() < 1e-9);
}

#[test]
fn closure_days_have_no_slots_and_dst_days_have_real_hours() {
    let ny = parse_tz("America/New_York").unwrap();
    let closed = [HolidayKey::ChristmasDay];
    let xmas = d(2024, 12, 25);
    assert!(
        demand::day_checkout_rates(233.0, 1.0, ny, xmas, 0, 1440, Weather::Sunny, &closed)
            .unwrap()
            .is_empty()
    );
    // Fall-back Sunday: the repeated 01:00 hour adds its weight once more.
    let fall = d(2024, 11, 3);
    let rates =
        demand::day_checkout_rates(100.0, 1.0, ny, fall, 0, 1440, Weather::Cloudy, &[]).unwrap();
    assert_eq!(rates.len(), 25);
    let total: f64 = rates.iter().map(|(_, l)| l).sum();
    // Sunday 1.1, November in store 0.88, Halloween 3 days back: 1 + 0.3 × (1 − 0.7 × 3/7) = 1.21,
    // cloudy in the fall (1.0 scaled by 0.95 / 0.93).
    let base =
        100.0 * 1.1 * 0.88 * 1.21 * demand::weather_demand_factor(Weather::Cloudy, Season::Fall);
    assert!((retail_patterns::calendar::in_store_multiplier(fall) - 1.21).abs() < 1e-12);
    let expected = base * (13.1332 + demand::WEEKEND_HOUR_WEIGHTS[1]) / 13.1332;
    assert!((total - expected).abs() < 1e-9);
    assert_eq!(rates[1].1, rates[2].1, "same weight for the repeated hour");
}

#[test]
fn checkout_draws_are_deterministic_inside_the_slot_and_poisson_on_average() {
    let tz = parse_tz("America/Denver").unwrap();
    let date = d(2024, 3, 6);
    let slots = localtime::hour_slots(tz, date, 480, 1320).unwrap();
    let slot = slots[10];
    let a = demand::draw_checkouts(42, 5, date, 10, &slot, 12.5);
    let b = demand::draw_checkouts(42, 5, date, 10, &slot, 12.5);
    assert_eq!(a, b);
    assert_ne!(a, demand::draw_checkouts(42, 6, date, 10, &slot, 12.5));
    let mut total = 0usize;
    let stores = 4_000;
    for store in 0..stores {
        let instants = demand::draw_checkouts(7, store, date, 10, &slot, 12.5);
        assert!(instants.windows(2).all(|p| p[0] <= p[1]));
        assert!(instants.iter().all(|t| slot.start <= *t && *t < slot.end));
        total += instants.len();
    }
    let mean = total as f64 / stores as f64;
    // σ of the mean = sqrt(12.5 / 4000) ≈ 0.056.
    assert!((mean - 12.5).abs() < 0.3, "{mean}");
    assert!(demand::draw_checkouts(7, 1, date, 10, &slot, 0.0).is_empty());
}

#[test]
fn online_curve_draws_follow_the_hour_weights_on_the_local_day() {
    let la = parse_tz("America/Los_Angeles").unwrap();
    let date = d(2024, 3, 6);
    let curve = OnlineDayCurve::new(la, date);
    let mut stream = Stream::new(1, "online_curve_test", &[]);
    let n = 60_000;
    let mut counts = [0usize; 24];
    for _ in 0..n {
        let t = curve.draw(&mut stream);
        assert_eq!(localtime::local_date_of(la, t), date);
        counts[localtime::local_hour_of(la, t) as usize] += 1;
    }
    let total: f64 = demand::ONLINE_HOUR_WEIGHTS.iter().sum();
    for (h, c) in counts.iter().enumerate() {
        let p = demand::ONLINE_HOUR_WEIGHTS[h] / total;
        let share = *c as f64 / n as f64;
        assert!((share - p).abs() < 0.005, "hour {h}: {share} vs {p}");
    }
    // Spring-forward day: no instant shows the missing 02:00 hour.
    let spring = d(2024, 3, 10);
    let curve = OnlineDayCurve::new(la, spring);
    assert_eq!(curve.slots().len(), 23);
    for _ in 0..5_000 {
        let t = curve.draw(&mut stream);
        assert_ne!(localtime::local_hour_of(la, t), 2);
        assert_eq!(localtime::local_date_of(la, t), spring);
    }
    let mut s1 = Stream::new(3, "x", &[]);
    let mut s2 = Stream::new(3, "x", &[]);
    assert_eq!(
        demand::draw_online_instant(&mut s1, la, date),
        demand::draw_online_instant(&mut s2, la, date)
    );
    assert!(demand::draw_online_instant(&mut s1, la, date) >= Ts(0));
}
