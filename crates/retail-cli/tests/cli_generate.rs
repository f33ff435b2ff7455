//! End-to-end tests of `retail generate` through the built binary.

mod support;

use retail_store::Store;

use support::*;

/// The issue's "done when": a week of the small profile validates.
#[test]
fn generate_a_small_week_then_validate() {
    let dir = tempfile::tempdir().unwrap();
    let out = retail(
        &small_config(),
        dir.path(),
        &["generate", "--start", "2024-11-25", "--end", "2024-12-01"],
    );
    assert_ok(&out);
    let store = Store::open(dir.path()).unwrap();
    let meta = store.read_meta().unwrap();
    for key in [
        "contract_version",
        "generator_version",
        "seed",
        "config_hash",
        "tzdb_version",
        "dictionary_hash",
        "dataset_start_date",
        "last_generated_date",
        "attribution_window_days",
        "max_return_lag_days",
    ] {
        assert!(meta.contains_key(key), "_meta lacks {key}: {meta:?}");
    }
    assert_eq!(meta["dataset_start_date"], "2024-11-25");
    assert_eq!(meta["last_generated_date"], "2024-12-01");
    assert_eq!(store.table_row_count("dim_stores").unwrap(), 4);
    drop(store);
    assert!(
        dir.path()
            .join("parquet/dim_stores/dim_stores.parquet")
            .is_file()
    );
    assert!(dir.path().join("state/checkpoint.bin").is_file());
    let validate = retail(&small_config(), dir.path(), &["validate"]);
    assert_ok(&validate);
}

#[test]
fn dimensions_alone_match_the_schema_and_are_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&retail(
        &small_config(),
        dir.path(),
        &["generate", "dimensions"],
    ));
    let first = parquet_files(dir.path());
    assert_eq!(
        first.len(),
        7,
        "{:?}",
        first.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    let store = Store::open(dir.path()).unwrap();
    let hashes: Vec<String> = retail_schemas::dimension_tables()
        .into_iter()
        .map(|d| store.content_hash(d).unwrap().hex())
        .collect();
    assert!(store.last_generated_date().unwrap().is_none());
    drop(store);
    assert_ok(&retail(
        &small_config(),
        dir.path(),
        &["generate", "dimensions"],
    ));
    assert_eq!(parquet_files(dir.path()), first);
    let store = Store::open(dir.path()).unwrap();
    let again: Vec<String> = retail_schemas::dimension_tables()
        .into_iter()
        .map(|d| store.content_hash(d).unwrap().hex())
        .collect();
    assert_eq!(again, hashes);
}

#[test]
fn interrupted_run_resumes_to_the_same_dataset() {
    let single = tempfile::tempdir().unwrap();
    let range = ["--start", "2024-11-25", "--end", "2024-11-29"];
    let mut args = vec!["generate"];
    args.extend_from_slice(&range);
    assert_ok(&retail(&small_config(), single.path(), &args));

    let split = tempfile::tempdir().unwrap();
    assert_ok(&retail(
        &small_config(),
        split.path(),
        &["generate", "--start", "2024-11-25", "--end", "2024-11-26"],
    ));
    // The checkpoint lagging behind the database (a crash between the day's commit and the
    // checkpoint write) is recovered by replaying.
    std::fs::remove_file(split.path().join("state/checkpoint.bin")).unwrap();
    assert_ok(&retail(
        &small_config(),
        split.path(),
        &["generate", "facts", "--end", "2024-11-27"],
    ));
    // The plain command continues to the end of the range.
    assert_ok(&retail(
        &small_config(),
        split.path(),
        &["generate", "--end", "2024-11-29"],
    ));
    assert_eq!(dataset_hashes(split.path()), dataset_hashes(single.path()));
    assert_eq!(parquet_files(split.path()), parquet_files(single.path()));

    // Nothing left to do: a re-run changes nothing.
    assert_ok(&retail(
        &small_config(),
        split.path(),
        &["generate", "--end", "2024-11-29"],
    ));
    assert_eq!(dataset_hashes(split.path()), dataset_hashes(single.path()));
}

