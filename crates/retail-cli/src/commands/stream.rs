//! `retail stream`: continues a generated dataset as a live event stream (events.md §9).
//!
//! The days after the dataset's last generated one are generated exactly as `retail generate`
//! would (without writing them) on a generator thread, one day ahead of the sender; their
//! events go to the sink in event-time order, paced per the options. The position of the
//! last fully acknowledged event is kept in `DATA_DIR/state/stream-progress.json`, so a
//! restarted stream continues after it.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use retail_config::Config;
use retail_eventhouse::{DuckdbSink, DuckdbSinkOptions};
use retail_patterns::disruption::Disruption;
use retail_schemas::{Date, EventType, Ts};
use retail_store::{DATABASE_FILE, Store};
use retail_streaming::eventhubs::{
    DEFAULT_CONNECTION_STRING_ENV, EntraCredential, EventHubsAuth, EventHubsConfig, RetryPolicy,
};
use retail_streaming::{
    DayEvent, JsonlSink, OrderLifecycle, Pacing, PipelineOptions, ProduceOptions, Sink, SinkConfig,
    SinkError, SinkMetrics, StopReason, carried_over_events, events_of_day_owned, spawn_sink,
};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::Exit;
use crate::pipeline::{self, DayEngine};
use crate::{GlobalArgs, exit, settings};

const AFTER_HELP: &str = "\
Examples:
  retail --config config/small.json --data-dir D generate --end 2024-11-26
  retail --data-dir D stream --sink stdout --max-events 10              # default pacing (config): realtime
  retail --data-dir D stream --sink jsonl:/tmp/e.jsonl --rate unlimited --max-events 100000
  retail --data-dir D stream --sink 'jsonl:/tmp/e.jsonl?max_bytes=100000000'  # new file every 100 MB
  retail --data-dir D stream --sink duckdb --speed 0 --rate 200          # local eventhouse in D/retail.duckdb; see `retail dashboard`
  retail --data-dir D stream --sink duckdb:/tmp/e.duckdb --check         # create/open the database, exit
  retail --data-dir D stream --sink null --speed 3600 --duration 1h      # one simulated hour per second
  retail --data-dir D stream --sink null --rate 5000 --duration 30s       # at most 5000 events/s for 30 s
  retail --data-dir D stream --pacing realtime                           # event k when the wall clock reaches its event_ts
  retail --data-dir D stream --event-types receipt_created,payment_processed --days 1
  retail --data-dir D stream --start 2024-11-22 --days 2 --sink jsonl:/tmp/two-days.jsonl
  retail --data-dir D stream --disruption dc_outage:DC001:2h --disruption weather_delay:TX:1d:0.8@2024-11-27T12:00:00Z
  retail --data-dir D stream --sink eventhubs --metrics 127.0.0.1:9464    # Prometheus text at /metrics
  retail --data-dir D stream --sink eventhubs --check                     # connect, print partitions, exit
  retail --data-dir D stream --sink 'eventhubs?endpoint=amqp://127.0.0.1:5672' --hub retail-events

What is streamed: the days after the last generated one (or from --start), generated as
`retail generate` would without writing them; online-order picks and shipments of orders
created before the first streamed day that fall on it or later are sent too. Events leave
in event_ts order (events.md §9.2). ingest_timestamp is the wall clock, except for jsonl
sinks (= event_ts, like the NDJSON file sink of events.md §9.1).

Pacing: --speed X replays X times faster than event time (X = 0: as fast as --rate allows);
--pacing realtime sends each event when the wall clock reaches its event_ts, catching up at
--rate when behind. --rate caps events per second (default stream.max_events_per_second).

Resume: every sink except null records the position of the last event that it and every
earlier one were acknowledged (Event Hubs) or handed to the operating system (jsonl) in
DATA_DIR/state/stream-progress.json (written atomically, about once a second and at the end).
Running the command again continues right after it: nothing is skipped, and only events after
the last acknowledged position can be sent twice (same trace_id, so consumers deduplicate).
A jsonl sink then appends to the existing file. --restart (or --start) begins a new stream.
The event-type filter and the disruptions are part of the stream: resuming with other ones
is refused (exit 2).

Stopping: SIGINT or SIGTERM stops production, flushes the batches in flight, writes the
progress file, prints a summary and exits 0; a second signal exits at once (code 130) with
the progress file as last written. After kill -9 the next run resumes from the last progress
written (at most about a second of events is sent again).

--disruption KIND:TARGET:DURATION[:SEVERITY][@START] adds a supply-chain disruption from START
(default: the first streamed day, 00:00 UTC); KIND is dc_outage, truck_breakdown,
weather_delay, supplier_delay or inventory_shortage; TARGET is ALL, DC003, S000005 or a state
(TX); DURATION like 30m, 2h, 1.5d; SEVERITY in (0, 1].

