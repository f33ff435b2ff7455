//! Baskets (data-contract §7.5): basket categories, trip types, target line counts, category
//! mix, price filters, the popularity-weighted product draw with holiday multipliers, and
//! quantities.
//!
//! The draw order of [`draw_basket`] on the visit / online-order stream is fixed:
//! 1. trip type (one `f64`, [`TripType::draw`]);
//! 2. target lines (one `U{a..b}`, [`draw_target_lines`]);
//! 3. one `U{0..7}` per line missing after the category mix ([`plan_line_categories`]);
//! 4. per planned line, in plan order: up to 3 product draws (one `f64` each) until a product
//!    not yet in the basket comes up; when its availability is 0, once more up to 3 draws; then
//!    the quantity ([`draw_quantity`]). A category with no eligible product consumes nothing.

use std::sync::Arc;

use retail_rng::Stream;
use retail_schemas::Date;

use crate::PatternsError;
use crate::ids::journey_enum;

journey_enum! {
    /// `dim_products.basket_category` (§7.5), in keyword-rule order.
    BasketCategory {
        /// Food.
        Food => "food",
        /// Beverages.
        Beverages => "beverages",
        /// Household.
        Household => "household",
        /// Personal care.
        PersonalCare => "personal_care",
        /// Electronics.
        Electronics => "electronics",
        /// Clothing.
        Clothing => "clothing",
        /// Home and garden.
        HomeGarden => "home_garden",
        /// Everything else.
        Other => "other",
    }
}

/// Keywords of the basket-category rule (§7.5), in rule order.
/// Whether `word` occurs in `text` at the start of a word (`tea` in "iced tea", not in "steak").
fn starts_a_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    })
}

const CATEGORY_KEYWORDS: &[(BasketCategory, &[&str])] = &[
    (
        BasketCategory::Food,
        &[
            "bread",
            "milk",
            "cheese",
            "meat",
            "fruit",
            "vegetable",
            "snack",
            "cereal",
            "pasta",
        ],
    ),
    (
        BasketCategory::Beverages,
        &["juice", "soda", "water", "coffee", "tea", "beer", "wine"],
    ),
    (
        BasketCategory::Household,
        &[
            "detergent",
            "soap",
            "paper",
            "towel",
            "cleaner",
            "trash",
            "dish",
        ],
    ),
    (
        BasketCategory::PersonalCare,
        &["shampoo", "toothpaste", "deodorant", "lotion", "cosmetic"],
    ),
    (
        BasketCategory::Electronics,
        &[
            "phone",
            "computer",
            "tablet",
            "tv",
            "speaker",
            "headphone",
            "charger",
        ],
    ),
    (
        BasketCategory::Clothing,
        &[
            "shirt",
            "pants",
            "dress",
            "shoe",
            "jacket",
            "underwear",
            "sock",
        ],
    ),
    (
        BasketCategory::HomeGarden,
        &["plant", "tool", "furniture", "decor", "garden", "outdoor"],
    ),
];

impl BasketCategory {
    /// §7.5: the category of the first keyword group with a lower-case substring match in
    /// `product_name`, else [`BasketCategory::Other`].
    pub fn from_product_name(product_name: &str) -> Self {
        let name = product_name.to_lowercase();
        CATEGORY_KEYWORDS
            .iter()
            .find(|(_, words)| words.iter().any(|w| name.contains(w)))
            .map(|(c, _)| *c)
            .unwrap_or(BasketCategory::Other)
    }

    /// The basket category of a catalogue product: its department and category decide where they
    /// say what the product is, and the §7.5 keyword rule — matched at word starts only — decides
    /// for the rest (departments such as Seasonal, Pet Supplies or Sports & Recreation).
    ///
    /// This departs from the contract's plain substring rule on names, which put about 70 % of a
    /// realistic catalogue into `other` and made "Ribeye Steak" a beverage (see
    /// docs/decisions.md, "Basket categories").
    pub fn classify(product_name: &str, department: &str, category: &str) -> Self {
        use BasketCategory::*;
        let by_catalogue = match (department, category) {
            ("Grocery", "Beverages") => Some(Beverages),
            ("Grocery", _) => Some(Food),
            ("Baby & Kids", "Baby Food") | ("Seasonal", "Holiday Treats") => Some(Food),
            (
                "Home & Garden",
                "Cleaning & Laundry" | "Kitchen & Dining" | "Bed & Bath" | "Storage & Organization",
            ) => Some(Household),
            ("Home & Garden", _) => Some(HomeGarden),
            ("Health & Beauty", _) | ("Baby & Kids", "Baby Care" | "Diapers & Wipes") => {
                Some(PersonalCare)
            }
            ("Electronics", _) => Some(Electronics),
            ("Clothing", _) => Some(Clothing),
            _ => None,
        };
        by_catalogue.unwrap_or_else(|| {
            let name = product_name.to_lowercase();
            CATEGORY_KEYWORDS
                .iter()
                .find(|(_, words)| words.iter().any(|w| starts_a_word(&name, w)))
                .map(|(c, _)| *c)
                .unwrap_or(Other)
        })
    }

    /// Food, beverages and household lines draw quantities 1/2/3 (§7.5); others buy 1.
    pub fn buys_multiples(self) -> bool {
        matches!(
            self,
            BasketCategory::Food | BasketCategory::Beverages | BasketCategory::Household
        )
    }
}

journey_enum! {
    /// `dim_customers.shopper_segment`.
    ShopperSegment {
        /// Budget conscious.
        BudgetConscious => "BUDGET_CONSCIOUS",
        /// Convenience focused.
        ConvenienceFocused => "CONVENIENCE_FOCUSED",
        /// Quality seeker.
        QualitySeeker => "QUALITY_SEEKER",
        /// Brand loyal.
        BrandLoyal => "BRAND_LOYAL",
    }
}

journey_enum! {
    /// `dim_customers.mobility_segment`.
    MobilitySegment {
        /// Shops near home.
        Regular => "REGULAR",
        /// Shops along a commute.
        Commuter => "COMMUTER",
        /// Travels for business.
        BusinessTraveler => "BUSINESS_TRAVELER",
        /// Tourist.
        Tourist => "TOURIST",
        /// Seasonal resident.
        Snowbird => "SNOWBIRD",
    }
}

