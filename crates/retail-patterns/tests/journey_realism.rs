//! Statistical checks of the shopper-journey models with fixed seeds (data-contract §11, §13).
//! The accepted ranges are stated in docs/realism.md.

use retail_patterns::basket::{
    BasketCategory, BasketRequest, CatalogProduct, DrawIndex, HolidayWindows, ProductCatalog,
    ProductMultipliers, ShopperSegment, StoreFormat, draw_basket,
};
use retail_patterns::payment::{Channel, PaymentStatus, draw_charge_attempts};
use retail_patterns::promotion::{PricedLine, draw_promotion};
use retail_patterns::returns::{ReturnParams, ReturnableLine, draw_return_plan};
use retail_patterns::sensors::{VisitSensorInput, draw_identified, draw_visit_trace};
use retail_rng::Stream;
use retail_schemas::{Date, Ts};

const SEED: u64 = 20_240_306;

/// A catalog shaped like the default dimension: 3 000 SKUs over the 8 basket categories,
/// popularity exp(N(0,1)), 90 % launched before the test date.
fn catalog() -> ProductCatalog {
    let mut products = Vec::new();
    let start = Date::from_ymd(2024, 1, 1).unwrap();
    for id in 1..=3_000i64 {
        let mut rng = Stream::new(SEED, "product", &[id]);
        let category = BasketCategory::ALL[rng.below(8) as usize];
        let popularity = libm::exp(rng.normal());
        let price = rng.range_inclusive(99, 9_999);
        let launch = if id <= 2_700 {
            start.plus_days(-(rng.range_inclusive(180, 730) as i32))
        } else {
            start.plus_days(rng.range_inclusive(180, 365) as i32)
        };
        products.push(CatalogProduct {
            product_id: id,
            basket_category: category,
            sale_price_cents: price,
            launch_date: launch,
            popularity,
            multipliers: ProductMultipliers::default(),
        });
    }
    ProductCatalog::new(products).unwrap()
}

/// Shopper segments with the dim_customers shares (.35 / .25 / .20 / .20).
fn segment(rng: &mut Stream) -> ShopperSegment {
    ShopperSegment::ALL[rng.categorical(&[0.35, 0.25, 0.20, 0.20]).unwrap()]
}

/// Basket-size figures of one format: mean lines, mean units, share of baskets with ≤ 5 units.
struct BasketSize {
    lines: f64,
    units: f64,
    small_share: f64,
}

fn basket_size(index: &DrawIndex, format: StoreFormat, n: i64) -> BasketSize {
    let date = Date::from_ymd(2024, 3, 6).unwrap();
    let (mut lines, mut units, mut small) = (0usize, 0u64, 0u32);
    for i in 0..n {
        let mut rng = Stream::new(SEED, "visit", &[format.index() as i64, i]);
        let request = BasketRequest {
            segment: segment(&mut rng),
            format: Some(format),
            date,
        };
        let basket = draw_basket(index, &request, &mut rng, |_| 1_000);
        let basket_units: u64 = basket.lines.iter().map(|l| l.quantity as u64).sum();
        lines += basket.lines.len();
        units += basket_units;
        if basket_units <= 5 {
            small += 1;
        }
    }
    BasketSize {
        lines: lines as f64 / n as f64,
        units: units as f64 / n as f64,
        small_share: small as f64 / n as f64,
    }
}

fn mean_lines(index: &DrawIndex, format: StoreFormat, n: i64) -> f64 {
    basket_size(index, format, n).lines
}

#[test]
fn mean_lines_per_basket_by_format_are_in_the_stated_ranges() {
    let catalog = catalog();
    let index = catalog.draw_index(HolidayWindows::none());
    // (format, accepted range of mean lines per basket)
    let ranges = [
        (StoreFormat::Hypermarket, 14.5..18.0),
        (StoreFormat::Superstore, 12.8..15.8),
        (StoreFormat::Standard, 11.5..14.2),
        (StoreFormat::Neighborhood, 9.5..12.0),
        (StoreFormat::Express, 4.3..4.9),
    ];
    let mut all = Vec::new();
    for (format, range) in ranges {
        let size = basket_size(&index, format, 6_000);
        let mean = size.lines;
        all.push((format, mean));
        eprintln!(
            "{format}: mean lines {mean:.2}, mean units {:.2}, baskets with ≤ 5 units {:.1} %",
            size.units,
            size.small_share * 100.0
        );
        assert!(
            range.contains(&mean),
            "{format}: mean {mean:.2} outside {range:?}"
        );
    }
    // Ordered by store size.
    assert!(all.windows(2).all(|w| w[0].1 > w[1].1), "{all:?}");
}

