//! The local sinks and the run loop, end to end.

use std::sync::Arc;

use async_trait::async_trait;
use futures::FutureExt;
use retail_streaming::{
    EncodedEvent, HealthReport, JsonlSink, PipelineOptions, SequencedEvent, Sink, SinkConfig,
    SinkError, SinkMetrics, StdoutSink, spawn_sink,
};
use tokio::sync::Semaphore;

fn event(i: u64) -> EncodedEvent {
    let event_type = if i % 3 == 0 {
        "receipt_created"
    } else {
        "receipt_line_added"
    };
    let body = format!(r#"{{"event_type":"{event_type}","trace_id":"t-{i}","n":{i}}}"#);
    EncodedEvent::new(
        body,
        event_type,
        format!("t-{i}"),
        format!("store-{}", i % 4),
        i as i64 * 1_000,
    )
}

#[tokio::test]
async fn jsonl_sink_rotates_without_splitting_lines_and_keeps_order() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("out").join("events.jsonl");
    let metrics = Arc::new(SinkMetrics::new());
    let mut sink = JsonlSink::new(base.clone(), Some(200), Arc::clone(&metrics));
    sink.healthcheck().await.unwrap();
    let events: Vec<EncodedEvent> = (0..20).map(event).collect();
    for (i, e) in events.iter().enumerate() {
        sink.submit(SequencedEvent {
            index: i as u64,
            event: e.clone(),
        })
        .await
        .unwrap();
    }
    sink.flush().await.unwrap();
    let paths = sink.written_paths().to_vec();
    assert_eq!(sink.acknowledged_through(), Some(19));
    Box::new(sink).close().await.unwrap();

    assert!(paths.len() > 1, "expected rotation, got {paths:?}");
    assert_eq!(paths[0], base);
    assert_eq!(paths[1], dir.path().join("out").join("events.1.jsonl"));
    let mut lines = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(
            text.len() <= 200,
            "{} has {} bytes",
            path.display(),
            text.len()
        );
        assert!(text.ends_with('\n'));
        lines.extend(text.lines().map(str::to_owned));
    }
    let expected: Vec<String> = events
        .iter()
        .map(|e| String::from_utf8(e.body.to_vec()).unwrap())
        .collect();
    assert_eq!(lines, expected);
    let snapshot = metrics.snapshot();
    assert_eq!(snapshot.events_sent_all_types(), 20);
    assert_eq!(snapshot.events_sent_total["receipt_created"], 7);
    assert_eq!(
        snapshot.bytes_sent_total,
        events.iter().map(|e| e.body.len() as u64).sum::<u64>()
    );
}

#[tokio::test]
async fn jsonl_line_longer_than_the_limit_gets_its_own_file() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("e.jsonl");
    let mut sink = JsonlSink::new(base.clone(), Some(10), Arc::new(SinkMetrics::new()));
    for i in 0..3 {
        sink.submit(SequencedEvent {
            index: i,
            event: event(i),
        })
        .await
        .unwrap();
    }
    let paths = sink.written_paths().to_vec();
    Box::new(sink).close().await.unwrap();
    assert_eq!(paths.len(), 3);
    for (i, path) in paths.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        assert_eq!(text.lines().count(), 1, "{}", path.display());
        assert!(text.contains(&format!("\"n\":{i}")));
    }
}

#[tokio::test]
async fn jsonl_without_a_limit_writes_one_file_through_the_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("all.jsonl");
    let config: SinkConfig = format!("jsonl:{}", path.display()).parse().unwrap();
    let mut sink = config.build(Arc::new(SinkMetrics::new())).unwrap();
    let report = sink.healthcheck().await.unwrap();
    assert_eq!(report.sink, "jsonl");
    let (sender, run) = spawn_sink(
        sink,
        PipelineOptions {
            channel_capacity: 8,
            ..Default::default()
        },
    );
    for i in 0..100 {
        sender.send(event(i)).await.unwrap();
    }
    drop(sender);
    let summary = run.finish().await.unwrap();
    assert_eq!(summary.events_received, 100);
    assert_eq!(summary.acknowledged_through, Some(99));
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 100);
    assert!(text.lines().last().unwrap().contains("\"n\":99"));
}

#[tokio::test]
async fn unwritable_jsonl_path_fails_the_healthcheck_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let mut sink = JsonlSink::new(
        blocker.join("events.jsonl"),
        None,
        Arc::new(SinkMetrics::new()),
    );
    let error = sink.healthcheck().await.unwrap_err().to_string();
    assert!(error.contains("file"), "{error}");
}

