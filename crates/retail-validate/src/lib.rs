//! Checks every invariant of data-contract §13 over a retail-rti DuckDB database.
//!
//! Most invariants are SQL queries whose rows are violations ([`sql_checks`]); the ones that need
//! store-local time (open hours, business dates, closing instants) are evaluated in Rust with the
//! same bundled time-zone database the generator uses ([`time_checks`]), so the validator never
//! depends on the database engine's own time-zone support.
//!
//! ```no_run
//! let conn = duckdb::Connection::open("data/retail.duckdb").unwrap();
//! let report = retail_validate::validate(&conn, &retail_validate::Options::default()).unwrap();
//! println!("{}", report.render());
//! assert!(report.passed());
//! ```
#![deny(missing_docs)]

pub mod sql_checks;
pub mod time_checks;

use std::fmt::Write as _;

use duckdb::Connection;
use retail_schemas::Date;

/// Errors that stop validation before a verdict (the database is unreadable or not ours).
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    /// The file is not a retail-rti database.
    #[error("not a retail-rti database: {0}")]
    NotRetailDatabase(String),
    /// A query failed.
    #[error("query failed in check \"{check}\": {source}")]
    Query {
        /// Check being evaluated.
        check: String,
        /// DuckDB error.
        #[source]
        source: duckdb::Error,
    },
}

/// Validation options.
#[derive(Clone, Debug)]
pub struct Options {
    /// How many example violations to keep per check.
    pub examples: usize,
    /// Only run checks of these invariant numbers (empty = all).
    pub only: Vec<u8>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            examples: 5,
            only: Vec::new(),
        }
    }
}

/// Dataset facts the checks need, read from `_meta`.
#[derive(Clone, Debug)]
pub struct Params {
    /// First date of the dataset.
    pub dataset_start: Date,
    /// Last generated date.
    pub last_generated: Date,
    /// Attribution window (days).
    pub attribution_window_days: u32,
    /// Maximum return lag (days).
    pub max_return_lag_days: u32,
}

impl Params {
    /// Number of generated days.
    pub fn range_days(&self) -> i32 {
        self.last_generated.0 - self.dataset_start.0 + 1
    }

    /// Reads the parameters from the `_meta` table.
    pub fn from_meta(conn: &Connection) -> Result<Self, ValidateError> {
        let meta = read_meta(conn)?;
        let date = |key: &str| -> Result<Date, ValidateError> {
            let text = meta
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
                .ok_or_else(|| ValidateError::NotRetailDatabase(format!("_meta has no {key}")))?;
            Date::parse(text).ok_or_else(|| {
                ValidateError::NotRetailDatabase(format!("_meta.{key} = {text:?} is not a date"))
            })
        };
        let number = |key: &str, default: u32| -> u32 {
            meta.iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(default)
        };
        Ok(Self {
            dataset_start: date("dataset_start_date")?,
            last_generated: date("last_generated_date")?,
            attribution_window_days: number("attribution_window_days", 7),
            max_return_lag_days: number("max_return_lag_days", 14),
        })
    }
}

fn read_meta(conn: &Connection) -> Result<Vec<(String, String)>, ValidateError> {
    let mut stmt = conn
        .prepare("SELECT key, value FROM _meta ORDER BY key")
        .map_err(|e| ValidateError::NotRetailDatabase(format!("no readable _meta table ({e})")))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(|e| ValidateError::NotRetailDatabase(e.to_string()))?;
    rows.collect::<Result<Vec<_>, _>>()
        .map_err(|e| ValidateError::NotRetailDatabase(e.to_string()))
}

/// The outcome of one check.
#[derive(Clone, Debug)]
pub struct CheckOutcome {
    /// Invariant number (data-contract §13).
    pub invariant: u8,
    /// What was checked.
    pub name: String,
    /// Number of violating rows.
    pub violations: u64,
    /// A few example violations.
    pub examples: Vec<String>,
}

/// All check outcomes.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Outcomes in check order.
    pub outcomes: Vec<CheckOutcome>,
}

impl Report {
    /// Whether no check found a violation.
    pub fn passed(&self) -> bool {
        self.outcomes.iter().all(|o| o.violations == 0)
    }

    /// Total violations.
    pub fn violations(&self) -> u64 {
        self.outcomes.iter().map(|o| o.violations).sum()
    }

    /// The failed checks.
    pub fn failures(&self) -> impl Iterator<Item = &CheckOutcome> {
        self.outcomes.iter().filter(|o| o.violations > 0)
    }

    /// A per-invariant text report.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut invariants: Vec<u8> = self.outcomes.iter().map(|o| o.invariant).collect();
        invariants.dedup();
        for inv in invariants {
            let checks: Vec<&CheckOutcome> = self
                .outcomes
                .iter()
                .filter(|o| o.invariant == inv)
                .collect();
            let bad: u64 = checks.iter().map(|c| c.violations).sum();
            let status = if bad == 0 { "ok  " } else { "FAIL" };
            let _ = writeln!(
                out,
                "{status} invariant {inv:>2}: {} check(s), {bad} violation(s)",
                checks.len()
            );
            for c in checks.iter().filter(|c| c.violations > 0) {
                let _ = writeln!(out, "       ✗ {} — {} violation(s)", c.name, c.violations);
                for e in &c.examples {
                    let _ = writeln!(out, "           e.g. {e}");
                }
            }
        }
        let total = self.outcomes.len();
        let failed = self.failures().count();
        let _ = writeln!(
            out,
            "{} checks, {} passed, {} failed",
            total,
            total - failed,
            failed
        );
        out
    }
}

/// Runs every check (or those selected in `options`).
pub fn validate(conn: &Connection, options: &Options) -> Result<Report, ValidateError> {
    let params = Params::from_meta(conn)?;
    let mut checks = sql_checks::metadata_checks(&retail_schemas::all_tables());
    checks.extend(sql_checks::contract_checks(&params));
    let wanted = |inv: u8| options.only.is_empty() || options.only.contains(&inv);
    let mut report = Report::default();
    for check in checks.iter().filter(|c| wanted(c.invariant)) {
        report
            .outcomes
            .push(run_sql_check(conn, check, options.examples)?);
    }
    for outcome in time_checks::run(conn, &params, options.examples)? {
        if wanted(outcome.invariant) {
            report.outcomes.push(outcome);
        }
    }
    Ok(report)
}

fn run_sql_check(
    conn: &Connection,
    check: &sql_checks::SqlCheck,
    examples: usize,
) -> Result<CheckOutcome, ValidateError> {
    let err = |source| ValidateError::Query {
        check: check.name.clone(),
        source,
    };
    let sql = format!(
        "WITH v AS ({}) SELECT CAST(detail AS VARCHAR), count(*) OVER () FROM v LIMIT {examples}",
        check.sql
    );
    let mut stmt = conn.prepare(&sql).map_err(err)?;
    let mut rows = stmt.query([]).map_err(err)?;
    let mut outcome = CheckOutcome {
        invariant: check.invariant,
        name: check.name.clone(),
        violations: 0,
        examples: Vec::new(),
    };
    while let Some(row) = rows.next().map_err(err)? {
        let detail: Option<String> = row.get(0).map_err(err)?;
        let count: i64 = row.get(1).map_err(err)?;
        outcome.violations = count as u64;
        outcome
            .examples
            .push(detail.unwrap_or_else(|| "NULL".into()));
    }
    Ok(outcome)
}
