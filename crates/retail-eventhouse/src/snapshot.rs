//! The KPI snapshot shown by `retail dashboard`: a JSON document computed from the view tables
//! and the alerts at "business now".
//!
//! DuckDB lets one process write a database file, or several read it, never both: while the
//! duckdb sink streams, it writes the snapshot to `<database>.kpis.json` after micro-batches
//! (at most twice a second) and the dashboard serves that file; with no writer, the dashboard
//! computes the same snapshot from the database itself ([`read_snapshot`]).

use std::path::Path;

use duckdb::{Config, Connection};
use retail_schemas::{EventType, Ts};
use serde_json::{Map, Value, json};

use crate::error::{EventhouseError, Result};
use crate::eventhouse::{BUSINESS_CLOCK_TYPES, snapshot_path_for, wall_clock_micros};

const MINUTE: i64 = 60_000_000;

fn query_rows(conn: &Connection, sql: &str, param: i64, names: &[&str]) -> Result<Vec<Value>> {
    let err = |e| EventhouseError::duckdb(format!("snapshot query {sql}"), e);
    let mut stmt = conn.prepare(sql).map_err(err)?;
    let rows = stmt
        .query_map([param], |row| {
            let mut obj = Map::new();
            for (i, name) in names.iter().enumerate() {
                let value = match row.get_ref(i)? {
                    duckdb::types::ValueRef::Null => Value::Null,
                    duckdb::types::ValueRef::BigInt(v) => json!(v),
                    duckdb::types::ValueRef::Int(v) => json!(v),
                    duckdb::types::ValueRef::HugeInt(v) => json!(v as i64),
                    duckdb::types::ValueRef::Double(v) => json!(v),
                    duckdb::types::ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
                    other => json!(format!("{other:?}")),
                };
                obj.insert((*name).to_owned(), value);
            }
            Ok(Value::Object(obj))
        })
        .and_then(|rows| rows.collect::<std::result::Result<Vec<_>, _>>())
        .map_err(err)?;
    Ok(rows)
}

/// Computes the snapshot at business instant `now` (µs).
pub fn kpi_snapshot(conn: &Connection, now: Ts) -> Result<Value> {
    let now_us = now.0;
    let hour_ago = now_us - 60 * MINUTE;
    let mut counts = Map::new();
    let mut events_total = 0i64;
    for t in EventType::all() {
        let n: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {}", t.name()), [], |r| {
                r.get(0)
            })
            .map_err(|e| EventhouseError::duckdb("counting events", e))?;
        events_total += n;
        counts.insert(t.name().to_owned(), json!(n));
    }
    let sales = query_rows(
        conn,
        "SELECT CAST(coalesce(sum(sale_receipts), 0) AS BIGINT), CAST(coalesce(sum(return_receipts), 0) AS BIGINT), \
         CAST(coalesce(sum(items), 0) AS BIGINT), CAST(coalesce(sum(net_sales_cents), 0) AS BIGINT), \
         CAST(coalesce(sum(total_cents), 0) AS BIGINT), CAST(coalesce(sum(sale_total_cents), 0) AS BIGINT) \
         FROM mv_store_sales_minute WHERE epoch_us(minute) > ?",
        hour_ago,
        &[
            "sale_receipts",
            "return_receipts",
            "items",
            "net_sales_cents",
            "total_cents",
            "sale_total_cents",
        ],
    )?;
    let sales_per_minute = query_rows(
        conn,
        "SELECT strftime(minute, '%H:%M'), CAST(sum(net_sales_cents) AS BIGINT), CAST(sum(sale_receipts) AS BIGINT) \
         FROM mv_store_sales_minute WHERE epoch_us(minute) > ? GROUP BY minute ORDER BY minute",
        now_us - 30 * MINUTE,
        &["minute", "net_sales_cents", "sale_receipts"],
    )?;
    let top_stores = query_rows(
        conn,
        "SELECT store_id, CAST(sum(net_sales_cents) AS BIGINT) AS net, CAST(sum(sale_receipts) AS BIGINT) \
         FROM mv_store_sales_minute WHERE epoch_us(minute) > ? GROUP BY store_id ORDER BY net DESC, store_id LIMIT 10",
        hour_ago,
        &["store_id", "net_sales_cents", "sale_receipts"],
    )?;
    let top_products = query_rows(
        conn,
        "SELECT product_id, units, net_sales_cents, lines FROM mv_top_products_15m \
         WHERE window_start = (SELECT max(window_start) FROM mv_top_products_15m WHERE epoch_us(window_start) <= ?) \
         ORDER BY net_sales_cents DESC, product_id LIMIT 10",
        now_us,
        &["product_id", "units", "net_sales_cents", "lines"],
    )?;
    let tender_mix = query_rows(
        conn,
        "SELECT tender_type, CAST(sum(payments) AS BIGINT) AS n, CAST(sum(amount_cents) AS BIGINT) FROM mv_tender_mix_15m \
         WHERE payment_type = 'CHARGE' AND window_start = (SELECT max(window_start) FROM mv_tender_mix_15m WHERE epoch_us(window_start) <= ?) \
         GROUP BY tender_type ORDER BY n DESC, tender_type",
        now_us,
        &["tender_type", "payments", "amount_cents"],
    )?;
    let zone_dwell = query_rows(
        conn,
        "SELECT zone, CAST(sum(visitors) AS BIGINT) AS v, \
         CASE WHEN sum(visitors) > 0 THEN round(sum(dwell_seconds_total) / sum(visitors), 1) END \
         FROM mv_zone_dwell_minute WHERE epoch_us(minute) > ? GROUP BY zone ORDER BY v DESC, zone",
        hour_ago,
        &["zone", "visitors", "avg_dwell_seconds"],
    )?;
    let online_orders = query_rows(
        conn,
        "SELECT fulfillment_mode, CAST(sum(orders) AS BIGINT), CAST(sum(items) AS BIGINT), CAST(sum(total_cents) AS BIGINT) \
         FROM mv_online_orders_15m WHERE epoch_us(window_start) > ? GROUP BY fulfillment_mode ORDER BY fulfillment_mode",
        now_us - 240 * MINUTE,
        &["fulfillment_mode", "orders", "items", "total_cents"],
    )?;
    let open_stockouts = query_rows(
        conn,
        "SELECT count(DISTINCT s.stockout_id) FROM stockout_detected s JOIN mv_inventory_latest m \
         ON m.location_type = s.location_type AND m.store_id IS NOT DISTINCT FROM s.store_id \
         AND m.dc_id IS NOT DISTINCT FROM s.dc_id AND m.product_id = s.product_id \
         WHERE m.balance = 0 AND epoch_us(s.event_ts) > ?",
        now_us - 24 * 60 * MINUTE,
        &["open_stockouts"],
    )?;
    let alerts = query_rows(
        conn,
        "SELECT rule, alert_key, strftime(raised_at, '%Y-%m-%dT%H:%M:%SZ'), strftime(event_ts, '%Y-%m-%dT%H:%M:%SZ'), message \
         FROM alerts WHERE epoch_us(raised_at) > ? ORDER BY raised_at DESC, rule, alert_key LIMIT 25",
        i64::MIN,
        &["rule", "alert_key", "raised_at", "event_ts", "message"],
    )?;
    let alert_counts = query_rows(
        conn,
        "SELECT rule, count(*) FROM alerts WHERE epoch_us(raised_at) > ? GROUP BY rule ORDER BY rule",
        i64::MIN,
        &["rule", "alerts"],
    )?;
    Ok(json!({
        "generated_at": Ts(wall_clock_micros()).to_rfc3339(),
        "business_now": now.to_rfc3339(),
        "events_total": events_total,
        "events_by_type": counts,
        "sales_last_hour": sales.into_iter().next().unwrap_or(Value::Null),
        "sales_per_minute": sales_per_minute,
        "top_stores_last_hour": top_stores,
        "top_products_15m": top_products,
        "tender_mix_15m": tender_mix,
        "zone_dwell_last_hour": zone_dwell,
        "online_orders_4h": online_orders,
        "open_stockouts": open_stockouts
            .first()
            .and_then(|v| v.get("open_stockouts"))
            .cloned()
            .unwrap_or(json!(0)),
        "alerts": alerts,
        "alert_counts": alert_counts,
    }))
}

