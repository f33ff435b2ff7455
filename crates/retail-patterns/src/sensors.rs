//! Sensors (data-contract §7.13): visit timelines, BLE identification and anonymous ids, paths,
//! pings, zone changes and foot traffic.
//!
//! Draw order on the visit stream ([`draw_visit_trace`], after the basket, promotion, payment
//! and return draws): duration `U{10..45}`; identification Bernoulli(.85) only when the customer
//! has the app; middle-zone count `U{0..2}` and one `f64` per middle zone; then per path zone in
//! order: ping count `U{2..5}` and per ping its instant (`U` over the segment in µs) and rssi
//! `U{−80..−30}`.
//!
//! Draw order on the `foot_traffic(store, date, interval)` stream ([`draw_foot_traffic`]):
//! browsers Poisson; per browser (Poisson browsers first, then empty-basket visits) one
//! Bernoulli per middle zone (ELECTRONICS, GROCERY, CLOTHING) and one for CHECKOUT; then one
//! dwell draw per zone with a count > 0, in zone order.

use retail_rng::Stream;
use retail_schemas::{Date, Ts};

use crate::PatternsError;
use crate::basket::StoreFormat;
use crate::ids::journey_enum;

journey_enum! {
    /// Store zone of beacons and foot-traffic sensors, in contract order.
    Zone {
        /// Entrance.
        Entrance => "ENTRANCE",
        /// Electronics.
        Electronics => "ELECTRONICS",
        /// Grocery.
        Grocery => "GROCERY",
        /// Clothing.
        Clothing => "CLOTHING",
        /// Checkout.
        Checkout => "CHECKOUT",
    }
}

/// The middle zones a path may visit, in draw order.
pub const MIDDLE_ZONES: [Zone; 3] = [Zone::Electronics, Zone::Grocery, Zone::Clothing];

impl Zone {
    /// Relative length of the zone's path segment: ENTRANCE 1, middle zones 3, CHECKOUT 2.
    pub fn segment_weight(self) -> i64 {
        match self {
            Zone::Entrance => 1,
            Zone::Checkout => 2,
            _ => 3,
        }
    }

    /// §7.13 dwell range in seconds of the foot-traffic `avg_dwell_seconds` draw.
    pub fn dwell_range_seconds(self) -> (u32, u32) {
        match self {
            Zone::Entrance => (45, 90),
            Zone::Electronics => (120, 300),
            Zone::Grocery => (180, 420),
            Zone::Clothing => (120, 300),
            Zone::Checkout => (90, 240),
        }
    }
}

/// §7.13 visit-duration factor: HYPERMARKET 1.3, SUPERSTORE 1.15, STANDARD 1.0, NEIGHBORHOOD
/// 0.85, EXPRESS 0.6.
pub fn duration_factor(format: StoreFormat) -> f64 {
    match format {
        StoreFormat::Hypermarket => 1.3,
        StoreFormat::Superstore => 1.15,
        StoreFormat::Standard => 1.0,
        StoreFormat::Neighborhood => 0.85,
        StoreFormat::Express => 0.6,
    }
}

/// §7.13 ping factor: HYPERMARKET 1.6, SUPERSTORE 1.3, STANDARD 1.0, NEIGHBORHOOD 0.85,
/// EXPRESS 0.65.
pub fn ping_factor(format: StoreFormat) -> f64 {
    match format {
        StoreFormat::Hypermarket => 1.6,
        StoreFormat::Superstore => 1.3,
        StoreFormat::Standard => 1.0,
        StoreFormat::Neighborhood => 0.85,
        StoreFormat::Express => 0.65,
    }
}

/// §7.13 zone weights (ENTRANCE, ELECTRONICS, GROCERY, CLOTHING, CHECKOUT) by format.
pub fn zone_weights(format: StoreFormat) -> [f64; 5] {
    match format {
        StoreFormat::Hypermarket => [0.20, 0.25, 0.30, 0.15, 0.10],
        StoreFormat::Superstore => [0.25, 0.20, 0.30, 0.15, 0.10],
        StoreFormat::Standard => [0.30, 0.15, 0.25, 0.15, 0.15],
        StoreFormat::Neighborhood => [0.35, 0.10, 0.25, 0.10, 0.20],
        StoreFormat::Express => [0.40, 0.05, 0.20, 0.05, 0.30],
    }
}

