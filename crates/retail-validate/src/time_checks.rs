//! Invariants that need store-local time (data-contract §8, §13 #3, #19, #24–#26, #31, #34),
//! evaluated in Rust with the bundled tz database rather than the database engine's.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Timelike};
use chrono_tz::Tz;
use duckdb::Connection;
use retail_schemas::{Date, LogicalType, Ts};

use crate::{CheckOutcome, Params, ValidateError};

struct StoreInfo {
    tz: Tz,
    open_minute: i32,
    close_minute: i32,
}

impl StoreInfo {
    fn is_24_7(&self) -> bool {
        self.open_minute == 0 && self.close_minute == 1440
    }
}

struct Collector {
    outcome: CheckOutcome,
    limit: usize,
}

impl Collector {
    fn new(invariant: u8, name: &str, limit: usize) -> Self {
        Self {
            outcome: CheckOutcome {
                invariant,
                name: name.to_owned(),
                violations: 0,
                examples: Vec::new(),
            },
            limit,
        }
    }

    fn fail(&mut self, detail: impl FnOnce() -> String) {
        self.outcome.violations += 1;
        if self.outcome.examples.len() < self.limit {
            self.outcome.examples.push(detail());
        }
    }
}

fn query_err(check: &str) -> impl Fn(duckdb::Error) -> ValidateError + '_ {
    move |source| ValidateError::Query {
        check: check.to_owned(),
        source,
    }
}

/// The UTC instant of a local wall-clock minute (1440 = next day 00:00); ambiguous times take
/// the earlier offset (data-contract §8.1).
fn local_instant(tz: &Tz, date: NaiveDate, minute: i32) -> Option<i64> {
    let day = date + chrono::Days::new((minute / 1440) as u64);
    let m = minute % 1440;
    let naive = day.and_hms_opt((m / 60) as u32, (m % 60) as u32, 0)?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|dt| dt.timestamp_micros())
}

/// Local date and minute-of-day of an instant.
fn local(tz: &Tz, ts: i64) -> (NaiveDate, i32) {
    let dt = tz.from_utc_datetime(&Ts(ts).to_datetime().naive_utc());
    (dt.date_naive(), (dt.hour() * 60 + dt.minute()) as i32)
}

fn load_stores(conn: &Connection) -> Result<BTreeMap<i64, StoreInfo>, ValidateError> {
    let e = query_err("load dim_stores");
    let mut stmt = conn
        .prepare("SELECT store_id, time_zone, open_minute, close_minute FROM dim_stores")
        .map_err(&e)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i32>(2)?,
                r.get::<_, i32>(3)?,
            ))
        })
        .map_err(&e)?;
    let mut stores = BTreeMap::new();
    for row in rows {
        let (id, zone, open_minute, close_minute) = row.map_err(&e)?;
        let tz: Tz = zone.parse().map_err(|_| {
            ValidateError::NotRetailDatabase(format!("store {id} has unknown time zone {zone:?}"))
        })?;
        stores.insert(
            id,
            StoreInfo {
                tz,
                open_minute,
                close_minute,
            },
        );
    }
    Ok(stores)
}

fn closed_dates(conn: &Connection) -> Result<Vec<i32>, ValidateError> {
    let e = query_err("load closure days");
    let mut stmt = conn
        .prepare("SELECT CAST(date - DATE '1970-01-01' AS INTEGER) FROM dim_date WHERE is_store_closed ORDER BY 1")
        .map_err(&e)?;
    let rows = stmt.query_map([], |r| r.get::<_, i32>(0)).map_err(&e)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(e)
}

