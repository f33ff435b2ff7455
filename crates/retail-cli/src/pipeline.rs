//! The generation pipeline: master data, the day-by-day facts engine and the store, composed.
//!
//! Crash safety (data-contract §9, §12.6). Day D is committed to DuckDB in ONE transaction with
//! `_meta.last_generated_date = D` (the watermark); only after that commit is the continuation
//! checkpoint for D written (`state/checkpoint.bin`, via a temporary file and a rename). So at
//! any instant the checkpoint is at or behind the watermark, never ahead. On start the state is
//! recovered by [`recover_state`]: the checkpoint is loaded when it is at or behind the
//! watermark and the missing days are *replayed* (run again, output discarded — the engine is a
//! pure function of its state and the date); a checkpoint ahead of the watermark, unreadable or
//! missing is discarded and the state replayed from the dataset start. Parquet month files are
//! derived from DuckDB and tracked by `_meta.parquet_written_through`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use retail_config::Config;
use retail_facts::{FactBatch, FactsContext, FactsError, TableVisitor};
use retail_master::{Dictionaries, MasterData};
use retail_schemas::{Date, Row, TableDef};
use retail_store::{
    ParquetCompression, ParquetLayout, ParquetOptions, Provenance, Store, TableBatches, YearMonth,
};

/// `_meta` key: the last business date whose Parquet month files are up to date.
pub const META_PARQUET_THROUGH: &str = "parquet_written_through";
/// `_meta` key of the configuration hash (§10.1).
pub const META_CONFIG_HASH: &str = "config_hash";
/// `_meta` key of the first date of the dataset.
pub const META_DATASET_START: &str = "dataset_start_date";

/// The version of this generator, recorded in `_meta` and Parquet metadata.
pub const GENERATOR_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The continuation checkpoint inside a data directory.
pub fn checkpoint_path(data_dir: &Path) -> PathBuf {
    data_dir.join("state").join("checkpoint.bin")
}

/// Parquet writer settings of a configuration.
pub fn parquet_options(config: &Config) -> Result<ParquetOptions> {
    let provenance = Provenance::new(
        config.seed,
        config.config_hash(),
        chrono_tz::IANA_TZDB_VERSION,
    );
    let mut options = ParquetOptions::new(provenance);
    options.compression = ParquetCompression::from_config(
        &config.output.parquet_compression,
        config.output.parquet_zstd_level,
    )?;
    options.row_group_rows = config.output.parquet_row_group_rows.max(1) as usize;
    Ok(options)
}

/// The `_meta` entries describing a dataset (data-contract §9.2), plus the two parameters
/// `retail validate` reads (`attribution_window_days`, `max_return_lag_days`).
pub fn dataset_meta(config: &Config, master: &MasterData) -> Vec<(&'static str, String)> {
    vec![
        ("generator_version", GENERATOR_VERSION.to_owned()),
        ("seed", config.seed.to_string()),
        (META_CONFIG_HASH, config.config_hash()),
        ("tzdb_version", chrono_tz::IANA_TZDB_VERSION.to_owned()),
        ("dictionary_hash", master.dictionary_hash.clone()),
        (META_DATASET_START, config.start_date().to_string()),
        (
            "attribution_window_days",
            config.marketing.attribution_window_days.to_string(),
        ),
        (
            "max_return_lag_days",
            config.returns.max_lag_days.to_string(),
        ),
    ]
}

/// Rows per table and time spent.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// `(table, rows)` in contract order.
    pub rows: Vec<(&'static str, u64)>,
    /// Wall time.
    pub elapsed: Duration,
}

impl Summary {
    /// Total rows.
    pub fn total_rows(&self) -> u64 {
        self.rows.iter().map(|(_, n)| n).sum()
    }
}

/// Generates the master data of a configuration (pure, a few hundred ms on `default`).
pub fn master_data(config: &Config) -> Result<MasterData> {
    let dicts = Dictionaries::bundled().context("loading the bundled dictionaries")?;
    MasterData::generate(config, &dicts).context("generating the dimension tables")
}

/// Writes the seven dimensions into DuckDB (one transaction, with the `_meta` entries) and
/// their Parquet files (each replaced atomically).
pub fn write_dimensions(
    config: &Config,
    master: &MasterData,
    store: &mut Store,
    data_dir: &Path,
) -> Result<Summary> {
    let started = Instant::now();
    let tables = vec![
        TableBatches::from_rows(&master.geographies)?,
        TableBatches::from_rows(&master.distribution_centers)?,
        TableBatches::from_rows(&master.stores)?,
        TableBatches::from_rows(&master.trucks)?,
        TableBatches::from_rows(&master.customers)?,
        TableBatches::from_rows(&master.products)?,
        TableBatches::from_rows(&master.dates)?,
    ];
    let meta = dataset_meta(config, master);
    let meta_refs: Vec<(&str, &str)> = meta.iter().map(|(k, v)| (*k, v.as_str())).collect();
    store
        .replace_dimensions(&tables, &meta_refs)
        .context("loading the dimensions into DuckDB")?;
    if config.output.parquet {
        let layout = ParquetLayout::new(data_dir);
        let options = parquet_options(config)?;
        for t in &tables {
            store
                .write_dimension(t.def(), &layout, &options)
                .with_context(|| format!("writing the Parquet file of {}", t.def().name))?;
        }
    }
    Ok(Summary {
        rows: tables
            .iter()
            .map(|t| (t.def().name, t.num_rows() as u64))
            .collect(),
        elapsed: started.elapsed(),
    })
}