/// Visit duration in whole seconds: round_half_away(U{10..45} min × format factor × 60).
pub fn draw_visit_duration_seconds(format: StoreFormat, rng: &mut Stream) -> i64 {
    let minutes = rng.range_inclusive(10, 45) as f64;
    retail_rng::round_half_away(minutes * duration_factor(format) * 60.0)
}

/// Visit start = max(checkout − duration, opening instant).
pub fn visit_start(checkout: Ts, duration_seconds: i64, opening: Ts) -> Ts {
    Ts((checkout.0 - duration_seconds * Ts::MICROS_PER_SECOND).max(opening.0))
}

/// Identification: the customer has the app and a p .85 draw succeeds (no draw without app).
pub fn draw_identified(has_mobile_app: bool, rng: &mut Stream) -> bool {
    has_mobile_app && rng.bernoulli(0.85)
}

/// The Feistel key of anonymous BLE ids, read from the `anon_key()` stream (32 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnonKey(pub [u8; 32]);

impl AnonKey {
    /// Reads the key as the first 32 bytes of `rng` (the `anon_key()` stream).
    pub fn from_stream(rng: &mut Stream) -> Self {
        let mut key = [0u8; 32];
        rng.fill_bytes(&mut key);
        AnonKey(key)
    }

    /// Round function: first 4 bytes (LE) of keyed BLAKE3(key, round ‖ half LE).
    fn round(&self, round: u8, half: u32) -> u32 {
        let mut msg = [0u8; 5];
        msg[0] = round;
        msg[1..].copy_from_slice(&half.to_le_bytes());
        let h = blake3::keyed_hash(&self.0, &msg);
        u32::from_le_bytes(h.as_bytes()[..4].try_into().expect("4 bytes"))
    }

    /// F: 4-round balanced Feistel permutation of 64 bits (high half L, low half R; each round
    /// (L, R) → (R, L ⊕ f(round, R))).
    pub fn permute(&self, x: u64) -> u64 {
        let (mut l, mut r) = ((x >> 32) as u32, x as u32);
        for round in 0..4u8 {
            let next = l ^ self.round(round, r);
            l = r;
            r = next;
        }
        ((l as u64) << 32) | r as u64
    }

    /// F⁻¹ (for tests and tooling).
    pub fn invert(&self, y: u64) -> u64 {
        let (mut l, mut r) = ((y >> 32) as u32, y as u32);
        for round in (0..4u8).rev() {
            let prev = r ^ self.round(round, l);
            r = l;
            l = prev;
        }
        ((l as u64) << 32) | r as u64
    }
}

/// Days since 2000-01-01 of the anonymous-id packing.
fn days_since_2000(date: Date) -> i64 {
    date.0 as i64 - Date::from_ymd(2000, 1, 1).expect("valid").0 as i64
}

/// x = store_id (20 bits) ‖ days since 2000-01-01 (16 bits) ‖ receipt seq (28 bits). Errors
/// when a coordinate does not fit its field.
pub fn pack_anon_coordinates(store_id: i64, date: Date, seq: u32) -> Result<u64, PatternsError> {
    let days = days_since_2000(date);
    let check = |name, value: i64, bits: u32| {
        if value < 0 || value >= 1i64 << bits {
            Err(PatternsError::InvalidParameter {
                name,
                value: value.to_string(),
                rule: "does not fit its field of the anonymous BLE id",
            })
        } else {
            Ok(value as u64)
        }
    };
    let s = check("store_id", store_id, 20)?;
    let d = check("date", days, 16)?;
    let q = check("receipt seq", seq as i64, 28)?;
    Ok((s << 44) | (d << 28) | q)
}

/// Anonymous BLE id: `ANON-` + 16 lower-case hex of F(x) (§7.13, §3).
pub fn anon_ble_id(
    key: &AnonKey,
    store_id: i64,
    date: Date,
    seq: u32,
) -> Result<String, PatternsError> {
    let x = pack_anon_coordinates(store_id, date, seq)?;
    Ok(format!("ANON-{:016x}", key.permute(x)))
}

