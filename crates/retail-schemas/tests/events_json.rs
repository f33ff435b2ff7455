//! Round trips of every events.md §7 example (tests/fixtures/events/*.json, extracted verbatim
//! from the spec) and the decoder's error messages on malformed events.

use std::path::PathBuf;

use retail_schemas::events::{Envelope, EventType, Payload};
use retail_schemas::{EncodeError, MAX_EVENT_BYTES, Ts};

fn fixture_path(t: EventType) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/events")
        .join(format!("{}.json", t.name()))
}

fn fixture(t: EventType) -> Vec<u8> {
    std::fs::read(fixture_path(t)).unwrap_or_else(|e| panic!("{}: {e}", t.name()))
}

/// Removes insignificant whitespace without touching number or string spellings (serde_json
/// would rewrite `4.50` as `4.5`, which is exactly what the writer must not do).
fn compact(pretty: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(pretty.len());
    let (mut in_string, mut escaped) = (false, false);
    for &b in pretty {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
            out.push(b);
        } else if !b.is_ascii_whitespace() {
            out.push(b);
        }
    }
    out
}

fn decode(t: EventType) -> Envelope {
    Envelope::from_json(&fixture(t)).unwrap_or_else(|e| panic!("{}: {e}", t.name()))
}

#[test]
fn every_spec_example_round_trips_byte_for_byte() {
    let mut buf = Vec::new();
    for t in EventType::all() {
        let event = decode(t);
        assert_eq!(event.event_type, t);
        assert_eq!(event.payload.event_type(), t);
        buf.clear();
        event.write_json(&mut buf).unwrap();
        let want = compact(&fixture(t));
        assert_eq!(
            String::from_utf8_lossy(&buf),
            String::from_utf8_lossy(&want),
            "{}: re-encoded event differs from the spec example",
            t.name()
        );
        // Writing appends: a second event lands after the first, untouched.
        let first_len = buf.len();
        event.write_json(&mut buf).unwrap();
        assert_eq!(&buf[first_len..], &want[..]);
    }
}

#[test]
fn the_constructors_derive_the_envelope_of_every_spec_example() {
    let inventory = decode(EventType::InventoryUpdated);
    for t in EventType::all() {
        let decoded = decode(t);
        let mut built = Envelope::new(42, decoded.payload.clone(), decoded.ingest_timestamp);
        if t == EventType::StockoutDetected {
            // The depleting movement's correlation id is not on the stockout row (§4.2).
            assert_eq!(built.correlation_id, None);
            built = built.with_correlation_id(inventory.correlation_id.clone());
        }
        assert_eq!(built.trace_id, decoded.trace_id, "{t}: trace_id");
        assert_eq!(
            built.parent_event_id, decoded.parent_event_id,
            "{t}: parent_event_id"
        );
        assert_eq!(
            built.correlation_id, decoded.correlation_id,
            "{t}: correlation_id"
        );
        assert_eq!(built.session_id, decoded.session_id, "{t}: session_id");
        assert_eq!(
            built.partition_key, decoded.partition_key,
            "{t}: partition_key"
        );
        assert_eq!(built, decoded, "{t}");
    }
}

#[test]
fn the_file_sink_stamps_ingest_time_with_business_time() {
    let decoded = decode(EventType::ReceiptCreated);
    let file_event = Envelope::for_file(42, decoded.payload.clone());
    assert_eq!(file_event.ingest_timestamp, decoded.payload.event_ts());
    assert_ne!(file_event.ingest_timestamp, decoded.ingest_timestamp);
}

#[test]
fn unknown_members_are_ignored() {
    let mut value: serde_json::Value =
        serde_json::from_slice(&fixture(EventType::PaymentProcessed)).unwrap();
    value["future_envelope_field"] = serde_json::json!({"x": 1});
    value["payload"]["future_payload_field"] = serde_json::json!("y");
    let event = Envelope::from_json(&serde_json::to_vec(&value).unwrap()).unwrap();
    assert_eq!(event, decode(EventType::PaymentProcessed));
}

/// Decodes the `receipt_created` example after `edit`, returning the error text.
fn error_after(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut value: serde_json::Value =
        serde_json::from_slice(&fixture(EventType::ReceiptCreated)).unwrap();
    edit(&mut value);
    Envelope::from_json(&serde_json::to_vec(&value).unwrap())
        .unwrap_err()
        .to_string()
}

