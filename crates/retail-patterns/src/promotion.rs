//! Promotions (data-contract §7.6): the promo-code table, the probability that a purchase
//! applies a code, eligible codes, the weighted choice, line discounts and the resulting
//! promotion.
//!
//! Draw order on the visit / online-order stream ([`draw_promotion`]): one `f64` for
//! Bernoulli(P(apply)); when applied and at least one code is eligible, one `f64` for the
//! weighted code choice. An empty purchase consumes nothing.

use retail_rng::Stream;

use crate::basket::{BasketCategory, ShopperSegment};
use crate::ids::journey_enum;

journey_enum! {
    /// `fact_promotions.discount_type`.
    DiscountType {
        /// A percentage of the line gross.
        Percentage => "PERCENTAGE",
        /// Buy one, get one at 50 %.
        Bogo => "BOGO",
    }
}

/// One row of the §7.6 promotion table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PromoCode {
    /// The code (`SAVE10`).
    pub code: &'static str,
    /// PERCENTAGE or BOGO.
    pub discount_type: DiscountType,
    /// Percentage (also the choice weight; BOGO50 → 50).
    pub pct: i64,
    /// Minimum `subtotal_cents` (gross).
    pub min_subtotal_cents: i64,
    /// Months 1..12 in which the code exists; empty = all.
    pub months: &'static [u32],
    /// Eligible basket categories; empty = all.
    pub categories: &'static [BasketCategory],
}

use BasketCategory::{Clothing, Electronics, HomeGarden};
use DiscountType::{Bogo, Percentage};

const fn code(
    code: &'static str,
    discount_type: DiscountType,
    pct: i64,
    min_subtotal_cents: i64,
    months: &'static [u32],
    categories: &'static [BasketCategory],
) -> PromoCode {
    PromoCode {
        code,
        discount_type,
        pct,
        min_subtotal_cents,
        months,
        categories,
    }
}

/// The §7.6 promotion table in listed order (the order of the weighted choice).
pub const PROMO_CODES: &[PromoCode] = &[
    code("SAVE10", Percentage, 10, 0, &[], &[]),
    code("SAVE15", Percentage, 15, 2_500, &[], &[]),
    code("SAVE20", Percentage, 20, 5_000, &[], &[]),
    code("SAVE25", Percentage, 25, 7_500, &[], &[]),
    code("BOGO50", Bogo, 50, 0, &[], &[]),
    code(
        "CLEARANCE30",
        Percentage,
        30,
        0,
        &[],
        &[Clothing, Electronics, HomeGarden],
    ),
    code(
        "CLEARANCE50",
        Percentage,
        50,
        0,
        &[1, 2, 7, 8],
        &[Clothing, Electronics],
    ),
    code("BFRIDAY30", Percentage, 30, 0, &[11], &[]),
    code("BFRIDAY40", Percentage, 40, 10_000, &[11], &[]),
    code("SUMMER25", Percentage, 25, 0, &[6, 7, 8], &[]),
    code(
        "BACKTOSCHOOL",
        Percentage,
        20,
        0,
        &[8, 9],
        &[Clothing, Electronics],
    ),
    code("HOLIDAY20", Percentage, 20, 0, &[12], &[]),
    code("NEWYEAR15", Percentage, 15, 0, &[1, 2], &[]),
];

