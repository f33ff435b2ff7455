//! Tax (data-contract §7.7): taxability classification, taxability percentage, exact line tax
//! and the store tax-rate lookup.

use std::collections::BTreeMap;

use crate::PatternsError;
use crate::ids::journey_enum;

journey_enum! {
    /// `dim_products.taxability` (§7.7).
    Taxability {
        /// Full rate.
        Taxable => "TAXABLE",
        /// Half rate.
        ReducedRate => "REDUCED_RATE",
        /// Not taxed.
        NonTaxable => "NON_TAXABLE",
    }
}

const NON_TAXABLE_WORDS: &[&str] = &[
    "food", "grocery", "fresh", "frozen", "meat", "dairy", "produce", "beverage", "snack",
    "bakery", "pantry", "organic",
];
const REDUCED_WORDS: &[&str] = &["apparel", "clothing", "fashion", "wear", "shoe", "footwear"];

impl Taxability {
    /// §7.7: NON_TAXABLE when department or category contains (case-insensitive) a food word;
    /// REDUCED_RATE when it contains an apparel word; otherwise REDUCED_RATE when
    /// u64_le(BLAKE3(`"{department}:{category}"`)[0..8]) mod 100 < 10, else TAXABLE.
    /// Seed-independent.
    pub fn classify(department: &str, category: &str) -> Self {
        let dep = department.to_lowercase();
        let cat = category.to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| dep.contains(w) || cat.contains(w));
        if has(NON_TAXABLE_WORDS) {
            return Taxability::NonTaxable;
        }
        if has(REDUCED_WORDS) {
            return Taxability::ReducedRate;
        }
        let hash = blake3::hash(format!("{department}:{category}").as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&hash.as_bytes()[..8]);
        if u64::from_le_bytes(first) % 100 < 10 {
            Taxability::ReducedRate
        } else {
            Taxability::Taxable
        }
    }

    /// taxability_pct: TAXABLE 100, REDUCED_RATE 50, NON_TAXABLE 0.
    pub fn pct(self) -> i64 {
        match self {
            Taxability::Taxable => 100,
            Taxability::ReducedRate => 50,
            Taxability::NonTaxable => 0,
        }
    }
}

/// §7.7 / §13 #8: round_half_away(net_cents × tax_rate_bps × pct / 1 000 000), exact on 128-bit
/// integers (negative nets of RETURN lines round away from zero symmetrically).
pub fn line_tax_cents(net_cents: i64, tax_rate_bps: i32, taxability_pct: i64) -> i64 {
    retail_rng::div_round_half_away(
        net_cents as i128 * tax_rate_bps as i128 * taxability_pct as i128,
        1_000_000,
    )
}

/// The money of one purchase line (§13 #8): gross = unit price × quantity, net = gross −
/// discount, tax on the net.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineMoney {
    /// gross_cents.
    pub gross_cents: i64,
    /// discount_cents.
    pub discount_cents: i64,
    /// net_cents.
    pub net_cents: i64,
    /// tax_cents.
    pub tax_cents: i64,
}

impl LineMoney {
    /// A SALE line; errors when the discount is outside 0 ≤ discount ≤ gross.
    pub fn sale(
        unit_price_cents: i64,
        quantity: i64,
        discount_cents: i64,
        tax_rate_bps: i32,
        taxability_pct: i64,
    ) -> Result<Self, PatternsError> {
        let gross_cents = unit_price_cents * quantity;
        if discount_cents < 0 || discount_cents > gross_cents {
            return Err(PatternsError::InvalidParameter {
                name: "discount_cents",
                value: discount_cents.to_string(),
                rule: "0 ≤ discount ≤ gross on SALE lines",
            });
        }
        let net_cents = gross_cents - discount_cents;
        Ok(LineMoney {
            gross_cents,
            discount_cents,
            net_cents,
            tax_cents: line_tax_cents(net_cents, tax_rate_bps, taxability_pct),
        })
    }

    /// The RETURN line: every money field negated.
    pub fn negated(&self) -> Self {
        LineMoney {
            gross_cents: -self.gross_cents,
            discount_cents: -self.discount_cents,
            net_cents: -self.net_cents,
            tax_cents: -self.tax_cents,
        }
    }
}

