//! Configuration of the Event Hubs sink (events.md §5, §9.4).

use std::path::PathBuf;
use std::time::Duration;

use crate::error::SinkError;
use crate::redact::{SecretString, redact};

/// Default hub name (events.md §9.4 `stream.event_hub`).
pub const DEFAULT_EVENT_HUB: &str = "retail-events";
/// Default environment variable holding the SAS connection string.
pub const DEFAULT_CONNECTION_STRING_ENV: &str = "AZURE_EVENTHUB_CONNECTION_STRING";

/// How the sink authenticates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventHubsAuth {
    /// SAS connection string read from this environment variable when the sink connects.
    ConnectionStringEnv(String),
    /// SAS connection string handed over directly (tests, embedding programs).
    ConnectionString(SecretString),
    /// Microsoft Entra ID token credential against a namespace.
    EntraId {
        /// `<name>.servicebus.windows.net` (or a sovereign-cloud suffix).
        fully_qualified_namespace: String,
        /// Which credential to use.
        credential: EntraCredential,
    },
}

/// Which Entra ID credential the sink uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntraCredential {
    /// The first that yields a token, in the order of events.md §5.5: environment (service
    /// principal secret), workload identity, managed identity, developer tools (az / azd login).
    Auto,
    /// Service principal from `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`.
    Environment,
    /// Kubernetes workload identity (`AZURE_FEDERATED_TOKEN_FILE` …).
    WorkloadIdentity,
    /// Managed identity of the host.
    ManagedIdentity,
    /// Azure CLI or Azure Developer CLI login.
    DeveloperTools,
}

/// Exponential backoff with jitter (events.md §5.4).
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts per batch, the first included.
    pub max_attempts: u32,
    /// Wait before the first retry.
    pub initial_backoff: Duration,
    /// Upper bound of one wait.
    pub max_backoff: Duration,
    /// Growth factor per retry.
    pub multiplier: f64,
    /// Relative jitter: each wait is scaled by a factor in `[1 − jitter, 1 + jitter]`.
    pub jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            multiplier: 2.0,
            jitter: 0.2,
        }
    }
}

impl RetryPolicy {
    /// Wait before retry number `retry` (1 = first retry). `unit` in `[-1, 1]` picks the
    /// jitter; the result is `min(initial × multiplier^(retry−1), max) × (1 + jitter × unit)`.
    pub fn backoff(&self, retry: u32, unit: f64) -> Duration {
        let exponent = retry.saturating_sub(1).min(64) as i32;
        let base = self.initial_backoff.as_secs_f64() * self.multiplier.powi(exponent);
        let capped = base.min(self.max_backoff.as_secs_f64());
        let factor = 1.0 + self.jitter * unit.clamp(-1.0, 1.0);
        Duration::from_secs_f64((capped * factor).max(0.0))
    }
}

/// Stops starting new sends for a while after repeated consecutive failures, so that an
/// unavailable hub is not hammered by every partition key at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CircuitBreakerConfig {
    /// Consecutive failed attempts (any key) that open the circuit.
    pub failure_threshold: u32,
    /// How long the circuit stays open before one probe attempt is let through.
    pub open_for: Duration,
}

impl Default for CircuitBreakerConfig {
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            open_for: Duration::from_secs(5),
        }
    }
}

/// What to do with a batch whose transient failures outlast `retry.max_attempts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnRetriesExhausted {
    /// Stop the run with an error (events.md §5.4); the checkpoint stays before the batch.
    Stop,
    /// Write the batch's events to the dead-letter file and go on.
    DeadLetter,
}

/// Everything the Event Hubs sink needs. `Debug` never shows secrets.
#[derive(Clone, Debug, PartialEq)]
pub struct EventHubsConfig {
    /// Hub name; `None` takes the connection string's `EntityPath`, else [`DEFAULT_EVENT_HUB`].
    pub event_hub: Option<String>,
    /// Authentication.
    pub auth: EventHubsAuth,
    /// Socket endpoint overriding the namespace host, e.g. `amqp://127.0.0.1:5672` for the
    /// local stand-in (the `amqp://` scheme means plain TCP).
    pub custom_endpoint: Option<String>,
    /// AMQP container id prefix shown in service diagnostics.
    pub application_id: String,
    /// Upper bound of one batch as measured by the SDK (events.md §5.3).
    pub max_batch_bytes: u64,
    /// Larger event bodies are dead-lettered without a send attempt.
    pub max_event_bytes: u64,
    /// Bound on one `create_batch` or `send_batch` call.
    pub send_timeout: Duration,
    /// Bound on one connection attempt (`open`).
    pub connect_timeout: Duration,
    /// Backoff between attempts of a batch and of connecting.
    pub retry: RetryPolicy,
    /// Circuit breaker shared by all partition keys.
    pub circuit_breaker: CircuitBreakerConfig,
    /// Durable JSON-lines file receiving events that failed permanently.
    pub dead_letter_path: PathBuf,
    /// Events held by the sink (queued or in flight) before `submit` waits.
    pub max_buffered_events: usize,
    /// Policy for batches that exhaust their retries.
    pub on_retries_exhausted: OnRetriesExhausted,
}