impl PromoCode {
    /// Looks a code up in [`PROMO_CODES`].
    pub fn find(code: &str) -> Option<&'static PromoCode> {
        PROMO_CODES.iter().find(|c| c.code == code)
    }

    /// True when lines of `category` can be discounted by this code.
    pub fn covers(&self, category: BasketCategory) -> bool {
        self.categories.is_empty() || self.categories.contains(&category)
    }

    /// §7.6 eligibility: the month, the minimum basket on `subtotal_cents`, at least one line in
    /// an eligible category.
    pub fn is_eligible(&self, month: u32, subtotal_cents: i64, lines: &[PricedLine]) -> bool {
        (self.months.is_empty() || self.months.contains(&month))
            && subtotal_cents >= self.min_subtotal_cents
            && lines.iter().any(|l| self.covers(l.basket_category))
    }

    /// §7.6 line discount of an eligible line: PERCENTAGE → round_half_away(gross × % / 100);
    /// BOGO → round_half_away(unit_price × ⌊quantity / 2⌋ × 50 / 100); 0 outside the categories.
    pub fn line_discount_cents(&self, line: &PricedLine) -> i64 {
        if !self.covers(line.basket_category) {
            return 0;
        }
        match self.discount_type {
            DiscountType::Percentage => {
                retail_rng::div_round_half_away(line.gross_cents() as i128 * self.pct as i128, 100)
            }
            DiscountType::Bogo => retail_rng::div_round_half_away(
                line.unit_price_cents as i128 * (line.quantity / 2) as i128 * self.pct as i128,
                100,
            ),
        }
    }
}

/// §7.6 segment rate: BUDGET_CONSCIOUS .30, CONVENIENCE_FOCUSED .08, QUALITY_SEEKER .10,
/// BRAND_LOYAL .15.
pub fn segment_rate(segment: ShopperSegment) -> f64 {
    match segment {
        ShopperSegment::BudgetConscious => 0.30,
        ShopperSegment::ConvenienceFocused => 0.08,
        ShopperSegment::QualitySeeker => 0.10,
        ShopperSegment::BrandLoyal => 0.15,
    }
}

/// §7.6 month multiplier, Jan..Dec: 1.3, 1.2, 0.9, 1.0, 1.0, 1.1, 1.3, 1.4, 1.1, 1.0, 2.0, 1.6
/// (1.0 outside 1..=12).
pub fn month_multiplier(month: u32) -> f64 {
    const M: [f64; 12] = [1.3, 1.2, 0.9, 1.0, 1.0, 1.1, 1.3, 1.4, 1.1, 1.0, 2.0, 1.6];
    M.get(month.wrapping_sub(1) as usize)
        .copied()
        .unwrap_or(1.0)
}

/// §7.6 basket-category multiplier: food .6, beverages .7, household .8, personal_care .9,
/// electronics 1.2, clothing 1.8, home_garden 1.1, other 1.0.
pub fn category_multiplier(category: BasketCategory) -> f64 {
    match category {
        BasketCategory::Food => 0.6,
        BasketCategory::Beverages => 0.7,
        BasketCategory::Household => 0.8,
        BasketCategory::PersonalCare => 0.9,
        BasketCategory::Electronics => 1.2,
        BasketCategory::Clothing => 1.8,
        BasketCategory::HomeGarden => 1.1,
        BasketCategory::Other => 1.0,
    }
}

/// §7.6 P(apply) = min(0.60, segment rate × month multiplier × mean category multiplier of the
/// lines (summed in line order)); 0 for no lines.
pub fn apply_probability(segment: ShopperSegment, month: u32, lines: &[PricedLine]) -> f64 {
    if lines.is_empty() {
        return 0.0;
    }
    let sum: f64 = lines
        .iter()
        .map(|l| category_multiplier(l.basket_category))
        .sum();
    let mean = sum / lines.len() as f64;
    (segment_rate(segment) * month_multiplier(month) * mean).min(0.60)
}

/// A purchase line before promotion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PricedLine {
    /// Receipt / order line number (1-based).
    pub line_number: u32,
    /// Product.
    pub product_id: i64,
    /// Basket category of the product.
    pub basket_category: BasketCategory,
    /// Quantity (> 0).
    pub quantity: i64,
    /// Unit price in cents.
    pub unit_price_cents: i64,
}

impl PricedLine {
    /// gross = unit price × quantity.
    pub fn gross_cents(&self) -> i64 {
        self.unit_price_cents * self.quantity
    }
}

