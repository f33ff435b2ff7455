//! Logical column types, the value types that carry them, and the [`Cell`] view used by every
//! writer (JSON, Arrow, DuckDB) to read a row without knowing its Rust type.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};

/// Logical types of data-contract §2.2. `Money` is the `<stem>_cents` BIGINT + `<stem>`
/// DECIMAL(12,2) pair of §2.3, declared once and expanded into two physical columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogicalType {
    /// 64-bit signed integer.
    BigInt,
    /// 32-bit signed integer.
    Integer,
    /// UTF-8 string.
    Varchar,
    /// Boolean.
    Boolean,
    /// A money pair: `_cents` BIGINT followed by DECIMAL(12,2) (expanded by [`crate::TableDef::columns`]).
    Money,
    /// DECIMAL(12,2); appears only as the second half of a money pair.
    Decimal,
    /// UTC instant with microsecond precision.
    Timestamp,
    /// Calendar date.
    Date,
    /// IEEE-754 binary64.
    Double,
    /// List of BIGINT.
    ListBigInt,
    /// Embedded child rows of an event payload (`lines`); KQL `dynamic`, no table column.
    Lines,
}

impl LogicalType {
    /// Name used in the contract's column tables.
    pub fn contract_name(self) -> &'static str {
        match self {
            LogicalType::BigInt => "BIGINT",
            LogicalType::Integer => "INTEGER",
            LogicalType::Varchar => "VARCHAR",
            LogicalType::Boolean => "BOOLEAN",
            LogicalType::Money => "MONEY",
            LogicalType::Decimal => "DECIMAL(12,2)",
            LogicalType::Timestamp => "TIMESTAMP",
            LogicalType::Date => "DATE",
            LogicalType::Double => "DOUBLE",
            LogicalType::ListBigInt => "LIST<BIGINT>",
            LogicalType::Lines => "LINES",
        }
    }
}

/// A UTC instant in microseconds since the Unix epoch.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Ts(pub i64);

impl Ts {
    /// Microseconds in one second.
    pub const MICROS_PER_SECOND: i64 = 1_000_000;
    /// Microseconds in one minute.
    pub const MICROS_PER_MINUTE: i64 = 60 * Self::MICROS_PER_SECOND;
    /// Microseconds in one hour.
    pub const MICROS_PER_HOUR: i64 = 60 * Self::MICROS_PER_MINUTE;
    /// Microseconds in one day.
    pub const MICROS_PER_DAY: i64 = 24 * Self::MICROS_PER_HOUR;

    /// From a chrono UTC date-time (sub-microsecond digits are truncated).
    pub fn from_datetime<Z: TimeZone>(dt: &DateTime<Z>) -> Self {
        Ts(dt.timestamp_micros())
    }

    /// As a chrono UTC date-time.
    pub fn to_datetime(self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.0).expect("timestamp in chrono's range")
    }

    /// Adds a number of seconds.
    pub fn plus_seconds(self, seconds: i64) -> Self {
        Ts(self.0 + seconds * Self::MICROS_PER_SECOND)
    }

    /// Adds a number of minutes.
    pub fn plus_minutes(self, minutes: i64) -> Self {
        Ts(self.0 + minutes * Self::MICROS_PER_MINUTE)
    }

    /// Formats as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (events.md §3).
    pub fn to_rfc3339(self) -> String {
        self.to_datetime()
            .format("%Y-%m-%dT%H:%M:%S%.6fZ")
            .to_string()
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.f]Z` or any RFC 3339 offset form.
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|dt| Ts::from_datetime(&dt.with_timezone(&Utc)))
    }
}

impl fmt::Display for Ts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// A calendar date as days since 1970-01-01.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Date(pub i32);

impl Date {
    const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch");

    /// From a chrono date.
    pub fn from_naive(d: NaiveDate) -> Self {
        Date((d - Self::EPOCH).num_days() as i32)
    }

    /// From year, month and day; `None` when the date does not exist.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(year, month, day).map(Self::from_naive)
    }

    /// As a chrono date.
    pub fn to_naive(self) -> NaiveDate {
        Self::EPOCH + chrono::Days::new(0) + chrono::TimeDelta::days(self.0 as i64)
    }

    /// `yyyymmdd` as used inside identifiers.
    pub fn yyyymmdd(self) -> u32 {
        let d = self.to_naive();
        d.year() as u32 * 10_000 + d.month() * 100 + d.day()
    }

    /// The following day.
    pub fn succ(self) -> Self {
        Date(self.0 + 1)
    }

    /// Adds (or subtracts) days.
    pub fn plus_days(self, days: i32) -> Self {
        Date(self.0 + days)
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() != 10 {
            return None;
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .map(Self::from_naive)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_naive().format("%Y-%m-%d"))
    }
}

/// An amount of money in integer cents (data-contract §2.3).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Money(pub i64);

impl Money {
    /// The cents value.
    pub fn cents(self) -> i64 {
        self.0
    }

    /// The exact decimal text with two fraction digits (`42.35`, `-0.05`, `0.00`).
    pub fn decimal_text(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.decimal_text())
    }
}

/// A borrowed view of one field value of one row.
#[derive(Clone, Copy, Debug)]
pub enum Cell<'a> {
    /// SQL NULL / JSON null.
    Null,
    /// BIGINT.
    BigInt(i64),
    /// INTEGER.
    Integer(i32),
    /// VARCHAR.
    Varchar(&'a str),
    /// BOOLEAN.
    Boolean(bool),
    /// Money pair (cents).
    Money(i64),
    /// TIMESTAMP (µs since epoch, UTC).
    Timestamp(i64),
    /// DATE (days since epoch).
    Date(i32),
    /// DOUBLE.
    Double(f64),
    /// `LIST<BIGINT>`.
    ListBigInt(&'a [i64]),
    /// Embedded child rows (event payload `lines`).
    Lines(&'a dyn crate::row::LineList),
}
