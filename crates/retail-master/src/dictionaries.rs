//! The bundled dictionaries of data-contract §7.0: loading, row-by-row validation and hashing.
//!
//! Rows are addressed by 0-based row index in file order (the order of every `Vec` here).
//! Validation errors name the file, the 1-based line (header = line 1) and the offending value.

use std::collections::BTreeMap;
use std::path::Path;

use chrono_tz::Tz;
use sha2::{Digest, Sha256};

use crate::enums::{BrandCategory, Region, spellings};
use crate::error::MasterError;

/// File names of the dictionaries, in hashing order.
pub const DICTIONARY_FILES: [&str; 8] = [
    "geographies.csv",
    "first_names.csv",
    "last_names.csv",
    "products.csv",
    "brands.csv",
    "product_tags.csv",
    "tax_rates.csv",
    "brand_category_map.csv",
];

/// One row of `geographies.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct GeographyEntry {
    /// City name.
    pub city: String,
    /// USPS state code (2 upper-case letters).
    pub state: String,
    /// ZIP code as text (`^\d{5}(-\d{4})?$`).
    pub zip: String,
    /// District label (placement weight doubles when it mentions metro, urban or city).
    pub district: String,
    /// Census-style region.
    pub region: Region,
    /// WGS84 latitude in degrees.
    pub latitude: f64,
    /// WGS84 longitude in degrees.
    pub longitude: f64,
    /// IANA zone name, known to the bundled tz database.
    pub time_zone: String,
    /// The parsed zone.
    pub tz: Tz,
}

/// One row of `products.csv`: a base product, sold under every brand of its brand category.
#[derive(Clone, Debug, PartialEq)]
pub struct ProductEntry {
    /// Base product name.
    pub product_name: String,
    /// Base price in cents (> 0).
    pub base_price_cents: i64,
    /// Department.
    pub department: String,
    /// Category.
    pub category: String,
    /// Subcategory.
    pub subcategory: String,
    /// Raw `tags` cell (`;`-separated), if any.
    pub tags: Option<String>,
}

/// One row of `brands.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct BrandEntry {
    /// Brand name.
    pub brand: String,
    /// Owning company.
    pub company: String,
    /// Which base products the brand carries.
    pub brand_category: BrandCategory,
}

/// One row of `product_tags.csv`: a tag overlay by product name.
#[derive(Clone, Debug, PartialEq)]
pub struct ProductTagEntry {
    /// Base product name the tags apply to.
    pub product_name: String,
    /// Raw `;`-separated tags.
    pub tags: String,
}

/// One row of `tax_rates.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct TaxRateEntry {
    /// USPS state code.
    pub state: String,
    /// County (may be empty).
    pub county: String,
    /// City (may be empty for state- or county-level rows).
    pub city: String,
    /// Combined rate in basis points (0..=2000), converted exactly from the decimal text.
    pub rate_bps: i32,
}

/// One row of `brand_category_map.csv`: exact (department, category) → brand category (§7.4).
#[derive(Clone, Debug, PartialEq)]
pub struct BrandCategoryMapEntry {
    /// Department of base products.
    pub department: String,
    /// Category of base products.
    pub category: String,
    /// Brand category they map to.
    pub brand_category: BrandCategory,
}

/// All dictionaries, validated, plus their combined SHA-256.
#[derive(Clone, Debug, PartialEq)]
pub struct Dictionaries {
    /// `geographies.csv` rows in file order.
    pub geographies: Vec<GeographyEntry>,
    /// `first_names.csv` names in file order.
    pub first_names: Vec<String>,
    /// `last_names.csv` names in file order.
    pub last_names: Vec<String>,
    /// `products.csv` rows in file order.
    pub products: Vec<ProductEntry>,
    /// `brands.csv` rows in file order.
    pub brands: Vec<BrandEntry>,
    /// `product_tags.csv` rows in file order.
    pub product_tags: Vec<ProductTagEntry>,
    /// `tax_rates.csv` rows in file order.
    pub tax_rates: Vec<TaxRateEntry>,
    /// `brand_category_map.csv` rows in file order.
    pub brand_category_map: Vec<BrandCategoryMapEntry>,
    /// Lower-case hex SHA-256 of all files (for `_meta.dictionary_hash`): for each file of
    /// [`DICTIONARY_FILES`] in order, its name, a zero byte, its length as u64 LE, its bytes.
    pub hash: String,
}

