//! A local AMQP 1.0 broker that stands in for Azure Event Hubs in tests.
//!
//! It speaks just enough of the Event Hubs dialect for the real
//! `azure_messaging_eventhubs::ProducerClient` to connect over plain TCP on 127.0.0.1
//! (`with_custom_endpoint("amqp://127.0.0.1:PORT")`): SASL ANONYMOUS (PLAIN accepted too),
//! `$cbs` put-token (answered 202), `$management` READ of the hub and of each partition, sender
//! links on the hub and on `…/Partitions/N`, batched messages (format 0x80013700) unpacked into
//! their events. Everything received is kept in memory for assertions, and faults can be
//! injected: drop the connection after N more events (mid-batch), reject the next K transfers
//! with `com.microsoft:server-busy`, delay acknowledgements, stop and restart on the same port.
//!
//! ```
//! use retail_eventhubs_standin::{Standin, StandinConfig};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), retail_eventhubs_standin::StandinError> {
//! let standin = Standin::start(StandinConfig::default()).await?;
//! assert!(standin.endpoint().starts_with("amqp://127.0.0.1:"));
//! assert_eq!(standin.received().len(), 0);
//! standin.stop().await;
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod broker;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Errors of the stand-in itself.
#[derive(Debug, thiserror::Error)]
pub enum StandinError {
    /// The listening socket could not be bound.
    #[error("binding 127.0.0.1:{port}: {source}")]
    Bind {
        /// Requested port (0 = any).
        port: u16,
        /// The operating system error.
        #[source]
        source: std::io::Error,
    },
}

/// Shape of the simulated hub.
#[derive(Clone, Debug)]
pub struct StandinConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Hub name answered by `$management`.
    pub event_hub: String,
    /// Number of partitions (ids "0", "1", …).
    pub partition_count: u32,
    /// Maximum message size announced on the links (Standard tier: 1 MiB).
    pub max_message_size: u64,
    /// Namespace host the connection string names (never resolved: clients use the endpoint).
    pub namespace: String,
}

impl Default for StandinConfig {
    fn default() -> Self {
        Self {
            port: 0,
            event_hub: "retail-events".into(),
            partition_count: 4,
            max_message_size: 1_048_576,
            namespace: "standin.servicebus.windows.net".into(),
        }
    }
}

/// One event as the broker stored it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedEvent {
    /// Target address of the link it came on (hub or partition path).
    pub link_address: String,
    /// Partition id when sent to a partition link.
    pub partition_id: Option<String>,
    /// The body (concatenated data sections).
    pub body: Vec<u8>,
    /// Application properties rendered as text (strings verbatim, other values via Debug).
    pub application_properties: BTreeMap<String, String>,
    /// `x-opt-partition-key` message annotation.
    pub partition_key: Option<String>,
    /// AMQP message id rendered as text.
    pub message_id: Option<String>,
    /// AMQP content type.
    pub content_type: Option<String>,
    /// Number of the transfer (batch) it arrived in, counting from 0 over the broker's life.
    pub transfer_number: u64,
}

/// Counters of what the broker did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StandinStats {
    /// TCP connections accepted.
    pub connections: u64,
    /// Transfers accepted (one per batch).
    pub transfers_accepted: u64,
    /// Transfers rejected by fault injection.
    pub transfers_rejected: u64,
    /// Open connections cut by fault injection or `stop`. A connection the client had
    /// already closed is not counted, even if its buffered transfers are cut later.
    pub connections_dropped: u64,
    /// Transfers cut part-way by [`Standin::drop_connection_after_events`]: the events before
    /// the limit are recorded, the rest are not, and the transfer is never settled.
    pub transfers_cut: u64,
    /// `$cbs` put-token requests answered.
    pub tokens_accepted: u64,
    /// `$management` requests answered.
    pub management_requests: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Faults {
    /// Events still allowed before the connection is cut (mid-batch if it falls inside one).
    pub drop_after_events: Option<u64>,
    /// Transfers still to reject, and the condition to reject them with.
    pub reject_next: u32,
    pub reject_condition: String,
    pub ack_delay: Duration,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub config: StandinConfig,
    pub received: Mutex<Vec<ReceivedEvent>>,
    pub faults: Mutex<Faults>,
    /// Bumped to cut every open connection.
    pub kill: watch::Sender<u64>,
    pub transfer_counter: AtomicU64,
    pub connections: AtomicU64,
    pub transfers_accepted: AtomicU64,
    pub transfers_rejected: AtomicU64,
    pub connections_dropped: AtomicU64,
    pub transfers_cut: AtomicU64,
    pub tokens_accepted: AtomicU64,
    pub management_requests: AtomicU64,
    pub created_at_millis: i64,
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    pub(crate) fn cut_connections(&self) {
        self.kill.send_modify(|epoch| *epoch += 1);
    }
}

/// A running stand-in broker. Dropping it stops accepting connections.
#[derive(Debug)]
pub struct Standin {
    shared: Arc<Shared>,
    port: u16,
    accept_task: Mutex<Option<JoinHandle<()>>>,
}