#[derive(Clone, Default)]
struct SharedBuffer(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn stdout_sink_writes_one_line_per_event() {
    let buffer = SharedBuffer::default();
    let metrics = Arc::new(SinkMetrics::new());
    let sink = StdoutSink::with_writer(Box::new(buffer.clone()), Arc::clone(&metrics));
    let (sender, run) = spawn_sink(Box::new(sink), PipelineOptions::default());
    for i in 0..10 {
        sender.send(event(i)).await.unwrap();
    }
    drop(sender);
    run.finish().await.unwrap();
    let out = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 10);
    for (i, line) in lines.iter().enumerate() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(value["n"], i as u64);
    }
    assert_eq!(metrics.snapshot().events_sent_all_types(), 10);
    assert_eq!(metrics.snapshot().buffered_events, 0);
}

/// A sink that accepts an event only when the test hands it a permit.
struct GatedSink {
    gate: Arc<Semaphore>,
    metrics: Arc<SinkMetrics>,
    acks: retail_streaming::AckTracker,
}

#[async_trait]
impl Sink for GatedSink {
    fn name(&self) -> &'static str {
        "gated"
    }
    fn metrics(&self) -> Arc<SinkMetrics> {
        Arc::clone(&self.metrics)
    }
    async fn healthcheck(&mut self) -> Result<HealthReport, SinkError> {
        unreachable!("not used")
    }
    async fn submit(&mut self, event: SequencedEvent) -> Result<(), SinkError> {
        self.gate.acquire().await.unwrap().forget();
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

#[tokio::test]
async fn a_slow_sink_blocks_the_producer_once_the_channel_is_full() {
    let gate = Arc::new(Semaphore::new(0));
    let metrics = Arc::new(SinkMetrics::new());
    let sink = GatedSink {
        gate: Arc::clone(&gate),
        metrics: Arc::clone(&metrics),
        acks: Default::default(),
    };
    let (sender, run) = spawn_sink(
        Box::new(sink),
        PipelineOptions {
            channel_capacity: 4,
            start_index: 100,
            ..Default::default()
        },
    );
    let checkpoints = run.checkpoints();
    // The first event is taken by the blocked sink, the next four fill the channel.
    for i in 0..5 {
        sender.send(event(i)).await.unwrap();
    }
    assert_eq!(sender.available_capacity(), 0);
    assert!(
        sender.send(event(5)).now_or_never().is_none(),
        "a full channel must make the producer wait"
    );
    assert_eq!(metrics.snapshot().events_received_total, 1);
    gate.add_permits(1000);
    sender.send(event(6)).await.unwrap();
    drop(sender);
    let summary = run.finish().await.unwrap();
    assert_eq!(summary.events_received, 6);
    assert_eq!(summary.acknowledged_through, Some(105));
    assert_eq!(*checkpoints.borrow(), Some(105));
    assert_eq!(metrics.snapshot().buffered_events, 0);
}

/// The line a JSONL sink writes for `event(i)`.
fn line_of(i: u64) -> String {
    format!("{}\n", String::from_utf8(event(i).body.to_vec()).unwrap())
}

/// Resumes the JSONL file at `path` as a restarted stream does, appends `event(i)` as the
/// stream's event number `index`, and returns the file's text.
async fn resume_and_append(path: &std::path::Path, index: u64, i: u64) -> String {
    let metrics = Arc::new(SinkMetrics::new());
    let mut sink = JsonlSink::new(path.to_path_buf(), None, metrics).appending(true);
    sink.healthcheck().await.unwrap();
    sink.submit(SequencedEvent {
        index,
        event: event(i),
    })
    .await
    .unwrap();
    sink.flush().await.unwrap();
    Box::new(sink).close().await.unwrap();
    std::fs::read_to_string(path).unwrap()
}

#[tokio::test]
async fn jsonl_sink_resuming_after_a_kill_drops_the_torn_last_line() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("events.jsonl");
    let whole = format!("{}{}", line_of(0), line_of(1));
    // A kill in the middle of the third line; the fragment is longer than the repair's
    // 64 KiB read-back window, so the search for the last newline crosses chunks.
    let fragment = format!(
        "{{\"event_type\":\"receipt_created\",\"pad\":\"{}",
        "x".repeat(70_000)
    );
    std::fs::write(&base, format!("{whole}{fragment}")).unwrap();

    let text = resume_and_append(&base, 2, 2).await;
    assert_eq!(text, format!("{whole}{}", line_of(2)));
    for line in text.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
}

#[tokio::test]
async fn jsonl_sink_resuming_a_file_of_only_a_fragment_starts_it_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("events.jsonl");
    std::fs::write(&base, "{\"event_type\":\"recei").unwrap();
    assert_eq!(resume_and_append(&base, 0, 7).await, line_of(7));
}
