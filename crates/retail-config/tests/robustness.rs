//! No input makes loading panic, and every rejection says something.

use retail_config::{Config, ConfigError, Profile};
use serde_json::{Value, json};

fn check_no_panic(text: &str) {
    let outcome = std::panic::catch_unwind(|| Config::from_json_str(text));
    let result = outcome.unwrap_or_else(|_| panic!("panicked on {text:?}"));
    if let Err(err) = result {
        let message = err.to_string();
        assert!(!message.trim().is_empty(), "empty message for {text:?}");
        if let ConfigError::Invalid(violations) = &err {
            assert!(
                !violations.is_empty(),
                "Invalid without violations for {text:?}"
            );
            for v in violations {
                assert!(!v.rule.is_empty() && !v.to_string().is_empty(), "{v:?}");
            }
        }
    }
}

fn garbage_values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(1),
        json!(0.5),
        json!(-0.5),
        json!(1e300),
        json!(-1e300),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(""),
        json!("x"),
        json!("2024-02-30"),
        json!("Endpoint=sb://x/;SharedAccessKey=abc"),
        json!([]),
        json!([1, 2]),
        json!(["a", null]),
        json!({}),
        json!({"a": 1}),
    ]
}

/// Every JSON pointer of the value (objects and arrays included).
fn pointers(value: &Value, prefix: String, out: &mut Vec<String>) {
    out.push(prefix.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                pointers(v, format!("{prefix}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{prefix}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn full_document_with_a_disruption() -> Value {
    let mut doc = serde_json::to_value(Profile::Default.config()).unwrap();
    doc["disruptions"] = json!([{"kind": "dc_outage", "target": "DC001",
        "start": "2024-03-05T00:00:00Z", "duration_hours": 4.0, "severity": 1.0}]);
    doc
}

#[test]
fn replacing_any_field_with_any_garbage_never_panics() {
    let doc = full_document_with_a_disruption();
    let mut paths = Vec::new();
    pointers(&doc, String::new(), &mut paths);
    assert!(paths.len() > 100);
    for pointer in &paths {
        for garbage in garbage_values() {
            let mut mutated = doc.clone();
            match mutated.pointer_mut(pointer) {
                Some(slot) => *slot = garbage,
                None => continue,
            }
            check_no_panic(&mutated.to_string());
        }
    }
}

#[test]
fn removing_any_field_never_panics() {
    let doc = full_document_with_a_disruption();
    let mut paths = Vec::new();
    pointers(&doc, String::new(), &mut paths);
    for pointer in paths.iter().filter(|p| !p.is_empty()) {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let mut mutated = doc.clone();
        match mutated.pointer_mut(parent) {
            Some(Value::Object(map)) => {
                map.remove(key);
            }
            Some(Value::Array(items)) => {
                items.remove(key.parse::<usize>().unwrap());
            }
            _ => continue,
        }
        check_no_panic(&mutated.to_string());
    }
}

#[test]
fn every_truncation_and_byte_flip_of_a_document_never_panics() {
    let text = Profile::Small.config().to_json_pretty();
    for end in 0..text.len() {
        if text.is_char_boundary(end) {
            check_no_panic(&text[..end]);
        }
    }
    // Deterministic byte substitutions with a small xorshift: reproducible, no RNG crate.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let replacements = b"{}[]\",:0-9e.tfn x\\";
    for _ in 0..3_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut bytes = text.clone().into_bytes();
        let at = (state % bytes.len() as u64) as usize;
        bytes[at] = replacements[(state >> 32) as usize % replacements.len()];
        if let Ok(mutated) = String::from_utf8(bytes) {
            check_no_panic(&mutated);
        }
    }
}

#[test]
fn hostile_documents_never_panic() {
    let deep = "[".repeat(100_000);
    let deep_obj = format!("{}1{}", "{\"a\":".repeat(5_000), "}".repeat(5_000));
    let huge_key = format!("{{\"{}\": 1}}", "k".repeat(100_000));
    for text in [
        "",
        " ",
        "null",
        "1",
        "\"x\"",
        "[]",
        "{",
        "{\"volume\": ",
        "\u{feff}{}",
        "{\"seed\": 1e400}",
        "{\"seed\": 18446744073709551616}",
        "{\"volume\": {\"volume\": {\"volume\": {}}}}",
        "{\"disruptions\": [1, \"x\", null, [], {}]}",
        "{\"disruptions\": {}}",
        "{\"marketing_cost\": {\"channels\": {\"EMAIL\": [\"a\", \"b\"]}}}",
        "{\"seed\": 1, \"seed\": 2}",
        &deep,
        &deep_obj,
        &huge_key,
    ] {
        check_no_panic(text);
    }
}
