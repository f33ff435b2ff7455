//! The local eventhouse: typed tables, KPI views and alerts in one DuckDB file, fed by
//! micro-batches.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use duckdb::{Connection, params};
use retail_schemas::events::Envelope;
use retail_schemas::{EventType, Ts};
use retail_streaming::EncodedEvent;

use crate::alerts::{ALERTS_TABLE_DDL, Alert, Rule, RuleParams, kql_datetime_text};
use crate::error::{EventhouseError, Result};
use crate::snapshot;
use crate::tables::{TypedBatchBuilder, create_table_sql, create_typed_table_sql};
use crate::views::VIEWS;

/// DDL of the table of events that could not be decoded (fabric.md §3.2 `unknown_event`,
/// with the raw body as text).
pub const UNKNOWN_EVENT_DDL: &str = "CREATE TABLE IF NOT EXISTS unknown_event (\
received_at TIMESTAMPTZ NOT NULL, event_type VARCHAR, trace_id VARCHAR, body VARCHAR NOT NULL, \
reason VARCHAR NOT NULL)";

/// The event types whose `event_ts` defines "business now" (fabric.md §3.8 `fn_business_now`).
pub const BUSINESS_CLOCK_TYPES: [EventType; 4] = [
    EventType::ReceiptCreated,
    EventType::CustomerEntered,
    EventType::InventoryUpdated,
    EventType::BlePingDetected,
];

const MICROS_PER_MINUTE: i64 = 60_000_000;
const BUSINESS_CLOCK_WINDOW_MINUTES: i64 = 60;

/// Options of an [`Eventhouse`].
#[derive(Clone, Debug)]
pub struct EventhouseOptions {
    /// Rule thresholds.
    pub rules: RuleParams,
    /// Print every new alert on standard error (besides the `tracing` event).
    pub print_alerts: bool,
    /// Where to write the KPI snapshot (JSON) after micro-batches; `None` = not written.
    pub snapshot_path: Option<PathBuf>,
    /// Minimum time between two snapshot writes.
    pub snapshot_interval: Duration,
}

impl Default for EventhouseOptions {
    fn default() -> Self {
        Self {
            rules: RuleParams::default(),
            print_alerts: false,
            snapshot_path: None,
            snapshot_interval: Duration::from_millis(500),
        }
    }
}

/// The snapshot file written next to a database file: `retail.duckdb` → `retail.duckdb.kpis.json`.
pub fn snapshot_path_for(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".kpis.json");
    PathBuf::from(name)
}

/// What one micro-batch did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BatchOutcome {
    /// Events stored in their typed table.
    pub stored: usize,
    /// Events skipped because their `trace_id` was already stored (producer retry, replay).
    pub duplicates: usize,
    /// Events that could not be decoded (stored in `unknown_event`).
    pub rejected: usize,
    /// Alerts raised by this batch.
    pub alerts: Vec<Alert>,
    /// Wall-clock instant (µs) of the commit: from then on the KPIs and alerts are visible.
    pub committed_at_micros: i64,
}

/// "Business now": the greatest `event_ts` among the clock event types ingested within the
/// last hour (wall clock), else the wall clock.
#[derive(Clone, Debug, Default)]
struct BusinessClock {
    /// Ingest minute → greatest event_ts ingested in that minute.
    by_ingest_minute: BTreeMap<i64, i64>,
}

impl BusinessClock {
    fn observe(&mut self, ingest_micros: i64, event_micros: i64) {
        let slot = self
            .by_ingest_minute
            .entry(ingest_micros.div_euclid(MICROS_PER_MINUTE))
            .or_insert(event_micros);
        *slot = (*slot).max(event_micros);
    }

    fn now(&mut self, wall_micros: i64) -> i64 {
        let oldest = wall_micros.div_euclid(MICROS_PER_MINUTE) - BUSINESS_CLOCK_WINDOW_MINUTES;
        self.by_ingest_minute = self.by_ingest_minute.split_off(&oldest);
        self.by_ingest_minute
            .values()
            .copied()
            .max()
            .unwrap_or(wall_micros)
    }
}

