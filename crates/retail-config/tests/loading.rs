//! Loading: profiles, merge, unknown fields, type errors, secrets, shipped files.

use retail_config::{Config, ConfigError, Overrides, Profile, Violation};
use serde_json::{Value, json};

fn problems(text: &str) -> Vec<Violation> {
    match Config::from_json_str(text) {
        Err(ConfigError::Invalid(v)) => v,
        other => panic!("expected Invalid for {text}, got {other:?}"),
    }
}

fn messages(text: &str) -> Vec<String> {
    problems(text).iter().map(ToString::to_string).collect()
}

#[test]
fn empty_object_resolves_to_the_default_profile() {
    assert_eq!(
        Config::from_json_str("{}").unwrap(),
        Profile::Default.config()
    );
}

#[test]
fn profile_small_is_the_base_when_named() {
    let config = Config::from_json_str(r#"{"profile": "small"}"#).unwrap();
    assert_eq!(config, Profile::Small.config());
    assert_eq!(config.volume.stores, 4);
    assert_eq!(config.output.dir, "out-small");
}

#[test]
fn both_profiles_are_valid() {
    for profile in Profile::ALL {
        assert_eq!(profile.config().violations(), vec![], "{profile}");
        assert_eq!(profile.config().profile, profile.name());
    }
}

#[test]
fn objects_merge_field_by_field_and_arrays_replace() {
    let config = Config::from_json_str(
        r#"{
            "profile": "small",
            "volume": { "stores": 10 },
            "marketing_cost": { "channels": { "EMAIL": [1, 2] } },
            "calendar": { "closed_holidays": ["thanksgiving", "new_years_day"] }
        }"#,
    )
    .unwrap();
    let small = Profile::Small.config();
    assert_eq!(config.volume.stores, 10);
    assert_eq!(
        config.volume.dcs, small.volume.dcs,
        "sibling fields keep the profile's value"
    );
    assert_eq!(config.marketing_cost.channels["EMAIL"], [1, 2]);
    assert_eq!(config.marketing_cost.channels["YOUTUBE"], [150, 525]);
    assert_eq!(
        config.calendar.closed_holidays,
        vec!["thanksgiving", "new_years_day"],
        "arrays replace, not append"
    );
}

#[test]
fn nullable_fields_accept_null_and_values() {
    let config = Config::from_json_str(
        r#"{"volume": {"trucks_per_dc": 1}, "performance": {"threads": 3},
            "stream": {"event_types": ["receipt_created"], "days": 2}}"#,
    )
    .unwrap();
    assert_eq!(config.volume.trucks_per_dc, Some(1));
    assert_eq!(config.threads(), 3);
    assert_eq!(
        config.stream.selected_event_types(),
        vec!["receipt_created"]
    );
    let back = Config::from_json_str(r#"{"performance": {"threads": null}}"#).unwrap();
    assert_eq!(back.performance.threads, None);
    assert!(back.threads() >= 1);
}

#[test]
fn unknown_fields_are_reported_everywhere_with_their_path() {
    let msgs = messages(
        r#"{"volume": {"dcss": 3}, "colour": "red", "stream": {"hub": "x"},
            "disruptions": [{"kind": "dc_outage", "target": "ALL", "start": "2024-03-02T00:00:00Z",
                             "duration_hours": 2, "severity": 0.5, "note": "x"}],
            "online": {"mode_shares": {"DRONE": 0.1}}}"#,
    );
    let find = |prefix: &str| {
        msgs.iter()
            .find(|m| m.starts_with(prefix))
            .unwrap_or_else(|| panic!("no message starting with {prefix:?} in {msgs:#?}"))
            .clone()
    };
    find("volume.dcss: unknown field; known fields: total_geographies, dcs, stores");
    find("colour: unknown field; known fields: config_version, profile, seed");
    find("stream.hub: unknown field; known fields: event_hub,");
    find(
        "disruptions[0].note: unknown field; known fields: kind, target, start, duration_hours, severity",
    );
    find(
        "online.mode_shares.DRONE: unknown field; known fields: SHIP_FROM_DC, SHIP_FROM_STORE, BOPIS",
    );
    assert_eq!(msgs.len(), 5, "{msgs:#?}");
}