/// A discounted line (one `fact_promo_lines` row).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiscountedLine {
    /// Line number.
    pub line_number: u32,
    /// Product.
    pub product_id: i64,
    /// Quantity.
    pub quantity: i64,
    /// Line gross.
    pub gross_cents: i64,
    /// Line discount (> 0).
    pub discount_cents: i64,
}

/// An applied promotion (one `fact_promotions` row and its lines).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedPromotion {
    /// The chosen code.
    pub code: &'static PromoCode,
    /// Discounted lines in line order (each discount > 0).
    pub lines: Vec<DiscountedLine>,
    /// Σ line discounts (> 0).
    pub discount_cents: i64,
    /// Distinct product ids of the discounted lines, ascending.
    pub product_ids: Vec<i64>,
}

impl AppliedPromotion {
    /// The discount of line `line_number` (0 when not discounted).
    pub fn discount_of(&self, line_number: u32) -> i64 {
        self.lines
            .iter()
            .find(|l| l.line_number == line_number)
            .map(|l| l.discount_cents)
            .unwrap_or(0)
    }
}

/// Applies `code` to `lines`: the discounted lines (discount > 0) or `None` when no line ends up
/// discounted ("no discounted line → no promotion", §7.6).
pub fn apply_code(code: &'static PromoCode, lines: &[PricedLine]) -> Option<AppliedPromotion> {
    let discounted: Vec<DiscountedLine> = lines
        .iter()
        .filter_map(|l| {
            let discount = code.line_discount_cents(l);
            (discount > 0).then_some(DiscountedLine {
                line_number: l.line_number,
                product_id: l.product_id,
                quantity: l.quantity,
                gross_cents: l.gross_cents(),
                discount_cents: discount,
            })
        })
        .collect();
    if discounted.is_empty() {
        return None;
    }
    let mut product_ids: Vec<i64> = discounted.iter().map(|l| l.product_id).collect();
    product_ids.sort_unstable();
    product_ids.dedup();
    Some(AppliedPromotion {
        code,
        discount_cents: discounted.iter().map(|l| l.discount_cents).sum(),
        lines: discounted,
        product_ids,
    })
}

/// The codes eligible for a purchase, in table order.
pub fn eligible_codes(month: u32, lines: &[PricedLine]) -> Vec<&'static PromoCode> {
    let subtotal: i64 = lines.iter().map(|l| l.gross_cents()).sum();
    PROMO_CODES
        .iter()
        .filter(|c| c.is_eligible(month, subtotal, lines))
        .collect()
}

