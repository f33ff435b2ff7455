//! The Event Hubs sink: per-partition-key batches, retries, breaker, dead letters, checkpoints.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use azure_messaging_eventhubs::models::EventData;
use azure_messaging_eventhubs::{EventDataBatchOptions, ProducerClient, RetryOptions};
use rand::{Rng, SeedableRng, rngs::SmallRng};
use tokio::sync::{RwLock, mpsc};
use tokio::task::JoinSet;

use super::breaker::CircuitBreaker;
use super::config::{
    EventHubsAuth, EventHubsConfig, OnRetriesExhausted, parse_connection_string, resolve_event_hub,
};
use super::credential::entra_credential;
use super::dead_letter::DeadLetterFile;
use crate::error::SinkError;
use crate::event::SequencedEvent;
use crate::metrics::{ErrorStage, SinkMetrics};
use crate::redact::{SecretString, redact};
use crate::sink::{AckTracker, HealthReport, Sink};

/// Where and how to connect, resolved from the configuration (secrets stay wrapped).
#[derive(Clone, Debug)]
struct Target {
    namespace: String,
    hub: String,
    connection_string: Option<SecretString>,
    entra: Option<super::config::EntraCredential>,
}

impl Target {
    fn resolve(config: &EventHubsConfig) -> Result<Self, SinkError> {
        match &config.auth {
            EventHubsAuth::ConnectionStringEnv(var) => {
                let value = std::env::var(var).map_err(|_| {
                    SinkError::InvalidConfig(format!(
                        "environment variable {var} with the Event Hubs connection string is not set"
                    ))
                })?;
                Self::from_connection_string(config, SecretString::new(value))
            }
            EventHubsAuth::ConnectionString(secret) => {
                Self::from_connection_string(config, secret.clone())
            }
            EventHubsAuth::EntraId {
                fully_qualified_namespace,
                credential,
            } => Ok(Self {
                namespace: fully_qualified_namespace.clone(),
                hub: resolve_event_hub(config.event_hub.as_deref(), None)?,
                connection_string: None,
                entra: Some(*credential),
            }),
        }
    }

    fn from_connection_string(
        config: &EventHubsConfig,
        secret: SecretString,
    ) -> Result<Self, SinkError> {
        let parsed = parse_connection_string(secret.expose())?;
        Ok(Self {
            namespace: parsed.fully_qualified_namespace,
            hub: resolve_event_hub(config.event_hub.as_deref(), parsed.entity_path.as_deref())?,
            connection_string: Some(secret),
            entra: None,
        })
    }

    fn destination(&self) -> String {
        format!("{}/{}", self.namespace, self.hub)
    }
}

/// A failed attempt, classified.
#[derive(Clone, Debug)]
struct AttemptError {
    kind: &'static str,
    transient: bool,
    /// Whether the client should be reopened before the next attempt.
    reconnect: bool,
    message: String,
}

impl AttemptError {
    fn timeout(what: &str, after: Duration) -> Self {
        Self {
            kind: "timeout",
            transient: true,
            reconnect: true,
            message: format!("{what} did not finish within {} ms", after.as_millis()),
        }
    }

    fn from_sdk(what: &str, error: &azure_messaging_eventhubs::EventHubsError) -> Self {
        let message = redact(&format!("{what}: {error}"));
        let mut text = format!("{error:?} {error}");
        let mut source = std::error::Error::source(error);
        for _ in 0..16 {
            let Some(cause) = source else { break };
            text.push_str(&format!(" {cause:?} {cause}"));
            source = cause.source();
        }
        let squashed: String = text
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        // Permanent conditions first: a description may mention throttling or busy-ness.
        let (kind, transient, reconnect) = if squashed.contains("unauthorized") {
            ("unauthorized", false, false)
        } else if squashed.contains("notfound") || squashed.contains("couldnotbefound") {
            ("not_found", false, false)
        } else if squashed.contains("messagesizeexceeded") || squashed.contains("invalidbatchsize")
        {
            ("oversize", false, false)
        } else if squashed.contains("serverbusy") {
            ("server_busy", true, false)
        } else if squashed.contains("resourcelimitexceeded") || squashed.contains("throttl") {
            ("throttled", true, false)
        } else {
            ("connection", true, true)
        };
        Self {
            kind,
            transient,
            reconnect,
            message,
        }
    }
}

