//! The `Sink` trait and the run loop that feeds a sink through a bounded channel.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::error::SinkError;
use crate::event::{EncodedEvent, SequencedEvent};
use crate::metrics::SinkMetrics;

/// What a successful [`Sink::healthcheck`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthReport {
    /// Sink name (`null`, `stdout`, `jsonl`, `eventhubs`, …).
    pub sink: &'static str,
    /// Where events go, without secrets (a path, a namespace/hub, "standard output").
    pub destination: String,
    /// Partition ids of an Event Hub; empty for other sinks.
    pub partition_ids: Vec<String>,
}

/// A destination for encoded events. Sinks are driven by [`spawn_sink`] (or directly, in the
/// same order): `healthcheck` → `submit`* / `idle`* → `flush` → `close`.
///
/// A sink may buffer submitted events; it reports progress through
/// [`Sink::acknowledged_through`]: the highest index `i` such that every event with an index
/// ≤ `i` is acknowledged by the destination or durably dead-lettered. Every sink updates the
/// shared counters of its [`SinkMetrics`] the same way (`record_sent` on acknowledgement,
/// `record_error`, `record_retry`, `record_dead_lettered`); the run loop records reception.
#[async_trait]
pub trait Sink: Send {
    /// Short name used as the metrics `sink` label.
    fn name(&self) -> &'static str;

    /// The sink's counters.
    fn metrics(&self) -> Arc<SinkMetrics>;

    /// Checks that the destination is usable (opens files, connects) without sending events.
    async fn healthcheck(&mut self) -> Result<HealthReport, SinkError>;

    /// Accepts one event. May return before the event is acknowledged; may wait (applying
    /// backpressure) while the sink's own buffer is full.
    async fn submit(&mut self, event: SequencedEvent) -> Result<(), SinkError>;

    /// Called when no event is waiting: a good moment to start partial batches and to collect
    /// acknowledgements. Must not wait for acknowledgements.
    async fn idle(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    /// Waits until every submitted event is acknowledged or dead-lettered.
    async fn flush(&mut self) -> Result<(), SinkError>;

    /// Flushes, then releases connections and files.
    async fn close(self: Box<Self>) -> Result<(), SinkError>;

    /// Highest contiguous resolved index (see the trait documentation), if any.
    fn acknowledged_through(&self) -> Option<u64>;
}

/// Options of the run loop.
#[derive(Clone, Debug)]
pub struct PipelineOptions {
    /// Capacity of the bounded channel between producer and sink: when it is full,
    /// [`EventSender::send`] waits (backpressure).
    pub channel_capacity: usize,
    /// Index given to the first event (resume position).
    pub start_index: u64,
    /// How long the loop waits for the next event before telling the sink it is idle.
    pub linger: Duration,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        Self {
            channel_capacity: 10_000,
            start_index: 0,
            linger: Duration::from_millis(20),
        }
    }
}

/// Producer side of a running sink. Dropping every sender ends the run.
#[derive(Clone, Debug)]
pub struct EventSender {
    tx: mpsc::Sender<EncodedEvent>,
}

impl EventSender {
    /// Hands one event to the sink, waiting while the channel is full.
    pub async fn send(&self, event: EncodedEvent) -> Result<(), SinkError> {
        self.tx
            .send(event)
            .await
            .map_err(|_| SinkError::Stopped("the sink task has ended".into()))
    }

    /// Hands several events to the sink at once, waiting until the channel has room for all
    /// of them: either every event is queued or none is (on error). One hand-off per batch
    /// instead of one per event spares the sink task a wake-up per event. A batch larger than
    /// the channel's capacity is queued in capacity-sized parts.
    pub async fn send_batch(
        &self,
        events: impl IntoIterator<Item = EncodedEvent, IntoIter: ExactSizeIterator>,
    ) -> Result<(), SinkError> {
        let mut events = events.into_iter();
        while events.len() > 0 {
            let n = events.len().min(self.tx.max_capacity());
            let permits = self
                .tx
                .reserve_many(n)
                .await
                .map_err(|_| SinkError::Stopped("the sink task has ended".into()))?;
            for (permit, event) in permits.zip(events.by_ref()) {
                permit.send(event);
            }
        }
        Ok(())
    }

