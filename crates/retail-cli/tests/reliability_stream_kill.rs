//! Streaming crash safety (issue #9 item 2, second half): `retail stream` into a JSONL sink is
//! killed with SIGKILL at seeded random instants and started again each time; it resumes from
//! its progress file (DATA_DIR/state/stream-progress.json). Each kill falls after the progress
//! file moved forward in that run (so that every restart really resumes from a checkpoint),
//! plus a seeded random delay. Afterwards the file, with repeated trace_ids removed, is exactly
//! the start of an uninterrupted stream: no gap, nothing invented, and every line a whole event.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use support::*;

/// Runs really killed: 20 with `RELIABILITY_ITERATIONS=full`, 4 by default.
const KILLS_FULL: usize = 20;
const KILLS_DEFAULT: usize = 4;
const SEED: u64 = 0x0009_57EA_0001;
/// Paced so that a run outlives a few progress writes (at most one a second).
const KILLED_RUN: [&str; 4] = ["--rate", "20000", "--max-events", "1000000"];
/// The last run, left to finish.
const FINAL_RUN: [&str; 4] = ["--rate", "unlimited", "--max-events", "5000"];

fn trace_id(line: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("a broken line in the stream file ({e}): {line:?}"));
    value["trace_id"].as_str().unwrap().to_owned()
}

/// `next_index` of the progress file: the events acknowledged so far (0 before the first write).
fn checkpoint(data_dir: &Path) -> u64 {
    std::fs::read_to_string(data_dir.join("state/stream-progress.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|progress| progress["next_index"].as_u64())
        .unwrap_or(0)
}

#[test]
fn stream_killed_at_random_points_resumes_with_no_gap() {
    let kill_count = iterations(KILLS_DEFAULT, KILLS_FULL);
    let config = small_config();
    let data = tempfile::tempdir().unwrap();
    assert_ok(&retail(
        &config,
        data.path(),
        &["generate", "--start", "2024-11-25", "--end", "2024-11-25"],
    ));
    let file = data.path().join("killed.jsonl");
    let sink = format!("jsonl:{}", file.display());
    let stream = |pace: &[&'static str]| {
        let mut args = vec!["stream", "--sink", sink.as_str()];
        args.extend_from_slice(pace);
        retail_command(&config, data.path(), &args)
    };

    let mut state = SEED;
    let mut kills = Vec::new();
    let mut resumed_from = Vec::new();
    while kills.len() < kill_count {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let extra = Duration::from_millis(state % 500);
        let before = checkpoint(data.path());
        resumed_from.push(before);
        let mut child = stream(&KILLED_RUN).spawn().unwrap();
        // Not a timing assertion: a bound on a hang.
        let bound = Instant::now() + Duration::from_secs(120);
        while checkpoint(data.path()) <= before {
            assert!(
                child.try_wait().unwrap().is_none(),
                "the stream ended early"
            );
            assert!(Instant::now() < bound, "the progress file never moved");
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(extra);
        child.kill().unwrap();
        child.wait().unwrap();
        kills.push((checkpoint(data.path()), extra.as_millis()));
    }
    let lines_before_the_final_run = lines(&file).len();
    assert_ok(&stream(&FINAL_RUN).output().unwrap());

    let killed = lines(&file);
    let mut seen = BTreeSet::new();
    let mut distinct = Vec::new();
    for line in &killed {
        if seen.insert(trace_id(line)) {
            distinct.push(line.clone());
        }
    }
    // The final run sent its 5,000 events from the last checkpoint on, and every restart
    // began further on than the one before.
    assert_eq!(killed.len() - lines_before_the_final_run, 5_000);
    assert!(
        resumed_from.windows(2).all(|w| w[0] < w[1]),
        "{resumed_from:?}"
    );
    let whole_file = data.path().join("whole.jsonl");
    let whole_sink = format!("jsonl:{}", whole_file.display());
    let count = distinct.len().to_string();
    assert_ok(&retail(
        &config,
        data.path(),
        &[
            "stream",
            "--restart",
            "--sink",
            &whole_sink,
            "--rate",
            "unlimited",
            "--max-events",
            &count,
        ],
    ));
    let whole = lines(&whole_file);
    assert_eq!(distinct.len(), whole.len());
    assert!(
        distinct == whole,
        "the resumed stream is not the uninterrupted one"
    );
    println!(
        "{} kills, each after the checkpoint moved plus a random delay; (checkpoint after the \
         kill, delay ms): {kills:?}; {} lines written, {} distinct events = the uninterrupted \
         stream, {} duplicates (events sent after the last checkpoint, re-sent on resume) \
         removed by trace_id",
        kills.len(),
        killed.len(),
        distinct.len(),
        killed.len() - distinct.len()
    );
}
