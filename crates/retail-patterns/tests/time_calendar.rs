//! Calendar model: §7.1 test vectors, multiplier rule, product windows and `dim_date`.

use retail_patterns::PatternsError;
use retail_patterns::calendar::{self, Channel, HolidayKey, Season};
use retail_schemas::Date;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd(y, m, day).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn contract_test_vectors_2024_to_2027() {
    use HolidayKey::*;
    let vectors = [
        (EasterSunday, d(2024, 3, 31)),
        (MothersDay, d(2024, 5, 12)),
        (MemorialDay, d(2024, 5, 27)),
        (FathersDay, d(2024, 6, 16)),
        (LaborDay, d(2024, 9, 2)),
        (Thanksgiving, d(2024, 11, 28)),
        (BlackFriday, d(2024, 11, 29)),
        (CyberMonday, d(2024, 12, 2)),
        (EasterSunday, d(2025, 4, 20)),
        (MemorialDay, d(2025, 5, 26)),
        (LaborDay, d(2025, 9, 1)),
        (Thanksgiving, d(2025, 11, 27)),
        (EasterSunday, d(2026, 4, 5)),
        (FathersDay, d(2026, 6, 21)),
        (LaborDay, d(2026, 9, 7)),
        (Thanksgiving, d(2026, 11, 26)),
        (EasterSunday, d(2027, 3, 28)),
        (MemorialDay, d(2027, 5, 31)),
        (Thanksgiving, d(2027, 11, 25)),
        (Thanksgiving, d(2030, 11, 28)),
    ];
    for (holiday, expected) in vectors {
        let year = calendar::year_of(expected);
        assert_eq!(holiday.date(year), expected, "{holiday} {year}");
        assert_eq!(calendar::holiday_on(expected), Some(holiday));
    }
    assert_eq!(HolySaturday.date(2025), d(2025, 4, 19));
}

#[test]
fn easter_matches_known_extremes_across_centuries() {
    // Published Easter dates, including the earliest (Mar 22) and latest (Apr 25) possible.
    for (y, m, day) in [
        (1818, 3, 22),
        (1943, 4, 25),
        (2000, 4, 23),
        (2008, 3, 23),
        (2011, 4, 24),
        (2019, 4, 21),
        (2038, 4, 25),
        (2099, 4, 12),
        (2285, 3, 22),
    ] {
        assert_eq!(calendar::easter_sunday(y), d(y, m, day), "{y}");
    }
}

#[test]
fn rule_based_holidays_keep_their_weekday_for_every_year() {
    use chrono::{Datelike, Weekday};
    for year in 2000..=2099 {
        let tg = HolidayKey::Thanksgiving.date(year).to_naive();
        assert_eq!(tg.weekday(), Weekday::Thu);
        assert!((22..=28).contains(&tg.day()), "{tg}");
        let memorial = HolidayKey::MemorialDay.date(year).to_naive();
        assert_eq!(memorial.weekday(), Weekday::Mon);
        assert!(memorial.day() >= 25 && memorial.month() == 5);
        let mothers = HolidayKey::MothersDay.date(year).to_naive();
        assert_eq!(mothers.weekday(), Weekday::Sun);
        assert!((8..=14).contains(&mothers.day()));
        let fathers = HolidayKey::FathersDay.date(year).to_naive();
        assert!((15..=21).contains(&fathers.day()) && fathers.weekday() == Weekday::Sun);
        let labor = HolidayKey::LaborDay.date(year).to_naive();
        assert!(labor.day() <= 7 && labor.weekday() == Weekday::Mon);
        assert_eq!(
            HolidayKey::CyberMonday.date(year).to_naive().weekday(),
            Weekday::Mon
        );
        let easter = calendar::easter_sunday(year).to_naive();
        assert_eq!(easter.weekday(), Weekday::Sun);
    }
}

