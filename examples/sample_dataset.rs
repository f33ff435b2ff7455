//! A small sample dataset in a folder: the `small` profile's dimensions and its first days of
//! facts, in DuckDB (`DIR/retail.duckdb`) and Parquet (`DIR/parquet/<table>/…`), written with
//! the library crates (no `retail` binary).
//!
//! ```sh
//! cargo run --example sample_dataset -- /tmp/retail-sample 2   # folder, number of days
//! duckdb /tmp/retail-sample/retail.duckdb "SELECT receipt_type, count(*) FROM fact_receipts GROUP BY 1"
//! ```

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use retail_rti::config::{Config, Profile};
use retail_rti::facts::{FactsContext, Generator, TableVisitor};
use retail_rti::master::{Dictionaries, MasterData};
use retail_rti::schemas::{Row, TableKind, all_tables};
use retail_rti::store::{ParquetLayout, ParquetOptions, Provenance, Store, TableBatches};

/// What [`write_sample_dataset`] produced.
#[derive(Debug)]
pub struct SampleDataset {
    /// The DuckDB file.
    pub database: PathBuf,
    /// Every Parquet file written, in table order.
    pub parquet_files: Vec<PathBuf>,
    /// `(table, rows)` of the 25 tables, in contract order.
    pub rows: Vec<(&'static str, u64)>,
}

/// Collects one day's fact rows as Arrow batches, one per table.
struct ToTables(Vec<TableBatches>);

impl TableVisitor for ToTables {
    type Error = retail_rti::store::StoreError;

    fn visit<R: Row + Sync>(&mut self, rows: &[R]) -> Result<(), Self::Error> {
        self.0.push(TableBatches::from_rows(rows)?);
        Ok(())
    }
}

/// The `small` profile, cut to its first `days` days.
pub fn sample_config(days: u32) -> Result<Config, Box<dyn Error>> {
    let mut config = Profile::Small.config();
    let last = config.start_date().plus_days(days.max(1) as i32 - 1);
    config.dates.end_date = last.to_string();
    config.validate()?;
    Ok(config)
}

/// Writes the dataset of `config` into `dir` (which must not hold a dataset yet).
pub fn write_sample_dataset(dir: &Path, config: Config) -> Result<SampleDataset, Box<dyn Error>> {
    let master = MasterData::generate(&config, &Dictionaries::bundled()?)?;
    let mut store = Store::open(dir)?;
    let dimensions = vec![
        TableBatches::from_rows(&master.geographies)?,
        TableBatches::from_rows(&master.distribution_centers)?,
        TableBatches::from_rows(&master.stores)?,
        TableBatches::from_rows(&master.trucks)?,
        TableBatches::from_rows(&master.customers)?,
        TableBatches::from_rows(&master.products)?,
        TableBatches::from_rows(&master.dates)?,
    ];
    let seed = config.seed.to_string();
    store.replace_dimensions(&dimensions, &[("seed", seed.as_str())])?;

    let options = ParquetOptions::new(Provenance::new(
        config.seed,
        config.config_hash(),
        chrono_tz::IANA_TZDB_VERSION,
    ));
    let (first, last) = (config.start_date(), config.end_date());
    let generator = Generator::new(FactsContext::new(Arc::new(master), Arc::new(config)))?;
    let mut state = generator.initial_state()?;
    for day in generator.run_days(&mut state, first, last) {
        let (date, batch) = day?;
        let mut tables = ToTables(Vec::new());
        batch.visit_tables(&mut tables)?;
        store.commit_day(date, &tables.0, &[])?;
    }

    // Parquet is written from DuckDB, one file per dimension and per fact month.
    let layout = ParquetLayout::new(dir);
    let mut parquet_files = Vec::new();
    let mut rows = Vec::new();
    for def in all_tables() {
        match def.kind {
            TableKind::Dimension => {
                parquet_files.push(store.write_dimension(def, &layout, &options)?)
            }
            TableKind::Fact => {
                for month in store.fact_months(def)? {
                    parquet_files.extend(store.write_fact_month(def, month, &layout, &options)?);
                }
            }
            _ => continue,
        }
        rows.push((def.name, store.table_row_count(def.name)?));
    }
    Ok(SampleDataset {
        database: store.path().to_path_buf(),
        parquet_files,
        rows,
    })
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "sample-data".to_owned()));
    let days: u32 = match args.next() {
        Some(text) => text
            .parse()
            .map_err(|_| format!("the number of days must be a positive integer, not `{text}`"))?,
        None => 2,
    };
    if dir.join(retail_rti::store::DATABASE_FILE).exists() {
        return Err(format!(
            "{} already holds a dataset; pass another folder or remove it",
            dir.display()
        )
        .into());
    }
    let dataset = write_sample_dataset(&dir, sample_config(days)?)?;
    println!("DuckDB:  {}", dataset.database.display());
    println!(
        "Parquet: {} files under {}",
        dataset.parquet_files.len(),
        dir.join("parquet").display()
    );
    for (table, rows) in &dataset.rows {
        println!("  {table:<28} {rows:>9} rows");
    }
    Ok(())
}
