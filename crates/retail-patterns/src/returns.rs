//! Returns (data-contract §7.15): the return decision, lag, closure-day moves, returned lines,
//! the return instant and dispositions of returned units.
//!
//! Draw order on the visit stream at checkout ([`draw_return_plan`]): decision (one `f64`);
//! when returned: lag `U{min..max}`, one Bernoulli per line in line order, one disposition
//! `f64` per returned non-food line in line order, then two `f64`s kept for the return instant
//! (slot choice, position in the slot), which is resolved on the return day with
//! [`ReturnPlan::instant`]. Everything after the decision is skipped for kept sales.

use retail_rng::Stream;
use retail_schemas::{Date, Ts};

use crate::basket::BasketCategory;
use crate::ids::journey_enum;

/// `returns.*` configuration knobs (§10) with their defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReturnParams {
    /// `returns.rate` (.01).
    pub rate: f64,
    /// `returns.holiday_rate_multiplier` (3.0) for sales in [TG, Dec 24].
    pub holiday_rate_multiplier: f64,
    /// `returns.min_lag_days` (1).
    pub min_lag_days: u32,
    /// `returns.max_lag_days` (14).
    pub max_lag_days: u32,
    /// `returns.line_return_probability` (.6).
    pub line_return_probability: f64,
}

impl Default for ReturnParams {
    fn default() -> Self {
        ReturnParams {
            rate: 0.01,
            holiday_rate_multiplier: 3.0,
            min_lag_days: 1,
            max_lag_days: 14,
            line_return_probability: 0.6,
        }
    }
}

impl ReturnParams {
    /// p(return) = rate × (holiday multiplier if the sale date is in [TG, Dec 24]).
    pub fn return_probability(&self, in_holiday_window: bool) -> f64 {
        if in_holiday_window {
            self.rate * self.holiday_rate_multiplier
        } else {
            self.rate
        }
    }
}

/// Return day: sale + lag; a closure day moves to the next trading day, or, when that exceeds
/// `max_lag_days`, to the previous trading day (≥ 1 day after the sale). `None` when no trading
/// day qualifies (the return is dropped).
pub fn return_date(
    sale_date: Date,
    lag_days: u32,
    max_lag_days: u32,
    is_trading_day: impl Fn(Date) -> bool,
) -> Option<Date> {
    let target = sale_date.plus_days(lag_days as i32);
    if is_trading_day(target) {
        return Some(target);
    }
    let last = sale_date.plus_days(max_lag_days as i32);
    let mut d = target.succ();
    while d <= last {
        if is_trading_day(d) {
            return Some(d);
        }
        d = d.succ();
    }
    let mut d = target.plus_days(-1);
    while d > sale_date {
        if is_trading_day(d) {
            return Some(d);
        }
        d = d.plus_days(-1);
    }
    None
}

/// A sale line as the return model sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReturnableLine {
    /// Line number of the SALE receipt.
    pub line_number: u32,
    /// Line net_cents.
    pub net_cents: i64,
    /// Basket category of the product (disposition rule).
    pub basket_category: BasketCategory,
}

/// Lines returned: each with p `line_return_probability` (one Bernoulli per line, in order); if
/// none, the line with the greatest net (ties → lowest line number).
pub fn select_return_lines(lines: &[ReturnableLine], p: f64, rng: &mut Stream) -> Vec<u32> {
    let mut chosen: Vec<u32> = lines
        .iter()
        .filter(|_| rng.bernoulli(p))
        .map(|l| l.line_number)
        .collect();
    if chosen.is_empty() {
        if let Some(best) = lines.iter().max_by(|a, b| {
            a.net_cents
                .cmp(&b.net_cents)
                .then(b.line_number.cmp(&a.line_number))
        }) {
            chosen.push(best.line_number);
        }
    }
    chosen
}

journey_enum! {
    /// What happens to returned units.
    Disposition {
        /// Back on the shelf: the hold is released at +15 min, no movement row.
        Restock => "RESTOCK",
        /// RETURN_TO_VENDOR (−qty) at +30 min.
        ReturnToVendor => "RETURN_TO_VENDOR",
        /// DAMAGED (−qty) at +15 min.
        Damaged => "DAMAGED",
    }
}

impl Disposition {
    /// Minutes after the return instant at which the disposition happens.
    pub fn offset_minutes(self) -> i64 {
        match self {
            Disposition::ReturnToVendor => 30,
            _ => 15,
        }
    }

    /// True when the disposition writes a movement row (DAMAGED / RETURN_TO_VENDOR).
    pub fn writes_movement(self) -> bool {
        self != Disposition::Restock
    }
}

/// §7.15 disposition: food and beverages → DAMAGED (no draw); others restock .6,
/// RETURN_TO_VENDOR .3, DAMAGED .1 (one `f64`).
pub fn draw_disposition(category: BasketCategory, rng: &mut Stream) -> Disposition {
    match category {
        BasketCategory::Food | BasketCategory::Beverages => Disposition::Damaged,
        _ => match rng.categorical(&[0.6, 0.3, 0.1]) {
            Some(1) => Disposition::ReturnToVendor,
            Some(2) => Disposition::Damaged,
            _ => Disposition::Restock,
        },
    }
}

/// A return decided at checkout.
#[derive(Clone, Debug, PartialEq)]
pub struct ReturnPlan {
    /// Drawn lag in days (before closure moves).
    pub lag_days: u32,
    /// Returned lines (line number, disposition) in line order.
    pub lines: Vec<(u32, Disposition)>,
    /// Uniform draws for the instant: slot choice, position inside the slot.
    pub instant_draws: (f64, f64),
}

