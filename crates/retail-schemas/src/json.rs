//! The project's own byte-deterministic JSON writer (events.md §3) and the event decoder.
//!
//! Writing goes straight into a caller-owned `Vec<u8>` (reuse it across events): no
//! intermediate `serde_json::Value`, no per-field allocation. Decoding goes through
//! `serde_json` and the contract declarations, and names the offending field in every error.
//!
//! ```
//! use retail_schemas::json::{write_money_decimal, write_ts};
//! use retail_schemas::Ts;
//! let mut out = Vec::new();
//! write_money_decimal(&mut out, -1299);
//! out.push(b' ');
//! write_ts(&mut out, Ts(0)).unwrap();
//! assert_eq!(out, b"-12.99 \"1970-01-01T00:00:00.000000Z\"");
//! ```

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::events::{Envelope, EventType, Payload, SCHEMA_VERSION, SOURCE};
use crate::row::DecodeError;
use crate::types::{Date, Ts};

/// Maximum serialized size of one event in bytes (events.md §3).
pub const MAX_EVENT_BYTES: usize = 65_536;

/// An event that cannot be written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The serialized event exceeds [`MAX_EVENT_BYTES`]; a generator bug per events.md §3.
    #[error(
        "event {event_type} {trace_id} serializes to {size} bytes, over the {limit}-byte event limit (events.md §3); the event was not written"
    )]
    TooLarge {
        /// Event type of the oversize event.
        event_type: &'static str,
        /// Its trace id.
        trace_id: String,
        /// Serialized size in bytes.
        size: usize,
        /// The limit in force.
        limit: usize,
    },
    /// A DOUBLE field is NaN or infinite, which JSON cannot carry.
    #[error("field `{field}` is not a finite number; events never carry NaN or infinity")]
    NonFinite {
        /// Field name.
        field: String,
    },
    /// A timestamp or date outside years 0000–9999.
    #[error("field `{field}` is outside the years 0000-9999 that the event format can write")]
    OutOfRange {
        /// Field name.
        field: String,
    },
}

/// The field name inside a precomputed member key (`,"name":` → `name`).
pub(crate) fn key_name(key: &str) -> String {
    key.trim_start_matches(',')
        .trim_start_matches('"')
        .trim_end_matches(':')
        .trim_end_matches('"')
        .to_owned()
}

/// Appends a JSON string with only the escapes JSON requires (`\"`, `\\`, control characters
/// as `\u00XX`); `/` and non-ASCII characters are written literally.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut clean_from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'"' || b == b'\\' || b < 0x20 {
            out.extend_from_slice(&bytes[clean_from..i]);
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                _ => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX[(b >> 4) as usize]);
                    out.push(HEX[(b & 0xf) as usize]);
                }
            }
            clean_from = i + 1;
        }
    }
    out.extend_from_slice(&bytes[clean_from..]);
    out.push(b'"');
}

/// Appends a decimal integer.
pub fn write_i64(out: &mut Vec<u8>, v: i64) {
    let mut buf = itoa::Buffer::new();
    out.extend_from_slice(buf.format(v).as_bytes());
}

/// Appends the DECIMAL(12,2) form of a cents amount: exactly two fraction digits, no exponent.
pub fn write_money_decimal(out: &mut Vec<u8>, cents: i64) {
    if cents < 0 {
        out.push(b'-');
    }
    let abs = cents.unsigned_abs();
    let mut buf = itoa::Buffer::new();
    out.extend_from_slice(buf.format(abs / 100).as_bytes());
    out.push(b'.');
    push2(out, (abs % 100) as u32);
}

