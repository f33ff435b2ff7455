//! A recognisable fake SAS key never appears in logs or errors, whatever happens.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use retail_eventhubs_standin::{Standin, StandinConfig};
use retail_streaming::eventhubs::{
    CircuitBreakerConfig, EventHubsAuth, EventHubsConfig, EventHubsSink, RetryPolicy,
};
use retail_streaming::{
    EncodedEvent, PipelineOptions, SecretString, Sink, SinkConfig, SinkMetrics, spawn_sink,
};

const FAKE_KEY: &str = "FAKEsasKEYxyzzy1234567890abcdefDONOTLOG9876=";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn config(connection_string: String, endpoint: String, dir: &std::path::Path) -> EventHubsConfig {
    EventHubsConfig {
        auth: EventHubsAuth::ConnectionString(SecretString::new(connection_string)),
        custom_endpoint: Some(endpoint),
        send_timeout: Duration::from_secs(3),
        connect_timeout: Duration::from_secs(3),
        retry: RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
            ..Default::default()
        },
        circuit_breaker: CircuitBreakerConfig {
            failure_threshold: 100,
            open_for: Duration::from_millis(10),
        },
        dead_letter_path: dir.join("dl.jsonl"),
        ..Default::default()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_sas_key_never_reaches_logs_or_errors() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let mut outputs: Vec<String> = Vec::new();

    tokio::time::timeout(Duration::from_secs(120), async {
        let dir = tempfile::tempdir().unwrap();
        let standin = Standin::start(StandinConfig::default()).await.unwrap();
        let connection_string = standin.connection_string(FAKE_KEY);

        // A run with faults: server busy, a dropped connection.
        standin.reject_next_transfers_server_busy(3);
        standin.drop_connection_after_events(50);
        let sink = EventHubsSink::new(
            config(connection_string.clone(), standin.endpoint(), dir.path()),
            Arc::new(SinkMetrics::new()),
        )
        .unwrap();
        outputs.push(format!("{sink:?}"));
        let (sender, run) = spawn_sink(Box::new(sink), PipelineOptions::default());
        for i in 0..200 {
            let body = format!(r#"{{"event_type":"store_opened","trace_id":"t{i}"}}"#);
            sender
                .send(EncodedEvent::new(
                    body,
                    "store_opened",
                    format!("t{i}"),
                    "store-1",
                    0,
                ))
                .await
                .unwrap();
        }
        drop(sender);
        let summary = run.finish().await;
        outputs.push(format!("{summary:?}"));
        assert!(summary.is_ok(), "{summary:?}");

        // A refused permanent failure and an unreachable endpoint.
        standin.reject_next_transfers(5, "amqp:unauthorized-access");
        let (sender, run) = spawn_sink(
            Box::new(
                EventHubsSink::new(
                    config(connection_string.clone(), standin.endpoint(), dir.path()),
                    Arc::new(SinkMetrics::new()),
                )
                .unwrap(),
            ),
            PipelineOptions::default(),
        );
        sender
            .send(EncodedEvent::new("{}", "store_opened", "u1", "store-1", 0))
            .await
            .ok();
        drop(sender);
        let refused = run.finish().await;
        assert!(refused.is_err());
        outputs.push(format!("{refused:?}"));
        outputs.push(refused.unwrap_err().to_string());
        standin.stop().await;

        let mut unreachable = EventHubsSink::new(
            config(connection_string.clone(), standin.endpoint(), dir.path()),
            Arc::new(SinkMetrics::new()),
        )
        .unwrap();
        let error = unreachable.healthcheck().await.unwrap_err();
        outputs.push(format!("{error:?}"));
        outputs.push(error.to_string());

        // Malformed connection strings and specs.
        let broken =
            format!("Endpoint=http://nowhere/;SharedAccessKeyName=x;SharedAccessKey={FAKE_KEY}");
        let error = EventHubsSink::new(
            config(broken, standin.endpoint(), dir.path()),
            Arc::new(SinkMetrics::new()),
        )
        .unwrap_err();
        outputs.push(format!("{error:?} {error}"));
        let error = format!("eventhubs?hub=x;SharedAccessKey={FAKE_KEY}")
            .parse::<SinkConfig>()
            .unwrap_err();
        outputs.push(format!("{error:?} {error}"));
        outputs.push(format!(
            "{:?}",
            config(connection_string, standin.endpoint(), dir.path())
        ));
    })
    .await
    .expect("test bounded in time");

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.len() > 1_000,
        "expected trace logs, got {} bytes",
        logs.len()
    );
    assert!(!logs.contains(FAKE_KEY), "the key leaked into the logs");
    for output in &outputs {
        assert!(!output.contains(FAKE_KEY), "the key leaked into {output}");
    }
}