/// The producer client, opened lazily and reopened after connection-level failures.
struct Connection {
    config: EventHubsConfig,
    target: Target,
    current: RwLock<Option<(u64, Arc<ProducerClient>)>>,
    generation: std::sync::atomic::AtomicU64,
}

impl Connection {
    async fn producer(&self) -> Result<(u64, Arc<ProducerClient>), AttemptError> {
        if let Some((generation, producer)) = self.current.read().await.as_ref() {
            return Ok((*generation, Arc::clone(producer)));
        }
        let mut slot = self.current.write().await;
        if let Some((generation, producer)) = slot.as_ref() {
            return Ok((*generation, Arc::clone(producer)));
        }
        let producer = match tokio::time::timeout(self.config.connect_timeout, self.open()).await {
            Ok(Ok(producer)) => Arc::new(producer),
            Ok(Err(error)) => return Err(AttemptError::from_sdk("connecting", &error)),
            Err(_) => {
                return Err(AttemptError::timeout(
                    "connecting",
                    self.config.connect_timeout,
                ));
            }
        };
        let generation = self
            .generation
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        tracing::info!(destination = %self.target.destination(), generation, "Event Hubs producer connected");
        *slot = Some((generation, Arc::clone(&producer)));
        Ok((generation, producer))
    }

    async fn open(&self) -> azure_messaging_eventhubs::Result<ProducerClient> {
        // The SDK retries inside each call as well; keep its loop short so that the sink's
        // own policy (events.md §5.4) governs backoff and the overall bound.
        let sdk_retry = RetryOptions {
            initial_delay: azure_core::time::Duration::milliseconds(100),
            max_delay: azure_core::time::Duration::seconds(1),
            max_total_elapsed: azure_core::time::Duration::milliseconds(
                self.config.send_timeout.as_millis().min(i64::MAX as u128) as i64,
            ),
            max_retries: 2,
        };
        let mut builder = ProducerClient::builder()
            .with_application_id(self.config.application_id.clone())
            .with_retry_options(sdk_retry);
        if let Some(endpoint) = &self.config.custom_endpoint {
            builder = builder.with_custom_endpoint(endpoint.clone());
        }
        match (&self.target.connection_string, self.target.entra) {
            (Some(secret), _) => {
                builder
                    .open_with_connection_string(secret.expose(), Some(&self.target.hub))
                    .await
            }
            (None, Some(kind)) => {
                let credential = entra_credential(kind).map_err(|e| {
                    azure_messaging_eventhubs::EventHubsError::from(
                        azure_core::Error::with_message(
                            azure_core::error::ErrorKind::Credential,
                            e.to_string(),
                        ),
                    )
                })?;
                builder
                    .open(&self.target.namespace, &self.target.hub, credential)
                    .await
            }
            (None, None) => Err(azure_core::Error::with_message(
                azure_core::error::ErrorKind::Other,
                "no authentication configured",
            )
            .into()),
        }
    }

    /// Forgets the client of `generation` (if still current) and closes it once unused.
    async fn invalidate(&self, generation: u64) {
        let mut slot = self.current.write().await;
        if slot.as_ref().is_some_and(|(g, _)| *g == generation) {
            if let Some((_, producer)) = slot.take() {
                tokio::spawn(close_when_unused(producer, Duration::from_secs(10)));
            }
        }
    }

    async fn close(&self) {
        let taken = self.current.write().await.take();
        if let Some((_, producer)) = taken {
            close_when_unused(producer, Duration::from_secs(10)).await;
        }
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("target", &self.target)
            .field("custom_endpoint", &self.config.custom_endpoint)
            .finish_non_exhaustive()
    }
}

async fn close_when_unused(mut producer: Arc<ProducerClient>, patience: Duration) {
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        match Arc::try_unwrap(producer) {
            Ok(client) => {
                if let Ok(Err(error)) =
                    tokio::time::timeout(Duration::from_secs(5), client.close()).await
                {
                    tracing::debug!(error = %redact(&error.to_string()), "closing the Event Hubs producer failed");
                }
                return;
            }
            Err(shared) if tokio::time::Instant::now() < deadline => {
                producer = shared;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(_) => return,
        }
    }
}

