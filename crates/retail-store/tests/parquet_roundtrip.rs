//! Parquet files written by the project's writer, read back by the parquet crate and by
//! DuckDB's `read_parquet`.

mod common;

use std::fs::File;
use std::path::Path;

use arrow::array::RecordBatch;
use common::{day, line, lines, options, promotion, truck};
use parquet::basic::{Compression, LogicalType, Repetition, TimeUnit, Type as PhysicalType};
use parquet::file::reader::{FileReader, SerializedFileReader};
use retail_schemas::Row;
use retail_schemas::tables::{DimTruck, FactPromotion, FactReceiptLine};
use retail_store::{
    ParquetCompression, ParquetLayout, ParquetOptions, Store, StoreError, YearMonth,
    normalize_batch, read_parquet_batches, sort_rows, to_record_batch, write_parquet_rows,
};
use sha2::{Digest, Sha256};

fn sha256(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

/// Reads a file with the parquet crate's reader. The only difference from the written Arrow
/// schema is the spec-compliant LIST element name, which normalisation maps back.
fn read_all<R: Row>(path: &Path) -> RecordBatch {
    let batches: Vec<RecordBatch> = read_parquet_batches(path)
        .unwrap()
        .iter()
        .map(|b| normalize_batch(R::def(), b).unwrap())
        .collect();
    arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap()
}

/// Reads a file through DuckDB's own Parquet reader, in file order.
fn read_with_duckdb<R: Row>(store: &Store, path: &Path) -> RecordBatch {
    let def = R::def();
    let sql = format!(
        "SELECT * FROM read_parquet('{}') ORDER BY {}",
        path.display(),
        retail_store::schema::sort_columns(def).join(", ")
    );
    let mut stmt = store.connection().prepare(&sql).unwrap();
    let batches: Vec<RecordBatch> = stmt.query_arrow([]).unwrap().collect();
    let normalized: Vec<RecordBatch> = batches
        .iter()
        .map(|b| normalize_batch(def, b).unwrap())
        .collect();
    arrow::compute::concat_batches(&normalized[0].schema(), &normalized).unwrap()
}

#[test]
fn rows_survive_parquet_and_duckdb_read_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let layout = ParquetLayout::new(dir.path());
    let opts = options();
    let store = Store::open(dir.path()).unwrap();

    let mut receipt_lines = lines(&[day(2024, 3, 6), day(2024, 3, 7)], 20);
    receipt_lines.reverse();
    sort_rows(&mut receipt_lines).unwrap();
    let files = layout.write_fact_months(&receipt_lines, &opts).unwrap();
    assert_eq!(
        files,
        [layout.fact_month_file(
            FactReceiptLine::def(),
            YearMonth {
                year: 2024,
                month: 3
            }
        )]
    );
    let expected = to_record_batch(&receipt_lines).unwrap();
    assert_eq!(read_all::<FactReceiptLine>(&files[0]), expected);
    assert_eq!(
        read_with_duckdb::<FactReceiptLine>(&store, &files[0]),
        expected
    );

    let mut promos: Vec<FactPromotion> = (0..9).map(|i| promotion(day(2024, 3, 6), i)).collect();
    sort_rows(&mut promos).unwrap();
    let files = layout.write_fact_months(&promos, &opts).unwrap();
    let expected = to_record_batch(&promos).unwrap();
    assert_eq!(read_all::<FactPromotion>(&files[0]), expected);
    assert_eq!(
        read_with_duckdb::<FactPromotion>(&store, &files[0]),
        expected
    );

    let trucks = vec![
        truck(1, "ABC0001"),
        truck(2, "ABC0002"),
        truck(3, "ÄÖÜ0003"),
    ];
    let file = layout.write_dimension(&trucks, &opts).unwrap();
    let expected = to_record_batch(&trucks).unwrap();
    assert_eq!(read_all::<DimTruck>(&file), expected);
    assert_eq!(read_with_duckdb::<DimTruck>(&store, &file), expected);
}

