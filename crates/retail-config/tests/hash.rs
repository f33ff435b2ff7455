//! config_hash (data-contract §10.1): only data-affecting fields count.

use retail_config::{Config, Disruption, Profile};

#[test]
fn hash_is_sha256_hex_and_stable_across_calls() {
    let config = Profile::Default.config();
    let hash = config.config_hash();
    assert_eq!(hash.len(), 64);
    assert!(
        hash.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(hash, Profile::Default.config().config_hash());
    assert_ne!(hash, Profile::Small.config().config_hash());
}

#[test]
fn fields_excluded_from_the_hash_do_not_change_it() {
    let base = Profile::Default.config();
    let hash = base.config_hash();
    let mut changed = base.clone();
    changed.dates.end_date = "2024-06-30".into();
    changed.output.dir = "elsewhere".into();
    changed.output.parquet_compression = "snappy".into();
    changed.output.events_file = true;
    changed.performance.threads = Some(3);
    changed.stream.event_hub = "other".into();
    changed.stream.pacing = "replay".into();
    changed.stream.days = Some(2);
    changed.profile = "small".into();
    changed.config_version = 1;
    assert_eq!(changed.config_hash(), hash);
}

#[test]
fn every_data_affecting_field_changes_it() {
    let base = Profile::Default.config();
    let hash = base.config_hash();
    type Edit = Box<dyn Fn(&mut Config)>;
    let edits: Vec<(&str, Edit)> = vec![
        ("seed", Box::new(|c| c.seed = 43)),
        (
            "start_date",
            Box::new(|c| c.dates.start_date = "2024-03-02".into()),
        ),
        ("volume", Box::new(|c| c.volume.stores = 87)),
        (
            "supply",
            Box::new(|c| c.supply.supplier_lead_time_days_max = 4),
        ),
        ("returns", Box::new(|c| c.returns.rate = 0.02)),
        ("online", Box::new(|c| c.online.cancel_rate = 0.03)),
        (
            "marketing",
            Box::new(|c| c.marketing.attribution_window_days = 8),
        ),
        (
            "marketing_cost",
            Box::new(|c| {
                c.marketing_cost.channels.insert("EMAIL".into(), [11, 25]);
            }),
        ),
        ("calendar", Box::new(|c| c.calendar.closed_holidays.clear())),
        (
            "disruptions",
            Box::new(|c| {
                c.disruptions.push(Disruption {
                    kind: "dc_outage".into(),
                    target: "DC001".into(),
                    start: "2024-03-05T00:00:00Z".into(),
                    duration_hours: 4.0,
                    severity: 1.0,
                })
            }),
        ),
    ];
    for (what, edit) in edits {
        let mut changed = base.clone();
        edit(&mut changed);
        assert_ne!(
            changed.config_hash(),
            hash,
            "changing {what} must change the hash"
        );
    }
}

#[test]
fn hash_does_not_depend_on_how_the_file_is_written() {
    let a = Config::from_json_str(
        r#"{"seed": 7, "returns": {"holiday_rate_multiplier": 3, "rate": 0.01}}"#,
    )
    .unwrap();
    let b = Config::from_json_str(
        r#"{ "returns": { "rate": 1e-2, "holiday_rate_multiplier": 3.0 },
             "seed": 7, "stream": {"speed": 1} }"#,
    )
    .unwrap();
    assert_eq!(a.config_hash(), b.config_hash());
}

/// Pinned: changing the canonical form or the hashed field set makes every existing dataset
/// refuse continuation, so it must be a deliberate, recorded decision.
#[test]
fn default_profile_hash_is_pinned() {
    assert_eq!(
        Profile::Default.config().config_hash(),
        include_str!("default_config_hash.txt").trim()
    );
}
