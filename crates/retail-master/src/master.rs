//! [`MasterData`]: every dimension row plus the lookup indexes the fact engine needs.

use chrono_tz::Tz;
use retail_config::Config;
use retail_patterns::tax::TaxRateTable;
use retail_schemas::Date;
use retail_schemas::tables::{
    DimCustomer, DimDate, DimDistributionCenter, DimGeography, DimProduct, DimStore, DimTruck,
};

use crate::calendar;
use crate::customers::{Cumulative, CustomerLayout, two_nearest_stores};
use crate::dictionaries::Dictionaries;
use crate::enums::{
    BasketCategory, MobilitySegment, ShopperSegment, StoreFormat, StoreHours, Taxability,
    Urbanicity, VolumeClass,
};
use crate::error::MasterError;
use crate::geo::haversine_miles;
use crate::placement::{generate_distribution_centers, generate_geographies, generate_stores};
use crate::products::generate_products;
use crate::trucks::generate_trucks;

/// Customers sharing a geography and a mobility segment: they share a store-choice weight, so
/// visit customer draws are two-stage (group, then a uniform member) (§7.5).
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerGroup {
    /// Home geography.
    pub geography_id: i64,
    /// Mobility segment.
    pub mobility: MobilitySegment,
    /// Members in ascending customer_id.
    pub customer_ids: Vec<i64>,
}

/// All dimension rows of a dataset and their indexes.
///
/// Every table is dense: the row with id `k` sits at index `k − 1`, so `stores[store_id − 1]`
/// is the store (see the accessor methods). Per-entity vectors below follow the same rule.
#[derive(Clone, Debug)]
pub struct MasterData {
    /// Seed the data was generated from.
    pub seed: u64,
    /// `dates.start_date`, the reference of product launch dates.
    pub start_date: Date,
    /// SHA-256 of the dictionaries used (`_meta.dictionary_hash`).
    pub dictionary_hash: String,

    /// `dim_geographies` in geography_id order.
    pub geographies: Vec<DimGeography>,
    /// `dim_distribution_centers` in dc_id order.
    pub distribution_centers: Vec<DimDistributionCenter>,
    /// `dim_stores` in store_id order.
    pub stores: Vec<DimStore>,
    /// `dim_trucks` in truck_id order.
    pub trucks: Vec<DimTruck>,
    /// `dim_customers` in customer_id order.
    pub customers: Vec<DimCustomer>,
    /// `dim_products` in product_id order.
    pub products: Vec<DimProduct>,
    /// `dim_date`, 2000-01-01 … 2099-12-31 in date order.
    pub dates: Vec<DimDate>,

    /// Placement weight per geography (internal, §7.3).
    pub geography_weights: Vec<f64>,
    /// Urbanicity per geography, typed.
    pub geography_urbanicity: Vec<Urbanicity>,
    /// Time zone per geography.
    pub geography_time_zones: Vec<Tz>,
    /// Time zone per DC.
    pub dc_time_zones: Vec<Tz>,
    /// Time zone per store.
    pub store_time_zones: Vec<Tz>,
    /// Volume class per store, typed.
    pub store_volume_classes: Vec<VolumeClass>,
    /// Format per store, typed.
    pub store_formats: Vec<StoreFormat>,
    /// Hours per store, typed.
    pub store_hours: Vec<StoreHours>,
    /// Stores served by each DC (index = dc_id − 1), ascending store_id.
    pub stores_by_dc: Vec<Vec<i64>>,
    /// (primary, secondary) store per geography (index = geography_id − 1).
    pub nearest_stores: Vec<(i64, Option<i64>)>,
    /// Haversine miles from each geography's coordinates to each store, geography-major:
    /// `[(geography_id − 1) × stores + (store_id − 1)]`. Use [`MasterData::geo_store_miles`].
    pub geography_store_miles: Vec<f64>,
    /// Shopper segment per customer, typed.
    pub customer_shopper_segments: Vec<ShopperSegment>,
    /// Mobility segment per customer, typed.
    pub customer_mobility_segments: Vec<MobilitySegment>,
    /// Customers by primary store (index = store_id − 1), ascending customer_id.
    pub customers_by_primary_store: Vec<Vec<i64>>,
    /// Customers whose primary store is served by each DC (index = dc_id − 1), ascending
    /// customer_id: the customers behind a DC fulfilment node (§7.11).
    pub customers_by_dc: Vec<Vec<i64>>,
    /// Customer groups ordered by (geography_id, mobility segment in contract order); only
    /// non-empty groups are listed.
    pub customer_groups: Vec<CustomerGroup>,
    /// Popularity exp(N(0,1)) per product (§7.4), the in-category selection weight.
    pub product_popularity: Vec<f64>,
    /// Basket category per product, typed.
    pub product_basket_categories: Vec<BasketCategory>,
    /// Taxability per product, typed.
    pub product_taxability: Vec<Taxability>,
}

