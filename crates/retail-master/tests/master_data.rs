//! Invariants of the generated dimensions (data-contract §3, §4, §7.3–§7.4, §13 1, 2, 4, 6, 11).

mod common;

use std::collections::BTreeSet;

use chrono_tz::Tz;
use retail_master::{
    Dictionaries, FleetType, MasterData, MobilitySegment, haversine_miles, two_nearest_stores,
};

fn small() -> MasterData {
    MasterData::generate(&common::small_config(), &common::bundled()).unwrap()
}

fn assert_dense<T>(rows: &[T], id: impl Fn(&T) -> i64, table: &str) {
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(id(r), i as i64 + 1, "{table}: ids are dense 1..N in order");
    }
}

fn is_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn check_invariants(m: &MasterData) {
    let v_geo = m.geographies.len();
    assert!(v_geo > 0);
    assert_dense(&m.geographies, |r| r.geography_id, "dim_geographies");
    assert_dense(
        &m.distribution_centers,
        |r| r.dc_id,
        "dim_distribution_centers",
    );
    assert_dense(&m.stores, |r| r.store_id, "dim_stores");
    assert_dense(&m.trucks, |r| r.truck_id, "dim_trucks");
    assert_dense(&m.customers, |r| r.customer_id, "dim_customers");
    assert_dense(&m.products, |r| r.product_id, "dim_products");

    // Geographies.
    for g in &m.geographies {
        assert!(["URBAN", "SUBURBAN", "RURAL"].contains(&g.urbanicity.as_str()));
        assert!(g.time_zone.parse::<Tz>().is_ok());
        let zip = g.zip_code.as_str();
        assert!(
            is_digits(zip, 5) || (zip.len() == 10 && is_digits(&zip[..5], 5) && &zip[5..6] == "-"),
            "{zip}"
        );
    }

    // DCs: format, FK, one per geography, zone copied, jitter within ±0.05.
    let mut dc_geos = BTreeSet::new();
    for d in &m.distribution_centers {
        assert_eq!(d.dc_number, format!("DC{:03}", d.dc_id));
        let g = m.geography(d.geography_id).expect("DC geography resolves");
        assert!(
            dc_geos.insert(d.geography_id),
            "at most one DC per geography"
        );
        assert_eq!(d.time_zone, g.time_zone);
        assert!((d.latitude - g.latitude).abs() <= 0.05);
        assert!((d.longitude - g.longitude).abs() <= 0.05);
        assert!(
            d.address
                .ends_with(&format!(", {}, {} {}", g.city, g.state, g.zip_code))
        );
    }

    // Stores.
    let dc_states: BTreeSet<&str> = m
        .distribution_centers
        .iter()
        .map(|d| m.geography(d.geography_id).unwrap().state.as_str())
        .collect();
    for s in &m.stores {
        assert_eq!(s.store_number, format!("S{:06}", s.store_id));
        let g = m
            .geography(s.geography_id)
            .expect("store geography resolves");
        assert!(
            dc_states.contains(g.state.as_str()),
            "store state hosts a DC"
        );
        assert!(m.dc(s.dc_id).is_some(), "store DC resolves");
        assert_eq!(s.time_zone, g.time_zone, "store zone = geography zone");
        assert!(s.time_zone.parse::<Tz>().is_ok(), "store zone exists");
        let expected = match s.hours_label.as_str() {
            "24/7" => (0, 1440),
            "06:00-24:00" => (360, 1440),
            "08:00-22:00" => (480, 1320),
            "09:00-21:00" => (540, 1260),
            other => panic!("hours_label {other}"),
        };
        assert_eq!((s.open_minute, s.close_minute), expected);
        assert!(s.open_minute < s.close_minute);
        let (lo, hi) = match s.volume_class.as_str() {
            "FLAGSHIP" => (2.5, 3.0),
            "HIGH_VOLUME" => (1.8, 2.4),
            "MEDIUM_VOLUME" => (0.8, 1.2),
            "LOW_VOLUME" => (0.4, 0.7),
            "KIOSK" => (0.25, 0.35),
            other => panic!("volume_class {other}"),
        };
        assert!((lo..hi).contains(&s.daily_traffic_multiplier));
        assert!(
            [
                "HYPERMARKET",
                "SUPERSTORE",
                "STANDARD",
                "NEIGHBORHOOD",
                "EXPRESS"
            ]
            .contains(&s.store_format.as_str())
        );
        assert!((0..=2000).contains(&s.tax_rate_bps));
        assert!((s.latitude - g.latitude).abs() <= 0.05);
    }

    // Placement order: DCs and store ids walk geographies by placement weight, descending.
    let weight = |geography_id: i64| m.geography_weights[geography_id as usize - 1];
    assert!(
        m.distribution_centers
            .windows(2)
            .all(|w| weight(w[0].geography_id) >= weight(w[1].geography_id))
    );
    assert!(
        m.stores
            .windows(2)
            .all(|w| weight(w[0].geography_id) >= weight(w[1].geography_id))
    );
    // DC_FLEET trucks are dealt round-robin in dc_id order.
    let dcs = m.distribution_centers.len() as i64;
    for (i, t) in m
        .trucks
        .iter()
        .filter(|t| t.fleet_type == "DC_FLEET")
        .enumerate()
    {
        assert_eq!(t.home_dc_id, Some(i as i64 % dcs + 1));
    }

    // §13.6: every DC serves ≥ 1 store and owns ≥ 1 DC_FLEET truck.
    for d in &m.distribution_centers {
        assert!(
            m.stores.iter().any(|s| s.dc_id == d.dc_id),
            "{} serves a store",
            d.dc_number
        );
        assert!(!m.stores_served_by(d.dc_id).is_empty());
        assert!(
            m.trucks
                .iter()
                .any(|t| t.fleet_type == "DC_FLEET" && t.home_dc_id == Some(d.dc_id)),
            "{} owns a DC_FLEET truck",
            d.dc_number
        );
    }

    // Trucks: home DC iff DC_FLEET, group order, refrigerated first inside a group.
    let mut last_group = 0;
    for t in &m.trucks {
        let fleet = FleetType::parse(&t.fleet_type).expect("fleet type");
        assert!(
            fleet.index() >= last_group,
            "DC_FLEET, then POOL, then SUPPLIER"
        );
        last_group = fleet.index();
        assert_eq!(t.home_dc_id.is_some(), fleet == FleetType::DcFleet);
        if let Some(dc) = t.home_dc_id {
            assert!(m.dc(dc).is_some());
        }
        let p = t.license_plate.as_bytes();
        assert!(p.len() == 7 && p[..3].iter().all(u8::is_ascii_uppercase));
        assert!(p[3..].iter().all(u8::is_ascii_digit), "{}", t.license_plate);
    }
    for group in ["POOL", "SUPPLIER"] {
        let fridge: Vec<bool> = m
            .trucks
            .iter()
            .filter(|t| t.fleet_type == group)
            .map(|t| t.refrigerated)
            .collect();
        assert!(
            fridge.windows(2).all(|w| w[0] >= w[1]),
            "{group}: refrigerated first"
        );
    }

    // Customers.
    for c in &m.customers {
        let g = m
            .geography(c.geography_id)
            .expect("customer geography resolves");
        assert!(m.store(c.primary_store_id).is_some());
        if m.stores.len() > 1 {
            let second = c.secondary_store_id.expect("secondary store exists");
            assert!(m.store(second).is_some());
            assert_ne!(second, c.primary_store_id);
        } else {
            assert_eq!(c.secondary_store_id, None);
        }
        let id = c.customer_id;
        assert!(c.loyalty_card.starts_with(&format!("LC{id:09}")));
        let suffix: i64 = c.loyalty_card[11..].parse().unwrap();
        assert!(c.loyalty_card.len() == 14 && (100..=999).contains(&suffix));
        let code = retail_master::base36_code(id);
        assert_eq!(c.ble_id, format!("BLE{code}"));
        assert_eq!(c.ad_id, format!("AD{code}"));
        assert!(c.ble_id.len() == 9 && c.ble_id[3..].bytes().all(|b| b.is_ascii_alphanumeric()));
        let ph = c.phone.as_bytes();
        assert_eq!(ph.len(), 14, "{}", c.phone);
        assert!(["555", "800", "888", "877", "866"].contains(&&c.phone[1..4]));
        assert!(ph[0] == b'(' && ph[4] == b')' && ph[5] == b' ' && ph[9] == b'-');
        let exchange: u32 = c.phone[6..9].parse().unwrap();
        let number: u32 = c.phone[10..].parse().unwrap();
        assert!((200..=999).contains(&exchange) && (1000..=9999).contains(&number));
        assert!(
            c.address
                .ends_with(&format!(", {}, {} {}", g.city, g.state, g.zip_code))
        );
        assert!(
            [
                "BUDGET_CONSCIOUS",
                "CONVENIENCE_FOCUSED",
                "QUALITY_SEEKER",
                "BRAND_LOYAL"
            ]
            .contains(&c.shopper_segment.as_str())
        );
        assert!(MobilitySegment::parse(&c.mobility_segment).is_some());
    }

    // §13.2 uniqueness.
    let unique = |values: Vec<&str>, what: &str| {
        let n = values.len();
        let set: BTreeSet<&str> = values.into_iter().collect();
        assert_eq!(set.len(), n, "{what} values are unique");
    };
    unique(
        m.customers.iter().map(|c| c.ble_id.as_str()).collect(),
        "ble_id",
    );
    unique(
        m.customers.iter().map(|c| c.ad_id.as_str()).collect(),
        "ad_id",
    );
    unique(
        m.customers
            .iter()
            .map(|c| c.loyalty_card.as_str())
            .collect(),
        "loyalty_card",
    );
    unique(
        m.trucks.iter().map(|t| t.license_plate.as_str()).collect(),
        "license_plate",
    );

    // Products: §13.11 pricing, sku format, enums.
    for p in &m.products {
        assert_eq!(p.sku, format!("SKU-{:07}", p.product_id));
        let (cost, sale, msrp) = (p.cost.0, p.sale_price.0, p.msrp.0);
        assert!(1 <= cost && cost < sale && sale <= msrp, "{p:?}");
        let ratio = cost as f64 / sale as f64;
        assert!((0.4999..=0.8520).contains(&ratio), "{p:?}");
        assert!(
            [
                "food",
                "beverages",
                "household",
                "personal_care",
                "electronics",
                "clothing",
                "home_garden",
                "other"
            ]
            .contains(&p.basket_category.as_str())
        );
        assert!(["TAXABLE", "REDUCED_RATE", "NON_TAXABLE"].contains(&p.taxability.as_str()));
        if let Some(tags) = &p.tags {
            assert!(!tags.is_empty() && !tags.contains(' ') && tags.to_lowercase() == *tags);
        }
        let days = p.launch_date.0 - m.start_date.0;
        assert!((-730..=365).contains(&days), "{p:?}");
    }
    assert_eq!(m.product_popularity.len(), m.products.len());
    assert!(
        m.product_popularity
            .iter()
            .all(|p| p.is_finite() && *p > 0.0)
    );
}

