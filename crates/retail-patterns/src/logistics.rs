//! Logistics DC → store (data-contract §7.10, grouping rule of §7.9): distances, planned and
//! actual travel, dock wait, unloading, ETA/ETD, the truck choice and shipment splitting.
//!
//! Draw order on the `shipment(dc, planning date, seq)` stream ([`draw_shipment_timeline`]):
//! travel noise `U(0.95, 1.25)`, dock wait `U{5..30}`, unload noise `U(0, 15)`, incident
//! Bernoulli(.05), and `U{60..120}` only when an incident happens.

use retail_rng::{Stream, round_half_away};
use retail_schemas::Ts;

use crate::PatternsError;
use crate::ids::journey_enum;

/// Earth radius of every distance in the contract (§7.3).
pub const EARTH_RADIUS_MILES: f64 = 3958.8;

/// Great-circle distance in miles (haversine with `libm`).
pub fn haversine_miles(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let to_rad = std::f64::consts::PI / 180.0;
    let (p1, p2) = (lat1 * to_rad, lat2 * to_rad);
    let dp = (lat2 - lat1) * to_rad;
    let dl = (lon2 - lon1) * to_rad;
    let s1 = libm::sin(dp / 2.0);
    let s2 = libm::sin(dl / 2.0);
    let a = s1 * s1 + libm::cos(p1) * libm::cos(p2) * s2 * s2;
    2.0 * EARTH_RADIUS_MILES * libm::asin(libm::sqrt(a.clamp(0.0, 1.0)))
}

/// Planned travel T = max(20, round_half_away(distance × 1.3 / 50 mph × 60)) minutes.
pub fn planned_travel_minutes(distance_miles: f64) -> i64 {
    round_half_away(distance_miles * 1.3 / 50.0 * 60.0).max(20)
}

/// Load share min(1, units / capacity).
fn load_share(units: u32, capacity: u32) -> f64 {
    if capacity == 0 {
        1.0
    } else {
        (units as f64 / capacity as f64).min(1.0)
    }
}

/// `etd_ts` = eta + 15 min + 30 min + 75 min × min(1, units / capacity), rounded to whole seconds.
pub fn etd(eta: Ts, units: u32, capacity: u32) -> Ts {
    let minutes = 45.0 + 75.0 * load_share(units, capacity);
    eta.plus_seconds(round_half_away(minutes * 60.0))
}

/// All instants of one shipment (§7.10).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ShipmentTimeline {
    /// SCHEDULED = planning instant P.
    pub scheduled: Ts,
    /// LOADING = D − 2 h.
    pub loading: Ts,
    /// IN_TRANSIT = D = `planned_departure_ts`.
    pub departure: Ts,
    /// ARRIVED = D + actual travel.
    pub arrived: Ts,
    /// UNLOADING = ARRIVED + dock wait.
    pub unloading: Ts,
    /// COMPLETED = UNLOADING + unload duration.
    pub completed: Ts,
    /// `eta_ts` = D + T.
    pub eta: Ts,
    /// `etd_ts`.
    pub etd: Ts,
    /// (COMPLETED − ARRIVED) / 60 s.
    pub dwell_minutes: f64,
    /// The truck's next availability: COMPLETED + T.
    pub truck_available_at: Ts,
    /// True when an unloading incident added U{60..120} min.
    pub incident: bool,
}

/// Draws the timeline of a shipment planned at `planning` leaving at `departure` (§7.10).
pub fn draw_shipment_timeline(
    planning: Ts,
    departure: Ts,
    planned_travel_min: i64,
    units: u32,
    capacity: u32,
    rng: &mut Stream,
) -> ShipmentTimeline {
    let travel_s = round_half_away(planned_travel_min as f64 * rng.uniform(0.95, 1.25) * 60.0);
    let wait_min = rng.range_inclusive(5, 30);
    let unload_min = 30.0 + 75.0 * load_share(units, capacity) + rng.uniform(0.0, 15.0);
    let mut unload_s = round_half_away(unload_min * 60.0);
    let incident = rng.bernoulli(0.05);
    if incident {
        unload_s += rng.range_inclusive(60, 120) * 60;
    }
    let arrived = departure.plus_seconds(travel_s);
    let unloading = arrived.plus_minutes(wait_min);
    let completed = unloading.plus_seconds(unload_s);
    let eta = departure.plus_minutes(planned_travel_min);
    ShipmentTimeline {
        scheduled: planning,
        loading: Ts(departure.0 - 2 * Ts::MICROS_PER_HOUR),
        departure,
        arrived,
        unloading,
        completed,
        eta,
        etd: etd(eta, units, capacity),
        dwell_minutes: (completed.0 - arrived.0) as f64 / Ts::MICROS_PER_MINUTE as f64,
        truck_available_at: completed.plus_minutes(planned_travel_min),
        incident,
    }
}

