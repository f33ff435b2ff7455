//! `Store::open` waits out another process's lock on the database file (a `retail dashboard`
//! reading it while a stream starts) and gives up on other errors at once.
//!
//! The other process is this test binary run again with `LOCK_HOLDER_DB` set: it opens the
//! file, writes a marker, and holds the connection until the opener — after its first open
//! failed on the conflict — writes a release file. No timing decides the outcome.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use retail_store::{LockRetry, Store, StoreError, is_lock_conflict, retry_lock_conflicts};

const HOLDER_DB: &str = "LOCK_HOLDER_DB";

fn marker(db: &Path, suffix: &str) -> PathBuf {
    db.with_extension(suffix)
}

/// The holder process (does nothing when run as an ordinary test).
#[test]
fn lock_holder_process() {
    let Some(db) = std::env::var_os(HOLDER_DB).map(PathBuf::from) else {
        return;
    };
    let connection = duckdb::Connection::open(&db).unwrap();
    std::fs::write(marker(&db, "held"), b"").unwrap();
    let release = marker(&db, "release");
    // Bounded, so that a broken opener cannot leave this process behind.
    for _ in 0..6_000 {
        if release.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(connection);
}

/// Starts the holder on `db` and returns once it holds the file.
fn hold(db: &Path) -> Child {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "lock_holder_process", "--nocapture"])
        .env(HOLDER_DB, db)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let held = marker(db, "held");
    for _ in 0..6_000 {
        if held.exists() {
            return child;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let status = child.wait();
    panic!(
        "the holder process never opened {} ({status:?})",
        db.display()
    );
}

#[test]
fn store_open_waits_until_another_process_releases_the_file() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    let db = dir.path().join(retail_store::DATABASE_FILE);
    let mut holder = hold(&db);

    let mut conflicts = 0;
    let connection = retry_lock_conflicts(
        LockRetry {
            attempts: 600,
            pause: Duration::from_millis(50),
        },
        || {
            let result = duckdb::Connection::open(&db);
            if let Err(e) = &result {
                assert!(
                    is_lock_conflict(e),
                    "not classified as a lock conflict: {e}"
                );
                conflicts += 1;
                std::fs::write(marker(&db, "release"), b"").unwrap();
            }
            result
        },
    );
    assert!(conflicts >= 1, "the holder did not hold the file");
    drop(connection.unwrap());
    assert!(holder.wait().unwrap().success());

    // The same through Store::open, while a holder releases the file shortly after.
    std::fs::remove_file(marker(&db, "held")).unwrap();
    std::fs::remove_file(marker(&db, "release")).unwrap();
    let mut holder = hold(&db);
    let releaser = {
        let release = marker(&db, "release");
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            std::fs::write(release, b"").unwrap();
        })
    };
    let store = Store::open_file_with(
        &db,
        LockRetry {
            attempts: 600,
            pause: Duration::from_millis(50),
        },
    );
    releaser.join().unwrap();
    assert!(holder.wait().unwrap().success());
    let store = store.unwrap();
    assert_eq!(store.last_generated_date().unwrap(), None);
}

#[test]
fn a_file_held_longer_than_the_retry_bound_fails_as_a_lock_conflict() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    let db = dir.path().join(retail_store::DATABASE_FILE);
    let mut holder = hold(&db);
    let error = Store::open_file_with(
        &db,
        LockRetry {
            attempts: 2,
            pause: Duration::from_millis(1),
        },
    )
    .unwrap_err();
    std::fs::write(marker(&db, "release"), b"").unwrap();
    assert!(holder.wait().unwrap().success());
    // A lock conflict is not mistaken for "not a retail-rti database".
    match &error {
        StoreError::Duckdb { source, .. } => assert!(is_lock_conflict(source), "{error}"),
        other => panic!("expected the lock conflict, got {other}"),
    }
}

#[test]
fn a_file_that_is_not_a_database_is_reported_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(retail_store::DATABASE_FILE);
    std::fs::write(
        &db,
        "plain text, not a DuckDB file, long enough for a header",
    )
    .unwrap();
    // (That it is tried once only is asserted by counting calls in the `lock` unit tests.)
    let error = Store::open_file(&db).unwrap_err();
    assert!(
        matches!(error, StoreError::NotRetailDatabase { .. }),
        "{error}"
    );
}