/// Raw bytes of the eight files, in [`DICTIONARY_FILES`] order.
struct RawFiles<'a>([&'a [u8]; 8]);

impl Dictionaries {
    /// The dictionaries compiled into the binary from `config/dictionaries/`.
    pub fn bundled() -> Result<Self, MasterError> {
        Self::from_bytes([
            include_str!("../../../config/dictionaries/geographies.csv").as_bytes(),
            include_str!("../../../config/dictionaries/first_names.csv").as_bytes(),
            include_str!("../../../config/dictionaries/last_names.csv").as_bytes(),
            include_str!("../../../config/dictionaries/products.csv").as_bytes(),
            include_str!("../../../config/dictionaries/brands.csv").as_bytes(),
            include_str!("../../../config/dictionaries/product_tags.csv").as_bytes(),
            include_str!("../../../config/dictionaries/tax_rates.csv").as_bytes(),
            include_str!("../../../config/dictionaries/brand_category_map.csv").as_bytes(),
        ])
    }

    /// Loads the eight files of [`DICTIONARY_FILES`] from a directory.
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Self, MasterError> {
        let dir = dir.as_ref();
        let mut contents: Vec<Vec<u8>> = Vec::with_capacity(DICTIONARY_FILES.len());
        for name in DICTIONARY_FILES {
            let path = dir.join(name);
            let bytes = std::fs::read(&path).map_err(|source| MasterError::Io { path, source })?;
            contents.push(bytes);
        }
        let refs: [&[u8]; 8] = std::array::from_fn(|i| contents[i].as_slice());
        Self::from_bytes(refs)
    }

    /// Parses and validates the eight files given as bytes in [`DICTIONARY_FILES`] order.
    pub fn from_bytes(files: [&[u8]; 8]) -> Result<Self, MasterError> {
        let raw = RawFiles(files);
        let [geo, first, last, products, brands, tags, tax, map] = raw.0;
        let dicts = Dictionaries {
            geographies: parse_geographies(geo)?,
            first_names: parse_names("first_names.csv", first)?,
            last_names: parse_names("last_names.csv", last)?,
            products: parse_products(products)?,
            brands: parse_brands(brands)?,
            product_tags: parse_product_tags(tags)?,
            tax_rates: parse_tax_rates(tax)?,
            brand_category_map: parse_brand_category_map(map)?,
            hash: hash_files(&raw),
        };
        Ok(dicts)
    }
}

fn hash_files(raw: &RawFiles<'_>) -> String {
    let mut hasher = Sha256::new();
    for (name, bytes) in DICTIONARY_FILES.iter().zip(raw.0.iter()) {
        hasher.update(name.as_bytes());
        hasher.update([0u8]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    hex::encode(hasher.finalize())
}

/// One data row with access by column name.
struct Fields<'r> {
    file: &'static str,
    line: u64,
    record: &'r csv::StringRecord,
    index: &'r BTreeMap<&'static str, usize>,
}

impl Fields<'_> {
    fn error(&self, reason: impl Into<String>) -> MasterError {
        MasterError::Dictionary {
            file: self.file.to_owned(),
            line: self.line,
            reason: reason.into(),
        }
    }

    /// The trimmed cell of a column ("" when an optional column is absent).
    fn get(&self, column: &str) -> &str {
        self.index
            .get(column)
            .and_then(|&i| self.record.get(i))
            .unwrap_or("")
    }

    fn non_empty(&self, column: &str) -> Result<String, MasterError> {
        let v = self.get(column);
        if v.is_empty() {
            return Err(self.error(format!("{column} is empty")));
        }
        Ok(v.to_owned())
    }

    fn number(&self, column: &str, min: f64, max: f64) -> Result<f64, MasterError> {
        let v = self.get(column);
        let x: f64 = v
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite())
            .ok_or_else(|| self.error(format!("{column} \"{v}\" is not a number")))?;
        if !(min..=max).contains(&x) {
            return Err(self.error(format!("{column} {v} is outside [{min}, {max}]")));
        }
        Ok(x)
    }

    fn state(&self, column: &str) -> Result<String, MasterError> {
        let v = self.get(column);
        if v.len() != 2 || !v.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(self.error(format!(
                "{column} \"{v}\" is not a 2-letter upper-case USPS code"
            )));
        }
        Ok(v.to_owned())
    }

    fn brand_category(&self, column: &str) -> Result<BrandCategory, MasterError> {
        let v = self.get(column);
        BrandCategory::parse(v).ok_or_else(|| {
            self.error(format!(
                "{column} \"{v}\" is not one of {}",
                spellings(BrandCategory::ALL, BrandCategory::as_str)
            ))
        })
    }
}

