//! Whole-config validation: every rule reports path, value and rule; all are collected.

use retail_config::{Config, ConfigError, Profile};
use serde_json::{Value, json};

/// The messages for the default profile with `patch` merged over it.
fn messages_for(patch: Value) -> Vec<String> {
    match Config::from_json_str(&patch.to_string()) {
        Err(ConfigError::Invalid(v)) => v.iter().map(ToString::to_string).collect(),
        other => panic!("expected violations for {patch}, got {other:?}"),
    }
}

fn assert_rejects(patch: Value, expected: &str) {
    let msgs = messages_for(patch.clone());
    assert!(
        msgs.iter().any(|m| m == expected),
        "for {patch}\nexpected {expected:?}\ngot {msgs:#?}"
    );
}

fn assert_accepts(patch: Value) {
    if let Err(e) = Config::from_json_str(&patch.to_string()) {
        panic!("{patch} should be valid: {e}");
    }
}

#[test]
fn scalar_ranges() {
    let cases = [
        (
            json!({"config_version": 2}),
            "config_version: 2 is not allowed: must be 1",
        ),
        (
            json!({"seed": 9_007_199_254_740_992u64}),
            "seed: 9007199254740992 is not allowed: must be between 0 and 9007199254740991",
        ),
        (
            json!({"volume": {"dcs": 0}}),
            "volume.dcs: 0 is not allowed: must be at least 1",
        ),
        (
            json!({"volume": {"stores": 100_000}}),
            "volume.stores: 100000 is not allowed: must be between 1 and 99999",
        ),
        (
            json!({"volume": {"total_customers": 0}}),
            "volume.total_customers: 0 is not allowed: must be between 1 and 999999999",
        ),
        (
            json!({"volume": {"total_products": 10_000_000}}),
            "volume.total_products: 10000000 is not allowed: must be between 1 and 9999999",
        ),
        (
            json!({"volume": {"customers_per_day": 100_001}}),
            "volume.customers_per_day: 100001 is not allowed: must be between 0 and 100000",
        ),
        (
            json!({"volume": {"online_orders_per_day": 10_000_001}}),
            "volume.online_orders_per_day: 10000001 is not allowed: must be between 0 and 10000000",
        ),
        (
            json!({"volume": {"marketing_impressions_per_day": 100_000_001}}),
            "volume.marketing_impressions_per_day: 100000001 is not allowed: must be between 0 and 100000000",
        ),
        (
            json!({"volume": {"truck_dc_assignment_rate": 0.0}}),
            "volume.truck_dc_assignment_rate: 0.0 is not allowed: must be greater than 0 and at most 1",
        ),
        (
            json!({"volume": {"truck_capacity": 99}}),
            "volume.truck_capacity: 99 is not allowed: must be between 100 and 1000000",
        ),
        (
            json!({"supply": {"cycle_count_store_share": 1.5}}),
            "supply.cycle_count_store_share: 1.5 is not allowed: must be at least 0 and at most 1",
        ),
        (
            json!({"supply": {"supplier_lead_time_days_max": 31}}),
            "supply.supplier_lead_time_days_max: 31 is not allowed: must be between 1 and 30",
        ),
        (
            json!({"returns": {"rate": 0.25}}),
            "returns.rate: 0.25 is not allowed: must be at least 0 and at most 0.2",
        ),
        (
            json!({"returns": {"holiday_rate_multiplier": 0.5}}),
            "returns.holiday_rate_multiplier: 0.5 is not allowed: must be at least 1",
        ),
        (
            json!({"returns": {"min_lag_days": 0}}),
            "returns.min_lag_days: 0 is not allowed: must be between 1 and 30",
        ),
        (
            json!({"returns": {"line_return_probability": 0}}),
            "returns.line_return_probability: 0.0 is not allowed: must be greater than 0 and at most 1",
        ),
        (
            json!({"online": {"cancel_rate": 0.6}}),
            "online.cancel_rate: 0.6 is not allowed: must be at least 0 and at most 0.5",
        ),
        (
            json!({"marketing": {"campaign_start_probability": -0.1}}),
            "marketing.campaign_start_probability: -0.1 is not allowed: must be at least 0 and at most 1",
        ),
        (
            json!({"marketing": {"attribution_window_days": 91}}),
            "marketing.attribution_window_days: 91 is not allowed: must be between 1 and 90",
        ),
        (
            json!({"marketing_cost": {"device_multipliers": {"TABLET": 0}}}),
            "marketing_cost.device_multipliers.TABLET: 0.0 is not allowed: must be greater than 0",
        ),
        (
            json!({"output": {"parquet_compression": "lz4"}}),
            "output.parquet_compression: \"lz4\" is not allowed: must be one of \"zstd\", \"snappy\", \"none\"",
        ),
        (
            json!({"output": {"parquet_zstd_level": 23}}),
            "output.parquet_zstd_level: 23 is not allowed: must be between 1 and 22",
        ),
        (
            json!({"output": {"parquet_row_group_rows": 1023}}),
            "output.parquet_row_group_rows: 1023 is not allowed: must be between 1024 and 16777216",
        ),
        (
            json!({"output": {"dir": " "}}),
            "output.dir: \" \" is not allowed: must be a non-empty path",
        ),
        (
            json!({"output": {"duckdb_file": "a/b.duckdb"}}),
            "output.duckdb_file: \"a/b.duckdb\" is not allowed: must be a plain file name without path separators",
        ),
        (
            json!({"performance": {"threads": 1025}}),
            "performance.threads: 1025 is not allowed: must be between 1 and 1024",
        ),
    ];
    for (patch, expected) in cases {
        assert_rejects(patch, expected);
    }
}