#[test]
fn keys_names_and_closability_follow_the_table() {
    assert_eq!(HolidayKey::ALL.len(), 17);
    for (i, h) in HolidayKey::ALL.into_iter().enumerate() {
        assert_eq!(h.index(), i);
        assert_eq!(HolidayKey::parse(h.key()).unwrap(), h);
        assert_eq!(h.key().parse::<HolidayKey>().unwrap(), h);
    }
    assert_eq!(HolidayKey::HolySaturday.name(), "Easter Saturday");
    assert_eq!(HolidayKey::AfterChristmas.name(), "After-Christmas Sale");
    let closable: Vec<&str> = HolidayKey::ALL
        .into_iter()
        .filter(|h| h.closable())
        .map(|h| h.key())
        .collect();
    assert_eq!(
        closable,
        [
            "new_years_day",
            "easter_sunday",
            "thanksgiving",
            "christmas_day"
        ]
    );
    assert_eq!(
        HolidayKey::parse("xmas"),
        Err(PatternsError::UnknownHoliday("xmas".into()))
    );
}

#[test]
fn closed_holiday_parsing_rejects_unknown_non_closable_and_duplicates() {
    assert_eq!(
        calendar::parse_closed_holidays(&["christmas_day", "thanksgiving"]).unwrap(),
        vec![HolidayKey::Thanksgiving, HolidayKey::ChristmasDay]
    );
    let err = calendar::parse_closed_holidays(&["black_friday"]).unwrap_err();
    assert_eq!(
        err,
        PatternsError::HolidayNotClosable("black_friday".into())
    );
    assert!(err.to_string().contains("not closable"), "{err}");
    assert!(matches!(
        calendar::parse_closed_holidays(&["christmas_day", "christmas_day"]),
        Err(PatternsError::InvalidParameter { .. })
    ));
    assert!(matches!(
        calendar::parse_closed_holidays(&["Christmas"]),
        Err(PatternsError::UnknownHoliday(_))
    ));
    assert!(
        calendar::parse_closed_holidays::<&str>(&[])
            .unwrap()
            .is_empty()
    );
}

#[test]
fn exact_holiday_multipliers_take_precedence_in_table_order() {
    // Thanksgiving (0.8) is at distance 0; Black Friday's window also covers the day.
    assert_eq!(calendar::in_store_multiplier(d(2024, 11, 28)), 0.8);
    assert_eq!(calendar::online_multiplier(d(2024, 11, 28)), 1.2);
    assert_eq!(calendar::in_store_multiplier(d(2024, 11, 29)), 3.5);
    assert_eq!(calendar::online_multiplier(d(2024, 11, 29)), 2.0);
    // Easter Sunday beats the fading Easter Saturday effect.
    assert_eq!(calendar::in_store_multiplier(d(2024, 3, 31)), 0.7);
    assert_eq!(calendar::in_store_multiplier(d(2024, 3, 30)), 1.3);
    assert_eq!(calendar::in_store_multiplier(d(2024, 12, 25)), 2.0);
    assert_eq!(calendar::online_multiplier(d(2024, 12, 25)), 0.6);
    assert_eq!(calendar::in_store_multiplier(d(2024, 12, 26)), 2.5);
    assert_eq!(calendar::in_store_multiplier(d(2025, 1, 1)), 0.5);
    assert_eq!(calendar::online_multiplier(d(2025, 1, 1)), 0.8);
    assert_eq!(calendar::online_multiplier(d(2024, 12, 2)), 2.5);
}