/// Parses one CSV file: checks the header has `required` columns, then maps each row.
fn parse_csv<T>(
    file: &'static str,
    bytes: &[u8],
    required: &[&'static str],
    optional: &[&'static str],
    mut row: impl FnMut(&Fields<'_>) -> Result<T, MasterError>,
) -> Result<Vec<T>, MasterError> {
    let csv_error = |e: csv::Error| {
        let line = e.position().map(|p| p.line()).unwrap_or(1);
        let reason = match e.kind() {
            csv::ErrorKind::Utf8 { .. } => "invalid UTF-8".to_owned(),
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("{len} fields where the header has {expected_len}"),
            _ => e.to_string(),
        };
        MasterError::Dictionary {
            file: file.to_owned(),
            line,
            reason,
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader.headers().map_err(csv_error)?.clone();
    let mut index = BTreeMap::new();
    for name in required.iter().chain(optional) {
        if let Some(i) = headers.iter().position(|h| h == *name) {
            index.insert(*name, i);
        }
    }
    let missing: Vec<&str> = required
        .iter()
        .filter(|c| !index.contains_key(*c))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(MasterError::Dictionary {
            file: file.to_owned(),
            line: 1,
            reason: format!(
                "header lacks column(s) {}; expected {}",
                missing.join(", "),
                required.join(",")
            ),
        });
    }
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(e)),
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let fields = Fields {
            file,
            line,
            record: &record,
            index: &index,
        };
        out.push(row(&fields)?);
    }
    Ok(out)
}

/// Rejects a repeated key, naming the line of its first occurrence.
struct UniqueKeys {
    what: &'static str,
    seen: BTreeMap<String, u64>,
}

impl UniqueKeys {
    fn new(what: &'static str) -> Self {
        Self {
            what,
            seen: BTreeMap::new(),
        }
    }

    fn check(&mut self, f: &Fields<'_>, key: String) -> Result<(), MasterError> {
        if let Some(first) = self.seen.get(&key) {
            return Err(f.error(format!(
                "duplicate {} \"{key}\" (first on line {first})",
                self.what
            )));
        }
        self.seen.insert(key, f.line);
        Ok(())
    }
}

fn require_rows<T>(file: &'static str, rows: Vec<T>) -> Result<Vec<T>, MasterError> {
    if rows.is_empty() {
        return Err(MasterError::Dictionary {
            file: file.to_owned(),
            line: 1,
            reason: "the file has no data rows".to_owned(),
        });
    }
    Ok(rows)
}

fn is_zip(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    match b.len() {
        5 => digits(b),
        10 => digits(&b[..5]) && b[5] == b'-' && digits(&b[6..]),
        _ => false,
    }
}

fn parse_geographies(bytes: &[u8]) -> Result<Vec<GeographyEntry>, MasterError> {
    const FILE: &str = "geographies.csv";
    let mut keys = UniqueKeys::new("city,state,zip");
    let rows = parse_csv(
        FILE,
        bytes,
        &[
            "city",
            "state",
            "zip",
            "district",
            "region",
            "latitude",
            "longitude",
            "time_zone",
        ],
        &[],
        |f| {
            let city = f.non_empty("city")?;
            let state = f.state("state")?;
            let zip = f.get("zip").to_owned();
            if !is_zip(&zip) {
                return Err(f.error(format!(
                    "zip \"{zip}\" is not 5 digits or ZIP+4 (ddddd-dddd)"
                )));
            }
            let district = f.non_empty("district")?;
            let region_text = f.get("region");
            let region = Region::parse(region_text).ok_or_else(|| {
                f.error(format!(
                    "region \"{region_text}\" is not one of {}",
                    spellings(Region::ALL, Region::as_str)
                ))
            })?;
            let latitude = f.number("latitude", -90.0, 90.0)?;
            let longitude = f.number("longitude", -180.0, 180.0)?;
            let time_zone = f.get("time_zone").to_owned();
            let tz: Tz = time_zone.parse().map_err(|_| {
                f.error(format!(
                    "time_zone \"{time_zone}\" is not an IANA zone of the bundled tz database"
                ))
            })?;
            keys.check(f, format!("{city},{state},{zip}"))?;
            Ok(GeographyEntry {
                city,
                state,
                zip,
                district,
                region,
                latitude,
                longitude,
                time_zone,
                tz,
            })
        },
    )?;
    require_rows(FILE, rows)
}

fn parse_names(file: &'static str, bytes: &[u8]) -> Result<Vec<String>, MasterError> {
    let mut keys = UniqueKeys::new("name");
    let rows = parse_csv(file, bytes, &["name"], &[], |f| {
        let name = f.non_empty("name")?;
        keys.check(f, name.clone())?;
        Ok(name)
    })?;
    require_rows(file, rows)
}

/// Exact decimal text → integer scaled by 10^`scale`, rounding extra digits half away from
/// zero when `allow_extra` (else rejecting them). Only plain `[+-]digits[.digits]` is accepted.
fn parse_scaled_decimal(text: &str, scale: u32, allow_extra: bool) -> Option<i64> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int_part, frac_part) = match unsigned.split_once('.') {
        Some((i, f)) => (i, f),
        None => (unsigned, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int_part.is_empty() && frac_part.is_empty())
        || !all_digits(int_part)
        || !all_digits(frac_part)
        || int_part.len() > 12
    {
        return None;
    }
    let scale = scale as usize;
    if frac_part.len() > scale && !allow_extra {
        return None;
    }
    let int_value: i64 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().ok()?
    };
    let mut value = int_value.checked_mul(10i64.pow(scale as u32))?;
    let kept = &frac_part[..frac_part.len().min(scale)];
    let mut frac_value: i64 = 0;
    for (i, b) in kept.bytes().enumerate() {
        frac_value += i64::from(b - b'0') * 10i64.pow((scale - 1 - i) as u32);
    }
    value += frac_value;
    if frac_part.len() > scale && frac_part.as_bytes()[scale] >= b'5' {
        value += 1;
    }
    Some(if negative { -value } else { value })
}

