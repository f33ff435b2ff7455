//! Property test (issue #9 item 4): thousands of generated malformed events, seeded and
//! reproducible, through the envelope decoder (`Envelope::from_json`). Decoding never panics,
//! every rejection names the offending field path and what is wrong with it, and whatever is
//! accepted encodes again without panicking.

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed, TestRunner};
use retail_schemas::events::{Envelope, EventType};
use serde_json::{Map, Value};

const CASES: u32 = 1_200;

/// The envelope members of events.md §2; every error path starts with one of them.
const ENVELOPE_FIELDS: [&str; 10] = [
    "event_type",
    "schema_version",
    "source",
    "trace_id",
    "ingest_timestamp",
    "correlation_id",
    "partition_key",
    "session_id",
    "parent_event_id",
    "payload",
];

fn seeded(seed: u64) -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The 18 spec examples (events.md §7), one per event type.
fn examples() -> Vec<Value> {
    EventType::all()
        .iter()
        .map(|t| {
            let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/events")
                .join(format!("{}.json", t.name()));
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
        })
        .collect()
}

/// Every JSON pointer inside a document (the root excluded).
fn pointers(value: &Value) -> Vec<String> {
    fn walk(value: &Value, prefix: String, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    out.push(format!("{prefix}/{k}"));
                    walk(v, format!("{prefix}/{k}"), out);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    out.push(format!("{prefix}/{i}"));
                    walk(v, format!("{prefix}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, String::new(), &mut out);
    out
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|x| serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)),
        ".{0,16}".prop_map(Value::String),
        prop::sample::select(vec![
            "receipt_created",
            "2024-11-25T10:00:00.000000Z",
            "2024-13-45T99:00:00Z",
            "00000000-0000-0000-0000-000000000000",
            "not-a-uuid",
            "1.0",
            "2.0",
            "-0.001",
            "99999999999999999999.99",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{1,8}", inner), 0..4)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Decodes `bytes`; fails the property on a panic or an unclear rejection. True when rejected.
fn check(bytes: &[u8]) -> Result<bool, TestCaseError> {
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        Envelope::from_json(bytes).map(|envelope| envelope.to_json().map(|_| ()))
    }));
    let Ok(result) = outcome else {
        return Err(TestCaseError::fail(format!(
            "panicked on {:?}",
            String::from_utf8_lossy(bytes)
        )));
    };
    match result {
        Ok(_) => Ok(false),
        Err(err) => {
            prop_assert!(!err.problem.trim().is_empty(), "{:?}", err);
            let head = err.field.split(['.', '[']).next().unwrap_or("");
            prop_assert!(
                err.field == "event" || ENVELOPE_FIELDS.contains(&head),
                "error names no field of the event: {}",
                err
            );
            prop_assert_eq!(err.to_string(), format!("{}: {}", err.field, err.problem));
            Ok(true)
        }
    }
}

fn run<S: Strategy>(name: &str, seed: u64, strategy: S, input: impl Fn(S::Value) -> Vec<u8>) -> u64
where
    S::Value: std::fmt::Debug,
{
    let rejected = AtomicU64::new(0);
    let mut runner = TestRunner::new(seeded(seed));
    let outcome = runner.run(&strategy, |value| {
        if check(&input(value))? {
            rejected.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    let rejected = rejected.into_inner();
    println!(
        "{name}: {CASES} generated events, {rejected} rejected with a clear message, 0 panics"
    );
    rejected
}

/// An example of a random type with one member (envelope or payload, at any depth) replaced.
fn replaced_member() -> impl Strategy<Value = (Value, String, Value)> {
    prop::sample::select(examples()).prop_flat_map(|doc| {
        let paths = pointers(&doc);
        (Just(doc), prop::sample::select(paths), any_json())
    })
}

#[test]
fn any_member_replaced_by_any_json() {
    let rejected = run(
        "any_member_replaced_by_any_json",
        0x0009_E701,
        replaced_member(),
        |(mut doc, pointer, garbage)| {
            let top_level = pointer.matches('/').count() == 1;
            let type_changed = doc
                .pointer(&pointer)
                .is_some_and(|old| std::mem::discriminant(old) != std::mem::discriminant(&garbage));
            if let Some(slot) = doc.pointer_mut(&pointer) {
                *slot = garbage;
            }
            let bytes = doc.to_string().into_bytes();
            // A top-level member of the wrong JSON type is reported under its own name.
            let key = &pointer[1..];
            if top_level && type_changed && key != "payload" && ENVELOPE_FIELDS.contains(&key) {
                if let Err(err) = Envelope::from_json(&bytes) {
                    assert_eq!(err.field, key, "{err}");
                }
            }
            bytes
        },
    );
    assert!(rejected >= u64::from(CASES) / 2, "{rejected}");
}

#[test]
fn any_member_removed() {
    let strategy = prop::sample::select(examples()).prop_flat_map(|doc| {
        let paths = pointers(&doc);
        (Just(doc), prop::sample::select(paths))
    });
    let rejected = run(
        "any_member_removed",
        0x0009_E702,
        strategy,
        |(mut doc, pointer)| {
            let (parent, key) = pointer.rsplit_once('/').unwrap();
            match doc.pointer_mut(parent) {
                Some(Value::Object(map)) => {
                    map.remove(key);
                }
                Some(Value::Array(items)) => {
                    items.remove(key.parse::<usize>().unwrap());
                }
                _ => {}
            }
            doc.to_string().into_bytes()
        },
    );
    assert!(rejected >= u64::from(CASES) / 4, "{rejected}");
}

#[test]
fn byte_edits_of_an_example() {
    let edit = (any::<prop::sample::Index>(), 0u8..3, any::<u8>());
    let strategy = (
        prop::sample::select(examples()),
        prop::collection::vec(edit, 1..5),
    );
    let rejected = run(
        "byte_edits_of_an_example",
        0x0009_E703,
        strategy,
        |(doc, edits)| {
            let mut bytes = doc.to_string().into_bytes();
            for (at, kind, b) in edits {
                let i = at.index(bytes.len().max(1)).min(bytes.len());
                match kind {
                    0 if i < bytes.len() => bytes[i] = b,
                    1 => bytes.insert(i, b),
                    _ => bytes.truncate(i),
                }
            }
            bytes
        },
    );
    assert!(rejected >= u64::from(CASES) / 2, "{rejected}");
}

#[test]
fn arbitrary_bytes_and_json() {
    let strategy = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        any_json().prop_map(|v| v.to_string().into_bytes()),
    ];
    let rejected = run("arbitrary_bytes_and_json", 0x0009_E704, strategy, |bytes| {
        bytes
    });
    assert_eq!(rejected, u64::from(CASES));
}
