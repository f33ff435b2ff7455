//! End-to-end tests of `retail stream` through the built binary: it continues a generated
//! dataset, resumes after a stop, stops cleanly on SIGINT, serves metrics, applies run-time
//! disruptions and checks an Event Hubs destination (the local stand-in).

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::Path;
use std::process::Stdio;
use std::sync::OnceLock;

use retail_schemas::{Date, Envelope, EventType, Payload, Ts};

use support::*;

const HISTORY_END: &str = "2024-11-26";

/// A small-profile history through HISTORY_END, generated once per test binary.
fn history() -> &'static Path {
    static HISTORY: OnceLock<tempfile::TempDir> = OnceLock::new();
    HISTORY
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            assert_ok(&retail_small(
                dir.path(),
                &["generate", "--end", HISTORY_END],
            ));
            dir
        })
        .path()
}

/// A private copy of the history's database and continuation state (streams write their
/// progress into the data directory).
fn dataset() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source = history();
    std::fs::copy(
        source.join("retail.duckdb"),
        dir.path().join("retail.duckdb"),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("state")).unwrap();
    std::fs::copy(
        source.join("state/checkpoint.bin"),
        dir.path().join("state/checkpoint.bin"),
    )
    .unwrap();
    dir
}

/// `retail stream --sink SINK --rate unlimited` on the small profile, followed by `extra`.
fn stream_unpaced(data_dir: &Path, sink: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["stream", "--sink", sink, "--rate", "unlimited"];
    args.extend_from_slice(extra);
    retail_small(data_dir, &args)
}

/// The latest business instant of the history: the maximum `event_ts` of every fact table
/// (other timestamp columns, such as planned arrivals or order deliveries, lie in the future).
fn history_last_timestamp(data_dir: &Path) -> Ts {
    let store = retail_store::Store::open(data_dir).unwrap();
    let connection = store.connection();
    let mut latest = i64::MIN;
    for def in retail_schemas::fact_tables() {
        for column in def.columns() {
            if column.name != "event_ts" {
                continue;
            }
            let sql = format!("SELECT max(epoch_us({})) FROM {}", column.name, def.name);
            let max: Option<i64> = connection.query_row(&sql, [], |r| r.get(0)).unwrap();
            latest = latest.max(max.unwrap_or(i64::MIN));
        }
    }
    Ts(latest)
}

fn progress(data_dir: &Path) -> serde_json::Value {
    serde_json::from_str(
        &std::fs::read_to_string(data_dir.join("state/stream-progress.json")).unwrap(),
    )
    .unwrap()
}