#[test]
fn fading_multipliers_pick_the_contribution_farthest_from_one() {
    // Nov 27: Thanksgiving 1 day away → 0.94; Black Friday 2 days away → 1 + 2.5 × (1 − 1.4/3).
    let expected = 1.0 + 2.5 * (1.0 - 0.7 * 2.0 / 3.0);
    assert!(close(
        calendar::in_store_multiplier(d(2024, 11, 27)),
        expected
    ));
    // Nov 30: Black Friday 1 day away.
    let expected = 1.0 + 2.5 * (1.0 - 0.7 / 3.0);
    assert!(close(
        calendar::in_store_multiplier(d(2024, 11, 30)),
        expected
    ));
    // Cyber Monday has in-store m = 1.0 so it is no candidate; Black Friday at distance 3
    // contributes with the 0.3 floor.
    assert!(close(calendar::in_store_multiplier(d(2024, 12, 2)), 1.75));
    // Dec 27: Christmas (2 days, 1.8) beats After-Christmas (1 day, 1.45).
    assert!(close(calendar::in_store_multiplier(d(2024, 12, 27)), 1.8));
    // Dec 31 looks one year ahead: New Year's Day 2025 (0.85) loses to Christmas (1.4).
    assert!(close(calendar::in_store_multiplier(d(2024, 12, 31)), 1.4));
    // Online Dec 31: New Year's online window is 0 and Christmas online window 0 → none.
    assert_eq!(calendar::online_multiplier(d(2024, 12, 31)), 1.0);
    // Jan 2 looks one year back: New Year's Day 2025 at distance 1 → 1 − 0.5 × 0.3.
    assert!(close(calendar::in_store_multiplier(d(2025, 1, 2)), 0.85));
    // Back to School (recalibrated in-store 1.2, online 1.1): window edges (14 days, 0.3
    // floor), the day itself and outside.
    assert!(close(calendar::in_store_multiplier(d(2024, 8, 1)), 1.06));
    assert!(close(calendar::in_store_multiplier(d(2024, 8, 29)), 1.06));
    assert_eq!(calendar::in_store_multiplier(d(2024, 8, 15)), 1.2);
    assert_eq!(calendar::online_multiplier(d(2024, 8, 15)), 1.1);
    assert!(close(calendar::online_multiplier(d(2024, 8, 1)), 1.03));
    assert_eq!(calendar::in_store_multiplier(d(2024, 8, 30)), 1.0);
    // Online Cyber Monday + 1.
    assert!(close(calendar::online_multiplier(d(2024, 12, 3)), 1.45));
    // An ordinary day.
    assert_eq!(calendar::in_store_multiplier(d(2024, 3, 6)), 1.0);
    assert_eq!(
        calendar::holiday_multiplier(d(2024, 3, 6), Channel::Online),
        1.0
    );
}

#[test]
fn marketing_multiplier_uses_the_first_matching_rule() {
    assert_eq!(calendar::marketing_multiplier(d(2024, 11, 29)), 2.5);
    assert_eq!(calendar::marketing_multiplier(d(2024, 12, 2)), 2.0);
    assert_eq!(calendar::marketing_multiplier(d(2024, 11, 18)), 1.7);
    assert_eq!(calendar::marketing_multiplier(d(2024, 11, 28)), 1.7);
    assert_eq!(calendar::marketing_multiplier(d(2024, 11, 17)), 1.0);
    assert_eq!(calendar::marketing_multiplier(d(2024, 11, 30)), 1.0);
    assert_eq!(calendar::marketing_multiplier(d(2024, 12, 11)), 1.5);
    assert_eq!(calendar::marketing_multiplier(d(2024, 12, 24)), 1.5);
    assert_eq!(calendar::marketing_multiplier(d(2024, 12, 25)), 1.0);
    assert_eq!(calendar::marketing_multiplier(d(2024, 5, 25)), 1.5);
    assert_eq!(calendar::marketing_multiplier(d(2024, 5, 24)), 1.0);
    assert_eq!(calendar::marketing_multiplier(d(2024, 7, 6)), 1.5);
    assert_eq!(calendar::marketing_multiplier(d(2024, 9, 4)), 1.5);
}

#[test]
fn factors_and_seasons() {
    assert_eq!(calendar::month_factor(1), 0.85);
    assert_eq!(calendar::month_factor(12), 1.25);
    assert_eq!(calendar::month_factor(0), 1.0);
    assert_eq!(calendar::month_factor_of(d(2024, 11, 3)), 1.08);
    // In store, the fitted factors (docs/realism.md) keep December the peak and January low.
    assert_eq!(calendar::in_store_month_factor_of(d(2024, 11, 3)), 0.88);
    assert_eq!(calendar::in_store_month_factor(12), 1.14);
    assert_eq!(calendar::in_store_month_factor(13), 1.0);
    // 2024-03-04 is a Monday.
    let factors: Vec<f64> = (0..7)
        .map(|i| calendar::day_of_week_factor(d(2024, 3, 4).plus_days(i)))
        .collect();
    assert_eq!(factors, [0.7, 0.8, 0.9, 1.0, 1.2, 1.4, 1.1]);
    assert_eq!(Season::of(d(2024, 2, 29)), Season::Winter);
    assert_eq!(Season::of(d(2024, 3, 1)), Season::Spring);
    assert_eq!(Season::of(d(2024, 8, 31)), Season::Summer);
    assert_eq!(Season::of(d(2024, 11, 30)).name(), "FALL");
    assert_eq!(Season::of(d(2024, 12, 1)).name(), "WINTER");
}

