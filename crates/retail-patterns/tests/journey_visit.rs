//! One whole in-store visit composed from the journey models, in the §12.2 draw order of the
//! `visit` stream (basket, promotion, payments, return decision, sensors), checked against the
//! money, payment and sensor invariants of data-contract §13 (#8, #9, #10, #12, #14, #32).

use retail_patterns::basket::{
    BasketCategory, BasketRequest, CatalogProduct, HolidayWindows, ProductCatalog,
    ProductMultipliers, ShopperSegment, StoreFormat, draw_basket,
};
use retail_patterns::ids;
use retail_patterns::payment::{Channel, PaymentStatus, draw_charge_attempts};
use retail_patterns::promotion::{PricedLine, draw_promotion};
use retail_patterns::returns::{ReturnParams, ReturnableLine, draw_return_plan};
use retail_patterns::sensors::{AnonKey, VisitSensorInput, Zone, anon_ble_id, draw_visit_trace};
use retail_patterns::tax::{Taxability, line_tax_cents};
use retail_rng::Stream;
use retail_schemas::{Date, Ts};

const SEED: u64 = 7;

fn catalog() -> ProductCatalog {
    let products = (1..=800i64)
        .map(|id| {
            let mut rng = Stream::new(SEED, "product", &[id]);
            CatalogProduct {
                product_id: id,
                basket_category: BasketCategory::ALL[(id % 8) as usize],
                sale_price_cents: rng.range_inclusive(49, 25_000),
                launch_date: Date::from_ymd(2023, 1, 1).unwrap(),
                popularity: libm::exp(rng.normal()),
                multipliers: ProductMultipliers::default(),
            }
        })
        .collect();
    ProductCatalog::new(products).unwrap()
}

fn taxability(product_id: i64) -> Taxability {
    let (dep, cat) = [
        ("Grocery", "Dairy"),
        ("Clothing", "Apparel"),
        ("Electronics", "Audio"),
        ("Home & Garden", "Tools"),
    ][(product_id % 4) as usize];
    Taxability::classify(dep, cat)
}

#[test]
fn composed_visits_satisfy_the_receipt_invariants() {
    let catalog = catalog();
    let date = Date::from_ymd(2024, 3, 6).unwrap();
    let index = catalog.draw_index(HolidayWindows::on(date));
    let key = AnonKey::from_stream(&mut Stream::new(SEED, "anon_key", &[]));
    let opening = Ts(1_709_726_400_000_000);
    let tax_rate_bps = 825;
    let mut receipts = 0;
    let mut identified = 0;
    for i in 0..1_500i64 {
        let mut rng = Stream::new(SEED, "visit", &[5, date.0 as i64, 10, i]);
        let segment = ShopperSegment::ALL[(i % 4) as usize];
        let request = BasketRequest {
            segment,
            format: Some(StoreFormat::Superstore),
            date,
        };
        let basket = draw_basket(&index, &request, &mut rng, |id| (id % 7) as u32);
        if basket.lines.is_empty() {
            continue;
        }
        receipts += 1;
        let priced: Vec<PricedLine> = basket
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
        let promotion = draw_promotion(segment, 3, &priced, &mut rng);

        // Lines and header (§13 #8, #9).
        let mut subtotal = 0;
        let mut discount = 0;
        let mut tax = 0;
        let mut returnable = Vec::new();
        for l in &priced {
            let gross = l.gross_cents();
            let d = promotion
                .as_ref()
                .map_or(0, |p| p.discount_of(l.line_number));
            assert!((0..=gross).contains(&d));
            let net = gross - d;
            let t = line_tax_cents(net, tax_rate_bps, taxability(l.product_id).pct());
            // The RETURN line is the exact negation (§13 #8).
            assert_eq!(
                line_tax_cents(-net, tax_rate_bps, taxability(l.product_id).pct()),
                -t
            );
            subtotal += gross;
            discount += d;
            tax += t;
            returnable.push(ReturnableLine {
                line_number: l.line_number,
                net_cents: net,
                basket_category: l.basket_category,
            });
        }
        let total = subtotal - discount + tax;
        assert!(total > 0);
        // Promotion (§13 #10).
        match &promotion {
            Some(p) => {
                assert_eq!(p.discount_cents, discount);
                assert!(discount > 0);
                let promo_id = ids::promotion_id("RCP-x", p.code.code);
                assert!(promo_id.ends_with(p.code.code));
            }
            None => assert_eq!(discount, 0),
        }

        // Payments (§13 #12, #14).
        let checkout = Ts(opening.0 + (i % 600) * 60_000_000 + 1);
        let attempts = draw_charge_attempts(Channel::Store, total, checkout, &mut rng);
        let approved: Vec<_> = attempts
            .iter()
            .filter(|a| a.status == PaymentStatus::Approved)
            .collect();
        assert_eq!(approved.len(), 1);
        assert_eq!(approved[0].amount_cents, total);
        assert_eq!(approved[0].event_ts, checkout);

        // Return decision, then sensors (§12.2 order).
        let _plan = draw_return_plan(&ReturnParams::default(), false, &returnable, &mut rng);
        let has_app = i % 3 == 0;
        let trace = draw_visit_trace(
            &VisitSensorInput {
                format: StoreFormat::Superstore,
                daily_traffic_multiplier: 1.1,
                checkout,
                opening,
                has_mobile_app: has_app,
            },
            &mut rng,
        );
        let ble = if trace.identified {
            identified += 1;
            ids::ble_id(1_000 + i)
        } else {
            anon_ble_id(&key, 5, date, receipts).unwrap()
        };
        assert!(ble.starts_with("BLE") || ble.starts_with("ANON-"));
        assert!(trace.pings.len() >= 2);
        assert_eq!(trace.pings[0].zone, Zone::Entrance);
        assert_eq!(trace.pings.last().unwrap().zone, Zone::Checkout);
        assert!(
            trace
                .pings
                .iter()
                .all(|p| p.event_ts >= trace.start && p.event_ts <= checkout)
        );
    }
    assert!(receipts > 1_400, "{receipts}");
    // Only app users (1 in 3 here) can be identified, at p .85.
    let share = identified as f64 / receipts as f64;
    assert!((0.25..0.32).contains(&share), "{share}");
}