impl Default for EventHubsConfig {
    fn default() -> Self {
        Self {
            event_hub: None,
            auth: EventHubsAuth::ConnectionStringEnv(DEFAULT_CONNECTION_STRING_ENV.into()),
            custom_endpoint: None,
            application_id: "retail-rti".into(),
            max_batch_bytes: 1_000_000,
            max_event_bytes: 65_536,
            send_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            circuit_breaker: CircuitBreakerConfig::default(),
            dead_letter_path: PathBuf::from("state/eventhubs-dead-letter.jsonl"),
            max_buffered_events: 50_000,
            on_retries_exhausted: OnRetriesExhausted::Stop,
        }
    }
}

/// The parts of a SAS connection string the sink needs; the key stays secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedConnectionString {
    /// Host of `Endpoint=sb://HOST/`.
    pub fully_qualified_namespace: String,
    /// `SharedAccessKeyName`.
    pub key_name: String,
    /// `EntityPath`, if present.
    pub entity_path: Option<String>,
}

/// Validates a SAS connection string (events.md §9.4): it must contain `Endpoint=sb://`,
/// `SharedAccessKeyName=` and `SharedAccessKey=`. Errors never quote the key.
pub fn parse_connection_string(text: &str) -> Result<ParsedConnectionString, SinkError> {
    let mut endpoint = None;
    let mut key_name = None;
    let mut has_key = false;
    let mut entity_path = None;
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((name, value)) = part.split_once('=') else {
            return Err(SinkError::InvalidConfig(format!(
                "connection string part {:?} is not NAME=VALUE",
                redact(part)
            )));
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "endpoint" => endpoint = Some(value.trim().to_owned()),
            "sharedaccesskeyname" => key_name = Some(value.trim().to_owned()),
            "sharedaccesskey" => has_key = !value.trim().is_empty(),
            "entitypath" => entity_path = Some(value.trim().to_owned()),
            _ => {}
        }
    }
    let endpoint = endpoint.ok_or_else(|| {
        SinkError::InvalidConfig("connection string has no Endpoint=sb://…".into())
    })?;
    let host = endpoint
        .strip_prefix("sb://")
        .map(|rest| rest.trim_end_matches('/'))
        .filter(|host| !host.is_empty() && !host.contains('/'))
        .ok_or_else(|| {
            SinkError::InvalidConfig(format!(
                "connection string Endpoint must look like sb://NAMESPACE/, got {:?}",
                redact(&endpoint)
            ))
        })?;
    let key_name = key_name.filter(|k| !k.is_empty()).ok_or_else(|| {
        SinkError::InvalidConfig("connection string has no SharedAccessKeyName".into())
    })?;
    if !has_key {
        return Err(SinkError::InvalidConfig(
            "connection string has no SharedAccessKey".into(),
        ));
    }
    Ok(ParsedConnectionString {
        fully_qualified_namespace: host.to_owned(),
        key_name,
        entity_path: entity_path.filter(|p| !p.is_empty()),
    })
}

/// Checks a hub name against events.md §9.4.
pub fn validate_event_hub_name(name: &str) -> Result<(), SinkError> {
    let mut chars = name.chars();
    let valid = (1..=256).contains(&name.len())
        && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(())
    } else {
        Err(SinkError::InvalidConfig(redact(&format!(
            "event hub name {name:?} must be 1–256 characters of [A-Za-z0-9._-] starting with a letter or digit"
        ))))
    }
}

/// The hub to use: `EntityPath` wins when present; a configured name must then equal it.
pub fn resolve_event_hub(
    configured: Option<&str>,
    entity_path: Option<&str>,
) -> Result<String, SinkError> {
    let hub = match (configured, entity_path) {
        (Some(configured), Some(entity)) if configured != entity => {
            return Err(SinkError::InvalidConfig(redact(&format!(
                "event hub {configured:?} differs from the connection string's EntityPath {entity:?}"
            ))));
        }
        (_, Some(entity)) => entity.to_owned(),
        (Some(configured), None) => configured.to_owned(),
        (None, None) => DEFAULT_EVENT_HUB.to_owned(),
    };
    validate_event_hub_name(&hub)?;
    Ok(hub)
}

