//! Deterministic random streams for retail-rti.
//!
//! Every independent decision unit of the generator (a store-hour, a visit, a shipment…) draws
//! from its own [`Stream`], keyed by `(seed, domain, coordinates)` as data-contract §12.2
//! prescribes. Because a stream depends only on its key, any slice of the work can be generated
//! alone, in any order, on any thread, and produce the same bytes.
//!
//! The sampling primitives ([`Stream::below`], [`Stream::poisson`], [`Stream::normal`]…) are
//! implemented here rather than taken from `rand_distr`, so output never changes when a
//! third-party distribution implementation does (§12.3). Transcendental functions come from
//! `libm`, never the platform's math library.
//!
//! ```
//! use retail_rng::Stream;
//! let mut a = Stream::new(42, "visit", &[5, 19_788, 12, 3]);
//! let mut b = Stream::new(42, "visit", &[5, 19_788, 12, 3]);
//! assert_eq!(a.next_u64(), b.next_u64());
//! let n = a.range_inclusive(1, 6);
//! assert!((1..=6).contains(&n));
//! ```
#![deny(missing_docs)]

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// BLAKE3 key-derivation context of contract 1.0 random streams.
pub const KEY_CONTEXT: &str = "retail-datagen 1.0 rng";

/// Derives the 32-byte ChaCha8 key of a stream (data-contract §12.2).
///
/// Material: seed (u64 LE) ‖ domain (u16 LE length + UTF-8) ‖ coordinate count (u8) ‖ each
/// coordinate as i64 LE.
pub fn stream_key(seed: u64, domain: &str, coords: &[i64]) -> [u8; 32] {
    let mut material = Vec::with_capacity(8 + 2 + domain.len() + 1 + 8 * coords.len());
    material.extend_from_slice(&seed.to_le_bytes());
    let len = u16::try_from(domain.len()).expect("domain names are short");
    material.extend_from_slice(&len.to_le_bytes());
    material.extend_from_slice(domain.as_bytes());
    let count = u8::try_from(coords.len()).expect("at most 255 coordinates");
    material.push(count);
    for c in coords {
        material.extend_from_slice(&c.to_le_bytes());
    }
    blake3::derive_key(KEY_CONTEXT, &material)
}

/// One named random stream: ChaCha8 (8 rounds, stream 0) seeded with a derived key.
#[derive(Clone, Debug)]
pub struct Stream {
    rng: ChaCha8Rng,
    cached_normal: Option<f64>,
}

impl Stream {
    /// Opens the stream of `(seed, domain, coords)`.
    pub fn new(seed: u64, domain: &str, coords: &[i64]) -> Self {
        Self::from_key(stream_key(seed, domain, coords))
    }

    /// Opens a stream from an already derived key.
    pub fn from_key(key: [u8; 32]) -> Self {
        Self {
            rng: ChaCha8Rng::from_seed(key),
            cached_normal: None,
        }
    }

    /// Next 64-bit output (two keystream words, the first as the low half).
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// Fills `out` with keystream bytes.
    pub fn fill_bytes(&mut self, out: &mut [u8]) {
        self.rng.fill_bytes(out);
    }

    /// Uniform real in [0, 1): `(u64 >> 11) × 2^−53`.
    #[inline]
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `0..n` (Lemire's multiply-shift with rejection; unbiased). `n` > 0.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "below(0) has no values");
        let mut x = self.next_u64();
        let mut m = (x as u128) * (n as u128);
        let mut low = m as u64;
        if low < n {
            let threshold = n.wrapping_neg() % n;
            while low < threshold {
                x = self.next_u64();
                m = (x as u128) * (n as u128);
                low = m as u64;
            }
        }
        (m >> 64) as u64
    }

    /// Uniform integer in `[a, b]` inclusive (`U{a..b}`). Requires `a ≤ b`.
    #[inline]
    pub fn range_inclusive(&mut self, a: i64, b: i64) -> i64 {
        assert!(a <= b, "empty range {a}..={b}");
        let span = (b as i128 - a as i128 + 1) as u128;
        if span > u64::MAX as u128 {
            return self.next_u64() as i64;
        }
        (a as i128 + self.below(span as u64) as i128) as i64
    }

