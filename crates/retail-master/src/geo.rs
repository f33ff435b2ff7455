//! Distances and synthetic addresses (data-contract §7.3).

use retail_rng::Stream;

/// Earth radius of the contract's haversine, in miles.
pub const EARTH_RADIUS_MILES: f64 = 3_958.8;

/// Great-circle distance in miles between two WGS84 points (degrees), with `libm` functions in
/// source order so every platform gets the same bits (§12.3).
pub fn haversine_miles(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let to_rad = std::f64::consts::PI / 180.0;
    let phi1 = lat1 * to_rad;
    let phi2 = lat2 * to_rad;
    let half_dphi = (lat2 - lat1) * to_rad / 2.0;
    let half_dlambda = (lon2 - lon1) * to_rad / 2.0;
    let sin_dphi = libm::sin(half_dphi);
    let sin_dlambda = libm::sin(half_dlambda);
    let a = sin_dphi * sin_dphi + libm::cos(phi1) * libm::cos(phi2) * sin_dlambda * sin_dlambda;
    // Rounding can push `a` a hair above 1 for antipodal points.
    let a = a.clamp(0.0, 1.0);
    2.0 * EARTH_RADIUS_MILES * libm::asin(libm::sqrt(a))
}

/// Street-name vocabulary of §7.3 (42 names).
pub const STREET_NAMES: [&str; 42] = [
    "Maple",
    "Oak",
    "Pine",
    "Cedar",
    "Elm",
    "Birch",
    "Willow",
    "Walnut",
    "Chestnut",
    "Spruce",
    "Hickory",
    "Ash",
    "Poplar",
    "Sycamore",
    "Magnolia",
    "Juniper",
    "Laurel",
    "Aspen",
    "Cypress",
    "Dogwood",
    "Park",
    "Lake",
    "Hill",
    "River",
    "Meadow",
    "Forest",
    "Spring",
    "Sunset",
    "Highland",
    "Valley",
    "Ridge",
    "Prairie",
    "Washington",
    "Lincoln",
    "Jefferson",
    "Madison",
    "Franklin",
    "Adams",
    "Monroe",
    "Jackson",
    "Main",
    "Church",
];

/// Directional prefixes of §7.3.
pub const STREET_PREFIXES: [&str; 8] = ["N", "S", "E", "W", "NE", "NW", "SE", "SW"];

/// Street types of §7.3.
pub const STREET_TYPES: [&str; 10] = [
    "St", "Ave", "Blvd", "Dr", "Ln", "Ct", "Pl", "Way", "Rd", "Cir",
];

/// Kind of address: decides the house-number range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressKind {
    /// Customers: U{100..9999}.
    Residential,
    /// Stores: U{1000..99999}.
    Commercial,
    /// DCs: U{1..999}.
    Industrial,
}

/// Draws `{number} {prefix }{street} {type}, {city}, {state} {zip_code}`.
///
/// Draw order: number; prefix coin (p .30) then prefix; street; second-name coin (p .30) then
/// the second name, uniform over the other 41 names so no street reads "Maple Maple"; type.
pub fn draw_address(
    stream: &mut Stream,
    kind: AddressKind,
    city: &str,
    state: &str,
    zip: &str,
) -> String {
    let number = match kind {
        AddressKind::Residential => stream.range_inclusive(100, 9_999),
        AddressKind::Commercial => stream.range_inclusive(1_000, 99_999),
        AddressKind::Industrial => stream.range_inclusive(1, 999),
    };
    let prefix = if stream.bernoulli(0.30) {
        Some(STREET_PREFIXES[stream.below(STREET_PREFIXES.len() as u64) as usize])
    } else {
        None
    };
    let first = stream.below(STREET_NAMES.len() as u64) as usize;
    let second = if stream.bernoulli(0.30) {
        let other = stream.below(STREET_NAMES.len() as u64 - 1) as usize;
        Some(STREET_NAMES[if other >= first { other + 1 } else { other }])
    } else {
        None
    };
    let street_type = STREET_TYPES[stream.below(STREET_TYPES.len() as u64) as usize];
    let mut out = String::with_capacity(64);
    use std::fmt::Write;
    let _ = write!(out, "{number} ");
    if let Some(p) = prefix {
        out.push_str(p);
        out.push(' ');
    }
    out.push_str(STREET_NAMES[first]);
    if let Some(s) = second {
        out.push(' ');
        out.push_str(s);
    }
    let _ = write!(out, " {street_type}, {city}, {state} {zip}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_matches_known_distances() {
        // Chicago Loop to Boston Common ≈ 851 miles.
        let d = haversine_miles(41.8858, -87.6181, 42.3576, -71.0637);
        assert!((d - 851.0).abs() < 5.0, "{d}");
        assert_eq!(haversine_miles(30.0, -90.0, 30.0, -90.0), 0.0);
        let half_circumference = std::f64::consts::PI * EARTH_RADIUS_MILES;
        assert!((haversine_miles(0.0, 0.0, 0.0, 180.0) - half_circumference).abs() < 1e-6);
    }

    #[test]
    fn addresses_follow_the_pattern() {
        let mut s = Stream::new(1, "test_address", &[]);
        for _ in 0..500 {
            let a = draw_address(&mut s, AddressKind::Industrial, "Austin", "TX", "78701");
            assert!(a.ends_with(", Austin, TX 78701"), "{a}");
            let number: i64 = a.split(' ').next().unwrap().parse().unwrap();
            assert!((1..=999).contains(&number), "{a}");
            let street = a.split(',').next().unwrap();
            let words: Vec<&str> = street.split(' ').collect();
            assert!(STREET_TYPES.contains(words.last().unwrap()), "{a}");
            assert!((3..=5).contains(&words.len()), "{a}");
            if words.len() == 5 {
                assert_ne!(words[2], words[3], "{a}");
            }
        }
    }
}