#[test]
fn dates() {
    assert_rejects(
        json!({"dates": {"start_date": "2024-3-01"}}),
        "dates.start_date: \"2024-3-01\" is not allowed: must be a real calendar date written YYYY-MM-DD",
    );
    assert_rejects(
        json!({"dates": {"start_date": "2023-02-29", "end_date": "2023-03-01"}}),
        "dates.start_date: \"2023-02-29\" is not allowed: must be a real calendar date written YYYY-MM-DD",
    );
    assert_rejects(
        json!({"dates": {"start_date": "1999-12-31"}}),
        "dates.start_date: \"1999-12-31\" is not allowed: must be 2000-01-01 or later",
    );
    assert_rejects(
        json!({"dates": {"start_date": "2099-12-01", "end_date": "2100-01-01"}}),
        "dates.end_date: \"2100-01-01\" is not allowed: must be 2099-12-31 or earlier",
    );
    assert_rejects(
        json!({"dates": {"end_date": "2024-02-29"}}),
        "dates.end_date: \"2024-02-29\" is not allowed: must not be before dates.start_date (2024-03-01)",
    );
    assert_rejects(
        json!({"dates": {"start_date": "2010-01-01", "end_date": "2020-01-10"}}),
        "dates.end_date: \"2020-01-10\" is not allowed: must be at most 3660 days after dates.start_date (2010-01-01); it is 3661 days after",
    );
    assert_accepts(json!({"dates": {"start_date": "2010-01-01", "end_date": "2020-01-09"}}));
    assert_accepts(json!({"dates": {"start_date": "2024-03-05", "end_date": "2024-03-05"}}));
}

#[test]
fn cross_field_volume_rules() {
    assert_rejects(
        json!({"volume": {"dcs": 21}}),
        "volume.dcs: 21 is not allowed: must be at most volume.total_geographies (20): at most one DC per geography",
    );
    assert_rejects(
        json!({"profile": "small", "volume": {"stores": 1}}),
        "volume.dcs: 2 is not allowed: must be at most volume.stores (1): every DC serves at least one store",
    );
    assert_rejects(
        json!({"volume": {"refrigerated_trucks": 5, "non_refrigerated_trucks": 14}}),
        "volume.non_refrigerated_trucks: 14 is not allowed: volume.refrigerated_trucks + volume.non_refrigerated_trucks (19) must be at least volume.dcs (20): every DC owns a truck",
    );
    assert_rejects(
        json!({"volume": {"dcs": 1, "refrigerated_trucks": 0, "supplier_refrigerated_trucks": 0}}),
        "volume.supplier_refrigerated_trucks: 0 is not allowed: volume.refrigerated_trucks + volume.supplier_refrigerated_trucks must be at least 1: refrigerated shipments need a refrigerated truck",
    );
    assert_rejects(
        json!({"volume": {"trucks_per_dc": 2}}),
        "volume.trucks_per_dc: 2 is not allowed: volume.dcs × trucks_per_dc (40) must be at most the DC fleet, volume.refrigerated_trucks + volume.non_refrigerated_trucks (20)",
    );
    assert_rejects(
        json!({"volume": {"trucks_per_dc": 0}}),
        "volume.trucks_per_dc: 0 is not allowed: must be at least 1",
    );
    assert_accepts(json!({"volume": {"trucks_per_dc": 1}}));
    assert_rejects(
        json!({"volume": {"store_initial_inventory_min": 300}}),
        "volume.store_initial_inventory_max: 200 is not allowed: must be at least store_initial_inventory_min (300)",
    );
    assert_rejects(
        json!({"volume": {"store_reorder_point_min": 20}}),
        "volume.store_reorder_point_min: 20 is not allowed: must be less than volume.store_initial_inventory_min (20)",
    );
    assert_rejects(
        json!({"volume": {"dc_reorder_point_min": 600, "dc_reorder_point_max": 700}}),
        "volume.dc_reorder_point_min: 600 is not allowed: must be less than volume.dc_initial_inventory_min (500)",
    );
    assert_rejects(
        json!({"volume": {"dc_initial_inventory_max": 100_000_001}}),
        "volume.dc_initial_inventory_max: 100000001 is not allowed: must be between 1 and 100000000",
    );
    assert_rejects(
        json!({"supply": {"supplier_lead_time_days_min": 5}}),
        "supply.supplier_lead_time_days_max: 3 is not allowed: must be at least supplier_lead_time_days_min (5)",
    );
    assert_rejects(
        json!({"returns": {"min_lag_days": 20, "max_lag_days": 10}}),
        "returns.max_lag_days: 10 is not allowed: must be at least returns.min_lag_days (20)",
    );
}