#[test]
fn stream_continues_the_generated_history_with_every_event_type() {
    let data = dataset();
    let file = data.path().join("e.jsonl");
    let out = stream_unpaced(data.path(), &jsonl_sink(&file), &["--max-events", "100000"]);
    assert_ok(&out);

    let history_end = Date::parse(HISTORY_END).unwrap();
    let last_history_ts = history_last_timestamp(data.path());
    let last_receipt_by_store: BTreeMap<i64, Ts> = {
        let store = retail_store::Store::open(data.path()).unwrap();
        let mut statement = store
            .connection()
            .prepare(
                "SELECT store_id, max(epoch_us(event_ts)) FROM fact_receipts GROUP BY store_id",
            )
            .unwrap();
        statement
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, Ts(r.get::<_, i64>(1)?))))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let mut types: BTreeMap<EventType, u64> = BTreeMap::new();
    let mut trace_ids = BTreeSet::new();
    let mut previous: Option<Ts> = None;
    let text = lines(&file);
    for (i, line) in text.iter().enumerate() {
        let event = Envelope::from_json(line.as_bytes())
            .unwrap_or_else(|e| panic!("line {i} is not a valid envelope: {e}"));
        let ts = event.payload.event_ts();
        if previous.is_none() {
            // Business days overlap in UTC across time zones (an east-coast morning precedes
            // a west-coast evening of the day before), so the stream continues by business
            // date: its first event lies within the last history day's UTC span, never before.
            assert!(
                ts.0 > last_history_ts.0 - Ts::MICROS_PER_DAY,
                "the first event ({}) is far before the history's last timestamp ({})",
                ts.to_rfc3339(),
                last_history_ts.to_rfc3339()
            );
        }
        if let Payload::ReceiptCreated(r) = &event.payload {
            assert!(
                ts > last_receipt_by_store[&r.store_id],
                "a streamed receipt of store {} precedes the store's last history receipt",
                r.store_id
            );
        }
        assert!(
            event.payload.business_date() > history_end,
            "line {i}: business date {} is not after the history",
            event.payload.business_date()
        );
        assert!(
            previous.is_none_or(|p| p <= ts),
            "line {i}: events leave in event_ts order"
        );
        assert!(
            trace_ids.insert(event.trace_id),
            "line {i}: duplicate trace_id"
        );
        previous = Some(ts);
        *types.entry(event.event_type).or_default() += 1;
    }
    assert_eq!(text.len(), 100_000);
    let missing: Vec<_> = EventType::all()
        .into_iter()
        .filter(|t| !types.contains_key(t))
        .collect();
    assert!(
        missing.is_empty(),
        "missing event types: {missing:?} ({types:?})"
    );
    assert_eq!(progress(data.path())["next_index"], 100_000);
}

#[test]
fn picks_and_shipments_of_orders_from_the_last_history_day_are_streamed() {
    let data = dataset();
    let file = data.path().join("orders.jsonl");
    assert_ok(&stream_unpaced(
        data.path(),
        &jsonl_sink(&file),
        &[
            "--days",
            "2",
            "--event-types",
            "online_order_created,online_order_picked,online_order_shipped",
        ],
    ));
    let mut created = BTreeSet::new();
    let mut carried = 0;
    for line in lines(&file) {
        let event = Envelope::from_json(line.as_bytes()).unwrap();
        let order = event.correlation_id.clone().unwrap();
        match event.event_type {
            EventType::OnlineOrderCreated => {
                created.insert(order);
            }
            _ if !created.contains(&order) => carried += 1,
            _ => {}
        }
    }
    let store = retail_store::Store::open(data.path()).unwrap();
    // Orders created in the history whose pick or shipment is on a streamed (node-local) day;
    // every pick / ship instant after the history's end date in UTC is certainly one.
    let expected: i64 = store
        .connection()
        .query_row(
            "SELECT count(*) FILTER (WHERE picked_ts >= TIMESTAMP '2024-11-27 14:00:00') \
                  + count(*) FILTER (WHERE shipped_ts >= TIMESTAMP '2024-11-27 14:00:00') \
             FROM fact_online_order_headers",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        expected > 0,
        "the history has no order picked or shipped later"
    );
    assert!(
        carried >= expected as usize,
        "{carried} carried-over pick/ship events, expected at least {expected}"
    );
}