/// Appends a DOUBLE in the shortest form that round-trips, with at least one fraction digit.
/// Fails on NaN and infinities.
#[allow(clippy::result_unit_err)]
pub fn write_f64(out: &mut Vec<u8>, v: f64) -> Result<(), ()> {
    if !v.is_finite() {
        return Err(());
    }
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(v);
    match text.find('e') {
        // Ryū writes `1e16` for large magnitudes; keep the "one fraction digit" rule there too.
        Some(e) if !text[..e].contains('.') => {
            out.extend_from_slice(&text.as_bytes()[..e]);
            out.extend_from_slice(b".0");
            out.extend_from_slice(&text.as_bytes()[e..]);
        }
        _ => out.extend_from_slice(text.as_bytes()),
    }
    Ok(())
}

fn push2(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

/// Year, month, day of a day count since 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u64;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe as i64 + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn push_ymd(out: &mut Vec<u8>, days: i64) -> Result<(), ()> {
    let (year, month, day) = civil_from_days(days);
    if !(0..=9999).contains(&year) {
        return Err(());
    }
    let year = year as u32;
    push2(out, year / 100);
    push2(out, year % 100);
    out.push(b'-');
    push2(out, month);
    out.push(b'-');
    push2(out, day);
    Ok(())
}

/// Appends a quoted `YYYY-MM-DDTHH:MM:SS.ffffffZ` timestamp. Fails outside years 0000–9999.
#[allow(clippy::result_unit_err)]
pub fn write_ts(out: &mut Vec<u8>, ts: Ts) -> Result<(), ()> {
    let days = ts.0.div_euclid(Ts::MICROS_PER_DAY);
    let in_day = ts.0.rem_euclid(Ts::MICROS_PER_DAY);
    out.push(b'"');
    push_ymd(out, days)?;
    let secs = (in_day / Ts::MICROS_PER_SECOND) as u32;
    let micros = (in_day % Ts::MICROS_PER_SECOND) as u32;
    out.push(b'T');
    push2(out, secs / 3600);
    out.push(b':');
    push2(out, secs / 60 % 60);
    out.push(b':');
    push2(out, secs % 60);
    out.push(b'.');
    push2(out, micros / 10_000);
    push2(out, micros / 100 % 100);
    push2(out, micros % 100);
    out.extend_from_slice(b"Z\"");
    Ok(())
}

/// Appends a quoted `YYYY-MM-DD` date. Fails outside years 0000–9999.
#[allow(clippy::result_unit_err)]
pub fn write_date(out: &mut Vec<u8>, date: Date) -> Result<(), ()> {
    out.push(b'"');
    push_ymd(out, i64::from(date.0))?;
    out.push(b'"');
    Ok(())
}