/// Everything a key's sender task needs.
#[derive(Debug)]
struct Shared {
    config: EventHubsConfig,
    connection: Connection,
    breaker: CircuitBreaker,
    dead_letter: DeadLetterFile,
    metrics: Arc<SinkMetrics>,
    jitter: Mutex<SmallRng>,
}

impl Shared {
    fn backoff(&self, retry: u32) -> Duration {
        let unit = self
            .jitter
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .random_range(-1.0..=1.0);
        self.config.retry.backoff(retry, unit)
    }
}

enum Outcome {
    Acknowledged(Vec<SequencedEvent>),
    DeadLettered(Vec<SequencedEvent>),
    KeyDone {
        key: String,
        error: Option<SinkError>,
    },
}

#[derive(Debug, Default)]
struct KeyQueue {
    events: VecDeque<SequencedEvent>,
    bytes: usize,
    in_flight: bool,
}

/// Sends events to Azure Event Hubs (events.md §5): batches per partition key filled up to
/// `max_batch_bytes` through the SDK's batch API, at most one batch in flight per key, retries
/// with exponential backoff and jitter, a circuit breaker, and a durable dead-letter file for
/// permanent failures. [`Sink::acknowledged_through`] is the checkpoint.
#[derive(Debug)]
pub struct EventHubsSink {
    shared: Arc<Shared>,
    keys: BTreeMap<String, KeyQueue>,
    buffered: usize,
    outcomes_tx: mpsc::UnboundedSender<Outcome>,
    outcomes: mpsc::UnboundedReceiver<Outcome>,
    tasks: JoinSet<()>,
    acks: AckTracker,
    fatal: Option<SinkError>,
}

