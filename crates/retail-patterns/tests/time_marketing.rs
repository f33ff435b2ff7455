//! Campaigns, impression plans and draws, and last-touch attribution (§7.12).

use std::collections::BTreeMap;

use retail_patterns::PatternsError;
use retail_patterns::calendar;
use retail_patterns::demand::OnlineDayCurve;
use retail_patterns::localtime::{self, parse_tz};
use retail_patterns::marketing::{
    self, Campaign, CampaignType, CostModel, Device, MarketingChannel, Touch,
};
use retail_schemas::{Date, Ts};

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd(y, m, day).unwrap()
}

#[test]
fn campaigns_are_pure_functions_of_their_start_date() {
    let day = d(2024, 3, 2);
    let a = marketing::campaign_started_on(42, day, 0.9);
    assert_eq!(a, marketing::campaign_started_on(42, day, 0.9));
    assert_eq!(marketing::campaign_started_on(42, day, 0.0), None);
    let c = marketing::campaign_started_on(42, day, 1.0).unwrap();
    assert_eq!(c.id(), "CMP-20240302-01");
    assert_eq!(c.creative_id(3), "CMP-20240302-01-C03");
    assert_eq!(c.end(), day.plus_days(c.campaign_type.duration_days() - 1));

    let mut started = 0;
    let mut creatives = BTreeMap::new();
    for offset in 0..3_000 {
        if let Some(c) = marketing::campaign_started_on(7, d(2020, 1, 1).plus_days(offset), 0.9) {
            started += 1;
            *creatives.entry(c.creatives).or_insert(0) += 1;
        }
    }
    let share = started as f64 / 3_000.0;
    assert!((share - 0.9).abs() < 0.03, "{share}");
    assert_eq!(
        creatives.keys().copied().collect::<Vec<u32>>(),
        [2, 3, 4, 5, 6]
    );
}

#[test]
fn campaign_type_weights_depend_on_the_start_month() {
    // Across seeds, November starts follow 3/1/2/4 and March starts 1/1/1/1.
    for (date, weights) in [
        (d(2024, 11, 5), [0.3, 0.1, 0.2, 0.4]),
        (d(2024, 8, 5), [0.25, 0.375, 0.125, 0.25]),
        (d(2024, 3, 5), [0.25, 0.25, 0.25, 0.25]),
    ] {
        let mut counts = [0usize; 4];
        let n = 8_000;
        for seed in 0..n {
            let c = marketing::campaign_started_on(seed, date, 1.0).unwrap();
            counts[c.campaign_type as usize] += 1;
        }
        for (count, p) in counts.iter().zip(weights) {
            let share = *count as f64 / n as f64;
            assert!((share - p).abs() < 0.03, "{date}: {counts:?}");
        }
    }
}

#[test]
fn active_campaigns_include_those_started_before_the_day() {
    let day = d(2024, 3, 6);
    let active = marketing::active_campaigns(42, day, 0.9);
    assert!(active.windows(2).all(|p| p[0].start < p[1].start));
    assert!(active.iter().all(|c| c.is_active(day)));
    // Exactly the campaigns of the previous 30 start dates that cover the day.
    let expected: Vec<Campaign> = (0..30)
        .filter_map(|k| marketing::campaign_started_on(42, day.plus_days(-k), 0.9))
        .filter(|c| c.start <= day && day <= c.end())
        .rev()
        .collect();
    assert_eq!(active, expected);
    assert!(
        active.iter().any(|c| c.start < day),
        "steady state from day 1"
    );
    assert!(marketing::active_campaigns(42, day, 0.0).is_empty());
}

