//! Throughput of the event JSON writer and of envelope construction (events/s on one core).
//! Run: `cargo bench -p retail-schemas --bench json_write`.

use std::time::Instant;

use retail_schemas::events::{Envelope, EventType};

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events");
    let events: Vec<Envelope> = EventType::all()
        .iter()
        .map(|t| {
            let bytes = std::fs::read(dir.join(format!("{}.json", t.name()))).expect("fixture");
            Envelope::from_json(&bytes).expect("fixture decodes")
        })
        .collect();
    let rounds = 200_000;
    let mut buf = Vec::with_capacity(1 << 20);
    let start = Instant::now();
    let mut bytes = 0usize;
    for _ in 0..rounds {
        for e in &events {
            buf.clear();
            e.write_json(&mut buf).expect("writes");
            bytes += buf.len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let n = (rounds * events.len()) as f64;
    println!(
        "write_json: {:.2} M events/s, {:.0} MB/s, {:.0} bytes/event",
        n / secs / 1e6,
        bytes as f64 / secs / 1e6,
        bytes as f64 / n
    );

    let payloads: Vec<_> = events.iter().map(|e| e.payload.clone()).collect();
    let rounds = 50_000;
    let start = Instant::now();
    for _ in 0..rounds {
        for p in &payloads {
            let e = Envelope::for_file(42, p.clone());
            buf.clear();
            e.write_json(&mut buf).expect("writes");
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "clone + Envelope::for_file + write_json: {:.2} M events/s",
        (rounds * payloads.len()) as f64 / secs / 1e6
    );
}
