//! The examples' cores, run as tests (each example file is compiled in here as a module), and
//! one smoke test that runs a built example binary the way a user does.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

#[allow(dead_code)]
#[path = "../examples/sample_dataset.rs"]
mod sample_dataset;

#[allow(dead_code)]
#[path = "../examples/embed_generator.rs"]
mod embed_generator;

#[allow(dead_code)]
#[path = "../examples/custom_sink.rs"]
mod custom_sink;

use retail_rti::config::Profile;
use retail_rti::schemas::{EventType, Row};
use retail_rti::store::Store;

#[test]
fn sample_dataset_writes_duckdb_and_parquet_that_agree() {
    let dir = tempfile::tempdir().unwrap();
    let config = sample_dataset::sample_config(2).unwrap();
    let dataset = sample_dataset::write_sample_dataset(dir.path(), config).unwrap();

    assert_eq!(dataset.rows.len(), 25, "{:?}", dataset.rows);
    let rows = |table: &str| dataset.rows.iter().find(|(t, _)| *t == table).unwrap().1;
    assert_eq!(rows("dim_stores"), 4);
    assert!(rows("fact_receipts") > 0);
    assert!(dataset.database.exists());

    let store = Store::open(dir.path()).unwrap();
    let start = Profile::Small.config().start_date();
    assert_eq!(store.last_generated_date().unwrap(), Some(start.succ()));
    // Every dimension has its file, and every Parquet file lies under DIR/parquet/<table>/.
    for table in ["dim_stores", "dim_products", "dim_date", "fact_receipts"] {
        assert!(
            dataset
                .parquet_files
                .iter()
                .any(|f| f.starts_with(dir.path().join("parquet").join(table))),
            "no Parquet file for {table}: {:?}",
            dataset.parquet_files
        );
    }
    let receipts_def = retail_rti::schemas::tables::FactReceipt::def();
    let receipt_files: Vec<PathBuf> = dataset
        .parquet_files
        .iter()
        .filter(|f| f.starts_with(dir.path().join("parquet/fact_receipts")))
        .cloned()
        .collect();
    assert_eq!(
        retail_rti::store::parquet_content_hash(receipts_def, &receipt_files).unwrap(),
        store.content_hash(receipts_def).unwrap()
    );
}

#[test]
fn embedded_generator_yields_one_stores_receipts_of_the_day_deterministically() {
    let config = Profile::Small.config();
    let day = config.start_date().succ();
    let receipts: Vec<_> = embed_generator::receipts_of_store_day(config.clone(), 2, day)
        .unwrap()
        .collect();
    assert!(!receipts.is_empty());
    assert!(
        receipts
            .iter()
            .all(|r| r.store_id == 2 && r.business_date == day)
    );
    assert!(receipts.iter().any(|r| r.receipt_type == "SALE"));
    let again: Vec<_> = embed_generator::receipts_of_store_day(config.clone(), 2, day)
        .unwrap()
        .collect();
    assert_eq!(receipts, again);

    let err = embed_generator::receipts_of_store_day(config, 99, day)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("store 99 does not exist"), "{err}");
}

#[tokio::test]
async fn custom_sink_counts_every_event_of_the_day_by_type() {
    let report = custom_sink::count_first_day(Profile::Small.config())
        .await
        .unwrap();
    let total: u64 = report.counts.values().sum();
    assert_eq!(total, report.events_sent);
    assert!(report.events_sent > 0);
    assert_eq!(
        report.counts.get("receipt_created").copied(),
        Some(report.receipts_generated as u64)
    );
    let known: BTreeSet<&str> = EventType::all().iter().map(|t| t.name()).collect();
    for event_type in report.counts.keys() {
        assert!(known.contains(event_type.as_str()), "{event_type}");
    }
}

/// The examples are built by `cargo test` next to the test binaries: `target/<profile>/examples`.
fn example_binary(name: &str) -> PathBuf {
    let test_exe = std::env::current_exe().unwrap();
    let profile_dir = test_exe.parent().unwrap().parent().unwrap();
    profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

#[test]
fn the_embed_generator_example_runs_and_prints_what_it_produced() {
    let exe = example_binary("embed_generator");
    assert!(exe.exists(), "{} was not built", exe.display());
    let output = Command::new(&exe).args(["1"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = stdout.lines().last().unwrap();
    assert!(summary.starts_with("store 1 on "), "{stdout}");
    assert!(summary.contains(" sales, "), "{stdout}");

    let output = Command::new(&exe).args(["x"]).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: the store id must be an integer"),
        "{stderr}"
    );
}
