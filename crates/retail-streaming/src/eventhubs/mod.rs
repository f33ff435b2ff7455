//! The Azure Event Hubs sink (events.md §5).

mod breaker;
mod config;
mod credential;
mod dead_letter;
mod sink;

pub use config::{
    CircuitBreakerConfig, DEFAULT_CONNECTION_STRING_ENV, DEFAULT_EVENT_HUB, EntraCredential,
    EventHubsAuth, EventHubsConfig, OnRetriesExhausted, ParsedConnectionString, RetryPolicy,
    parse_connection_string, resolve_event_hub, validate_event_hub_name,
};
pub use dead_letter::DeadLetterFile;
pub use sink::EventHubsSink;

use std::sync::Arc;

use crate::error::SinkError;
use crate::metrics::SinkMetrics;

/// Builds an Event Hubs sink (not connected yet).
pub fn build_sink(
    config: EventHubsConfig,
    metrics: Arc<SinkMetrics>,
) -> Result<Box<dyn crate::Sink>, SinkError> {
    Ok(Box::new(EventHubsSink::new(config, metrics)?))
}

/// Connects with `config` and returns the hub's partition ids, then disconnects.
pub async fn check(config: &EventHubsConfig) -> Result<Vec<String>, SinkError> {
    let sink = EventHubsSink::new(config.clone(), Arc::new(SinkMetrics::new()))?;
    let result = sink.check().await;
    crate::Sink::close(Box::new(sink)).await?;
    result
}