/// kill -9 at an arbitrary instant (wherever the run happens to be), then the same command again.
#[test]
fn killed_run_resumes_to_the_same_dataset() {
    let args = ["generate", "--start", "2024-11-25", "--end", "2024-11-29"];
    let single = tempfile::tempdir().unwrap();
    assert_ok(&retail(&small_config(), single.path(), &args));

    let killed = tempfile::tempdir().unwrap();
    let mut child = retail_command(&small_config(), killed.path(), &args)
        .spawn()
        .unwrap();
    // Wait for the first committed day, then kill: the run is somewhere in the middle.
    let checkpoint = killed.path().join("state/checkpoint.bin");
    while !checkpoint.exists() {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().ok();
    child.wait().unwrap();
    assert_ok(&retail(
        &small_config(),
        killed.path(),
        &["generate", "--end", "2024-11-29"],
    ));
    assert_eq!(dataset_hashes(killed.path()), dataset_hashes(single.path()));
}

#[test]
fn thread_count_does_not_change_the_output() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    for (dir, threads) in [(&one, "1"), (&two, "2")] {
        assert_ok(&retail(
            &small_config(),
            dir.path(),
            &[
                "generate",
                "--start",
                "2024-11-25",
                "--end",
                "2024-11-27",
                "--threads",
                threads,
            ],
        ));
    }
    assert_eq!(dataset_hashes(one.path()), dataset_hashes(two.path()));
    assert_eq!(parquet_files(one.path()), parquet_files(two.path()));
}

#[test]
fn bad_config_lists_every_violation_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bad.json");
    std::fs::write(
        &config,
        r#"{"profile": "small", "volume": {"dcs": 0, "stores": 0}, "dates": {"start_date": "2024-13-01"}}"#,
    )
    .unwrap();
    let data = dir.path().join("data");
    let out = retail(&config, &data, &["generate"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(text.contains("volume.dcs"), "{text}");
    assert!(text.contains("volume.stores"), "{text}");
    assert!(text.contains("dates.start_date"), "{text}");
    assert!(
        !data.join("retail.duckdb").exists(),
        "nothing may be created"
    );
}

#[test]
fn start_after_end_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = retail(
        &small_config(),
        dir.path(),
        &[
            "generate",
            "facts",
            "--start",
            "2024-12-05",
            "--end",
            "2024-12-01",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--start 2024-12-05 is after --end 2024-12-01"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn continuation_refuses_another_configuration_and_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&retail(
        &small_config(),
        dir.path(),
        &["generate", "--start", "2024-11-25", "--end", "2024-11-25"],
    ));
    let other = dir.path().join("other.json");
    std::fs::write(&other, r#"{"profile": "small", "seed": 7}"#).unwrap();
    let out = retail(&other, dir.path(), &["generate", "facts"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("another configuration"),
        "{}",
        stderr(&out)
    );

    let out = retail(
        &small_config(),
        dir.path(),
        &["generate", "facts", "--start", "2024-11-28"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("a continuation starts on 2024-11-26"),
        "{}",
        stderr(&out)
    );
}

/// The same command line, `--start` included, run again continues the dataset (docs/cli.md:
/// "run it again after an interruption to continue") — and once complete, says so and exits 0.
#[test]
fn the_same_command_with_start_run_again_continues() {
    let single = tempfile::tempdir().unwrap();
    let through_26 = ["generate", "--start", "2024-11-25", "--end", "2024-11-26"];
    assert_ok(&retail(&small_config(), single.path(), &through_26));

    let dir = tempfile::tempdir().unwrap();
    assert_ok(&retail(
        &small_config(),
        dir.path(),
        &["generate", "--start", "2024-11-25", "--end", "2024-11-25"],
    ));
    assert_ok(&retail(&small_config(), dir.path(), &through_26));
    assert_eq!(dataset_hashes(dir.path()), dataset_hashes(single.path()));
    assert_eq!(parquet_files(dir.path()), parquet_files(single.path()));
    assert_ok(&retail(&small_config(), dir.path(), &through_26));
    assert_eq!(dataset_hashes(dir.path()), dataset_hashes(single.path()));
}

/// What a kill during the Parquet step can leave behind — a temporary file, a dimension file
/// not yet written — is repaired by the next run, even one with no day left to generate.
#[test]
fn the_next_run_repairs_the_parquet_files_a_kill_left_behind() {
    let args = ["generate", "--start", "2024-11-25", "--end", "2024-11-25"];
    let reference = tempfile::tempdir().unwrap();
    assert_ok(&retail(&small_config(), reference.path(), &args));
    let expected = parquet_files(reference.path());

    let dir = tempfile::tempdir().unwrap();
    assert_ok(&retail(&small_config(), dir.path(), &args));
    let parquet = dir.path().join("parquet");
    std::fs::remove_file(parquet.join("dim_date/dim_date.parquet")).unwrap();
    std::fs::write(
        parquet.join("fact_receipts/.fact_receipts_2024-11.parquet.Ab12Cd.tmp"),
        b"half a file",
    )
    .unwrap();
    assert_ne!(parquet_files(dir.path()), expected);
    let out = retail(
        &small_config(),
        dir.path(),
        &["generate", "--end", "2024-11-25"],
    );
    assert_ok(&out);
    assert_eq!(parquet_files(dir.path()), expected);
}
