//! Throughput of the store on synthetic `fact_receipt_lines` rows: Arrow conversion, Parquet
//! write (zstd 3 and snappy), DuckDB load (one commit), DuckDB → Parquet month rewrite and
//! the content hash.
//!
//! `cargo bench -p retail-store --bench store_throughput [-- ROWS]` (default 2 000 000 rows).

use std::hint::black_box;
use std::time::Instant;

use retail_schemas::tables::FactReceiptLine;
use retail_schemas::{Date, Money, Row, Ts};
use retail_store::{
    ParquetCompression, ParquetLayout, ParquetOptions, Provenance, Store, TableBatches, YearMonth,
    rows_content_hash, to_record_batches, write_parquet_rows,
};

fn synthetic_lines(n: usize, day: Date) -> Vec<FactReceiptLine> {
    (0..n)
        .map(|i| {
            let receipt = i / 12;
            let line_number = (i % 12) as i32 + 1;
            let cents = 99 + (i as i64 * 7919) % 5000;
            let discount = if i % 10 == 0 { cents / 10 } else { 0 };
            FactReceiptLine {
                receipt_id: format!("R-S{:06}-{}-{receipt:07}", receipt % 86, day.yyyymmdd()),
                line_number,
                event_ts: Ts(i64::from(day.0) * Ts::MICROS_PER_DAY + receipt as i64 * 997_001),
                business_date: day,
                store_id: (receipt % 86) as i64 + 1,
                product_id: (i as i64 * 104_729) % 20_000 + 1,
                quantity: (i % 3) as i32 + 1,
                unit_price: Money(cents),
                gross: Money(cents * 2),
                discount: Money(discount),
                net: Money(cents * 2 - discount),
                tax: Money((cents * 2 - discount) * 741 / 10_000),
                promo_code: (i % 10 == 0).then(|| "SPRING10".to_owned()),
                original_line_number: None,
            }
        })
        .collect()
}

fn report(what: &str, rows: usize, start: Instant) {
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{what:<44} {rows:>9} rows {secs:>8.3} s {:>12.0} rows/s",
        rows as f64 / secs
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2_000_000);
    let day = Date::from_ymd(2024, 3, 6).ok_or("date")?;
    let lines = synthetic_lines(rows, day);
    let mut sorted = lines.clone();
    retail_store::sort_rows(&mut sorted)?;
    let dir = tempfile::tempdir()?;

    let t = Instant::now();
    let mut shuffled = lines.clone();
    shuffled.reverse();
    retail_store::sort_rows(&mut shuffled)?;
    report("sort_rows (reversed input)", rows, t);

    let t = Instant::now();
    let batches = to_record_batches(&sorted, 65_536)?;
    black_box(&batches);
    report("Arrow conversion (to_record_batches)", rows, t);

    let mut options = ParquetOptions::new(Provenance::new(42, "bench", "2025b"));
    let path = dir.path().join("zstd.parquet");
    let t = Instant::now();
    write_parquet_rows(&path, &sorted, &options)?;
    report("rows -> Parquet, zstd(3)", rows, t);
    let zstd_bytes = std::fs::metadata(&path)?.len();

    options.compression = ParquetCompression::Snappy;
    let path = dir.path().join("snappy.parquet");
    let t = Instant::now();
    write_parquet_rows(&path, &sorted, &options)?;
    report("rows -> Parquet, snappy", rows, t);
    let snappy_bytes = std::fs::metadata(&path)?.len();

    let mut store = Store::open(dir.path())?;
    let t = Instant::now();
    let mut table = TableBatches::new(FactReceiptLine::def())?;
    for b in batches {
        table.push(b)?;
    }
    store.commit_day(day, &[table], &[])?;
    report("Arrow -> DuckDB (appender, one commit)", rows, t);

    options.compression = ParquetCompression::Zstd { level: 3 };
    let layout = ParquetLayout::new(dir.path());
    let t = Instant::now();
    store.write_fact_month(
        FactReceiptLine::def(),
        YearMonth::of(day),
        &layout,
        &options,
    )?;
    report("DuckDB -> Parquet month rewrite, zstd(3)", rows, t);

    let t = Instant::now();
    black_box(rows_content_hash(&sorted)?);
    report("content hash from rows", rows, t);

    let t = Instant::now();
    black_box(store.content_hash(FactReceiptLine::def())?);
    report("content hash from DuckDB", rows, t);

    println!(
        "file sizes: zstd(3) {:.1} MB, snappy {:.1} MB ({:.1} / {:.1} bytes per row)",
        zstd_bytes as f64 / 1e6,
        snappy_bytes as f64 / 1e6,
        zstd_bytes as f64 / rows as f64,
        snappy_bytes as f64 / rows as f64
    );
    Ok(())
}