fn parse_products(bytes: &[u8]) -> Result<Vec<ProductEntry>, MasterError> {
    const FILE: &str = "products.csv";
    let mut keys = UniqueKeys::new("product_name");
    let rows = parse_csv(
        FILE,
        bytes,
        &[
            "product_name",
            "base_price",
            "department",
            "category",
            "subcategory",
        ],
        &["tags"],
        |f| {
            let product_name = f.non_empty("product_name")?;
            let price_text = f.get("base_price");
            let base_price_cents = parse_scaled_decimal(price_text, 2, true).ok_or_else(|| {
                f.error(format!(
                    "base_price \"{price_text}\" is not a decimal number of dollars"
                ))
            })?;
            if base_price_cents <= 0 {
                return Err(f.error(format!(
                    "base_price {price_text} is not positive (at least 0.01 after rounding to cents)"
                )));
            }
            let department = f.non_empty("department")?;
            let category = f.non_empty("category")?;
            let subcategory = f.non_empty("subcategory")?;
            let tags = Some(f.get("tags").to_owned()).filter(|t| !t.is_empty());
            keys.check(f, product_name.clone())?;
            Ok(ProductEntry {
                product_name,
                base_price_cents,
                department,
                category,
                subcategory,
                tags,
            })
        },
    )?;
    require_rows(FILE, rows)
}