/// Wall clock in µs since the Unix epoch.
pub fn wall_clock_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// The DuckDB database of the local hot path: one typed table per event type, the aggregate
/// views of fabric.md §3.7 and the `alerts` table, all updated in one transaction per
/// micro-batch.
pub struct Eventhouse {
    conn: Connection,
    path: Option<PathBuf>,
    options: EventhouseOptions,
    seen: HashSet<u128>,
    raised: HashSet<(Rule, String)>,
    clock: BusinessClock,
    last_snapshot: Option<std::time::Instant>,
    /// A batch was committed since the snapshot file was last written.
    snapshot_stale: bool,
}

impl std::fmt::Debug for Eventhouse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Eventhouse")
            .field("path", &self.path)
            .field("events", &self.seen.len())
            .finish()
    }
}

fn stage_name(t: EventType) -> String {
    format!("stage_{}", t.name())
}

impl Eventhouse {
    /// Opens (or creates) the database file `path` and its tables. Retries for a few seconds
    /// when another process (a dashboard reading it) holds the file.
    pub fn open(path: &Path, options: EventhouseOptions) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| EventhouseError::Io {
                action: "creating directory",
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = retail_store::open_connection(path, retail_store::LockRetry::DEFAULT)
            .map_err(|e| EventhouseError::duckdb(format!("opening {}", path.display()), e))?;
        Self::init(conn, Some(path.to_path_buf()), options)
    }

    /// An eventhouse in memory (tests, examples).
    pub fn open_in_memory(options: EventhouseOptions) -> Result<Self> {
        let conn = Connection::open_in_memory()
            .map_err(|e| EventhouseError::duckdb("opening an in-memory database", e))?;
        Self::init(conn, None, options)
    }

