//! Customers: a pure function of (seed, customer_id) and the geography/store layout (§7.3).

use rayon::prelude::*;
use retail_rng::Stream;
use retail_schemas::tables::{DimCustomer, DimGeography, DimStore};

use crate::dictionaries::Dictionaries;
use crate::enums::{MobilitySegment, ShopperSegment};
use crate::geo::{AddressKind, draw_address, haversine_miles, push_padded};

/// A categorical distribution with precomputed cumulative sums that draws exactly as
/// [`Stream::categorical`] does (same sums in the same order, same fallback), in O(log n).
#[derive(Clone, Debug)]
pub struct Cumulative {
    cumulative: Vec<f64>,
    last_positive: Option<usize>,
}

impl Cumulative {
    /// Prepares the weights.
    pub fn new(weights: &[f64]) -> Self {
        let mut acc = 0.0;
        let cumulative = weights
            .iter()
            .map(|w| {
                acc += w;
                acc
            })
            .collect();
        Self {
            cumulative,
            last_positive: weights.iter().rposition(|w| *w > 0.0),
        }
    }

    /// Draws an index; `None` when all weights are zero.
    pub fn draw(&self, stream: &mut Stream) -> Option<usize> {
        let total = *self.cumulative.last()?;
        if total <= 0.0 {
            return None;
        }
        let target = stream.f64() * total;
        let i = self.cumulative.partition_point(|c| *c <= target);
        if i < self.cumulative.len() {
            Some(i)
        } else {
            self.last_positive
        }
    }
}

/// `BLE`/`AD` code: base-36 (0-9A-Z) of the id, left-padded with `0` to 6 characters.
pub fn base36_code(id: i64) -> String {
    let mut out = String::with_capacity(6);
    push_base36(&mut out, id);
    out
}

fn push_base36(out: &mut String, id: i64) {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut n = id.unsigned_abs();
    let mut buf = [b'0'; 13];
    let mut len = 0;
    while n > 0 {
        buf[len] = DIGITS[(n % 36) as usize];
        n /= 36;
        len += 1;
    }
    for d in buf[..len.max(6)].iter().rev() {
        out.push(char::from(*d));
    }
}

fn prefixed(prefix: &str, capacity: usize) -> String {
    let mut s = String::with_capacity(capacity);
    s.push_str(prefix);
    s
}

/// The two stores nearest to a point (ties → lower store_id): (primary, secondary).
pub fn two_nearest_stores(lat: f64, lon: f64, stores: &[DimStore]) -> Option<(i64, Option<i64>)> {
    let mut best: Vec<(f64, i64)> = Vec::with_capacity(3);
    for s in stores {
        let d = haversine_miles(lat, lon, s.latitude, s.longitude);
        best.push((d, s.store_id));
        best.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        best.truncate(2);
    }
    let first = best.first()?.1;
    Some((first, best.get(1).map(|b| b.1)))
}

const SHOPPER_WEIGHTS: [f64; 4] = [0.35, 0.25, 0.20, 0.20];
const MOBILITY_WEIGHTS: [f64; 5] = [0.80, 0.10, 0.05, 0.03, 0.02];
const AREA_CODES: [u32; 5] = [555, 800, 888, 877, 866];

/// Everything a customer draw needs besides its id.
pub struct CustomerLayout<'a> {
    /// Master seed.
    pub seed: u64,
    /// Dictionaries (names).
    pub dicts: &'a Dictionaries,
    /// Selected geographies.
    pub geographies: &'a [DimGeography],
    /// Placement weights as a prepared categorical.
    pub geography_weights: Cumulative,
    /// (primary, secondary) store per geography (index = geography_id − 1).
    pub nearest_stores: &'a [(i64, Option<i64>)],
}

impl CustomerLayout<'_> {
    /// Customer `customer_id` from its own [customer(customer_id)] stream. Draw order:
    /// geography, first name, last name, address, phone, loyalty suffix, shopper segment,
    /// mobility segment, app.
    pub fn customer(&self, customer_id: i64) -> DimCustomer {
        let mut s = Stream::new(self.seed, "customer", &[customer_id]);
        let g_index = self.geography_weights.draw(&mut s).unwrap_or(0);
        let g = &self.geographies[g_index];
        let first_name =
            self.dicts.first_names[s.below(self.dicts.first_names.len() as u64) as usize].clone();
        let last_name =
            self.dicts.last_names[s.below(self.dicts.last_names.len() as u64) as usize].clone();
        let address = draw_address(
            &mut s,
            AddressKind::Residential,
            &g.city,
            &g.state,
            &g.zip_code,
        );
        let area = AREA_CODES[s.below(AREA_CODES.len() as u64) as usize];
        let exchange = s.range_inclusive(200, 999);
        let number = s.range_inclusive(1000, 9999);
        let suffix = s.range_inclusive(100, 999);
        let shopper = ShopperSegment::ALL[s.categorical(&SHOPPER_WEIGHTS).unwrap_or(0)];
        let mobility = MobilitySegment::ALL[s.categorical(&MOBILITY_WEIGHTS).unwrap_or(0)];
        let has_mobile_app = s.bernoulli(0.35);
        let (primary_store_id, secondary_store_id) = self.nearest_stores[g_index];
        let mut loyalty_card = prefixed("LC", 14);
        push_padded(&mut loyalty_card, customer_id as u64, 9);
        push_padded(&mut loyalty_card, suffix as u64, 3);
        let mut phone = prefixed("(", 14);
        push_padded(&mut phone, u64::from(area), 3);
        phone.push_str(") ");
        push_padded(&mut phone, exchange as u64, 3);
        phone.push('-');
        push_padded(&mut phone, number as u64, 4);
        let mut ble_id = prefixed("BLE", 9);
        push_base36(&mut ble_id, customer_id);
        let mut ad_id = prefixed("AD", 8);
        ad_id.push_str(&ble_id[3..]);
        DimCustomer {
            customer_id,
            first_name,
            last_name,
            address,
            geography_id: g.geography_id,
            primary_store_id,
            secondary_store_id,
            loyalty_card,
            phone,
            ble_id,
            ad_id,
            shopper_segment: shopper.as_str().to_owned(),
            mobility_segment: mobility.as_str().to_owned(),
            has_mobile_app,
        }
    }

    /// Customers `1..=total`, generated in parallel; each row depends only on its id, so the
    /// result is identical for any thread count.
    pub fn customers(&self, total: u64) -> Vec<DimCustomer> {
        (0..total as usize)
            .into_par_iter()
            .with_min_len(4_096)
            .map(|i| self.customer(i as i64 + 1))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base36_matches_the_contract_example() {
        // data-contract §3: customer 48213 → BLE001179 (and LC000048213…).
        assert_eq!(base36_code(48_213), "001179");
        assert_eq!(base36_code(1179), "0000WR");
        assert_eq!(base36_code(1), "000001");
        assert_eq!(base36_code(36), "000010");
        assert_eq!(base36_code(999_999_999), "GJDGXR");
    }

    #[test]
    fn cumulative_draws_like_stream_categorical() {
        let weights = [0.3, 0.0, 1.7, 0.25, 0.0, 2.2, 0.9];
        let prepared = Cumulative::new(&weights);
        let mut a = Stream::new(5, "cum", &[]);
        let mut b = Stream::new(5, "cum", &[]);
        for _ in 0..10_000 {
            assert_eq!(prepared.draw(&mut a), b.categorical(&weights));
        }
    }
}
