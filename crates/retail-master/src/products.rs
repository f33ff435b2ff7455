//! Products: brand combinations, key-order walk, pricing, launch dates, classification
//! (data-contract §7.4, §7.5 basket category, §7.7 taxability).

use std::collections::BTreeMap;

use retail_rng::{Stream, round_half_away};
use retail_schemas::tables::DimProduct;
use retail_schemas::{Date, Money};

use crate::dictionaries::{Dictionaries, ProductEntry};
use crate::enums::{BasketCategory, BrandCategory, Taxability};
use crate::error::MasterError;

/// `dim_products` rows plus the internal per-product attributes the fact engine needs.
#[derive(Clone, Debug)]
pub struct Products {
    /// Rows, `product_id` = index + 1.
    pub rows: Vec<DimProduct>,
    /// Popularity exp(N(0,1)) per product (index = product_id − 1); not a column.
    pub popularity: Vec<f64>,
    /// Basket category per product (same as the `basket_category` column, typed).
    pub basket_categories: Vec<BasketCategory>,
    /// Taxability per product (same as the `taxability` column, typed).
    pub taxability: Vec<Taxability>,
}

/// Brand category of a base product: exact (department, category) mapping, else keywords.
pub fn brand_category_of(
    map: &BTreeMap<(&str, &str), BrandCategory>,
    department: &str,
    category: &str,
) -> BrandCategory {
    if let Some(c) = map.get(&(department, category)) {
        return *c;
    }
    let rules: [(&[&str], BrandCategory); 3] = [
        (
            &[
                "food", "grocery", "fresh", "frozen", "meat", "dairy", "produce", "beverage",
                "snack", "bakery",
            ],
            BrandCategory::Food,
        ),
        (
            &[
                "electronic",
                "computer",
                "tech",
                "digital",
                "mobile",
                "phone",
                "gaming",
                "audio",
                "video",
            ],
            BrandCategory::Electronics,
        ),
        (
            &[
                "apparel",
                "clothing",
                "fashion",
                "wear",
                "shoe",
                "footwear",
                "accessory",
            ],
            BrandCategory::Clothing,
        ),
    ];
    // Department and category are matched separately so a keyword never spans the two.
    let dep = department.to_lowercase();
    let cat = category.to_lowercase();
    for (keywords, result) in rules {
        if keywords.iter().any(|k| dep.contains(k) || cat.contains(k)) {
            return result;
        }
    }
    BrandCategory::Home
}

/// `requires_refrigeration` rule of §7.4.
pub fn requires_refrigeration(department: &str, category: &str, subcategory: &str) -> bool {
    if category == "Produce"
        || category == "Baby Food"
        || (category == "Medicine" && subcategory.to_lowercase().contains("refrigerated"))
    {
        return true;
    }
    const DRY_DEPARTMENTS: [&str; 10] = [
        "Electronics",
        "Clothing",
        "Health & Beauty",
        "Baby & Kids",
        "Home & Garden",
        "Pet Supplies",
        "Automotive",
        "Office Supplies",
        "Seasonal",
        "Sports & Recreation",
    ];
    if DRY_DEPARTMENTS.contains(&department) {
        return false;
    }
    matches!(
        category,
        "Dairy & Alternatives" | "Meat & Poultry" | "Seafood"
    )
}

/// Normalises `;`-separated tags: trimmed, lower case, inner whitespace runs → `_`, empty and
/// repeated tags dropped. `None` when nothing is left.
pub fn normalize_tags(raw: &str) -> Option<String> {
    let mut tags: Vec<String> = Vec::new();
    for part in raw.split(';') {
        let tag = part
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("_")
            .to_lowercase();
        if !tag.is_empty() && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.is_empty() {
        None
    } else {
        Some(tags.join(";"))
    }
}

/// Prices of one accepted combination, in cents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prices {
    /// MSRP.
    pub msrp: i64,
    /// Sale price (≤ msrp).
    pub sale: i64,
    /// Cost (< sale).
    pub cost: i64,
}

