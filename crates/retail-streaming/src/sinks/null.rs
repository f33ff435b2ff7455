use std::sync::Arc;

use async_trait::async_trait;

use crate::error::SinkError;
use crate::event::SequencedEvent;
use crate::metrics::SinkMetrics;
use crate::sink::{AckTracker, HealthReport, Sink};

/// Accepts and acknowledges every event at once, writing nothing: for measuring the producer
/// and for dry runs.
#[derive(Debug)]
pub struct NullSink {
    metrics: Arc<SinkMetrics>,
    acks: AckTracker,
}

impl NullSink {
    /// A null sink counting into `metrics`.
    pub fn new(metrics: Arc<SinkMetrics>) -> Self {
        Self {
            metrics,
            acks: AckTracker::new(),
        }
    }
}

#[async_trait]
impl Sink for NullSink {
    fn name(&self) -> &'static str {
        "null"
    }

    fn metrics(&self) -> Arc<SinkMetrics> {
        Arc::clone(&self.metrics)
    }

    async fn healthcheck(&mut self) -> Result<HealthReport, SinkError> {
        Ok(HealthReport {
            sink: "null",
            destination: "nowhere".into(),
            partition_ids: Vec::new(),
        })
    }

    async fn submit(&mut self, event: SequencedEvent) -> Result<(), SinkError> {
        let e = &event.event;
        self.metrics
            .record_sent([(e.event_type.as_str(), e.body.len(), e.event_ts_micros)]);
        self.acks.resolve(event.index);
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    async fn close(self: Box<Self>) -> Result<(), SinkError> {
        Ok(())
    }

    fn acknowledged_through(&self) -> Option<u64> {
        self.acks.acknowledged_through()
    }
}