impl ReturnPlan {
    /// The return day (see [`return_date`]).
    pub fn date(
        &self,
        sale_date: Date,
        max_lag_days: u32,
        is_trading_day: impl Fn(Date) -> bool,
    ) -> Option<Date> {
        return_date(sale_date, self.lag_days, max_lag_days, is_trading_day)
    }

    /// The return instant among the return day's open hour slots `(start, end, weight)` (in-store
    /// hour weights): the categorical slot of the first draw, then start + ⌊second × length⌋ µs.
    /// `None` when no slot has weight.
    pub fn instant(&self, slots: &[(Ts, Ts, f64)]) -> Option<Ts> {
        let total: f64 = slots.iter().map(|s| s.2).sum();
        if total <= 0.0 {
            return None;
        }
        let target = self.instant_draws.0 * total;
        let mut cumulative = 0.0;
        let mut pick = slots.iter().rposition(|s| s.2 > 0.0)?;
        for (i, s) in slots.iter().enumerate() {
            cumulative += s.2;
            if target < cumulative {
                pick = i;
                break;
            }
        }
        let (from, to, _) = slots[pick];
        let len = (to.0 - from.0).max(0) as f64;
        Some(Ts(from.0 + (self.instant_draws.1 * len) as i64))
    }
}

/// §7.15 at checkout: `None` when the sale is kept, else the plan.
pub fn draw_return_plan(
    params: &ReturnParams,
    in_holiday_window: bool,
    lines: &[ReturnableLine],
    rng: &mut Stream,
) -> Option<ReturnPlan> {
    if !rng.bernoulli(params.return_probability(in_holiday_window)) || lines.is_empty() {
        return None;
    }
    let lag_days = rng.range_inclusive(
        params.min_lag_days as i64,
        params.max_lag_days.max(params.min_lag_days) as i64,
    ) as u32;
    let chosen = select_return_lines(lines, params.line_return_probability, rng);
    let mut planned = Vec::with_capacity(chosen.len());
    for n in chosen {
        let category = lines
            .iter()
            .find(|l| l.line_number == n)
            .map(|l| l.basket_category)
            .unwrap_or(BasketCategory::Other);
        planned.push((n, draw_disposition(category, rng)));
    }
    let instant_draws = (rng.f64(), rng.f64());
    Some(ReturnPlan {
        lag_days,
        lines: planned,
        instant_draws,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> Date {
        Date::from_ymd(2024, m, day).unwrap()
    }

    #[test]
    fn closure_days_move_forward_then_backward() {
        let sale = d(12, 20);
        let christmas = d(12, 25);
        let trading = |x: Date| x != christmas;
        assert_eq!(return_date(sale, 3, 14, trading), Some(d(12, 23)));
        assert_eq!(return_date(sale, 5, 14, trading), Some(d(12, 26)));
        // Next trading day would exceed the maximum lag: previous trading day.
        assert_eq!(return_date(d(12, 11), 14, 14, trading), Some(d(12, 24)));
        assert_eq!(return_date(sale, 1, 1, |_| false), None);
        assert_eq!(return_date(d(12, 24), 1, 1, trading), None);
    }

    #[test]
    fn fallback_line_is_the_greatest_net_lowest_number() {
        let lines = [
            ReturnableLine {
                line_number: 1,
                net_cents: 500,
                basket_category: BasketCategory::Food,
            },
            ReturnableLine {
                line_number: 2,
                net_cents: 900,
                basket_category: BasketCategory::Other,
            },
            ReturnableLine {
                line_number: 3,
                net_cents: 900,
                basket_category: BasketCategory::Other,
            },
        ];
        let mut rng = Stream::new(1, "t", &[]);
        assert_eq!(select_return_lines(&lines, 0.0, &mut rng), vec![2]);
        assert_eq!(select_return_lines(&lines, 1.0, &mut rng), vec![1, 2, 3]);
    }

    #[test]
    fn dispositions_follow_the_category_rule() {
        let mut rng = Stream::new(2, "t", &[]);
        let mut counts = [0u32; 3];
        for _ in 0..10_000 {
            assert_eq!(
                draw_disposition(BasketCategory::Beverages, &mut rng),
                Disposition::Damaged
            );
            counts[draw_disposition(BasketCategory::Clothing, &mut rng).index()] += 1;
        }
        assert!((5_800..6_200).contains(&counts[0]), "{counts:?}");
        assert!((2_800..3_200).contains(&counts[1]), "{counts:?}");
        assert_eq!(Disposition::ReturnToVendor.offset_minutes(), 30);
        assert!(!Disposition::Restock.writes_movement());
    }

    #[test]
    fn plans_are_rare_deterministic_and_well_formed() {
        let params = ReturnParams::default();
        let lines = [
            ReturnableLine {
                line_number: 1,
                net_cents: 500,
                basket_category: BasketCategory::Food,
            },
            ReturnableLine {
                line_number: 2,
                net_cents: 300,
                basket_category: BasketCategory::Clothing,
            },
        ];
        let mut returned = 0;
        for i in 0..30_000 {
            let plan = draw_return_plan(&params, false, &lines, &mut Stream::new(3, "visit", &[i]));
            if let Some(plan) = plan {
                returned += 1;
                assert!((1..=14).contains(&plan.lag_days));
                assert!(!plan.lines.is_empty());
                assert_eq!(
                    Some(plan.clone()),
                    draw_return_plan(&params, false, &lines, &mut Stream::new(3, "visit", &[i]))
                );
                let slots = [(Ts(0), Ts(3_600), 1.0), (Ts(3_600), Ts(7_200), 3.0)];
                let t = plan.instant(&slots).unwrap();
                assert!((0..7_200).contains(&t.0));
            }
        }
        assert!((240..360).contains(&returned), "{returned}");
    }
}
