//! `retail generate --shard K/N`: the union of the shards equals one run, row by row in DuckDB
//! and file by file in Parquet, and the documented merge gives back the single run's dataset.

mod support;

use std::path::Path;

use retail_store::Store;

use support::*;

/// A week across a month end: 2 shards own November's 6 days and December's 1.
const RANGE: [&str; 4] = ["--start", "2024-11-25", "--end", "2024-12-01"];

fn generate(data_dir: &Path, extra: &[&str]) {
    let mut args = vec!["generate"];
    args.extend_from_slice(&RANGE);
    args.extend_from_slice(extra);
    assert_ok(&retail_small(data_dir, &args));
}

/// The dataset's hashes (see `support::dataset_hashes`) plus its shard identity.
fn shard_dataset_hashes(data_dir: &Path) -> Vec<(String, String)> {
    let mut out = dataset_hashes(data_dir);
    let store = Store::open(data_dir).unwrap();
    out.push((
        "shard".into(),
        format!("{:?}", store.meta("shard").unwrap()),
    ));
    out
}

fn sql_path(p: &Path) -> String {
    p.join("retail.duckdb")
        .display()
        .to_string()
        .replace('\'', "''")
}

#[test]
fn union_of_shards_equals_a_single_run() {
    let single = tempfile::tempdir().unwrap();
    generate(single.path(), &[]);
    let shard1 = tempfile::tempdir().unwrap();
    let shard2 = tempfile::tempdir().unwrap();
    // Different thread counts per shard: neither threads nor shards change the rows.
    generate(shard1.path(), &["--shard", "1/2", "--threads", "2"]);
    generate(shard2.path(), &["--shard", "2/2", "--threads", "1"]);

    let store = Store::open(single.path()).unwrap();
    store
        .connection()
        .execute_batch(&format!(
            "ATTACH '{}' AS s1 (READ_ONLY); ATTACH '{}' AS s2 (READ_ONLY);",
            sql_path(shard1.path()),
            sql_path(shard2.path())
        ))
        .unwrap();
    for (db, key, want) in [
        ("s1", "last_generated_date", "2024-11-30"),
        ("s2", "last_generated_date", "2024-12-01"),
        ("s1", "shard", "1/2 of 2024-11-25..2024-12-01"),
        ("s2", "shard", "2/2 of 2024-11-25..2024-12-01"),
    ] {
        let value: String = store
            .connection()
            .query_row(
                &format!("SELECT value FROM {db}._meta WHERE key = '{key}'"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(value, want, "{db}._meta.{key}");
    }
    let mut total = 0;
    for def in retail_schemas::fact_tables() {
        let t = def.name;
        let single_rows = count(&store, &format!("SELECT count(*) FROM main.{t}"));
        let (a, b) = (
            count(&store, &format!("SELECT count(*) FROM s1.{t}")),
            count(&store, &format!("SELECT count(*) FROM s2.{t}")),
        );
        assert_eq!(single_rows, a + b, "{t}: row counts");
        let union = format!("(SELECT * FROM s1.{t} UNION ALL SELECT * FROM s2.{t})");
        let missing = count(
            &store,
            &format!("SELECT count(*) FROM (SELECT * FROM main.{t} EXCEPT ALL {union})"),
        );
        let extra = count(
            &store,
            &format!("SELECT count(*) FROM ({union} EXCEPT ALL SELECT * FROM main.{t})"),
        );
        assert_eq!((missing, extra), (0, 0), "{t}: rows differ");
        // Each shard holds only its own block of business dates.
        let outside = count(
            &store,
            &format!(
                "SELECT (SELECT count(*) FROM s1.{t} WHERE business_date > DATE '2024-11-30') \
                 + (SELECT count(*) FROM s2.{t} WHERE business_date < DATE '2024-12-01')"
            ),
        );
        assert_eq!(outside, 0, "{t}: a row outside its shard's block");
        total += single_rows;
    }
    assert!(
        count(&store, "SELECT count(*) FROM s2.fact_receipts") > 0,
        "the second shard wrote its day"
    );
    assert!(total > 10_000, "a week of the small profile: {total} rows");
    for def in retail_schemas::dimension_tables() {
        let t = def.name;
        for db in ["s1", "s2"] {
            let differ = count(
                &store,
                &format!(
                    "SELECT (SELECT count(*) FROM (SELECT * FROM main.{t} EXCEPT ALL SELECT * \
                     FROM {db}.{t})) + (SELECT count(*) FROM (SELECT * FROM {db}.{t} EXCEPT ALL \
                     SELECT * FROM main.{t}))"
                ),
            );
            assert_eq!(differ, 0, "{db}.{t} differs from the single run");
        }
    }
    drop(store);

    // Parquet: whole months per shard, so the union of the trees is the single run's tree.
    let mut union = parquet_files(shard1.path());
    for (path, bytes) in parquet_files(shard2.path()) {
        match union.iter().find(|(p, _)| *p == path) {
            Some((_, existing)) => assert_eq!(existing, &bytes, "{}", path.display()),
            None => union.push((path, bytes)),
        }
    }
    union.sort();
    assert_eq!(union, parquet_files(single.path()));

    // The merge of docs/decisions.md: shard 1 as the base, the other shards' fact rows
    // appended in shard order, the last shard's watermark and checkpoint.
    let merged = tempfile::tempdir().unwrap();
    for file in ["retail.duckdb", "retail.duckdb.wal"] {
        if shard1.path().join(file).exists() {
            std::fs::copy(shard1.path().join(file), merged.path().join(file)).unwrap();
        }
    }
    std::fs::create_dir_all(merged.path().join("state")).unwrap();
    std::fs::copy(
        shard2.path().join("state/checkpoint.bin"),
        merged.path().join("state/checkpoint.bin"),
    )
    .unwrap();
    let store = Store::open(merged.path()).unwrap();
    let mut sql = format!("ATTACH '{}' AS s2 (READ_ONLY);", sql_path(shard2.path()));
    for def in retail_schemas::fact_tables() {
        sql.push_str(&format!("INSERT INTO {0} SELECT * FROM s2.{0};", def.name));
    }
    sql.push_str(
        "UPDATE _meta SET value = (SELECT value FROM s2._meta WHERE key = \
         'last_generated_date') WHERE key = 'last_generated_date'; \
         DELETE FROM _meta WHERE key IN ('shard', 'parquet_written_through'); DETACH s2;",
    );
    store.connection().execute_batch(&sql).unwrap();
    drop(store);
    assert_eq!(
        shard_dataset_hashes(merged.path()),
        shard_dataset_hashes(single.path())
    );

    // The merged dataset continues like the single run.
    for dir in [&merged, &single] {
        assert_ok(&retail_small(
            dir.path(),
            &["generate", "facts", "--end", "2024-12-02"],
        ));
    }
    assert_eq!(
        shard_dataset_hashes(merged.path()),
        shard_dataset_hashes(single.path())
    );
    // Known gap (docs/decisions.md, "Parquet after continuing a merged shard set"): the continued
    // run's November Parquet bytes differ from the single run's, so only the database content is
    // compared here; the shards' own Parquet files are compared byte for byte above.
}

#[test]
fn a_shard_keeps_its_identity_and_an_empty_shard_writes_only_dimensions() {
    let dir = tempfile::tempdir().unwrap();
    // Three shards of two months: the first one owns no month.
    generate(dir.path(), &["--shard", "1/3"]);
    let store = Store::open(dir.path()).unwrap();
    assert!(store.last_generated_date().unwrap().is_none());
    assert!(store.table_row_count("dim_stores").unwrap() > 0);
    for def in retail_schemas::fact_tables() {
        assert_eq!(store.table_row_count(def.name).unwrap(), 0, "{}", def.name);
    }
    drop(store);

    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &["--shard", "3/3"]);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(
        store.last_generated_date().unwrap().map(|d| d.to_string()),
        Some("2024-12-01".to_owned())
    );
    drop(store);
    for other in ["2/3", "3/4"] {
        let out = retail_small(
            dir.path(),
            &["generate", "--end", "2024-12-01", "--shard", other],
        );
        assert_eq!(out.status.code(), Some(2), "--shard {other}");
        let text = String::from_utf8_lossy(&out.stderr);
        assert!(
            text.contains("holds shard 3/3 of 2024-11-25..2024-12-01"),
            "{text}"
        );
    }
    let out = retail_small(dir.path(), &["generate", "--end", "2024-12-01"]);
    assert_eq!(out.status.code(), Some(2));

    let out = retail_small(dir.path(), &["generate", "--shard", "4/3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("K/N"));
}
