//! The AMQP side: connections, sessions, links and the Event Hubs request nodes.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fe2o3_amqp::acceptor::sasl_acceptor::SaslServerFrame;
use fe2o3_amqp::acceptor::{
    ConnectionAcceptor, LinkAcceptor, LinkEndpoint, ListenerSessionHandle, SaslAcceptor,
    SessionAcceptor,
};
use fe2o3_amqp::link::delivery::Delivery;
use fe2o3_amqp::types::definitions;
use fe2o3_amqp::types::messaging::message::__private::Deserializable;
use fe2o3_amqp::types::messaging::{
    AmqpValue, ApplicationProperties, Body, Message, MessageId, Properties,
};
use fe2o3_amqp::types::primitives::{Array, OrderedMap, SimpleValue, Symbol, Timestamp, Value};
use fe2o3_amqp::types::sasl::{SaslCode, SaslInit, SaslOutcome, SaslResponse};
use fe2o3_amqp::{Receiver, Sender};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::{ReceivedEvent, Shared, lock};

/// Message format of an Event Hubs batch: each data section is one serialized message.
const BATCH_MESSAGE_FORMAT: u32 = 0x8001_3700;
const PARTITION_KEY_ANNOTATION: &str = "x-opt-partition-key";
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

type Reply = Message<AmqpValue<Value>>;
type ReplyLinks = Arc<Mutex<HashMap<String, mpsc::Sender<Reply>>>>;

/// Accepts ANONYMOUS and PLAIN with any credentials: the stand-in authorizes through `$cbs`.
#[derive(Clone, Debug)]
struct AnyMechanism;

impl SaslAcceptor for AnyMechanism {
    fn mechanisms(&self) -> Array<Symbol> {
        Array::from(vec![Symbol::from("ANONYMOUS"), Symbol::from("PLAIN")])
    }

    fn on_init(&mut self, _init: SaslInit) -> SaslServerFrame {
        SaslServerFrame::Outcome(SaslOutcome {
            code: SaslCode::Ok,
            additional_data: None,
        })
    }

    fn on_response(&mut self, _response: SaslResponse) -> SaslServerFrame {
        SaslServerFrame::Outcome(SaslOutcome {
            code: SaslCode::Ok,
            additional_data: None,
        })
    }
}

