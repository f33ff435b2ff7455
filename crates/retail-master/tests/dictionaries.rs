//! Dictionary loading: the bundled files are valid, and every broken row is reported with its
//! file, line and reason.

mod common;

use std::path::Path;

use retail_master::{DICTIONARY_FILES, Dictionaries, MasterError};

fn copy_fixtures(to: &Path) {
    for name in DICTIONARY_FILES {
        std::fs::copy(
            common::fixtures_dir().join("dictionaries").join(name),
            to.join(name),
        )
        .unwrap();
    }
}

/// Loads the fixture dictionaries with `file` replaced by `text`.
fn load_with(file: &str, text: &str) -> Result<Dictionaries, MasterError> {
    let dir = tempfile::tempdir().unwrap();
    copy_fixtures(dir.path());
    std::fs::write(dir.path().join(file), text).unwrap();
    Dictionaries::load_dir(dir.path())
}

/// Replaces data row `row` (0-based) of a fixture file, which then sits on line row + 2.
fn with_row(file: &str, row: usize, replacement: &str) -> String {
    let text =
        std::fs::read_to_string(common::fixtures_dir().join("dictionaries").join(file)).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[row + 1] = replacement;
    lines.join("\n") + "\n"
}

fn message(result: Result<Dictionaries, MasterError>) -> String {
    match result {
        Err(e @ MasterError::Dictionary { .. }) => e.to_string(),
        Err(other) => panic!("expected a dictionary error, got {other}"),
        Ok(_) => panic!("expected a dictionary error, the file loaded"),
    }
}

#[test]
fn bundled_dictionaries_are_valid_and_large_enough() {
    let d = common::bundled();
    assert!(d.geographies.len() >= 500, "{}", d.geographies.len());
    assert!(!d.first_names.is_empty() && !d.last_names.is_empty());
    assert!(!d.products.is_empty() && !d.brands.is_empty());
    assert_eq!(d.hash.len(), 64);
    assert!(d.hash.bytes().all(|b| b.is_ascii_hexdigit()));
}

#[test]
fn fixture_dictionaries_load_and_hash_tracks_content() {
    let dir = common::fixtures_dir().join("dictionaries");
    let a = Dictionaries::load_dir(&dir).unwrap();
    assert_eq!(a.geographies.len(), 20);
    assert_eq!(a.geographies[7].zip, "02108", "leading zeros kept");
    assert_eq!(a.tax_rates[0].rate_bps, 1025);
    assert_eq!(a.products[7].base_price_cents, 899);
    assert_eq!(a, Dictionaries::load_dir(&dir).unwrap());
    let text = std::fs::read_to_string(dir.join("first_names.csv")).unwrap() + "Zelda\n";
    let b = load_with("first_names.csv", &text).unwrap();
    assert_ne!(a.hash, b.hash);
    assert_eq!(b.first_names.last().map(String::as_str), Some("Zelda"));
}

#[test]
fn bad_latitude_names_file_line_and_value() {
    let text = with_row(
        "geographies.csv",
        15,
        "Flagstaff,AZ,86001,Northern Arizona,Southwest,abc,-111.6513,America/Phoenix",
    );
    assert_eq!(
        message(load_with("geographies.csv", &text)),
        "geographies.csv line 17: latitude \"abc\" is not a number"
    );
}

#[test]
fn unknown_time_zone_is_rejected() {
    let text = with_row(
        "geographies.csv",
        0,
        "Chicago,IL,60601,Chicago Metro,Midwest,41.8858,-87.6181,America/Chicagoo",
    );
    assert_eq!(
        message(load_with("geographies.csv", &text)),
        "geographies.csv line 2: time_zone \"America/Chicagoo\" is not an IANA zone of the bundled tz database"
    );
}