impl MobilitySegment {
    /// §7.5 propensity to shop outside the primary and secondary stores: REGULAR .10, COMMUTER
    /// .25, BUSINESS_TRAVELER .50, TOURIST .80, SNOWBIRD .60.
    pub fn propensity(self) -> f64 {
        match self {
            MobilitySegment::Regular => 0.10,
            MobilitySegment::Commuter => 0.25,
            MobilitySegment::BusinessTraveler => 0.50,
            MobilitySegment::Tourist => 0.80,
            MobilitySegment::Snowbird => 0.60,
        }
    }
}

/// §7.5 weight of a customer for a visit at a store: 0.50 when it is the customer's primary store,
/// 0.20 when secondary, otherwise propensity × (0.15 under 5 mi, 0.10 under 15 mi, else 0.05).
pub fn visit_weight(
    is_primary: bool,
    is_secondary: bool,
    mobility: MobilitySegment,
    distance_miles: f64,
) -> f64 {
    if is_primary {
        0.50
    } else if is_secondary {
        0.20
    } else {
        let distance_factor = if distance_miles < 5.0 {
            0.15
        } else if distance_miles < 15.0 {
            0.10
        } else {
            0.05
        };
        mobility.propensity() * distance_factor
    }
}

/// The two-stage customer draw of one store (§7.5), built once per store: a group of customers
/// sharing a weight (same geography and mobility segment) by weight × group size, then a uniform
/// member. Draws: one `f64` (group, binary search over cumulative weights in group order) and one
/// `U{0..size−1}` (member, ascending customer_id).
///
/// The member lists are shared ([`Arc`]): every store of a run draws from the same customer groups
/// with its own weights, so [`CustomerChooser::with_shared_groups`] lets them hold one copy.
#[derive(Clone, Debug, Default)]
pub struct CustomerChooser {
    cumulative: Vec<f64>,
    members: Vec<Arc<[i64]>>,
}

impl CustomerChooser {
    /// Groups `(weight per customer, customer ids)` in the caller's fixed group order; members are
    /// sorted ascending; empty or zero-weight groups are kept but never drawn.
    pub fn new(groups: Vec<(f64, Vec<i64>)>) -> Self {
        Self::with_shared_groups(
            groups
                .into_iter()
                .map(|(weight, mut ids)| {
                    ids.sort_unstable();
                    (weight, Arc::from(ids))
                })
                .collect(),
        )
    }

    /// Like [`CustomerChooser::new`] over member lists shared with other choosers; a list that
    /// is not ascending is sorted into a copy of its own.
    pub fn with_shared_groups(groups: Vec<(f64, Arc<[i64]>)>) -> Self {
        let mut total = 0.0;
        let mut cumulative = Vec::with_capacity(groups.len());
        let mut members = Vec::with_capacity(groups.len());
        for (weight, ids) in groups {
            let ids = if ids.is_sorted() {
                ids
            } else {
                let mut own = ids.to_vec();
                own.sort_unstable();
                Arc::from(own)
            };
            total += weight.max(0.0) * ids.len() as f64;
            cumulative.push(total);
            members.push(ids);
        }
        CustomerChooser {
            cumulative,
            members,
        }
    }

    /// Draws a customer; `None` when no group has weight.
    pub fn draw(&self, rng: &mut Stream) -> Option<i64> {
        let total = *self.cumulative.last()?;
        if total <= 0.0 {
            return None;
        }
        let target = rng.f64() * total;
        let mut g = self.cumulative.partition_point(|c| *c <= target);
        if g >= self.cumulative.len() {
            // Rounding put the target on the total: the last group that carries weight takes it.
            g = (0..self.cumulative.len()).rev().find(|&i| {
                self.cumulative[i] > if i == 0 { 0.0 } else { self.cumulative[i - 1] }
            })?;
        }
        let group = &self.members[g];
        Some(group[rng.below(group.len() as u64) as usize])
    }
}

journey_enum! {
    /// `dim_stores.store_format`.
    StoreFormat {
        /// Hypermarket.
        Hypermarket => "HYPERMARKET",
        /// Superstore.
        Superstore => "SUPERSTORE",
        /// Standard.
        Standard => "STANDARD",
        /// Neighborhood.
        Neighborhood => "NEIGHBORHOOD",
        /// Express.
        Express => "EXPRESS",
    }
}

impl StoreFormat {
    /// Scaling of both target-line bounds (§7.5); EXPRESS is not scaled but fixed to U{1..3}.
    pub fn line_scale(self) -> f64 {
        match self {
            StoreFormat::Hypermarket => 1.3,
            StoreFormat::Superstore => 1.1,
            StoreFormat::Standard => 1.0,
            StoreFormat::Neighborhood => 0.8,
            StoreFormat::Express => 1.0,
        }
    }
}

journey_enum! {
    /// Trip type of a visit (§7.5, internal).
    TripType {
        /// A few items.
        QuickTrip => "QUICK_TRIP",
        /// Weekly groceries.
        GroceryRun => "GROCERY_RUN",
        /// Family shopping.
        FamilyShopping => "FAMILY_SHOPPING",
        /// Stock-up trip.
        BulkShopping => "BULK_SHOPPING",
    }
}

impl TripType {
    /// §7.5 trip weights (QUICK_TRIP, GROCERY_RUN, FAMILY_SHOPPING, BULK_SHOPPING) by segment.
    pub fn weights(segment: ShopperSegment) -> [f64; 4] {
        match segment {
            ShopperSegment::BudgetConscious => [0.2, 0.4, 0.3, 0.1],
            ShopperSegment::ConvenienceFocused => [0.5, 0.3, 0.15, 0.05],
            ShopperSegment::QualitySeeker => [0.3, 0.35, 0.25, 0.1],
            ShopperSegment::BrandLoyal => [0.25, 0.4, 0.25, 0.1],
        }
    }

    /// Draws the trip type of a `segment` shopper (one categorical `f64`).
    pub fn draw(segment: ShopperSegment, rng: &mut Stream) -> Self {
        let i = rng.categorical(&Self::weights(segment)).unwrap_or(0);
        Self::ALL[i]
    }

