//! Dictionaries and dimension generators of retail-rti (data-contract §4, §7.0, §7.3–§7.5).
//!
//! [`Dictionaries`] loads and validates the bundled CSV dictionaries; [`MasterData::generate`]
//! turns a seed, a configuration and the dictionaries into the seven dimension tables plus the
//! lookup indexes the fact engine uses (stores by DC, customers by primary store and by
//! (geography, mobility segment), product popularity, distances, time zones). Everything is a
//! pure function of its inputs: every random draw comes from the named stream of §12.2
//! (`geo_select`, `geo_profile`, `dc`, `store_profile`, `plate_key`, `customer`,
//! `product_combo`, `product_price`, `product`).
//!
//! ```
//! use retail_master::{Dictionaries, generate_geographies, generate_distribution_centers};
//! let dicts = Dictionaries::bundled().expect("bundled dictionaries are valid");
//! let geos = generate_geographies(42, &dicts, 6).unwrap();
//! let dcs = generate_distribution_centers(42, &geos, 2).unwrap();
//! assert_eq!(geos.rows.len(), 6);
//! assert_eq!(dcs[0].dc_number, "DC001");
//! // Same seed, same places.
//! assert_eq!(generate_geographies(42, &dicts, 6).unwrap().rows, geos.rows);
//! ```
#![deny(missing_docs)]

pub mod calendar;
pub mod customers;
pub mod dictionaries;
pub mod enums;
pub mod error;
pub mod geo;
pub mod master;
pub mod placement;
pub mod products;
pub mod trucks;

pub use calendar::dim_date_rows;
pub use customers::{Cumulative, CustomerLayout, base36_code, two_nearest_stores};
pub use dictionaries::{
    BrandCategoryMapEntry, BrandEntry, DICTIONARY_FILES, Dictionaries, GeographyEntry,
    ProductEntry, ProductTagEntry, TaxRateEntry,
};
pub use enums::{
    BasketCategory, BrandCategory, FleetType, MobilitySegment, Region, ShopperSegment, StoreFormat,
    StoreHours, Taxability, Urbanicity, VolumeClass,
};
pub use error::MasterError;
pub use geo::{AddressKind, EARTH_RADIUS_MILES, draw_address, haversine_miles};
pub use master::{CustomerGroup, MasterData};
pub use placement::{
    Geographies, apportion_stores, assign_serving_dcs, generate_distribution_centers,
    generate_geographies, generate_stores,
};
pub use products::{
    Prices, Products, brand_category_of, generate_products, normalize_tags, price_combination,
    requires_refrigeration,
};
pub use trucks::{PLATE_SPACE, PlateKey, assigned_fleet_count, generate_trucks};
