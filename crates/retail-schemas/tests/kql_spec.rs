//! The KQL emitter reproduces fabric.md's normative text exactly (fixtures copied verbatim from
//! fabric.md §3.2, §3.3 and §3.5).

use retail_schemas::emit::kql;
use retail_schemas::events::EventType;

const TABLES: &str = include_str!("fixtures/kql/fabric_3_2_tables.kql");
const ROUTE: &str = include_str!("fixtures/kql/fabric_3_3_route_receipt_created.kql");
const MAPPING: &str = include_str!("fixtures/kql/fabric_3_5_receipt_created_mapping.kql");

#[test]
fn tables_equal_fabric_3_2_statement_for_statement() {
    let want: Vec<&str> = TABLES.split("\n\n").map(str::trim).collect();
    let script = kql::tables_script();
    let got: Vec<&str> = script.split("\n\n").map(str::trim).collect();
    assert_eq!(got.len(), 20, "raw + 18 typed + unknown_event");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w);
    }
    assert_eq!(got, want);
}

#[test]
fn routing_equals_the_fabric_3_3_example() {
    assert_eq!(kql::routing(EventType::ReceiptCreated).trim(), ROUTE.trim());
}

#[test]
fn mapping_equals_the_fabric_3_5_example() {
    assert_eq!(
        kql::typed_mapping(EventType::ReceiptCreated).trim(),
        MAPPING.trim()
    );
}

#[test]
fn mapping_paths_are_exactly_envelope_plus_payload_fields() {
    for t in EventType::all() {
        let m = kql::typed_mapping(t);
        let json = &m[m.find('\'').unwrap() + 1..m.rfind('\'').unwrap()];
        let entries: Vec<serde_json::Value> = serde_json::from_str(json).unwrap();
        let paths: Vec<String> = entries
            .iter()
            .map(|e| e["path"].as_str().unwrap().to_owned())
            .collect();
        let mut want: Vec<String> = kql::ENVELOPE_COLUMNS
            .iter()
            .map(|(n, _)| format!("$.{n}"))
            .collect();
        want.extend(
            t.payload_def()
                .columns()
                .iter()
                .map(|c| format!("$.payload.{}", c.name)),
        );
        assert_eq!(paths, want, "{t}");
        assert!(m.contains(&format!("mapping \"{}_mapping\"", t.name())));
        assert!(!m.contains('\n'), "a mapping literal must be one line");
    }
}

#[test]
fn unknown_event_routing_catches_unknown_types_and_versions() {
    let r = kql::unknown_event_routing();
    assert!(r.contains("route_unknown_event()"));
    for t in EventType::all() {
        assert!(r.contains(&format!("\"{}\"", t.name())));
    }
    assert!(r.contains("UNKNOWN_EVENT_TYPE") && r.contains("UNSUPPORTED_SCHEMA_VERSION"));
    assert!(kql::unknown_event_mapping().contains("\"unknown_event_mapping\""));
    assert!(!kql::unknown_event_mapping().contains("reason"));
}
