//! Supply-chain disruptions: parsing with clear errors and the effect queries.

use retail_patterns::PatternsError;
use retail_patterns::disruption::{
    DcSite, Disruption, DisruptionKind, DisruptionSchedule, DisruptionTarget, Route, parse_duration,
};
use retail_schemas::Ts;

fn t(text: &str) -> Ts {
    Ts::parse_rfc3339(text).unwrap()
}

fn reason(err: PatternsError) -> String {
    match err {
        PatternsError::InvalidDisruption { reason, .. } => reason,
        other => panic!("unexpected error {other:?}"),
    }
}

#[test]
fn durations_accept_units_and_reject_nonsense() {
    assert_eq!(parse_duration("30m").unwrap(), 30 * Ts::MICROS_PER_MINUTE);
    assert_eq!(parse_duration("2h").unwrap(), 2 * Ts::MICROS_PER_HOUR);
    assert_eq!(parse_duration("1d").unwrap(), Ts::MICROS_PER_DAY);
    assert_eq!(parse_duration("90s").unwrap(), 90 * Ts::MICROS_PER_SECOND);
    assert_eq!(parse_duration("1.5h").unwrap(), 90 * Ts::MICROS_PER_MINUTE);
    assert!(reason(parse_duration("2").unwrap_err()).contains("unit"));
    assert!(reason(parse_duration("").unwrap_err()).contains("unit"));
    assert!(reason(parse_duration("xh").unwrap_err()).contains("number"));
    assert!(reason(parse_duration("0h").unwrap_err()).contains("positive"));
    assert!(reason(parse_duration("-2h").unwrap_err()).contains("positive"));
    assert!(parse_duration("4000d").is_err());
    assert!(parse_duration("2w").is_err());
}