#[test]
fn small_profile_dimensions_hold_every_invariant() {
    let m = small();
    let c = common::small_config();
    assert_eq!(m.geographies.len(), 6);
    assert_eq!(m.distribution_centers.len(), 2);
    assert_eq!(m.stores.len(), 4);
    assert_eq!(m.customers.len(), 3000);
    assert_eq!(m.products.len(), 400);
    assert_eq!(m.trucks.len(), 5);
    assert!(
        m.trucks
            .iter()
            .all(|t| t.capacity_units == c.volume.truck_capacity as i32)
    );
    check_invariants(&m);
}

#[test]
fn default_layout_dimensions_hold_every_invariant() {
    let m =
        MasterData::generate(&common::default_layout_config(20_000), &common::bundled()).unwrap();
    assert_eq!(m.stores.len(), 86);
    assert_eq!(m.products.len(), 10_000);
    // F = 20, A = max(20, round(20 × 0.85)) = 20: the whole fleet is DC_FLEET.
    assert_eq!(m.trucks.len(), 50);
    assert_eq!(
        m.trucks
            .iter()
            .filter(|t| t.fleet_type == "DC_FLEET")
            .count(),
        20
    );
    check_invariants(&m);
}

#[test]
fn as_many_dcs_as_stores_forces_reassignment_to_one_store_each() {
    let mut c = common::small_config();
    c.volume.total_geographies = 12;
    c.volume.dcs = 8;
    c.volume.stores = 8;
    c.volume.total_customers = 500;
    c.volume.refrigerated_trucks = 4;
    c.volume.non_refrigerated_trucks = 6;
    c.volume.truck_dc_assignment_rate = 0.5;
    let m = MasterData::generate(&c, &common::bundled()).unwrap();
    for d in &m.distribution_centers {
        assert_eq!(m.stores_served_by(d.dc_id).len(), 1, "{}", d.dc_number);
    }
    // A = max(8, round(10 × 0.5)) = 8 DC_FLEET, 2 POOL.
    assert_eq!(
        m.trucks.iter().filter(|t| t.fleet_type == "POOL").count(),
        2
    );
    check_invariants(&m);
}