pub(crate) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        match listener.accept().await {
            Ok((tcp, _)) => {
                shared.connections.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(serve_connection(tcp, Arc::clone(&shared)));
            }
            Err(error) => {
                tracing::debug!(%error, "stand-in accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

async fn serve_connection(tcp: TcpStream, shared: Arc<Shared>) {
    let _ = tcp.set_nodelay(true);
    // The broker talks to one end of an in-memory pipe; a pump copies between it and the
    // socket. Cutting the pump closes the socket at once, which is how faults drop a
    // connection without the broker's cooperation.
    let (broker_side, pump_side) = tokio::io::duplex(1 << 20);
    let mut kill = shared.kill.subscribe();
    kill.borrow_and_update();
    let pump_shared = Arc::clone(&shared);
    let pump = tokio::spawn(async move {
        let mut tcp = tcp;
        let mut pump_side = pump_side;
        // A cut also ends the copy soon after (the broker closes its side), so both branches
        // can be ready at once: look at the cut first so that every cut connection is counted.
        tokio::select! {
            biased;
            _ = kill.changed() => {
                pump_shared.connections_dropped.fetch_add(1, Ordering::Relaxed);
            }
            _ = tokio::io::copy_bidirectional(&mut tcp, &mut pump_side) => {}
        }
    });
    let acceptor = ConnectionAcceptor::builder()
        .container_id("retail-eventhubs-standin")
        .max_frame_size(65_536)
        .sasl_acceptor(AnyMechanism)
        .build();
    let mut connection = match acceptor.accept(broker_side).await {
        Ok(connection) => connection,
        Err(error) => {
            tracing::debug!(%error, "stand-in connection open failed");
            pump.abort();
            return;
        }
    };
    let session_acceptor = SessionAcceptor::new();
    let mut kill = shared.kill.subscribe();
    kill.borrow_and_update();
    loop {
        let incoming = tokio::select! {
            incoming = connection.next_incoming_session() => incoming,
            _ = kill.changed() => None,
        };
        let Some(incoming) = incoming else { break };
        match session_acceptor
            .accept_incoming_session(incoming, &mut connection)
            .await
        {
            Ok(session) => {
                tokio::spawn(serve_session(session, Arc::clone(&shared)));
            }
            Err(error) => tracing::debug!(%error, "stand-in session begin failed"),
        }
    }
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, connection.close()).await;
    drop(connection);
    // Let the pump deliver the last frames (the answer to the peer's close) before the socket
    // goes; it ends by itself once both sides are closed.
    let mut pump = pump;
    if tokio::time::timeout(Duration::from_secs(5), &mut pump)
        .await
        .is_err()
    {
        pump.abort();
    }
}

async fn serve_session(mut session: ListenerSessionHandle, shared: Arc<Shared>) {
    let link_acceptor = LinkAcceptor::builder()
        .max_message_size(shared.config.max_message_size)
        .build();
    let replies: ReplyLinks = Arc::default();
    while let Some(attach) = session.next_incoming_attach().await {
        match link_acceptor
            .accept_incoming_attach(attach, &mut session)
            .await
        {
            Ok(LinkEndpoint::Receiver(receiver)) => {
                let address = receiver
                    .target()
                    .as_ref()
                    .and_then(|t| t.address.clone())
                    .unwrap_or_default();
                tokio::spawn(serve_incoming_link(
                    receiver,
                    address,
                    Arc::clone(&shared),
                    Arc::clone(&replies),
                ));
            }
            Ok(LinkEndpoint::Sender(sender)) => {
                let address = sender
                    .source()
                    .as_ref()
                    .and_then(|s| s.address.clone())
                    .unwrap_or_default();
                let (tx, rx) = mpsc::channel(16);
                lock(&replies).insert(address, tx);
                tokio::spawn(serve_reply_link(sender, rx));
            }
            Err(error) => tracing::debug!(%error, "stand-in link attach failed"),
        }
    }
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, session.end()).await;
}

async fn serve_reply_link(mut sender: Sender, mut replies: mpsc::Receiver<Reply>) {
    loop {
        tokio::select! {
            reply = replies.recv() => {
                let Some(reply) = reply else { break };
                match tokio::time::timeout(REPLY_TIMEOUT, sender.send(reply)).await {
                    Ok(Ok(_)) => {}
                    _ => break,
                }
            }
            _ = sender.on_detach() => break,
        }
    }
    // Answer the peer's detach (or end the link) with a detach of our own.
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, sender.close()).await;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Node {
    Cbs,
    Management,
    Events,
}

async fn serve_incoming_link(
    mut receiver: Receiver,
    address: String,
    shared: Arc<Shared>,
    replies: ReplyLinks,
) {
    let node = if address.ends_with("$cbs") {
        Node::Cbs
    } else if address.ends_with("$management") {
        Node::Management
    } else {
        Node::Events
    };
    loop {
        let delivery: Delivery<Body<Value>> = match receiver.recv().await {
            Ok(delivery) => delivery,
            Err(fe2o3_amqp::link::RecvError::LinkStateError(_)) => break,
            Err(error) => {
                tracing::debug!(%error, "stand-in could not decode a transfer");
                continue;
            }
        };
        let keep_going = match node {
            Node::Cbs | Node::Management => {
                answer_request(node, &receiver, delivery, &shared, &replies).await
            }
            Node::Events => store_events(&receiver, delivery, &address, &shared).await,
        };
        if !keep_going {
            break;
        }
    }
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, receiver.close()).await;
}