Telemetry: a progress line on stderr every --progress-every seconds (events/s, sent, failed,
dead-lettered, event-time lag) unless --quiet; --metrics ADDR serves Prometheus text.
Exit codes: 0 done or stopped by a signal, 1 failure while running (sink, I/O),
2 bad input (arguments, configuration, no dataset, resume mismatch).";

/// Arguments of `retail stream`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct StreamArgs {
    /// Destination: `null`, `stdout`, `jsonl:PATH[?max_bytes=N]`, `duckdb[:PATH]` (the local
    /// eventhouse: typed tables, KPI views and alerts in DATA_DIR/retail.duckdb or PATH) or
    /// `eventhubs[?OPTIONS]` (OPTIONS: hub=, auth=connection_string|entra_id,
    /// connection_string_env=, namespace=, credential=, endpoint=amqp://HOST:PORT,
    /// max_batch_bytes=, send_timeout_ms=, dead_letter=). Examples after the options.
    #[arg(long, value_name = "SPEC", default_value = "stdout")]
    sink: String,
    /// Event Hub name (default: stream.event_hub, or the connection string's EntityPath).
    #[arg(long, value_name = "NAME")]
    hub: Option<String>,
    /// Cap in events per second, or `unlimited` (default: stream.max_events_per_second).
    #[arg(long, value_name = "N|unlimited")]
    rate: Option<String>,
    /// Replay at this speed-up (event k at start + (ts_k − ts_1) / X); 0 = unpaced.
    #[arg(long, value_name = "X")]
    speed: Option<f64>,
    /// `realtime` or `replay` (default: stream.pacing; --speed implies replay).
    #[arg(long, value_name = "MODE")]
    pacing: Option<String>,
    /// Stop after sending this many events.
    #[arg(long, value_name = "N")]
    max_events: Option<u64>,
    /// Stop after this much wall time: seconds, or a number with s, m, h or d (90s, 1h).
    #[arg(long, value_name = "DURATION")]
    duration: Option<String>,
    /// Only these event types (comma-separated; default: stream.event_types, or all 18).
    #[arg(long, value_name = "TYPES", value_delimiter = ',')]
    event_types: Option<Vec<String>>,
    /// First business date to stream (a new stream; default: resume, else the day after the
    /// last generated one).
    #[arg(long, value_name = "DATE")]
    start: Option<String>,
    /// Number of days to stream (default: stream.days, or until stopped).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    days: Option<u32>,
    /// Ignore the progress file and begin a new stream after the last generated day.
    #[arg(long)]
    restart: bool,
    /// Only check the sink: connect, print where events would go (and the Event Hub's
    /// partitions), and exit.
    #[arg(long)]
    check: bool,
    /// Serve Prometheus metrics over HTTP on this address (e.g. 127.0.0.1:9464).
    #[arg(long, value_name = "ADDR")]
    metrics: Option<SocketAddr>,
    /// Seconds between progress lines on stderr.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    progress_every: f64,
    /// Add a disruption from the given instant: `KIND:TARGET:DURATION[:SEVERITY][@START]`
    /// (repeatable).
    #[arg(long = "disruption", value_name = "SPEC")]
    disruptions: Vec<String>,
}

fn bad_input(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Exit {
        code: exit::BAD_INPUT,
        message: message.into(),
    })
}

/// The progress file of a data directory.
pub fn progress_path(data_dir: &Path) -> PathBuf {
    data_dir.join("state").join("stream-progress.json")
}

/// `state/stream-progress.json` (events.md §9.3): the stream's identity and its position.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct StreamProgress {
    /// Format of this file.
    format: u32,
    /// The dataset's configuration hash.
    config_hash: String,
    /// First business date of the stream (position 0 is its first event).
    origin_date: String,
    /// Event-type filter (sorted names), `None` for all 18.
    event_types: Option<Vec<String>>,
    /// Disruptions added at run time, in canonical form.
    disruptions: Vec<String>,
    /// Sink name and destination of the last run.
    sink: String,
    destination: String,
    /// Event Hub of the last run, for eventhubs sinks.
    event_hub: Option<String>,
    /// Events `0..next_index` of the stream are acknowledged: a restart sends `next_index` next.
    next_index: u64,
    /// `event_ts` of the newest acknowledged event.
    last_acknowledged_event_ts: Option<String>,
    /// Wall clock of this write.
    updated_at: String,
}

const PROGRESS_FORMAT: u32 = 1;

/// Everything decided before the stream starts.
struct Plan {
    options: ProduceOptions,
    sink: SinkConfig,
    start: Option<Date>,
    days: Option<u32>,
    event_type_names: Option<Vec<String>>,
}

