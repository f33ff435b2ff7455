use std::sync::Arc;

use async_trait::async_trait;
use std::io::{BufWriter, Write};

use crate::error::SinkError;
use crate::event::SequencedEvent;
use crate::metrics::{ErrorStage, SinkMetrics};
use crate::sink::{AckTracker, HealthReport, Sink};

/// Writes each event body as one JSON line. Events count as acknowledged once written into the
/// (buffered) writer; `flush` pushes the buffer out. Writes are synchronous: standard output
/// is a pipe or terminal whose writes are short, like tokio's own stdout.
pub struct StdoutSink {
    writer: BufWriter<Box<dyn Write + Send>>,
    metrics: Arc<SinkMetrics>,
    acks: AckTracker,
}

impl std::fmt::Debug for StdoutSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StdoutSink").finish_non_exhaustive()
    }
}

impl StdoutSink {
    /// A sink writing to the process's standard output.
    pub fn new(metrics: Arc<SinkMetrics>) -> Self {
        Self::with_writer(Box::new(std::io::stdout()), metrics)
    }

    /// A sink writing JSON lines to any writer (tests, pipes).
    pub fn with_writer(writer: Box<dyn Write + Send>, metrics: Arc<SinkMetrics>) -> Self {
        Self {
            writer: BufWriter::with_capacity(64 * 1024, writer),
            metrics,
            acks: AckTracker::new(),
        }
    }

    fn failed(&self, error: std::io::Error) -> SinkError {
        self.metrics.record_error(ErrorStage::Sending, "io");
        SinkError::Stdout(error)
    }
}

#[async_trait]
impl Sink for StdoutSink {
    fn name(&self) -> &'static str {
        "stdout"
    }

    fn metrics(&self) -> Arc<SinkMetrics> {
        Arc::clone(&self.metrics)
    }

    async fn healthcheck(&mut self) -> Result<HealthReport, SinkError> {
        Ok(HealthReport {
            sink: "stdout",
            destination: "standard output".into(),
            partition_ids: Vec::new(),
        })
    }

    async fn submit(&mut self, event: SequencedEvent) -> Result<(), SinkError> {
        let e = &event.event;
        if let Err(error) = self.writer.write_all(&e.body) {
            return Err(self.failed(error));
        }
        if let Err(error) = self.writer.write_all(b"\n") {
            return Err(self.failed(error));
        }
        self.metrics
            .record_sent([(e.event_type.as_str(), e.body.len(), e.event_ts_micros)]);
        self.acks.resolve(event.index);
        Ok(())
    }

    async fn idle(&mut self) -> Result<(), SinkError> {
        // A reader of a live stream should not wait for a 64 KiB buffer to fill.
        if let Err(error) = self.writer.flush() {
            return Err(self.failed(error));
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        if let Err(error) = self.writer.flush() {
            return Err(self.failed(error));
        }
        Ok(())
    }

    async fn close(mut self: Box<Self>) -> Result<(), SinkError> {
        self.flush().await
    }

    fn acknowledged_through(&self) -> Option<u64> {
        self.acks.acknowledged_through()
    }
}
