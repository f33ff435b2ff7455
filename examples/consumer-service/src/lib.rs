//! A small service built on retail-rti's public API: it generates one business day of a
//! configuration it builds in code, streams that day's events into its own sink, and keeps a
//! live sales board (receipts and net sales per store) from the events alone, the way a
//! downstream consumer of the `retail-events` hub would.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), consumer_service::ServiceError> {
//! let config = consumer_service::service_config(7)?;
//! let board = consumer_service::run_first_day(config).await?;
//! assert!(board.total_receipts() > 0);
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use retail_config::{Config, ConfigError};
use retail_facts::{FactsContext, FactsError, Generator};
use retail_master::{Dictionaries, MasterData, MasterError};
use retail_streaming::{
    HealthReport, PipelineOptions, ProduceError, ProduceOptions, SequencedEvent, Sink, SinkError,
    SinkMetrics, events_of_day, produce, spawn_sink,
};

/// Everything that can go wrong in the service.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The configuration built in code is invalid.
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    /// Dictionaries or dimension generation failed.
    #[error("master data: {0}")]
    Master(#[from] MasterError),
    /// Fact generation failed.
    #[error("facts: {0}")]
    Facts(#[from] FactsError),
    /// Turning facts into events or feeding the sink failed.
    #[error("events: {0}")]
    Produce(#[from] ProduceError),
    /// The sink failed.
    #[error("sink: {0}")]
    Sink(#[from] SinkError),
}

/// Receipts and net sales of one store, as seen in its `receipt_created` events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreSales {
    /// `receipt_created` events (sales and returns).
    pub receipts: u64,
    /// Sum of `payload.total_cents` (returns are negative).
    pub net_cents: i64,
}

/// Sales per store id, plus the number of events of every type seen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SalesBoard {
    /// Per `payload.store_id`.
    pub stores: BTreeMap<i64, StoreSales>,
    /// Events per `event_type`.
    pub events: BTreeMap<String, u64>,
}

impl SalesBoard {
    /// Receipts over every store.
    pub fn total_receipts(&self) -> u64 {
        self.stores.values().map(|s| s.receipts).sum()
    }

    /// Reads one encoded event (the envelope JSON of events.md).
    fn observe(&mut self, event_type: &str, body: &[u8]) -> Result<(), String> {
        *self.events.entry(event_type.to_owned()).or_default() += 1;
        if event_type != "receipt_created" {
            return Ok(());
        }
        let envelope: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
        let payload = &envelope["payload"];
        let (Some(store_id), Some(total_cents)) = (
            payload["store_id"].as_i64(),
            payload["total_cents"].as_i64(),
        ) else {
            return Err(format!(
                "receipt_created without store_id/total_cents: {payload}"
            ));
        };
        let store = self.stores.entry(store_id).or_default();
        store.receipts += 1;
        store.net_cents += total_cents;
        Ok(())
    }
}

/// The service's sink: updates a shared [`SalesBoard`] and acknowledges at once.
pub struct SalesBoardSink {
    board: Arc<Mutex<SalesBoard>>,
    metrics: Arc<SinkMetrics>,
    acknowledged: Option<u64>,
}

impl SalesBoardSink {
    /// A sink updating `board`.
    pub fn new(board: Arc<Mutex<SalesBoard>>) -> Self {
        Self {
            board,
            metrics: Arc::new(SinkMetrics::new()),
            acknowledged: None,
        }
    }
}

#[async_trait]
impl Sink for SalesBoardSink {
    fn name(&self) -> &'static str {
        "sales-board"
    }

    fn metrics(&self) -> Arc<SinkMetrics> {
        Arc::clone(&self.metrics)
    }

    async fn healthcheck(&mut self) -> Result<HealthReport, SinkError> {
        Ok(HealthReport {
            sink: "sales-board",
            destination: "the in-memory sales board".into(),
            partition_ids: Vec::new(),
        })
    }

    async fn submit(&mut self, event: SequencedEvent) -> Result<(), SinkError> {
        let e = &event.event;
        self.board
            .lock()
            .map_err(|_| SinkError::Stopped("the sales board lock was poisoned".into()))?
            .observe(&e.event_type, &e.body)
            .map_err(|why| SinkError::Stopped(format!("event {}: {why}", e.trace_id)))?;
        self.metrics
            .record_sent([(e.event_type.as_str(), e.body.len(), e.event_ts_micros)]);
        self.acknowledged = Some(event.index);
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    async fn close(self: Box<Self>) -> Result<(), SinkError> {
        Ok(())
    }

    fn acknowledged_through(&self) -> Option<u64> {
        self.acknowledged
    }
}

/// The service's configuration, built in code: the `small` profile (4 stores, 2 DCs) with
/// this service's seed and a two-day window starting on Black Friday 2024.
pub fn service_config(seed: u64) -> Result<Config, ConfigError> {
    Config::from_json_str(&format!(
        r#"{{
            "profile": "small",
            "seed": {seed},
            "dates": {{ "start_date": "2024-11-29", "end_date": "2024-11-30" }}
        }}"#
    ))
}

/// Generates the first day of `config` and streams its events into a [`SalesBoardSink`].
pub async fn run_first_day(config: Config) -> Result<SalesBoard, ServiceError> {
    let seed = config.seed;
    let master = Arc::new(MasterData::generate(&config, &Dictionaries::bundled()?)?);
    let generator = Generator::new(FactsContext::new(Arc::clone(&master), Arc::new(config)))?;
    let mut state = generator.initial_state()?;
    let batch = generator.run_day(&mut state, generator.context().dataset_start)?;
    let events = events_of_day(&batch, &master)?;

    let board = Arc::new(Mutex::new(SalesBoard::default()));
    let mut sink = SalesBoardSink::new(Arc::clone(&board));
    sink.healthcheck().await?;
    let (sender, run) = spawn_sink(Box::new(sink), PipelineOptions::default());
    let (days, day_source) = tokio::sync::mpsc::channel(1);
    days.send(events)
        .await
        .map_err(|_| SinkError::Stopped("the producer stopped early".into()))?;
    drop(days);
    let options = ProduceOptions {
        file_timestamps: true,
        ..ProduceOptions::new(seed)
    };
    produce(day_source, &sender, &options).await?;
    drop(sender);
    run.finish().await?;
    let board = board
        .lock()
        .map_err(|_| SinkError::Stopped("the sales board lock was poisoned".into()))?
        .clone();
    Ok(board)
}