/// Runs the Rust-side checks.
pub fn run(
    conn: &Connection,
    params: &Params,
    limit: usize,
) -> Result<Vec<CheckOutcome>, ValidateError> {
    let mut out = vec![schema_check(conn, limit)?];
    let stores = load_stores(conn)?;
    let closed = closed_dates(conn)?;
    let is_closed = |d: NaiveDate| closed.binary_search(&Date::from_naive(d).0).is_ok();

    // 24 + 25: store-bound rows inside open hours with the right business date.
    let sources: [(&str, &str, u8); 6] = [
        (
            "SALE/RETURN receipts",
            "SELECT store_id, epoch_us(event_ts), CAST(business_date - DATE '1970-01-01' AS INTEGER), receipt_id FROM fact_receipts",
            25,
        ),
        (
            "receipt lines",
            "SELECT store_id, epoch_us(event_ts), CAST(business_date - DATE '1970-01-01' AS INTEGER), receipt_id || '#' || line_number FROM fact_receipt_lines",
            25,
        ),
        (
            "SALE movements",
            "SELECT store_id, epoch_us(event_ts), CAST(business_date - DATE '1970-01-01' AS INTEGER), txn_id FROM fact_store_inventory_txn WHERE txn_type = 'SALE'",
            25,
        ),
        (
            "BLE pings",
            "SELECT store_id, epoch_us(event_ts), CAST(business_date - DATE '1970-01-01' AS INTEGER), visit_id || '#' || ping_number FROM fact_ble_pings",
            25,
        ),
        (
            "zone changes",
            "SELECT store_id, epoch_us(event_ts), CAST(business_date - DATE '1970-01-01' AS INTEGER), visit_id || '#' || change_number FROM fact_customer_zone_changes",
            25,
        ),
        (
            "foot-traffic intervals",
            "SELECT store_id, epoch_us(interval_start_ts), CAST(business_date - DATE '1970-01-01' AS INTEGER), sensor_id || '@' || CAST(interval_start_ts AS VARCHAR) FROM fact_foot_traffic",
            25,
        ),
    ];
    for (label, sql, inv) in sources {
        let name =
            format!("{label} inside open hours on trading days, business_date = store-local date");
        let mut c = Collector::new(inv, &name, limit);
        let e = query_err(&name);
        let mut stmt = conn.prepare(sql).map_err(&e)?;
        let mut rows = stmt.query([]).map_err(&e)?;
        while let Some(row) = rows.next().map_err(&e)? {
            let store_id: i64 = row.get(0).map_err(&e)?;
            let ts: i64 = row.get(1).map_err(&e)?;
            let bdate: i32 = row.get(2).map_err(&e)?;
            let id: String = row.get(3).map_err(&e)?;
            let Some(store) = stores.get(&store_id) else {
                c.fail(|| format!("{id}: unknown store {store_id}"));
                continue;
            };
            let (date, minute) = local(&store.tz, ts);
            let inside =
                store.is_24_7() || (minute >= store.open_minute && minute < store.close_minute);
            // The foot-traffic interval must end inside open hours too.
            let inside = inside
                && (!label.starts_with("foot")
                    || store.is_24_7()
                    || minute + 15 <= store.close_minute);
            if !inside || is_closed(date) {
                c.fail(|| format!("{id} at {} local minute {minute} on {date}", Ts(ts)));
            } else if Date::from_naive(date).0 != bdate {
                c.fail(|| format!("{id}: business_date {} but local date {date}", Date(bdate)));
            }
        }
        out.push(c.outcome);
    }

    // 19: reorders at the store's close (23:00 for 24/7 stores), dated by the trading day.
    {
        let name = "reorders at the store's closing instant";
        let mut c = Collector::new(19, name, limit);
        let e = query_err(name);
        let mut stmt = conn
            .prepare("SELECT store_id, epoch_us(event_ts), CAST(business_date - DATE '1970-01-01' AS INTEGER), reorder_id FROM fact_reorders")
            .map_err(&e)?;
        let mut rows = stmt.query([]).map_err(&e)?;
        while let Some(row) = rows.next().map_err(&e)? {
            let store_id: i64 = row.get(0).map_err(&e)?;
            let ts: i64 = row.get(1).map_err(&e)?;
            let bdate: i32 = row.get(2).map_err(&e)?;
            let id: String = row.get(3).map_err(&e)?;
            let Some(store) = stores.get(&store_id) else {
                continue;
            };
            let close = if store.is_24_7() {
                23 * 60
            } else {
                store.close_minute
            };
            let expected = local_instant(&store.tz, Date(bdate).to_naive(), close);
            if expected != Some(ts) {
                c.fail(|| {
                    format!(
                        "{id} at {} but the store closes at {} on {}",
                        Ts(ts),
                        expected.map(|t| Ts(t).to_string()).unwrap_or_default(),
                        Date(bdate)
                    )
                });
            }
        }
        out.push(c.outcome);
    }

    // 26: every SALE receipt of a store with hours lies between an OPENED and the next CLOSED.
    {
        let name = "SALE receipts between OPENED and the next CLOSED";
        let mut c = Collector::new(26, name, limit);
        let e = query_err(name);
        let mut ops: BTreeMap<i64, Vec<(i64, bool)>> = BTreeMap::new();
        {
            let mut stmt = conn
                .prepare("SELECT store_id, epoch_us(event_ts), operation_type = 'OPENED' FROM fact_store_ops ORDER BY 1, 2")
                .map_err(&e)?;
            let mut rows = stmt.query([]).map_err(&e)?;
            while let Some(row) = rows.next().map_err(&e)? {
                ops.entry(row.get(0).map_err(&e)?)
                    .or_default()
                    .push((row.get(1).map_err(&e)?, row.get(2).map_err(&e)?));
            }
        }
        let mut stmt = conn
            .prepare("SELECT store_id, epoch_us(event_ts), receipt_id FROM fact_receipts WHERE receipt_type = 'SALE'")
            .map_err(&e)?;
        let mut rows = stmt.query([]).map_err(&e)?;
        let empty = Vec::new();
        while let Some(row) = rows.next().map_err(&e)? {
            let store_id: i64 = row.get(0).map_err(&e)?;
            let ts: i64 = row.get(1).map_err(&e)?;
            let id: String = row.get(2).map_err(&e)?;
            let Some(store) = stores.get(&store_id) else {
                continue;
            };
            let store_ops = ops.get(&store_id).unwrap_or(&empty);
            let idx = store_ops.partition_point(|(t, _)| *t <= ts);
            let last = idx.checked_sub(1).map(|i| store_ops[i]);
            let ok = if store.is_24_7() {
                // 24/7 stores write operations only around closures: the last one must not be a CLOSED.
                !matches!(last, Some((_, false)))
            } else {
                matches!(last, Some((_, true)))
            };
            if !ok {
                c.fail(|| format!("{id} at {} not inside an OPENED..CLOSED window", Ts(ts)));
            }
        }
        out.push(c.outcome);
    }

    // 31: store-node picks and BOPIS pick-ups inside open hours.
    {
        let name = "store-node picks and BOPIS pick-ups inside open hours";
        let mut c = Collector::new(31, name, limit);
        let e = query_err(name);
        let mut stmt = conn
            .prepare("SELECT store_id, epoch_us(picked_ts), CASE WHEN fulfillment_mode = 'BOPIS' THEN epoch_us(delivered_ts) END, order_id \
                      FROM fact_online_order_headers WHERE node_type = 'STORE' AND picked_ts IS NOT NULL")
            .map_err(&e)?;
        let mut rows = stmt.query([]).map_err(&e)?;
        while let Some(row) = rows.next().map_err(&e)? {
            let store_id: i64 = row.get(0).map_err(&e)?;
            let picked: i64 = row.get(1).map_err(&e)?;
            let pickup: Option<i64> = row.get(2).map_err(&e)?;
            let id: String = row.get(3).map_err(&e)?;
            let Some(store) = stores.get(&store_id) else {
                continue;
            };
            for ts in std::iter::once(picked).chain(pickup) {
                let (date, minute) = local(&store.tz, ts);
                let inside =
                    store.is_24_7() || (minute >= store.open_minute && minute < store.close_minute);
                if !inside || is_closed(date) {
                    c.fail(|| format!("{id} at {} (local minute {minute})", Ts(ts)));
                }
            }
        }
        out.push(c.outcome);
    }

    // 34 (stat): identified share of visits 0.30 ± 0.03, only meaningful on large samples.
    {
        let name = "identified share of visits within 0.30 ± 0.03 (≥ 5 000 visits)";
        let mut c = Collector::new(34, name, limit);
        let e = query_err(name);
        let (visits, identified): (i64, i64) = conn
            .query_row(
                "SELECT count(*), count(*) FILTER (WHERE customer_id IS NOT NULL) FROM (SELECT visit_id, any_value(customer_id) AS customer_id FROM fact_ble_pings GROUP BY 1)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(&e)?;
        if visits >= 5_000 {
            let share = identified as f64 / visits as f64;
            if (share - 0.30).abs() > 0.03 {
                c.fail(|| format!("{identified} of {visits} visits identified = {share:.4}"));
            }
        }
        out.push(c.outcome);
    }
    let _ = params;
    Ok(out)
}

/// 3: column names and types in DuckDB equal the contract.
fn schema_check(conn: &Connection, limit: usize) -> Result<CheckOutcome, ValidateError> {
    let name = "DuckDB columns and types equal the contract";
    let mut c = Collector::new(3, name, limit);
    let e = query_err(name);
    for table in retail_schemas::all_tables() {
        let mut stmt = conn
            .prepare("SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position")
            .map_err(&e)?;
        let actual: Vec<(String, String, String)> = stmt
            .query_map([table.name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(&e)?
            .collect::<Result<_, _>>()
            .map_err(&e)?;
        let expected = table.columns();
        if actual.len() != expected.len() {
            c.fail(|| {
                format!(
                    "{} has {} columns, the contract {}",
                    table.name,
                    actual.len(),
                    expected.len()
                )
            });
            continue;
        }
        for (col, (name, ty, nullable)) in expected.iter().zip(&actual) {
            let want = match col.ty {
                LogicalType::BigInt => "BIGINT",
                LogicalType::Integer => "INTEGER",
                LogicalType::Varchar => "VARCHAR",
                LogicalType::Boolean => "BOOLEAN",
                LogicalType::Decimal => "DECIMAL(12,2)",
                LogicalType::Timestamp => "TIMESTAMP WITH TIME ZONE",
                LogicalType::Date => "DATE",
                LogicalType::Double => "DOUBLE",
                LogicalType::ListBigInt => "BIGINT[]",
                LogicalType::Money | LogicalType::Lines => "?",
            };
            let null_ok = (nullable == "YES") == col.nullable;
            if name != col.name || ty != want || !null_ok {
                c.fail(|| {
                    format!(
                        "{}.{name} {ty} nullable={nullable}: contract says {} {want} nullable={}",
                        table.name, col.name, col.nullable
                    )
                });
            }
        }
    }
    Ok(c.outcome)
}