#[test]
fn duckdb_reads_exact_money_microseconds_dates_nulls_and_lists() {
    let dir = tempfile::tempdir().unwrap();
    let layout = ParquetLayout::new(dir.path());
    let store = Store::open(dir.path()).unwrap();
    let mut l = line(day(2024, 3, 6), 22, 2);
    l.unit_price = retail_schemas::Money(-5);
    l.event_ts = retail_schemas::Ts::parse_rfc3339("2024-03-06T14:05:09.000123Z").unwrap();
    let files = layout.write_fact_months(&[l], &options()).unwrap();
    let sql = format!(
        "SELECT unit_price_cents, unit_price::VARCHAR, \
         strftime(event_ts AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%f'), \
         business_date::VARCHAR, promo_code IS NULL, original_line_number \
         FROM read_parquet('{}')",
        files[0].display()
    );
    let row: (i64, String, String, String, bool, Option<i32>) = store
        .connection()
        .query_row(&sql, [], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap();
    assert_eq!(
        row,
        (
            -5,
            "-0.05".into(),
            "2024-03-06T14:05:09.000123".into(),
            "2024-03-06".into(),
            true,
            Some(2)
        )
    );

    let p = promotion(day(2024, 3, 6), 2);
    let files = layout.write_fact_months(&[p], &options()).unwrap();
    let sql = format!(
        "SELECT product_ids::VARCHAR, receipt_id, order_id IS NULL, discount::VARCHAR \
         FROM read_parquet('{}')",
        files[0].display()
    );
    let row: (String, String, bool, String) = store
        .connection()
        .query_row(&sql, [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap();
    assert_eq!(
        row,
        ("[500, 501]".into(), "R-2".into(), true, "-2.02".into())
    );
}

#[test]
fn parquet_schema_and_metadata_follow_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.parquet");
    let mut opts = options();
    opts.row_group_rows = 1024;
    let mut promos: Vec<FactPromotion> = (0..2500).map(|i| promotion(day(2024, 3, 6), i)).collect();
    sort_rows(&mut promos).unwrap();
    write_parquet_rows(&path, &promos, &opts).unwrap();

    let reader = SerializedFileReader::new(File::open(&path).unwrap()).unwrap();
    let meta = reader.metadata();
    let file_meta = meta.file_metadata();
    assert_eq!(
        file_meta.created_by(),
        Some(format!("retail-datagen {}", env!("CARGO_PKG_VERSION")).as_str())
    );
    let kv: Vec<(String, String)> = file_meta
        .key_value_metadata()
        .unwrap()
        .iter()
        .filter(|kv| kv.key.starts_with("retail_datagen."))
        .map(|kv| (kv.key.clone(), kv.value.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        kv,
        [
            ("retail_datagen.contract_version".into(), "1.0".into()),
            ("retail_datagen.seed".into(), "42".into()),
            ("retail_datagen.config_hash".into(), "c0ffee".into()),
            ("retail_datagen.tzdb_version".into(), "2025b".into()),
        ]
    );
    let groups: Vec<i64> = meta.row_groups().iter().map(|g| g.num_rows()).collect();
    assert_eq!(groups, [1024, 1024, 452]);

    let schema = file_meta.schema_descr();
    let column = |name: &str| {
        schema
            .columns()
            .iter()
            .find(|c| c.path().string() == name)
            .unwrap_or_else(|| panic!("column {name}"))
            .clone()
    };
    let discount = column("discount");
    assert_eq!(discount.physical_type(), PhysicalType::INT64);
    assert_eq!(
        discount.logical_type_ref(),
        Some(&LogicalType::Decimal {
            scale: 2,
            precision: 12
        })
    );
    assert_eq!(
        discount.self_type().get_basic_info().repetition(),
        Repetition::REQUIRED
    );
    let ts = column("event_ts");
    assert_eq!(ts.physical_type(), PhysicalType::INT64);
    assert_eq!(
        ts.logical_type_ref(),
        Some(&LogicalType::Timestamp {
            is_adjusted_to_u_t_c: true,
            unit: TimeUnit::MICROS
        })
    );
    let date = column("business_date");
    assert_eq!(date.physical_type(), PhysicalType::INT32);
    assert_eq!(date.logical_type_ref(), Some(&LogicalType::Date));
    let receipt = column("receipt_id");
    assert_eq!(
        receipt.self_type().get_basic_info().repetition(),
        Repetition::OPTIONAL
    );
    assert_eq!(receipt.logical_type_ref(), Some(&LogicalType::String));
    // 3-level LIST of required INT64.
    let element = column("product_ids.list.element");
    assert_eq!(element.physical_type(), PhysicalType::INT64);
    assert_eq!(
        element.self_type().get_basic_info().repetition(),
        Repetition::REQUIRED
    );

    for group in meta.row_groups() {
        for chunk in group.columns() {
            assert_eq!(
                chunk.compression(),
                Compression::ZSTD(Default::default()).codec_only()
            );
            assert!(chunk.statistics().is_some(), "statistics on");
            assert!(chunk.bloom_filter_offset().is_none(), "no bloom filters");
        }
        let promo_code = group.column(
            schema
                .columns()
                .iter()
                .position(|c| c.path().string() == "promo_code")
                .unwrap(),
        );
        assert!(
            promo_code.dictionary_page_offset().is_some(),
            "dictionary on"
        );
    }
}

trait CodecOnly {
    fn codec_only(self) -> Compression;
}
impl CodecOnly for Compression {
    /// Levels are not stored in the file; compare codecs only.
    fn codec_only(self) -> Compression {
        match self {
            Compression::ZSTD(_) => Compression::ZSTD(Default::default()),
            other => other,
        }
    }
}

#[test]
fn writer_checks_order_and_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let layout = ParquetLayout::new(dir.path());
    let mut rows = lines(&[day(2024, 3, 6)], 3);
    rows.swap(0, 4);
    let err = layout.write_fact_months(&rows, &options()).unwrap_err();
    assert!(matches!(err, StoreError::NotSorted { row: 1, .. }), "{err}");
    assert!(err.to_string().contains("sort_rows"));

    let rows = vec![line(day(2024, 3, 6), 1, 1), line(day(2024, 3, 6), 1, 1)];
    let err = layout.write_fact_months(&rows, &options()).unwrap_err();
    assert!(
        matches!(err, StoreError::DuplicateKey { row: 1, .. }),
        "{err}"
    );
    assert!(!layout.table_dir(FactReceiptLine::def()).join("x").exists());
}

#[test]
fn sort_orders_by_business_date_then_key_with_strings_by_bytes() {
    let d1 = day(2024, 3, 6);
    let d2 = day(2024, 3, 7);
    let mut rows = vec![
        line(d2, 1, 1),
        line(d1, 2, 10),
        line(d1, 2, 9),
        line(d1, 1, 2),
    ];
    rows[3].receipt_id = "R-Z".into();
    rows[2].receipt_id = "R-a".into(); // 'a' (0x61) sorts after 'Z' (0x5a) by bytes
    rows[1].receipt_id = "R-a".into();
    sort_rows(&mut rows).unwrap();
    let keys: Vec<(i32, &str, i32)> = rows
        .iter()
        .map(|r| (r.business_date.0, r.receipt_id.as_str(), r.line_number))
        .collect();
    assert_eq!(
        keys,
        [
            (d1.0, "R-Z", 2),
            (d1.0, "R-a", 9),
            (d1.0, "R-a", 10),
            (d2.0, rows[3].receipt_id.as_str(), 1)
        ]
    );
    retail_store::check_sorted(&rows).unwrap();
}

#[test]
fn same_rows_give_identical_bytes_whatever_the_batching() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options();
    opts.row_group_rows = 1024;
    let rows = lines(&[day(2024, 3, 6), day(2024, 3, 7)], 700); // 4200 rows

    let a = dir.path().join("a.parquet");
    let b = dir.path().join("b.parquet");
    write_parquet_rows(&a, &rows, &opts).unwrap();
    write_parquet_rows(&b, &rows, &opts).unwrap();
    assert_eq!(sha256(&a), sha256(&b));

    // Same rows fed as odd-sized batches.
    let c = dir.path().join("c.parquet");
    let mut writer =
        retail_store::ParquetFileWriter::create(&c, FactReceiptLine::def(), &opts).unwrap();
    for chunk in rows.chunks(333) {
        writer.write(&to_record_batch(chunk).unwrap()).unwrap();
    }
    assert_eq!(writer.finish().unwrap(), 4200);
    assert_eq!(sha256(&a), sha256(&c));

    // Other settings give other bytes (the hash is not vacuous).
    let mut snappy = opts.clone();
    snappy.compression = ParquetCompression::Snappy;
    let d = dir.path().join("d.parquet");
    write_parquet_rows(&d, &rows, &snappy).unwrap();
    assert_ne!(sha256(&a), sha256(&d));
    assert_eq!(
        read_all::<FactReceiptLine>(&a),
        read_all::<FactReceiptLine>(&d)
    );
}

/// The writer hands rows to the column writers in multiples of their mini-batch size, so
/// streaming a month day by day gives the bytes of one write per row group — also for row
/// groups that are not a multiple of it, and for list columns (whole row groups).
#[test]
fn streamed_batches_give_the_bytes_of_whole_row_groups() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options();
    opts.row_group_rows = 3000;
    let days: Vec<_> = (0..5).map(|d| day(2024, 3, 6).plus_days(d)).collect();
    let rows = lines(&days, 500); // 7500 rows: two full groups and a short one
    let whole = dir.path().join("whole.parquet");
    write_parquet_rows(&whole, &rows, &opts).unwrap();
    for (n, chunk) in [1usize, 333, 1024, 1500, 2047, 4100]
        .into_iter()
        .enumerate()
    {
        let path = dir.path().join(format!("chunked-{n}.parquet"));
        let mut writer =
            retail_store::ParquetFileWriter::create(&path, FactReceiptLine::def(), &opts).unwrap();
        for part in rows.chunks(chunk) {
            writer.write(&to_record_batch(part).unwrap()).unwrap();
        }
        assert_eq!(writer.finish().unwrap(), 7500);
        assert_eq!(sha256(&whole), sha256(&path), "chunks of {chunk} rows");
    }

    let mut promos: Vec<FactPromotion> = (0..2500).map(|i| promotion(day(2024, 3, 6), i)).collect();
    retail_store::sort_rows(&mut promos).unwrap();
    let whole = dir.path().join("promos.parquet");
    opts.row_group_rows = 1000;
    write_parquet_rows(&whole, &promos, &opts).unwrap();
    let path = dir.path().join("promos-chunked.parquet");
    let mut writer =
        retail_store::ParquetFileWriter::create(&path, FactPromotion::def(), &opts).unwrap();
    for part in promos.chunks(77) {
        writer.write(&to_record_batch(part).unwrap()).unwrap();
    }
    writer.finish().unwrap();
    assert_eq!(sha256(&whole), sha256(&path));
}