    /// Capacity of the channel (events it holds when full).
    pub fn max_capacity(&self) -> usize {
        self.tx.max_capacity()
    }

    /// Free places in the channel right now.
    pub fn available_capacity(&self) -> usize {
        self.tx.capacity()
    }
}

/// What a finished run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSummary {
    /// Events taken from the channel.
    pub events_received: u64,
    /// Highest contiguous resolved index at the end.
    pub acknowledged_through: Option<u64>,
}

/// Handle on a sink running in its own task.
#[derive(Debug)]
pub struct SinkRun {
    join: JoinHandle<Result<RunSummary, SinkError>>,
    checkpoints: watch::Receiver<Option<u64>>,
    metrics: Arc<SinkMetrics>,
}

impl SinkRun {
    /// Receiver of the checkpoint: the highest contiguous acknowledged index, updated as
    /// acknowledgements arrive. Persist it to resume after a restart.
    pub fn checkpoints(&self) -> watch::Receiver<Option<u64>> {
        self.checkpoints.clone()
    }

    /// The sink's counters.
    pub fn metrics(&self) -> Arc<SinkMetrics> {
        Arc::clone(&self.metrics)
    }

    /// Waits for the run to end (after every [`EventSender`] is dropped, or on the first
    /// fatal error) and returns its summary.
    pub async fn finish(self) -> Result<RunSummary, SinkError> {
        match self.join.await {
            Ok(result) => result,
            Err(join_error) => Err(SinkError::Stopped(format!(
                "sink task failed: {join_error}"
            ))),
        }
    }
}

/// Starts `sink` in a new task fed by a bounded channel. The sink must already be built (and
/// preferably health-checked). The run ends with `flush` and `close` once every sender is
/// dropped; a fatal sink error ends it early, and later sends fail.
pub fn spawn_sink(sink: Box<dyn Sink>, options: PipelineOptions) -> (EventSender, SinkRun) {
    let (tx, rx) = mpsc::channel(options.channel_capacity.max(1));
    let (checkpoint_tx, checkpoints) = watch::channel(None);
    let metrics = sink.metrics();
    let join = tokio::spawn(run_sink(sink, rx, options, checkpoint_tx));
    (
        EventSender { tx },
        SinkRun {
            join,
            checkpoints,
            metrics,
        },
    )
}

async fn run_sink(
    mut sink: Box<dyn Sink>,
    mut rx: mpsc::Receiver<EncodedEvent>,
    options: PipelineOptions,
    checkpoints: watch::Sender<Option<u64>>,
) -> Result<RunSummary, SinkError> {
    let metrics = sink.metrics();
    let mut next_index = options.start_index;
    let mut received = 0u64;
    tracing::info!(
        sink = sink.name(),
        start_index = next_index,
        "sink run started"
    );
    let publish = |sink: &dyn Sink| {
        let through = sink.acknowledged_through();
        checkpoints.send_if_modified(|current| {
            let changed = *current != through;
            *current = through;
            changed
        });
    };
    let result: Result<(), SinkError> = async {
        loop {
            let event = match rx.try_recv() {
                Ok(event) => Some(event),
                Err(mpsc::error::TryRecvError::Disconnected) => None,
                Err(mpsc::error::TryRecvError::Empty) => {
                    sink.idle().await?;
                    publish(sink.as_ref());
                    match tokio::time::timeout(options.linger, rx.recv()).await {
                        Ok(event) => event,
                        Err(_) => continue,
                    }
                }
            };
            let Some(event) = event else { break };
            metrics.record_received(1);
            received += 1;
            let index = next_index;
            next_index += 1;
            sink.submit(SequencedEvent { index, event }).await?;
            publish(sink.as_ref());
        }
        sink.flush().await?;
        publish(sink.as_ref());
        Ok(())
    }
    .await;
    let acknowledged_through = sink.acknowledged_through();
    let name = sink.name();
    let close_result = sink.close().await;
    checkpoints.send_replace(acknowledged_through);
    tracing::info!(
        sink = name,
        events_received = received,
        acknowledged_through,
        ok = result.is_ok(),
        "sink run stopped"
    );
    result?;
    close_result?;
    Ok(RunSummary {
        events_received: received,
        acknowledged_through,
    })
}