/// Path: ENTRANCE, U{0..2} distinct middle zones drawn without replacement by format weights,
/// CHECKOUT.
pub fn draw_path(format: StoreFormat, rng: &mut Stream) -> Vec<Zone> {
    let w = zone_weights(format);
    let mut weights = [w[1], w[2], w[3]];
    let count = rng.range_inclusive(0, 2);
    let mut path = vec![Zone::Entrance];
    for _ in 0..count {
        if let Some(i) = rng.categorical(&weights) {
            path.push(MIDDLE_ZONES[i]);
            weights[i] = 0.0;
        }
    }
    path.push(Zone::Checkout);
    path
}

/// Consecutive zone segments [start, end) proportional to 1 / 3 / 2, the last ending at
/// `checkout`. Boundaries: start + ⌊total × cumulative weight / Σ weights⌋ µs.
pub fn zone_segments(path: &[Zone], start: Ts, checkout: Ts) -> Vec<(Zone, Ts, Ts)> {
    let total = (checkout.0 - start.0).max(0) as i128;
    let sum: i64 = path.iter().map(|z| z.segment_weight()).sum();
    let mut cumulative = 0i64;
    let mut from = start;
    path.iter()
        .map(|z| {
            cumulative += z.segment_weight();
            let to = Ts(start.0 + (total * cumulative as i128 / sum.max(1) as i128) as i64);
            let seg = (*z, from, to);
            from = to;
            seg
        })
        .collect()
}

/// One BLE ping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ping {
    /// 1..n in time order.
    pub ping_number: u32,
    /// Instant.
    pub event_ts: Ts,
    /// Beacon zone.
    pub zone: Zone,
    /// dBm, −80..−30.
    pub rssi: i32,
}

/// Bounds of the traffic-multiplier term of the ping count: §7.13 writes clamp(multiplier,
/// 0.6, 1.8); the upper bound is 1.0 here (docs/decisions.md, "BLE ping rate"), which brings
/// the default profile to §11's ≈ 12 pings per receipt instead of ≈ 17.7. Busy stores no
/// longer ping more per visitor; small stores (multiplier < 1) keep their sparser beacons.
pub const PING_TRAFFIC_CLAMP: (f64, f64) = (0.6, 1.0);

/// Pings of a zone: max(1, round_half_away(U{2..5} × format factor × clamp(multiplier,
/// [`PING_TRAFFIC_CLAMP`]))).
pub fn ping_count(draw: i64, format: StoreFormat, daily_traffic_multiplier: f64) -> u32 {
    let m = daily_traffic_multiplier.clamp(PING_TRAFFIC_CLAMP.0, PING_TRAFFIC_CLAMP.1);
    retail_rng::round_half_away(draw as f64 * ping_factor(format) * m).max(1) as u32
}

/// Draws the pings of every segment and numbers them in (instant, draw order) order.
pub fn draw_pings(
    segments: &[(Zone, Ts, Ts)],
    format: StoreFormat,
    daily_traffic_multiplier: f64,
    rng: &mut Stream,
) -> Vec<Ping> {
    let mut pings = Vec::new();
    for &(zone, from, to) in segments {
        let n = ping_count(rng.range_inclusive(2, 5), format, daily_traffic_multiplier);
        for _ in 0..n {
            let span = (to.0 - from.0).max(0) as u64;
            let ts = if span == 0 {
                from
            } else {
                Ts(from.0 + rng.below(span) as i64)
            };
            let rssi = rng.range_inclusive(-80, -30) as i32;
            pings.push(Ping {
                ping_number: 0,
                event_ts: ts,
                zone,
                rssi,
            });
        }
    }
    // Stable sort keeps draw order among equal instants, hence path order at segment edges.
    pings.sort_by_key(|p| p.event_ts);
    for (i, p) in pings.iter_mut().enumerate() {
        p.ping_number = i as u32 + 1;
    }
    pings
}

/// One `fact_customer_zone_changes` row's model values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZoneChange {
    /// 1..k−1.
    pub change_number: u32,
    /// = first ping of `to_zone`.
    pub event_ts: Ts,
    /// Previous ping's zone.
    pub from_zone: Zone,
    /// This ping's zone.
    pub to_zone: Zone,
    /// ping_number of the first ping in `to_zone`.
    pub ping_number: u32,
}