fn parse_duration(flag: &str, text: &str) -> anyhow::Result<Duration> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], &text[i..]),
        _ => (text, "s"),
    };
    let factor = match unit {
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        _ => f64::NAN,
    };
    number
        .parse::<f64>()
        .ok()
        .map(|n| n * factor)
        .filter(|s| s.is_finite() && *s >= 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| {
            bad_input(format!(
                "{flag} {text:?} is not a duration (seconds, or a number with s, m, h or d)"
            ))
        })
}

/// Applies the configuration's `stream.*` Event Hubs settings where the `--sink` spec kept the
/// built-in default, then `--hub`; the dead-letter file defaults into `DATA_DIR/state/`.
fn apply_stream_settings(
    mut hubs: EventHubsConfig,
    config: &Config,
    hub: Option<&str>,
    data_dir: &Path,
) -> anyhow::Result<EventHubsConfig> {
    let defaults = EventHubsConfig::default();
    let stream = &config.stream;
    if hubs.auth == defaults.auth {
        hubs.auth = if stream.auth == "entra_id" {
            EventHubsAuth::EntraId {
                fully_qualified_namespace: stream.fully_qualified_namespace.clone().ok_or_else(
                    || bad_input("stream.auth = entra_id needs stream.fully_qualified_namespace"),
                )?,
                credential: EntraCredential::Auto,
            }
        } else if stream.connection_string_env != DEFAULT_CONNECTION_STRING_ENV {
            EventHubsAuth::ConnectionStringEnv(stream.connection_string_env.clone())
        } else {
            hubs.auth
        };
    }
    if let Some(hub) = hub {
        hubs.event_hub = Some(hub.to_owned());
    } else if hubs.event_hub.is_none()
        && stream.event_hub != retail_streaming::eventhubs::DEFAULT_EVENT_HUB
    {
        hubs.event_hub = Some(stream.event_hub.clone());
    }
    if hubs.max_batch_bytes == defaults.max_batch_bytes {
        hubs.max_batch_bytes = u64::from(stream.max_batch_bytes);
    }
    if hubs.max_event_bytes == defaults.max_event_bytes {
        hubs.max_event_bytes = u64::from(stream.max_event_bytes);
    }
    if hubs.send_timeout == defaults.send_timeout {
        hubs.send_timeout = Duration::from_millis(u64::from(stream.send_timeout_ms));
    }
    let retry_defaults = RetryPolicy::default();
    if hubs.retry.max_attempts == retry_defaults.max_attempts {
        hubs.retry.max_attempts = stream.retry_max_attempts;
    }
    if hubs.retry.initial_backoff == retry_defaults.initial_backoff {
        hubs.retry.initial_backoff =
            Duration::from_millis(u64::from(stream.retry_initial_backoff_ms));
    }
    if hubs.retry.max_backoff == retry_defaults.max_backoff {
        hubs.retry.max_backoff = Duration::from_millis(u64::from(stream.retry_max_backoff_ms));
    }
    if hubs.dead_letter_path == defaults.dead_letter_path {
        hubs.dead_letter_path = data_dir.join(&defaults.dead_letter_path);
    }
    hubs.validate().map_err(|e| bad_input(e.to_string()))?;
    Ok(hubs)
}