/// The facts engine as the pipeline drives it: a state carried from day to day, one call per
/// business date, and a checkpoint of the state.
pub trait DayEngine: Sync {
    /// Everything carried from one day to the next.
    type State: Send;
    /// The state before the dataset's first day.
    fn initial_state(&self) -> Result<Self::State, FactsError>;
    /// The last day the state has processed (`None` for the initial state).
    fn state_day(&self, state: &Self::State) -> Option<Date>;
    /// Processes `date` (the day after [`DayEngine::state_day`]) and returns every row whose
    /// business date is `date`.
    fn run_day(&self, state: &mut Self::State, date: Date) -> Result<FactBatch, FactsError>;
    /// Serialises the state.
    fn save_state(&self, state: &Self::State) -> Result<Vec<u8>>;
    /// Restores a state saved by [`DayEngine::save_state`].
    fn load_state(&self, bytes: &[u8]) -> Result<Self::State>;
}

impl DayEngine for retail_facts::Generator {
    type State = retail_facts::WorldState;

    fn initial_state(&self) -> Result<Self::State, FactsError> {
        retail_facts::Generator::initial_state(self)
    }

    fn state_day(&self, state: &Self::State) -> Option<Date> {
        (state.next_date > state.dataset_start).then(|| state.next_date.plus_days(-1))
    }

    fn run_day(&self, state: &mut Self::State, date: Date) -> Result<FactBatch, FactsError> {
        retail_facts::Generator::run_day(self, state, date)
    }

    fn save_state(&self, state: &Self::State) -> Result<Vec<u8>> {
        Ok(retail_facts::checkpoint_to_bytes(state)?)
    }

    fn load_state(&self, bytes: &[u8]) -> Result<Self::State> {
        Ok(retail_facts::checkpoint_from_bytes(
            bytes,
            self.config_hash(),
        )?)
    }
}

/// The facts engine for a configuration and its master data.
pub fn engine(config: Arc<Config>, master: Arc<MasterData>) -> Result<retail_facts::Generator> {
    retail_facts::Generator::new(FactsContext::new(master, config))
        .context("preparing the facts engine")
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, flushed to
/// disk, then renamed over the target.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp = path.with_extension("tmp");
    let mut file =
        std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", tmp.display()))?;
    drop(file);
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}

/// How the state was recovered before a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recovery {
    /// Nothing generated yet: the initial state.
    Fresh,
    /// The checkpoint matched the watermark.
    Checkpoint,
    /// The checkpoint (or the initial state) was behind; this many days were replayed.
    Replayed(u32),
}

/// Brings the engine state to the watermark (see the module docs for the rule).
pub fn recover_state<E: DayEngine>(
    engine: &E,
    checkpoint: &Path,
    watermark: Option<Date>,
    dataset_start: Date,
) -> Result<(E::State, Recovery)> {
    let Some(watermark) = watermark else {
        return Ok((engine.initial_state()?, Recovery::Fresh));
    };
    let loaded = match std::fs::read(checkpoint) {
        Ok(bytes) => match engine.load_state(&bytes) {
            Ok(state) if engine.state_day(&state).is_some_and(|d| d <= watermark) => Some(state),
            Ok(_) | Err(_) => None,
        },
        Err(_) => None,
    };
    let mut state = match loaded {
        Some(state) => state,
        None => engine.initial_state()?,
    };
    let mut replayed = 0;
    let mut day = engine.state_day(&state).map_or(dataset_start, Date::succ);
    while day <= watermark {
        engine.run_day(&mut state, day)?;
        replayed += 1;
        day = day.succ();
    }
    let recovery = if replayed == 0 {
        Recovery::Checkpoint
    } else {
        Recovery::Replayed(replayed)
    };
    Ok((state, recovery))
}

struct ToTables(Vec<TableBatches>);

impl TableVisitor for ToTables {
    type Error = retail_store::StoreError;
    fn visit<R: Row + Sync>(&mut self, rows: &[R]) -> Result<(), Self::Error> {
        self.0.push(TableBatches::from_rows(rows)?);
        Ok(())
    }
}

