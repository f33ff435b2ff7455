//! Streaming crash safety (issue #9 item 2, second half): `retail stream` into a JSONL sink is
//! killed with SIGKILL at seeded random instants and started again each time; it resumes from
//! its progress file (DATA_DIR/state/stream-progress.json). Afterwards the file, with repeated
//! trace_ids removed, is exactly the start of an uninterrupted stream: no gap, nothing
//! invented, and every line a whole event.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use support::*;

const KILLS: usize = 6;
const SEED: u64 = 0x0009_57EA_0001;
const EVENTS_PER_RUN: &str = "20000";

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn trace_id(line: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("a broken line in the stream file ({e}): {line:?}"));
    value["trace_id"].as_str().unwrap().to_owned()
}

#[test]
fn stream_killed_at_random_points_resumes_with_no_gap() {
    let config = small_config();
    let data = tempfile::tempdir().unwrap();
    assert_ok(&retail(
        &config,
        data.path(),
        &["generate", "--start", "2024-11-25", "--end", "2024-11-25"],
    ));
    let file = data.path().join("killed.jsonl");
    let sink = format!("jsonl:{}", file.display());
    let args = [
        "stream", "--sink", &sink, "--rate", "unlimited", "--max-events", EVENTS_PER_RUN,
    ];
    // How long one uninterrupted run takes, to spread the kill instants over it.
    let probe = data.path().join("probe");
    std::fs::create_dir_all(&probe).unwrap();
    copy_tree(data.path(), &probe);
    let probe_sink = format!("jsonl:{}", probe.join("probe.jsonl").display());
    let started = Instant::now();
    assert_ok(&retail(
        &config,
        &probe,
        &["stream", "--sink", &probe_sink, "--rate", "unlimited", "--max-events", EVENTS_PER_RUN],
    ));
    let one_run = started.elapsed();

    let mut state = SEED;
    let mut kills = Vec::new();
    while kills.len() < KILLS {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let delay = one_run.mul_f64((state % 1_000) as f64 / 1_000.0);
        let mut child = retail_command(&config, data.path(), &args).spawn().unwrap();
        let started = Instant::now();
        while started.elapsed() < delay && child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_millis(1));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            child.wait().unwrap();
            kills.push(started.elapsed().as_millis());
        }
    }
    assert_ok(&retail(&config, data.path(), &args));

    let killed = lines(&file);
    let mut seen = BTreeSet::new();
    let mut distinct = Vec::new();
    for line in &killed {
        if seen.insert(trace_id(line)) {
            distinct.push(line.clone());
        }
    }
    let whole_file = data.path().join("whole.jsonl");
    let whole_sink = format!("jsonl:{}", whole_file.display());
    let count = distinct.len().to_string();
    assert_ok(&retail(
        &config,
        data.path(),
        &["stream", "--restart", "--sink", &whole_sink, "--rate", "unlimited", "--max-events", &count],
    ));
    let whole = lines(&whole_file);
    assert_eq!(distinct.len(), whole.len());
    assert!(distinct == whole, "the resumed stream is not the uninterrupted one");
    println!(
        "{} kills at {kills:?} ms (one run {:.1}s); {} lines written, {} distinct events = the \
         uninterrupted stream, {} duplicates removed by trace_id",
        kills.len(),
        one_run.as_secs_f64(),
        killed.len(),
        distinct.len(),
        killed.len() - distinct.len()
    );
}
