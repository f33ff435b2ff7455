//! A process killed (SIGKILL) while committing days leaves only whole days behind.
//!
//! The test re-runs its own binary as a child that commits day after day until it is killed;
//! whenever the kill lands, every day up to the watermark must be complete and nothing after
//! it may be visible.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{day, lines};
use retail_store::{Store, TableBatches};

const CHILD_ENV: &str = "RETAIL_STORE_CRASH_CHILD_DIR";
const RECEIPTS_PER_DAY: u32 = 20_000;
const ROWS_PER_DAY: u64 = RECEIPTS_PER_DAY as u64 * 3;

/// The child: commits consecutive days for ever (does nothing when run as a normal test).
#[test]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let dir = Path::new(&dir);
    let mut store = Store::open(dir).expect("open");
    let first = day(2024, 1, 1);
    for i in 0.. {
        let d = first.plus_days(i);
        let rows = lines(&[d], RECEIPTS_PER_DAY);
        store
            .commit_day(d, &[TableBatches::from_rows(&rows).expect("batch")], &[])
            .expect("commit");
        std::fs::write(dir.join("committed"), (i + 1).to_string()).expect("progress marker");
    }
}

#[test]
fn killed_writer_leaves_whole_days_only() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, dir.path())
        .spawn()
        .unwrap();
    // Let the child commit two days, then kill it somewhere inside a later one.
    let progress = dir.path().join("committed");
    let committed_days = || {
        std::fs::read_to_string(&progress)
            .ok()
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or(0)
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while committed_days() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(120));
    child.kill().unwrap();
    child.wait().unwrap();

    let mut store = Store::open(dir.path()).unwrap();
    let last = store.last_generated_date().unwrap();
    let mut stmt = store
        .connection()
        .prepare(
            "SELECT business_date::VARCHAR, count(*) FROM fact_receipt_lines \
             GROUP BY 1 ORDER BY 1",
        )
        .unwrap();
    let per_day: Vec<(String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    drop(stmt);
    let committed = match last {
        Some(last) => (last.0 - day(2024, 1, 1).0 + 1) as usize,
        None => 0,
    };
    assert!(committed >= 2, "the child committed {committed} days");
    assert_eq!(
        per_day.len(),
        committed,
        "days visible vs watermark {last:?}"
    );
    for (i, (date, count)) in per_day.iter().enumerate() {
        assert_eq!(*date, day(2024, 1, 1).plus_days(i as i32).to_string());
        assert_eq!(*count as u64, ROWS_PER_DAY, "day {date} is partial");
    }

    // The run continues from the watermark.
    let next = last.map_or(day(2024, 1, 1), |d| d.succ());
    let rows = lines(&[next], 10);
    store
        .commit_day(next, &[TableBatches::from_rows(&rows).unwrap()], &[])
        .unwrap();
    assert_eq!(store.last_generated_date().unwrap(), Some(next));
}