impl EventHubsSink {
    /// Builds the sink: validates the configuration and resolves the connection string (from
    /// its environment variable) and hub. Nothing is connected until the first send or
    /// [`Sink::healthcheck`].
    pub fn new(config: EventHubsConfig, metrics: Arc<SinkMetrics>) -> Result<Self, SinkError> {
        config.validate()?;
        let target = Target::resolve(&config)?;
        let (outcomes_tx, outcomes) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            breaker: CircuitBreaker::new(config.circuit_breaker.clone()),
            dead_letter: DeadLetterFile::new(config.dead_letter_path.clone()),
            connection: Connection {
                config: config.clone(),
                target,
                current: RwLock::new(None),
                generation: Default::default(),
            },
            config,
            metrics,
            // Jitter must not come from an output stream: seed from the OS.
            jitter: Mutex::new(SmallRng::from_os_rng()),
        });
        Ok(Self {
            shared,
            keys: BTreeMap::new(),
            buffered: 0,
            outcomes_tx,
            outcomes,
            tasks: JoinSet::new(),
            acks: AckTracker::new(),
            fatal: None,
        })
    }

    /// `namespace/hub` the sink sends to.
    pub fn destination(&self) -> String {
        self.shared.connection.target.destination()
    }

    /// Connects (retrying per the retry policy) and returns the hub's partition ids.
    pub async fn check(&self) -> Result<Vec<String>, SinkError> {
        let shared = &self.shared;
        let policy = &shared.config.retry;
        let mut attempt = 1;
        loop {
            let result = async {
                let (generation, producer) = shared.connection.producer().await?;
                let properties = tokio::time::timeout(
                    shared.config.send_timeout,
                    producer.get_eventhub_properties(),
                )
                .await;
                match properties {
                    Ok(Ok(properties)) => Ok(properties.partition_ids),
                    Ok(Err(error)) => {
                        let error = AttemptError::from_sdk("reading the hub's properties", &error);
                        if error.reconnect {
                            shared.connection.invalidate(generation).await;
                        }
                        Err(error)
                    }
                    Err(_) => {
                        shared.connection.invalidate(generation).await;
                        Err(AttemptError::timeout(
                            "reading the hub's properties",
                            shared.config.send_timeout,
                        ))
                    }
                }
            }
            .await;
            match result {
                Ok(ids) => return Ok(ids),
                Err(error) => {
                    shared.metrics.record_error(ErrorStage::Sending, error.kind);
                    if !error.transient || attempt >= policy.max_attempts {
                        return Err(SinkError::Connect {
                            destination: self.destination(),
                            attempts: attempt,
                            message: error.message,
                        });
                    }
                    tracing::warn!(attempt, kind = error.kind, error = %error.message, "Event Hubs connection attempt failed; retrying");
                    shared.metrics.record_retry();
                    tokio::time::sleep(shared.backoff(attempt)).await;
                    attempt += 1;
                }
            }
        }
    }

    fn apply(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Acknowledged(events) => {
                self.shared.metrics.record_sent(events.iter().map(|e| {
                    (
                        e.event.event_type.as_str(),
                        e.event.body.len(),
                        e.event.event_ts_micros,
                    )
                }));
                self.resolve(&events);
            }
            Outcome::DeadLettered(events) => {
                self.shared
                    .metrics
                    .record_dead_lettered(events.len() as u64);
                self.resolve(&events);
            }
            Outcome::KeyDone { key, error } => {
                if let Some(queue) = self.keys.get_mut(&key) {
                    queue.in_flight = false;
                }
                if let Some(error) = error {
                    self.fatal.get_or_insert(error);
                }
            }
        }
    }

    fn resolve(&mut self, events: &[SequencedEvent]) {
        self.buffered = self.buffered.saturating_sub(events.len());
        for event in events {
            self.acks.resolve(event.index);
        }
    }

    fn drain_outcomes(&mut self) {
        while let Ok(outcome) = self.outcomes.try_recv() {
            self.apply(outcome);
        }
        while let Some(joined) = self.tasks.try_join_next() {
            if let Err(error) = joined {
                self.fatal
                    .get_or_insert(SinkError::Stopped(format!("a sender task failed: {error}")));
            }
        }
    }

    async fn wait_for_progress(&mut self) {
        tokio::select! {
            outcome = self.outcomes.recv() => {
                if let Some(outcome) = outcome {
                    self.apply(outcome);
                }
            }
            Some(joined) = self.tasks.join_next(), if !self.tasks.is_empty() => {
                if let Err(error) = joined {
                    self.fatal.get_or_insert(SinkError::Stopped(format!("a sender task failed: {error}")));
                }
            }
        }
        self.drain_outcomes();
    }

    /// Starts a sender for every idle key whose queue holds a full batch (or anything, when
    /// `partial` is set).
    fn start_ready(&mut self, partial: bool) {
        if self.fatal.is_some() {
            return;
        }
        let threshold = self.shared.config.max_batch_bytes as usize;
        let ready: Vec<String> = self
            .keys
            .iter()
            .filter(|(_, q)| {
                !q.in_flight && !q.events.is_empty() && (partial || q.bytes >= threshold)
            })
            .map(|(k, _)| k.clone())
            .collect();
        for key in ready {
            let Some(queue) = self.keys.get_mut(&key) else {
                continue;
            };
            queue.in_flight = true;
            queue.bytes = 0;
            let events: Vec<SequencedEvent> = queue.events.drain(..).collect();
            let shared = Arc::clone(&self.shared);
            let outcomes = self.outcomes_tx.clone();
            self.tasks.spawn(send_key(shared, key, events, outcomes));
        }
    }

    fn check_fatal(&self) -> Result<(), SinkError> {
        match &self.fatal {
            Some(SinkError::Delivery {
                destination,
                kind,
                message,
            }) => Err(SinkError::Delivery {
                destination: destination.clone(),
                kind: kind.clone(),
                message: message.clone(),
            }),
            Some(other) => Err(SinkError::Stopped(other.to_string())),
            None => Ok(()),
        }
    }

    fn in_flight(&self) -> bool {
        self.keys.values().any(|q| q.in_flight)
    }
}

