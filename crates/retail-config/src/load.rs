//! From JSON text to a resolved [`Config`]: profile base, recursive merge, unknown fields,
//! type errors with JSON paths, secrets, then whole-config validation (data-contract §10.1).

use serde_json::{Map, Value};

use crate::config::Overrides;
use crate::error::{ConfigError, Violation};
use crate::model::{Config, DISRUPTION_KINDS, Profile};

/// Upper bound on repair rounds while collecting type errors (each round fixes one field).
const MAX_TYPE_ERRORS: usize = 500;

/// Field names of one `disruptions[]` entry.
const DISRUPTION_FIELDS: [&str; 5] = ["kind", "target", "start", "duration_hours", "severity"];

pub(crate) fn parse(text: &str, overrides: &Overrides) -> Result<Config, ConfigError> {
    // Editors on Windows may save UTF-8 with a byte-order mark; it carries no content.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file: Value = serde_json::from_str(text).map_err(|e| ConfigError::Syntax {
        message: e.to_string(),
        line: e.line(),
        column: e.column(),
    })?;
    let Value::Object(mut file) = file else {
        return Err(ConfigError::Invalid(vec![Violation::new(
            "",
            render_value(&file),
            "the configuration must be a JSON object",
        )]));
    };
    let mut violations = Vec::new();

    let profile = match file.get("profile") {
        None => Profile::Default,
        Some(Value::String(name)) if Profile::from_name(name).is_some() => {
            Profile::from_name(name).unwrap_or(Profile::Default)
        }
        Some(other) => {
            violations.push(Violation::new(
                "profile",
                render_value(other),
                "must be \"default\" or \"small\"",
            ));
            file.remove("profile");
            Profile::Default
        }
    };
    let base = serde_json::to_value(profile.config()).unwrap_or(Value::Null);

    find_secrets(&Value::Object(file.clone()), "", &mut violations);
    strip_unknown_fields(&mut file, &base, "", &mut violations);

    let mut merged = base.clone();
    merge(&mut merged, Value::Object(file));

    match deserialize_collecting_type_errors(merged, &base, &mut violations) {
        Some(config) => {
            let config = overrides.applied_to(config);
            let secret_paths: Vec<String> = violations
                .iter()
                .filter(|v| v.rule.starts_with(SECRET_RULE_START))
                .map(|v| v.path.clone())
                .collect();
            // A secret is reported once, as a secret, not again by the rules of its field.
            violations.extend(
                overrides
                    .annotate(crate::validate::violations(&config))
                    .into_iter()
                    .filter(|v| !secret_paths.contains(&v.path)),
            );
            if violations.is_empty() {
                Ok(config)
            } else {
                Err(ConfigError::Invalid(in_document_order(violations)))
            }
        }
        None => Err(ConfigError::Invalid(in_document_order(violations))),
    }
}

/// Violations sorted by top-level section in field order (stable inside a section), so the
/// report reads like the file.
fn in_document_order(mut violations: Vec<Violation>) -> Vec<Violation> {
    const SECTIONS: [&str; 15] = [
        "",
        "config_version",
        "profile",
        "seed",
        "dates",
        "volume",
        "supply",
        "returns",
        "online",
        "marketing",
        "marketing_cost",
        "calendar",
        "disruptions",
        "output",
        "performance",
    ];
    let rank = |v: &Violation| {
        let head = v.path.split(['.', '[']).next().unwrap_or("");
        match head {
            "stream" => SECTIONS.len(),
            _ => SECTIONS
                .iter()
                .position(|s| *s == head)
                .unwrap_or(SECTIONS.len() + 1),
        }
    };
    violations.sort_by_key(rank);
    violations
}

const SECRET_RULE_START: &str = "looks like a secret";

/// True for text that looks like an Event Hubs / Service Bus connection string or key.
pub(crate) fn looks_like_secret(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    [
        "sharedaccesskey=",
        "endpoint=sb://",
        "sharedaccesssignature sr=",
    ]
    .iter()
    .any(|marker| lower.contains(marker))
}

/// Compact JSON of a value for messages: secrets redacted, long text shortened.
pub(crate) fn render_value(value: &Value) -> String {
    const MAX_CHARS: usize = 80;
    if contains_secret(value) {
        return "<redacted secret>".to_string();
    }
    let text = serde_json::to_string(value).unwrap_or_else(|_| "<unprintable>".to_string());
    if text.chars().count() > MAX_CHARS {
        let short: String = text.chars().take(MAX_CHARS).collect();
        format!("{short}…")
    } else {
        text
    }
}

fn contains_secret(value: &Value) -> bool {
    match value {
        Value::String(s) => looks_like_secret(s),
        Value::Array(items) => items.iter().any(contains_secret),
        Value::Object(map) => map.values().any(contains_secret),
        _ => false,
    }
}

/// `parent.key`, or `parent["key"]` when the key is not a plain identifier.
pub(crate) fn child_path(parent: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match (parent.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{parent}.{key}"),
        (_, false) => format!(
            "{parent}[{}]",
            serde_json::to_string(key).unwrap_or_default()
        ),
    }
}

fn find_secrets(value: &Value, path: &str, out: &mut Vec<Violation>) {
    match value {
        Value::String(s) if looks_like_secret(s) => out.push(Violation::without_value(
            path,
            "looks like a secret (an Event Hubs connection string or key); secrets never live in \
             the configuration file: remove it and put the connection string in the environment \
             variable named by stream.connection_string_env (default \
             AZURE_EVENTHUB_CONNECTION_STRING)",
        )),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                find_secrets(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                find_secrets(item, &child_path(path, key), out);
            }
        }
        _ => {}
    }
}

