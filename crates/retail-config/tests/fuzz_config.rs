//! Property test (issue #9 item 4): thousands of generated malformed configuration documents,
//! seeded and reproducible. Loading never panics, and every rejection is a clear message: a
//! syntax error with its line and column, or one violation per problem naming its JSON path and
//! the rule it breaks.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed, TestRunner};
use retail_config::{Config, ConfigError, Profile};
use serde_json::{Map, Value};

const CASES: u32 = 1_500;

fn seeded(seed: u64) -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Any JSON value, a few levels deep, with keys that are often real configuration keys.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|x| serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("2024-02-30"),
            Just("2024-01-01"),
            Just("small"),
            Just("DC001"),
            Just("dc_outage"),
            Just("-1"),
            Just("1e999"),
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..5)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![prop::sample::select(real_keys()), "[a-z_]{1,10}",]
}

/// Every key that appears anywhere in the default configuration.
fn real_keys() -> Vec<String> {
    fn walk(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    out.push(k.clone());
                    walk(v, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(
        &serde_json::to_value(Profile::Default.config()).unwrap(),
        &mut out,
    );
    out.sort();
    out.dedup();
    out
}

/// Every JSON pointer of the default configuration document.
fn pointers() -> Vec<String> {
    fn walk(value: &Value, prefix: String, out: &mut Vec<String>) {
        out.push(prefix.clone());
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    walk(v, format!("{prefix}/{k}"), out);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, format!("{prefix}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&base_document(), String::new(), &mut out);
    out
}

fn base_document() -> Value {
    let mut doc = serde_json::to_value(Profile::Small.config()).unwrap();
    doc["disruptions"] = serde_json::json!([{"kind": "dc_outage", "target": "DC001",
        "start": "2024-03-05T00:00:00Z", "duration_hours": 4.0, "severity": 1.0}]);
    doc
}

/// Loads `text`; fails the property on a panic or on an unclear rejection. True when rejected.
fn check(text: &str) -> Result<bool, TestCaseError> {
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| Config::from_json_str(text)));
    let result = match outcome {
        Ok(result) => result,
        Err(_) => return Err(TestCaseError::fail(format!("panicked on {text:?}"))),
    };
    let err = match result {
        Ok(config) => {
            // Accepted documents are valid as a whole and hash without trouble.
            prop_assert!(config.violations().is_empty());
            prop_assert_eq!(config.config_hash().len(), 64);
            return Ok(false);
        }
        Err(err) => err,
    };
    let message = err.to_string();
    prop_assert!(!message.trim().is_empty(), "empty message for {:?}", text);
    match &err {
        ConfigError::Syntax { line, column, .. } => {
            prop_assert!(*line >= 1 && *column <= text.len() + 1, "{}", message);
            prop_assert!(message.starts_with("configuration is not valid JSON: "));
        }
        ConfigError::Invalid(violations) => {
            prop_assert!(
                !violations.is_empty(),
                "Invalid without violations: {:?}",
                text
            );
            prop_assert!(
                message.starts_with("invalid configuration, "),
                "{}",
                message
            );
            for v in violations {
                prop_assert!(!v.rule.trim().is_empty(), "{:?}", v);
                // Each problem is one line of the message, naming its path.
                let line = v.to_string();
                prop_assert!(message.contains(&line), "{} lacks {}", message, line);
                prop_assert!(!line.contains('\n'), "{}", line);
            }
        }
        ConfigError::Read { .. } => prop_assert!(false, "text loading cannot fail to read"),
    }
    Ok(true)
}

/// Runs `property` over `CASES` seeded inputs of `strategy`; returns how many were rejected.
fn run<S: Strategy>(
    name: &str,
    seed: u64,
    strategy: S,
    property: impl Fn(S::Value) -> String,
) -> u64
where
    S::Value: std::fmt::Debug,
{
    let rejected = AtomicU64::new(0);
    let mut runner = TestRunner::new(seeded(seed));
    let outcome = runner.run(&strategy, |input| {
        let text = property(input);
        if check(&text)? {
            rejected.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    let rejected = rejected.into_inner();
    println!(
        "{name}: {CASES} generated documents, {rejected} rejected with a clear message, 0 panics"
    );
    rejected
}

/// One field of a valid document replaced by arbitrary JSON.
#[test]
fn any_field_replaced_by_any_json() {
    let strategy = (prop::sample::select(pointers()), any_json());
    let rejected = run(
        "any_field_replaced_by_any_json",
        0x0009_C0F1,
        strategy,
        |(pointer, garbage)| {
            let mut doc = base_document();
            if let Some(slot) = doc.pointer_mut(&pointer) {
                *slot = garbage;
            }
            doc.to_string()
        },
    );
    assert!(rejected >= u64::from(CASES) / 2, "{rejected}");
}

/// Arbitrary JSON documents built from real and made-up keys.
#[test]
fn arbitrary_documents() {
    let rejected = run("arbitrary_documents", 0x0009_C0F2, any_json(), |doc| {
        doc.to_string()
    });
    assert!(rejected >= u64::from(CASES) / 2, "{rejected}");
}

/// A valid document's text with a few characters replaced, inserted or cut off.
#[test]
fn text_edits_of_a_valid_document() {
    let edit = (any::<prop::sample::Index>(), 0u8..3, any::<char>());
    let strategy = prop::collection::vec(edit, 1..6);
    let rejected = run(
        "text_edits_of_a_valid_document",
        0x0009_C0F3,
        strategy,
        |edits| {
            let mut text: Vec<char> = base_document().to_string().chars().collect();
            for (at, kind, c) in edits {
                let i = at.index(text.len().max(1)).min(text.len());
                match kind {
                    0 if i < text.len() => text[i] = c,
                    1 => text.insert(i.min(text.len()), c),
                    _ => text.truncate(i),
                }
            }
            text.into_iter().collect()
        },
    );
    assert!(rejected >= u64::from(CASES) / 2, "{rejected}");
}