#[test]
fn one_store_has_no_secondary_store() {
    let mut c = common::small_config();
    c.volume.dcs = 1;
    c.volume.stores = 1;
    c.volume.total_customers = 50;
    let m = MasterData::generate(&c, &common::bundled()).unwrap();
    assert!(m.customers.iter().all(|c| c.secondary_store_id.is_none()));
    check_invariants(&m);
}

#[test]
fn indexes_agree_with_the_rows() {
    let m = small();
    // Nearest stores are the brute-force two nearest (ties → lower store_id).
    for c in &m.customers {
        let g = m.geography(c.geography_id).unwrap();
        let mut by_distance: Vec<(f64, i64)> = m
            .stores
            .iter()
            .map(|s| {
                (
                    haversine_miles(g.latitude, g.longitude, s.latitude, s.longitude),
                    s.store_id,
                )
            })
            .collect();
        by_distance.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        assert_eq!(c.primary_store_id, by_distance[0].1);
        assert_eq!(c.secondary_store_id, Some(by_distance[1].1));
        assert_eq!(
            two_nearest_stores(g.latitude, g.longitude, &m.stores),
            Some((by_distance[0].1, Some(by_distance[1].1)))
        );
        let miles = m
            .geo_store_miles(c.geography_id, c.primary_store_id)
            .unwrap();
        assert_eq!(miles, by_distance[0].0);
    }
    // Every customer is in exactly one primary-store list and one group.
    let mut seen = vec![0u8; m.customers.len()];
    for s in &m.stores {
        for id in m.customers_of_store(s.store_id) {
            assert_eq!(m.customer(*id).unwrap().primary_store_id, s.store_id);
            seen[*id as usize - 1] += 1;
        }
    }
    for g in &m.customer_groups {
        assert!(g.customer_ids.windows(2).all(|w| w[0] < w[1]));
        for id in &g.customer_ids {
            let c = m.customer(*id).unwrap();
            assert_eq!(c.geography_id, g.geography_id);
            assert_eq!(c.mobility_segment, g.mobility.as_str());
            seen[*id as usize - 1] += 1;
        }
    }
    for d in &m.distribution_centers {
        let behind = m.customers_of_dc(d.dc_id);
        assert!(behind.windows(2).all(|w| w[0] < w[1]));
        for id in behind {
            let c = m.customer(*id).unwrap();
            assert_eq!(m.store(c.primary_store_id).unwrap().dc_id, d.dc_id);
            seen[*id as usize - 1] += 1;
        }
    }
    assert!(seen.iter().all(|n| *n == 3), "each customer once per index");
    for (i, s) in m.stores.iter().enumerate() {
        assert_eq!(m.store_tz(s.store_id).unwrap().name(), s.time_zone);
        assert_eq!(m.store_formats[i].as_str(), s.store_format);
    }
    assert!(m.store(0).is_none() && m.store(m.stores.len() as i64 + 1).is_none());
}

