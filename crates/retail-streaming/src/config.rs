//! `--sink` specifications and the builder that turns them into sinks.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use crate::error::SinkError;
use crate::eventhubs::{EntraCredential, EventHubsAuth, EventHubsConfig};
use crate::metrics::SinkMetrics;
use crate::redact::redact;
use crate::sink::Sink;
use crate::sinks::{JsonlSink, NullSink, StdoutSink};

/// Which sink to run, parsed from a `--sink` string:
///
/// * `null` — count and discard;
/// * `stdout` — JSON lines on standard output;
/// * `jsonl:PATH[?max_bytes=N]` — JSON lines in `PATH`, rotating to `STEM.1.EXT`, … past N bytes;
/// * `duckdb[:PATH]` — typed DuckDB tables, KPI views and alerts (default `DATA_DIR/retail.duckdb`);
///   built by `retail_eventhouse::build_sink`, which sits above this crate;
/// * `eventhubs[?OPTIONS]` — Azure Event Hubs; options (`&`-separated): `hub=NAME`,
///   `auth=connection_string|entra_id`, `connection_string_env=VAR`, `namespace=FQDN`,
///   `credential=auto|environment|workload_identity|managed_identity|developer_tools`,
///   `endpoint=amqp://HOST:PORT`, `max_batch_bytes=N`, `max_event_bytes=N`,
///   `send_timeout_ms=N`, `dead_letter=PATH`.
///
/// More sinks (DuckDB) are added as variants; any other [`Sink`] implementation can be run
/// with [`crate::spawn_sink`] directly.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SinkConfig {
    /// Discard events.
    Null,
    /// JSON lines on standard output.
    Stdout,
    /// Rotating JSON-lines files.
    Jsonl {
        /// First file; later ones are `STEM.N.EXT` beside it.
        path: PathBuf,
        /// Rotation threshold in bytes.
        max_bytes: Option<u64>,
    },
    /// Azure Event Hubs (boxed: the configuration is much larger than the other variants).
    EventHubs(Box<EventHubsConfig>),
    /// The local eventhouse in DuckDB (`retail_eventhouse::build_sink` builds it).
    Duckdb {
        /// The database file; `None` = `DATA_DIR/retail.duckdb`.
        path: Option<PathBuf>,
    },
}

impl SinkConfig {
    /// The sink name, as used for the metrics `sink` label.
    pub fn name(&self) -> &'static str {
        match self {
            SinkConfig::Null => "null",
            SinkConfig::Stdout => "stdout",
            SinkConfig::Jsonl { .. } => "jsonl",
            SinkConfig::EventHubs(_) => "eventhubs",
            SinkConfig::Duckdb { .. } => "duckdb",
        }
    }

    /// Builds the sink. Nothing is opened or connected yet: call [`Sink::healthcheck`] (or
    /// start the run) for that.
    pub fn build(&self, metrics: Arc<SinkMetrics>) -> Result<Box<dyn Sink>, SinkError> {
        Ok(match self {
            SinkConfig::Null => Box::new(NullSink::new(metrics)),
            SinkConfig::Stdout => Box::new(StdoutSink::new(metrics)),
            SinkConfig::Jsonl { path, max_bytes } => {
                Box::new(JsonlSink::new(path.clone(), *max_bytes, metrics))
            }
            SinkConfig::EventHubs(config) => {
                crate::eventhubs::build_sink(EventHubsConfig::clone(config), metrics)?
            }
            SinkConfig::Duckdb { .. } => {
                return Err(SinkError::InvalidConfig(
                    "the duckdb sink is built by retail_eventhouse::build_sink".into(),
                ));
            }
        })
    }
}

