//! Geographies, distribution centers and stores (data-contract §7.3).

use retail_patterns::tax::TaxRateTable;
use retail_rng::Stream;
use retail_schemas::tables::{DimDistributionCenter, DimGeography, DimStore};

use crate::dictionaries::{Dictionaries, GeographyEntry};
use crate::enums::{Region, StoreFormat, StoreHours, Urbanicity, VolumeClass};
use crate::error::MasterError;
use crate::geo::{AddressKind, draw_address, haversine_miles};

/// Selected geographies with their internal placement weights.
#[derive(Clone, Debug)]
pub struct Geographies {
    /// `dim_geographies` rows, `geography_id` = index + 1.
    pub rows: Vec<DimGeography>,
    /// Placement weight per geography (index = geography_id − 1).
    pub weights: Vec<f64>,
    /// Urbanicity per geography (index = geography_id − 1).
    pub urbanicity: Vec<Urbanicity>,
    /// Dictionary row index each geography came from.
    pub dictionary_rows: Vec<usize>,
}

impl Geographies {
    /// Geography ids ordered by placement weight descending, ties → lower id.
    pub fn by_weight_desc(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = (1..=self.rows.len() as i64).collect();
        ids.sort_by(|a, b| {
            let (wa, wb) = (self.weights[*a as usize - 1], self.weights[*b as usize - 1]);
            wb.total_cmp(&wa).then(a.cmp(b))
        });
        ids
    }
}

fn urbanicity_weights(region: Region) -> [f64; 3] {
    match region {
        Region::Northeast | Region::West => [0.5, 0.4, 0.1],
        Region::Midwest | Region::Southeast => [0.2, 0.6, 0.2],
        Region::Southwest => [0.1, 0.5, 0.4],
    }
}

fn district_is_dense(district: &str) -> bool {
    let d = district.to_lowercase();
    ["metro", "urban", "city"].iter().any(|k| d.contains(k))
}

/// Selects `total` dictionary places by smallest [geo_select(row)] key and profiles them
/// [geo_profile(geography_id)]: urbanicity, then the placement-weight jitter.
pub fn generate_geographies(
    seed: u64,
    dicts: &Dictionaries,
    total: usize,
) -> Result<Geographies, MasterError> {
    let available = dicts.geographies.len();
    if total == 0 || total > available {
        return Err(MasterError::Config {
            field: "volume.total_geographies",
            reason: format!("{total} must be between 1 and the {available} dictionary places"),
        });
    }
    let mut keyed: Vec<(u64, usize)> = (0..available)
        .map(|r| (Stream::new(seed, "geo_select", &[r as i64]).next_u64(), r))
        .collect();
    keyed.sort_unstable();
    keyed.truncate(total);

    let mut out = Geographies {
        rows: Vec::with_capacity(total),
        weights: Vec::with_capacity(total),
        urbanicity: Vec::with_capacity(total),
        dictionary_rows: Vec::with_capacity(total),
    };
    for (rank, (_, r)) in keyed.into_iter().enumerate() {
        let geography_id = rank as i64 + 1;
        let entry: &GeographyEntry = &dicts.geographies[r];
        let mut stream = Stream::new(seed, "geo_profile", &[geography_id]);
        let u = stream
            .categorical(&urbanicity_weights(entry.region))
            .unwrap_or(0);
        let urbanicity = Urbanicity::ALL[u];
        let mut weight = 1.0;
        if matches!(entry.region, Region::West | Region::Northeast) {
            weight *= 1.5;
        }
        if district_is_dense(&entry.district) {
            weight *= 2.0;
        }
        weight *= stream.uniform(0.8, 1.2);
        out.rows.push(DimGeography {
            geography_id,
            city: entry.city.clone(),
            state: entry.state.clone(),
            zip_code: entry.zip.clone(),
            district: entry.district.clone(),
            region: entry.region.as_str().to_owned(),
            latitude: entry.latitude,
            longitude: entry.longitude,
            time_zone: entry.time_zone.clone(),
            urbanicity: urbanicity.as_str().to_owned(),
        });
        out.weights.push(weight);
        out.urbanicity.push(urbanicity);
        out.dictionary_rows.push(r);
    }
    Ok(out)
}

/// One DC per geography, the k-th DC in the k-th highest-weight geography; jitter and address
/// from [dc(dc_id)].
pub fn generate_distribution_centers(
    seed: u64,
    geos: &Geographies,
    dcs: usize,
) -> Result<Vec<DimDistributionCenter>, MasterError> {
    if dcs == 0 || dcs > geos.rows.len() {
        return Err(MasterError::Config {
            field: "volume.dcs",
            reason: format!(
                "{dcs} must be between 1 and volume.total_geographies ({})",
                geos.rows.len()
            ),
        });
    }
    let order = geos.by_weight_desc();
    Ok(order
        .iter()
        .take(dcs)
        .enumerate()
        .map(|(k, &geography_id)| {
            let dc_id = k as i64 + 1;
            let g = &geos.rows[geography_id as usize - 1];
            let mut stream = Stream::new(seed, "dc", &[dc_id]);
            let latitude = g.latitude + stream.uniform(-0.05, 0.05);
            let longitude = g.longitude + stream.uniform(-0.05, 0.05);
            let address = draw_address(
                &mut stream,
                AddressKind::Industrial,
                &g.city,
                &g.state,
                &g.zip_code,
            );
            DimDistributionCenter {
                dc_id,
                dc_number: format!("DC{dc_id:03}"),
                geography_id,
                address,
                latitude,
                longitude,
                time_zone: g.time_zone.clone(),
            }
        })
        .collect())
}