fn plan(args: &StreamArgs, config: &Config, data_dir: &Path) -> anyhow::Result<Plan> {
    let mut sink: SinkConfig = args.sink.parse().map_err(|e| bad_input(format!("{e}")))?;
    if let SinkConfig::EventHubs(hubs) = sink {
        let hubs = apply_stream_settings(*hubs, config, args.hub.as_deref(), data_dir)?;
        sink = SinkConfig::EventHubs(Box::new(hubs));
    } else if args.hub.is_some() {
        return Err(bad_input("--hub applies to the eventhubs sink only"));
    }
    if let SinkConfig::Duckdb { path: path @ None } = &mut sink {
        // The local eventhouse lives beside the generated history unless a file is named.
        *path = Some(data_dir.join(DATABASE_FILE));
    }
    let mut options = ProduceOptions::new(config.seed);
    options.max_events_per_second = match args.rate.as_deref() {
        None => Some(u64::from(config.stream.max_events_per_second)),
        Some("unlimited") => None,
        Some(text) => match text.parse::<u64>() {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                return Err(bad_input(format!(
                    "--rate {text:?} is neither a positive integer nor `unlimited`"
                )));
            }
        },
    };
    let pacing_name = match (&args.pacing, args.speed) {
        (Some(p), _) => p.clone(),
        (None, Some(_)) => "replay".to_owned(),
        (None, None) => config.stream.pacing.clone(),
    };
    let speed = args.speed.unwrap_or(config.stream.speed);
    if !(speed.is_finite() && speed >= 0.0) {
        return Err(bad_input(format!("--speed {speed} must be a number ≥ 0")));
    }
    options.pacing = match pacing_name.as_str() {
        "realtime" => Pacing::Realtime,
        "replay" if speed == 0.0 => Pacing::Unpaced,
        "replay" => Pacing::Replay { speed },
        other => {
            return Err(bad_input(format!(
                "--pacing {other:?} must be `realtime` or `replay`"
            )));
        }
    };
    options.max_events = args.max_events;
    if let Some(text) = &args.duration {
        options.duration = Some(parse_duration("--duration", text)?);
    }
    if !(args.progress_every.is_finite() && args.progress_every > 0.0) {
        return Err(bad_input(
            "--progress-every must be a positive number of seconds",
        ));
    }
    let types = args
        .event_types
        .clone()
        .or_else(|| config.stream.event_types.clone());
    let mut event_type_names = None;
    if let Some(names) = types {
        let mut set = BTreeSet::new();
        for name in names {
            let t = EventType::parse(name.trim()).ok_or_else(|| {
                bad_input(format!(
                    "--event-types: {name:?} is not an event type (one of {})",
                    EventType::all().map(EventType::name).join(", ")
                ))
            })?;
            set.insert(t);
        }
        event_type_names = Some(set.iter().map(|t| t.name().to_owned()).collect());
        options.event_types = Some(set);
    }
    options.file_timestamps = matches!(sink, SinkConfig::Jsonl { .. });
    let start = match &args.start {
        Some(text) => Some(
            Date::parse(text)
                .ok_or_else(|| bad_input(format!("--start {text:?} is not a YYYY-MM-DD date")))?,
        ),
        None => None,
    };
    Ok(Plan {
        options,
        sink,
        start,
        days: args.days.or(config.stream.days),
        event_type_names,
    })
}

/// Parses the `--disruption` values against the stream's first day; returns the configuration
/// entries and their canonical text (recorded in the progress file).
fn parse_disruptions(
    specs: &[String],
    origin: Date,
) -> anyhow::Result<Vec<(retail_config::Disruption, String)>> {
    let mut out = Vec::new();
    for spec in specs {
        let (body, start) = match spec.split_once('@') {
            Some((body, at)) => (
                body,
                Ts::parse_rfc3339(at).ok_or_else(|| {
                    bad_input(format!(
                        "--disruption {spec:?}: {at:?} is not an RFC 3339 instant"
                    ))
                })?,
            ),
            None => (spec.as_str(), Ts(i64::from(origin.0) * Ts::MICROS_PER_DAY)),
        };
        let parsed = Disruption::parse(body, start)
            .map_err(|e| bad_input(format!("--disruption {spec:?}: {e}")))?;
        let target = body.split(':').nth(1).unwrap_or_default().to_owned();
        let hours = (parsed.end.0 - parsed.start.0) as f64 / Ts::MICROS_PER_HOUR as f64;
        let entry = retail_config::Disruption {
            kind: parsed.kind.key().to_owned(),
            target: target.clone(),
            start: parsed.start.to_rfc3339(),
            duration_hours: hours,
            severity: parsed.severity,
        };
        let canonical = format!(
            "{}:{}:{}h:{}@{}",
            entry.kind, target, hours, entry.severity, entry.start
        );
        out.push((entry, canonical));
    }
    Ok(out)
}

/// Builds the sink of a `--sink` spec. Every sink is built here, so a new [`SinkConfig`]
/// variant only needs its arm in [`SinkConfig::build`] (or here, when it needs the data
/// directory or resume information).
fn build_sink(
    config: &SinkConfig,
    metrics: Arc<SinkMetrics>,
    resuming: bool,
) -> anyhow::Result<Box<dyn Sink>> {
    match config {
        SinkConfig::Jsonl { path, max_bytes } => Ok(Box::new(
            JsonlSink::new(path.clone(), *max_bytes, metrics).appending(resuming),
        )),
        // `plan` has named the database file (DATA_DIR/retail.duckdb unless one is given).
        SinkConfig::Duckdb { path: Some(path) } => Ok(Box::new(DuckdbSink::new(
            DuckdbSinkOptions::new(path),
            metrics,
        ))),
        other => other.build(metrics).map_err(|e| bad_input(e.to_string())),
    }
}

/// A failed health check is bad input (exit 2) when the sink says its configuration cannot
/// work (a database path that cannot hold a database, a rejected option), and a failure
/// while running (exit 1) otherwise: an unreachable host, a file another process holds.
fn healthcheck_error(error: SinkError, doing: &str, config: &SinkConfig) -> anyhow::Error {
    let context = format!("{doing} the {} sink", config.name());
    match error {
        SinkError::InvalidSpec { .. } | SinkError::InvalidConfig(_) => {
            bad_input(format!("{context}: {error}"))
        }
        other => anyhow::Error::new(other).context(context),
    }
}