    /// Unscaled target-line bounds: U{1..3}, U{5..15}, U{10..30}, U{20..50} (§7.5).
    pub fn base_line_range(self) -> (u32, u32) {
        match self {
            TripType::QuickTrip => (1, 3),
            TripType::GroceryRun => (5, 15),
            TripType::FamilyShopping => (10, 30),
            TripType::BulkShopping => (20, 50),
        }
    }

    /// Category mix of the trip (§7.5), in listed order.
    pub fn category_mix(self) -> &'static [(BasketCategory, f64)] {
        use BasketCategory::*;
        match self {
            TripType::QuickTrip => &[
                (Food, 0.4),
                (Beverages, 0.3),
                (PersonalCare, 0.2),
                (Household, 0.1),
            ],
            TripType::GroceryRun => &[
                (Food, 0.5),
                (Beverages, 0.2),
                (Household, 0.15),
                (PersonalCare, 0.15),
            ],
            TripType::FamilyShopping => &[
                (Food, 0.4),
                (Household, 0.2),
                (PersonalCare, 0.15),
                (Clothing, 0.1),
                (Beverages, 0.1),
                (Electronics, 0.05),
            ],
            TripType::BulkShopping => &[
                (Food, 0.3),
                (Household, 0.3),
                (PersonalCare, 0.2),
                (Beverages, 0.1),
                (Other, 0.1),
            ],
        }
    }
}

/// §7.5 target-line bounds after format scaling: both bounds × the format factor, rounded half
/// away, at least 1; EXPRESS always (1, 3). `format` is `None` for online baskets (no scaling).
pub fn target_line_range(trip: TripType, format: Option<StoreFormat>) -> (u32, u32) {
    match format {
        Some(StoreFormat::Express) => (1, 3),
        Some(f) => {
            let (a, b) = trip.base_line_range();
            let scale =
                |x: u32| retail_rng::round_half_away(x as f64 * f.line_scale()).max(1) as u32;
            (scale(a), scale(b))
        }
        None => trip.base_line_range(),
    }
}

/// Draws the target number of lines: U{a..b} of [`target_line_range`], then × 1.2 rounded half
/// away when `holiday_boost` (Thanksgiving window [TG − 10, TG] and Dec 22–24, §7.5).
pub fn draw_target_lines(
    trip: TripType,
    format: Option<StoreFormat>,
    holiday_boost: bool,
    rng: &mut Stream,
) -> u32 {
    let (a, b) = target_line_range(trip, format);
    let target = rng.range_inclusive(a as i64, b as i64) as u32;
    if holiday_boost {
        retail_rng::round_half_away(target as f64 * 1.2) as u32
    } else {
        target
    }
}

/// Per-category line counts of the mix: max(1, int(target × share)) in mix order, and the number
/// of lines still missing to reach `target` (0 when the mix already reaches it) (§7.5).
pub fn category_line_counts(trip: TripType, target: u32) -> (Vec<(BasketCategory, u32)>, u32) {
    let counts: Vec<(BasketCategory, u32)> = trip
        .category_mix()
        .iter()
        .map(|(c, share)| (*c, ((target as f64 * share) as u32).max(1)))
        .collect();
    let planned: u32 = counts.iter().map(|(_, n)| n).sum();
    (counts, target.saturating_sub(planned))
}

/// The category of every planned line: the mix counts in mix order, then each missing line's
/// category uniform over all 8 categories (one `U{0..7}` per missing line).
pub fn plan_line_categories(trip: TripType, target: u32, rng: &mut Stream) -> Vec<BasketCategory> {
    let (counts, missing) = category_line_counts(trip, target);
    let mut plan = Vec::with_capacity(target as usize + counts.len());
    for (c, n) in counts {
        plan.extend(std::iter::repeat_n(c, n as usize));
    }
    for _ in 0..missing {
        let i = rng.below(BasketCategory::ALL.len() as u64) as usize;
        plan.push(BasketCategory::ALL[i]);
    }
    plan
}

/// Price filter inside a basket category (§7.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PriceFilter {
    /// CONVENIENCE_FOCUSED: every price.
    Any,
    /// BUDGET_CONSCIOUS: sale price ≤ p70.
    AtMostP70,
    /// QUALITY_SEEKER: sale price ≥ p70.
    AtLeastP70,
    /// BRAND_LOYAL: sale price ≥ p50.
    AtLeastP50,
}

impl PriceFilter {
    /// All filters (index order of the draw tables).
    pub const ALL: [PriceFilter; 4] = [
        PriceFilter::Any,
        PriceFilter::AtMostP70,
        PriceFilter::AtLeastP70,
        PriceFilter::AtLeastP50,
    ];

    /// The filter of a shopper segment.
    pub fn for_segment(segment: ShopperSegment) -> Self {
        match segment {
            ShopperSegment::BudgetConscious => PriceFilter::AtMostP70,
            ShopperSegment::ConvenienceFocused => PriceFilter::Any,
            ShopperSegment::QualitySeeker => PriceFilter::AtLeastP70,
            ShopperSegment::BrandLoyal => PriceFilter::AtLeastP50,
        }
    }

    fn passes(self, price_cents: i64, p50: f64, p70: f64) -> bool {
        let p = price_cents as f64;
        match self {
            PriceFilter::Any => true,
            PriceFilter::AtMostP70 => p <= p70,
            PriceFilter::AtLeastP70 => p >= p70,
            PriceFilter::AtLeastP50 => p >= p50,
        }
    }
}

/// Percentile `p` (0–100) of ascending `sorted` values with linear interpolation between closest
/// ranks (position (n − 1) × p / 100, NumPy's default); 0 for an empty slice.
pub fn percentile(sorted: &[i64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = (sorted.len() - 1) as f64 * p / 100.0;
    let lo = libm::floor(pos) as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let frac = pos - lo as f64;
    sorted[lo] as f64 + (sorted[hi] - sorted[lo]) as f64 * frac
}

/// Which holiday product windows of §7.5 are active on a date, plus the target-line boost.
///
/// Built by the caller from the calendar (or with [`HolidayWindows::from_dates`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HolidayWindows {
    /// Date in [TG − 10, TG].
    pub thanksgiving: bool,
    /// Date = Black Friday (TG + 1).
    pub black_friday: bool,
    /// Date in [Dec 11, Dec 24].
    pub christmas: bool,
    /// Date within ±2 days of Memorial Day, Independence Day or Labor Day.
    pub grill_out: bool,
    /// Target lines × 1.2: Thanksgiving window or Dec 22–24.
    pub basket_boost: bool,
}