    fn init(conn: Connection, path: Option<PathBuf>, options: EventhouseOptions) -> Result<Self> {
        // Bins (time_bucket) and timestamp texts are in UTC, as in KQL.
        let _ = conn.execute_batch("SET TimeZone = 'UTC'");
        let mut ddl = String::new();
        for t in EventType::all() {
            ddl.push_str(&create_typed_table_sql(t));
            ddl.push_str(";\n");
            ddl.push_str(&create_table_sql(&stage_name(t), t, true));
            ddl.push_str(";\n");
        }
        ddl.push_str(ALERTS_TABLE_DDL);
        ddl.push_str(";\n");
        ddl.push_str(UNKNOWN_EVENT_DDL);
        ddl.push_str(";\n");
        conn.execute_batch(&ddl)
            .map_err(|e| EventhouseError::duckdb("creating the typed tables", e))?;
        for view in VIEWS {
            let describe = format!("DESCRIBE {}", view.from_scratch_sql());
            let mut stmt = conn
                .prepare(&describe)
                .map_err(|e| EventhouseError::duckdb(format!("typing {}", view.name), e))?;
            let columns = stmt
                .query_map([], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                })
                .and_then(|rows| rows.collect::<std::result::Result<Vec<_>, _>>())
                .map_err(|e| EventhouseError::duckdb(format!("typing {}", view.name), e))?;
            conn.execute_batch(&view.create_sql(&columns))
                .map_err(|e| EventhouseError::duckdb(format!("creating {}", view.name), e))?;
        }
        let mut house = Eventhouse {
            conn,
            path,
            options,
            seen: HashSet::new(),
            raised: HashSet::new(),
            clock: BusinessClock::default(),
            last_snapshot: None,
            snapshot_stale: false,
        };
        house.load_state()?;
        Ok(house)
    }

    /// Reloads what makes ingestion idempotent across restarts: stored trace ids, raised
    /// alert keys, and the business clock.
    fn load_state(&mut self) -> Result<()> {
        for t in EventType::all() {
            let sql = format!("SELECT trace_id FROM {}", t.name());
            let mut stmt = self
                .conn
                .prepare(&sql)
                .map_err(|e| EventhouseError::duckdb("reading stored trace ids", e))?;
            let ids = stmt
                .query_map([], |row| row.get::<_, String>(0))
                .and_then(|rows| rows.collect::<std::result::Result<Vec<_>, _>>())
                .map_err(|e| EventhouseError::duckdb("reading stored trace ids", e))?;
            self.seen.extend(
                ids.iter()
                    .filter_map(|id| uuid::Uuid::try_parse(id).ok())
                    .map(|u| u.as_u128()),
            );
        }
        let mut stmt = self
            .conn
            .prepare("SELECT rule, alert_key FROM alerts")
            .map_err(|e| EventhouseError::duckdb("reading raised alerts", e))?;
        let raised = stmt
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .and_then(|rows| rows.collect::<std::result::Result<Vec<_>, _>>())
            .map_err(|e| EventhouseError::duckdb("reading raised alerts", e))?;
        drop(stmt);
        self.raised.extend(
            raised
                .into_iter()
                .filter_map(|(rule, key)| Rule::parse(&rule).map(|r| (r, key))),
        );
        let since = wall_clock_micros() - BUSINESS_CLOCK_WINDOW_MINUTES * MICROS_PER_MINUTE;
        for t in BUSINESS_CLOCK_TYPES {
            let sql = format!(
                "SELECT epoch_us(ingest_timestamp), epoch_us(event_ts) FROM {} WHERE epoch_us(ingest_timestamp) > ?",
                t.name()
            );
            let mut stmt = self
                .conn
                .prepare(&sql)
                .map_err(|e| EventhouseError::duckdb("reading the business clock", e))?;
            let rows = stmt
                .query_map([since], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
                })
                .and_then(|rows| rows.collect::<std::result::Result<Vec<_>, _>>())
                .map_err(|e| EventhouseError::duckdb("reading the business clock", e))?;
            for (ingest, event) in rows {
                self.clock.observe(ingest, event);
            }
        }
        Ok(())
    }

    /// The database file, if not in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The connection (read the tables, views and alerts with SQL).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Events stored so far.
    pub fn events_stored(&self) -> usize {
        self.seen.len()
    }

    /// "Business now" (fabric.md §3.8) at the current wall clock.
    pub fn business_now(&mut self) -> Ts {
        Ts(self.clock.now(wall_clock_micros()))
    }

    /// Decodes and ingests encoded events as one micro-batch. Bodies that are not a valid
    /// envelope go to `unknown_event` with the reason.
    pub fn ingest_encoded(&mut self, events: &[EncodedEvent]) -> Result<BatchOutcome> {
        let mut envelopes = Vec::with_capacity(events.len());
        let mut rejected = Vec::new();
        for event in events {
            match Envelope::from_json(&event.body) {
                Ok(envelope) => envelopes.push(envelope),
                Err(e) => rejected.push((event, e.to_string())),
            }
        }
        let mut outcome = self.ingest_with(&envelopes, |conn| {
            let mut stmt = conn
                .prepare("INSERT INTO unknown_event VALUES (CAST(? AS TIMESTAMPTZ), ?, ?, ?, ?)")
                .map_err(|e| EventhouseError::duckdb("storing an unknown event", e))?;
            let now = Ts(wall_clock_micros()).to_rfc3339();
            for (event, reason) in &rejected {
                let body = String::from_utf8_lossy(&event.body).into_owned();
                let reason = if EventType::parse(&event.event_type).is_none() {
                    format!("UNKNOWN_EVENT_TYPE: {reason}")
                } else {
                    format!("UNDECODABLE: {reason}")
                };
                stmt.execute(params![now, event.event_type, event.trace_id, body, reason])
                    .map_err(|e| EventhouseError::duckdb("storing an unknown event", e))?;
            }
            Ok(())
        })?;
        outcome.rejected = rejected.len();
        Ok(outcome)
    }

    /// Ingests decoded events as one micro-batch: new events (by `trace_id`) are appended to
    /// their typed tables, the views merge the batch's partial aggregates and the rules run,
    /// all in one transaction.
    pub fn ingest(&mut self, events: &[Envelope]) -> Result<BatchOutcome> {
        self.ingest_with(events, |_| Ok(()))
    }

    fn ingest_with(
        &mut self,
        events: &[Envelope],
        extra: impl FnOnce(&Connection) -> Result<()>,
    ) -> Result<BatchOutcome> {
        let mut builders: BTreeMap<EventType, TypedBatchBuilder> = BTreeMap::new();
        let mut duplicates = 0;
        let mut fresh_ids = Vec::new();
        let mut clock_updates = Vec::new();
        for envelope in events {
            let id = envelope.trace_id.as_u128();
            if !self.seen.insert(id) {
                duplicates += 1;
                continue;
            }
            fresh_ids.push(id);
            builders
                .entry(envelope.event_type)
                .or_insert_with(|| TypedBatchBuilder::new(envelope.event_type))
                .push(envelope)?;
            if BUSINESS_CLOCK_TYPES.contains(&envelope.event_type) {
                clock_updates.push((envelope.ingest_timestamp.0, envelope.payload.event_ts().0));
            }
        }
        let result = self.commit(builders, &clock_updates, extra);
        if result.is_err() {
            // Nothing was stored: the same events may be offered again.
            for id in &fresh_ids {
                self.seen.remove(id);
            }
        }
        let mut outcome = result?;
        outcome.stored = fresh_ids.len();
        outcome.duplicates = duplicates;
        for alert in &outcome.alerts {
            tracing::warn!(
                target: "retail_eventhouse::alert",
                rule = alert.rule.name(),
                alert_key = %alert.alert_key,
                "{}",
                alert.message
            );
            if self.options.print_alerts {
                eprintln!(
                    "ALERT {} {}: {}",
                    alert.rule.name(),
                    alert.alert_key,
                    alert.message
                );
            }
        }
        self.snapshot_stale = true;
        self.maybe_write_snapshot(false)?;
        Ok(outcome)
    }

    fn commit(
        &mut self,
        builders: BTreeMap<EventType, TypedBatchBuilder>,
        clock_updates: &[(i64, i64)],
        extra: impl FnOnce(&Connection) -> Result<()>,
    ) -> Result<BatchOutcome> {
        let tx = |e| EventhouseError::duckdb("starting a micro-batch", e);
        self.conn.execute_batch("BEGIN TRANSACTION").map_err(tx)?;
        let mut candidates = Vec::new();
        let body = (|| -> Result<()> {
            for (t, builder) in builders {
                if builder.rows() == 0 {
                    continue;
                }
                let batch = builder.finish()?;
                let stage = stage_name(t);
                {
                    let mut appender = self
                        .conn
                        .appender_to_catalog_and_db(&stage, "temp", "main")
                        .map_err(|e| EventhouseError::duckdb(format!("appending to {stage}"), e))?;
                    appender
                        .append_record_batch(batch)
                        .map_err(|e| EventhouseError::duckdb(format!("appending to {stage}"), e))?;
                    appender
                        .flush()
                        .map_err(|e| EventhouseError::duckdb(format!("appending to {stage}"), e))?;
                }
                let mut sql = format!("INSERT INTO {} SELECT * FROM {stage};\n", t.name());
                for view in VIEWS.iter().filter(|v| v.source == t) {
                    sql.push_str(&view.merge_sql(&stage));
                    sql.push_str(";\n");
                }
                self.conn
                    .execute_batch(&sql)
                    .map_err(|e| EventhouseError::duckdb(format!("merging {}", t.name()), e))?;
                candidates.extend(self.rule_candidates(t, &stage)?);
                self.conn
                    .execute_batch(&format!("DELETE FROM {stage}"))
                    .map_err(|e| EventhouseError::duckdb(format!("clearing {stage}"), e))?;
            }
            extra(&self.conn)
        })();
        if let Err(e) = body {
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(e);
        }
        for (ingest, event) in clock_updates {
            self.clock.observe(*ingest, *event);
        }
        let now = wall_clock_micros();
        let business_now = self.clock.now(now);
        let trucks = match self.truck_candidates(business_now) {
            Ok(trucks) => trucks,
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        };
        candidates.extend(trucks);
        let mut alerts = Vec::new();
        for mut alert in candidates {
            if self.raised.contains(&(alert.rule, alert.alert_key.clone())) {
                continue;
            }
            alert.raised_at = Ts(now);
            alerts.push(alert);
        }
        if let Err(e) = self.insert_alerts(&alerts) {
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(e);
        }
        self.conn
            .execute_batch("COMMIT")
            .map_err(|e| EventhouseError::duckdb("committing a micro-batch", e))?;
        for alert in &alerts {
            self.raised.insert((alert.rule, alert.alert_key.clone()));
        }
        Ok(BatchOutcome {
            alerts,
            committed_at_micros: wall_clock_micros(),
            ..BatchOutcome::default()
        })
    }

    fn insert_alerts(&self, alerts: &[Alert]) -> Result<()> {
        if alerts.is_empty() {
            return Ok(());
        }
        let err = |e| EventhouseError::duckdb("storing alerts", e);
        let mut stmt = self
            .conn
            .prepare(
                "INSERT OR IGNORE INTO alerts VALUES (?, ?, CAST(? AS TIMESTAMPTZ), \
                 CAST(? AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ), ?, ?, ?, ?)",
            )
            .map_err(err)?;
        for a in alerts {
            stmt.execute(params![
                a.rule.name(),
                a.alert_key,
                a.raised_at.to_rfc3339(),
                a.event_ts.to_rfc3339(),
                a.trigger_ingest_ts.to_rfc3339(),
                a.store_id,
                a.dc_id,
                a.product_id,
                a.message
            ])
            .map_err(err)?;
        }
        Ok(())
    }

    /// Candidate alerts of the rules that look at what just arrived, over the staging table.
    fn rule_candidates(&self, t: EventType, stage: &str) -> Result<Vec<Alert>> {
        let rules = &self.options.rules;
        let (sql, rule) = match t {
            EventType::StockoutDetected => (
                format!(
                    "SELECT stockout_id, epoch_us(event_ts), epoch_us(ingest_timestamp), store_id, dc_id, product_id, \
                     format('{{}} stockout of product {{}} at {{}} {{}} (last known quantity {{}})', location_type, product_id, \
                     location_type, coalesce(store_id, dc_id), last_known_quantity) FROM {stage}"
                ),
                Rule::Stockout,
            ),
            EventType::ReorderTriggered => (
                format!(
                    "SELECT reorder_id, epoch_us(event_ts), epoch_us(ingest_timestamp), store_id, dc_id, product_id, \
                     format('urgent reorder of {{}} units of product {{}} for store {{}} (on hand {{}}, reorder point {{}})', \
                     reorder_quantity, product_id, store_id, on_hand_quantity, reorder_point) FROM {stage} WHERE priority = 'URGENT'"
                ),
                Rule::UrgentReorder,
            ),
            EventType::CustomerEntered => (
                format!(
                    "SELECT CAST(store_id AS VARCHAR) || '|' || zone || '|' || CAST(epoch_us(interval_start_ts) AS VARCHAR), \
                     epoch_us(event_ts), epoch_us(ingest_timestamp), store_id, NULL::BIGINT, NULL::BIGINT, \
                     format('zone {{}} of store {{}} overcrowded: {{}} visitors, average dwell {{}} s', zone, store_id, \
                     visitor_count, avg_dwell_seconds) FROM {stage} WHERE visitor_count > {} OR avg_dwell_seconds > {}",
                    rules.max_visitors, rules.max_avg_dwell_seconds
                ),
                Rule::ZoneOvercrowded,
            ),
            EventType::ReceiptCreated => (
                format!(
                    "SELECT receipt_id, epoch_us(event_ts), epoch_us(ingest_timestamp), store_id, NULL::BIGINT, NULL::BIGINT, \
                     format('high-value receipt {{}} at store {{}}: {{}} ({{}})', receipt_id, store_id, CAST(total AS VARCHAR), tender_type) \
                     FROM {stage} WHERE receipt_type = 'SALE' AND total_cents >= {}",
                    rules.min_total_cents
                ),
                Rule::HighValueReceipt,
            ),
            _ => return Ok(Vec::new()),
        };
        let err = |e| EventhouseError::duckdb(format!("evaluating {}", rule.name()), e);
        let mut stmt = self.conn.prepare(&sql).map_err(err)?;
        let rows = stmt
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, Option<i64>>(3)?,
                    row.get::<_, Option<i64>>(4)?,
                    row.get::<_, Option<i64>>(5)?,
                    row.get::<_, String>(6)?,
                ))
            })
            .and_then(|rows| rows.collect::<std::result::Result<Vec<_>, _>>())
            .map_err(err)?;
        Ok(rows
            .into_iter()
            .map(
                |(key, event_ts, ingest, store_id, dc_id, product_id, message)| {
                    let alert_key = if rule == Rule::ZoneOvercrowded {
                        zone_key(&key)
                    } else {
                        key
                    };
                    Alert {
                        rule,
                        alert_key,
                        event_ts: Ts(event_ts),
                        trigger_ingest_ts: Ts(ingest),
                        raised_at: Ts(0),
                        store_id,
                        dc_id,
                        product_id,
                        message,
                    }
                },
            )
            .collect())
    }

    /// `rule_truck_dwell_breach` over `fn_truck_sla(1d, threshold)` at business now.
    fn truck_candidates(&self, business_now: i64) -> Result<Vec<Alert>> {
        let rules = &self.options.rules;
        let err = |e| EventhouseError::duckdb("evaluating rule_truck_dwell_breach", e);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT a.shipment_id, a.truck_id, a.store_id, a.dc_id, epoch_us(a.event_ts), \
                 epoch_us(a.ingest_timestamp), epoch_us(d.event_ts), epoch_us(d.ingest_timestamp), d.dwell_minutes \
                 FROM truck_arrived a LEFT JOIN truck_departed d ON a.shipment_id = d.shipment_id \
                 WHERE epoch_us(a.event_ts) > ?",
            )
            .map_err(err)?;
        let since = business_now - rules.truck_lookback_minutes * MICROS_PER_MINUTE;
        let rows = stmt
            .query_map([since], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, i64>(3)?,
                    row.get::<_, i64>(4)?,
                    row.get::<_, i64>(5)?,
                    row.get::<_, Option<i64>>(6)?,
                    row.get::<_, Option<i64>>(7)?,
                    row.get::<_, Option<f64>>(8)?,
                ))
            })
            .and_then(|rows| rows.collect::<std::result::Result<Vec<_>, _>>())
            .map_err(err)?;
        let mut out = Vec::new();
        for (
            shipment,
            truck,
            store,
            dc,
            arrived,
            arrived_ingest,
            departed,
            departed_ingest,
            dwell,
        ) in rows
        {
            let (dwell_minutes, status, event_ts, ingest) = match departed {
                Some(departed_ts) => (
                    // A departure without dwell_minutes compares as null: never breached.
                    dwell.unwrap_or(f64::NEG_INFINITY),
                    "departed",
                    departed_ts,
                    departed_ingest.unwrap_or(arrived_ingest),
                ),
                None => (
                    (business_now - arrived) as f64 / MICROS_PER_MINUTE as f64,
                    "at dock",
                    arrived,
                    arrived_ingest,
                ),
            };
            if dwell_minutes > rules.truck_dwell_threshold_minutes {
                out.push(Alert {
                    rule: Rule::TruckDwellBreach,
                    alert_key: shipment.clone(),
                    event_ts: Ts(event_ts),
                    trigger_ingest_ts: Ts(ingest),
                    raised_at: Ts(0),
                    store_id: Some(store),
                    dc_id: Some(dc),
                    product_id: None,
                    message: format!(
                        "truck {truck} (shipment {shipment}, DC {dc} → store {store}) {status}: dwell {dwell_minutes:.1} min > {} min",
                        rules.truck_dwell_threshold_minutes
                    ),
                });
            }
        }
        Ok(out)
    }

    /// The KPI snapshot the dashboard shows (see [`snapshot::kpi_snapshot`]).
    pub fn snapshot(&mut self) -> Result<serde_json::Value> {
        let now = self.business_now();
        snapshot::kpi_snapshot(&self.conn, now)
    }

    /// Writes the snapshot file if configured and due (or `force`).
    pub fn maybe_write_snapshot(&mut self, force: bool) -> Result<()> {
        let Some(path) = self.options.snapshot_path.clone() else {
            return Ok(());
        };
        let due = force
            || self
                .last_snapshot
                .is_none_or(|t| t.elapsed() >= self.options.snapshot_interval);
        if !due {
            return Ok(());
        }
        let value = self.snapshot()?;
        snapshot::write_snapshot_file(&path, &value)?;
        self.last_snapshot = Some(std::time::Instant::now());
        self.snapshot_stale = false;
        Ok(())
    }

    /// Writes the snapshot file if a batch committed since the last write is not in it yet and
    /// the interval has passed. The sink calls this while idle: without it, the last batch
    /// before a lull would stay off the dashboard until the next batch.
    pub fn write_snapshot_if_stale(&mut self) -> Result<()> {
        if self.snapshot_stale {
            self.maybe_write_snapshot(false)?;
        }
        Ok(())
    }
}

/// `store|zone|<micros>` → KQL's `strcat(store_id, "|", zone, "|", interval_start_ts)`.
fn zone_key(raw: &str) -> String {
    let mut parts = raw.rsplitn(2, '|');
    let micros = parts.next().and_then(|m| m.parse::<i64>().ok());
    match (micros, parts.next()) {
        (Some(micros), Some(head)) => format!("{head}|{}", kql_datetime_text(Ts(micros))),
        _ => raw.to_owned(),
    }
}