fn parse_or<T: Copy>(text: &str, parse: impl Fn(&str) -> Option<T>, fallback: T) -> T {
    parse(text).unwrap_or(fallback)
}

fn tz_of(name: &str) -> Result<Tz, MasterError> {
    name.parse().map_err(|_| MasterError::Generation {
        table: "dim_geographies",
        reason: format!("time zone `{name}` is not in the bundled tz database"),
    })
}

impl MasterData {
    /// Generates every dimension from the seed, the configuration and the dictionaries.
    /// Pure: the same inputs give identical rows on any machine and thread count.
    pub fn generate(config: &Config, dicts: &Dictionaries) -> Result<MasterData, MasterError> {
        let seed = config.seed;
        let volume = &config.volume;
        let start_date =
            Date::parse(&config.dates.start_date).ok_or_else(|| MasterError::Config {
                field: "dates.start_date",
                reason: format!("\"{}\" is not a YYYY-MM-DD date", config.dates.start_date),
            })?;
        if dicts.first_names.is_empty() || dicts.last_names.is_empty() {
            return Err(MasterError::Generation {
                table: "dim_customers",
                reason: "the name dictionaries are empty".into(),
            });
        }

        let geos = generate_geographies(seed, dicts, volume.total_geographies as usize)?;
        let dcs = generate_distribution_centers(seed, &geos, volume.dcs as usize)?;
        let tax = TaxRateTable::new(
            dicts
                .tax_rates
                .iter()
                .map(|r| (r.state.as_str(), r.city.as_str(), r.rate_bps)),
        );
        let stores = generate_stores(seed, &geos, &dcs, volume.stores as usize, &tax)?;
        let trucks = generate_trucks(seed, volume)?;

        let nearest_stores: Vec<(i64, Option<i64>)> = geos
            .rows
            .iter()
            .map(|g| two_nearest_stores(g.latitude, g.longitude, &stores).unwrap_or((1, None)))
            .collect();
        let layout = CustomerLayout {
            seed,
            dicts,
            geographies: &geos.rows,
            geography_weights: Cumulative::new(&geos.weights),
            nearest_stores: &nearest_stores,
        };
        if volume.total_customers == 0 {
            return Err(MasterError::Config {
                field: "volume.total_customers",
                reason: "at least one customer is required".into(),
            });
        }
        // Customers use every core on their own; products and dates are independent of them
        // and of each other, so they run alongside instead of after.
        let (customers, (products, dates)) = rayon::join(
            || layout.customers(volume.total_customers),
            || {
                rayon::join(
                    || generate_products(seed, dicts, volume.total_products as usize, start_date),
                    || calendar::dim_date_rows(&config.calendar.closed_holidays),
                )
            },
        );
        let (products, dates) = (products?, dates?);

        let mut geography_store_miles = Vec::with_capacity(geos.rows.len() * stores.len());
        for g in &geos.rows {
            for s in &stores {
                geography_store_miles.push(haversine_miles(
                    g.latitude,
                    g.longitude,
                    s.latitude,
                    s.longitude,
                ));
            }
        }
        let mut stores_by_dc = vec![Vec::new(); dcs.len()];
        for s in &stores {
            stores_by_dc[s.dc_id as usize - 1].push(s.store_id);
        }
        let mut customers_by_primary_store = vec![Vec::new(); stores.len()];
        let mut customers_by_dc = vec![Vec::new(); dcs.len()];
        let mut group_members: Vec<Vec<i64>> =
            vec![Vec::new(); geos.rows.len() * MobilitySegment::ALL.len()];
        let mut customer_shopper_segments = Vec::with_capacity(customers.len());
        let mut customer_mobility_segments = Vec::with_capacity(customers.len());
        for c in &customers {
            customers_by_primary_store[c.primary_store_id as usize - 1].push(c.customer_id);
            let serving_dc = stores[c.primary_store_id as usize - 1].dc_id;
            customers_by_dc[serving_dc as usize - 1].push(c.customer_id);
            let mobility = parse_or(
                &c.mobility_segment,
                MobilitySegment::parse,
                MobilitySegment::Regular,
            );
            let shopper = parse_or(
                &c.shopper_segment,
                ShopperSegment::parse,
                ShopperSegment::BudgetConscious,
            );
            group_members
                [(c.geography_id as usize - 1) * MobilitySegment::ALL.len() + mobility.index()]
            .push(c.customer_id);
            customer_shopper_segments.push(shopper);
            customer_mobility_segments.push(mobility);
        }
        let customer_groups = group_members
            .into_iter()
            .enumerate()
            .filter(|(_, m)| !m.is_empty())
            .map(|(i, customer_ids)| CustomerGroup {
                geography_id: (i / MobilitySegment::ALL.len()) as i64 + 1,
                mobility: MobilitySegment::ALL[i % MobilitySegment::ALL.len()],
                customer_ids,
            })
            .collect();

        Ok(MasterData {
            seed,
            start_date,
            dictionary_hash: dicts.hash.clone(),
            geography_time_zones: geos
                .rows
                .iter()
                .map(|g| tz_of(&g.time_zone))
                .collect::<Result<_, _>>()?,
            dc_time_zones: dcs
                .iter()
                .map(|d| tz_of(&d.time_zone))
                .collect::<Result<_, _>>()?,
            store_time_zones: stores
                .iter()
                .map(|s| tz_of(&s.time_zone))
                .collect::<Result<_, _>>()?,
            store_volume_classes: stores
                .iter()
                .map(|s| {
                    parse_or(
                        &s.volume_class,
                        VolumeClass::parse,
                        VolumeClass::MediumVolume,
                    )
                })
                .collect(),
            store_formats: stores
                .iter()
                .map(|s| parse_or(&s.store_format, StoreFormat::parse, StoreFormat::Standard))
                .collect(),
            store_hours: stores
                .iter()
                .map(|s| parse_or(&s.hours_label, StoreHours::parse, StoreHours::EightToTen))
                .collect(),
            geography_weights: geos.weights.clone(),
            geography_urbanicity: geos.urbanicity.clone(),
            geographies: geos.rows,
            distribution_centers: dcs,
            stores,
            trucks,
            customers,
            products: products.rows,
            dates,
            stores_by_dc,
            nearest_stores,
            geography_store_miles,
            customer_shopper_segments,
            customer_mobility_segments,
            customers_by_primary_store,
            customers_by_dc,
            customer_groups,
            product_popularity: products.popularity,
            product_basket_categories: products.basket_categories,
            product_taxability: products.taxability,
        })
    }