/// Tracks which indexes are resolved and yields the highest contiguous one.
#[derive(Clone, Debug, Default)]
pub struct AckTracker {
    next_unresolved: Option<u64>,
    resolved_ahead: std::collections::BTreeSet<u64>,
}

impl AckTracker {
    /// A tracker that learns its origin from the first index it sees.
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes an index entering the sink; the first one fixes the origin, so that everything
    /// before it counts as resolved by an earlier run.
    pub fn observe(&mut self, index: u64) {
        if self.next_unresolved.is_none() {
            self.next_unresolved = Some(index);
        }
    }

    /// Marks `index` resolved (acknowledged or dead-lettered).
    pub fn resolve(&mut self, index: u64) {
        self.observe(index);
        let Some(mut next) = self.next_unresolved else {
            return;
        };
        if index < next {
            return;
        }
        self.resolved_ahead.insert(index);
        while self.resolved_ahead.remove(&next) {
            next += 1;
        }
        self.next_unresolved = Some(next);
    }

    /// Highest index such that it and every index before it are resolved.
    pub fn acknowledged_through(&self) -> Option<u64> {
        self.next_unresolved.and_then(|next| next.checked_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ack_tracker_advances_only_over_contiguous_indexes() {
        let mut t = AckTracker::new();
        assert_eq!(t.acknowledged_through(), None);
        t.observe(10);
        assert_eq!(t.acknowledged_through(), Some(9));
        t.resolve(12);
        t.resolve(11);
        assert_eq!(t.acknowledged_through(), Some(9));
        t.resolve(10);
        assert_eq!(t.acknowledged_through(), Some(12));
        t.resolve(11);
        assert_eq!(t.acknowledged_through(), Some(12));
    }

    #[tokio::test]
    async fn a_batch_larger_than_the_channel_arrives_whole() {
        let metrics = Arc::new(SinkMetrics::new());
        let sink = Box::new(crate::NullSink::new(Arc::clone(&metrics)));
        let (sender, run) = spawn_sink(
            sink,
            PipelineOptions {
                channel_capacity: 3,
                ..PipelineOptions::default()
            },
        );
        assert_eq!(sender.max_capacity(), 3);
        let events: Vec<EncodedEvent> = (0..10)
            .map(|i| EncodedEvent::new("{}", "store_opened", format!("t{i}"), "store-1", i))
            .collect();
        sender.send_batch(events).await.unwrap();
        sender.send_batch(Vec::new()).await.unwrap();
        drop(sender);
        let summary = run.finish().await.unwrap();
        assert_eq!(summary.events_received, 10);
        assert_eq!(summary.acknowledged_through, Some(9));
        assert_eq!(metrics.snapshot().events_sent_all_types(), 10);
    }

    #[test]
    fn ack_tracker_from_zero_reports_nothing_until_the_first_ack() {
        let mut t = AckTracker::new();
        t.observe(0);
        t.observe(1);
        assert_eq!(t.acknowledged_through(), None);
        t.resolve(1);
        assert_eq!(t.acknowledged_through(), None);
        t.resolve(0);
        assert_eq!(t.acknowledged_through(), Some(1));
    }
}
