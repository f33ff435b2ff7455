//! Distances and synthetic addresses (data-contract §7.3).

use retail_rng::Stream;

pub use retail_patterns::logistics::{EARTH_RADIUS_MILES, haversine_miles};

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
    let mut out = String::with_capacity(48 + city.len() + state.len() + zip.len());
    push_padded(&mut out, number as u64, 1);
    out.push(' ');
    if let Some(p) = prefix {
        out.push_str(p);
        out.push(' ');
    }
    out.push_str(STREET_NAMES[first]);
    if let Some(s) = second {
        out.push(' ');
        out.push_str(s);
    }
    for part in [" ", street_type, ", ", city, ", ", state, " ", zip] {
        out.push_str(part);
    }
    out
}

/// Appends `value` in decimal, left-padded with zeros to at least `width` digits (the
/// `{x:0N}` of data-contract §3) without going through `fmt`, which dominates customer
/// generation otherwise.
pub fn push_padded(out: &mut String, value: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut n = value;
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        n /= 10;
        len += 1;
        if n == 0 {
            break;
        }
    }
    for _ in len..width {
        out.push('0');
    }
    for d in digits[..len].iter().rev() {
        out.push(char::from(*d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_matches_format() {
        for (v, w) in [
            (0u64, 1usize),
            (5, 6),
            (48_213, 9),
            (1_234_567, 3),
            (u64::MAX, 4),
        ] {
            let mut s = String::from("x");
            push_padded(&mut s, v, w);
            assert_eq!(s, format!("x{v:0w$}"));
        }
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