/// Header money of a receipt or order (§13 #9).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PurchaseTotals {
    /// Σ gross.
    pub subtotal_cents: i64,
    /// Σ line discounts.
    pub discount_cents: i64,
    /// Σ line tax.
    pub tax_cents: i64,
    /// subtotal − discount + tax.
    pub total_cents: i64,
}

impl PurchaseTotals {
    /// Sums the lines.
    pub fn of(lines: &[LineMoney]) -> Self {
        let subtotal_cents = lines.iter().map(|l| l.gross_cents).sum();
        let discount_cents = lines.iter().map(|l| l.discount_cents).sum();
        let tax_cents = lines.iter().map(|l| l.tax_cents).sum();
        PurchaseTotals {
            subtotal_cents,
            discount_cents,
            tax_cents,
            total_cents: subtotal_cents - discount_cents + tax_cents,
        }
    }
}

/// Default rate when a state has no row: 7.41 % (§4.3).
pub const DEFAULT_TAX_RATE_BPS: i32 = 741;

/// Parses a `combined_rate` decimal fraction with at most 4 decimals (0 ≤ rate ≤ 0.20) into basis
/// points exactly (`0.0825` → 825).
pub fn parse_rate_bps(text: &str) -> Result<i32, PatternsError> {
    let bad = |rule| PatternsError::InvalidParameter {
        name: "combined_rate",
        value: text.to_string(),
        rule,
    };
    let t = text.trim();
    let (int_part, frac_part) = t.split_once('.').unwrap_or((t, ""));
    if int_part.is_empty() && frac_part.is_empty()
        || !int_part.chars().all(|c| c.is_ascii_digit())
        || !frac_part.chars().all(|c| c.is_ascii_digit())
    {
        return Err(bad("a decimal fraction such as 0.0825"));
    }
    if frac_part.len() > 4 {
        return Err(bad("at most 4 decimals"));
    }
    let whole: i64 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().map_err(|_| bad("a decimal fraction"))?
    };
    let mut frac = frac_part.to_string();
    while frac.len() < 4 {
        frac.push('0');
    }
    let bps = whole * 10_000 + frac.parse::<i64>().map_err(|_| bad("a decimal fraction"))?;
    if bps > 2_000 {
        return Err(bad("0 ≤ rate ≤ 0.20"));
    }
    Ok(bps as i32)
}

/// The `tax_rates.csv` lookup: exact (state, city) → state mean → 741 bps.
#[derive(Clone, Debug, Default)]
pub struct TaxRateTable {
    exact: BTreeMap<(String, String), i32>,
    state_mean: BTreeMap<String, i32>,
}

fn key(state: &str, city: &str) -> (String, String) {
    (state.trim().to_uppercase(), city.trim().to_lowercase())
}

impl TaxRateTable {
    /// Builds the table from `(state, city, rate_bps)` rows in file order. The first row of a
    /// (state, city) pair wins; the state mean is round_half_away(Σ bps / rows) over all the
    /// state's rows. State and city compare case-insensitively.
    pub fn new<'a>(rows: impl IntoIterator<Item = (&'a str, &'a str, i32)>) -> Self {
        let mut exact = BTreeMap::new();
        let mut sums: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for (state, city, bps) in rows {
            let k = key(state, city);
            let entry = sums.entry(k.0.clone()).or_insert((0, 0));
            entry.0 += bps as i64;
            entry.1 += 1;
            exact.entry(k).or_insert(bps);
        }
        let state_mean = sums
            .into_iter()
            .map(|(s, (sum, n))| {
                (
                    s,
                    retail_rng::div_round_half_away(sum as i128, n as i128) as i32,
                )
            })
            .collect();
        TaxRateTable { exact, state_mean }
    }

    /// `dim_stores.tax_rate_bps`: exact (state, city) match → state mean → 741.
    pub fn tax_rate_bps(&self, state: &str, city: &str) -> i32 {
        let k = key(state, city);
        if let Some(bps) = self.exact.get(&k) {
            return *bps;
        }
        self.state_mean
            .get(&k.0)
            .copied()
            .unwrap_or(DEFAULT_TAX_RATE_BPS)
    }
}