impl FromStr for SinkConfig {
    type Err = SinkError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: String| SinkError::InvalidSpec {
            spec: redact(spec),
            reason,
        };
        let (head, query) = match spec.split_once('?') {
            Some((head, query)) => (head, Some(query)),
            None => (spec, None),
        };
        let params = parse_query(query).map_err(invalid)?;
        let (kind, argument) = match head.split_once(':') {
            Some((kind, argument)) => (kind, Some(argument)),
            None => (head, None),
        };
        let mut unused: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
        let mut take = |key: &str| -> Option<String> {
            unused.retain(|k| *k != key);
            params
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let config = match (kind.trim(), argument) {
            ("null", None) => SinkConfig::Null,
            ("stdout", None) => SinkConfig::Stdout,
            ("jsonl", Some(path)) if !path.is_empty() => SinkConfig::Jsonl {
                path: PathBuf::from(path),
                max_bytes: take("max_bytes")
                    .map(|v| parse_positive(&v, "max_bytes"))
                    .transpose()
                    .map_err(invalid)?,
            },
            ("jsonl", _) => return Err(invalid("jsonl needs a path: jsonl:PATH".into())),
            ("duckdb", None) => SinkConfig::Duckdb { path: None },
            ("duckdb", Some(path)) if !path.is_empty() => SinkConfig::Duckdb {
                path: Some(PathBuf::from(path)),
            },
            ("eventhubs", None) => {
                let mut config = EventHubsConfig::default();
                if let Some(hub) = take("hub") {
                    config.event_hub = Some(hub);
                }
                let env = take("connection_string_env");
                let namespace = take("namespace");
                let credential = take("credential")
                    .map(|c| parse_credential(&c))
                    .transpose()
                    .map_err(invalid)?;
                let auth = take("auth");
                config.auth = match auth.as_deref() {
                    None | Some("connection_string") => {
                        if namespace.is_some() && auth.is_none() {
                            entra(namespace, credential).map_err(invalid)?
                        } else {
                            EventHubsAuth::ConnectionStringEnv(env.unwrap_or_else(|| {
                                crate::eventhubs::DEFAULT_CONNECTION_STRING_ENV.into()
                            }))
                        }
                    }
                    Some("entra_id") => entra(namespace, credential).map_err(invalid)?,
                    Some(other) => {
                        return Err(invalid(format!(
                            "auth must be connection_string or entra_id, got {other:?}"
                        )));
                    }
                };
                config.custom_endpoint = take("endpoint");
                if let Some(v) = take("max_batch_bytes") {
                    config.max_batch_bytes =
                        parse_positive(&v, "max_batch_bytes").map_err(invalid)?;
                }
                if let Some(v) = take("max_event_bytes") {
                    config.max_event_bytes =
                        parse_positive(&v, "max_event_bytes").map_err(invalid)?;
                }
                if let Some(v) = take("send_timeout_ms") {
                    config.send_timeout = Duration::from_millis(
                        parse_positive(&v, "send_timeout_ms").map_err(invalid)?,
                    );
                }
                if let Some(v) = take("dead_letter") {
                    config.dead_letter_path = PathBuf::from(v);
                }
                config.validate()?;
                SinkConfig::EventHubs(Box::new(config))
            }
            _ => {
                return Err(invalid(
                    "expected null, stdout, jsonl:PATH[?max_bytes=N], duckdb[:PATH] or eventhubs[?OPTIONS]"
                        .into(),
                ));
            }
        };
        if let Some(key) = unused.first() {
            return Err(invalid(format!("unknown option {key:?} for this sink")));
        }
        Ok(config)
    }
}

fn entra(
    namespace: Option<String>,
    credential: Option<EntraCredential>,
) -> Result<EventHubsAuth, String> {
    let fully_qualified_namespace = namespace
        .ok_or_else(|| "auth=entra_id needs namespace=NAME.servicebus.windows.net".to_string())?;
    Ok(EventHubsAuth::EntraId {
        fully_qualified_namespace,
        credential: credential.unwrap_or(EntraCredential::Auto),
    })
}

fn parse_credential(text: &str) -> Result<EntraCredential, String> {
    Ok(match text {
        "auto" => EntraCredential::Auto,
        "environment" => EntraCredential::Environment,
        "workload_identity" => EntraCredential::WorkloadIdentity,
        "managed_identity" => EntraCredential::ManagedIdentity,
        "developer_tools" => EntraCredential::DeveloperTools,
        other => return Err(format!("unknown credential {other:?}")),
    })
}

fn parse_query(query: Option<&str>) -> Result<Vec<(String, String)>, String> {
    let Some(query) = query else {
        return Ok(Vec::new());
    };
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
            _ => Err(format!("option {part:?} is not KEY=VALUE")),
        })
        .collect()
}