    /// Uniform real in `[a, b)` (`U(a,b)`): `a + (b − a) × f64()`.
    #[inline]
    pub fn uniform(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.f64()
    }

    /// Bernoulli(p): `f64() < p`.
    #[inline]
    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Categorical draw: the first index whose cumulative weight exceeds `f64() × total`.
    ///
    /// Weights are summed in listed order. Returns `None` when every weight is zero or the
    /// slice is empty.
    pub fn categorical(&mut self, weights: &[f64]) -> Option<usize> {
        let total: f64 = weights.iter().sum();
        if weights.is_empty() || total <= 0.0 {
            return None;
        }
        let target = self.f64() * total;
        let mut cumulative = 0.0;
        for (i, w) in weights.iter().enumerate() {
            cumulative += w;
            if target < cumulative {
                return Some(i);
            }
        }
        // Rounding can leave target == total; the last positive weight takes it.
        weights.iter().rposition(|w| *w > 0.0)
    }

    /// Poisson(λ): 0 for λ = 0, Knuth's multiplication method for λ < 30, PTRS (Hörmann 1993)
    /// otherwise.
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda <= 0.0 || !lambda.is_finite() {
            return 0;
        }
        if lambda < 30.0 {
            let limit = libm::exp(-lambda);
            let mut k = 0u64;
            let mut p = 1.0;
            loop {
                p *= self.f64();
                if p <= limit {
                    return k;
                }
                k += 1;
            }
        }
        self.poisson_ptrs(lambda)
    }

    fn poisson_ptrs(&mut self, lambda: f64) -> u64 {
        let slam = libm::sqrt(lambda);
        let loglam = libm::log(lambda);
        let b = 0.931 + 2.53 * slam;
        let a = -0.059 + 0.02483 * b;
        let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
        let vr = 0.9277 - 3.6224 / (b - 2.0);
        loop {
            let u = self.f64() - 0.5;
            let v = self.f64();
            let us = 0.5 - libm::fabs(u);
            let k = libm::floor((2.0 * a / us + b) * u + lambda + 0.43);
            if us >= 0.07 && v <= vr {
                return k as u64;
            }
            if k < 0.0 || (us < 0.013 && v > us) {
                continue;
            }
            let lhs = libm::log(v) + libm::log(inv_alpha) - libm::log(a / (us * us) + b);
            let rhs = -lambda + k * loglam - libm::lgamma(k + 1.0);
            if lhs <= rhs {
                return k as u64;
            }
        }
    }

    /// Standard normal N(0, 1) by Box–Muller, using both outputs in order.
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.cached_normal.take() {
            return z;
        }
        // 1 − f64() lies in (0, 1], so the logarithm is finite.
        let u1 = 1.0 - self.f64();
        let u2 = self.f64();
        let r = libm::sqrt(-2.0 * libm::log(u1));
        let theta = 2.0 * std::f64::consts::PI * u2;
        self.cached_normal = Some(r * libm::sin(theta));
        r * libm::cos(theta)
    }

    /// Normal N(mean, sd).
    pub fn normal_with(&mut self, mean: f64, sd: f64) -> f64 {
        mean + sd * self.normal()
    }

    /// Picks `k` distinct indices of `0..n` by drawing one key per index and keeping the `k`
    /// smallest (ties → lower index), returned in ascending key order.
    pub fn sample_without_replacement(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut keyed: Vec<(u64, usize)> = (0..n).map(|i| (self.next_u64(), i)).collect();
        keyed.sort_unstable();
        keyed.into_iter().take(k).map(|(_, i)| i).collect()
    }
}

/// Rounds to the nearest integer, halves away from zero (the contract's only rounding rule).
#[inline]
pub fn round_half_away(x: f64) -> i64 {
    libm::round(x) as i64
}