impl EventHubsConfig {
    /// Checks the numeric limits and names (events.md §9.4).
    pub fn validate(&self) -> Result<(), SinkError> {
        let fail = |m: String| Err(SinkError::InvalidConfig(m));
        if !(1024..=1_048_576).contains(&self.max_batch_bytes) {
            return fail(format!(
                "max_batch_bytes {} must be within 1024..=1048576",
                self.max_batch_bytes
            ));
        }
        if !(1024..=self.max_batch_bytes).contains(&self.max_event_bytes) {
            return fail(format!(
                "max_event_bytes {} must be within 1024..=max_batch_bytes",
                self.max_event_bytes
            ));
        }
        if !(1..=100).contains(&self.retry.max_attempts) {
            return fail("retry.max_attempts must be within 1..=100".into());
        }
        if self.retry.max_backoff < self.retry.initial_backoff {
            return fail("retry.max_backoff must be ≥ retry.initial_backoff".into());
        }
        if !(0.0..1.0).contains(&self.retry.jitter) || self.retry.multiplier < 1.0 {
            return fail("retry.jitter must be in [0, 1) and retry.multiplier ≥ 1".into());
        }
        if self.send_timeout.is_zero() || self.connect_timeout.is_zero() {
            return fail("send and connect timeouts must be positive".into());
        }
        if self.max_buffered_events == 0 {
            return fail("max_buffered_events must be positive".into());
        }
        if let Some(hub) = &self.event_hub {
            validate_event_hub_name(hub)?;
        }
        match &self.auth {
            EventHubsAuth::ConnectionStringEnv(var) if var.is_empty() => {
                fail("connection string environment variable name is empty".into())
            }
            EventHubsAuth::EntraId {
                fully_qualified_namespace,
                ..
            } if !fully_qualified_namespace.contains('.') => fail(redact(&format!(
                "fully_qualified_namespace {fully_qualified_namespace:?} must look like NAME.servicebus.windows.net"
            ))),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "FAKEkey0123456789abcdefFAKE=";

    fn connection_string(entity: Option<&str>) -> String {
        let mut s = format!(
            "Endpoint=sb://demo.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey={KEY}"
        );
        if let Some(e) = entity {
            s.push_str(&format!(";EntityPath={e}"));
        }
        s
    }

    #[test]
    fn backoff_doubles_caps_and_jitters_within_twenty_percent() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(1, 0.0), Duration::from_millis(500));
        assert_eq!(p.backoff(2, 0.0), Duration::from_millis(1000));
        assert_eq!(p.backoff(4, 0.0), Duration::from_millis(4000));
        assert_eq!(p.backoff(7, 0.0), Duration::from_secs(30));
        assert_eq!(p.backoff(60, 0.0), Duration::from_secs(30));
        assert_eq!(p.backoff(1, 1.0), Duration::from_millis(600));
        assert_eq!(p.backoff(1, -1.0), Duration::from_millis(400));
        assert_eq!(p.backoff(1, 7.0), Duration::from_millis(600));
    }

    #[test]
    fn connection_string_parts_are_extracted_without_the_key() {
        let parsed = parse_connection_string(&connection_string(Some("retail-events"))).unwrap();
        assert_eq!(
            parsed.fully_qualified_namespace,
            "demo.servicebus.windows.net"
        );
        assert_eq!(parsed.key_name, "send");
        assert_eq!(parsed.entity_path.as_deref(), Some("retail-events"));
        assert!(!format!("{parsed:?}").contains(KEY));
    }

    #[test]
    fn bad_connection_strings_are_rejected_without_quoting_the_key() {
        for bad in [
            format!("SharedAccessKeyName=send;SharedAccessKey={KEY}"),
            format!("Endpoint=https://x/;SharedAccessKeyName=send;SharedAccessKey={KEY}"),
            format!("Endpoint=sb://x/;SharedAccessKey={KEY}"),
            "Endpoint=sb://x/;SharedAccessKeyName=send".to_string(),
            format!("Endpoint=sb://x/;garbage;SharedAccessKey={KEY}"),
        ] {
            let error = parse_connection_string(&bad).unwrap_err().to_string();
            assert!(!error.contains(KEY), "{error}");
        }
    }

    #[test]
    fn hub_comes_from_entity_path_then_config_then_default() {
        assert_eq!(resolve_event_hub(None, None).unwrap(), "retail-events");
        assert_eq!(resolve_event_hub(Some("h1"), None).unwrap(), "h1");
        assert_eq!(resolve_event_hub(None, Some("h2")).unwrap(), "h2");
        assert_eq!(resolve_event_hub(Some("h2"), Some("h2")).unwrap(), "h2");
        assert!(resolve_event_hub(Some("h1"), Some("h2")).is_err());
        assert!(resolve_event_hub(Some("-bad"), None).is_err());
    }

    #[test]
    fn config_debug_never_shows_a_direct_connection_string() {
        let config = EventHubsConfig {
            auth: EventHubsAuth::ConnectionString(SecretString::new(connection_string(None))),
            ..Default::default()
        };
        let debug = format!("{config:?}");
        assert!(!debug.contains(KEY), "{debug}");
        assert!(debug.contains("<redacted>"), "{debug}");
    }

    #[test]
    fn validation_enforces_the_spec_limits() {
        assert!(EventHubsConfig::default().validate().is_ok());
        let too_big = EventHubsConfig {
            max_batch_bytes: 2_000_000,
            ..Default::default()
        };
        assert!(too_big.validate().is_err());
        let event_over_batch = EventHubsConfig {
            max_batch_bytes: 262_144,
            max_event_bytes: 300_000,
            ..Default::default()
        };
        assert!(event_over_batch.validate().is_err());
        let entra_without_domain = EventHubsConfig {
            auth: EventHubsAuth::EntraId {
                fully_qualified_namespace: "demo".into(),
                credential: EntraCredential::Auto,
            },
            ..Default::default()
        };
        assert!(entra_without_domain.validate().is_err());
    }
}