#[test]
fn closures_follow_the_configured_keys_only() {
    let closed = [HolidayKey::ChristmasDay];
    assert!(calendar::is_closed(d(2031, 12, 25), &closed));
    assert!(!calendar::is_closed(d(2031, 12, 26), &closed));
    assert!(!calendar::is_closed(d(2024, 11, 28), &closed));
    assert!(!calendar::is_closed(d(2024, 12, 25), &[]));
    let both = [HolidayKey::Thanksgiving, HolidayKey::ChristmasDay];
    assert_eq!(
        calendar::closure_on(d(2024, 11, 28), &both),
        Some(HolidayKey::Thanksgiving)
    );
}

#[test]
fn holiday_product_windows_and_line_target_boost() {
    let ctx = calendar::holiday_product_context(d(2024, 11, 18));
    assert!(ctx.thanksgiving_window && !ctx.black_friday && ctx.any());
    assert!(!calendar::holiday_product_context(d(2024, 11, 17)).thanksgiving_window);
    let bf = calendar::holiday_product_context(d(2024, 11, 29));
    assert!(bf.black_friday && !bf.thanksgiving_window);
    assert!(calendar::holiday_product_context(d(2024, 12, 11)).christmas_window);
    assert!(!calendar::holiday_product_context(d(2024, 12, 25)).christmas_window);
    for day in [d(2024, 5, 25), d(2024, 5, 29), d(2024, 7, 2), d(2024, 9, 4)] {
        assert!(
            calendar::holiday_product_context(day).grill_out_window,
            "{day}"
        );
    }
    assert!(!calendar::holiday_product_context(d(2024, 5, 30)).any());

    assert!(calendar::line_target_boosted(d(2024, 11, 28)));
    assert!(!calendar::line_target_boosted(d(2024, 11, 29)));
    assert!(calendar::line_target_boosted(d(2024, 12, 22)));
    assert!(!calendar::line_target_boosted(d(2024, 12, 21)));
    assert_eq!(calendar::boosted_line_target(10, d(2024, 12, 23)), 12);
    assert_eq!(calendar::boosted_line_target(3, d(2024, 12, 23)), 4); // 3.6 → 4
    assert_eq!(calendar::boosted_line_target(10, d(2024, 12, 21)), 10);
}

#[test]
fn dim_date_row_has_iso_fiscal_and_holiday_columns() {
    let closed = [HolidayKey::ChristmasDay];
    let row = calendar::dim_date_row(d(2024, 12, 30), &closed);
    assert_eq!(row.date_key, 20241230);
    assert_eq!((row.iso_year, row.iso_week), (2025, 1));
    assert_eq!(row.day_name, "Monday");
    assert_eq!(row.day_of_week, 1);
    assert_eq!(row.month_name, "December");
    assert_eq!((row.fiscal_year, row.fiscal_quarter), (2024, 2));
    assert_eq!(row.quarter, 4);
    assert_eq!(row.season, "WINTER");
    assert!(!row.is_holiday && row.holiday_name.is_none());

    let row = calendar::dim_date_row(d(2021, 1, 3), &closed);
    assert_eq!((row.iso_year, row.iso_week), (2020, 53));
    assert!(row.is_weekend);
    assert_eq!((row.fiscal_year, row.fiscal_quarter), (2020, 3));

    let row = calendar::dim_date_row(d(2024, 6, 30), &closed);
    assert_eq!((row.fiscal_year, row.fiscal_quarter), (2023, 4));
    let row = calendar::dim_date_row(d(2024, 7, 1), &closed);
    assert_eq!((row.fiscal_year, row.fiscal_quarter), (2024, 1));

    let xmas = calendar::dim_date_row(d(2024, 12, 25), &closed);
    assert_eq!(xmas.holiday_name.as_deref(), Some("Christmas Day"));
    assert!(xmas.is_holiday && xmas.is_store_closed);
    assert_eq!(xmas.in_store_multiplier, 2.0);
    assert_eq!(xmas.online_multiplier, 0.6);
    assert_eq!(xmas.marketing_multiplier, 1.0);
    let bf = calendar::dim_date_row(d(2024, 11, 29), &closed);
    assert_eq!(bf.holiday_name.as_deref(), Some("Black Friday"));
    assert!(!bf.is_store_closed);
    assert_eq!(bf.marketing_multiplier, 2.5);
}