/// Progress of a facts run, reported after each committed day.
#[derive(Clone, Copy, Debug)]
pub struct DayDone {
    /// The day committed.
    pub day: Date,
    /// Rows committed for it.
    pub rows: u64,
}

/// Generates and commits `from..=to` (which must start right after the watermark), writes the
/// checkpoint after each day and the Parquet month files when a month completes and at the end.
pub fn generate_facts<E: DayEngine>(
    engine: &E,
    state: &mut E::State,
    store: &mut Store,
    config: &Config,
    data_dir: &Path,
    (from, to): (Date, Date),
    on_day: &mut dyn FnMut(DayDone),
) -> Result<Summary> {
    let started = Instant::now();
    let checkpoint = checkpoint_path(data_dir);
    let mut totals: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut day = from;
    while day <= to {
        let mut batch = engine
            .run_day(state, day)
            .with_context(|| format!("generating {day}"))?;
        batch.sort();
        let mut tables = ToTables(Vec::with_capacity(18));
        batch.visit_tables(&mut tables)?;
        let mut rows = 0;
        for t in &tables.0 {
            *totals.entry(t.def().name).or_default() += t.num_rows() as u64;
            rows += t.num_rows() as u64;
        }
        store
            .commit_day(day, &tables.0, &[])
            .with_context(|| format!("committing {day}"))?;
        write_atomically(&checkpoint, &engine.save_state(state)?)
            .context("writing the continuation checkpoint")?;
        if day == to || YearMonth::of(day.succ()) != YearMonth::of(day) {
            write_parquet_through(store, config, data_dir, day)?;
        }
        on_day(DayDone { day, rows });
        day = day.succ();
    }
    Ok(Summary {
        rows: retail_schemas::fact_tables()
            .iter()
            .map(|d| (d.name, totals.get(d.name).copied().unwrap_or(0)))
            .collect(),
        elapsed: started.elapsed(),
    })
}

/// (Re)writes the Parquet month files of every fact table from the month after
/// `_meta.parquet_written_through` (or the dataset start) to the month of `through`, then
/// advances that key. A month written before its end is rewritten by the next run.
pub fn write_parquet_through(
    store: &mut Store,
    config: &Config,
    data_dir: &Path,
    through: Date,
) -> Result<()> {
    if !config.output.parquet {
        return Ok(());
    }
    let first = match store
        .meta(META_PARQUET_THROUGH)?
        .as_deref()
        .and_then(Date::parse)
    {
        Some(done) => done.succ(),
        None => config.start_date(),
    };
    if first > through {
        return Ok(());
    }
    let layout = ParquetLayout::new(data_dir);
    let options = parquet_options(config)?;
    let mut month = YearMonth::of(first);
    let last = YearMonth::of(through);
    while month <= last {
        for def in retail_schemas::fact_tables() {
            write_month(store, def, month, &layout, &options)?;
        }
        let Some(next) = month.next_first_day() else {
            break;
        };
        month = YearMonth::of(next);
    }
    store.set_meta(&[(META_PARQUET_THROUGH, &through.to_string())])?;
    Ok(())
}

fn write_month(
    store: &Store,
    def: &'static TableDef,
    month: YearMonth,
    layout: &ParquetLayout,
    options: &ParquetOptions,
) -> Result<()> {
    store
        .write_fact_month(def, month, layout, options)
        .with_context(|| format!("writing {} for {}", def.name, month.label()))?;
    Ok(())
}

/// Table families used in summaries.
pub fn family_of(table: &str) -> &'static str {
    match table {
        "fact_receipts" | "fact_receipt_lines" | "fact_payments" | "fact_promotions"
        | "fact_promo_lines" => "sales",
        "fact_online_order_headers" | "fact_online_order_lines" => "online",
        "fact_store_inventory_txn"
        | "fact_dc_inventory_txn"
        | "fact_stockouts"
        | "fact_reorders" => "inventory",
        "fact_truck_moves" | "fact_truck_inventory" => "logistics",
        "fact_foot_traffic" | "fact_ble_pings" | "fact_customer_zone_changes" => "sensors",
        "fact_marketing" => "marketing",
        "fact_store_ops" => "store_ops",
        _ => "dimensions",
    }
}

/// Rows per family, in a fixed order.
pub fn rows_by_family(summary: &Summary) -> Vec<(&'static str, u64)> {
    let order = [
        "sales",
        "online",
        "inventory",
        "logistics",
        "sensors",
        "marketing",
        "store_ops",
        "dimensions",
    ];
    let mut by: BTreeMap<&'static str, u64> = BTreeMap::new();
    for (t, n) in &summary.rows {
        *by.entry(family_of(t)).or_default() += n;
    }
    order
        .iter()
        .filter_map(|f| by.get(f).map(|n| (*f, *n)))
        .collect()
}

/// Peak resident set size of this process in KiB (`VmHWM` of /proc/self/status; Linux only).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