journey_enum! {
    /// Tie tier of the truck choice (lower is preferred).
    TruckTier {
        /// DC_FLEET truck of the planning DC.
        HomeFleet => "HOME_DC_FLEET",
        /// DC_FLEET truck of another DC.
        OtherFleet => "OTHER_DC_FLEET",
        /// POOL truck.
        Pool => "POOL",
        /// SUPPLIER truck.
        Supplier => "SUPPLIER",
    }
}

impl TruckTier {
    /// The tier of a truck for a shipment of `dc_id`, from `dim_trucks.assignment_type`
    /// (DC_FLEET / POOL / SUPPLIER) and `home_dc_id`.
    pub fn of(assignment_type: &str, home_dc_id: Option<i64>, dc_id: i64) -> Option<Self> {
        match assignment_type {
            "DC_FLEET" if home_dc_id == Some(dc_id) => Some(TruckTier::HomeFleet),
            "DC_FLEET" => Some(TruckTier::OtherFleet),
            "POOL" => Some(TruckTier::Pool),
            "SUPPLIER" => Some(TruckTier::Supplier),
            _ => None,
        }
    }
}

/// A truck's state seen by the planner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TruckCandidate {
    /// `truck_id`.
    pub truck_id: i64,
    /// `refrigerated`.
    pub refrigerated: bool,
    /// Tier for this DC.
    pub tier: TruckTier,
    /// Availability instant A (`None` = −∞, never used yet).
    pub available_at: Option<Ts>,
}

/// Planned departure D = max(P + 4 h, A + 2 h).
pub fn planned_departure(planning: Ts, available_at: Option<Ts>) -> Ts {
    let earliest = Ts(planning.0 + 4 * Ts::MICROS_PER_HOUR);
    match available_at {
        Some(a) => Ts(earliest.0.max(a.0 + 2 * Ts::MICROS_PER_HOUR)),
        None => earliest,
    }
}

/// §7.10 truck choice: among candidates (refrigerated only for REFRIGERATED shipments) the one
/// minimising D, ties → tier → lower truck_id. Returns (truck_id, D); `None` when no truck fits.
pub fn choose_truck(
    candidates: &[TruckCandidate],
    planning: Ts,
    refrigerated_load: bool,
) -> Option<(i64, Ts)> {
    candidates
        .iter()
        .filter(|t| t.refrigerated || !refrigerated_load)
        .map(|t| {
            (
                planned_departure(planning, t.available_at),
                t.tier,
                t.truck_id,
            )
        })
        .min()
        .map(|(d, _, id)| (id, d))
}

journey_enum! {
    /// `temperature_class` of a shipment; REFRIGERATED shipments are formed first.
    TemperatureClass {
        /// Refrigerated products.
        Refrigerated => "REFRIGERATED",
        /// Everything else.
        Ambient => "AMBIENT",
    }
}

/// One allocation of DC planning: units of a product for a store's reorder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// Destination store.
    pub store_id: i64,
    /// Product.
    pub product_id: i64,
    /// Allocated units (> 0).
    pub units: u32,
    /// `requires_refrigeration` of the product.
    pub refrigerated: bool,
    /// The store reorder the units fill.
    pub reorder_id: String,
}

/// A product line of a planned shipment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShipmentLine {
    /// Product.
    pub product_id: i64,
    /// Units on this shipment.
    pub units: u32,
    /// The store reorder the units fill.
    pub reorder_id: String,
}

/// A planned shipment, before its truck and timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedShipment {
    /// Destination store.
    pub store_id: i64,
    /// Temperature class.
    pub temperature_class: TemperatureClass,
    /// Lines in product_id order.
    pub lines: Vec<ShipmentLine>,
}

impl PlannedShipment {
    /// Σ units (1..capacity).
    pub fn units(&self) -> u32 {
        self.lines.iter().map(|l| l.units).sum()
    }
}