/// The holiday dates of one year that the product windows need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HolidayDates {
    /// Thanksgiving (4th Thursday of November).
    pub thanksgiving: Date,
    /// Memorial Day (last Monday of May).
    pub memorial_day: Date,
    /// Independence Day (Jul 4).
    pub independence_day: Date,
    /// Labor Day (1st Monday of September).
    pub labor_day: Date,
}

impl HolidayWindows {
    /// The windows active on `date`, given the holidays of `date`'s year.
    pub fn from_dates(date: Date, holidays: &HolidayDates) -> Self {
        use chrono::Datelike;
        let tg = holidays.thanksgiving;
        let thanksgiving = date >= tg.plus_days(-10) && date <= tg;
        let day = date.to_naive();
        let christmas = day.month() == 12 && (11..=24).contains(&day.day());
        let near = |h: Date| (date.0 - h.0).abs() <= 2;
        HolidayWindows {
            thanksgiving,
            black_friday: date == tg.plus_days(1),
            christmas,
            grill_out: near(holidays.memorial_day)
                || near(holidays.independence_day)
                || near(holidays.labor_day),
            basket_boost: thanksgiving || (day.month() == 12 && (22..=24).contains(&day.day())),
        }
    }

    /// The windows active on `date` from the calendar model
    /// ([`crate::calendar::holiday_product_context`], [`crate::calendar::line_target_boosted`]).
    pub fn on(date: Date) -> Self {
        let c = crate::calendar::holiday_product_context(date);
        HolidayWindows {
            thanksgiving: c.thanksgiving_window,
            black_friday: c.black_friday,
            christmas: c.christmas_window,
            grill_out: c.grill_out_window,
            basket_boost: crate::calendar::line_target_boosted(date),
        }
    }

    /// No window active.
    pub fn none() -> Self {
        Self::default()
    }
}

/// A product's multiplier in each holiday window (1.0 when no keyword applies).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProductMultipliers {
    /// Thanksgiving window multiplier.
    pub thanksgiving: f64,
    /// Black Friday multiplier.
    pub black_friday: f64,
    /// Christmas window multiplier.
    pub christmas: f64,
    /// Grill-out window multiplier.
    pub grill_out: f64,
}

impl Default for ProductMultipliers {
    fn default() -> Self {
        ProductMultipliers {
            thanksgiving: 1.0,
            black_friday: 1.0,
            christmas: 1.0,
            grill_out: 1.0,
        }
    }
}

/// Product text of the holiday keyword rules (name, department, category, subcategory, tags).
#[derive(Clone, Copy, Debug)]
pub struct ProductText<'a> {
    /// `product_name`.
    pub name: &'a str,
    /// `department`.
    pub department: &'a str,
    /// `category`.
    pub category: &'a str,
    /// `subcategory`.
    pub subcategory: &'a str,
    /// `tags` (`;`-separated) or `None`.
    pub tags: Option<&'a str>,
}

/// True when `keyword` occurs in `text` at the start of a word (preceded by a non-alphanumeric
/// character or the start). Holiday keywords are matched this way so that `ice` does not hit
/// `juice` nor `ham` `shampoo` (docs/decisions.md).
fn has_word_prefix(text: &str, keyword: &str) -> bool {
    let bytes = text.as_bytes();
    text.match_indices(keyword)
        .any(|(i, _)| i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
}

impl ProductMultipliers {
    /// §7.5 holiday product multipliers of one product; the highest applicable one wins within
    /// each window.
    pub fn of(text: &ProductText<'_>, basket_category: BasketCategory) -> Self {
        let haystack = format!(
            "{} | {} | {} | {} | {}",
            text.name,
            text.department,
            text.category,
            text.subcategory,
            text.tags.unwrap_or("")
        )
        .to_lowercase();
        let any = |words: &[&str]| words.iter().any(|w| has_word_prefix(&haystack, w));
        let is_food = matches!(
            basket_category,
            BasketCategory::Food | BasketCategory::Beverages
        );
        let thanksgiving = if any(&[
            "thanksgiving",
            "turkey",
            "stuffing",
            "cranberry",
            "pie",
            "pumpkin",
            "rolls",
            "casserole",
            "green bean",
            "cream of mushroom",
            "fried onion",
            "gravy",
            "yams",
            "sweet potato",
            "baking",
        ]) {
            3.5
        } else if any(&["flour", "sugar", "spice", "cinnamon", "nutmeg", "clove"]) {
            1.8
        } else if is_food {
            1.3
        } else {
            1.0
        };
        let black_friday = if basket_category == BasketCategory::Electronics
            || any(&[
                "electronics",
                "tv",
                "laptop",
                "headphone",
                "gaming",
                "appliance",
            ]) {
            5.0
        } else if any(&["toy"]) {
            3.0
        } else if basket_category == BasketCategory::Clothing || any(&["apparel"]) {
            2.3
        } else if basket_category == BasketCategory::HomeGarden {
            2.2
        } else {
            1.0
        };
        let christmas = if any(&[
            "ham",
            "roast",
            "cookie",
            "baking",
            "candy",
            "cider",
            "eggnog",
            "hot chocolate",
        ]) {
            1.8
        } else if matches!(
            basket_category,
            BasketCategory::Electronics | BasketCategory::Clothing | BasketCategory::HomeGarden
        ) || any(&["electronics", "toy", "apparel", "home"])
        {
            1.6
        } else {
            1.0
        };
        let grill_out = if any(&[
            "grill",
            "hot dog",
            "sausage",
            "burger",
            "ground beef",
            "steak",
            "chicken breast",
            "bun",
            "ketchup",
            "mustard",
            "relish",
            "bbq sauce",
            "charcoal",
            "chips",
            "soda",
            "ice",
        ]) {
            2.5
        } else {
            1.0
        };
        ProductMultipliers {
            thanksgiving,
            black_friday,
            christmas,
            grill_out,
        }
    }

    /// The product's multiplier under `windows`: the highest among active windows, else 1.0.
    pub fn under(&self, windows: &HolidayWindows) -> f64 {
        let mut m: f64 = 1.0;
        if windows.thanksgiving {
            m = m.max(self.thanksgiving);
        }
        if windows.black_friday {
            m = m.max(self.black_friday);
        }
        if windows.christmas {
            m = m.max(self.christmas);
        }
        if windows.grill_out {
            m = m.max(self.grill_out);
        }
        m
    }
}

/// One product as the basket engine sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct CatalogProduct {
    /// `product_id`.
    pub product_id: i64,
    /// Basket category (§7.5).
    pub basket_category: BasketCategory,
    /// `sale_price_cents`.
    pub sale_price_cents: i64,
    /// `launch_date`: eligible on dates ≥ it.
    pub launch_date: Date,
    /// Popularity exp(N(0,1)) (§7.4), > 0.
    pub popularity: f64,
    /// Holiday multipliers by window.
    pub multipliers: ProductMultipliers,
}