/// Exact `round_half_away(numerator / denominator)` on integers (128-bit intermediates).
#[inline]
pub fn div_round_half_away(numerator: i128, denominator: i128) -> i64 {
    assert!(denominator != 0, "division by zero");
    let (n, d) = if denominator < 0 {
        (-numerator, -denominator)
    } else {
        (numerator, denominator)
    };
    let q = n / d;
    let r = n % d;
    let adjust = if 2 * r.abs() >= d { n.signum() } else { 0 };
    (q + adjust) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_key_same_sequence_and_different_coords_differ() {
        let mut a = Stream::new(7, "store_hour", &[1, 2, 3]);
        let mut b = Stream::new(7, "store_hour", &[1, 2, 3]);
        let mut c = Stream::new(7, "store_hour", &[1, 2, 4]);
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
        assert_ne!(
            stream_key(7, "ab", &[1]),
            stream_key(7, "a", &[1]),
            "domain length is part of the material"
        );
    }

    #[test]
    fn key_material_layout_is_the_contract_one() {
        let mut material = Vec::new();
        material.extend_from_slice(&42u64.to_le_bytes());
        material.extend_from_slice(&5u16.to_le_bytes());
        material.extend_from_slice(b"visit");
        material.push(2);
        material.extend_from_slice(&5i64.to_le_bytes());
        material.extend_from_slice(&(-1i64).to_le_bytes());
        assert_eq!(
            stream_key(42, "visit", &[5, -1]),
            blake3::derive_key(KEY_CONTEXT, &material)
        );
    }

    #[test]
    fn below_is_in_range_and_roughly_uniform() {
        let mut s = Stream::new(1, "t", &[]);
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            counts[s.below(6) as usize] += 1;
        }
        for c in counts {
            assert!((9_400..10_600).contains(&c), "{counts:?}");
        }
        for _ in 0..1000 {
            let v = s.range_inclusive(-80, -30);
            assert!((-80..=-30).contains(&v));
        }
    }

    #[test]
    fn poisson_means_match_lambda_on_both_branches() {
        for lambda in [0.5, 4.0, 29.0, 30.0, 250.0] {
            let mut s = Stream::new(3, "poisson", &[(lambda * 10.0) as i64]);
            let n = 20_000;
            let sum: u64 = (0..n).map(|_| s.poisson(lambda)).sum();
            let mean = sum as f64 / n as f64;
            let tolerance = 4.0 * (lambda / n as f64).sqrt();
            assert!((mean - lambda).abs() < tolerance, "λ={lambda} mean={mean}");
        }
        assert_eq!(Stream::new(3, "p", &[]).poisson(0.0), 0);
    }

    #[test]
    fn normal_has_unit_variance() {
        let mut s = Stream::new(9, "normal", &[]);
        let n = 40_000;
        let xs: Vec<f64> = (0..n).map(|_| s.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.03, "{mean}");
        assert!((var - 1.0).abs() < 0.03, "{var}");
    }

    #[test]
    fn categorical_follows_weights_and_skips_zero() {
        let mut s = Stream::new(11, "cat", &[]);
        let w = [0.4, 0.0, 0.6];
        let mut counts = [0u32; 3];
        for _ in 0..10_000 {
            counts[s.categorical(&w).unwrap()] += 1;
        }
        assert_eq!(counts[1], 0);
        assert!((3_700..4_300).contains(&counts[0]), "{counts:?}");
        assert_eq!(s.categorical(&[0.0, 0.0]), None);
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_half_away(2.5), 3);
        assert_eq!(round_half_away(-2.5), -3);
        assert_eq!(round_half_away(2.4999), 2);
        assert_eq!(div_round_half_away(5, 2), 3);
        assert_eq!(div_round_half_away(-5, 2), -3);
        assert_eq!(div_round_half_away(7, 3), 2);
        assert_eq!(div_round_half_away(-7, 3), -2);
        assert_eq!(div_round_half_away(1169 * 825 * 100, 1_000_000), 96);
    }

    #[test]
    fn sample_without_replacement_is_distinct() {
        let mut s = Stream::new(5, "swr", &[]);
        let mut picked = s.sample_without_replacement(10, 4);
        assert_eq!(picked.len(), 4);
        picked.sort_unstable();
        picked.dedup();
        assert_eq!(picked.len(), 4);
    }
}