#[test]
fn continuation_rewrites_a_month_byte_identically() {
    let days: Vec<_> = (0..6).map(|d| day(2024, 2, 26).plus_days(d)).collect(); // Feb 26 .. Mar 2
    let all = lines(&days, 50);
    let split = all.iter().position(|r| r.business_date == days[2]).unwrap(); // Feb 28

    let single = tempfile::tempdir().unwrap();
    let layout_single = ParquetLayout::new(single.path());
    let mut opts = options();
    opts.row_group_rows = 64;
    let files_single = layout_single.write_fact_months(&all, &opts).unwrap();
    assert_eq!(files_single.len(), 2);

    // From the union of rows: first run, then append the later days.
    let split_dir = tempfile::tempdir().unwrap();
    let layout_split = ParquetLayout::new(split_dir.path());
    layout_split
        .write_fact_months(&all[..split], &opts)
        .unwrap();
    let touched = layout_split.append_fact_days(&all[split..], &opts).unwrap();
    assert_eq!(touched.len(), 2);
    for (a, b) in files_single.iter().zip(&touched) {
        assert_eq!(a.file_name(), b.file_name());
        assert_eq!(sha256(a), sha256(b));
    }
    // Appending days that are not after the file's content is refused, file untouched.
    let before = sha256(&touched[0]);
    let err = layout_split
        .append_fact_days(&all[..10], &opts)
        .unwrap_err();
    assert!(err.to_string().contains("already holds"), "{err}");
    assert_eq!(before, sha256(&touched[0]));

    // From DuckDB: commit day by day, then rewrite the months from the database.
    let duck_dir = tempfile::tempdir().unwrap();
    let layout_duck = ParquetLayout::new(duck_dir.path());
    let mut store = Store::open(duck_dir.path()).unwrap();
    for d in &days {
        let part: Vec<_> = all
            .iter()
            .filter(|r| r.business_date == *d)
            .cloned()
            .collect();
        store
            .commit_day(
                *d,
                &[retail_store::TableBatches::from_rows(&part).unwrap()],
                &[],
            )
            .unwrap();
    }
    let def = FactReceiptLine::def();
    let months = store.fact_months(def).unwrap();
    assert_eq!(months.len(), 2);
    for (month, expected) in months.iter().zip(&files_single) {
        let path = store
            .write_fact_month(def, *month, &layout_duck, &opts)
            .unwrap()
            .unwrap();
        assert_eq!(sha256(&path), sha256(expected));
    }
    let empty = YearMonth {
        year: 2023,
        month: 1,
    };
    assert_eq!(
        store
            .write_fact_month(def, empty, &layout_duck, &opts)
            .unwrap(),
        None
    );

    // And the canonical content hash agrees across rows, Parquet and DuckDB.
    let from_rows = retail_store::rows_content_hash(&all).unwrap();
    let parquet =
        retail_store::parquet_content_hash(def, &layout_single.existing_files(def).unwrap())
            .unwrap();
    assert_eq!(from_rows.rows, all.len() as u64);
    assert_eq!(parquet, from_rows);
    assert_eq!(store.content_hash(def).unwrap(), from_rows);
    let fewer = retail_store::rows_content_hash(&all[1..]).unwrap();
    assert_ne!(fewer, from_rows);
}

#[test]
fn rejects_money_overflow_and_bad_options() {
    let mut l = line(day(2024, 3, 6), 1, 1);
    l.gross = retail_schemas::Money(1_000_000_000_000);
    let err = to_record_batch(&[l]).unwrap_err();
    assert!(err.to_string().contains("gross"), "{err}");
    assert!(err.to_string().contains("DECIMAL(12,2)"), "{err}");
    let err = write_parquet_rows(
        Path::new("/nonexistent-dir-for-test/x.parquet"),
        &[line(day(2024, 3, 6), 1, 1)],
        &ParquetOptions {
            row_group_rows: 0,
            ..options()
        },
    )
    .unwrap_err();
    assert!(matches!(err, StoreError::InvalidOption(_)), "{err}");
    assert!(ParquetCompression::from_config("lz4", 3).is_err());
    assert!(ParquetCompression::from_config("zstd", 23).is_err());
    assert_eq!(
        ParquetCompression::from_config("zstd", 9).unwrap(),
        ParquetCompression::Zstd { level: 9 }
    );
}