#[async_trait]
impl Sink for EventHubsSink {
    fn name(&self) -> &'static str {
        "eventhubs"
    }

    fn metrics(&self) -> Arc<SinkMetrics> {
        Arc::clone(&self.shared.metrics)
    }

    async fn healthcheck(&mut self) -> Result<HealthReport, SinkError> {
        let partition_ids = self.check().await?;
        Ok(HealthReport {
            sink: "eventhubs",
            destination: self.destination(),
            partition_ids,
        })
    }

    async fn submit(&mut self, event: SequencedEvent) -> Result<(), SinkError> {
        self.drain_outcomes();
        self.check_fatal()?;
        self.acks.observe(event.index);
        self.buffered += 1;
        let size = event.event.body.len();
        if size as u64 > self.shared.config.max_event_bytes {
            let message = format!(
                "event of {size} bytes exceeds max_event_bytes {}",
                self.shared.config.max_event_bytes
            );
            self.shared
                .metrics
                .record_error(ErrorStage::Sending, "oversize");
            let events = vec![event];
            self.shared
                .dead_letter
                .write(&events, "oversize", &message)
                .await?;
            self.apply(Outcome::DeadLettered(events));
            return Ok(());
        }
        let queue = self
            .keys
            .entry(event.event.partition_key.clone())
            .or_default();
        queue.bytes += size;
        queue.events.push_back(event);
        self.start_ready(false);
        while self.buffered >= self.shared.config.max_buffered_events {
            if !self.in_flight() {
                self.start_ready(true);
            }
            self.wait_for_progress().await;
            self.check_fatal()?;
        }
        Ok(())
    }

    async fn idle(&mut self) -> Result<(), SinkError> {
        self.drain_outcomes();
        self.check_fatal()?;
        self.start_ready(true);
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        loop {
            self.drain_outcomes();
            self.check_fatal()?;
            self.start_ready(true);
            if !self.in_flight() && self.keys.values().all(|q| q.events.is_empty()) {
                return Ok(());
            }
            self.wait_for_progress().await;
        }
    }

    async fn close(mut self: Box<Self>) -> Result<(), SinkError> {
        let flushed = if self.fatal.is_none() {
            self.flush().await
        } else {
            self.check_fatal()
        };
        // Let running senders finish their current attempt before the client goes away.
        while self.tasks.join_next().await.is_some() {}
        self.drain_outcomes();
        self.shared.connection.close().await;
        flushed
    }

    fn acknowledged_through(&self) -> Option<u64> {
        self.acks.acknowledged_through()
    }
}

/// What became of a slice of events in one attempt.
enum Attempt {
    /// The first `n` events were acknowledged.
    Sent(usize),
    /// The first event cannot be sent at all (too large for an empty batch).
    Unsendable(String),
}

fn event_data(event: &SequencedEvent) -> EventData {
    let e = &event.event;
    EventData::builder()
        .with_body(e.body.to_vec())
        .with_content_type("application/json".to_string())
        .with_message_id(e.trace_id.clone())
        .add_property("Table".to_string(), e.event_type.clone())
        .add_property("Format".to_string(), "json".to_string())
        .add_property(
            "IngestionMappingReference".to_string(),
            format!("{}_mapping", e.event_type),
        )
        .add_property("event_type".to_string(), e.event_type.clone())
        .add_property("schema_version".to_string(), "1.0".to_string())
        .build()
}

async fn attempt(
    shared: &Shared,
    key: &str,
    events: &[SequencedEvent],
) -> Result<Attempt, AttemptError> {
    let (generation, producer) = shared.connection.producer().await?;
    let timeout = shared.config.send_timeout;
    let result = async {
        let options = |max: Option<u64>| EventDataBatchOptions {
            partition_key: Some(key.to_owned()),
            max_size_in_bytes: max,
            ..Default::default()
        };
        let batch = match tokio::time::timeout(
            timeout,
            producer.create_batch(Some(options(Some(shared.config.max_batch_bytes)))),
        )
        .await
        {
            Ok(Ok(batch)) => batch,
            // A Basic-tier link allows less than the configured size: use the link's limit.
            Ok(Err(error))
                if matches!(
                    error.kind,
                    azure_messaging_eventhubs::error::ErrorKind::InvalidBatchSize { .. }
                ) =>
            {
                match tokio::time::timeout(timeout, producer.create_batch(Some(options(None))))
                    .await
                {
                    Ok(Ok(batch)) => batch,
                    Ok(Err(error)) => {
                        return Err(AttemptError::from_sdk("creating a batch", &error));
                    }
                    Err(_) => return Err(AttemptError::timeout("creating a batch", timeout)),
                }
            }
            Ok(Err(error)) => return Err(AttemptError::from_sdk("creating a batch", &error)),
            Err(_) => return Err(AttemptError::timeout("creating a batch", timeout)),
        };
        let mut added = 0;
        for event in events {
            // The SDK takes the event by value: build a fresh one so the original stays
            // available for the next batch or a retry.
            match batch.try_add_event_data(event_data(event), None) {
                Ok(true) => added += 1,
                Ok(false) => break,
                Err(error) => {
                    if added == 0 {
                        return Ok(Attempt::Unsendable(redact(&error.to_string())));
                    }
                    break;
                }
            }
        }
        if added == 0 {
            return Ok(Attempt::Unsendable(format!(
                "event of {} bytes does not fit into an empty batch",
                events.first().map_or(0, |e| e.event.body.len())
            )));
        }
        match tokio::time::timeout(timeout, producer.send_batch(batch, None)).await {
            Ok(Ok(())) => Ok(Attempt::Sent(added)),
            Ok(Err(error)) => Err(AttemptError::from_sdk("sending a batch", &error)),
            Err(_) => Err(AttemptError::timeout("sending a batch", timeout)),
        }
    }
    .await;
    if let Err(error) = &result {
        if error.reconnect {
            drop(producer);
            shared.connection.invalidate(generation).await;
        }
    }
    result
}