fn parse_brands(bytes: &[u8]) -> Result<Vec<BrandEntry>, MasterError> {
    const FILE: &str = "brands.csv";
    let mut keys = UniqueKeys::new("brand");
    let rows = parse_csv(
        FILE,
        bytes,
        &["brand", "company", "brand_category"],
        &[],
        |f| {
            let brand = f.non_empty("brand")?;
            let company = f.non_empty("company")?;
            let brand_category = f.brand_category("brand_category")?;
            keys.check(f, brand.clone())?;
            Ok(BrandEntry {
                brand,
                company,
                brand_category,
            })
        },
    )?;
    require_rows(FILE, rows)
}

fn parse_product_tags(bytes: &[u8]) -> Result<Vec<ProductTagEntry>, MasterError> {
    let mut keys = UniqueKeys::new("product_name");
    parse_csv(
        "product_tags.csv",
        bytes,
        &["product_name", "tags"],
        &[],
        |f| {
            let product_name = f.non_empty("product_name")?;
            let tags = f.non_empty("tags")?;
            keys.check(f, product_name.clone())?;
            Ok(ProductTagEntry { product_name, tags })
        },
    )
}

fn parse_tax_rates(bytes: &[u8]) -> Result<Vec<TaxRateEntry>, MasterError> {
    let mut keys = UniqueKeys::new("state,county,city");
    parse_csv(
        "tax_rates.csv",
        bytes,
        &["state", "county", "city", "combined_rate"],
        &[],
        |f| {
            let state = f.state("state")?;
            let county = f.get("county").to_owned();
            let city = f.get("city").to_owned();
            let rate_text = f.get("combined_rate");
            let rate_bps = parse_scaled_decimal(rate_text, 4, false).ok_or_else(|| {
                f.error(format!(
                    "combined_rate \"{rate_text}\" is not a decimal fraction with at most 4 decimals"
                ))
            })?;
            if !(0..=2000).contains(&rate_bps) {
                return Err(f.error(format!("combined_rate {rate_text} is outside [0, 0.20]")));
            }
            keys.check(f, format!("{state},{county},{city}"))?;
            Ok(TaxRateEntry {
                state,
                county,
                city,
                rate_bps: rate_bps as i32,
            })
        },
    )
}

fn parse_brand_category_map(bytes: &[u8]) -> Result<Vec<BrandCategoryMapEntry>, MasterError> {
    let mut keys = UniqueKeys::new("department,category");
    parse_csv(
        "brand_category_map.csv",
        bytes,
        &["department", "category", "brand_category"],
        &[],
        |f| {
            let department = f.non_empty("department")?;
            let category = f.non_empty("category")?;
            let brand_category = f.brand_category("brand_category")?;
            keys.check(f, format!("{department},{category}"))?;
            Ok(BrandCategoryMapEntry {
                department,
                category,
                brand_category,
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        assert_eq!(parse_scaled_decimal("0.0825", 4, false), Some(825));
        assert_eq!(parse_scaled_decimal("0.07", 4, false), Some(700));
        assert_eq!(parse_scaled_decimal(".1", 4, false), Some(1000));
        assert_eq!(parse_scaled_decimal("0.08255", 4, false), None);
        assert_eq!(parse_scaled_decimal("3.995", 2, true), Some(400));
        assert_eq!(parse_scaled_decimal("12", 2, true), Some(1200));
        assert_eq!(parse_scaled_decimal("1e3", 2, true), None);
        assert_eq!(parse_scaled_decimal("", 2, true), None);
        assert_eq!(parse_scaled_decimal(".", 2, true), None);
    }

    #[test]
    fn zip_formats() {
        assert!(is_zip("02134"));
        assert!(is_zip("02134-1234"));
        assert!(!is_zip("2134"));
        assert!(!is_zip("02134-12"));
        assert!(!is_zip("0213A"));
    }
}
