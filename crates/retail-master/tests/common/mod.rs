#![allow(dead_code)]

use std::path::PathBuf;

use retail_config::Config;
use retail_master::{Dictionaries, MasterData};
use sha2::{Digest, Sha256};

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The `small` profile of data-contract §10.2, deserialised straight into the model struct.
pub fn small_config() -> Config {
    let text = std::fs::read_to_string(fixtures_dir().join("small_config.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The `default` profile's dimension volumes with fewer customers (tests stay fast).
pub fn default_layout_config(customers: u64) -> Config {
    let mut c = small_config();
    c.dates.start_date = "2024-03-01".into();
    c.dates.end_date = "2024-03-31".into();
    let v = &mut c.volume;
    v.total_geographies = 20;
    v.dcs = 20;
    v.stores = 86;
    v.total_customers = customers;
    v.total_products = 10_000;
    v.refrigerated_trucks = 8;
    v.non_refrigerated_trucks = 12;
    v.supplier_refrigerated_trucks = 12;
    v.supplier_non_refrigerated_trucks = 18;
    v.truck_dc_assignment_rate = 0.85;
    c
}

pub fn bundled() -> Dictionaries {
    Dictionaries::bundled().expect("bundled dictionaries are valid")
}

struct HashWriter(Sha256);

impl std::fmt::Write for HashWriter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

/// SHA-256 of the Debug rendering of every dimension table (a canonical serialisation: the
/// row structs' Debug output lists every field in declaration order).
pub fn fingerprint(m: &MasterData) -> String {
    use std::fmt::Write;
    let mut w = HashWriter(Sha256::new());
    write!(
        w,
        "{:?}{:?}{:?}{:?}{:?}{:?}{:?}",
        m.geographies, m.distribution_centers, m.stores, m.trucks, m.customers, m.products, m.dates
    )
    .unwrap();
    write!(w, "{:?}", m.product_popularity).unwrap();
    hex::encode(w.0.finalize())
}