#[test]
fn customers_are_pure_functions_of_seed_and_id() {
    let m = small();
    let mut c = common::small_config();
    c.volume.total_customers = 10;
    let fewer = MasterData::generate(&c, &common::bundled()).unwrap();
    assert_eq!(fewer.customers[..], m.customers[..10]);
}

#[test]
fn same_seed_same_rows_different_seed_different_rows() {
    let dicts = common::bundled();
    let a = MasterData::generate(&common::small_config(), &dicts).unwrap();
    let b = MasterData::generate(&common::small_config(), &dicts).unwrap();
    assert_eq!(common::fingerprint(&a), common::fingerprint(&b));
    let mut other = common::small_config();
    other.seed = 43;
    let c = MasterData::generate(&other, &dicts).unwrap();
    assert_ne!(common::fingerprint(&a), common::fingerprint(&c));
    assert_ne!(a.customers, c.customers);
    assert_ne!(a.products, c.products);
    assert_ne!(a.trucks, c.trucks, "plates are seed-keyed");
    // Thread count never matters.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let single = pool.install(|| MasterData::generate(&common::small_config(), &dicts).unwrap());
    assert_eq!(common::fingerprint(&a), common::fingerprint(&single));
}

#[test]
fn fixture_dictionaries_generate_too() {
    let dicts = Dictionaries::load_dir(common::fixtures_dir().join("dictionaries")).unwrap();
    let m = MasterData::generate(&common::small_config(), &dicts).unwrap();
    check_invariants(&m);
    assert_eq!(m.dictionary_hash, dicts.hash);
}