/// Up to 5 pricing attempts from one [product_price(combination, round)] stream (§7.4).
pub fn price_combination(base_cents: i64, stream: &mut Stream) -> Option<Prices> {
    for attempt in 0..5 {
        let factor = if attempt == 0 {
            stream.uniform(0.85, 1.15)
        } else {
            stream.uniform(0.9, 1.1)
        };
        let adjusted = base_cents as f64 * factor;
        let msrp = round_half_away(adjusted * (1.0 + stream.uniform(-0.15, 0.15))).max(1);
        let sale = if stream.bernoulli(0.60) {
            msrp
        } else {
            round_half_away(msrp as f64 * (1.0 - stream.uniform(0.05, 0.35))).max(1)
        };
        let cost = round_half_away(sale as f64 * stream.uniform(0.50, 0.85))
            .min(sale - 1)
            .max(1);
        let ratio = cost as f64 / sale as f64;
        if cost < sale && sale <= msrp && (0.4999..=0.8520).contains(&ratio) {
            return Some(Prices { msrp, sale, cost });
        }
    }
    None
}

fn launch_offset(stream: &mut Stream, product_id: i64, total: i64) -> i64 {
    let established = (total * 6) / 10;
    let recent = (total * 9) / 10;
    if product_id <= established {
        -stream.range_inclusive(180, 730)
    } else if product_id <= recent {
        stream.range_inclusive(0, 180)
    } else {
        stream.range_inclusive(180, 365)
    }
}