#[test]
fn a_restarted_stream_continues_with_no_gap_and_no_duplicate() {
    let data = dataset();
    let resumed = data.path().join("resumed.jsonl");
    let base = ["--rate", "unlimited", "--max-events"];
    for _ in 0..3 {
        let sink = jsonl_sink(&resumed);
        let mut args = vec!["stream", "--sink", &sink];
        args.extend(base);
        args.push("7000");
        assert_ok(&retail_small(data.path(), &args));
    }
    assert_eq!(progress(data.path())["next_index"], 21_000);

    let whole = data.path().join("whole.jsonl");
    let sink = jsonl_sink(&whole);
    let mut args = vec!["stream", "--restart", "--sink", &sink];
    args.extend(base);
    args.push("21000");
    assert_ok(&retail_small(data.path(), &args));
    let (resumed, whole) = (lines(&resumed), lines(&whole));
    assert_eq!(resumed.len(), 21_000);
    // jsonl envelopes are byte-deterministic (ingest_timestamp = event_ts): three resumed runs
    // equal one uninterrupted run, trace_ids included.
    assert!(
        resumed == whole,
        "resumed stream differs from the uninterrupted one"
    );

    // Another filter is another stream: resuming with it is refused.
    let sink = jsonl_sink(&data.path().join("other.jsonl"));
    let out = retail_small(
        data.path(),
        &[
            "stream",
            "--sink",
            &sink,
            "--event-types",
            "receipt_created",
            "--max-events",
            "10",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--restart"));
}

/// Streams into `file` at 3,000 events/s until it holds `at_least` lines, then stops the
/// stream with `signal` (INT or TERM) and checks the clean stop: exit 0, the summary on
/// stderr, and a progress file that covers exactly the lines written (everything sent was
/// flushed and acknowledged). Returns the number of lines.
fn stream_until_signal(data_dir: &Path, file: &Path, signal: &str, at_least: usize) -> usize {
    let child = retail_small_command(
        data_dir,
        &[
            "stream",
            "--sink",
            &jsonl_sink(file),
            "--rate",
            "3000",
            "--progress-every",
            "0.2",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    wait_for("events in the file", || lines(file).len() >= at_least);
    send_signal(&child, signal);
    let out = child.wait_with_output().unwrap();
    assert_ok(&out);
    let stderr = stderr(&out);
    assert!(
        stderr.contains("stream done (stopped by signal)"),
        "SIG{signal}: {stderr}"
    );
    assert!(
        stderr.contains("events/s") && stderr.contains("dead-lettered"),
        "SIG{signal}: {stderr}"
    );
    let written = lines(file).len();
    assert!(written >= at_least);
    assert_eq!(
        progress(data_dir)["next_index"],
        written as u64,
        "SIG{signal}"
    );
    written
}

#[test]
fn sigint_and_sigterm_flush_write_progress_and_exit_zero() {
    let data = dataset();
    let file = data.path().join("paced.jsonl");
    let written = stream_until_signal(data.path(), &file, "INT", 2_000);
    // SIGTERM after a resume: still no gap.
    let total = stream_until_signal(data.path(), &file, "TERM", written + 1_000);

    let whole = data.path().join("whole.jsonl");
    assert_ok(&stream_unpaced(
        data.path(),
        &jsonl_sink(&whole),
        &["--restart", "--max-events", &total.to_string()],
    ));
    assert!(
        lines(&file) == lines(&whole),
        "the interrupted runs left a gap or a duplicate"
    );
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

#[test]
fn metrics_are_served_over_http() {
    let data = dataset();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = retail_small_command(
        data.path(),
        &[
            "stream",
            "--sink",
            "null",
            "--rate",
            "2000",
            "--quiet",
            "--metrics",
            &format!("127.0.0.1:{port}"),
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut body = String::new();
    wait_for("metrics with sent events", || {
        body = http_get(port, "/metrics").unwrap_or_default();
        body.contains("events_sent_total{sink=\"null\",event_type=")
    });
    assert!(body.starts_with("HTTP/1.1 200"), "{body}");
    assert!(body.contains("text/plain; version=0.0.4"), "{body}");
    assert!(
        body.contains("# TYPE events_received_total counter"),
        "{body}"
    );
    assert!(body.contains("lag_seconds{sink=\"null\"}"), "{body}");
    let missing = http_get(port, "/nothing").unwrap();
    assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
    send_signal(&child, "INT");
    assert_ok(&child.wait_with_output().unwrap());
    // The null sink keeps no progress.
    assert!(!data.path().join("state/stream-progress.json").exists());
}

#[test]
fn a_run_time_disruption_changes_the_events_from_its_start() {
    let data = dataset();
    let start = "2024-11-28T12:00:00Z";
    let run = |name: &str, disruption: Option<&str>| -> Vec<String> {
        let file = data.path().join(name);
        let sink = jsonl_sink(&file);
        let mut args = vec![
            "stream",
            "--restart",
            "--sink",
            &sink,
            "--rate",
            "unlimited",
            "--days",
            "4",
            "--event-types",
            "truck_arrived,truck_departed,reorder_triggered,stockout_detected",
        ];
        if let Some(d) = disruption {
            args.extend(["--disruption", d]);
        }
        assert_ok(&retail_small(data.path(), &args));
        lines(&file)
    };
    let plain = run("plain.jsonl", None);
    let spec = format!("dc_outage:ALL:3d@{start}");
    let disrupted = run("disrupted.jsonl", Some(&spec));
    let start = Ts::parse_rfc3339(start).unwrap();
    let before = |events: &[String]| -> Vec<String> {
        events
            .iter()
            .filter(|l| {
                Envelope::from_json(l.as_bytes())
                    .unwrap()
                    .payload
                    .event_ts()
                    < start
            })
            .cloned()
            .collect()
    };
    assert!(!before(&plain).is_empty());
    assert_eq!(
        before(&plain),
        before(&disrupted),
        "events before the disruption changed"
    );
    let departures = |events: &[String]| {
        events
            .iter()
            .filter(|l| l.contains("\"event_type\":\"truck_departed\""))
            .count()
    };
    assert!(
        departures(&disrupted) < departures(&plain),
        "a three-day outage of every DC sends fewer trucks: {} vs {}",
        departures(&disrupted),
        departures(&plain)
    );
    let bad = retail_small(
        data.path(),
        &[
            "stream",
            "--sink",
            "null",
            "--disruption",
            "dc_outage:NOWHERE:2h",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn check_connects_to_the_event_hub_and_prints_its_partitions() {
    use retail_eventhubs_standin::{Standin, StandinConfig};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let standin = runtime
        .block_on(Standin::start(StandinConfig {
            partition_count: 3,
            ..Default::default()
        }))
        .unwrap();
    let empty = tempfile::tempdir().unwrap();
    let sink = format!("eventhubs?endpoint={}", standin.endpoint());
    let out = retail_small_command(empty.path(), &["stream", "--sink", &sink, "--check"])
        .env(
            "AZURE_EVENTHUB_CONNECTION_STRING",
            standin.connection_string("c3RhbmRpbi1rZXk="),
        )
        .output()
        .unwrap();
    assert_ok(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("partitions: 3 (0, 1, 2)"), "{stdout}");
    assert!(
        stdout.contains("standin.servicebus.windows.net/retail-events"),
        "{stdout}"
    );
    let all = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains("c3RhbmRpbi1rZXk="), "the key leaked: {all}");

    // A real stream through the stand-in: every event arrives.
    let data = dataset();
    let out = retail_small_command(
        data.path(),
        &[
            "stream",
            "--sink",
            &sink,
            "--rate",
            "unlimited",
            "--max-events",
            "3000",
            "--quiet",
        ],
    )
    .env(
        "AZURE_EVENTHUB_CONNECTION_STRING",
        standin.connection_string("c3RhbmRpbi1rZXk="),
    )
    .output()
    .unwrap();
    assert_ok(&out);
    let received: BTreeSet<String> = standin
        .received()
        .into_iter()
        .filter_map(|e| e.message_id)
        .collect();
    assert_eq!(received.len(), 3_000);
    assert_eq!(progress(data.path())["next_index"], 3_000);
    runtime.block_on(standin.stop());
}

#[test]
fn bad_arguments_are_bad_input() {
    let data = dataset();
    for args in [
        &["stream", "--sink", "null", "--rate", "fast"][..],
        &["stream", "--sink", "kafka"],
        &["stream", "--sink", "null", "--duration", "soon"],
        &[
            "stream",
            "--sink",
            "null",
            "--event-types",
            "receipt_printed",
        ],
        &["stream", "--sink", "null", "--pacing", "warp"],
    ] {
        let out = retail_small(data.path(), args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let empty = tempfile::tempdir().unwrap();
    let out = retail_small(empty.path(), &["stream", "--sink", "null"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("retail generate"));
}

#[test]
fn the_duckdb_sink_keeps_a_typed_table_per_event_type_beside_the_history() {
    let reference = dataset();
    let file = reference.path().join("e.jsonl");
    let common = ["--rate", "unlimited", "--max-events", "5000"];
    let sink = jsonl_sink(&file);
    let mut args = vec!["stream", "--sink", sink.as_str()];
    args.extend(common);
    assert_ok(&retail_small(reference.path(), &args));
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for line in lines(&file) {
        let envelope = Envelope::from_json(line.as_bytes()).unwrap();
        *expected
            .entry(envelope.event_type.name().to_owned())
            .or_default() += 1;
    }

    let data = dataset();
    let mut args = vec!["stream", "--sink", "duckdb"];
    args.extend(common);
    assert_ok(&retail_small(data.path(), &args));

    let store = retail_store::Store::open(data.path()).unwrap();
    let connection = store.connection();
    let mut stored: BTreeMap<String, i64> = BTreeMap::new();
    for event_type in EventType::all() {
        let sql = format!("SELECT count(*) FROM {}", event_type.name());
        let count: i64 = connection.query_row(&sql, [], |r| r.get(0)).unwrap();
        if count > 0 {
            stored.insert(event_type.name().to_owned(), count);
        }
    }
    assert_eq!(stored, expected);
    // The history is still there, untouched by the sink.
    let receipts: i64 = connection
        .query_row("SELECT count(*) FROM fact_receipts", [], |r| r.get(0))
        .unwrap();
    assert!(receipts > 0);
    let alerts_table: i64 = connection
        .query_row(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'alerts'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(alerts_table, 1);
}

/// A dataset made with `generate --start` (a start other than the configuration's) streams:
/// the stream takes the dataset's recorded start, so the configuration hashes match.
#[test]
fn a_dataset_generated_with_its_own_start_can_be_streamed() {
    let data = tempfile::tempdir().unwrap();
    assert_ok(&retail_small(
        data.path(),
        &["generate", "--start", "2024-11-25", "--end", "2024-11-25"],
    ));
    let file = data.path().join("events.jsonl");
    assert_ok(&stream_unpaced(
        data.path(),
        &jsonl_sink(&file),
        &["--max-events", "100"],
    ));
    assert_eq!(lines(&file).len(), 100);
}

#[test]
fn check_of_the_duckdb_sink_creates_the_database_or_names_the_bad_path() {
    let empty = tempfile::tempdir().unwrap();
    let check = |spec: &str| retail_small(empty.path(), &["stream", "--sink", spec, "--check"]);

    // A path in directories that do not exist yet: they and the database are created.
    let fresh = empty.path().join("new/dir/e.duckdb");
    let out = check(&format!("duckdb:{}", fresh.display()));
    assert_ok(&out);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("sink: duckdb"), "{stdout}");
    assert!(stdout.contains(&fresh.display().to_string()), "{stdout}");
    let tables: i64 = duckdb::Connection::open(&fresh)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'receipt_created'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 1, "the check did not create the eventhouse tables");

    // Paths that cannot hold a database: exit 2, the path and the reason, nothing printed as ok.
    let a_file = empty.path().join("plain.txt");
    std::fs::write(&a_file, "not a database, long enough for a DuckDB header").unwrap();
    let under_a_file = a_file.join("x.duckdb");
    let cases = [
        (under_a_file.clone(), "is not a directory"),
        (empty.path().join("new"), "is a directory"),
        (a_file.clone(), "not a valid DuckDB database"),
    ];
    for (path, reason) in cases {
        let out = check(&format!("duckdb:{}", path.display()));
        assert_clear_error(&out, &[2], &[&path.display().to_string(), reason]);
        assert!(!text(&out.stdout).contains("ok"), "{}", text(&out.stdout));
    }
    assert!(!under_a_file.exists());
}