impl CatalogProduct {
    /// The basket view of a `dim_products` row with its popularity (§7.4); errors on an unknown
    /// `basket_category` spelling.
    pub fn from_dim_product(
        product: &retail_schemas::tables::DimProduct,
        popularity: f64,
    ) -> Result<Self, PatternsError> {
        let basket_category = BasketCategory::parse(&product.basket_category).ok_or_else(|| {
            PatternsError::InvalidParameter {
                name: "basket_category",
                value: product.basket_category.clone(),
                rule: "one of food, beverages, household, personal_care, electronics, clothing, home_garden, other",
            }
        })?;
        let text = ProductText {
            name: &product.product_name,
            department: &product.department,
            category: &product.category,
            subcategory: &product.subcategory,
            tags: product.tags.as_deref(),
        };
        Ok(CatalogProduct {
            product_id: product.product_id,
            basket_category,
            sale_price_cents: product.sale_price.cents(),
            launch_date: product.launch_date,
            popularity,
            multipliers: ProductMultipliers::of(&text, basket_category),
        })
    }
}

/// Per-category percentiles and draw order, built once from the product dimension.
#[derive(Clone, Debug)]
pub struct ProductCatalog {
    products: Vec<CatalogProduct>,
    /// Per category: indexes into `products` in (launch_date, product_id) order.
    by_category: Vec<Vec<usize>>,
    /// Per category: (p50, p70) of sale_price_cents over all products of the category.
    percentiles: Vec<(f64, f64)>,
}

impl ProductCatalog {
    /// Builds the catalog. Errors on a duplicate `product_id` or a popularity that is not a
    /// positive finite number.
    pub fn new(mut products: Vec<CatalogProduct>) -> Result<Self, PatternsError> {
        products.sort_by_key(|p| p.product_id);
        for w in products.windows(2) {
            if w[0].product_id == w[1].product_id {
                return Err(PatternsError::InvalidParameter {
                    name: "product_id",
                    value: w[0].product_id.to_string(),
                    rule: "product ids must be unique",
                });
            }
        }
        if let Some(p) = products
            .iter()
            .find(|p| !(p.popularity.is_finite() && p.popularity > 0.0))
        {
            return Err(PatternsError::InvalidParameter {
                name: "popularity",
                value: p.popularity.to_string(),
                rule: "popularity must be a positive finite number",
            });
        }
        let mut by_category = vec![Vec::new(); BasketCategory::ALL.len()];
        for (i, p) in products.iter().enumerate() {
            by_category[p.basket_category.index()].push(i);
        }
        let mut percentiles = Vec::with_capacity(by_category.len());
        for list in &mut by_category {
            list.sort_by_key(|&i| (products[i].launch_date, products[i].product_id));
            let mut prices: Vec<i64> = list.iter().map(|&i| products[i].sale_price_cents).collect();
            prices.sort_unstable();
            percentiles.push((percentile(&prices, 50.0), percentile(&prices, 70.0)));
        }
        Ok(ProductCatalog {
            products,
            by_category,
            percentiles,
        })
    }

    /// The product with `product_id`.
    pub fn product(&self, product_id: i64) -> Option<&CatalogProduct> {
        self.products
            .binary_search_by_key(&product_id, |p| p.product_id)
            .ok()
            .map(|i| &self.products[i])
    }

    /// All products in product_id order.
    pub fn products(&self) -> &[CatalogProduct] {
        &self.products
    }

    /// (p50, p70) of `sale_price_cents` over all products of `category`.
    pub fn price_percentiles(&self, category: BasketCategory) -> (f64, f64) {
        self.percentiles[category.index()]
    }

    /// Cumulative-weight tables for one holiday context (weights popularity × multiplier).
    /// Build once per distinct [`HolidayWindows`] and reuse: a draw is then O(log n).
    pub fn draw_index(&self, windows: HolidayWindows) -> DrawIndex {
        let mut tables = Vec::with_capacity(BasketCategory::ALL.len() * PriceFilter::ALL.len());
        for (c, list) in self.by_category.iter().enumerate() {
            let (p50, p70) = self.percentiles[c];
            for filter in PriceFilter::ALL {
                let mut table = DrawTable::default();
                let mut total = 0.0;
                for &i in list {
                    let p = &self.products[i];
                    if !filter.passes(p.sale_price_cents, p50, p70) {
                        continue;
                    }
                    let m = p.multipliers.under(&windows);
                    total += p.popularity * m;
                    table.launch.push(p.launch_date);
                    table.product_id.push(p.product_id);
                    table.multiplier.push(m);
                    table.cumulative.push(total);
                }
                tables.push(table);
            }
        }
        DrawIndex { windows, tables }
    }
}

#[derive(Clone, Debug, Default)]
struct DrawTable {
    launch: Vec<Date>,
    product_id: Vec<i64>,
    multiplier: Vec<f64>,
    cumulative: Vec<f64>,
}