/// Reports and removes every key the base does not know; recurses where both sides are objects.
fn strip_unknown_fields(
    file: &mut Map<String, Value>,
    base: &Value,
    path: &str,
    out: &mut Vec<Violation>,
) {
    let Value::Object(base) = base else { return };
    let known: Vec<&str> = base.keys().map(String::as_str).collect();
    let unknown: Vec<String> = file
        .keys()
        .filter(|k| !base.contains_key(*k))
        .cloned()
        .collect();
    for key in unknown {
        out.push(unknown_field(&child_path(path, &key), &known));
        file.remove(&key);
    }
    for (key, value) in file.iter_mut() {
        let child = child_path(path, key);
        match (value, base.get(key)) {
            (Value::Object(inner), Some(base_inner @ Value::Object(_))) => {
                strip_unknown_fields(inner, base_inner, &child, out);
            }
            (Value::Array(items), _) if child == "disruptions" => {
                for (i, item) in items.iter_mut().enumerate() {
                    if let Value::Object(entry) = item {
                        let unknown: Vec<String> = entry
                            .keys()
                            .filter(|k| !DISRUPTION_FIELDS.contains(&k.as_str()))
                            .cloned()
                            .collect();
                        for key in unknown {
                            out.push(unknown_field(
                                &child_path(&format!("{child}[{i}]"), &key),
                                &DISRUPTION_FIELDS,
                            ));
                            entry.remove(&key);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn unknown_field(path: &str, known: &[&str]) -> Violation {
    Violation::without_value(
        path,
        format!("unknown field; known fields: {}", known.join(", ")),
    )
}

/// Objects merge key by key (recursively); anything else replaces.
pub(crate) fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(slot) => merge(slot, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (slot, over) => *slot = over,
    }
}

/// Deserializes; on a type error records it, puts the base value (or a neutral placeholder)
/// at that path and tries again, so that every badly typed field is reported at once.
fn deserialize_collecting_type_errors(
    mut merged: Value,
    base: &Value,
    out: &mut Vec<Violation>,
) -> Option<Config> {
    let mut failed = false;
    for _ in 0..MAX_TYPE_ERRORS {
        let error = match serde_path_to_error::deserialize::<_, Config>(merged.clone()) {
            Ok(config) => return (!failed).then_some(config),
            Err(error) => error,
        };
        failed = true;
        let (mut path, mut pointer) = (String::new(), String::new());
        for segment in error.path().iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => {
                    path.push_str(&format!("[{index}]"));
                    pointer.push_str(&format!("/{index}"));
                }
                serde_path_to_error::Segment::Map { key }
                | serde_path_to_error::Segment::Enum { variant: key } => {
                    path = child_path(&path, key);
                    pointer.push('/');
                    pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                }
                serde_path_to_error::Segment::Unknown => {}
            }
        }
        let message = error.inner().to_string();
        if let Some(field) = missing_field(&message) {
            out.push(Violation::without_value(
                child_path(&path, field),
                "is required",
            ));
        } else {
            let shown = merged
                .pointer(&pointer)
                .map(render_value)
                .unwrap_or_else(|| "the value".to_string());
            out.push(Violation::new(path.clone(), shown, type_rule(&message)));
        }
        if !repair(&mut merged, base, &pointer) {
            return None;
        }
    }
    None
}

fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

fn type_rule(message: &str) -> String {
    let Some((_, expected)) = message.rsplit_once(", expected ") else {
        return message.to_string();
    };
    match expected {
        "u8" | "u16" | "u32" => format!("must be a whole number from 0 to {}", u32::MAX),
        "u64" => format!("must be a whole number from 0 to {}", u64::MAX),
        "i8" | "i16" | "i32" | "i64" => "must be a whole number".to_string(),
        "f32" | "f64" => "must be a number".to_string(),
        "a boolean" => "must be true or false".to_string(),
        "a string" => "must be a string".to_string(),
        "a sequence" => "must be an array".to_string(),
        "an array of length 2" | "fewer elements in array" => {
            "must be an array of two whole numbers [min, max]".to_string()
        }
        "a map" => "must be an object".to_string(),
        other if other.starts_with("struct ") => "must be an object".to_string(),
        other => format!("must be {other}"),
    }
}

/// Puts a well-typed value at `pointer`; false when nothing could be fixed there.
fn repair(merged: &mut Value, base: &Value, pointer: &str) -> bool {
    if let Some(good) = base.pointer(pointer) {
        if let Some(slot) = merged.pointer_mut(pointer) {
            if slot != good {
                *slot = good.clone();
                return true;
            }
        }
        return false;
    }
    // Inside `disruptions[i]` there is no base: replace the whole entry with a neutral one.
    let mut parts = pointer.split('/').skip(1);
    if let (Some("disruptions"), Some(index)) = (parts.next(), parts.next()) {
        let entry_pointer = format!("/disruptions/{index}");
        let placeholder = serde_json::json!({
            "kind": DISRUPTION_KINDS[0], "target": "ALL", "start": "2000-01-01T00:00:00Z",
            "duration_hours": 1.0, "severity": 1.0
        });
        if let Some(slot) = merged.pointer_mut(&entry_pointer) {
            if *slot != placeholder {
                *slot = placeholder;
                return true;
            }
        }
    }
    false
}