#[test]
fn unknown_field_with_odd_name_is_quoted() {
    let msgs = messages(r#"{"volume": {"a.b c": 1}}"#);
    assert_eq!(msgs.len(), 1);
    assert!(
        msgs[0].starts_with(r#"volume["a.b c"]: unknown field"#),
        "{}",
        msgs[0]
    );
}

#[test]
fn type_errors_name_path_value_and_expected_type_and_all_are_collected() {
    let msgs = messages(
        r#"{"seed": -1, "volume": {"dcs": "two", "stores": 2.5},
            "output": {"duckdb": "yes"}, "dates": 5,
            "marketing_cost": {"channels": {"EMAIL": [1, 2, 3]}}}"#,
    );
    let expected = [
        "seed: -1 is not allowed: must be a whole number from 0 to 18446744073709551615",
        "volume.dcs: \"two\" is not allowed: must be a whole number from 0 to 4294967295",
        "volume.stores: 2.5 is not allowed: must be a whole number from 0 to 4294967295",
        "output.duckdb: \"yes\" is not allowed: must be true or false",
        "dates: 5 is not allowed: must be an object",
        "marketing_cost.channels.EMAIL: [1,2,3] is not allowed: must be an array of two whole numbers [min, max]",
    ];
    for e in expected {
        assert!(msgs.iter().any(|m| m == e), "missing {e:?} in {msgs:#?}");
    }
    assert_eq!(msgs.len(), expected.len(), "{msgs:#?}");
}

#[test]
fn a_disruption_missing_a_field_is_reported() {
    let msgs = messages(r#"{"disruptions": [{"kind": "dc_outage"}]}"#);
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("disruptions[0].") && m.ends_with(": is required")),
        "{msgs:#?}"
    );
}