fn destination_of(config: &SinkConfig) -> (String, Option<String>) {
    match config {
        SinkConfig::Jsonl { path, .. } => (path.display().to_string(), None),
        SinkConfig::EventHubs(hubs) => (
            hubs.custom_endpoint.clone().unwrap_or_default(),
            hubs.event_hub.clone(),
        ),
        other => (other.name().to_owned(), None),
    }
}

fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// `retail stream --check`: connect, report, close.
fn run_check(plan: &Plan) -> anyhow::Result<u8> {
    let runtime = runtime()?;
    runtime.block_on(async {
        let metrics = Arc::new(SinkMetrics::new());
        let mut sink = build_sink(&plan.sink, metrics, false)?;
        let health = sink
            .healthcheck()
            .await
            .map_err(|e| healthcheck_error(e, "checking", &plan.sink))?;
        sink.close().await.context("closing the sink")?;
        println!("sink: {}", health.sink);
        println!("destination: {}", health.destination);
        if !health.partition_ids.is_empty() {
            println!(
                "partitions: {} ({})",
                health.partition_ids.len(),
                health.partition_ids.join(", ")
            );
        }
        println!("ok");
        anyhow::Ok(exit::OK)
    })
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Online orders created before `first_day` whose pick or shipment may fall on it or later.
fn open_orders(store: &Store, first_day: Date) -> anyhow::Result<Vec<OrderLifecycle>> {
    // Any node-local date ≥ first_day starts after first_day 00:00 UTC − 14 h.
    let bound = i64::from(first_day.0) * Ts::MICROS_PER_DAY - 14 * Ts::MICROS_PER_HOUR;
    let sql = "SELECT order_id, customer_id, fulfillment_mode, node_type, store_id, dc_id, \
               line_count, item_count, epoch_us(picked_ts), epoch_us(shipped_ts) \
               FROM fact_online_order_headers \
               WHERE business_date < ?::DATE \
                 AND (epoch_us(picked_ts) >= ? OR epoch_us(shipped_ts) >= ?) \
               ORDER BY order_id";
    let mut statement = store
        .connection()
        .prepare(sql)
        .context("reading open online orders")?;
    let rows = statement
        .query_map(
            duckdb::params![first_day.to_string(), bound, bound],
            |row| {
                Ok(OrderLifecycle {
                    order_id: row.get(0)?,
                    customer_id: row.get(1)?,
                    fulfillment_mode: row.get(2)?,
                    node_type: row.get(3)?,
                    store_id: row.get(4)?,
                    dc_id: row.get(5)?,
                    line_count: row.get(6)?,
                    item_count: row.get(7)?,
                    picked_ts: row.get::<_, Option<i64>>(8)?.map(Ts),
                    shipped_ts: row.get::<_, Option<i64>>(9)?.map(Ts),
                })
            },
        )
        .context("reading open online orders")?;
    rows.collect::<Result<Vec<_>, _>>()
        .context("reading open online orders")
}

fn read_progress(path: &Path) -> anyhow::Result<Option<StreamProgress>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .with_context(|| format!("{} is not a stream progress file", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

fn write_progress(path: &Path, progress: &StreamProgress) -> anyhow::Result<()> {
    let mut text = serde_json::to_vec_pretty(progress).context("encoding the progress")?;
    text.push(b'\n');
    pipeline::write_atomically(path, &text)
}

/// Writes the progress file whenever the sink's checkpoint moves (at most once a second).
struct ProgressKeeper {
    path: PathBuf,
    template: StreamProgress,
    start_index: u64,
    /// Serialises writes: the periodic writer and the final write share one temporary file.
    writing: std::sync::Mutex<()>,
}

impl ProgressKeeper {
    fn write(&self, progress: &StreamProgress) -> anyhow::Result<()> {
        let _guard = self
            .writing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        write_progress(&self.path, progress)
    }

    fn snapshot(&self, acknowledged_through: Option<u64>, metrics: &SinkMetrics) -> StreamProgress {
        let mut progress = self.template.clone();
        progress.next_index =
            acknowledged_through.map_or(self.start_index, |a| (a + 1).max(self.start_index));
        progress.last_acknowledged_event_ts = metrics
            .snapshot()
            .last_sent_event_ts_micros
            .map(|t| Ts(t).to_rfc3339())
            .or_else(|| self.template.last_acknowledged_event_ts.clone());
        progress.updated_at = Ts(now_micros()).to_rfc3339();
        progress
    }

    async fn keep(
        self: Arc<Self>,
        mut checkpoints: watch::Receiver<Option<u64>>,
        metrics: Arc<SinkMetrics>,
    ) {
        let mut written = None;
        loop {
            if checkpoints.changed().await.is_err() {
                return;
            }
            let through = *checkpoints.borrow_and_update();
            if through != written {
                let progress = self.snapshot(through, &metrics);
                let keeper = Arc::clone(&self);
                let result = tokio::task::spawn_blocking(move || keeper.write(&progress)).await;
                if let Ok(Err(e)) = result {
                    eprintln!("stream: writing the progress file failed: {e:#}");
                }
                written = through;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// The progress line: recent events/s, totals, event-time lag.
fn progress_line(metrics: &SinkMetrics, previous: &mut (u64, Instant)) -> String {
    let s = metrics.snapshot();
    let sent = s.events_sent_all_types();
    let failed: u64 = s.errors_total.values().sum();
    let now = Instant::now();
    let rate = (sent - previous.0.min(sent)) as f64
        / now.duration_since(previous.1).as_secs_f64().max(1e-9);
    *previous = (sent, now);
    let lag = s
        .last_sent_event_ts_micros
        .map(|ts| format!("{:.1}s", (now_micros() - ts) as f64 / 1e6))
        .unwrap_or_else(|| "-".to_owned());
    format!(
        "stream: {rate:.0} events/s  sent {sent}  failed {failed}  dead-lettered {}  buffered {}  lag {lag}",
        s.events_dead_lettered_total, s.buffered_events
    )
}

/// Prints [`progress_line`] every `every` on stderr.
async fn print_progress(metrics: Arc<SinkMetrics>, every: Duration) {
    let mut previous = (0, Instant::now());
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    loop {
        tick.tick().await;
        eprintln!("{}", progress_line(&metrics, &mut previous));
    }
}

/// Serves `metrics` as Prometheus text at `/metrics` (and `/`) of `listener`: a minimal
/// HTTP/1.1 responder (one request per connection), enough for a Prometheus scrape or curl.
async fn serve_metrics(
    listener: tokio::net::TcpListener,
    metrics: Arc<SinkMetrics>,
    sink: &'static str,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let metrics = Arc::clone(&metrics);
        tokio::spawn(async move {
            let mut head = Vec::with_capacity(1024);
            let mut buffer = [0u8; 1024];
            let read_head = async {
                while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buffer[..n]),
                    }
                }
            };
            if tokio::time::timeout(Duration::from_secs(10), read_head)
                .await
                .is_err()
            {
                return;
            }
            let request_line = String::from_utf8_lossy(&head);
            let mut parts = request_line.split_whitespace();
            let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let path = path.split('?').next().unwrap_or("");
            let (status, content_type, body) = match (method, path) {
                ("GET" | "HEAD", "/metrics" | "/") => (
                    "200 OK",
                    "text/plain; version=0.0.4; charset=utf-8",
                    metrics.render_prometheus(sink, now_micros()),
                ),
                ("GET" | "HEAD", _) => (
                    "404 Not Found",
                    "text/plain; charset=utf-8",
                    "see /metrics\n".to_owned(),
                ),
                _ => (
                    "405 Method Not Allowed",
                    "text/plain; charset=utf-8",
                    "GET /metrics\n".to_owned(),
                ),
            };
            let mut response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            if method != "HEAD" {
                response.extend_from_slice(body.as_bytes());
            }
            let _ = stream.write_all(&response).await;
            let _ = stream.shutdown().await;
        });
    }
}

/// Raises `stop` on the first SIGINT / SIGTERM; exits the process at once on the second.
async fn watch_signals(stop: watch::Sender<bool>, quiet: bool) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut interrupt), Ok(mut terminate)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return;
    };
    let mut seen = 0;
    loop {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        seen += 1;
        if seen > 1 {
            eprintln!("stream: second signal, exiting without flushing");
            std::process::exit(130);
        }
        if !quiet {
            eprintln!(
                "stream: stopping — flushing in-flight batches and writing progress (signal again to exit at once)"
            );
        }
        let _ = stop.send(true);
    }
}