fn write_opt_str(out: &mut Vec<u8>, v: Option<&str>) {
    match v {
        Some(s) => write_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

fn write_uuid(out: &mut Vec<u8>, id: &Uuid) {
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    out.push(b'"');
    out.extend_from_slice(id.hyphenated().encode_lower(&mut buf).as_bytes());
    out.push(b'"');
}

impl Envelope {
    /// Appends the compact JSON of this event to `out` (events.md §2–§3). On error nothing is
    /// appended (`out` is truncated back), so a reused buffer stays consistent.
    pub fn write_json(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let start = out.len();
        let result = self.write_json_unchecked(out).and_then(|()| {
            let size = out.len() - start;
            if size > MAX_EVENT_BYTES {
                Err(EncodeError::TooLarge {
                    event_type: self.event_type.name(),
                    trace_id: self.trace_id.to_string(),
                    size,
                    limit: MAX_EVENT_BYTES,
                })
            } else {
                Ok(())
            }
        });
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    /// The compact JSON of this event as a new buffer.
    pub fn to_json(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(1024);
        self.write_json(&mut out)?;
        Ok(out)
    }

    fn write_json_unchecked(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(b"{\"event_type\":\"");
        out.extend_from_slice(self.event_type.name().as_bytes());
        out.extend_from_slice(b"\",\"schema_version\":");
        write_str(out, &self.schema_version);
        out.extend_from_slice(b",\"source\":");
        write_str(out, &self.source);
        out.extend_from_slice(b",\"trace_id\":");
        write_uuid(out, &self.trace_id);
        out.extend_from_slice(b",\"ingest_timestamp\":");
        write_ts(out, self.ingest_timestamp).map_err(|()| EncodeError::OutOfRange {
            field: "ingest_timestamp".into(),
        })?;
        out.extend_from_slice(b",\"correlation_id\":");
        write_opt_str(out, self.correlation_id.as_deref());
        out.extend_from_slice(b",\"partition_key\":");
        write_str(out, &self.partition_key);
        out.extend_from_slice(b",\"session_id\":");
        write_opt_str(out, self.session_id.as_deref());
        out.extend_from_slice(b",\"parent_event_id\":");
        match &self.parent_event_id {
            Some(id) => write_uuid(out, id),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"payload\":");
        self.payload
            .as_row()
            .dyn_write_json(out)
            .map_err(|e| match e {
                EncodeError::NonFinite { field } => EncodeError::NonFinite {
                    field: format!("payload.{field}"),
                },
                EncodeError::OutOfRange { field } => EncodeError::OutOfRange {
                    field: format!("payload.{field}"),
                },
                other => other,
            })?;
        out.push(b'}');
        Ok(())
    }

    /// Decodes one event (events.md §2, §7). Unknown members are ignored (§8); a missing,
    /// mistyped or inconsistent member is an error naming its path (`payload.subtotal_cents`).
    pub fn from_json(bytes: &[u8]) -> Result<Envelope, DecodeError> {
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| DecodeError::new("event", format!("is not valid JSON: {e}")))?;
        let obj = value
            .as_object()
            .ok_or_else(|| DecodeError::new("event", "expected a JSON object"))?;
        Self::from_json_object(obj)
    }

    /// Decodes one event from an already parsed JSON object.
    pub fn from_json_object(obj: &Map<String, Value>) -> Result<Envelope, DecodeError> {
        let type_name = req_str(obj, "event_type")?;
        let event_type = EventType::parse(type_name).ok_or_else(|| {
            DecodeError::new(
                "event_type",
                format!("`{type_name}` is not one of the 18 event types"),
            )
        })?;
        let schema_version = req_str(obj, "schema_version")?;
        if !schema_version.starts_with("1.") {
            return Err(DecodeError::new(
                "schema_version",
                format!("`{schema_version}` is not a 1.x version this decoder understands"),
            ));
        }
        let source = req_str(obj, "source")?;
        let trace_id = req_uuid(obj, "trace_id")?
            .ok_or_else(|| DecodeError::new("trace_id", "must not be null"))?;
        let ingest = req_str(obj, "ingest_timestamp")?;
        let ingest_timestamp = Ts::parse_rfc3339(ingest).ok_or_else(|| {
            DecodeError::new(
                "ingest_timestamp",
                format!("`{ingest}` is not an RFC 3339 timestamp (YYYY-MM-DDTHH:MM:SS.ffffffZ)"),
            )
        })?;
        let correlation_id = opt_str(obj, "correlation_id")?;
        let partition_key = req_str(obj, "partition_key")?.to_owned();
        let session_id = opt_str(obj, "session_id")?;
        let parent_event_id = req_uuid(obj, "parent_event_id")?;
        let payload_value = obj
            .get("payload")
            .ok_or_else(|| DecodeError::new("payload", "is missing"))?;
        let payload_obj = payload_value
            .as_object()
            .ok_or_else(|| DecodeError::new("payload", "expected an object"))?;
        let payload = Payload::decode(event_type, payload_obj).map_err(|e| e.within("payload"))?;
        Ok(Envelope {
            event_type,
            schema_version: if schema_version == SCHEMA_VERSION {
                SCHEMA_VERSION.into()
            } else {
                schema_version.to_owned().into()
            },
            source: if source == SOURCE {
                SOURCE.into()
            } else {
                source.to_owned().into()
            },
            trace_id,
            ingest_timestamp,
            correlation_id,
            partition_key,
            session_id,
            parent_event_id,
            payload,
        })
    }
}

fn req_str<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<&'a str, DecodeError> {
    match obj.get(name) {
        None => Err(DecodeError::new(name, "is missing")),
        Some(Value::String(s)) => Ok(s),
        Some(Value::Null) => Err(DecodeError::new(name, "must not be null")),
        Some(_) => Err(DecodeError::new(name, "expected a string")),
    }
}

fn opt_str(obj: &Map<String, Value>, name: &str) -> Result<Option<String>, DecodeError> {
    match obj.get(name) {
        None => Err(DecodeError::new(name, "is missing (use null for no value)")),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Null) => Ok(None),
        Some(_) => Err(DecodeError::new(name, "expected a string or null")),
    }
}