#[test]
fn dim_date_rows_cover_the_century_once() {
    let closed = calendar::parse_closed_holidays(&["christmas_day", "thanksgiving"]).unwrap();
    let rows = calendar::dim_date_rows(&closed);
    assert_eq!(rows.len(), 36_525);
    assert_eq!(rows[0].date_key, 20000101);
    assert_eq!(rows.last().unwrap().date_key, 20991231);
    for pair in rows.windows(2) {
        assert_eq!(pair[1].date.0, pair[0].date.0 + 1);
        assert!(pair[1].date_key > pair[0].date_key);
    }
    let closed_days = rows.iter().filter(|r| r.is_store_closed).count();
    assert_eq!(closed_days, 200);
    // Every holiday appears once per year, none collide with another.
    let holidays = rows.iter().filter(|r| r.is_holiday).count();
    assert_eq!(holidays, 17 * 100);
    assert!(
        rows.iter()
            .all(|r| r.is_holiday == r.holiday_name.is_some())
    );
    assert!(rows.iter().all(|r| r.is_weekend == (r.day_of_week >= 6)));
}

/// A direct transcription of the §7.1 candidate rule, written independently of the library's
/// loop: collect every candidate, then pick.
fn reference_multiplier(date: Date, channel: Channel) -> f64 {
    let year = calendar::year_of(date);
    let mut candidates: Vec<(usize, i32, f64)> = Vec::new();
    for (index, holiday) in HolidayKey::ALL.into_iter().enumerate() {
        let effect = holiday.effect(channel);
        for y in year - 1..=year + 1 {
            let dist = (date.0 - holiday.date(y).0).abs();
            if effect.multiplier != 1.0 && dist <= effect.window_days {
                let fade = if dist == 0 {
                    1.0
                } else {
                    (1.0 - 0.7 * dist as f64 / effect.window_days as f64).max(0.3)
                };
                candidates.push((index, dist, (effect.multiplier - 1.0) * fade));
            }
        }
    }
    if let Some(exact) = candidates.iter().filter(|c| c.1 == 0).min_by_key(|c| c.0) {
        return 1.0 + exact.2;
    }
    let farthest = candidates.iter().map(|c| c.2.abs()).fold(0.0_f64, f64::max);
    candidates
        .iter()
        .filter(|c| c.2.abs() == farthest)
        .min_by_key(|c| c.0)
        .map_or(1.0, |c| 1.0 + c.2)
}

#[test]
fn multipliers_match_a_direct_transcription_of_the_rule_for_the_whole_century() {
    let mut day = d(2000, 1, 1);
    let mut boosted = 0;
    while day <= d(2099, 12, 31) {
        for channel in [Channel::InStore, Channel::Online] {
            let got = calendar::holiday_multiplier(day, channel);
            assert_eq!(got, reference_multiplier(day, channel), "{day} {channel:?}");
            if got != 1.0 {
                boosted += 1;
            }
        }
        day = day.succ();
    }
    // About 100 in-store and 85 online days a year carry a holiday effect.
    assert!((15_000..21_000).contains(&boosted), "{boosted}");
}
