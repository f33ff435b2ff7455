//! The unit every sink consumes: one already-serialized event plus the routing facts it needs.

use bytes::Bytes;

/// One event as it leaves the encoder: the compact JSON envelope bytes plus the fields a sink
/// needs for routing, properties and telemetry without re-parsing the body.
#[derive(Clone, PartialEq, Eq)]
pub struct EncodedEvent {
    /// The serialized envelope (events.md §2–§3), without a trailing newline.
    pub body: Bytes,
    /// `event_type` of the envelope, e.g. `receipt_created`.
    pub event_type: String,
    /// `trace_id` of the envelope: the dedupe key and the AMQP message id.
    pub trace_id: String,
    /// Partition key of the envelope (events.md §5.1), e.g. `store-5`.
    pub partition_key: String,
    /// `payload.event_ts` in microseconds since the Unix epoch (UTC), for lag telemetry.
    pub event_ts_micros: i64,
}

impl EncodedEvent {
    /// Builds an event from its parts.
    pub fn new(
        body: impl Into<Bytes>,
        event_type: impl Into<String>,
        trace_id: impl Into<String>,
        partition_key: impl Into<String>,
        event_ts_micros: i64,
    ) -> Self {
        Self {
            body: body.into(),
            event_type: event_type.into(),
            trace_id: trace_id.into(),
            partition_key: partition_key.into(),
            event_ts_micros,
        }
    }
}

impl std::fmt::Debug for EncodedEvent {
    // Bodies can be large: show their size, not their bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncodedEvent")
            .field("event_type", &self.event_type)
            .field("trace_id", &self.trace_id)
            .field("partition_key", &self.partition_key)
            .field("event_ts_micros", &self.event_ts_micros)
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// An event numbered by its position in the stream fed to one sink run (the first event gets
/// the pipeline's `start_index`). Checkpoints are expressed in these indexes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SequencedEvent {
    /// Position in the stream.
    pub index: u64,
    /// The event itself.
    pub event: EncodedEvent,
}
