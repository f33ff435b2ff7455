//! Event sinks for retail-rti: where encoded events go.
//!
//! Every sink implements one [`Sink`] trait (configure → build → [`Sink::healthcheck`] → run)
//! and counts into the same [`SinkMetrics`] (events.md §9.5). A run is fed through a bounded
//! channel ([`spawn_sink`]), so a slow sink slows the producer down instead of growing memory.
//!
//! Sinks: `null`, `stdout` (JSON lines), `jsonl:PATH[?max_bytes=N]` (rotating files) and
//! `eventhubs` (Azure Event Hubs over AMQP, events.md §5).
//!
//! ```
//! use std::sync::Arc;
//! use retail_streaming::{EncodedEvent, PipelineOptions, SinkConfig, SinkMetrics, spawn_sink};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), retail_streaming::SinkError> {
//! let config: SinkConfig = "null".parse()?;
//! let mut sink = config.build(Arc::new(SinkMetrics::new()))?;
//! sink.healthcheck().await?;
//! let (sender, run) = spawn_sink(sink, PipelineOptions::default());
//! for i in 0..3 {
//!     let body = format!(r#"{{"event_type":"store_opened","n":{i}}}"#);
//!     sender.send(EncodedEvent::new(body, "store_opened", format!("t{i}"), "store-1", 0)).await?;
//! }
//! drop(sender);
//! let summary = run.finish().await?;
//! assert_eq!(summary.events_received, 3);
//! assert_eq!(summary.acknowledged_through, Some(2));
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod config;
mod error;
mod event;
pub mod eventhubs;
mod metrics;
pub mod produce;
mod redact;
mod sink;
mod sinks;

pub use config::SinkConfig;
pub use error::SinkError;
pub use event::{EncodedEvent, SequencedEvent};
pub use metrics::{ErrorStage, MetricsSnapshot, SinkMetrics, render_prometheus};
pub use produce::{
    DayEvent, OrderLifecycle, Pacing, ProduceError, ProduceOptions, ProduceSummary, StopReason,
    carried_over_events, events_of_day, events_of_day_owned, produce,
};
pub use redact::{REDACTED, SecretString, redact};
pub use sink::{
    AckTracker, EventSender, HealthReport, PipelineOptions, RunSummary, Sink, SinkRun, spawn_sink,
};
pub use sinks::{JsonlSink, NullSink, StdoutSink};