#[test]
fn returns_peak_rate_and_mode_shares() {
    assert_rejects(
        json!({"returns": {"rate": 0.2, "holiday_rate_multiplier": 3.0}}),
        "returns.holiday_rate_multiplier: 3.0 is not allowed: returns.rate × holiday_rate_multiplier (0.6) must be at most 0.5",
    );
    assert_accepts(json!({"returns": {"rate": 0.1, "holiday_rate_multiplier": 5.0}}));
    assert_rejects(
        json!({"online": {"mode_shares": {"BOPIS": 0.2}}}),
        "online.mode_shares: {\"SHIP_FROM_DC\":0.6,\"SHIP_FROM_STORE\":0.3,\"BOPIS\":0.2} is not allowed: shares must sum to 1 (± 1e-9); they sum to 1.1",
    );
    assert_rejects(
        json!({"online": {"mode_shares": {"SHIP_FROM_DC": 1.1, "SHIP_FROM_STORE": -0.2, "BOPIS": 0.1}}}),
        "online.mode_shares.SHIP_FROM_STORE: -0.2 is not allowed: must be at least 0",
    );
    assert_accepts(
        json!({"online": {"mode_shares": {"SHIP_FROM_DC": 0.5, "SHIP_FROM_STORE": 0.25, "BOPIS": 0.25}}}),
    );
}

#[test]
fn marketing_costs_and_calendar() {
    assert_rejects(
        json!({"marketing_cost": {"channels": {"SEARCH": [500, 100]}}}),
        "marketing_cost.channels.SEARCH: [500,100] is not allowed: must be [min_cents, max_cents] with 0 ≤ min ≤ max",
    );
    assert_rejects(
        json!({"marketing_cost": {"channels": {"EMAIL": [-1, 5]}}}),
        "marketing_cost.channels.EMAIL: [-1,5] is not allowed: must be [min_cents, max_cents] with 0 ≤ min ≤ max",
    );
    assert_rejects(
        json!({"calendar": {"closed_holidays": ["black_friday"]}}),
        "calendar.closed_holidays[0]: \"black_friday\" is not allowed: must be a closable holiday key: new_years_day, easter_sunday, thanksgiving, christmas_day",
    );
    assert_rejects(
        json!({"calendar": {"closed_holidays": ["thanksgiving", "thanksgiving"]}}),
        "calendar.closed_holidays[1]: \"thanksgiving\" is not allowed: is listed twice",
    );
    assert_accepts(json!({"calendar": {"closed_holidays": []}}));
    assert_accepts(
        json!({"calendar": {"closed_holidays": ["new_years_day", "easter_sunday", "thanksgiving", "christmas_day"]}}),
    );
}

#[test]
fn a_config_built_in_code_without_all_channels_is_invalid() {
    let mut config = Profile::Default.config();
    config.marketing_cost.channels.remove("GOOGLE");
    config
        .marketing_cost
        .channels
        .insert("TIKTOK".into(), [1, 2]);
    config.marketing_cost.device_multipliers.remove("MOBILE");
    let msgs: Vec<String> = config
        .violations()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(msgs.contains(&"marketing_cost.channels.GOOGLE: is required: all 8 channels need a [min_cents, max_cents] range".to_string()), "{msgs:#?}");
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("marketing_cost.channels.TIKTOK: unknown channel")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("marketing_cost.device_multipliers.MOBILE: is required")),
        "{msgs:#?}"
    );
}