/// Free-function form of [`TaxRateTable::tax_rate_bps`].
pub fn tax_rate_bps(state: &str, city: &str, table: &TaxRateTable) -> i32 {
    table.tax_rate_bps(state, city)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_rules_come_before_the_hash_rule() {
        assert_eq!(
            Taxability::classify("Grocery", "Dairy & Alternatives"),
            Taxability::NonTaxable
        );
        assert_eq!(
            Taxability::classify("Clothing", "Outerwear"),
            Taxability::ReducedRate
        );
        assert_eq!(
            Taxability::classify("Sports", "Footwear"),
            Taxability::ReducedRate
        );
        // Neither keyword group: the hash decides, reproducibly.
        let t = Taxability::classify("Electronics", "Computers");
        assert_eq!(t, Taxability::classify("Electronics", "Computers"));
        assert_ne!(t, Taxability::NonTaxable);
    }

    #[test]
    fn hash_rule_gives_about_ten_percent_reduced() {
        let reduced = (0..2_000)
            .filter(|i| {
                Taxability::classify(&format!("Dept{i}"), "Gadgets") == Taxability::ReducedRate
            })
            .count();
        assert!((140..260).contains(&reduced), "{reduced}");
        let hash = blake3::hash(b"Dept0:Gadgets");
        let v = u64::from_le_bytes(hash.as_bytes()[..8].try_into().unwrap());
        let expected = if v % 100 < 10 {
            Taxability::ReducedRate
        } else {
            Taxability::Taxable
        };
        assert_eq!(Taxability::classify("Dept0", "Gadgets"), expected);
    }

    #[test]
    fn line_tax_is_exact_and_symmetric() {
        assert_eq!(line_tax_cents(1_169, 825, 100), 96);
        assert_eq!(line_tax_cents(-1_169, 825, 100), -96);
        assert_eq!(line_tax_cents(1_000, 825, 50), 41); // 41.25
        assert_eq!(line_tax_cents(200, 625, 100), 13); // 12.5 → 13
        assert_eq!(line_tax_cents(-200, 625, 100), -13);
        assert_eq!(line_tax_cents(99_999, 2_000, 0), 0);
        assert_eq!(line_tax_cents(i64::MAX / 4, 2_000, 100), (i64::MAX / 4) / 5);
    }

    #[test]
    fn line_money_and_totals() {
        let a = LineMoney::sale(1_169, 1, 0, 825, 100).unwrap();
        assert_eq!(
            (a.gross_cents, a.net_cents, a.tax_cents),
            (1_169, 1_169, 96)
        );
        let b = LineMoney::sale(500, 3, 150, 825, 50).unwrap();
        assert_eq!(
            (b.gross_cents, b.net_cents, b.tax_cents),
            (1_500, 1_350, 56)
        );
        assert!(LineMoney::sale(500, 1, 501, 825, 100).is_err());
        let t = PurchaseTotals::of(&[a, b]);
        assert_eq!(t.total_cents, 2_669 - 150 + 152);
        let r = PurchaseTotals::of(&[a.negated(), b.negated()]);
        assert_eq!(r.total_cents, -t.total_cents);
    }

    #[test]
    fn rate_lookup_falls_back_to_state_mean_then_default() {
        let table = TaxRateTable::new([
            ("TX", "Austin", 825),
            ("TX", "Houston", 825),
            ("TX", "Laredo", 800),
            ("CA", "Fresno", 798),
            ("TX", "Austin", 700),
        ]);
        assert_eq!(table.tax_rate_bps("TX", "austin"), 825);
        // (825 + 825 + 800 + 700) / 4 = 787.5 → 788: every row counts, duplicates included.
        assert_eq!(table.tax_rate_bps("TX", "Dallas"), 788);
        assert_eq!(tax_rate_bps("NY", "Albany", &table), DEFAULT_TAX_RATE_BPS);
        assert_eq!(parse_rate_bps("0.0825").unwrap(), 825);
        assert_eq!(parse_rate_bps(".07").unwrap(), 700);
        assert_eq!(parse_rate_bps("0").unwrap(), 0);
        assert!(parse_rate_bps("0.08251").is_err());
        assert!(parse_rate_bps("0.25").is_err());
        assert!(parse_rate_bps("abc").is_err());
    }
}