async fn reply_link(replies: &ReplyLinks, node: &str) -> Option<mpsc::Sender<Reply>> {
    // The client attaches its reply receiver right after its request sender; wait for it.
    for _ in 0..250 {
        let found = lock(replies)
            .iter()
            .find(|(address, _)| address.ends_with(node))
            .map(|(_, tx)| tx.clone());
        if found.is_some() {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

fn reply(request_id: Option<MessageId>, status: i32, description: &str, body: Value) -> Reply {
    Message::builder()
        .properties(Properties {
            correlation_id: request_id,
            ..Default::default()
        })
        .application_properties(
            ApplicationProperties::builder()
                .insert("status-code", SimpleValue::Int(status))
                .insert(
                    "status-description",
                    SimpleValue::String(description.into()),
                )
                .build(),
        )
        .value(body)
        .build()
}

fn request_id(message: &Message<Body<Value>>) -> Option<MessageId> {
    message
        .properties
        .as_ref()
        .and_then(|p| p.message_id.clone())
}

fn application_property(message: &Message<Body<Value>>, key: &str) -> Option<String> {
    match message.application_properties.as_ref()?.0.get(key)? {
        SimpleValue::String(s) => Some(s.clone()),
        SimpleValue::Symbol(s) => Some(s.0.clone()),
        other => Some(format!("{other:?}")),
    }
}

/// Accepts a request on the `$cbs` or `$management` node and sends its answer on the node's
/// reply link: put-token is always accepted (202), management reads are answered from the
/// configuration.
async fn answer_request(
    node: Node,
    receiver: &Receiver,
    delivery: Delivery<Body<Value>>,
    shared: &Shared,
    replies: &ReplyLinks,
) -> bool {
    if receiver.accept(&delivery).await.is_err() {
        return false;
    }
    let message = delivery.into_message();
    let (answer, link) = if node == Node::Cbs {
        shared.tokens_accepted.fetch_add(1, Ordering::Relaxed);
        let answer = reply(request_id(&message), 202, "Accepted", Value::Null);
        (answer, "$cbs")
    } else {
        shared.management_requests.fetch_add(1, Ordering::Relaxed);
        (management_answer(&message, shared), "$management")
    };
    match reply_link(replies, link).await {
        Some(tx) => tx.send(answer).await.is_ok(),
        None => false,
    }
}

fn management_answer(message: &Message<Body<Value>>, shared: &Shared) -> Reply {
    let id = request_id(message);
    let config = &shared.config;
    let operation = application_property(message, "operation").unwrap_or_default();
    let entity_type = application_property(message, "type").unwrap_or_default();
    let name = application_property(message, "name").unwrap_or_default();
    if operation != "READ" {
        return reply(id, 501, "only READ is supported", Value::Null);
    }
    if name != config.event_hub {
        return reply(
            id,
            404,
            "The messaging entity could not be found.",
            Value::Null,
        );
    }
    let created_at = Value::Timestamp(Timestamp::from_milliseconds(shared.created_at_millis));
    let mut map: OrderedMap<Value, Value> = OrderedMap::new();
    let mut put = |key: &str, value: Value| {
        map.insert(Value::String(key.into()), value);
    };
    match entity_type.as_str() {
        "com.microsoft:eventhub" => {
            put("name", Value::String(config.event_hub.clone()));
            put("type", Value::String(entity_type.clone()));
            put("created_at", created_at);
            put("partition_count", Value::Int(config.partition_count as i32));
            put(
                "partition_ids",
                Value::Array(Array::from(
                    (0..config.partition_count)
                        .map(|p| Value::String(p.to_string()))
                        .collect::<Vec<_>>(),
                )),
            );
        }
        "com.microsoft:partition" => {
            let partition = application_property(message, "partition").unwrap_or_default();
            let known = partition
                .parse::<u32>()
                .is_ok_and(|p| p < config.partition_count);
            if !known {
                return reply(id, 404, "The partition could not be found.", Value::Null);
            }
            let stored = lock(&shared.received)
                .iter()
                .filter(|e| e.partition_id.as_deref() == Some(partition.as_str()))
                .count() as i64;
            put("name", Value::String(config.event_hub.clone()));
            put("type", Value::String(entity_type.clone()));
            put("partition", Value::String(partition));
            put("begin_sequence_number", Value::Long(0));
            put("last_enqueued_sequence_number", Value::Long(stored - 1));
            put("last_enqueued_sequence_number_epoch", Value::Long(0));
            put(
                "last_enqueued_offset",
                Value::String((stored - 1).max(0).to_string()),
            );
            put("last_enqueued_time_utc", created_at);
            put("is_partition_empty", Value::Bool(stored == 0));
        }
        _ => return reply(id, 400, "unknown entity type", Value::Null),
    }
    reply(id, 200, "OK", Value::Map(map))
}

enum Verdict {
    Accept,
    Reject(String),
    /// Store this many of the transfer's events, then cut the connection unsettled.
    Cut(usize),
}

async fn store_events(
    receiver: &Receiver,
    delivery: Delivery<Body<Value>>,
    address: &str,
    shared: &Shared,
) -> bool {
    let partition_id = address
        .rsplit_once("/Partitions/")
        .map(|(_, id)| id.trim_end_matches('/').to_owned());
    let is_batch = *delivery.message_format() == Some(BATCH_MESSAGE_FORMAT);
    let events = unpack(
        delivery.message(),
        is_batch,
        address,
        partition_id.as_deref(),
    );
    let (verdict, delay) = {
        let mut faults = lock(&shared.faults);
        let verdict = if faults.reject_next > 0 {
            faults.reject_next -= 1;
            Verdict::Reject(faults.reject_condition.clone())
        } else {
            match faults.drop_after_events {
                Some(left) if events.len() as u64 >= left => {
                    faults.drop_after_events = None;
                    Verdict::Cut(left as usize)
                }
                Some(left) => {
                    faults.drop_after_events = Some(left - events.len() as u64);
                    Verdict::Accept
                }
                None => Verdict::Accept,
            }
        };
        (verdict, faults.ack_delay)
    };
    match verdict {
        Verdict::Reject(condition) => {
            shared.transfers_rejected.fetch_add(1, Ordering::Relaxed);
            let error = definitions::Error::new(
                definitions::ErrorCondition::Custom(Symbol::from(condition.as_str())),
                Some(format!(
                    "Rejected by the stand-in's fault injection ({condition})."
                )),
                None,
            );
            receiver.reject(&delivery, error).await.is_ok()
        }
        Verdict::Cut(keep) => {
            record(shared, events.into_iter().take(keep).collect());
            shared.transfers_cut.fetch_add(1, Ordering::Relaxed);
            shared.cut_connections();
            false
        }
        Verdict::Accept => {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            record(shared, events);
            shared.transfers_accepted.fetch_add(1, Ordering::Relaxed);
            receiver.accept(&delivery).await.is_ok()
        }
    }
}

fn record(shared: &Shared, mut events: Vec<ReceivedEvent>) {
    let transfer_number = shared.transfer_counter.fetch_add(1, Ordering::Relaxed);
    for event in &mut events {
        event.transfer_number = transfer_number;
    }
    lock(&shared.received).extend(events);
}

fn unpack(
    message: &Message<Body<Value>>,
    is_batch: bool,
    address: &str,
    partition_id: Option<&str>,
) -> Vec<ReceivedEvent> {
    if !is_batch {
        return vec![to_event(message, address, partition_id)];
    }
    let Body::Data(sections) = &message.body else {
        return Vec::new();
    };
    sections
        .iter()
        .filter_map(|section| {
            match serde_amqp::from_slice::<Deserializable<Message<Body<Value>>>>(&section.0) {
                Ok(Deserializable(inner)) => Some(to_event(&inner, address, partition_id)),
                Err(error) => {
                    tracing::warn!(%error, "stand-in could not decode a batched message");
                    None
                }
            }
        })
        .collect()
}

fn to_event(
    message: &Message<Body<Value>>,
    address: &str,
    partition_id: Option<&str>,
) -> ReceivedEvent {
    let body = match &message.body {
        Body::Data(sections) => sections.iter().flat_map(|d| d.0.iter().copied()).collect(),
        Body::Value(AmqpValue(Value::String(s))) => s.as_bytes().to_vec(),
        Body::Value(AmqpValue(Value::Binary(b))) => b.to_vec(),
        other => format!("{other:?}").into_bytes(),
    };
    let application_properties: BTreeMap<String, String> = message
        .application_properties
        .as_ref()
        .map(|props| {
            props
                .0
                .iter()
                .map(|(k, v)| {
                    let text = match v {
                        SimpleValue::String(s) => s.clone(),
                        other => format!("{other:?}"),
                    };
                    (k.clone(), text)
                })
                .collect()
        })
        .unwrap_or_default();
    let partition_key = message.message_annotations.as_ref().and_then(|annotations| {
        annotations.0.iter().find_map(|(key, value)| {
            let is_key = matches!(key, fe2o3_amqp::types::messaging::annotations::OwnedKey::Symbol(s) if s.0 == PARTITION_KEY_ANNOTATION);
            match (is_key, value) {
                (true, Value::String(s)) => Some(s.clone()),
                _ => None,
            }
        })
    });
    let properties = message.properties.as_ref();
    let message_id = properties
        .and_then(|p| p.message_id.as_ref())
        .map(|id| match id {
            MessageId::String(s) => s.clone(),
            MessageId::Ulong(n) => n.to_string(),
            other => format!("{other:?}"),
        });
    let content_type = properties
        .and_then(|p| p.content_type.as_ref())
        .map(|s| s.0.clone());
    ReceivedEvent {
        link_address: address.to_owned(),
        partition_id: partition_id.map(str::to_owned),
        body,
        application_properties,
        partition_key,
        message_id,
        content_type,
        transfer_number: 0,
    }
}