#[test]
fn disruptions() {
    let good = json!({"kind": "dc_outage", "target": "DC003", "start": "2024-03-06T08:00:00Z",
                      "duration_hours": 12, "severity": 1});
    assert_accepts(json!({"disruptions": [good.clone()]}));
    for target in ["ALL", "TX", "DC", "DC020", "DC7"] {
        let mut d = good.clone();
        d["target"] = json!(target);
        assert_accepts(json!({"disruptions": [d]}));
    }
    for kind in ["truck_breakdown", "weather_delay"] {
        let mut d = good.clone();
        d["kind"] = json!(kind);
        d["target"] = json!("S000086");
        assert_accepts(json!({"disruptions": [d]}));
    }
    let mut d = good.clone();
    d["target"] = json!("S5");
    assert_rejects(
        json!({"disruptions": [d]}),
        "disruptions[0].target: \"S5\" is not allowed: a store can be the target only of truck_breakdown and weather_delay; dc_outage acts on DCs: target a DC, a state or ALL",
    );
    let bad = json!({"kind": "flood", "target": "DC021", "start": "2024-03-06 08:00",
                     "duration_hours": 0, "severity": 1.5});
    let msgs = messages_for(json!({"disruptions": [good, bad]}));
    assert_eq!(
        msgs,
        vec![
            "disruptions[1].kind: \"flood\" is not allowed: must be one of \"dc_outage\", \"truck_breakdown\", \"weather_delay\", \"supplier_delay\", \"inventory_shortage\"",
            "disruptions[1].target: \"DC021\" is not allowed: names no DC: DC numbers run from DC001 to DC020",
            "disruptions[1].start: \"2024-03-06 08:00\" is not allowed: must be an RFC 3339 instant, e.g. 2024-03-06T08:00:00Z",
            "disruptions[1].duration_hours: 0.0 is not allowed: must be greater than 0",
            "disruptions[1].severity: 1.5 is not allowed: must be greater than 0 and at most 1",
        ]
    );
    assert_rejects(
        json!({"disruptions": [{"kind": "weather_delay", "target": "Texas", "start": "2024-03-06T08:00:00Z", "duration_hours": 1, "severity": 0.5}]}),
        "disruptions[0].target: \"Texas\" is not allowed: must be ALL, a DC number (DC001..), a store number (S000001..) or a two-letter state code (TX)",
    );
    assert_rejects(
        json!({"disruptions": [{"kind": "weather_delay", "target": "S000087", "start": "2024-03-06T08:00:00Z", "duration_hours": 1, "severity": 0.5}]}),
        "disruptions[0].target: \"S000087\" is not allowed: names no store: store numbers run from S000001 to S000086",
    );
}