/// Cumulative weights per (basket category, price filter) for one [`HolidayWindows`].
#[derive(Clone, Debug)]
pub struct DrawIndex {
    windows: HolidayWindows,
    tables: Vec<DrawTable>,
}

/// A drawn product and its holiday multiplier.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DrawnProduct {
    /// `product_id`.
    pub product_id: i64,
    /// Holiday multiplier under the index's windows.
    pub multiplier: f64,
}

impl DrawIndex {
    /// The holiday context the index was built for.
    pub fn windows(&self) -> HolidayWindows {
        self.windows
    }

    /// §7.5 product draw: categorical over the products of `category` passing `filter` with
    /// launch_date ≤ `date`, in (launch_date, product_id) order, weights popularity × holiday
    /// multiplier. One `f64` when any product is eligible; `None` (no draw) otherwise.
    pub fn draw(
        &self,
        category: BasketCategory,
        filter: PriceFilter,
        date: Date,
        rng: &mut Stream,
    ) -> Option<DrawnProduct> {
        let t = &self.tables[category.index() * PriceFilter::ALL.len() + filter as usize];
        let eligible = t.launch.partition_point(|d| *d <= date);
        if eligible == 0 {
            return None;
        }
        let target = rng.f64() * t.cumulative[eligible - 1];
        let i = t.cumulative[..eligible]
            .partition_point(|c| *c <= target)
            .min(eligible - 1);
        Some(DrawnProduct {
            product_id: t.product_id[i],
            multiplier: t.multiplier[i],
        })
    }
}

/// §7.5 quantity: food, beverages, household 1/2/3 with p .7/.2/.1 (one `f64`), others 1 (no
/// draw); holiday overlay: multiplier ≥ 3 adds U{1..2}, ≥ 1.5 adds U{0..1}.
pub fn draw_quantity(category: BasketCategory, multiplier: f64, rng: &mut Stream) -> u32 {
    let mut q = if category.buys_multiples() {
        rng.categorical(&[0.7, 0.2, 0.1]).unwrap_or(0) as u32 + 1
    } else {
        1
    };
    if multiplier >= 3.0 {
        q += rng.range_inclusive(1, 2) as u32;
    } else if multiplier >= 1.5 {
        q += rng.range_inclusive(0, 1) as u32;
    }
    q
}

/// One basket line (line numbers are the position in [`Basket::lines`] + 1).
#[derive(Clone, Debug, PartialEq)]
pub struct BasketLine {
    /// Product.
    pub product_id: i64,
    /// Basket category of the product.
    pub basket_category: BasketCategory,
    /// Quantity after availability capping (≥ 1).
    pub quantity: u32,
    /// Holiday multiplier of the product on the date.
    pub multiplier: f64,
}

/// A drawn basket.
#[derive(Clone, Debug, PartialEq)]
pub struct Basket {
    /// Trip type.
    pub trip: TripType,
    /// Target lines (after the holiday boost).
    pub target_lines: u32,
    /// Lines in draw order; empty when nothing was available (the visit is a browser).
    pub lines: Vec<BasketLine>,
}

/// Who shops, where and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BasketRequest {
    /// Shopper segment of the customer.
    pub segment: ShopperSegment,
    /// Store format; `None` for online baskets (no format scaling, §7.11).
    pub format: Option<StoreFormat>,
    /// Business date (launch filter).
    pub date: Date,
}

fn draw_new_product(
    index: &DrawIndex,
    category: BasketCategory,
    filter: PriceFilter,
    date: Date,
    lines: &[BasketLine],
    rng: &mut Stream,
) -> Option<DrawnProduct> {
    for _ in 0..3 {
        let drawn = index.draw(category, filter, date, rng)?;
        if !lines.iter().any(|l| l.product_id == drawn.product_id) {
            return Some(drawn);
        }
    }
    None
}

