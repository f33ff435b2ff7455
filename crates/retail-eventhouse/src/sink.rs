//! The `duckdb` sink: micro-batches of events into the local [`Eventhouse`].

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use retail_streaming::{
    AckTracker, EncodedEvent, ErrorStage, HealthReport, SequencedEvent, Sink, SinkConfig,
    SinkError, SinkMetrics,
};

use crate::eventhouse::{BatchOutcome, Eventhouse, EventhouseOptions, snapshot_path_for};

/// File name of the database inside the data directory (as retail-store's).
pub const DATABASE_FILE: &str = "retail.duckdb";

/// Options of a [`DuckdbSink`].
#[derive(Clone, Debug)]
pub struct DuckdbSinkOptions {
    /// The database file.
    pub path: PathBuf,
    /// Options of the eventhouse behind the sink.
    pub eventhouse: EventhouseOptions,
    /// A micro-batch is committed when it holds this many events…
    pub max_batch_events: usize,
    /// …or when its oldest event has waited this long.
    pub max_batch_delay: Duration,
}

impl DuckdbSinkOptions {
    /// Defaults for `path`: batches of up to 20,000 events or 100 ms, alerts printed on
    /// standard error, KPI snapshot written beside the database.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        Self {
            eventhouse: EventhouseOptions {
                print_alerts: true,
                snapshot_path: Some(snapshot_path_for(&path)),
                ..EventhouseOptions::default()
            },
            path,
            max_batch_events: 20_000,
            max_batch_delay: Duration::from_millis(100),
        }
    }
}

/// Called after every committed micro-batch with its events and what the batch did.
pub type BatchObserver = Box<dyn FnMut(&[SequencedEvent], &BatchOutcome) + Send>;

/// Writes events into typed DuckDB tables and keeps the KPI views and alerts up to date, one
/// transaction per micro-batch. Events count as acknowledged once their batch is committed.
pub struct DuckdbSink {
    options: DuckdbSinkOptions,
    house: Option<Eventhouse>,
    buffer: Vec<SequencedEvent>,
    oldest: Option<Instant>,
    metrics: Arc<SinkMetrics>,
    acks: AckTracker,
    observer: Option<BatchObserver>,
}

impl std::fmt::Debug for DuckdbSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DuckdbSink")
            .field("path", &self.options.path)
            .field("buffered", &self.buffer.len())
            .finish()
    }
}

fn sink_error(e: crate::EventhouseError) -> SinkError {
    SinkError::Delivery {
        destination: "duckdb".into(),
        kind: "duckdb".into(),
        message: e.to_string(),
    }
}

impl DuckdbSink {
    /// A sink writing to `options.path` (opened by `healthcheck` or the first batch).
    pub fn new(options: DuckdbSinkOptions, metrics: Arc<SinkMetrics>) -> Self {
        Self {
            options,
            house: None,
            buffer: Vec::new(),
            oldest: None,
            metrics,
            acks: AckTracker::new(),
            observer: None,
        }
    }

    /// Calls `observer` after every committed micro-batch (latency measurement).
    pub fn with_batch_observer(mut self, observer: BatchObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.options.path
    }

    fn house(&mut self) -> Result<&mut Eventhouse, SinkError> {
        if self.house.is_none() {
            let path = &self.options.path;
            if let Some(reason) = unusable_database_path(path) {
                return Err(SinkError::InvalidConfig(format!(
                    "{} cannot hold a DuckDB database: {reason}",
                    path.display()
                )));
            }
            let house = Eventhouse::open(path, self.options.eventhouse.clone()).map_err(|e| {
                if e.is_lock_conflict() {
                    // Another process kept the file for the whole retry window.
                    SinkError::Connect {
                        destination: path.display().to_string(),
                        attempts: retail_store::LockRetry::DEFAULT.attempts,
                        message: e.to_string(),
                    }
                } else {
                    SinkError::InvalidConfig(format!(
                        "{} cannot be opened as a DuckDB database: {e}",
                        path.display()
                    ))
                }
            })?;
            self.house = Some(house);
        }
        self.house
            .as_mut()
            .ok_or_else(|| SinkError::Stopped("the eventhouse is not open".into()))
    }