/// Zone changes derived from sorted pings: one per consecutive zone difference.
pub fn zone_changes(pings: &[Ping]) -> Vec<ZoneChange> {
    let mut out = Vec::new();
    for w in pings.windows(2) {
        if w[0].zone != w[1].zone {
            out.push(ZoneChange {
                change_number: out.len() as u32 + 1,
                event_ts: w[1].event_ts,
                from_zone: w[0].zone,
                to_zone: w[1].zone,
                ping_number: w[1].ping_number,
            });
        }
    }
    out
}

/// Inputs of one visit's sensor trace.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VisitSensorInput {
    /// Store format.
    pub format: StoreFormat,
    /// Store `daily_traffic_multiplier`.
    pub daily_traffic_multiplier: f64,
    /// Checkout instant (= receipt event_ts).
    pub checkout: Ts,
    /// Opening instant of the trading day.
    pub opening: Ts,
    /// Customer `has_mobile_app`.
    pub has_mobile_app: bool,
}

/// A visit's sensor trace.
#[derive(Clone, Debug, PartialEq)]
pub struct VisitTrace {
    /// Visit start.
    pub start: Ts,
    /// True when the customer is identified (ble_id + customer_id), else anonymous.
    pub identified: bool,
    /// Zones in path order.
    pub path: Vec<Zone>,
    /// Segments (zone, start, end) in path order.
    pub segments: Vec<(Zone, Ts, Ts)>,
    /// Pings sorted and numbered.
    pub pings: Vec<Ping>,
    /// Zone changes derived from the pings.
    pub zone_changes: Vec<ZoneChange>,
}

/// Draws the timeline, identification, path and pings of a visit (§7.13).
pub fn draw_visit_trace(input: &VisitSensorInput, rng: &mut Stream) -> VisitTrace {
    let duration = draw_visit_duration_seconds(input.format, rng);
    let start = visit_start(input.checkout, duration, input.opening);
    let identified = draw_identified(input.has_mobile_app, rng);
    let path = draw_path(input.format, rng);
    let segments = zone_segments(&path, start, input.checkout);
    let pings = draw_pings(&segments, input.format, input.daily_traffic_multiplier, rng);
    let zone_changes = zone_changes(&pings);
    VisitTrace {
        start,
        identified,
        path,
        segments,
        pings,
        zone_changes,
    }
}

/// Length of a foot-traffic interval.
pub const INTERVAL_MICROS: i64 = 15 * Ts::MICROS_PER_MINUTE;

/// Start of the 15-minute interval (aligned on the opening instant) containing `ts`.
pub fn interval_start(ts: Ts, opening: Ts) -> Ts {
    Ts(opening.0 + (ts.0 - opening.0).div_euclid(INTERVAL_MICROS) * INTERVAL_MICROS)
}

/// §7.13 conversion c = 0.20 × hour factor (1.3 at 12, 13, 17, 18, 19; 1.0 at 10, 11, 14, 15,
/// 16; 0.7 at 8, 9, 20, 21; 0.5 otherwise) × 0.9 on weekends.
pub fn conversion_rate(local_hour: u32, weekend: bool) -> f64 {
    let hour_factor = match local_hour {
        12 | 13 | 17 | 18 | 19 => 1.3,
        10 | 11 | 14 | 15 | 16 => 1.0,
        8 | 9 | 20 | 21 => 0.7,
        _ => 0.5,
    };
    0.20 * hour_factor * if weekend { 0.9 } else { 1.0 }
}

/// Expected browsers in a 15-minute interval: λ(s,d,h) / 4 × (1/c − 1).
pub fn browser_rate(hour_lambda: f64, conversion: f64) -> f64 {
    hour_lambda / 4.0 * (1.0 / conversion - 1.0)
}

/// One zone row of an interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZoneTraffic {
    /// Zone.
    pub zone: Zone,
    /// visitor_count ≥ 0.
    pub visitor_count: u32,
    /// avg_dwell_seconds (0 when visitor_count = 0).
    pub avg_dwell_seconds: u32,
}