/// Draws a whole basket (§7.5) in the order documented at the top of this module.
///
/// `available(product_id)` returns the location's available-to-promise units; a product with 0
/// is redrawn once within the category, and the quantity is capped at the availability.
pub fn draw_basket(
    index: &DrawIndex,
    request: &BasketRequest,
    rng: &mut Stream,
    mut available: impl FnMut(i64) -> u32,
) -> Basket {
    let trip = TripType::draw(request.segment, rng);
    let target_lines = draw_target_lines(trip, request.format, index.windows.basket_boost, rng);
    let plan = plan_line_categories(trip, target_lines, rng);
    let filter = PriceFilter::for_segment(request.segment);
    let mut lines: Vec<BasketLine> = Vec::with_capacity(plan.len());
    for category in plan {
        let Some(first) = draw_new_product(index, category, filter, request.date, &lines, rng)
        else {
            continue;
        };
        let mut chosen = (first, available(first.product_id));
        if chosen.1 == 0 {
            let Some(second) = draw_new_product(index, category, filter, request.date, &lines, rng)
            else {
                continue;
            };
            chosen = (second, available(second.product_id));
            if chosen.1 == 0 {
                continue;
            }
        }
        let (product, units) = chosen;
        let quantity = draw_quantity(category, product.multiplier, rng).min(units);
        lines.push(BasketLine {
            product_id: product.product_id,
            basket_category: category,
            quantity,
            multiplier: product.multiplier,
        });
    }
    Basket {
        trip,
        target_lines,
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd(y, m, day).unwrap()
    }

    fn product(id: i64, cat: BasketCategory, price: i64, launch: Date, pop: f64) -> CatalogProduct {
        CatalogProduct {
            product_id: id,
            basket_category: cat,
            sale_price_cents: price,
            launch_date: launch,
            popularity: pop,
            multipliers: ProductMultipliers::default(),
        }
    }

    #[test]
    fn keyword_rule_takes_the_first_group() {
        use BasketCategory::*;
        assert_eq!(BasketCategory::from_product_name("Whole Milk"), Food);
        assert_eq!(BasketCategory::from_product_name("Iced TEA"), Beverages);
        assert_eq!(BasketCategory::from_product_name("Paper Towels"), Household);
        assert_eq!(BasketCategory::from_product_name("Smart TV"), Electronics);
        assert_eq!(BasketCategory::from_product_name("Garden Hose"), HomeGarden);
        assert_eq!(BasketCategory::from_product_name("Wool Socks"), Clothing);
        assert_eq!(BasketCategory::from_product_name("Stapler"), Other);
        // food is checked before beverages: "milk" wins over "tea" in "Milk Tea".
        assert_eq!(BasketCategory::from_product_name("Milk Tea"), Food);
        assert_eq!(
            BasketCategory::classify("Ribeye Steak", "Grocery", "Meat & Poultry"),
            Food
        );
        assert_eq!(
            BasketCategory::classify("Sparkling Water", "Grocery", "Beverages"),
            Beverages
        );
        assert_eq!(
            BasketCategory::classify("Ibuprofen Tablets", "Health & Beauty", "Medicine"),
            PersonalCare
        );
        assert_eq!(
            BasketCategory::classify("Dog Treats Steak Flavor", "Pet Supplies", "Dog Supplies"),
            Other
        );
        assert_eq!(
            BasketCategory::classify("Christmas Paper Plates", "Seasonal", "Party Supplies"),
            Household
        );
        assert_eq!(
            BasketCategory::classify(
                "Life Jacket",
                "Sports & Recreation",
                "Water Sports & Fishing"
            ),
            Clothing
        );
        assert_eq!(BasketCategory::parse("home_garden"), Some(HomeGarden));
    }

    #[test]
    fn target_ranges_scale_by_format() {
        use StoreFormat::*;
        assert_eq!(
            target_line_range(TripType::GroceryRun, Some(Hypermarket)),
            (7, 20)
        );
        assert_eq!(
            target_line_range(TripType::BulkShopping, Some(Superstore)),
            (22, 55)
        );
        assert_eq!(
            target_line_range(TripType::QuickTrip, Some(Neighborhood)),
            (1, 2)
        );
        assert_eq!(
            target_line_range(TripType::FamilyShopping, Some(Neighborhood)),
            (8, 24)
        );
        assert_eq!(
            target_line_range(TripType::BulkShopping, Some(Express)),
            (1, 3)
        );
        assert_eq!(target_line_range(TripType::BulkShopping, None), (20, 50));
        let mut rng = Stream::new(1, "t", &[]);
        for _ in 0..200 {
            let n = draw_target_lines(TripType::QuickTrip, Some(Standard), true, &mut rng);
            assert!([1, 2, 4].contains(&n), "1.2 × U{{1..3}} rounded: {n}");
        }
    }

    #[test]
    fn category_counts_follow_the_mix_and_fill_the_target() {
        let (counts, missing) = category_line_counts(TripType::GroceryRun, 10);
        assert_eq!(
            counts,
            vec![
                (BasketCategory::Food, 5),
                (BasketCategory::Beverages, 2),
                (BasketCategory::Household, 1),
                (BasketCategory::PersonalCare, 1)
            ]
        );
        assert_eq!(missing, 1);
        let (counts, missing) = category_line_counts(TripType::QuickTrip, 1);
        assert_eq!(
            counts.iter().map(|c| c.1).sum::<u32>(),
            4,
            "max(1, …) per category"
        );
        assert_eq!(missing, 0);
        let mut rng = Stream::new(2, "t", &[]);
        assert_eq!(
            plan_line_categories(TripType::BulkShopping, 37, &mut rng).len(),
            37
        );
    }

    #[test]
    fn percentiles_interpolate_linearly() {
        assert_eq!(percentile(&[100, 200, 300, 400, 500], 50.0), 300.0);
        assert!((percentile(&[100, 200, 300, 400], 70.0) - 310.0).abs() < 1e-9);
        assert_eq!(percentile(&[], 70.0), 0.0);
        assert_eq!(percentile(&[7], 70.0), 7.0);
    }

    #[test]
    fn holiday_windows_and_multipliers() {
        let h = HolidayDates {
            thanksgiving: d(2024, 11, 28),
            memorial_day: d(2024, 5, 27),
            independence_day: d(2024, 7, 4),
            labor_day: d(2024, 9, 2),
        };
        let tg = HolidayWindows::from_dates(d(2024, 11, 18), &h);
        assert!(tg.thanksgiving && tg.basket_boost && !tg.black_friday);
        assert!(!HolidayWindows::from_dates(d(2024, 11, 17), &h).thanksgiving);
        let bf = HolidayWindows::from_dates(d(2024, 11, 29), &h);
        assert!(bf.black_friday && !bf.thanksgiving && !bf.basket_boost);
        let xmas = HolidayWindows::from_dates(d(2024, 12, 23), &h);
        assert!(xmas.christmas && xmas.basket_boost);
        let xmas_early = HolidayWindows::from_dates(d(2024, 12, 11), &h);
        assert!(xmas_early.christmas && !xmas_early.basket_boost);
        assert!(HolidayWindows::from_dates(d(2024, 7, 6), &h).grill_out);
        assert!(!HolidayWindows::from_dates(d(2024, 7, 7), &h).grill_out);

        let text = |name| ProductText {
            name,
            department: "Grocery",
            category: "Meat",
            subcategory: "Fresh",
            tags: None,
        };
        let turkey = ProductMultipliers::of(&text("Whole Turkey"), BasketCategory::Food);
        assert_eq!(turkey.under(&tg), 3.5);
        assert_eq!(turkey.under(&HolidayWindows::none()), 1.0);
        let flour = ProductMultipliers::of(&text("Flour"), BasketCategory::Food);
        assert_eq!(flour.under(&tg), 1.8);
        let cheese = ProductMultipliers::of(&text("Cheddar Cheese"), BasketCategory::Food);
        assert_eq!(cheese.under(&tg), 1.3);
        let juice = ProductMultipliers::of(&text("Orange Juice"), BasketCategory::Beverages);
        assert_eq!(juice.grill_out, 1.0, "ice must not match inside juice");
        let ice = ProductMultipliers::of(&text("Bagged Ice"), BasketCategory::Other);
        assert_eq!(ice.grill_out, 2.5);
        let tv = ProductMultipliers::of(&text("4K TV"), BasketCategory::Electronics);
        assert_eq!(tv.under(&bf), 5.0);
        assert_eq!(tv.under(&xmas), 1.6);
        let ham = ProductMultipliers::of(&text("Spiral Ham"), BasketCategory::Food);
        assert_eq!(ham.under(&xmas), 1.8);
        let mut both = tg;
        both.christmas = true;
        assert_eq!(ham.under(&both), 1.8, "highest applicable wins");
    }

    #[test]
    fn calendar_adapter_agrees_with_explicit_dates() {
        use crate::calendar::{HolidayKey, thanksgiving};
        for year in [2024, 2025, 2026, 2027] {
            let h = HolidayDates {
                thanksgiving: thanksgiving(year),
                memorial_day: HolidayKey::MemorialDay.date(year),
                independence_day: HolidayKey::IndependenceDay.date(year),
                labor_day: HolidayKey::LaborDay.date(year),
            };
            let first = d(year, 1, 1);
            for offset in 0..365 {
                let date = first.plus_days(offset);
                assert_eq!(
                    HolidayWindows::on(date),
                    HolidayWindows::from_dates(date, &h),
                    "{date}"
                );
            }
        }
    }

    #[test]
    fn draw_respects_launch_filter_and_weights() {
        let launch_old = d(2023, 1, 1);
        let launch_new = d(2024, 6, 1);
        let products = vec![
            product(1, BasketCategory::Food, 100, launch_old, 1.0),
            product(2, BasketCategory::Food, 200, launch_old, 3.0),
            product(3, BasketCategory::Food, 300, launch_new, 100.0),
            product(4, BasketCategory::Food, 1000, launch_old, 1.0),
        ];
        let catalog = ProductCatalog::new(products).unwrap();
        let index = catalog.draw_index(HolidayWindows::none());
        let mut rng = Stream::new(3, "draw", &[]);
        let date = d(2024, 1, 1);
        let mut counts = [0u32; 5];
        for _ in 0..8000 {
            let p = index
                .draw(BasketCategory::Food, PriceFilter::Any, date, &mut rng)
                .unwrap();
            counts[p.product_id as usize] += 1;
        }
        assert_eq!(counts[3], 0, "not launched yet");
        // weights 1 : 3 : 1 → product 2 ≈ 60 %.
        assert!((4500..5100).contains(&counts[2]), "{counts:?}");
        // p70 of (100, 200, 300, 1000) = 300 + 0.1 × 700 = 370.
        for _ in 0..500 {
            let p = index
                .draw(
                    BasketCategory::Food,
                    PriceFilter::AtLeastP70,
                    date,
                    &mut rng,
                )
                .unwrap();
            assert_eq!(p.product_id, 4);
        }
        assert!(
            index
                .draw(BasketCategory::Clothing, PriceFilter::Any, date, &mut rng)
                .is_none()
        );
        assert!(
            ProductCatalog::new(vec![
                product(1, BasketCategory::Food, 1, launch_old, 1.0),
                product(1, BasketCategory::Food, 1, launch_old, 1.0)
            ])
            .is_err()
        );
    }

    #[test]
    fn store_choice_weights_and_two_stage_draw() {
        use MobilitySegment::*;
        assert_eq!(visit_weight(true, false, Tourist, 900.0), 0.50);
        assert_eq!(visit_weight(false, true, Regular, 900.0), 0.20);
        assert!((visit_weight(false, false, Tourist, 4.9) - 0.12).abs() < 1e-12);
        assert!((visit_weight(false, false, Regular, 14.0) - 0.01).abs() < 1e-12);
        assert!((visit_weight(false, false, Snowbird, 15.0) - 0.03).abs() < 1e-12);
        let chooser = CustomerChooser::new(vec![
            (0.5, vec![3, 1]),
            (0.0, vec![7]),
            (0.01, vec![]),
            (0.05, (100..120).collect()),
        ]);
        let mut rng = Stream::new(6, "visit", &[]);
        let mut primary = 0;
        for _ in 0..10_000 {
            let c = chooser.draw(&mut rng).unwrap();
            assert_ne!(c, 7, "zero weight");
            if c < 10 {
                primary += 1;
            }
        }
        // 1.0 / (1.0 + 1.0) = half of the visits go to the primary group.
        assert!((4_700..5_300).contains(&primary), "{primary}");
        assert_eq!(CustomerChooser::new(vec![]).draw(&mut rng), None);
    }

    #[test]
    fn quantities_and_holiday_overlay() {
        let mut rng = Stream::new(4, "q", &[]);
        for _ in 0..500 {
            assert_eq!(draw_quantity(BasketCategory::Electronics, 1.0, &mut rng), 1);
            let q = draw_quantity(BasketCategory::Food, 1.0, &mut rng);
            assert!((1..=3).contains(&q));
            let q = draw_quantity(BasketCategory::Food, 3.5, &mut rng);
            assert!((2..=5).contains(&q));
            let q = draw_quantity(BasketCategory::Clothing, 1.6, &mut rng);
            assert!((1..=2).contains(&q));
        }
    }

    #[test]
    fn basket_lines_are_distinct_and_capped_by_availability() {
        let old = d(2020, 1, 1);
        let mut products = Vec::new();
        for id in 1..=400 {
            let cat = BasketCategory::ALL[(id % 8) as usize];
            products.push(product(id, cat, 100 + id * 7, old, 1.0 + (id % 5) as f64));
        }
        let catalog = ProductCatalog::new(products).unwrap();
        let index = catalog.draw_index(HolidayWindows::none());
        let request = BasketRequest {
            segment: ShopperSegment::BudgetConscious,
            format: Some(StoreFormat::Superstore),
            date: d(2024, 3, 6),
        };
        for i in 0..300 {
            let mut rng = Stream::new(5, "visit", &[i]);
            let basket = draw_basket(&index, &request, &mut rng, |id| (id % 3) as u32);
            let mut ids: Vec<i64> = basket.lines.iter().map(|l| l.product_id).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), basket.lines.len());
            for l in &basket.lines {
                assert!(l.product_id % 3 != 0, "ATP 0 products are never sold");
                assert!(l.quantity >= 1 && l.quantity <= (l.product_id % 3) as u32);
            }
            let again = draw_basket(&index, &request, &mut Stream::new(5, "visit", &[i]), |id| {
                (id % 3) as u32
            });
            assert_eq!(basket, again, "deterministic");
        }
    }
}