/// How many stores each eligible geography receives, in eligible order (§7.3, Hamilton).
pub fn apportion_stores(eligible_weights: &[f64], stores: usize) -> Vec<usize> {
    let n = eligible_weights.len();
    if stores < n {
        return (0..n).map(|i| usize::from(i < stores)).collect();
    }
    let extra = stores - n;
    let total: f64 = eligible_weights.iter().sum();
    let mut counts = vec![1usize; n];
    if extra == 0 || total <= 0.0 {
        if extra > 0 {
            counts[0] += extra;
        }
        return counts;
    }
    let mut remainders = Vec::with_capacity(n);
    let mut assigned = 0usize;
    for (i, w) in eligible_weights.iter().enumerate() {
        let quota = extra as f64 * w / total;
        let floor = libm::floor(quota);
        counts[i] += floor as usize;
        assigned += floor as usize;
        remainders.push((quota - floor, i));
    }
    remainders.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    // Floating quotas can sum a hair under `extra`; the loop hands out what is left, and a
    // wrap-around keeps the total exact even if more than n seats remain.
    let mut left = extra.saturating_sub(assigned);
    let mut k = 0;
    while left > 0 {
        counts[remainders[k % n].1] += 1;
        left -= 1;
        k += 1;
    }
    counts
}

struct StoreProfile {
    class: VolumeClass,
    format: StoreFormat,
    hours: StoreHours,
    multiplier: f64,
}

fn draw_store_profile(stream: &mut Stream, urbanicity: Urbanicity) -> StoreProfile {
    use StoreFormat::*;
    use StoreHours::*;
    use VolumeClass::*;
    let urban = urbanicity == Urbanicity::Urban;
    let class_weights: [f64; 5] = if urban {
        [0.10, 0.25, 0.45, 0.15, 0.05]
    } else {
        [0.02, 0.10, 0.53, 0.30, 0.05]
    };
    let class = VolumeClass::ALL[stream.categorical(&class_weights).unwrap_or(2)];
    let format_choices: &[(StoreFormat, f64)] = match (class, urban) {
        (Flagship, true) => &[(Superstore, 0.6), (Hypermarket, 0.3), (Standard, 0.1)],
        (Flagship, false) => &[(Hypermarket, 0.7), (Superstore, 0.3)],
        (HighVolume, _) => &[(Superstore, 0.6), (Standard, 0.3), (Hypermarket, 0.1)],
        (MediumVolume, _) => &[(Standard, 0.6), (Superstore, 0.2), (Neighborhood, 0.2)],
        (LowVolume, _) => &[(Neighborhood, 0.5), (Standard, 0.3), (Express, 0.2)],
        (Kiosk, _) => &[(Express, 0.8), (Neighborhood, 0.2)],
    };
    let format = pick(stream, format_choices);
    let hour_choices: &[(StoreHours, f64)] = match (format, urban) {
        (Express, true) => &[(AllDay, 0.3), (SixToMidnight, 0.7)],
        (Express, false) => &[(SixToMidnight, 0.4), (EightToTen, 0.4), (NineToNine, 0.2)],
        (Hypermarket | Superstore, true) => &[(SixToMidnight, 0.6), (EightToTen, 0.4)],
        (Hypermarket | Superstore, false) => {
            &[(SixToMidnight, 0.3), (EightToTen, 0.5), (NineToNine, 0.2)]
        }
        (Standard | Neighborhood, _) => {
            &[(EightToTen, 0.6), (SixToMidnight, 0.2), (NineToNine, 0.2)]
        }
    };
    let hours = pick(stream, hour_choices);
    let (lo, hi) = match class {
        Flagship => (2.5, 3.0),
        HighVolume => (1.8, 2.4),
        MediumVolume => (0.8, 1.2),
        LowVolume => (0.4, 0.7),
        Kiosk => (0.25, 0.35),
    };
    let multiplier = stream.uniform(lo, hi);
    StoreProfile {
        class,
        format,
        hours,
        multiplier,
    }
}

fn pick<T: Copy>(stream: &mut Stream, choices: &[(T, f64)]) -> T {
    let weights: Vec<f64> = choices.iter().map(|c| c.1).collect();
    choices[stream.categorical(&weights).unwrap_or(0)].0
}