/// Writes `value` to `path` atomically (temporary file + rename), so readers never see half.
pub fn write_snapshot_file(path: &Path, value: &Value) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let io = |action, source| EventhouseError::Io {
        action,
        path: path.to_path_buf(),
        source,
    };
    std::fs::write(&tmp, value.to_string()).map_err(|e| io("writing", e))?;
    std::fs::rename(&tmp, path).map_err(|e| io("renaming into", e))
}

/// Business now of a database opened for reading: fabric.md §3.8 over its tables.
fn business_now_of(conn: &Connection) -> Result<Ts> {
    let wall = wall_clock_micros();
    let mut best: Option<i64> = None;
    for t in BUSINESS_CLOCK_TYPES {
        let v: Option<i64> = conn
            .query_row(
                &format!(
                    "SELECT max(epoch_us(event_ts)) FROM {} WHERE epoch_us(ingest_timestamp) > ?",
                    t.name()
                ),
                [wall - 60 * MINUTE],
                |r| r.get(0),
            )
            .map_err(|e| EventhouseError::duckdb("reading business now", e))?;
        best = best.max(v);
    }
    Ok(Ts(best.unwrap_or(wall)))
}

/// The snapshot of the eventhouse database at `database`: the live writer's snapshot file when
/// it is fresh (under 5 s old), else computed from the database opened read-only, else the
/// last snapshot file, whatever its age.
pub fn read_snapshot(database: &Path) -> Result<Value> {
    let file = snapshot_path_for(database);
    let read_file = || -> Result<Value> {
        let text = std::fs::read_to_string(&file).map_err(|source| EventhouseError::Io {
            action: "reading",
            path: file.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| EventhouseError::Io {
            action: "parsing",
            path: file.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })
    };
    let fresh = std::fs::metadata(&file)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age.as_secs_f64() < 5.0);
    if fresh && let Ok(value) = read_file() {
        return Ok(value);
    }
    let opened = Config::default()
        .access_mode(duckdb::AccessMode::ReadOnly)
        .and_then(|config| Connection::open_with_flags(database, config));
    match opened {
        Ok(conn) => {
            let _ = conn.execute_batch("SET TimeZone = 'UTC'");
            let now = business_now_of(&conn)?;
            kpi_snapshot(&conn, now)
        }
        Err(open_error) => read_file().map_err(|_| {
            EventhouseError::duckdb(
                format!("opening {} read-only", database.display()),
                open_error,
            )
        }),
    }
}