    /// The geography with this id.
    pub fn geography(&self, geography_id: i64) -> Option<&DimGeography> {
        dense(&self.geographies, geography_id)
    }

    /// The DC with this id.
    pub fn dc(&self, dc_id: i64) -> Option<&DimDistributionCenter> {
        dense(&self.distribution_centers, dc_id)
    }

    /// The store with this id.
    pub fn store(&self, store_id: i64) -> Option<&DimStore> {
        dense(&self.stores, store_id)
    }

    /// The truck with this id.
    pub fn truck(&self, truck_id: i64) -> Option<&DimTruck> {
        dense(&self.trucks, truck_id)
    }

    /// The customer with this id.
    pub fn customer(&self, customer_id: i64) -> Option<&DimCustomer> {
        dense(&self.customers, customer_id)
    }

    /// The product with this id.
    pub fn product(&self, product_id: i64) -> Option<&DimProduct> {
        dense(&self.products, product_id)
    }

    /// Time zone of a store.
    pub fn store_tz(&self, store_id: i64) -> Option<Tz> {
        dense(&self.store_time_zones, store_id).copied()
    }

    /// Time zone of a DC.
    pub fn dc_tz(&self, dc_id: i64) -> Option<Tz> {
        dense(&self.dc_time_zones, dc_id).copied()
    }

    /// Miles from a geography's coordinates to a store (customer store choice, §7.5).
    pub fn geo_store_miles(&self, geography_id: i64, store_id: i64) -> Option<f64> {
        let g = usize::try_from(geography_id - 1).ok()?;
        let s = usize::try_from(store_id - 1).ok()?;
        if g >= self.geographies.len() || s >= self.stores.len() {
            return None;
        }
        self.geography_store_miles
            .get(g * self.stores.len() + s)
            .copied()
    }

    /// Miles from a DC to a store (truck travel time, §7.10).
    pub fn dc_store_miles(&self, dc_id: i64, store_id: i64) -> Option<f64> {
        let d = self.dc(dc_id)?;
        let s = self.store(store_id)?;
        Some(haversine_miles(
            d.latitude,
            d.longitude,
            s.latitude,
            s.longitude,
        ))
    }

    /// Stores served by a DC, ascending store_id.
    pub fn stores_served_by(&self, dc_id: i64) -> &[i64] {
        dense(&self.stores_by_dc, dc_id).map_or(&[], Vec::as_slice)
    }

    /// Customers whose primary store is served by `dc_id`, ascending customer_id.
    pub fn customers_of_dc(&self, dc_id: i64) -> &[i64] {
        dense(&self.customers_by_dc, dc_id).map_or(&[], Vec::as_slice)
    }

    /// Customers whose primary store is `store_id`, ascending customer_id.
    pub fn customers_of_store(&self, store_id: i64) -> &[i64] {
        dense(&self.customers_by_primary_store, store_id).map_or(&[], Vec::as_slice)
    }
}

fn dense<T>(rows: &[T], id: i64) -> Option<&T> {
    usize::try_from(id.checked_sub(1)?)
        .ok()
        .and_then(|i| rows.get(i))
}