#[test]
fn holiday_boost_raises_basket_size() {
    let catalog = catalog();
    let plain = catalog.draw_index(HolidayWindows::none());
    let boosted = catalog.draw_index(HolidayWindows {
        thanksgiving: true,
        basket_boost: true,
        ..HolidayWindows::none()
    });
    let a = mean_lines(&plain, StoreFormat::Standard, 3_000);
    let b = mean_lines(&boosted, StoreFormat::Standard, 3_000);
    eprintln!("STANDARD boost: {a:.2} → {b:.2}");
    assert!(b > a * 1.08 && b < a * 1.25, "{a:.2} → {b:.2}");
}

#[test]
fn decline_rates_match_the_tender_mix() {
    let n = 60_000;
    for (channel, expected) in [(Channel::Store, 0.019), (Channel::Online, 0.023375)] {
        let mut with_decline = 0;
        for i in 0..n {
            let mut rng = Stream::new(SEED, "visit", &[channel.index() as i64, i]);
            let attempts = draw_charge_attempts(channel, 1_000, Ts(0), &mut rng);
            if attempts[0].status == PaymentStatus::Declined {
                with_decline += 1;
            }
        }
        let rate = with_decline as f64 / n as f64;
        eprintln!("{channel}: purchases with a decline {rate:.4}");
        assert!(
            (rate - expected).abs() < 0.003,
            "{channel}: {rate:.4} vs {expected}"
        );
    }
}

#[test]
fn return_rates_are_one_percent_and_triple_in_the_holiday_window() {
    let lines = [ReturnableLine {
        line_number: 1,
        net_cents: 500,
        basket_category: BasketCategory::Clothing,
    }];
    let params = ReturnParams::default();
    let n = 100_000;
    for (window, expected) in [(false, 0.01), (true, 0.03)] {
        let returned = (0..n)
            .filter(|i| {
                let mut rng = Stream::new(SEED, "visit", &[window as i64, *i]);
                draw_return_plan(&params, window, &lines, &mut rng).is_some()
            })
            .count();
        let rate = returned as f64 / n as f64;
        eprintln!("return rate (window={window}): {rate:.4}");
        let sd = (expected * (1.0 - expected) / n as f64).sqrt();
        assert!(
            (rate - expected).abs() < 4.0 * sd,
            "window={window}: {rate:.4}"
        );
    }
}

#[test]
fn identified_share_is_within_invariant_34() {
    // 20 000 customers with has_mobile_app ~ Bernoulli(.35); 60 000 visits of uniform customers.
    let customers: Vec<bool> = (0..20_000)
        .map(|c| Stream::new(SEED, "customer", &[c]).bernoulli(0.35))
        .collect();
    let n = 60_000;
    let mut identified = 0;
    for i in 0..n {
        let mut rng = Stream::new(SEED, "visit", &[7, i]);
        let customer = rng.below(customers.len() as u64) as usize;
        if draw_identified(customers[customer], &mut rng) {
            identified += 1;
        }
    }
    let share = identified as f64 / n as f64;
    eprintln!("identified share {share:.4}");
    assert!((share - 0.30).abs() <= 0.03, "{share:.4}");
}