#[test]
fn impossible_volumes_are_config_errors_not_panics() {
    let dicts = common::bundled();
    let mut c = common::small_config();
    c.volume.total_geographies = dicts.geographies.len() as u32 + 1;
    let e = MasterData::generate(&c, &dicts).unwrap_err();
    assert!(
        e.to_string().starts_with("config volume.total_geographies"),
        "{e}"
    );
    let mut c = common::small_config();
    c.volume.stores = 1;
    let e = MasterData::generate(&c, &dicts).unwrap_err();
    assert!(e.to_string().starts_with("config volume.stores"), "{e}");
    let mut c = common::small_config();
    c.volume.trucks_per_dc = Some(5);
    let e = MasterData::generate(&c, &dicts).unwrap_err();
    assert!(
        e.to_string().starts_with("config volume.trucks_per_dc"),
        "{e}"
    );
    let mut c = common::small_config();
    c.dates.start_date = "2024-13-01".into();
    let e = MasterData::generate(&c, &dicts).unwrap_err();
    assert!(e.to_string().starts_with("config dates.start_date"), "{e}");
}

#[test]
fn dim_date_covers_the_century_with_configured_closures() {
    let m = small();
    assert_eq!(m.dates.len(), 36_525);
    assert_eq!(m.dates[0].date_key, 20_000_101);
    assert_eq!(m.dates.last().unwrap().date_key, 20_991_231);
    assert!(m.dates.windows(2).all(|w| w[1].date.0 == w[0].date.0 + 1));
    let christmas = m.dates.iter().find(|d| d.date_key == 20_241_225).unwrap();
    assert!(christmas.is_store_closed && christmas.is_holiday);
    let thanksgiving = m.dates.iter().find(|d| d.date_key == 20_241_128).unwrap();
    assert!(thanksgiving.is_holiday && !thanksgiving.is_store_closed);
    let mut c = common::small_config();
    c.calendar.closed_holidays = vec!["thanksgiving".into()];
    let other = MasterData::generate(&c, &common::bundled()).unwrap();
    let tg = other
        .dates
        .iter()
        .find(|d| d.date_key == 20_241_128)
        .unwrap();
    assert!(tg.is_store_closed);
    c.calendar.closed_holidays = vec!["black_friday".into()];
    let e = MasterData::generate(&c, &common::bundled()).unwrap_err();
    assert!(
        e.to_string().starts_with("config calendar.closed_holidays"),
        "{e}"
    );
}