/// Inputs of one (store, 15-minute interval).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IntervalInput {
    /// Store format (browser zone probabilities).
    pub format: StoreFormat,
    /// λ(s, d, h) of the interval's hour slot.
    pub hour_lambda: f64,
    /// Local hour of the interval.
    pub local_hour: u32,
    /// Saturday or Sunday.
    pub weekend: bool,
    /// Buyer contributions per zone (index = [`Zone::index`]): visit starts (ENTRANCE), middle
    /// segment starts, checkouts (CHECKOUT) falling in the interval.
    pub buyer_counts: [u32; 5],
    /// Visits with an empty basket that entered in this interval (they count as browsers).
    pub empty_basket_visits: u32,
}

/// §7.13 foot traffic of one interval: the 5 zone rows in zone order.
pub fn draw_foot_traffic(input: &IntervalInput, rng: &mut Stream) -> [ZoneTraffic; 5] {
    let c = conversion_rate(input.local_hour, input.weekend);
    let browsers =
        rng.poisson(browser_rate(input.hour_lambda, c)) + input.empty_basket_visits as u64;
    let weights = zone_weights(input.format);
    let mut counts = input.buyer_counts;
    for _ in 0..browsers {
        counts[Zone::Entrance.index()] += 1;
        for zone in MIDDLE_ZONES {
            let p = (1.5 * weights[zone.index()]).min(1.0);
            if rng.bernoulli(p) {
                counts[zone.index()] += 1;
            }
        }
        if rng.bernoulli(0.10) {
            counts[Zone::Checkout.index()] += 1;
        }
    }
    let mut rows = [ZoneTraffic {
        zone: Zone::Entrance,
        visitor_count: 0,
        avg_dwell_seconds: 0,
    }; 5];
    for (i, zone) in Zone::ALL.iter().enumerate() {
        let dwell = if counts[i] > 0 {
            let (a, b) = zone.dwell_range_seconds();
            rng.range_inclusive(a as i64, b as i64) as u32
        } else {
            0
        };
        rows[i] = ZoneTraffic {
            zone: *zone,
            visitor_count: counts[i],
            avg_dwell_seconds: dwell,
        };
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> AnonKey {
        AnonKey::from_stream(&mut Stream::new(42, "anon_key", &[]))
    }

    #[test]
    fn feistel_is_a_deterministic_bijection() {
        let k = key();
        let mut outputs = std::collections::BTreeSet::new();
        let mut rng = Stream::new(1, "samples", &[]);
        for i in 0..5_000u64 {
            let x = if i < 2_500 { i } else { rng.next_u64() };
            let y = k.permute(x);
            assert_eq!(k.invert(y), x);
            assert_eq!(k.permute(x), y);
            assert!(outputs.insert(y), "collision at {x}");
        }
        assert_ne!(key().permute(7), AnonKey([0; 32]).permute(7), "keyed");
    }

    #[test]
    fn anon_ids_have_the_contract_format() {
        let k = key();
        let d = Date::from_ymd(2024, 3, 6).unwrap();
        let id = anon_ble_id(&k, 5, d, 123).unwrap();
        assert_eq!(id.len(), 21);
        assert!(id.starts_with("ANON-"));
        assert!(
            id[5..]
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(id, anon_ble_id(&k, 5, d, 124).unwrap());
        assert_eq!(id, anon_ble_id(&k, 5, d, 123).unwrap());
        let x = pack_anon_coordinates(5, d, 123).unwrap();
        assert_eq!(x >> 44, 5);
        assert_eq!((x >> 28) & 0xFFFF, days_since_2000(d) as u64);
        assert_eq!(x & ((1 << 28) - 1), 123);
        assert!(pack_anon_coordinates(1 << 20, d, 1).is_err());
        assert!(pack_anon_coordinates(1, Date::from_ymd(1999, 12, 31).unwrap(), 1).is_err());
        assert!(pack_anon_coordinates(1, d, 1 << 28).is_err());
    }

    #[test]
    fn traces_satisfy_invariant_32() {
        let opening = Ts(1_709_726_400_000_000);
        for i in 0..2_000 {
            let mut rng = Stream::new(3, "visit", &[i]);
            let format = StoreFormat::ALL[(i % 5) as usize];
            let input = VisitSensorInput {
                format,
                daily_traffic_multiplier: 0.3 + (i % 7) as f64 * 0.4,
                checkout: Ts(opening.0 + (i % 40) * Ts::MICROS_PER_MINUTE),
                opening,
                has_mobile_app: i % 3 == 0,
            };
            let t = draw_visit_trace(&input, &mut rng);
            assert!(t.start >= opening && t.start <= input.checkout);
            assert!(!t.identified || input.has_mobile_app);
            assert!((2..=4).contains(&t.path.len()));
            assert_eq!(t.path[0], Zone::Entrance);
            assert_eq!(*t.path.last().unwrap(), Zone::Checkout);
            assert_eq!(t.segments.last().unwrap().2, input.checkout);
            assert!(t.pings.len() >= t.path.len());
            assert_eq!(t.pings[0].zone, Zone::Entrance);
            assert_eq!(t.pings.last().unwrap().zone, Zone::Checkout);
            for (n, p) in t.pings.iter().enumerate() {
                assert_eq!(p.ping_number, n as u32 + 1);
                assert!(p.event_ts >= t.start && p.event_ts <= input.checkout);
                assert!((-80..=-30).contains(&p.rssi));
            }
            assert_eq!(t.zone_changes.len(), t.path.len() - 1);
            let to: Vec<Zone> = t.zone_changes.iter().map(|c| c.to_zone).collect();
            assert_eq!(to, t.path[1..]);
        }
    }

    #[test]
    fn segments_are_proportional() {
        let path = [Zone::Entrance, Zone::Grocery, Zone::Checkout];
        let seg = zone_segments(&path, Ts(0), Ts(600));
        assert_eq!(
            seg,
            vec![
                (Zone::Entrance, Ts(0), Ts(100)),
                (Zone::Grocery, Ts(100), Ts(400)),
                (Zone::Checkout, Ts(400), Ts(600)),
            ]
        );
        // The traffic term is clamped to [0.6, 1.0]: 5 × 1.6 × 1.0, 4 × 1.0 × 0.8, 5 × 1.0 × 0.6.
        assert_eq!(ping_count(5, StoreFormat::Hypermarket, 3.0), 8);
        assert_eq!(ping_count(4, StoreFormat::Standard, 0.8), 3);
        assert_eq!(ping_count(5, StoreFormat::Standard, 0.1), 3);
        assert_eq!(ping_count(2, StoreFormat::Express, 0.1), 1);
        assert_eq!(visit_start(Ts(10 * 60_000_000), 900, Ts(0)), Ts(0));
    }

    #[test]
    fn foot_traffic_counts_buyers_and_browsers() {
        assert!((conversion_rate(12, false) - 0.26).abs() < 1e-12);
        assert!((conversion_rate(3, true) - 0.09).abs() < 1e-12);
        let input = IntervalInput {
            format: StoreFormat::Standard,
            hour_lambda: 20.0,
            local_hour: 14,
            weekend: false,
            buyer_counts: [3, 1, 2, 0, 4],
            empty_basket_visits: 1,
        };
        let mut total_entrance = 0;
        for i in 0..2_000 {
            let rows = draw_foot_traffic(&input, &mut Stream::new(4, "foot_traffic", &[i]));
            assert_eq!(
                rows.map(|r| r.zone),
                [
                    Zone::Entrance,
                    Zone::Electronics,
                    Zone::Grocery,
                    Zone::Clothing,
                    Zone::Checkout
                ]
            );
            assert!(rows[4].visitor_count >= 4, "CHECKOUT ≥ buyers' checkouts");
            for r in rows {
                let (a, b) = r.zone.dwell_range_seconds();
                if r.visitor_count == 0 {
                    assert_eq!(r.avg_dwell_seconds, 0);
                } else {
                    assert!((a..=b).contains(&r.avg_dwell_seconds));
                }
            }
            total_entrance += rows[0].visitor_count;
        }
        // E[ENTRANCE] = 3 + 1 + 20/4 × (1/0.2 − 1) = 24.
        let mean = total_entrance as f64 / 2_000.0;
        assert!((mean - 24.0).abs() < 0.4, "{mean}");
        assert_eq!(
            interval_start(Ts(16 * 60_000_000 + 5), Ts(0)),
            Ts(15 * 60_000_000)
        );
    }
}
