//! Enumerated values of the dimension tables (data-contract §4), with their contract spellings.
//!
//! The index of a variant in `ALL` is its contract order, which is also its stream coordinate
//! where one is needed (§12.2: "enums by their index in this contract").

pub use retail_patterns::basket::{BasketCategory, MobilitySegment, ShopperSegment, StoreFormat};
pub use retail_patterns::tax::Taxability;

use retail_patterns::contract_enum;

contract_enum! {
    /// `dim_geographies.region`.
    Region {
        /// West.
        West => "West",
        /// Midwest.
        Midwest => "Midwest",
        /// Northeast.
        Northeast => "Northeast",
        /// Southeast.
        Southeast => "Southeast",
        /// Southwest.
        Southwest => "Southwest",
    }
}

contract_enum! {
    /// `dim_geographies.urbanicity`.
    Urbanicity {
        /// Dense city.
        Urban => "URBAN",
        /// Suburb.
        Suburban => "SUBURBAN",
        /// Countryside.
        Rural => "RURAL",
    }
}

contract_enum! {
    /// `dim_stores.volume_class`.
    VolumeClass {
        /// Flagship store.
        Flagship => "FLAGSHIP",
        /// High volume.
        HighVolume => "HIGH_VOLUME",
        /// Medium volume.
        MediumVolume => "MEDIUM_VOLUME",
        /// Low volume.
        LowVolume => "LOW_VOLUME",
        /// Kiosk.
        Kiosk => "KIOSK",
    }
}

contract_enum! {
    /// `dim_stores.hours_label`.
    StoreHours {
        /// Open around the clock.
        AllDay => "24/7",
        /// 06:00 to midnight.
        SixToMidnight => "06:00-24:00",
        /// 08:00 to 22:00.
        EightToTen => "08:00-22:00",
        /// 09:00 to 21:00.
        NineToNine => "09:00-21:00",
    }
}

impl StoreHours {
    /// Local (opening, closing) minutes after midnight; closing 1440 is the next midnight.
    pub fn minutes(self) -> (i32, i32) {
        match self {
            StoreHours::AllDay => (0, 1440),
            StoreHours::SixToMidnight => (360, 1440),
            StoreHours::EightToTen => (480, 1320),
            StoreHours::NineToNine => (540, 1260),
        }
    }
}

contract_enum! {
    /// `dim_trucks.fleet_type`.
    FleetType {
        /// Owned by a DC (`home_dc_id` set).
        DcFleet => "DC_FLEET",
        /// Unassigned company fleet.
        Pool => "POOL",
        /// Supplier truck.
        Supplier => "SUPPLIER",
    }
}

contract_enum! {
    /// `brands.csv` `brand_category` (§7.0): which base products a brand can carry.
    BrandCategory {
        /// Food.
        Food => "Food",
        /// Electronics.
        Electronics => "Electronics",
        /// Clothing.
        Clothing => "Clothing",
        /// Health.
        Health => "Health",
        /// Pet.
        Pet => "Pet",
        /// Automotive.
        Automotive => "Automotive",
        /// Office.
        Office => "Office",
        /// Sports.
        Sports => "Sports",
        /// Home.
        Home => "Home",
    }
}

/// Comma-separated list of the spellings, for error messages.
pub(crate) fn spellings<T: Copy>(all: &[T], text: impl Fn(T) -> &'static str) -> String {
    all.iter().map(|v| text(*v)).collect::<Vec<_>>().join(", ")
}