/// Stores over the eligible geographies (states hosting a DC), profiled from
/// [store_profile(store_id)], then each assigned its serving DC.
pub fn generate_stores(
    seed: u64,
    geos: &Geographies,
    dcs: &[DimDistributionCenter],
    stores: usize,
    tax: &TaxRateTable,
) -> Result<Vec<DimStore>, MasterError> {
    if stores < dcs.len() || stores == 0 {
        return Err(MasterError::Config {
            field: "volume.stores",
            reason: format!(
                "{stores} stores cannot give each of the {} DCs a store",
                dcs.len()
            ),
        });
    }
    let dc_states: std::collections::BTreeSet<&str> = dcs
        .iter()
        .map(|dc| geos.rows[dc.geography_id as usize - 1].state.as_str())
        .collect();
    let eligible: Vec<i64> = geos
        .by_weight_desc()
        .into_iter()
        .filter(|id| dc_states.contains(geos.rows[*id as usize - 1].state.as_str()))
        .collect();
    let weights: Vec<f64> = eligible
        .iter()
        .map(|id| geos.weights[*id as usize - 1])
        .collect();
    let counts = apportion_stores(&weights, stores);

    let mut rows = Vec::with_capacity(stores);
    for (geography_id, count) in eligible.iter().zip(counts) {
        let g = &geos.rows[*geography_id as usize - 1];
        let urbanicity = geos.urbanicity[*geography_id as usize - 1];
        for _ in 0..count {
            let store_id = rows.len() as i64 + 1;
            let mut stream = Stream::new(seed, "store_profile", &[store_id]);
            let profile = draw_store_profile(&mut stream, urbanicity);
            let latitude = g.latitude + stream.uniform(-0.05, 0.05);
            let longitude = g.longitude + stream.uniform(-0.05, 0.05);
            let address = draw_address(
                &mut stream,
                AddressKind::Commercial,
                &g.city,
                &g.state,
                &g.zip_code,
            );
            let (open_minute, close_minute) = profile.hours.minutes();
            rows.push(DimStore {
                store_id,
                store_number: format!("S{store_id:06}"),
                geography_id: *geography_id,
                dc_id: 0,
                address,
                latitude,
                longitude,
                time_zone: g.time_zone.clone(),
                tax_rate_bps: tax.tax_rate_bps(&g.state, &g.city),
                volume_class: profile.class.as_str().to_owned(),
                store_format: profile.format.as_str().to_owned(),
                hours_label: profile.hours.as_str().to_owned(),
                open_minute,
                close_minute,
                daily_traffic_multiplier: profile.multiplier,
            });
        }
    }
    assign_serving_dcs(&mut rows, dcs)?;
    Ok(rows)
}

/// Nearest DC per store (ties → lower dc_id), then the reassignment pass so every DC serves at
/// least one store (§7.3).
pub fn assign_serving_dcs(
    stores: &mut [DimStore],
    dcs: &[DimDistributionCenter],
) -> Result<(), MasterError> {
    let distance = |s: &DimStore, d: &DimDistributionCenter| {
        haversine_miles(s.latitude, s.longitude, d.latitude, d.longitude)
    };
    for s in stores.iter_mut() {
        let mut best: Option<(f64, i64)> = None;
        for d in dcs {
            let dist = distance(s, d);
            if best.is_none_or(|(b, _)| dist < b) {
                best = Some((dist, d.dc_id));
            }
        }
        s.dc_id = best.map(|b| b.1).unwrap_or(0);
    }
    let mut served = vec![0usize; dcs.len()];
    for s in stores.iter() {
        served[s.dc_id as usize - 1] += 1;
    }
    for d in dcs {
        if served[d.dc_id as usize - 1] > 0 {
            continue;
        }
        let mut best: Option<(f64, usize)> = None;
        for (i, s) in stores.iter().enumerate() {
            if served[s.dc_id as usize - 1] < 2 {
                continue;
            }
            let dist = distance(s, d);
            if best.is_none_or(|(b, _)| dist < b) {
                best = Some((dist, i));
            }
        }
        let Some((_, i)) = best else {
            return Err(MasterError::Generation {
                table: "dim_stores",
                reason: format!("no store can be reassigned to {}", d.dc_number),
            });
        };
        served[stores[i].dc_id as usize - 1] -= 1;
        stores[i].dc_id = d.dc_id;
        served[d.dc_id as usize - 1] += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hamilton_gives_remainders_to_largest_fractions() {
        // 3 geographies, 10 stores: 7 extra seats on weights 5/3/2 → quotas 3.5, 2.1, 1.4.
        assert_eq!(apportion_stores(&[5.0, 3.0, 2.0], 10), vec![4 + 1, 3, 2]);
        assert_eq!(apportion_stores(&[1.0, 1.0, 1.0], 2), vec![1, 1, 0]);
        assert_eq!(apportion_stores(&[1.0, 1.0], 2), vec![1, 1]);
        // Equal remainders go to the earlier geography.
        assert_eq!(apportion_stores(&[1.0, 1.0], 3), vec![2, 1]);
        let counts = apportion_stores(&[0.3, 0.7, 1.1, 2.9, 0.01], 86);
        assert_eq!(counts.iter().sum::<usize>(), 86);
        assert!(counts.iter().all(|c| *c >= 1));
    }
}