fn req_uuid(obj: &Map<String, Value>, name: &str) -> Result<Option<Uuid>, DecodeError> {
    match opt_str(obj, name)? {
        None => Ok(None),
        Some(s) => Uuid::try_parse(&s)
            .map(Some)
            .map_err(|_| DecodeError::new(name, format!("`{s}` is not a UUID"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn timestamps_match_chrono_across_eras_and_leap_days() {
        for micros in [
            0,
            -1,
            951_782_400_000_000,     // 2000-02-29
            1_709_753_515_634_343,   // 2024-03-06T19:31:55.634343Z
            4_102_444_799_999_999,   // 2099-12-31T23:59:59.999999Z
            -2_208_988_800_000_001,  // 1899-12-31T23:59:59.999999Z
            253_402_300_799_999_999, // 9999-12-31T23:59:59.999999Z
        ] {
            let ts = Ts(micros);
            assert_eq!(
                text(|o| write_ts(o, ts).unwrap()),
                format!("\"{}\"", ts.to_rfc3339()),
                "{micros}"
            );
        }
        assert!(write_ts(&mut Vec::new(), Ts(253_402_300_800_000_000)).is_err());
        for days in [-719_528, -1, 0, 11_016, 19_788, 47_482, 2_932_896] {
            let d = Date(days);
            assert_eq!(text(|o| write_date(o, d).unwrap()), format!("\"{d}\""));
        }
    }

    #[test]
    fn money_has_exactly_two_decimals_and_a_sign() {
        for (cents, want) in [
            (0, "0.00"),
            (5, "0.05"),
            (-5, "-0.05"),
            (450, "4.50"),
            (-1299, "-12.99"),
            (123_456_789_012, "1234567890.12"),
            (i64::MIN, "-92233720368547758.08"),
        ] {
            assert_eq!(text(|o| write_money_decimal(o, cents)), want);
        }
    }

    #[test]
    fn doubles_are_shortest_round_trip_with_a_fraction_digit() {
        for (v, want) in [
            (60.0, "60.0"),
            (61.283_333_333_333_33, "61.28333333333333"),
            (-0.5, "-0.5"),
            (1e16, "1.0e16"),
            (1.5e-7, "1.5e-7"),
        ] {
            let s = text(|o| write_f64(o, v).unwrap());
            assert_eq!(s, want);
            assert_eq!(s.parse::<f64>().unwrap(), v);
        }
        assert!(write_f64(&mut Vec::new(), f64::NAN).is_err());
        assert!(write_f64(&mut Vec::new(), f64::INFINITY).is_err());
    }

    #[test]
    fn strings_escape_only_what_json_requires() {
        assert_eq!(
            text(|o| write_str(o, "a\"b\\c/d é\u{1}\n")),
            "\"a\\\"b\\\\c/d é\\u0001\\u000a\""
        );
        let round: String =
            serde_json::from_str(&text(|o| write_str(o, "x\u{1f}\"\\\t/ü"))).unwrap();
        assert_eq!(round, "x\u{1f}\"\\\t/ü");
    }
}