/// §7.6 per purchase: Bernoulli(P(apply)), then one eligible code by weight = its percentage,
/// then the line discounts. `None` when not applied, nothing eligible, or nothing discounted.
pub fn draw_promotion(
    segment: ShopperSegment,
    month: u32,
    lines: &[PricedLine],
    rng: &mut Stream,
) -> Option<AppliedPromotion> {
    if lines.is_empty() || !rng.bernoulli(apply_probability(segment, month, lines)) {
        return None;
    }
    let codes = eligible_codes(month, lines);
    let weights: Vec<f64> = codes.iter().map(|c| c.pct as f64).collect();
    let chosen = codes[rng.categorical(&weights)?];
    apply_code(chosen, lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: u32, cat: BasketCategory, qty: i64, unit: i64) -> PricedLine {
        PricedLine {
            line_number: n,
            product_id: 100 + n as i64,
            basket_category: cat,
            quantity: qty,
            unit_price_cents: unit,
        }
    }

    #[test]
    fn probability_is_capped_and_uses_the_mean_category_multiplier() {
        let lines = [
            line(1, BasketCategory::Food, 1, 100),
            line(2, BasketCategory::Clothing, 1, 100),
        ];
        let p = apply_probability(ShopperSegment::QualitySeeker, 3, &lines);
        assert!((p - 0.10 * 0.9 * 1.2).abs() < 1e-12);
        let clothes = [line(1, BasketCategory::Clothing, 1, 100)];
        assert_eq!(
            apply_probability(ShopperSegment::BudgetConscious, 11, &clothes),
            0.60
        );
        assert_eq!(apply_probability(ShopperSegment::BrandLoyal, 5, &[]), 0.0);
    }

    #[test]
    fn eligibility_by_month_subtotal_and_category() {
        let food = [line(1, BasketCategory::Food, 2, 1_000)];
        let names: Vec<&str> = eligible_codes(3, &food).iter().map(|c| c.code).collect();
        assert_eq!(names, ["SAVE10", "BOGO50"]);
        let big = [line(1, BasketCategory::Clothing, 1, 12_000)];
        let names: Vec<&str> = eligible_codes(11, &big).iter().map(|c| c.code).collect();
        assert_eq!(
            names,
            [
                "SAVE10",
                "SAVE15",
                "SAVE20",
                "SAVE25",
                "BOGO50",
                "CLEARANCE30",
                "BFRIDAY30",
                "BFRIDAY40"
            ]
        );
        assert!(
            PromoCode::find("BACKTOSCHOOL")
                .unwrap()
                .is_eligible(8, 1, &big)
        );
        assert!(
            !PromoCode::find("BACKTOSCHOOL")
                .unwrap()
                .is_eligible(8, 1, &food)
        );
    }

    #[test]
    fn discounts_round_half_away_and_skip_ineligible_lines() {
        let save10 = PromoCode::find("SAVE10").unwrap();
        assert_eq!(
            save10.line_discount_cents(&line(1, BasketCategory::Food, 1, 1_005)),
            101
        );
        assert_eq!(
            save10.line_discount_cents(&line(1, BasketCategory::Food, 1, 1_004)),
            100
        );
        let bogo = PromoCode::find("BOGO50").unwrap();
        assert_eq!(
            bogo.line_discount_cents(&line(1, BasketCategory::Food, 3, 333)),
            167
        );
        assert_eq!(
            bogo.line_discount_cents(&line(1, BasketCategory::Food, 1, 333)),
            0
        );
        assert_eq!(
            apply_code(bogo, &[line(1, BasketCategory::Food, 1, 500)]),
            None,
            "no discounted line, no promotion"
        );
        let clearance = PromoCode::find("CLEARANCE30").unwrap();
        let lines = [
            line(1, BasketCategory::Food, 1, 500),
            line(2, BasketCategory::Electronics, 1, 1_000),
            line(3, BasketCategory::Clothing, 2, 999),
        ];
        let promo = apply_code(clearance, &lines).unwrap();
        assert_eq!(promo.lines.len(), 2);
        assert_eq!(promo.discount_cents, 300 + 599);
        assert_eq!(promo.product_ids, vec![102, 103]);
        assert_eq!(promo.discount_of(1), 0);
        assert_eq!(promo.discount_of(3), 599);
    }

    #[test]
    fn drawn_promotions_satisfy_invariant_10() {
        let lines = [
            line(1, BasketCategory::Clothing, 2, 2_999),
            line(2, BasketCategory::Food, 1, 450),
            line(3, BasketCategory::Electronics, 1, 8_999),
        ];
        let mut applied = 0;
        for i in 0..2_000 {
            let mut rng = Stream::new(9, "visit", &[i]);
            if let Some(p) = draw_promotion(ShopperSegment::BudgetConscious, 12, &lines, &mut rng) {
                applied += 1;
                assert!(p.discount_cents > 0);
                assert_eq!(
                    p.discount_cents,
                    p.lines.iter().map(|l| l.discount_cents).sum::<i64>()
                );
                assert!(p.lines.iter().all(|l| l.discount_cents <= l.gross_cents));
            }
        }
        // P = min(.6, .3 × 1.6 × 1.2) = .576 (every drawn code discounts something here).
        assert!((1_060..1_250).contains(&applied), "{applied}");
    }
}