fn parse_positive(text: &str, name: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("{name} must be a positive integer, got {text:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_sinks_parse() {
        assert_eq!("null".parse::<SinkConfig>().unwrap(), SinkConfig::Null);
        assert_eq!("stdout".parse::<SinkConfig>().unwrap(), SinkConfig::Stdout);
        assert_eq!(
            "jsonl:out/events.jsonl".parse::<SinkConfig>().unwrap(),
            SinkConfig::Jsonl {
                path: "out/events.jsonl".into(),
                max_bytes: None
            }
        );
        assert_eq!(
            "jsonl:/tmp/e.jsonl?max_bytes=1048576"
                .parse::<SinkConfig>()
                .unwrap(),
            SinkConfig::Jsonl {
                path: "/tmp/e.jsonl".into(),
                max_bytes: Some(1_048_576)
            }
        );
    }

    #[test]
    fn duckdb_sink_parses_with_and_without_a_path() {
        assert_eq!(
            "duckdb".parse::<SinkConfig>().unwrap(),
            SinkConfig::Duckdb { path: None }
        );
        let config = "duckdb:/tmp/x.duckdb".parse::<SinkConfig>().unwrap();
        assert_eq!(
            config,
            SinkConfig::Duckdb {
                path: Some("/tmp/x.duckdb".into())
            }
        );
        assert_eq!(config.name(), "duckdb");
        let error = config
            .build(Arc::new(SinkMetrics::new()))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("retail_eventhouse::build_sink"), "{error}");
    }

    #[test]
    fn eventhubs_defaults_follow_the_spec() {
        let SinkConfig::EventHubs(config) = "eventhubs".parse::<SinkConfig>().unwrap() else {
            panic!("not eventhubs");
        };
        assert_eq!(config.event_hub, None);
        assert_eq!(
            config.auth,
            EventHubsAuth::ConnectionStringEnv("AZURE_EVENTHUB_CONNECTION_STRING".into())
        );
        assert_eq!(config.max_batch_bytes, 1_000_000);
        assert_eq!(config.retry.initial_backoff, Duration::from_millis(500));
        assert_eq!(config.retry.max_backoff, Duration::from_secs(30));
    }

    #[test]
    fn eventhubs_options_parse() {
        let spec = "eventhubs?hub=h1&auth=entra_id&namespace=demo.servicebus.windows.net&credential=managed_identity&endpoint=amqp://127.0.0.1:5672&max_batch_bytes=262144&dead_letter=dl.jsonl";
        let SinkConfig::EventHubs(config) = spec.parse::<SinkConfig>().unwrap() else {
            panic!("not eventhubs");
        };
        assert_eq!(config.event_hub.as_deref(), Some("h1"));
        assert_eq!(
            config.auth,
            EventHubsAuth::EntraId {
                fully_qualified_namespace: "demo.servicebus.windows.net".into(),
                credential: EntraCredential::ManagedIdentity
            }
        );
        assert_eq!(
            config.custom_endpoint.as_deref(),
            Some("amqp://127.0.0.1:5672")
        );
        assert_eq!(config.max_batch_bytes, 262_144);
        assert_eq!(config.dead_letter_path, PathBuf::from("dl.jsonl"));
        let SinkConfig::EventHubs(config) = "eventhubs?connection_string_env=MY_CS"
            .parse::<SinkConfig>()
            .unwrap()
        else {
            panic!("not eventhubs");
        };
        assert_eq!(
            config.auth,
            EventHubsAuth::ConnectionStringEnv("MY_CS".into())
        );
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        for (spec, needle) in [
            ("kafka", "expected null, stdout"),
            ("jsonl", "jsonl needs a path"),
            ("jsonl:", "jsonl needs a path"),
            (
                "jsonl:x?max_bytes=0",
                "max_bytes must be a positive integer",
            ),
            (
                "jsonl:x?max_bytes=ten",
                "max_bytes must be a positive integer",
            ),
            ("null?x=1", "unknown option \"x\""),
            ("duckdb:", "expected null, stdout"),
            ("duckdb?batch=1", "unknown option \"batch\""),
            ("eventhubs?auth=entra_id", "needs namespace="),
            ("eventhubs?auth=magic", "auth must be"),
            ("eventhubs?max_batch_bytes=5000000", "max_batch_bytes"),
            ("stdout?flag", "is not KEY=VALUE"),
        ] {
            let error = spec.parse::<SinkConfig>().unwrap_err().to_string();
            assert!(error.contains(needle), "{spec}: {error}");
        }
    }

    #[test]
    fn secrets_in_a_spec_are_redacted_in_errors() {
        let error = "eventhubs?SharedAccessKey=TOPSECRET"
            .parse::<SinkConfig>()
            .unwrap_err()
            .to_string();
        assert!(!error.contains("TOPSECRET"), "{error}");
    }
}