#[test]
fn zip_region_state_and_coordinates_are_checked() {
    let cases = [
        (
            "Chicago,IL,6060,Chicago Metro,Midwest,41.8858,-87.6181,America/Chicago",
            "zip \"6060\" is not 5 digits or ZIP+4 (ddddd-dddd)",
        ),
        (
            "Chicago,IL,60601,Chicago Metro,Central,41.8858,-87.6181,America/Chicago",
            "region \"Central\" is not one of West, Midwest, Northeast, Southeast, Southwest",
        ),
        (
            "Chicago,Il,60601,Chicago Metro,Midwest,41.8858,-87.6181,America/Chicago",
            "state \"Il\" is not a 2-letter upper-case USPS code",
        ),
        (
            "Chicago,IL,60601,Chicago Metro,Midwest,41.8858,-187.6181,America/Chicago",
            "longitude -187.6181 is outside [-180, 180]",
        ),
        (
            "Chicago,IL,60601,Chicago Metro,Midwest,41.8858,-87.6181",
            "7 fields where the header has 8",
        ),
        (
            "Naperville,IL,60540,Suburban DuPage,Midwest,41.7662,-88.1411,America/Chicago",
            "duplicate city,state,zip \"Naperville,IL,60540\" (first on line 3)",
        ),
    ];
    for (row, reason) in cases {
        let text = with_row("geographies.csv", 2, row);
        assert_eq!(
            message(load_with("geographies.csv", &text)),
            format!("geographies.csv line 4: {reason}")
        );
    }
}

#[test]
fn tax_rates_prices_brands_and_names_are_checked() {
    let cases = [
        (
            "tax_rates.csv",
            4,
            "TX,Travis,Austin,0.25",
            "combined_rate 0.25 is outside [0, 0.20]",
        ),
        (
            "tax_rates.csv",
            4,
            "TX,Travis,Austin,0.08255",
            "combined_rate \"0.08255\" is not a decimal fraction with at most 4 decimals",
        ),
        (
            "tax_rates.csv",
            4,
            "TX,Harris,Houston,0.0825",
            "duplicate state,county,city \"TX,Harris,Houston\" (first on line 5)",
        ),
        (
            "products.csv",
            0,
            "Whole Milk,free,Grocery,Dairy & Alternatives,Milk,",
            "base_price \"free\" is not a decimal number of dollars",
        ),
        (
            "products.csv",
            0,
            "Whole Milk,0.00,Grocery,Dairy & Alternatives,Milk,",
            "base_price 0.00 is not positive (at least 0.01 after rounding to cents)",
        ),
        (
            "brands.csv",
            0,
            "Golden Acre,Harvest Foods Co,Groceries",
            "brand_category \"Groceries\" is not one of Food, Electronics, Clothing, Health, Pet, Automotive, Office, Sports, Home",
        ),
        (
            "first_names.csv",
            1,
            "Avery",
            "duplicate name \"Avery\" (first on line 2)",
        ),
        ("last_names.csv", 0, "  ", "name is empty"),
    ];
    for (file, row, replacement, reason) in cases {
        let text = with_row(file, row, replacement);
        assert_eq!(
            message(load_with(file, &text)),
            format!("{file} line {}: {reason}", row + 2),
            "{file} row {row}"
        );
    }
}

#[test]
fn header_and_file_problems_are_reported() {
    assert_eq!(
        message(load_with("brands.csv", "brand,company\nX,Y\n")),
        "brands.csv line 1: header lacks column(s) brand_category; expected brand,company,brand_category"
    );
    assert_eq!(
        message(load_with("first_names.csv", "name\n")),
        "first_names.csv line 1: the file has no data rows"
    );
    let dir = tempfile::tempdir().unwrap();
    copy_fixtures(dir.path());
    std::fs::remove_file(dir.path().join("tax_rates.csv")).unwrap();
    let err = Dictionaries::load_dir(dir.path()).unwrap_err();
    assert!(matches!(err, MasterError::Io { .. }), "{err}");
    assert!(err.to_string().contains("tax_rates.csv"), "{err}");
}