/// Sends `events` (all of one partition key, in order) as consecutive batches, one at a time.
async fn send_key(
    shared: Arc<Shared>,
    key: String,
    events: Vec<SequencedEvent>,
    outcomes: mpsc::UnboundedSender<Outcome>,
) {
    let mut rest: &[SequencedEvent] = &events;
    let mut failure = None;
    'batches: while !rest.is_empty() {
        let mut tries = 1u32;
        loop {
            shared.breaker.before_attempt().await;
            match attempt(&shared, &key, rest).await {
                Ok(Attempt::Sent(n)) => {
                    shared.breaker.on_success();
                    let _ = outcomes.send(Outcome::Acknowledged(rest[..n].to_vec()));
                    rest = &rest[n..];
                    continue 'batches;
                }
                Ok(Attempt::Unsendable(message)) => {
                    shared.metrics.record_error(ErrorStage::Sending, "oversize");
                    let doomed = rest[..1].to_vec();
                    if let Err(error) = shared
                        .dead_letter
                        .write(&doomed, "oversize", &message)
                        .await
                    {
                        failure = Some(error);
                        break 'batches;
                    }
                    let _ = outcomes.send(Outcome::DeadLettered(doomed));
                    rest = &rest[1..];
                    continue 'batches;
                }
                Err(error) => {
                    shared.breaker.on_failure();
                    shared.metrics.record_error(ErrorStage::Sending, error.kind);
                    let exhausted = tries >= shared.config.retry.max_attempts;
                    if error.transient && !exhausted {
                        let wait = shared.backoff(tries);
                        tracing::warn!(
                            partition_key = %key,
                            attempt = tries,
                            kind = error.kind,
                            error = %error.message,
                            backoff_ms = wait.as_millis() as u64,
                            "Event Hubs send failed; retrying"
                        );
                        shared.metrics.record_retry();
                        tokio::time::sleep(wait).await;
                        tries += 1;
                        continue;
                    }
                    let dead_letter = (!error.transient && error.kind == "oversize")
                        || (error.transient
                            && shared.config.on_retries_exhausted
                                == OnRetriesExhausted::DeadLetter);
                    if dead_letter {
                        // Dead-letter what this attempt covered: the rest of the key's events
                        // up to one batch's worth is unknown here, so take them all; order is
                        // kept in the file.
                        let doomed = rest.to_vec();
                        if let Err(e) = shared
                            .dead_letter
                            .write(&doomed, error.kind, &error.message)
                            .await
                        {
                            failure = Some(e);
                        } else {
                            let _ = outcomes.send(Outcome::DeadLettered(doomed));
                        }
                        break 'batches;
                    }
                    tracing::error!(partition_key = %key, kind = error.kind, error = %error.message, attempts = tries, "Event Hubs delivery failed; stopping");
                    failure = Some(SinkError::Delivery {
                        destination: shared.connection.target.destination(),
                        kind: error.kind.to_owned(),
                        message: format!("{} (after {tries} attempt(s))", error.message),
                    });
                    break 'batches;
                }
            }
        }
    }
    let _ = outcomes.send(Outcome::KeyDone {
        key,
        error: failure,
    });
}
