//! Opening a DuckDB file that another process may hold for a moment.
//!
//! DuckDB lets one writing process *or* several reading ones use a file. A `retail dashboard`
//! that reads the database while `retail stream --sink duckdb` starts makes the writer's open
//! fail with a lock conflict that clears within a second; those conflicts, and only those, are
//! worth waiting out. Every other open error (not a DuckDB file, a directory, permissions) is
//! returned at once.

use std::path::Path;
use std::time::Duration;

use duckdb::Connection;

/// How long to keep retrying an open that failed because another process holds the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockRetry {
    /// Opens attempted in all (at least one).
    pub attempts: u32,
    /// Pause between two attempts.
    pub pause: Duration,
}

impl LockRetry {
    /// About five seconds: 50 attempts 100 ms apart — longer than a dashboard's read of the
    /// database, short enough that a file held by a long-running writer fails clearly.
    pub const DEFAULT: LockRetry = LockRetry {
        attempts: 50,
        pause: Duration::from_millis(100),
    };
}

impl Default for LockRetry {
    fn default() -> Self {
        LockRetry::DEFAULT
    }
}

/// Whether `error` is DuckDB's refusal to open a file whose lock another process holds.
pub fn is_lock_conflict(error: &duckdb::Error) -> bool {
    // DuckDB reports it as an IO error "Could not set lock on file "…": Conflicting lock is
    // held in … (PID n)"; matching the phrase, not the word "lock", keeps a path containing
    // "lock" from turning other errors into retries.
    let text = error.to_string();
    text.contains("Could not set lock on file") || text.contains("Conflicting lock is held")
}

/// Calls `open` until it succeeds, fails with an error other than a lock conflict, or
/// `retry.attempts` attempts have failed on lock conflicts (then the last conflict is
/// returned).
pub fn retry_lock_conflicts<T>(
    retry: LockRetry,
    mut open: impl FnMut() -> Result<T, duckdb::Error>,
) -> Result<T, duckdb::Error> {
    let mut attempt = 1;
    loop {
        match open() {
            Err(e) if attempt < retry.attempts && is_lock_conflict(&e) => {
                attempt += 1;
                std::thread::sleep(retry.pause);
            }
            other => return other,
        }
    }
}

/// Opens (or creates) the DuckDB file `path` read-write, waiting out lock conflicts per `retry`.
pub fn open_connection(path: &Path, retry: LockRetry) -> Result<Connection, duckdb::Error> {
    retry_lock_conflicts(retry, || Connection::open(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_other_than_a_lock_conflict_is_returned_after_one_attempt() {
        let dir = tempfile::tempdir().unwrap();
        let not_duckdb = dir.path().join("notes.txt");
        std::fs::write(&not_duckdb, "not a database, long enough to have a header").unwrap();
        let mut calls = 0;
        let error = retry_lock_conflicts(LockRetry::DEFAULT, || {
            calls += 1;
            Connection::open(&not_duckdb)
        })
        .unwrap_err();
        assert_eq!(calls, 1, "retried a non-lock error: {error}");
        assert!(!is_lock_conflict(&error), "{error}");
        assert!(error.to_string().contains("notes.txt"), "{error}");
    }

    #[test]
    fn a_directory_is_not_retried_even_when_its_path_contains_lock() {
        let dir = tempfile::tempdir().unwrap();
        let locked_dir = dir.path().join("lockfiles");
        std::fs::create_dir(&locked_dir).unwrap();
        let mut calls = 0;
        let error = retry_lock_conflicts(LockRetry::DEFAULT, || {
            calls += 1;
            Connection::open(&locked_dir)
        })
        .unwrap_err();
        assert_eq!(calls, 1, "retried a non-lock error: {error}");
    }
}