#[test]
fn targets_parse_and_print_back() {
    for (text, target) in [
        ("ALL", DisruptionTarget::All),
        ("DC003", DisruptionTarget::Dc(3)),
        ("S000005", DisruptionTarget::Store(5)),
        ("TX", DisruptionTarget::State("TX".into())),
        ("SC", DisruptionTarget::State("SC".into())),
    ] {
        let parsed = DisruptionTarget::parse(text).unwrap();
        assert_eq!(parsed, target);
        assert_eq!(parsed.to_string(), text);
    }
    assert_eq!(
        DisruptionTarget::parse("DC12").unwrap(),
        DisruptionTarget::Dc(12)
    );
    for bad in ["DCx", "S", "dc003", "Texas", "S-1", "DC000", ""] {
        assert!(DisruptionTarget::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn disruption_strings_parse_with_defaults_and_clear_errors() {
    let start = t("2024-03-06T10:00:00Z");
    let d = Disruption::parse("dc_outage:DC003:2h", start).unwrap();
    assert_eq!(d.kind, DisruptionKind::DcOutage);
    assert_eq!(d.target, DisruptionTarget::Dc(3));
    assert_eq!(d.end, t("2024-03-06T12:00:00Z"));
    assert_eq!(d.severity, 1.0);
    let d = Disruption::parse("weather_delay:TX:1d:0.8", start).unwrap();
    assert_eq!(d.severity, 0.8);
    assert_eq!(d.end, t("2024-03-07T10:00:00Z"));
    assert_eq!(
        Disruption::parse("truck_breakdown:S000007:30m", start)
            .unwrap()
            .severity,
        0.5
    );

    let err = Disruption::parse("meteor:DC001:2h", start).unwrap_err();
    assert!(err.to_string().contains("unknown kind"), "{err}");
    assert!(err.to_string().contains("dc_outage"), "{err}");
    let err = Disruption::parse("dc_outage:DC003", start).unwrap_err();
    assert!(
        err.to_string()
            .contains("expected kind:TARGET:DURATION[:SEVERITY]"),
        "{err}"
    );
    let err = Disruption::parse("dc_outage:DC003:2h:1.5", start).unwrap_err();
    assert!(err.to_string().contains("(0, 1]"), "{err}");
    let err = Disruption::parse("dc_outage:DC003:2h:high", start).unwrap_err();
    assert!(err.to_string().contains("not a number"), "{err}");
    let err = Disruption::parse("dc_outage:S000005:2h", start).unwrap_err();
    assert!(err.to_string().contains("acts on DCs"), "{err}");
    assert!(Disruption::parse("supplier_delay:S000005:2h", start).is_err());
}

#[test]
fn configuration_parts_are_validated() {
    let d =
        Disruption::from_parts("supplier_delay", "ALL", "2024-03-06T00:00:00Z", 72.0, 1.0).unwrap();
    assert_eq!(d.duration_days_ceil(), 3);
    assert!(Disruption::from_parts("supplier_delay", "ALL", "yesterday", 72.0, 1.0).is_err());
    assert!(
        Disruption::from_parts("supplier_delay", "ALL", "2024-03-06T00:00:00Z", 0.0, 1.0).is_err()
    );
    assert!(
        Disruption::from_parts("supplier_delay", "ALL", "2024-03-06T00:00:00Z", 1.0, 0.0).is_err()
    );
}

#[test]
fn dc_outages_reduce_capacity_only_where_and_when_active() {
    let start = t("2024-03-06T10:00:00Z");
    let schedule = DisruptionSchedule::new(vec![
        Disruption::parse("dc_outage:DC003:2h", start).unwrap(),
        Disruption::parse("dc_outage:CA:4h:0.25", start).unwrap(),
        Disruption::parse("dc_outage:DC003:1h", t("2024-03-06T11:30:00Z")).unwrap(),
    ]);
    let dc3 = DcSite {
        dc_id: 3,
        state: "TX",
    };
    let dc4 = DcSite {
        dc_id: 4,
        state: "CA",
    };
    let dc5 = DcSite {
        dc_id: 5,
        state: "NY",
    };
    assert_eq!(schedule.dc_capacity_factor(&dc3, Ts(start.0 - 1)), 1.0);
    assert_eq!(schedule.dc_capacity_factor(&dc3, start), 0.0);
    assert_eq!(
        schedule.dc_capacity_factor(&dc4, start.plus_minutes(200)),
        0.75
    );
    assert_eq!(
        schedule.dc_capacity_factor(&dc4, start.plus_minutes(240)),
        1.0
    );
    assert_eq!(schedule.dc_capacity_factor(&dc5, start), 1.0);
    // Chained full outages: 10:00–12:00 and 11:30–12:30 end at 12:30.
    assert_eq!(
        schedule.dc_outage_end(&dc3, start.plus_minutes(15)),
        Some(t("2024-03-06T12:30:00Z"))
    );
    assert_eq!(schedule.dc_outage_end(&dc4, start), None, "partial outage");
    assert_eq!(
        schedule.dc_outage_end(&dc3, t("2024-03-06T12:30:00Z")),
        None
    );
    assert_eq!(schedule.active_at(start).len(), 2);
}

#[test]
fn truck_supplier_and_inbound_effects() {
    let start = t("2024-11-29T00:00:00Z");
    let schedule = DisruptionSchedule::new(vec![
        Disruption::parse("truck_breakdown:S000007:6h:1", start).unwrap(),
        Disruption::parse("weather_delay:TX:1d:0.5", start).unwrap(),
        Disruption::parse("supplier_delay:DC002:3d:1", start).unwrap(),
        Disruption::parse("supplier_delay:ALL:3d:0.4", start).unwrap(),
        Disruption::parse("inventory_shortage:DC002:2d:0.3", start).unwrap(),
    ]);
    let route = |store_id, store_state| Route {
        dc_id: 2,
        dc_state: "OK",
        store_id,
        store_state,
    };
    let at = start.plus_minutes(60);
    assert_eq!(schedule.truck_delay_factor(&route(7, "OK"), at), 3.0);
    assert_eq!(schedule.truck_delay_factor(&route(7, "TX"), at), 4.5);
    assert_eq!(schedule.truck_delay_factor(&route(8, "TX"), at), 1.5);
    assert_eq!(schedule.truck_delay_factor(&route(8, "OK"), at), 1.0);
    assert_eq!(
        schedule.truck_delay_factor(&route(7, "OK"), start.plus_minutes(360)),
        1.0
    );

    let dc2 = DcSite {
        dc_id: 2,
        state: "OK",
    };
    let dc9 = DcSite {
        dc_id: 9,
        state: "NY",
    };
    assert_eq!(schedule.supplier_lead_time_extra_days(&dc2, at), 3);
    assert_eq!(schedule.supplier_lead_time_extra_days(&dc9, at), 2); // ceil(0.4 × 3)
    assert_eq!(
        schedule.supplier_lead_time_extra_days(&dc9, start.plus_minutes(3 * 1440)),
        0
    );
    assert!((schedule.inbound_quantity_factor(&dc2, at) - 0.7).abs() < 1e-12);
    assert_eq!(schedule.inbound_quantity_factor(&dc9, at), 1.0);
    assert!(DisruptionSchedule::default().is_empty());
}

#[test]
fn schedule_order_does_not_depend_on_input_order() {
    let start = t("2024-03-06T10:00:00Z");
    let a = Disruption::parse("dc_outage:DC003:2h", start).unwrap();
    let b = Disruption::parse("weather_delay:ALL:1d", start.plus_minutes(5)).unwrap();
    let c = Disruption::parse("supplier_delay:ALL:1d", start).unwrap();
    let one = DisruptionSchedule::new(vec![a.clone(), b.clone(), c.clone()]);
    let two = DisruptionSchedule::new(vec![b.clone(), c.clone(), a.clone()]);
    assert_eq!(one, two);
    let mut three = DisruptionSchedule::new(vec![b, a]);
    three.push(c);
    assert_eq!(one, three);
    assert!(
        one.items()[0]
            .to_string()
            .starts_with("dc_outage:DC003:7200s")
    );
}