/// §7.9 grouping: per (store_id ascending, REFRIGERATED then AMBIENT), lines in product_id order
/// fill trucks up to `capacity`; a line larger than the remaining capacity is split across
/// consecutive shipments. The result is in planning (sequence-number) order.
pub fn split_into_shipments(
    allocations: &[Allocation],
    capacity: u32,
) -> Result<Vec<PlannedShipment>, PatternsError> {
    if capacity == 0 {
        return Err(PatternsError::InvalidParameter {
            name: "truck_capacity",
            value: "0".into(),
            rule: "must be at least 1",
        });
    }
    let mut sorted: Vec<&Allocation> = allocations.iter().filter(|a| a.units > 0).collect();
    let class = |a: &Allocation| {
        if a.refrigerated {
            TemperatureClass::Refrigerated
        } else {
            TemperatureClass::Ambient
        }
    };
    sorted.sort_by(|a, b| {
        (a.store_id, class(a), a.product_id, &a.reorder_id).cmp(&(
            b.store_id,
            class(b),
            b.product_id,
            &b.reorder_id,
        ))
    });
    let mut out: Vec<PlannedShipment> = Vec::new();
    let mut room = 0u32;
    for a in sorted {
        let key = (a.store_id, class(a));
        let same_group = out
            .last()
            .is_some_and(|s| (s.store_id, s.temperature_class) == key);
        if !same_group {
            room = 0;
        }
        let mut left = a.units;
        while left > 0 {
            if room == 0 {
                out.push(PlannedShipment {
                    store_id: a.store_id,
                    temperature_class: key.1,
                    lines: Vec::new(),
                });
                room = capacity;
            }
            let take = left.min(room);
            out.last_mut().expect("pushed").lines.push(ShipmentLine {
                product_id: a.product_id,
                units: take,
                reorder_id: a.reorder_id.clone(),
            });
            left -= take;
            room -= take;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_matches_known_distances() {
        // New York → Los Angeles ≈ 2 445 mi.
        let d = haversine_miles(40.7128, -74.0060, 34.0522, -118.2437);
        assert!((d - 2_445.0).abs() < 5.0, "{d}");
        assert_eq!(haversine_miles(10.0, 10.0, 10.0, 10.0), 0.0);
        assert_eq!(planned_travel_minutes(1.0), 20);
        assert_eq!(planned_travel_minutes(100.0), 156);
    }

    #[test]
    fn timeline_satisfies_invariant_21() {
        let p = Ts(1_709_800_000_000_000);
        for i in 0..2_000 {
            let mut rng = Stream::new(1, "shipment", &[1, 19_788, i]);
            let d = planned_departure(p, None);
            let t = draw_shipment_timeline(p, d, 20 + i % 300, (i % 600) as u32 + 1, 500, &mut rng);
            let order = [
                t.scheduled,
                t.loading,
                t.departure,
                t.arrived,
                t.unloading,
                t.completed,
            ];
            assert!(order.windows(2).all(|w| w[0] < w[1]), "{t:?}");
            assert_eq!(t.loading.0, d.0 - 2 * Ts::MICROS_PER_HOUR);
            assert!(t.dwell_minutes >= 35.0);
            assert!(t.truck_available_at > t.completed);
            assert!(t.etd > t.eta);
        }
        assert_eq!(etd(Ts(0), 500, 500), Ts(120 * 60_000_000));
    }

    #[test]
    fn truck_choice_minimises_departure_then_tier_then_id() {
        let p = Ts(0);
        let h = Ts::MICROS_PER_HOUR;
        let t = |id, refrigerated, tier, a: Option<i64>| TruckCandidate {
            truck_id: id,
            refrigerated,
            tier,
            available_at: a.map(Ts),
        };
        let trucks = [
            t(1, false, TruckTier::Pool, None),
            t(2, false, TruckTier::HomeFleet, Some(3 * h)),
            t(3, true, TruckTier::OtherFleet, None),
            t(4, false, TruckTier::HomeFleet, Some(h)),
        ];
        // D: 1 → 4h, 2 → 5h, 3 → 4h, 4 → 4h (1h + 2h < 4h): ties at 4h → HomeFleet (4).
        assert_eq!(choose_truck(&trucks, p, false), Some((4, Ts(4 * h))));
        assert_eq!(choose_truck(&trucks, p, true), Some((3, Ts(4 * h))));
        assert_eq!(choose_truck(&trucks[..2], p, true), None);
        assert_eq!(
            TruckTier::of("DC_FLEET", Some(2), 2),
            Some(TruckTier::HomeFleet)
        );
        assert_eq!(
            TruckTier::of("DC_FLEET", Some(1), 2),
            Some(TruckTier::OtherFleet)
        );
        assert_eq!(TruckTier::of("X", None, 2), None);
    }

    #[test]
    fn shipments_split_by_store_class_and_capacity() {
        let a = |store, product, units, refrigerated| Allocation {
            store_id: store,
            product_id: product,
            units,
            refrigerated,
            reorder_id: format!("RO-{store}-{product}"),
        };
        let allocations = [
            a(2, 5, 30, false),
            a(1, 9, 70, false),
            a(1, 3, 50, false),
            a(1, 4, 10, true),
        ];
        let s = split_into_shipments(&allocations, 100).unwrap();
        type Summary = (i64, TemperatureClass, Vec<(i64, u32)>);
        let summary: Vec<Summary> = s
            .iter()
            .map(|s| {
                (
                    s.store_id,
                    s.temperature_class,
                    s.lines.iter().map(|l| (l.product_id, l.units)).collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (1, TemperatureClass::Refrigerated, vec![(4, 10)]),
                (1, TemperatureClass::Ambient, vec![(3, 50), (9, 50)]),
                (1, TemperatureClass::Ambient, vec![(9, 20)]),
                (2, TemperatureClass::Ambient, vec![(5, 30)]),
            ]
        );
        assert!(s.iter().all(|s| (1..=100).contains(&s.units())));
        assert!(split_into_shipments(&allocations, 0).is_err());
    }
}