/// Runs `retail stream`.
pub fn run(global: &GlobalArgs, args: StreamArgs) -> anyhow::Result<u8> {
    let config = settings::load_for_dataset(global)?;
    let data_dir = global.data_dir.as_path();
    let plan = plan(&args, &config, data_dir)?;
    if args.check {
        return run_check(&plan);
    }
    if !data_dir.join(DATABASE_FILE).exists() {
        return Err(bad_input(format!(
            "{} holds no dataset: run `retail generate` first",
            data_dir.display()
        )));
    }
    let store = Store::open(data_dir).context("opening the database")?;
    if let Some(found) = store.meta(pipeline::META_CONFIG_HASH)? {
        if found != config.config_hash() {
            return Err(bad_input(format!(
                "{} was generated with another configuration (config_hash {found}, this one has {})",
                data_dir.display(),
                config.config_hash()
            )));
        }
    }
    let Some(last_generated) = store.last_generated_date()? else {
        return Err(bad_input(format!(
            "{} has no generated day yet: run `retail generate` first",
            data_dir.display()
        )));
    };
    let dataset_start = config.start_date();

    // Where the stream starts: a resumed stream's origin and position, or a new one.
    let keeps_progress = !matches!(plan.sink, SinkConfig::Null);
    let progress_file = progress_path(data_dir);
    let previous = if keeps_progress && plan.start.is_none() && !args.restart {
        read_progress(&progress_file).map_err(|e| bad_input(format!("{e:#}")))?
    } else {
        None
    };
    let (origin, skip) = match &previous {
        Some(p) => {
            let origin = Date::parse(&p.origin_date).ok_or_else(|| {
                bad_input(format!("{}: bad origin_date", progress_file.display()))
            })?;
            (origin, p.next_index)
        }
        None => (plan.start.unwrap_or(last_generated.succ()), 0),
    };
    if origin < dataset_start {
        return Err(bad_input(format!(
            "--start {origin} is before the dataset start {dataset_start}"
        )));
    }
    let disruptions = parse_disruptions(&args.disruptions, origin)?;
    let disruption_texts: Vec<String> = disruptions.iter().map(|(_, t)| t.clone()).collect();
    if let Some(p) = &previous {
        let mismatch = if p.config_hash != config.config_hash() {
            Some("the configuration")
        } else if p.event_types != plan.event_type_names {
            Some("the event-type filter")
        } else if p.disruptions != disruption_texts {
            Some("the disruptions")
        } else {
            None
        };
        if let Some(what) = mismatch {
            return Err(bad_input(format!(
                "{} belongs to a stream with other {what}: run with the same options to resume, \
                 or with --restart to begin a new stream",
                progress_file.display()
            )));
        }
    }
    let carried = if origin > dataset_start {
        open_orders(&store, origin)?
    } else {
        Vec::new()
    };
    drop(store);

    // The generator: state through the day before the origin, then the stream's days.
    let base_config = Arc::new(config.clone());
    let master = Arc::new(pipeline::master_data(&base_config)?);
    let base_engine = pipeline::engine(base_config.clone(), master.clone())?;
    let state_through = (origin > dataset_start).then(|| origin.plus_days(-1));
    let (mut state, _) = pipeline::recover_state(
        &base_engine,
        &pipeline::checkpoint_path(data_dir),
        state_through,
        dataset_start,
    )
    .context("bringing the generator state to the first streamed day")?;
    let engine = if disruptions.is_empty() {
        base_engine
    } else {
        let mut disrupted = config.clone();
        disrupted
            .disruptions
            .extend(disruptions.iter().map(|(d, _)| d.clone()));
        let engine = pipeline::engine(Arc::new(disrupted), master.clone())
            .map_err(|e| bad_input(format!("--disruption: {e:#}")))?;
        // The stream diverges from the dataset from here on: the state carries on under the
        // disrupted configuration.
        state.config_hash = engine.config_hash().to_owned();
        engine
    };
    let carried_events = carried_over_events(&carried, &master, origin)?;

    // Days queued for the producer. A day is released only once the next one has arrived (its
    // events interleave with the next day's), so with `lookahead` days queued the generator
    // works `lookahead` days ahead of the day being sent; each day is ~1 GB on `default`.
    let lookahead = config.stream.lookahead_days.max(1) as usize;
    let (day_tx, day_rx) = tokio::sync::mpsc::channel::<Vec<DayEvent>>(lookahead);
    let days_limit = plan.days;
    let generator = std::thread::Builder::new()
        .name("retail-generator".into())
        .spawn(move || -> anyhow::Result<()> {
            if !carried_events.is_empty() && day_tx.blocking_send(carried_events).is_err() {
                return Ok(());
            }
            let mut day = origin;
            let mut done = 0u32;
            while days_limit.is_none_or(|n| done < n) {
                let mut batch = DayEngine::run_day(&engine, &mut state, day)
                    .with_context(|| format!("generating {day}"))?;
                batch.sort();
                let events = events_of_day_owned(batch, &master)?;
                if day_tx.blocking_send(events).is_err() {
                    return Ok(());
                }
                done += 1;
                day = day.succ();
            }
            Ok(())
        })
        .context("starting the generator thread")?;

    let quiet = global.quiet;
    let (destination, hub) = destination_of(&plan.sink);
    let template = StreamProgress {
        format: PROGRESS_FORMAT,
        config_hash: config.config_hash(),
        origin_date: origin.to_string(),
        event_types: plan.event_type_names.clone(),
        disruptions: disruption_texts,
        sink: plan.sink.name().to_owned(),
        destination,
        event_hub: hub,
        next_index: skip,
        last_acknowledged_event_ts: previous
            .as_ref()
            .and_then(|p| p.last_acknowledged_event_ts.clone()),
        updated_at: String::new(),
    };
    let keeper = keeps_progress.then(|| {
        Arc::new(ProgressKeeper {
            path: progress_file.clone(),
            template,
            start_index: skip,
            writing: std::sync::Mutex::new(()),
        })
    });
    let mut options = plan.options.clone();
    options.skip_events = skip;
    let sink_config = plan.sink.clone();
    let progress_every = Duration::from_secs_f64(args.progress_every);
    let metrics_addr = args.metrics;
    let started = Instant::now();

    let runtime = runtime()?;
    let outcome = runtime.block_on(async move {
        let metrics = Arc::new(SinkMetrics::new());
        let mut sink = build_sink(&sink_config, metrics.clone(), skip > 0)?;
        let health = sink
            .healthcheck()
            .await
            .map_err(|e| healthcheck_error(e, "opening", &sink_config))?;
        let server = match metrics_addr {
            Some(addr) => {
                let listener = tokio::net::TcpListener::bind(addr)
                    .await
                    .map_err(|e| bad_input(format!("--metrics {addr}: {e}")))?;
                if !quiet {
                    eprintln!("stream: Prometheus metrics on http://{addr}/metrics");
                }
                Some(tokio::spawn(serve_metrics(
                    listener,
                    metrics.clone(),
                    health.sink,
                )))
            }
            None => None,
        };
        if !quiet {
            let position = if skip > 0 {
                format!("resuming stream of {origin} at event {skip}")
            } else {
                format!("streaming {origin} onwards")
            };
            eprintln!(
                "stream: {position} to {} ({})",
                health.sink, health.destination
            );
        }
        let (stop_tx, stop_rx) = watch::channel(false);
        let signals = tokio::spawn(watch_signals(stop_tx, quiet));
        options.stop = Some(stop_rx);
        let (sender, run) = spawn_sink(
            sink,
            PipelineOptions {
                start_index: skip,
                ..PipelineOptions::default()
            },
        );
        let checkpoints = run.checkpoints();
        let keeping = keeper
            .as_ref()
            .map(|k| tokio::spawn(Arc::clone(k).keep(run.checkpoints(), metrics.clone())));
        let progress =
            (!quiet).then(|| tokio::spawn(print_progress(metrics.clone(), progress_every)));
        let produced = retail_streaming::produce(day_rx, &sender, &options).await;
        drop(sender);
        let finished = run.finish().await;
        for task in [progress, keeping, server].into_iter().flatten() {
            task.abort();
        }
        let acknowledged = *checkpoints.borrow();
        if let Some(keeper) = &keeper {
            keeper
                .write(&keeper.snapshot(acknowledged, &metrics))
                .context("writing the stream progress")?;
        }
        signals.abort();
        let summary = produced?;
        finished.context("the sink failed")?;
        anyhow::Ok((summary, metrics, acknowledged))
    });
    let (summary, metrics, acknowledged) = outcome?;
    if summary.stop == StopReason::SourceEnded {
        generator
            .join()
            .map_err(|_| anyhow::anyhow!("the generator thread panicked"))??;
    }
    if !quiet {
        let s = metrics.snapshot();
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        let why = match summary.stop {
            StopReason::SourceEnded => "all days sent",
            StopReason::MaxEvents => "--max-events reached",
            StopReason::Duration => "--duration elapsed",
            StopReason::Stopped => "stopped by signal",
        };
        let span = match (summary.first_event_ts, summary.last_event_ts) {
            (Some(a), Some(b)) => format!("event_ts {} .. {}", a.to_rfc3339(), b.to_rfc3339()),
            _ => "no event".to_owned(),
        };
        let next = acknowledged.map_or(skip, |a| a + 1);
        eprintln!(
            "stream done ({why}): {} events sent, {} acknowledged, {} dead-lettered, {} errors, {} bytes, {:.0} events/s over {:.1}s; {span}; next position {next}{}",
            summary.events_sent,
            s.events_sent_all_types(),
            s.events_dead_lettered_total,
            s.errors_total.values().sum::<u64>(),
            s.bytes_sent_total,
            summary.events_sent as f64 / secs,
            secs,
            if keeps_progress {
                format!(" ({})", progress_file.display())
            } else {
                String::new()
            }
        );
    }
    Ok(exit::OK)
}
