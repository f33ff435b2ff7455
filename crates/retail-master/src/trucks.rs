//! Trucks: DC fleet dealt round-robin, pool, supplier trucks, license plates (§7.3).

use retail_config::Volume;
use retail_rng::{Stream, round_half_away};
use retail_schemas::tables::DimTruck;

use crate::enums::FleetType;
use crate::error::MasterError;

/// Size of the plate space: 26³ letter triples × 10⁴ digit quadruples = 2⁷ × 5⁴ × 13³.
pub const PLATE_SPACE: u64 = 175_760_000;

/// The seed-keyed affine bijection `n = (a × truck_id + b) mod PLATE_SPACE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlateKey {
    /// Multiplier: odd and divisible by neither 5 nor 13, hence invertible mod the space.
    pub a: u64,
    /// Offset.
    pub b: u64,
}

impl PlateKey {
    /// Draws from the `plate_key` stream (§12.2): `a` by rejection (uniform below the space
    /// until coprime to it), then `b` uniform below the space.
    pub fn draw(seed: u64) -> Self {
        let mut stream = Stream::new(seed, "plate_key", &[]);
        let a = loop {
            let a = stream.below(PLATE_SPACE);
            if a % 2 == 1 && a % 5 != 0 && a % 13 != 0 {
                break a;
            }
        };
        let b = stream.below(PLATE_SPACE);
        Self { a, b }
    }

    /// The plate of a truck: 3 letters (base 26, most significant first) + 4 digits.
    pub fn plate(self, truck_id: i64) -> String {
        let id = (truck_id as u64) % PLATE_SPACE;
        let n = ((self.a as u128 * id as u128 + self.b as u128) % PLATE_SPACE as u128) as u64;
        let letters = n / 10_000;
        let digits = n % 10_000;
        let l = |k: u32| char::from(b'A' + ((letters / 26u64.pow(k)) % 26) as u8);
        format!("{}{}{}{digits:04}", l(2), l(1), l(0))
    }
}

/// Number of fleet trucks that become DC_FLEET (§7.3).
pub fn assigned_fleet_count(volume: &Volume) -> Result<u64, MasterError> {
    let dcs = u64::from(volume.dcs);
    let fleet = u64::from(volume.refrigerated_trucks) + u64::from(volume.non_refrigerated_trucks);
    let assigned = match volume.trucks_per_dc {
        Some(per_dc) => dcs * u64::from(per_dc),
        None => {
            dcs.max(round_half_away(fleet as f64 * volume.truck_dc_assignment_rate).max(0) as u64)
        }
    };
    if assigned > fleet {
        return Err(MasterError::Config {
            field: "volume.trucks_per_dc",
            reason: format!(
                "{assigned} DC-fleet trucks are needed (one per DC at least) but the fleet has {fleet} \
                 (refrigerated_trucks + non_refrigerated_trucks)"
            ),
        });
    }
    Ok(assigned)
}

/// `dim_trucks`: DC_FLEET (dealing order), POOL, then SUPPLIER (refrigerated first).
pub fn generate_trucks(seed: u64, volume: &Volume) -> Result<Vec<DimTruck>, MasterError> {
    let dcs = u64::from(volume.dcs);
    if dcs == 0 {
        return Err(MasterError::Config {
            field: "volume.dcs",
            reason: "at least one DC is required".into(),
        });
    }
    let assigned = assigned_fleet_count(volume)?;
    let capacity_units = i32::try_from(volume.truck_capacity).map_err(|_| MasterError::Config {
        field: "volume.truck_capacity",
        reason: format!("{} does not fit an INTEGER", volume.truck_capacity),
    })?;
    let key = PlateKey::draw(seed);
    let dealt = (0..volume.refrigerated_trucks)
        .map(|_| true)
        .chain((0..volume.non_refrigerated_trucks).map(|_| false));
    let supplier = (0..volume.supplier_refrigerated_trucks)
        .map(|_| true)
        .chain((0..volume.supplier_non_refrigerated_trucks).map(|_| false));
    let mut trucks = Vec::new();
    let mut push = |refrigerated: bool, fleet: FleetType, home: Option<i64>| {
        let truck_id = trucks.len() as i64 + 1;
        trucks.push(DimTruck {
            truck_id,
            license_plate: key.plate(truck_id),
            refrigerated,
            fleet_type: fleet.as_str().to_owned(),
            home_dc_id: home,
            capacity_units,
        });
    };
    // Dealing order is truck_id order: the first `assigned` are DC_FLEET, the rest POOL.
    for (i, refrigerated) in dealt.enumerate() {
        let i = i as u64;
        if i < assigned {
            push(refrigerated, FleetType::DcFleet, Some((i % dcs) as i64 + 1));
        } else {
            push(refrigerated, FleetType::Pool, None);
        }
    }
    for refrigerated in supplier {
        push(refrigerated, FleetType::Supplier, None);
    }
    Ok(trucks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plate_map_is_a_bijection_on_a_sample() {
        let key = PlateKey::draw(42);
        assert!(key.a % 2 == 1 && key.a % 5 != 0 && key.a % 13 != 0);
        let mut seen = std::collections::BTreeSet::new();
        for id in 1..=20_000 {
            let p = key.plate(id);
            assert_eq!(p.len(), 7);
            assert!(p[..3].bytes().all(|b| b.is_ascii_uppercase()), "{p}");
            assert!(p[3..].bytes().all(|b| b.is_ascii_digit()), "{p}");
            assert!(seen.insert(p));
        }
    }

    #[test]
    fn plate_letters_and_digits_decode_n() {
        let key = PlateKey { a: 1, b: 0 };
        // n = 28 × 10 000 + 381 → letters 28 = "ABC"? 28 = 1×26 + 2 → "ABC".
        assert_eq!(key.plate(280_381), "ABC0381");
        assert_eq!(key.plate(0), "AAA0000");
        assert_eq!(key.plate(PLATE_SPACE as i64 - 1), "ZZZ9999");
    }
}