#[test]
fn malformed_events_name_the_offending_field() {
    let e = error_after(|v| v["payload"]["subtotal_cents"] = "4496".into());
    assert!(
        e.starts_with("payload.subtotal_cents: expected an integer"),
        "{e}"
    );

    let e = error_after(|v| {
        v["payload"].as_object_mut().unwrap().remove("store_id");
    });
    assert_eq!(e, "payload.store_id: is missing");

    let e = error_after(|v| {
        v["payload"].as_object_mut().unwrap().remove("promo_code");
    });
    assert!(e.starts_with("payload.promo_code: is missing"), "{e}");

    let e = error_after(|v| v["payload"]["event_ts"] = "2024-03-06 19:31".into());
    assert!(
        e.starts_with("payload.event_ts: `2024-03-06 19:31` is not an RFC 3339"),
        "{e}"
    );

    let e = error_after(|v| v["payload"]["business_date"] = "2024-3-6".into());
    assert!(e.starts_with("payload.business_date:"), "{e}");

    let e = error_after(|v| v["payload"]["total"] = serde_json::json!(42.36));
    assert!(
        e.starts_with("payload.total: 42.36 does not equal total_cents / 100"),
        "{e}"
    );

    let e = error_after(|v| v["payload"]["line_count"] = serde_json::json!(3.5));
    assert!(
        e.starts_with("payload.line_count: expected a 32-bit integer"),
        "{e}"
    );

    let e = error_after(|v| v["payload"]["receipt_type"] = serde_json::Value::Null);
    assert_eq!(e, "payload.receipt_type: must not be null");

    let e = error_after(|v| v["event_type"] = "receipt_deleted".into());
    assert!(e.starts_with("event_type: `receipt_deleted`"), "{e}");

    let e = error_after(|v| v["trace_id"] = "not-a-uuid".into());
    assert!(e.starts_with("trace_id:"), "{e}");

    let e = error_after(|v| v["schema_version"] = "2.0".into());
    assert!(e.starts_with("schema_version:"), "{e}");

    let e = error_after(|v| {
        v.as_object_mut().unwrap().remove("payload");
    });
    assert_eq!(e, "payload: is missing");

    let e = Envelope::from_json(b"{\"event_type\":")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("event: is not valid JSON"), "{e}");

    // A line item error names the line.
    let mut value: serde_json::Value =
        serde_json::from_slice(&fixture(EventType::PromotionApplied)).unwrap();
    value["payload"]["lines"][1]["gross"] = serde_json::json!(13.0);
    let e = Envelope::from_json(&serde_json::to_vec(&value).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("payload.lines[1].gross: 13 does not equal"),
        "{e}"
    );
}

#[test]
fn oversize_events_fail_with_a_clear_error_and_leave_the_buffer_untouched() {
    let mut event = decode(EventType::PromotionApplied);
    let Payload::PromotionApplied(p) = &mut event.payload else {
        unreachable!()
    };
    let line = p.lines.0[0].clone();
    p.lines.0 = vec![line; 1_000];
    let mut buf = b"previous event\n".to_vec();
    let err = event.write_json(&mut buf).unwrap_err();
    assert_eq!(buf, b"previous event\n");
    match &err {
        EncodeError::TooLarge { size, limit, .. } => {
            assert!(*size > MAX_EVENT_BYTES);
            assert_eq!(*limit, 65_536);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("promotion_applied"), "{err}");
}

#[test]
fn non_finite_doubles_are_refused() {
    let mut event = decode(EventType::TruckDeparted);
    let Payload::TruckDeparted(p) = &mut event.payload else {
        unreachable!()
    };
    p.dwell_minutes = Some(f64::NAN);
    let err = event.to_json().unwrap_err();
    assert_eq!(
        err,
        EncodeError::NonFinite {
            field: "payload.dwell_minutes".into()
        }
    );
}

#[test]
fn writing_is_deterministic_and_parses_as_json() {
    for t in EventType::all() {
        let event = decode(t);
        let a = event.to_json().unwrap();
        let b = event.clone().to_json().unwrap();
        assert_eq!(a, b);
        let parsed: serde_json::Value = serde_json::from_slice(&a).unwrap();
        assert_eq!(parsed["payload"]["event_ts"], {
            let ts: Ts = event.payload.event_ts();
            serde_json::Value::String(ts.to_rfc3339())
        });
    }
}