/// `dim_products` for `total` SKUs with launch dates relative to `start_date`.
pub fn generate_products(
    seed: u64,
    dicts: &Dictionaries,
    total: usize,
    start_date: Date,
) -> Result<Products, MasterError> {
    if total == 0 {
        return Err(MasterError::Config {
            field: "volume.total_products",
            reason: "at least one product is required".into(),
        });
    }
    let map: BTreeMap<(&str, &str), BrandCategory> = dicts
        .brand_category_map
        .iter()
        .map(|m| {
            (
                (m.department.as_str(), m.category.as_str()),
                m.brand_category,
            )
        })
        .collect();
    let mut brands_by_category: BTreeMap<BrandCategory, Vec<usize>> = BTreeMap::new();
    for (i, b) in dicts.brands.iter().enumerate() {
        brands_by_category
            .entry(b.brand_category)
            .or_default()
            .push(i);
    }
    let mut combos: Vec<(usize, usize)> = Vec::new();
    for (p, entry) in dicts.products.iter().enumerate() {
        let category = brand_category_of(&map, &entry.department, &entry.category);
        if let Some(brands) = brands_by_category.get(&category) {
            combos.extend(brands.iter().map(|b| (p, *b)));
        }
    }
    if combos.is_empty() {
        return Err(MasterError::Generation {
            table: "dim_products",
            reason: "no product of products.csv has a brand of its brand category in brands.csv"
                .into(),
        });
    }
    let tag_overlay: BTreeMap<&str, &str> = dicts
        .product_tags
        .iter()
        .map(|t| (t.product_name.as_str(), t.tags.as_str()))
        .collect();

    let total_i64 = total as i64;
    let mut out = Products {
        rows: Vec::with_capacity(total),
        popularity: Vec::with_capacity(total),
        basket_categories: Vec::with_capacity(total),
        taxability: Vec::with_capacity(total),
    };
    let mut round: i64 = 0;
    while out.rows.len() < total {
        let accepted_before = out.rows.len();
        let mut order: Vec<(u64, usize)> = (0..combos.len())
            .map(|c| {
                let key = if round == 0 {
                    Stream::new(seed, "product_combo", &[c as i64])
                } else {
                    Stream::new(seed, "product_combo", &[c as i64, round])
                }
                .next_u64();
                (key, c)
            })
            .collect();
        order.sort_unstable();
        for (_, c) in order {
            if out.rows.len() == total {
                break;
            }
            let (p, b) = combos[c];
            let entry: &ProductEntry = &dicts.products[p];
            let mut price_stream = Stream::new(seed, "product_price", &[c as i64, round]);
            let Some(prices) = price_combination(entry.base_price_cents, &mut price_stream) else {
                continue;
            };
            let product_id = out.rows.len() as i64 + 1;
            let mut stream = Stream::new(seed, "product", &[product_id]);
            let offset = launch_offset(&mut stream, product_id, total_i64);
            let popularity = libm::exp(stream.normal());
            let brand = &dicts.brands[b];
            let basket =
                BasketCategory::classify(&entry.product_name, &entry.department, &entry.category);
            let taxability = Taxability::classify(&entry.department, &entry.category);
            let tags = entry.tags.as_deref().and_then(normalize_tags).or_else(|| {
                tag_overlay
                    .get(entry.product_name.as_str())
                    .and_then(|t| normalize_tags(t))
            });
            out.rows.push(DimProduct {
                product_id,
                sku: format!("SKU-{product_id:07}"),
                product_name: entry.product_name.clone(),
                brand: brand.brand.clone(),
                company: brand.company.clone(),
                department: entry.department.clone(),
                category: entry.category.clone(),
                subcategory: entry.subcategory.clone(),
                basket_category: basket.as_str().to_owned(),
                cost: Money(prices.cost),
                msrp: Money(prices.msrp),
                sale_price: Money(prices.sale),
                requires_refrigeration: requires_refrigeration(
                    &entry.department,
                    &entry.category,
                    &entry.subcategory,
                ),
                taxability: taxability.as_str().to_owned(),
                launch_date: start_date.plus_days(offset as i32),
                tags,
            });
            out.popularity.push(popularity);
            out.basket_categories.push(basket);
            out.taxability.push(taxability);
        }
        if out.rows.len() == accepted_before {
            return Err(MasterError::Generation {
                table: "dim_products",
                reason: format!(
                    "a full walk over the {} brand combinations priced none of them \
                     (base prices too small to keep cost below sale price?)",
                    combos.len()
                ),
            });
        }
        round += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_rules() {
        let map = BTreeMap::new();
        assert_eq!(
            brand_category_of(&map, "Grocery", "Snacks"),
            BrandCategory::Food
        );
        assert_eq!(
            brand_category_of(&map, "Electronics", "TVs"),
            BrandCategory::Electronics
        );
        assert_eq!(
            brand_category_of(&map, "Apparel", "Outerwear"),
            BrandCategory::Clothing
        );
        assert_eq!(
            brand_category_of(&map, "Pet Supplies", "Dog"),
            BrandCategory::Home
        );
    }

    #[test]
    fn refrigeration_rules() {
        assert!(requires_refrigeration("Grocery", "Produce", "Fruit"));
        assert!(requires_refrigeration(
            "Pharmacy",
            "Medicine",
            "Refrigerated Medicine"
        ));
        assert!(!requires_refrigeration(
            "Pharmacy",
            "Medicine",
            "Pain Relief"
        ));
        assert!(requires_refrigeration(
            "Grocery",
            "Dairy & Alternatives",
            "Milk"
        ));
        assert!(!requires_refrigeration(
            "Electronics",
            "Dairy & Alternatives",
            "x"
        ));
        assert!(!requires_refrigeration("Grocery", "Bakery", "Bread"));
    }

    #[test]
    fn tags_are_normalised() {
        assert_eq!(
            normalize_tags(" Thanksgiving; Pumpkin ;;green  bean;thanksgiving").as_deref(),
            Some("thanksgiving;pumpkin;green_bean")
        );
        assert_eq!(normalize_tags(" ; "), None);
    }

    #[test]
    fn pricing_obeys_the_rule_or_drops() {
        for c in 0..2_000 {
            let mut s = Stream::new(1, "product_price", &[c, 0]);
            let base = 1 + (c * 37) % 20_000;
            if let Some(p) = price_combination(base, &mut s) {
                assert!(1 <= p.cost && p.cost < p.sale && p.sale <= p.msrp, "{p:?}");
                let r = p.cost as f64 / p.sale as f64;
                assert!((0.4999..=0.8520).contains(&r), "{p:?}");
            }
        }
        // One cent can never leave room for a cost below the sale price.
        assert_eq!(price_combination(1, &mut Stream::new(1, "x", &[])), None);
    }
}