    fn batch_due(&self) -> bool {
        self.buffer.len() >= self.options.max_batch_events.max(1)
            || self
                .oldest
                .is_some_and(|t| t.elapsed() >= self.options.max_batch_delay)
    }

    /// Commits the buffered events as one micro-batch.
    fn commit_buffer(&mut self) -> Result<(), SinkError> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.buffer);
        self.oldest = None;
        let events: Vec<EncodedEvent> = batch.iter().map(|e| e.event.clone()).collect();
        let outcome = match self.house()?.ingest_encoded(&events) {
            Ok(outcome) => outcome,
            Err(e) => {
                self.metrics.record_error(ErrorStage::Sending, "duckdb");
                return Err(sink_error(e));
            }
        };
        if outcome.rejected > 0 {
            self.metrics
                .record_error(ErrorStage::Sending, "undecodable_event");
        }
        self.metrics.record_sent(batch.iter().map(|e| {
            (
                e.event.event_type.as_str(),
                e.event.body.len(),
                e.event.event_ts_micros,
            )
        }));
        for e in &batch {
            self.acks.resolve(e.index);
        }
        if let Some(observer) = self.observer.as_mut() {
            observer(&batch, &outcome);
        }
        Ok(())
    }
}

/// Why `path` can be neither opened nor created as a database file, when that is visible
/// before DuckDB tries: it is a directory, or an ancestor is not one.
fn unusable_database_path(path: &Path) -> Option<String> {
    if path.is_dir() {
        return Some("it is a directory".into());
    }
    let existing = path.ancestors().skip(1).find(|a| a.exists())?;
    (!existing.is_dir()).then(|| format!("{} is not a directory", existing.display()))
}

#[async_trait]
impl Sink for DuckdbSink {
    fn name(&self) -> &'static str {
        "duckdb"
    }

    fn metrics(&self) -> Arc<SinkMetrics> {
        Arc::clone(&self.metrics)
    }

    async fn healthcheck(&mut self) -> Result<HealthReport, SinkError> {
        self.house()?;
        Ok(HealthReport {
            sink: "duckdb",
            destination: self.options.path.display().to_string(),
            partition_ids: Vec::new(),
        })
    }

    // DuckDB calls are synchronous and short (one micro-batch); they run on the sink's task.
    async fn submit(&mut self, event: SequencedEvent) -> Result<(), SinkError> {
        self.acks.observe(event.index);
        if self.oldest.is_none() {
            self.oldest = Some(Instant::now());
        }
        self.buffer.push(event);
        if self.batch_due() {
            self.commit_buffer()?;
        }
        Ok(())
    }

    async fn idle(&mut self) -> Result<(), SinkError> {
        if self.batch_due() {
            self.commit_buffer()?;
        }
        if let Some(house) = self.house.as_mut() {
            house.write_snapshot_if_stale().map_err(sink_error)?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        self.commit_buffer()?;
        if let Some(house) = self.house.as_mut() {
            house.maybe_write_snapshot(true).map_err(sink_error)?;
        }
        Ok(())
    }

    async fn close(mut self: Box<Self>) -> Result<(), SinkError> {
        self.flush().await?;
        self.house = None;
        Ok(())
    }

    fn acknowledged_through(&self) -> Option<u64> {
        self.acks.acknowledged_through()
    }
}

/// Builds the sink of `config`: the `duckdb` sink here (its database defaults to
/// `DATA_DIR/retail.duckdb`), every other sink through [`SinkConfig::build`].
pub fn build_sink(
    config: &SinkConfig,
    data_dir: &Path,
    metrics: Arc<SinkMetrics>,
) -> Result<Box<dyn Sink>, SinkError> {
    match config {
        SinkConfig::Duckdb { path } => {
            let path = path.clone().unwrap_or_else(|| data_dir.join(DATABASE_FILE));
            Ok(Box::new(DuckdbSink::new(
                DuckdbSinkOptions::new(path),
                metrics,
            )))
        }
        other => other.build(metrics),
    }
}