/// Mean pings and zone changes per visit of a store of `format` with traffic `multiplier`.
fn pings_per_visit(format: StoreFormat, multiplier: f64, n: i64) -> (f64, f64) {
    let (mut pings, mut changes) = (0usize, 0usize);
    for i in 0..n {
        let mut rng = Stream::new(SEED, "visit", &[11, i]);
        let checkout = Ts(1_709_740_800_000_000 + 6 * 3_600_000_000);
        let trace = draw_visit_trace(
            &VisitSensorInput {
                format,
                daily_traffic_multiplier: multiplier,
                checkout,
                opening: Ts(checkout.0 - 10 * 3_600_000_000),
                has_mobile_app: i % 3 == 0,
            },
            &mut rng,
        );
        pings += trace.pings.len();
        changes += trace.zone_changes.len();
    }
    (pings as f64 / n as f64, changes as f64 / n as f64)
}

#[test]
fn ble_pings_per_receipt_match_the_calibration_and_ignore_store_traffic() {
    // §11: ≈ 12 pings and ≈ 2 zone changes per receipt on the default profile. Pings per zone
    // = max(1, round(U{2..5} × format factor × clamp(multiplier, 0.6, 1.0))), ≈ 3 zones a visit.
    let n = 20_000;
    let (standard, changes) = pings_per_visit(StoreFormat::Standard, 1.0, n);
    eprintln!("STANDARD ×1.0: {standard:.2} pings, {changes:.2} zone changes per visit");
    // Analytic: 3 zones × E[U{2..5}] = 10.5; 2 zone changes.
    assert!((standard - 10.5).abs() < 0.15, "{standard}");
    assert!((changes - 2.0).abs() < 0.05, "{changes}");
    // A flagship's traffic does not make each shopper's phone ping more (§7.13 had up to ×1.8).
    let (busy, _) = pings_per_visit(StoreFormat::Standard, 2.6, n);
    assert_eq!(
        busy, standard,
        "same draws, same counts above multiplier 1.0"
    );
    // A kiosk-sized store keeps sparser pings.
    let (quiet, _) = pings_per_visit(StoreFormat::Standard, 0.3, n);
    assert!(quiet < 0.7 * standard, "{quiet}");
    // A receipt mix of the formats like the default profile's (receipt-weighted: more
    // hypermarket and superstore visits) stays near 12 — not the ≈ 17.7 of the 1.8 clamp.
    let mix = [
        (StoreFormat::Hypermarket, 1.0, 0.20),
        (StoreFormat::Superstore, 1.0, 0.35),
        (StoreFormat::Standard, 1.0, 0.30),
        (StoreFormat::Neighborhood, 0.8, 0.10),
        (StoreFormat::Express, 0.5, 0.05),
    ];
    let mixed: f64 = mix
        .iter()
        .map(|(format, m, w)| w * pings_per_visit(*format, *m, n / 4).0)
        .sum();
    eprintln!("default-like receipt mix: {mixed:.2} pings per receipt");
    assert!((11.0..13.5).contains(&mixed), "{mixed}");
}

#[test]
fn promotion_share_of_receipts_is_in_the_calibration_range() {
    let catalog = catalog();
    let index = catalog.draw_index(HolidayWindows::none());
    let date = Date::from_ymd(2024, 3, 6).unwrap();
    let n = 6_000;
    let mut promoted = 0;
    for i in 0..n {
        let mut rng = Stream::new(SEED, "visit", &[9, i]);
        let seg = segment(&mut rng);
        let request = BasketRequest {
            segment: seg,
            format: Some(StoreFormat::Standard),
            date,
        };
        let basket = draw_basket(&index, &request, &mut rng, |_| 1_000);
        let lines: Vec<PricedLine> = basket
            .lines
            .iter()
            .enumerate()
            .map(|(k, l)| PricedLine {
                line_number: k as u32 + 1,
                product_id: l.product_id,
                basket_category: l.basket_category,
                quantity: l.quantity as i64,
                unit_price_cents: catalog.product(l.product_id).unwrap().sale_price_cents,
            })
            .collect();
        if draw_promotion(seg, 3, &lines, &mut rng).is_some() {
            promoted += 1;
        }
    }
    // §11: 1 000–3 000 promotions for ≈ 17 800 receipts on 2024-03-06, i.e. 5.6 %–16.9 %.
    let share = promoted as f64 / n as f64;
    eprintln!("promotion share {share:.4}");
    assert!((0.056..0.169).contains(&share), "{share:.4}");
}