impl Standin {
    /// Binds 127.0.0.1 and starts serving.
    pub async fn start(config: StandinConfig) -> Result<Self, StandinError> {
        let requested = config.port;
        let listener = bind(requested).await?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(requested);
        let (kill, _) = watch::channel(0);
        let created_at_millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let shared = Arc::new(Shared {
            config,
            received: Mutex::new(Vec::new()),
            faults: Mutex::new(Faults {
                reject_condition: "com.microsoft:server-busy".into(),
                ..Default::default()
            }),
            kill,
            transfer_counter: AtomicU64::new(0),
            connections: AtomicU64::new(0),
            transfers_accepted: AtomicU64::new(0),
            transfers_rejected: AtomicU64::new(0),
            connections_dropped: AtomicU64::new(0),
            transfers_cut: AtomicU64::new(0),
            tokens_accepted: AtomicU64::new(0),
            management_requests: AtomicU64::new(0),
            created_at_millis,
        });
        let task = tokio::spawn(broker::accept_loop(listener, Arc::clone(&shared)));
        Ok(Self {
            shared,
            port,
            accept_task: Mutex::new(Some(task)),
        })
    }

    /// The port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The custom endpoint for the producer: `amqp://127.0.0.1:PORT` (plain TCP).
    pub fn endpoint(&self) -> String {
        format!("amqp://127.0.0.1:{}", self.port)
    }

    /// The simulated hub name.
    pub fn event_hub(&self) -> &str {
        &self.shared.config.event_hub
    }

    /// The namespace host to give the client (only used in tokens and the AMQP hostname).
    pub fn namespace(&self) -> &str {
        &self.shared.config.namespace
    }

    /// A SAS connection string for the simulated namespace and hub with the given key (the
    /// stand-in accepts any token).
    pub fn connection_string(&self, key: &str) -> String {
        format!(
            "Endpoint=sb://{}/;SharedAccessKeyName=standin-send;SharedAccessKey={key};EntityPath={}",
            self.shared.config.namespace, self.shared.config.event_hub
        )
    }

    /// Partition ids announced by `$management`.
    pub fn partition_ids(&self) -> Vec<String> {
        (0..self.shared.config.partition_count)
            .map(|p| p.to_string())
            .collect()
    }

    /// Every event stored so far, in arrival order.
    pub fn received(&self) -> Vec<ReceivedEvent> {
        lock(&self.shared.received).clone()
    }

    /// Number of events stored so far.
    pub fn received_count(&self) -> usize {
        lock(&self.shared.received).len()
    }

    /// Counters.
    pub fn stats(&self) -> StandinStats {
        let s = &self.shared;
        StandinStats {
            connections: s.connections.load(Ordering::Relaxed),
            transfers_accepted: s.transfers_accepted.load(Ordering::Relaxed),
            transfers_rejected: s.transfers_rejected.load(Ordering::Relaxed),
            connections_dropped: s.connections_dropped.load(Ordering::Relaxed),
            transfers_cut: s.transfers_cut.load(Ordering::Relaxed),
            tokens_accepted: s.tokens_accepted.load(Ordering::Relaxed),
            management_requests: s.management_requests.load(Ordering::Relaxed),
        }
    }

    /// Cuts every connection once `events` more events have arrived: the events of the
    /// transfer that crosses the limit are stored up to it, the transfer is never settled, and
    /// the TCP connection is closed (a connection lost mid-batch).
    pub fn drop_connection_after_events(&self, events: u64) {
        lock(&self.shared.faults).drop_after_events = Some(events);
    }

    /// Rejects the next `transfers` transfers with `com.microsoft:server-busy`.
    pub fn reject_next_transfers_server_busy(&self, transfers: u32) {
        self.reject_next_transfers(transfers, "com.microsoft:server-busy");
    }

    /// Rejects the next `transfers` transfers with an error condition of your choice.
    pub fn reject_next_transfers(&self, transfers: u32, condition: &str) {
        let mut faults = lock(&self.shared.faults);
        faults.reject_next = transfers;
        faults.reject_condition = condition.to_owned();
    }

    /// Waits this long before settling each transfer.
    pub fn set_ack_delay(&self, delay: Duration) {
        lock(&self.shared.faults).ack_delay = delay;
    }

    /// Cuts every open connection now.
    pub fn drop_connections(&self) {
        self.shared.cut_connections();
    }

    /// Stops listening and cuts every connection. Received events are kept.
    pub async fn stop(&self) {
        let task = lock(&self.accept_task).take();
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
        self.shared.cut_connections();
    }

    /// Listens again on the same port (after [`Standin::stop`]).
    pub async fn restart(&self) -> Result<(), StandinError> {
        self.stop().await;
        let listener = bind(self.port).await?;
        let task = tokio::spawn(broker::accept_loop(listener, Arc::clone(&self.shared)));
        *lock(&self.accept_task) = Some(task);
        Ok(())
    }
}

impl Drop for Standin {
    fn drop(&mut self) {
        if let Some(task) = lock(&self.accept_task).take() {
            task.abort();
        }
        self.shared.cut_connections();
    }
}

async fn bind(port: u16) -> Result<TcpListener, StandinError> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    // Right after a stop the port may still be held by the aborted listener for a moment.
    let mut last_error = None;
    for _ in 0..50 {
        match TcpListener::bind(address).await {
            Ok(listener) => return Ok(listener),
            Err(error) => {
                last_error = Some(error);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
    Err(StandinError::Bind {
        port,
        source: last_error.unwrap_or_else(|| std::io::Error::other("bind failed")),
    })
}