#[test]
fn a_bad_profile_is_reported_and_the_rest_still_checked() {
    let msgs = messages(r#"{"profile": "huge", "volume": {"dcs": 0}}"#);
    assert!(msgs.contains(
        &"profile: \"huge\" is not allowed: must be \"default\" or \"small\"".to_string()
    ));
    assert!(msgs.contains(&"volume.dcs: 0 is not allowed: must be at least 1".to_string()));
}

#[test]
fn syntax_errors_and_non_objects_are_clear() {
    match Config::from_json_str("{\n  \"seed\": 1,\n}") {
        Err(ConfigError::Syntax { line, message, .. }) => {
            assert_eq!(line, 3);
            assert!(message.contains("line 3"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let msgs = messages("[1, 2]");
    assert_eq!(
        msgs,
        vec!["(document): [1,2] is not allowed: the configuration must be a JSON object"]
    );
}

#[test]
fn secrets_are_rejected_and_never_echoed() {
    let secret = "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=TOPSECRETVALUE";
    let doc = json!({
        "stream": { "connection_string_env": secret, "event_hub": secret },
        "connection_string": secret,
        "output": { "dir": "key SharedAccessKey=abc" },
    });
    let err = Config::from_json_str(&doc.to_string()).unwrap_err();
    let text = err.to_string();
    assert!(!text.contains("TOPSECRETVALUE"), "{text}");
    assert!(!text.contains("SharedAccessKey=abc"), "{text}");
    for path in [
        "stream.connection_string_env",
        "stream.event_hub",
        "connection_string",
        "output.dir",
    ] {
        assert!(
            err.violations().iter().any(|v| v.path == path
                && v.value.is_none()
                && v.rule
                    .contains("environment variable named by stream.connection_string_env")),
            "no secret violation for {path}: {text}"
        );
    }
}

#[test]
fn shipped_files_equal_the_built_in_profiles_and_spell_out_every_field() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config");
    for profile in Profile::ALL {
        let path = format!("{root}/{}.json", profile.name());
        let loaded = Config::load(&path).unwrap();
        assert_eq!(loaded, profile.config(), "{path}");
        let text = std::fs::read_to_string(&path).unwrap();
        let file: Value = serde_json::from_str(&text).unwrap();
        let full = serde_json::to_value(profile.config()).unwrap();
        assert_eq!(file, full, "{path} must spell out every field");
    }
}

#[test]
fn pretty_json_round_trips() {
    for profile in Profile::ALL {
        let text = profile.config().to_json_pretty();
        assert!(text.contains("\"EMAIL\": [10, 25]"), "{text}");
        assert_eq!(Config::from_json_str(&text).unwrap(), profile.config());
    }
}

#[test]
fn load_reports_a_missing_file() {
    let err = Config::load("/definitely/not/here.json").unwrap_err();
    assert!(err.is_not_found());
    assert!(
        err.to_string().contains("/definitely/not/here.json"),
        "{err}"
    );
}

#[test]
fn overrides_replace_fields_and_are_validated() {
    let config = Profile::Small
        .config()
        .apply(&Overrides {
            data_dir: Some("/tmp/d".into()),
            start_date: Some("2024-11-25".into()),
            end_date: Some("2024-11-30".into()),
            threads: Some(2),
            seed: Some(9),
        })
        .unwrap();
    assert_eq!(config.output.dir, "/tmp/d");
    assert_eq!(
        config.duckdb_path(),
        std::path::Path::new("/tmp/d/retail.duckdb")
    );
    assert_eq!(config.day_count(), 6);
    assert_eq!(config.threads(), 2);
    assert_eq!(config.seed, 9);

    let err = Profile::Small
        .config()
        .apply(&Overrides {
            end_date: Some("2024-02-30".into()),
            threads: Some(0),
            ..Overrides::default()
        })
        .unwrap_err();
    let msgs: Vec<String> = err.violations().iter().map(ToString::to_string).collect();
    assert_eq!(
        msgs,
        vec![
            "dates.end_date: \"2024-02-30\" is not allowed: must be a real calendar date written YYYY-MM-DD (value given on the command line)",
            "performance.threads: 0 is not allowed: must be between 1 and 1024 (value given on the command line)",
        ]
    );
}

#[test]
fn date_accessors() {
    let config = Profile::Small.config();
    let days: Vec<String> = config.dates_iter().map(|d| d.to_string()).collect();
    assert_eq!(days.len(), 14);
    assert_eq!(days.first().unwrap(), "2024-11-20");
    assert_eq!(days.last().unwrap(), "2024-12-03");
    assert_eq!(config.start_date().to_string(), "2024-11-20");
    assert_eq!(config.end_date().to_string(), "2024-12-03");
    assert!(config.is_closed_holiday("christmas_day"));
    assert!(!config.is_closed_holiday("thanksgiving"));
    assert_eq!(
        Profile::Default
            .config()
            .stream
            .selected_event_types()
            .len(),
        18
    );
}

#[test]
fn overrides_given_at_load_time_are_validated_with_the_file() {
    // The file alone is invalid (end before start); the flag repairs it.
    let text = r#"{"profile": "small", "dates": {"end_date": "2024-11-01"}}"#;
    assert!(Config::from_json_str(text).is_err());
    let overrides = Overrides {
        end_date: Some("2024-11-22".into()),
        ..Overrides::default()
    };
    let config = Config::from_json_str_with(text, &overrides).unwrap();
    assert_eq!(config.day_count(), 3);

    let bad = Overrides {
        seed: Some(u64::MAX),
        ..Overrides::default()
    };
    let err = Config::from_json_str_with("{}", &bad).unwrap_err();
    assert_eq!(
        err.violations()[0].to_string(),
        "seed: 18446744073709551615 is not allowed: must be between 0 and 9007199254740991 (value given on the command line)"
    );
}

#[test]
fn a_secret_is_reported_once_and_problems_read_in_file_order() {
    let text = r#"{"stream": {"connection_string_env": "Endpoint=sb://a/;SharedAccessKey=zzz"},
                   "volume": {"dcs": 0, "dcss": 1}, "seed": -5}"#;
    let found = problems(text);
    let paths: Vec<&str> = found.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(
        paths,
        vec!["seed", "volume.dcss", "stream.connection_string_env"],
        "{found:#?}"
    );
    let text = r#"{"stream": {"connection_string_env": "Endpoint=sb://a/;SharedAccessKey=zzz"},
                   "volume": {"dcs": 0, "dcss": 1}}"#;
    let found = problems(text);
    let paths: Vec<&str> = found.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(
        paths,
        vec!["volume.dcss", "volume.dcs", "stream.connection_string_env"],
        "{found:#?}"
    );
    assert!(found[2].rule.starts_with("looks like a secret"));
}

#[test]
fn typed_views_of_string_fields() {
    use retail_config::{Pacing, ParquetCompression, StreamAuth};
    let config = Config::from_json_str(
        r#"{"profile": "small", "output": {"parquet_compression": "snappy"},
            "stream": {"pacing": "replay", "auth": "entra_id",
                       "fully_qualified_namespace": "retail-ns.servicebus.windows.net"}}"#,
    )
    .unwrap();
    assert_eq!(config.profile_kind(), Some(Profile::Small));
    assert_eq!(
        config.output.compression(),
        Some(ParquetCompression::Snappy)
    );
    assert_eq!(config.stream.pacing_kind(), Some(Pacing::Replay));
    assert_eq!(config.stream.auth_kind(), Some(StreamAuth::EntraId));
    let default = Profile::Default.config();
    assert_eq!(default.output.compression(), Some(ParquetCompression::Zstd));
    assert_eq!(default.stream.pacing_kind(), Some(Pacing::Realtime));
    assert_eq!(
        default.stream.auth_kind(),
        Some(StreamAuth::ConnectionString)
    );
}

#[test]
fn geography_dictionary_limit() {
    let volume = Profile::Default.config().volume;
    assert!(volume.check_geography_dictionary(20).is_ok());
    let err = volume.check_geography_dictionary(19).unwrap_err();
    assert_eq!(
        err.violations()[0].to_string(),
        "volume.total_geographies: 20 is not allowed: must be at most 19, the rows of the geography dictionary"
    );
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let config = Config::from_json_str("\u{feff}{\"profile\": \"small\"}").unwrap();
    assert_eq!(config, Profile::Small.config());
}
