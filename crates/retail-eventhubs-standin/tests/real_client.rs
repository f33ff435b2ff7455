//! The stand-in as the real Event Hubs producer sees it.

use std::time::Duration;

use azure_messaging_eventhubs::models::EventData;
use azure_messaging_eventhubs::{ProducerClient, SendEventOptions};
use retail_eventhubs_standin::{Standin, StandinConfig};

/// Runs an SDK call with a 5 s bound, up to 5 times. The SDK's AMQP layer can lose the answer
/// to a request the broker settles very fast (the call then never returns), and `open` does
/// not retry: the product's sink bounds and retries every call the same way.
async fn bounded<T, E: std::fmt::Debug, F: std::future::Future<Output = Result<T, E>>>(
    what: &str,
    mut call: impl FnMut() -> F,
) -> T {
    let mut last = String::from("no attempt");
    for _ in 0..5 {
        match tokio::time::timeout(Duration::from_secs(5), call()).await {
            Ok(Ok(value)) => return value,
            Ok(Err(error)) => last = format!("{error:?}"),
            Err(_) => last = "timed out after 5 s".into(),
        }
    }
    panic!("{what}: {last}");
}

async fn producer(standin: &Standin) -> ProducerClient {
    let connection_string = standin.connection_string("dGVzdA==");
    bounded("opening the producer", || {
        ProducerClient::builder()
            .with_custom_endpoint(standin.endpoint())
            .open_with_connection_string(&connection_string, None)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn management_reads_and_a_partition_send_work() {
    tokio::time::timeout(Duration::from_secs(90), async {
        let standin = Standin::start(StandinConfig {
            partition_count: 3,
            ..Default::default()
        })
        .await
        .unwrap();
        let producer = producer(&standin).await;
        let hub = bounded("reading the hub", || producer.get_eventhub_properties()).await;
        assert_eq!(hub.name, "retail-events");
        assert_eq!(hub.partition_ids, vec!["0", "1", "2"]);
        let partition = bounded("reading partition 2", || {
            producer.get_partition_properties("2")
        })
        .await;
        assert_eq!(partition.id, "2");
        assert!(partition.is_empty);

        // The SDK's AMQP layer can hang on a send that the broker settles very fast: bound
        // each attempt and retry, as the sink does.
        let mut sent = false;
        for _ in 0..5 {
            let event = EventData::builder()
                .with_body(b"hello".to_vec())
                .with_message_id("m-1")
                .add_property("Table".to_string(), "store_opened")
                .build();
            let options = SendEventOptions {
                partition_id: Some("2".into()),
            };
            if let Ok(Ok(())) = tokio::time::timeout(
                Duration::from_secs(5),
                producer.send_event(event, Some(options)),
            )
            .await
            {
                sent = true;
                break;
            }
        }
        assert!(sent, "no send attempt was acknowledged");
        let received = standin.received();
        assert!(!received.is_empty());
        assert_eq!(received[0].body, b"hello");
        assert_eq!(received[0].partition_id.as_deref(), Some("2"));
        assert_eq!(received[0].message_id.as_deref(), Some("m-1"));
        assert_eq!(received[0].application_properties["Table"], "store_opened");
        let partition = bounded("reading partition 2", || {
            producer.get_partition_properties("2")
        })
        .await;
        assert!(!partition.is_empty);
        // Partition 7 does not exist: an error (a lost answer is retried, as above).
        let mut refused = false;
        for _ in 0..5 {
            match tokio::time::timeout(
                Duration::from_secs(5),
                producer.get_partition_properties("7"),
            )
            .await
            {
                Ok(Err(_)) => {
                    refused = true;
                    break;
                }
                Ok(Ok(p)) => panic!("partition 7 does not exist, yet got {p:?}"),
                Err(_) => continue,
            }
        }
        assert!(refused, "partition 7 was never refused");
        assert!(standin.stats().tokens_accepted >= 1);
        assert!(standin.stats().management_requests >= 4);
        // The stand-in does not complete the AMQP close handshake in every case (see
        // docs/eventhubs.md); bound it like the sink does.
        let _ = tokio::time::timeout(Duration::from_secs(5), producer.close()).await;
        standin.stop().await;
    })
    .await
    .expect("bounded in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_reuses_the_port_and_keeps_what_was_received() {
    let standin = Standin::start(StandinConfig::default()).await.unwrap();
    let port = standin.port();
    standin.stop().await;
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
    );
    standin.restart().await.unwrap();
    assert_eq!(standin.port(), port);
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
    );
    assert!(
        standin
            .connection_string("k")
            .contains("EntityPath=retail-events")
    );
    standin.stop().await;
}