#[test]
fn stream_rules() {
    let cases = [
        (
            json!({"stream": {"event_hub": "-hub"}}),
            "stream.event_hub: \"-hub\" is not allowed: must be 1 to 256 characters matching ^[A-Za-z0-9][A-Za-z0-9._-]*$",
        ),
        (
            json!({"stream": {"event_hub": ""}}),
            "stream.event_hub: \"\" is not allowed: must be 1 to 256 characters matching ^[A-Za-z0-9][A-Za-z0-9._-]*$",
        ),
        (
            json!({"stream": {"auth": "password"}}),
            "stream.auth: \"password\" is not allowed: must be \"connection_string\" or \"entra_id\"",
        ),
        (
            json!({"stream": {"auth": "entra_id"}}),
            "stream.fully_qualified_namespace: is required when stream.auth is \"entra_id\"",
        ),
        (
            json!({"stream": {"connection_string_env": "1BAD-NAME"}}),
            "stream.connection_string_env: \"1BAD-NAME\" is not allowed: must be the NAME of an environment variable (letters, digits and _, not starting with a digit), not its value",
        ),
        (
            json!({"stream": {"pacing": "fast"}}),
            "stream.pacing: \"fast\" is not allowed: must be \"realtime\" or \"replay\"",
        ),
        (
            json!({"stream": {"speed": -1}}),
            "stream.speed: -1.0 is not allowed: must be at least 0",
        ),
        (
            json!({"stream": {"max_events_per_second": 0}}),
            "stream.max_events_per_second: 0 is not allowed: must be between 1 and 1000000",
        ),
        (
            json!({"stream": {"max_batch_bytes": 1_048_577}}),
            "stream.max_batch_bytes: 1048577 is not allowed: must be between 1024 and 1048576",
        ),
        (
            json!({"stream": {"max_event_bytes": 1_000_001}}),
            "stream.max_event_bytes: 1000001 is not allowed: must be at most stream.max_batch_bytes (1000000)",
        ),
        (
            json!({"stream": {"send_timeout_ms": 999}}),
            "stream.send_timeout_ms: 999 is not allowed: must be between 1000 and 600000",
        ),
        (
            json!({"stream": {"retry_max_attempts": 101}}),
            "stream.retry_max_attempts: 101 is not allowed: must be between 1 and 100",
        ),
        (
            json!({"stream": {"retry_initial_backoff_ms": 9}}),
            "stream.retry_initial_backoff_ms: 9 is not allowed: must be between 10 and 60000",
        ),
        (
            json!({"stream": {"retry_max_backoff_ms": 499}}),
            "stream.retry_max_backoff_ms: 499 is not allowed: must be at least stream.retry_initial_backoff_ms (500)",
        ),
        (
            json!({"stream": {"event_types": []}}),
            "stream.event_types: [] is not allowed: must name at least one event type (or be null for all 18)",
        ),
        (
            json!({"stream": {"event_types": ["receipt_created", "receipt_created"]}}),
            "stream.event_types[1]: \"receipt_created\" is not allowed: is listed twice",
        ),
        (
            json!({"stream": {"days": 0}}),
            "stream.days: 0 is not allowed: must be at least 1",
        ),
        (
            json!({"stream": {"lookahead_days": 8}}),
            "stream.lookahead_days: 8 is not allowed: must be between 1 and 7",
        ),
    ];
    for (patch, expected) in cases {
        assert_rejects(patch, expected);
    }
    assert_rejects(
        json!({"stream": {"event_types": ["receipt_made"]}}),
        &format!(
            "stream.event_types[0]: \"receipt_made\" is not allowed: must be an event type: {}",
            retail_config::EVENT_TYPES.join(", ")
        ),
    );
    let ns_rule = "must be <namespace>.servicebus.windows.net (or a sovereign-cloud suffix: servicebus.usgovcloudapi.net, servicebus.chinacloudapi.cn, servicebus.cloudapi.de), where <namespace> is 6 to 50 letters, digits or hyphens starting with a letter";
    for bad in [
        "retail.example.com",
        "abc.servicebus.windows.net",
        "1retail.servicebus.windows.net",
        "https://retail-ns.servicebus.windows.net",
    ] {
        assert_rejects(
            json!({"stream": {"fully_qualified_namespace": bad}}),
            &format!("stream.fully_qualified_namespace: \"{bad}\" is not allowed: {ns_rule}"),
        );
    }
    for good in [
        "retail-ns.servicebus.windows.net",
        "retail-ns.servicebus.chinacloudapi.cn",
    ] {
        assert_accepts(json!({"stream": {"auth": "entra_id", "fully_qualified_namespace": good}}));
    }
    assert_accepts(
        json!({"stream": {"pacing": "replay", "speed": 0, "event_hub": "a", "connection_string_env": "_X1"}}),
    );
}

#[test]
fn all_violations_are_collected_in_one_error() {
    let msgs = messages_for(json!({
        "seed": 9_007_199_254_740_992u64,
        "volume": {"dcs": 0, "stores": 0},
        "returns": {"rate": 0.3},
        "stream": {"lookahead_days": 0},
    }));
    assert_eq!(msgs.len(), 6, "{msgs:#?}");
    assert!(msgs.contains(&"returns.holiday_rate_multiplier: 3.0 is not allowed: returns.rate × holiday_rate_multiplier (0.9) must be at most 0.5".to_string()));
    let err =
        Config::from_json_str(&json!({"volume": {"dcs": 0}, "stream": {"days": 0}}).to_string())
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid configuration, 2 problems:\n  volume.dcs: 0 is not allowed: must be at least 1\n  stream.days: 0 is not allowed: must be at least 1"
    );
}

#[test]
fn connection_string_checks_never_echo_the_value() {
    let stream = Profile::Default.config().stream;
    let good = "Endpoint=sb://retail-ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=S3CRET;EntityPath=retail-events";
    assert!(stream.check_connection_string(good).is_ok());
    let no_entity = "Endpoint=sb://retail-ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=S3CRET";
    assert!(stream.check_connection_string(no_entity).is_ok());
    let wrong_hub = good.replace("EntityPath=retail-events", "EntityPath=other-hub");
    let err = stream
        .check_connection_string(&wrong_hub)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("EntityPath (\"other-hub\") must equal stream.event_hub (\"retail-events\")"),
        "{err}"
    );
    assert!(!err.contains("S3CRET"), "{err}");
    let err = stream.check_connection_string("S3CRET-only").unwrap_err();
    assert_eq!(err.violations().len(), 3);
    assert!(!err.to_string().contains("S3CRET"));
}
