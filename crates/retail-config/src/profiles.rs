//! The built-in profiles `default` and `small` (data-contract §10.2, §10.3, events.md §9.4).

use std::collections::BTreeMap;

use crate::model::*;

/// The `default` profile: the calibrated 86-store network for March 2024.
pub fn default_config() -> Config {
    Config {
        config_version: 1,
        profile: "default".to_string(),
        seed: 42,
        dates: Dates {
            start_date: "2024-03-01".to_string(),
            end_date: "2024-03-31".to_string(),
        },
        volume: Volume {
            total_geographies: 20,
            dcs: 20,
            stores: 86,
            total_customers: 403_000,
            total_products: 10_000,
            customers_per_day: 233,
            online_orders_per_day: 653,
            marketing_impressions_per_day: 8_950,
            refrigerated_trucks: 8,
            non_refrigerated_trucks: 12,
            supplier_refrigerated_trucks: 12,
            supplier_non_refrigerated_trucks: 18,
            truck_dc_assignment_rate: 0.85,
            trucks_per_dc: None,
            truck_capacity: 15_000,
            store_initial_inventory_min: 20,
            store_initial_inventory_max: 200,
            store_reorder_point_min: 5,
            store_reorder_point_max: 50,
            dc_initial_inventory_min: 500,
            dc_initial_inventory_max: 5_000,
            dc_reorder_point_min: 50,
            dc_reorder_point_max: 500,
        },
        supply: Supply {
            supplier_lead_time_days_min: 1,
            supplier_lead_time_days_max: 3,
            cycle_count_store_share: 0.10,
        },
        returns: Returns {
            rate: 0.01,
            holiday_rate_multiplier: 3.0,
            min_lag_days: 1,
            max_lag_days: 14,
            line_return_probability: 0.6,
        },
        online: Online {
            cancel_rate: 0.02,
            mode_shares: ModeShares {
                SHIP_FROM_DC: 0.60,
                SHIP_FROM_STORE: 0.30,
                BOPIS: 0.10,
            },
        },
        marketing: Marketing {
            campaign_start_probability: 0.90,
            attribution_window_days: 7,
        },
        marketing_cost: MarketingCost {
            channels: BTreeMap::from([
                ("EMAIL".to_string(), [10, 25]),
                ("DISPLAY".to_string(), [50, 200]),
                ("SOCIAL".to_string(), [75, 300]),
                ("SEARCH".to_string(), [100, 500]),
                ("FACEBOOK".to_string(), [25, 300]),
                ("GOOGLE".to_string(), [100, 500]),
                ("INSTAGRAM".to_string(), [20, 300]),
                ("YOUTUBE".to_string(), [150, 525]),
            ]),
            device_multipliers: BTreeMap::from([
                ("MOBILE".to_string(), 1.0),
                ("DESKTOP".to_string(), 1.5),
                ("TABLET".to_string(), 1.2),
            ]),
        },
        calendar: Calendar {
            closed_holidays: vec!["christmas_day".to_string()],
        },
        disruptions: Vec::new(),
        output: Output {
            dir: "out".to_string(),
            duckdb: true,
            duckdb_file: "retail.duckdb".to_string(),
            parquet: true,
            parquet_compression: "zstd".to_string(),
            parquet_zstd_level: 3,
            parquet_row_group_rows: 1_048_576,
            events_file: false,
        },
        performance: Performance { threads: None },
        stream: Stream {
            event_hub: "retail-events".to_string(),
            fully_qualified_namespace: None,
            auth: "connection_string".to_string(),
            connection_string_env: "AZURE_EVENTHUB_CONNECTION_STRING".to_string(),
            pacing: "realtime".to_string(),
            speed: 60.0,
            max_events_per_second: 900,
            max_batch_bytes: 1_000_000,
            max_event_bytes: 65_536,
            send_timeout_ms: 30_000,
            retry_max_attempts: 8,
            retry_initial_backoff_ms: 500,
            retry_max_backoff_ms: 30_000,
            event_types: None,
            days: None,
            lookahead_days: 1,
        },
    }
}

/// The `small` profile: 4 stores, 2 DCs, 14 days spanning Thanksgiving, Black Friday and Cyber
/// Monday 2024; everything not listed in the `small` column of §10.2 is as in `default`.
pub fn small_config() -> Config {
    let mut config = default_config();
    config.profile = "small".to_string();
    config.dates = Dates {
        start_date: "2024-11-20".to_string(),
        end_date: "2024-12-03".to_string(),
    };
    let volume = &mut config.volume;
    volume.total_geographies = 6;
    volume.dcs = 2;
    volume.stores = 4;
    volume.total_customers = 3_000;
    volume.total_products = 400;
    volume.customers_per_day = 60;
    volume.online_orders_per_day = 40;
    volume.marketing_impressions_per_day = 300;
    volume.refrigerated_trucks = 1;
    volume.non_refrigerated_trucks = 2;
    volume.supplier_refrigerated_trucks = 1;
    volume.supplier_non_refrigerated_trucks = 1;
    volume.truck_dc_assignment_rate = 1.0;
    config.output.dir = "out-small".to_string();
    config.output.parquet_row_group_rows = 65_536;
    config.output.events_file = true;
    config
}