#[test]
fn day_cap_and_plan_follow_the_contract() {
    assert_eq!(marketing::day_cap(1.0, 8_950), 8_950);
    assert_eq!(marketing::day_cap(2.5, 8_950), 17_900);
    assert_eq!(marketing::day_cap(0.3, 5_000), 2_500);
    assert_eq!(marketing::day_cap(0.3, 1_500), 1_000);
    assert_eq!(marketing::day_cap(1.0, 300), 300);
    assert_eq!(marketing::day_cap(1.7, 300), 510);
    assert_eq!(marketing::day_cap(1.0, 0), 0);

    let start = d(2024, 3, 1);
    let seasonal = Campaign {
        start,
        number: 1,
        campaign_type: CampaignType::SeasonalSale,
        creatives: 3,
    };
    let flash = Campaign {
        start: start.plus_days(1),
        number: 1,
        campaign_type: CampaignType::FlashSale,
        creatives: 2,
    };
    let loyalty = Campaign {
        start: start.plus_days(2),
        number: 1,
        campaign_type: CampaignType::LoyaltyProgram,
        creatives: 4,
    };
    let plan = marketing::impression_plan(&[seasonal, flash, loyalty], 1.0, 5_500);
    assert_eq!(
        plan.iter().map(|p| p.want).collect::<Vec<_>>(),
        [1_000, 5_000, 500]
    );
    assert_eq!(
        plan.iter().map(|p| p.count).collect::<Vec<_>>(),
        [1_000, 4_500, 0]
    );
    assert_eq!(
        plan[0].per_channel,
        [
            (MarketingChannel::Facebook, 334),
            (MarketingChannel::Google, 333),
            (MarketingChannel::Email, 333)
        ]
    );
    assert_eq!(plan[0].channel_of(333), Some(MarketingChannel::Facebook));
    assert_eq!(plan[0].channel_of(334), Some(MarketingChannel::Google));
    assert_eq!(plan[0].channel_of(999), Some(MarketingChannel::Email));
    assert_eq!(plan[0].channel_of(1_000), None);
    assert_eq!(
        plan.iter().map(|p| p.ordinal).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    // Low multipliers keep the 100-per-channel floor: 500 × 0.3 = 150 < 200.
    let plan = marketing::impression_plan(&[loyalty], 0.3, 10_000);
    assert_eq!(plan[0].want, 200);
    // Black Friday scales wants and cap.
    let plan = marketing::impression_plan(&[seasonal], 2.5, 8_950);
    assert_eq!(plan[0].want, 2_500);
}

#[test]
fn impressions_are_deterministic_and_inside_the_contract_ranges() {
    let day = d(2024, 11, 29);
    let active = marketing::active_campaigns(42, day, 0.9);
    let plan = marketing::impression_plan(&active, calendar::marketing_multiplier(day), 2_000);
    let total: u64 = plan.iter().map(|p| p.count).sum();
    assert_eq!(total, 4_000, "Black Friday doubles the cap");
    let zones = [
        parse_tz("America/New_York").unwrap(),
        parse_tz("America/Los_Angeles").unwrap(),
    ];
    let tz_of = |c: i64| zones[(c % 2) as usize];
    let cost = CostModel::default();
    let rows = marketing::impressions_for_day(42, day, &plan, 500, &cost, tz_of);
    assert_eq!(rows.len() as u64, total);
    assert_eq!(
        rows,
        marketing::impressions_for_day(42, day, &plan, 500, &cost, tz_of)
    );
    assert!(rows.windows(2).all(|p| {
        (p[0].event_ts, p[0].campaign_ordinal, p[0].draw_index)
            < (p[1].event_ts, p[1].campaign_ordinal, p[1].draw_index)
    }));
    let mut devices = [0usize; 3];
    for r in &rows {
        assert!((1..=500).contains(&r.customer_id));
        let campaign = &plan[r.campaign_ordinal as usize];
        assert!((1..=campaign.campaign.creatives).contains(&r.creative));
        assert_eq!(campaign.channel_of(r.draw_index), Some(r.channel));
        let (min, max) = r.channel.default_cost_cents();
        let m = r.device.default_cost_multiplier();
        assert!(
            r.cost_cents >= (min as f64 * m).round() as i64
                && r.cost_cents <= (max as f64 * m).round() as i64,
            "{r:?}"
        );
        assert_eq!(
            localtime::local_date_of(tz_of(r.customer_id), r.event_ts),
            day
        );
        devices[r.device as usize] += 1;
    }
    let mobile = devices[Device::Mobile as usize] as f64 / rows.len() as f64;
    assert!((mobile - 0.6).abs() < 0.04, "{devices:?}");
    assert_eq!(marketing::impression_id(day, 42), "IMP-20241129-0000042");
}

#[test]
fn single_draws_respect_the_plan_and_minimum_cost() {
    let day = d(2024, 3, 6);
    let campaign = Campaign {
        start: day,
        number: 1,
        campaign_type: CampaignType::FlashSale,
        creatives: 2,
    };
    let plan = marketing::impression_plan(&[campaign], 1.0, 100);
    assert_eq!(
        plan[0].count, 100,
        "the cap max(min(1000, base), base) binds"
    );
    let tz = parse_tz("America/Chicago").unwrap();
    let curve = OnlineDayCurve::new(tz, day);
    let free = CostModel {
        channel_cents: [(0, 0); 8],
        ..CostModel::default()
    };
    let draw =
        marketing::draw_impression(42, day, &plan[0], 5, 10, &free, |_, s| curve.draw(s)).unwrap();
    assert_eq!(draw.cost_cents, 1, "cost is at least one cent");
    assert!(
        marketing::draw_impression(42, day, &plan[0], 100, 10, &free, |_, s| curve.draw(s))
            .is_none()
    );
    assert!(
        marketing::draw_impression(42, day, &plan[0], 0, 0, &free, |_, s| curve.draw(s)).is_none()
    );
}

#[test]
fn cost_model_from_config_maps_validates() {
    let channels: BTreeMap<String, [i64; 2]> = MarketingChannel::ALL
        .iter()
        .map(|c| {
            let (a, b) = c.default_cost_cents();
            (c.name().to_string(), [a, b])
        })
        .collect();
    let devices: BTreeMap<String, f64> = [("MOBILE", 1.0), ("DESKTOP", 1.5), ("TABLET", 1.2)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    assert_eq!(
        CostModel::from_maps(&channels, &devices).unwrap(),
        CostModel::default()
    );
    let mut missing = channels.clone();
    missing.remove("EMAIL");
    let err = CostModel::from_maps(&missing, &devices).unwrap_err();
    assert!(err.to_string().contains("EMAIL"), "{err}");
    let mut inverted = channels.clone();
    inverted.insert("SEARCH".into(), [10, 5]);
    assert!(matches!(
        CostModel::from_maps(&inverted, &devices),
        Err(PatternsError::InvalidParameter { .. })
    ));
    let mut bad_device = devices.clone();
    bad_device.insert("TABLET".into(), 0.0);
    assert!(CostModel::from_maps(&channels, &bad_device).is_err());
    let mut unknown = devices.clone();
    unknown.insert("WATCH".into(), 1.0);
    assert!(CostModel::from_maps(&channels, &unknown).is_err());
}

#[test]
fn last_touch_attribution_rule() {
    let start = d(2024, 3, 1);
    let t0 = Ts::parse_rfc3339("2024-03-10T12:00:00Z").unwrap();
    let hours = |h: i64| Ts(t0.0 + h * Ts::MICROS_PER_HOUR);
    let touches = [
        Touch {
            event_ts: hours(-7 * 24 - 1),
            business_date: d(2024, 3, 3),
            seq: 1,
        },
        Touch {
            event_ts: hours(-7 * 24),
            business_date: d(2024, 3, 3),
            seq: 9,
        },
        Touch {
            event_ts: hours(-5),
            business_date: d(2024, 3, 10),
            seq: 3,
        },
        Touch {
            event_ts: hours(-5),
            business_date: d(2024, 3, 10),
            seq: 4,
        },
        Touch {
            event_ts: hours(1),
            business_date: d(2024, 3, 10),
            seq: 8,
        },
    ];
    // Same instant → greatest impression id.
    assert_eq!(marketing::attribute(&touches, t0, 7, start), Some(3));
    // A touch at the purchase instant counts; one after it never does.
    assert_eq!(marketing::attribute(&touches, hours(1), 7, start), Some(4));
    // The window start is inclusive.
    assert_eq!(marketing::attribute(&touches, hours(-6), 7, start), Some(1));
    assert_eq!(
        marketing::attribute(&touches, hours(-6), 1, start),
        None,
        "nothing within one day"
    );
    // Impressions dated before the dataset start are not attributable.
    assert_eq!(
        marketing::attribute(&touches, hours(-6), 7, d(2024, 3, 4)),
        None
    );
    assert_eq!(marketing::attribute(&[], t0, 7, start), None);
}
