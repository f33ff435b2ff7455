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
use rayon::prelude::*;
use retail_config::Config;
use retail_facts::{FactBatch, FactsContext, FactsError, TableVisitor};
use retail_master::{Dictionaries, MasterData};
use retail_schemas::{Date, Row, TableDef};
use retail_store::{
    ParquetCompression, ParquetFileWriter, ParquetLayout, ParquetOptions, Provenance,
    StagedParquetFile, Store, TableBatches, YearMonth,
};

/// `_meta` key: the last business date whose Parquet month files are up to date.
pub const META_PARQUET_THROUGH: &str = "parquet_written_through";
/// `_meta` key of the configuration hash (§10.1).
pub const META_CONFIG_HASH: &str = "config_hash";
/// `_meta` key of the first date of the dataset.
pub const META_DATASET_START: &str = "dataset_start_date";

/// DuckDB's memory cap during `retail generate` (see [`Store::limit_memory`]).
pub const DUCKDB_MEMORY_LIMIT_BYTES: u64 = 512 << 20;

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
    /// CPU time (user + system) of the whole process so far, when known.
    pub cpu_seconds: Option<f64>,
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
/// their Parquet files.
///
/// The Parquet files are encoded from the in-memory batches while DuckDB loads and checkpoints
/// (the two are independent and each takes about half the time), and renamed into place only
/// after the DuckDB commit: a failure anywhere leaves the previous files and tables.
pub fn write_dimensions(
    config: &Config,
    master: &MasterData,
    store: &mut Store,
    data_dir: &Path,
) -> Result<Summary> {
    let started = Instant::now();
    let tables = dimension_batches(master)?;
    let meta = dataset_meta(config, master);
    let meta_refs: Vec<(&str, &str)> = meta.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let staged = std::thread::scope(|scope| -> Result<Vec<StagedParquetFile>> {
        let parquet = config.output.parquet.then(|| {
            scope.spawn(|| -> Result<Vec<StagedParquetFile>> {
                let layout = ParquetLayout::new(data_dir);
                let options = parquet_options(config)?;
                tables
                    .par_iter()
                    .map(|t| {
                        stage_dimension_file(t, &layout, &options).with_context(|| {
                            format!("writing the Parquet file of {}", t.def().name)
                        })
                    })
                    .collect()
            })
        });
        let loaded = store
            .replace_dimensions(&tables, &meta_refs)
            .context("loading the dimensions into DuckDB");
        let staged = match parquet {
            Some(handle) => handle
                .join()
                .map_err(|_| anyhow::anyhow!("the Parquet writer thread panicked"))??,
            None => Vec::new(),
        };
        loaded?;
        Ok(staged)
    })?;
    for file in staged {
        let path = file.path().to_path_buf();
        file.persist()
            .with_context(|| format!("putting {} in place", path.display()))?;
    }
    Ok(Summary {
        rows: tables
            .iter()
            .map(|t| (t.def().name, t.num_rows() as u64))
            .collect(),
        elapsed: started.elapsed(),
        cpu_seconds: None,
    })
}

/// Rows per Arrow batch when converting dimensions (converted in parallel, one batch each).
const DIMENSION_BATCH_ROWS: usize = 32 * 1024;

/// The seven dimensions as Arrow batches, in contract order. Each table's rows must already be
/// in primary-key order (the generators produce them so; checked, since the Parquet files are
/// written straight from these batches).
fn dimension_batches(master: &MasterData) -> Result<Vec<TableBatches>> {
    fn convert<R: Row + Sync>(rows: &[R]) -> Result<TableBatches> {
        retail_store::check_sorted(rows)?;
        let batches = rows
            .par_chunks(DIMENSION_BATCH_ROWS)
            .map(retail_store::to_record_batch)
            .collect::<Result<Vec<_>, _>>()?;
        let mut table = TableBatches::new(R::def())?;
        for batch in batches {
            table.push(batch)?;
        }
        Ok(table)
    }
    Ok(vec![
        convert(&master.geographies)?,
        convert(&master.distribution_centers)?,
        convert(&master.stores)?,
        convert(&master.trucks)?,
        convert(&master.customers)?,
        convert(&master.products)?,
        convert(&master.dates)?,
    ])
}

/// Encodes one dimension's Parquet file under a temporary name.
fn stage_dimension_file(
    table: &TableBatches,
    layout: &ParquetLayout,
    options: &ParquetOptions,
) -> Result<StagedParquetFile> {
    let mut writer =
        ParquetFileWriter::create(&layout.dimension_file(table.def()), table.def(), options)?;
    for batch in table.batches() {
        writer.write(batch)?;
    }
    Ok(writer.finish_staged()?)
}

/// Writes from DuckDB the Parquet file of every dimension whose file is missing: a run killed
/// after the dimensions' commit but before their last Parquet file would otherwise leave that
/// file missing for good (the dimensions are not written again once committed).
pub fn write_missing_dimension_files(
    store: &Store,
    config: &Config,
    data_dir: &Path,
) -> Result<()> {
    if !config.output.parquet {
        return Ok(());
    }
    let layout = ParquetLayout::new(data_dir);
    let options = parquet_options(config)?;
    for def in retail_schemas::dimension_tables() {
        if !layout.dimension_file(def).exists() {
            store
                .write_dimension(def, &layout, &options)
                .with_context(|| format!("writing the Parquet file of {}", def.name))?;
        }
    }
    Ok(())
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

/// What the engine thread hands to the storage side for one day.
struct DayOutput {
    day: Date,
    tables: Vec<TableBatches>,
    checkpoint: Vec<u8>,
}

/// The engine side of a day: run it, put the rows in file order, convert them to Arrow (the
/// Rust rows are dropped here, so only the Arrow form crosses threads) and serialise the state.
fn produce_day<E: DayEngine>(engine: &E, state: &mut E::State, day: Date) -> Result<DayOutput> {
    let mut batch = engine
        .run_day(state, day)
        .with_context(|| format!("generating {day}"))?;
    batch.sort();
    let mut tables = ToTables(Vec::with_capacity(18));
    batch.visit_tables_freeing(&mut tables)?;
    let checkpoint = engine.save_state(state)?;
    Ok(DayOutput {
        day,
        tables: tables.0,
        checkpoint,
    })
}

/// The Parquet files of the fact tables for the month being generated, written as the days
/// come (each file is renamed into place when the month, or the run, ends).
struct MonthFiles {
    month: YearMonth,
    writers: Vec<Option<ParquetFileWriter>>,
}

impl MonthFiles {
    fn new(month: YearMonth) -> Self {
        MonthFiles {
            month,
            writers: (0..retail_schemas::fact_tables().len())
                .map(|_| None)
                .collect(),
        }
    }

    /// Starts the month with the days `[month start, until)` already in the database (a
    /// continuation in the middle of a month), so the file ends up holding the whole month.
    fn resume_from_store(
        &mut self,
        store: &Store,
        first_day: Date,
        until: Date,
        layout: &ParquetLayout,
        options: &ParquetOptions,
    ) -> Result<()> {
        let month = self.month;
        for (slot, def) in self.writers.iter_mut().zip(retail_schemas::fact_tables()) {
            let mut day = first_day;
            while day < until {
                store
                    .for_each_ordered_batch(def, Some((day, day.succ())), |b| {
                        if slot.is_none() {
                            let path = layout.fact_month_file(def, month);
                            *slot = Some(ParquetFileWriter::create(&path, def, options)?);
                        }
                        match slot {
                            Some(writer) => writer.write(b),
                            None => Ok(()),
                        }
                    })
                    .with_context(|| format!("reading {} back for its month file", def.name))?;
                day = day.succ();
            }
        }
        Ok(())
    }

    /// Appends one day's tables (in contract order), one table per worker.
    fn append(
        &mut self,
        tables: &[TableBatches],
        layout: &ParquetLayout,
        options: &ParquetOptions,
    ) -> Result<()> {
        let month = self.month;
        self.writers
            .par_iter_mut()
            .zip(tables.par_iter())
            .try_for_each(|(slot, table)| -> Result<()> {
                if table.num_rows() == 0 {
                    return Ok(());
                }
                let def = table.def();
                if slot.is_none() {
                    let path = layout.fact_month_file(def, month);
                    *slot = Some(ParquetFileWriter::create(&path, def, options)?);
                }
                let Some(writer) = slot.as_mut() else {
                    return Ok(());
                };
                for batch in table.batches() {
                    writer
                        .write(batch)
                        .with_context(|| format!("writing {} for {}", def.name, month.label()))?;
                }
                Ok(())
            })
    }

    /// Finishes every file (footer, fsync, rename into place).
    fn finish(self) -> Result<()> {
        let month = self.month;
        self.writers
            .into_par_iter()
            .flatten()
            .try_for_each(|w| -> Result<()> {
                w.finish()
                    .with_context(|| format!("finishing a Parquet file of {}", month.label()))?;
                Ok(())
            })
    }
}

/// Generates and commits `from..=to` (which must start right after the watermark).
///
/// Two stages overlap: an engine thread runs day d+1 (on `pool`) while this thread commits
/// day d to DuckDB (one transaction with the watermark), writes its checkpoint and streams its
/// rows into the month's Parquet files (one table per worker of `pool`). The order of the
/// commits and of the rows in every file is the day order, so the output does not depend on
/// the thread count. `data_first` is the first business date this data directory holds (the
/// dataset start, or a shard's first day): Parquet month files start there.
#[allow(clippy::too_many_arguments)]
pub fn generate_facts<E: DayEngine>(
    engine: &E,
    state: &mut E::State,
    store: &mut Store,
    config: &Config,
    data_dir: &Path,
    (from, to): (Date, Date),
    data_first: Date,
    pool: &rayon::ThreadPool,
    on_day: &mut dyn FnMut(DayDone),
) -> Result<Summary> {
    let started = Instant::now();
    let checkpoint = checkpoint_path(data_dir);
    let mut totals: BTreeMap<&'static str, u64> = BTreeMap::new();
    let parquet = if config.output.parquet {
        let layout = ParquetLayout::new(data_dir);
        remove_stale_temporaries(&layout);
        // Months before `from`'s month that are behind the database are rewritten from it; the
        // month of `from` is streamed (its earlier days read back first).
        let month_start = YearMonth::of(from)
            .first_day()
            .unwrap_or(from)
            .max(data_first);
        if month_start > data_first {
            write_parquet_through(
                store,
                config,
                data_dir,
                month_start.plus_days(-1),
                data_first,
            )?;
        }
        let options = parquet_options(config)?;
        let mut files = MonthFiles::new(YearMonth::of(from));
        files.resume_from_store(store, month_start, from, &layout, &options)?;
        Some((layout, options, files))
    } else {
        None
    };
    let mut parquet = parquet;

    std::thread::scope(|scope| -> Result<()> {
        // Rendezvous channel: at most one finished day waits while the next is computed.
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<DayOutput>>(0);
        scope.spawn(move || {
            let mut day = from;
            while day <= to {
                // The pool is entered per day, never while waiting on the channel: a worker
                // blocked in `send` would starve the Parquet encoding the consumer waits for.
                let output = pool.install(|| produce_day(engine, state, day));
                let failed = output.is_err();
                if sender.send(output).is_err() || failed {
                    return;
                }
                day = day.succ();
            }
        });
        for output in receiver {
            let DayOutput {
                day,
                tables,
                checkpoint: state_bytes,
            } = output?;
            let mut rows = 0;
            for t in &tables {
                *totals.entry(t.def().name).or_default() += t.num_rows() as u64;
                rows += t.num_rows() as u64;
            }
            // The Parquet rows of the day are encoded while DuckDB commits it.
            let streamed = std::thread::scope(|inner| -> Result<()> {
                let encoder = parquet.as_mut().map(|(layout, options, files)| {
                    let tables = &tables;
                    let layout = &*layout;
                    let options = &*options;
                    inner.spawn(move || pool.install(|| files.append(tables, layout, options)))
                });
                let committed = store
                    .commit_day(day, &tables, &[])
                    .with_context(|| format!("committing {day}"));
                let encoded = match encoder {
                    Some(handle) => handle
                        .join()
                        .map_err(|_| anyhow::anyhow!("the Parquet encoder panicked"))?,
                    None => Ok(()),
                };
                committed?;
                write_atomically(&checkpoint, &state_bytes)
                    .context("writing the continuation checkpoint")?;
                encoded
            });
            streamed?;
            drop(tables);
            let month_ends = YearMonth::of(day.succ()) != YearMonth::of(day);
            if day == to || month_ends {
                if let Some((_, _, files)) = parquet.as_mut() {
                    let next = MonthFiles::new(YearMonth::of(day.succ()));
                    let done = std::mem::replace(files, next);
                    pool.install(|| done.finish())?;
                    store.set_meta(&[(META_PARQUET_THROUGH, &day.to_string())])?;
                }
            }
            on_day(DayDone { day, rows });
        }
        Ok(())
    })?;
    Ok(Summary {
        rows: retail_schemas::fact_tables()
            .iter()
            .map(|d| (d.name, totals.get(d.name).copied().unwrap_or(0)))
            .collect(),
        elapsed: started.elapsed(),
        cpu_seconds: None,
    })
}

/// Removes the temporary files a killed Parquet write leaves behind (`.<file>.<random>.tmp`).
fn remove_stale_temporaries(layout: &ParquetLayout) {
    let Ok(tables) = std::fs::read_dir(layout.root()) else {
        return;
    };
    for table in tables.flatten() {
        let Ok(files) = std::fs::read_dir(table.path()) else {
            continue;
        };
        for file in files.flatten() {
            let name = file.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') && name.ends_with(".tmp") {
                std::fs::remove_file(file.path()).ok();
            }
        }
    }
}

/// (Re)writes from DuckDB the Parquet month files of every fact table from the month after
/// `_meta.parquet_written_through` (or from `data_first`, the first business date of the data
/// directory) to the month of `through`, then advances that key. A month written before its
/// end is rewritten by the next run.
pub fn write_parquet_through(
    store: &mut Store,
    config: &Config,
    data_dir: &Path,
    through: Date,
    data_first: Date,
) -> Result<()> {
    if !config.output.parquet {
        return Ok(());
    }
    // A run killed while writing its last month leaves nothing else to do but this catch-up,
    // which must clear that run's temporaries too.
    remove_stale_temporaries(&ParquetLayout::new(data_dir));
    let first = match store
        .meta(META_PARQUET_THROUGH)?
        .as_deref()
        .and_then(Date::parse)
    {
        Some(done) => done.succ(),
        None => data_first,
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

/// CPU time (user + system, every thread) this process has used, in seconds (Linux only:
/// fields 14 and 15 of /proc/self/stat, in clock ticks of 1/100 s).
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may contain spaces: count fields after its closing ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Peak resident set size of this process in KiB (`VmHWM` of /proc/self/status; Linux only).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// `_meta` key of a sharded dataset: `K/N of FIRST..LAST` (the shard and the range it was cut
/// from); absent on an unsharded one.
pub const META_SHARD: &str = "shard";

/// One of N shards of a date range (`--shard K/N`).
///
/// A shard owns a block of whole calendar months of the range, the blocks contiguous and
/// holding about the same number of days. Every shard simulates the world from the dataset
/// start (state crosses days through ledgers, trucks and online orders: the days before its
/// block are replayed without being written) and writes only the business dates of its block.
/// Every row therefore has exactly one owner, and because month files are whole, a shard's
/// Parquet files are byte-identical to the single run's files of those months: the union of
/// the shards' `parquet/` trees IS the single run's tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1-based shard number K.
    pub index: u32,
    /// Number of shards N.
    pub count: u32,
}

impl Shard {
    /// Parses `K/N` with 1 ≤ K ≤ N.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let bad = || format!("--shard {text:?} is not K/N with 1 <= K <= N (for example 2/4)");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The first and last business date this shard owns in `first..=last`, or `None` when the
    /// range has fewer months than there are shards and this one gets none.
    ///
    /// Month `m` goes to shard ⌊N × (days before m + half of m's days) / total days⌋ + 1: the
    /// shard whose share of the days holds the month's midpoint.
    pub fn block(self, first: Date, last: Date) -> Option<(Date, Date)> {
        if last < first {
            return None;
        }
        let total = i64::from(last.0 - first.0 + 1);
        let n = i64::from(self.count);
        let mut owned: Option<(Date, Date)> = None;
        let mut month_start = first;
        while month_start <= last {
            let next = YearMonth::of(month_start)
                .next_first_day()
                .unwrap_or(last.succ());
            let month_end = next.plus_days(-1).min(last);
            let before = i64::from(month_start.0 - first.0);
            let days = i64::from(month_end.0 - month_start.0 + 1);
            let shard = ((2 * n * before + n * days) / (2 * total)).min(n - 1) + 1;
            if shard == i64::from(self.index) {
                owned = Some(match owned {
                    Some((a, _)) => (a, month_end),
                    None => (month_start, month_end),
                });
            }
            month_start = month_end.succ();
        }
        owned
    }

    /// The `_meta.shard` value of this shard of `first..=last`.
    pub fn meta_value(self, first: Date, last: Date) -> String {
        format!("{}/{} of {first}..{last}", self.index, self.count)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod shard_tests {
    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn parse_accepts_k_of_n_and_rejects_the_rest() {
        assert_eq!(Shard::parse("2/4"), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "2", "a/b", "1/2/3", ""] {
            let err = Shard::parse(bad).unwrap_err();
            assert!(err.contains("K/N"), "{bad}: {err}");
        }
    }

    #[test]
    fn blocks_are_contiguous_whole_months_covering_the_range_once() {
        for (first, last) in [
            ("2024-01-01", "2024-12-31"),
            ("2024-03-01", "2025-02-28"),
            ("2024-11-25", "2024-12-01"),
            ("2024-03-10", "2024-03-20"),
        ] {
            let (first, last) = (d(first), d(last));
            for n in 1..=14 {
                let mut next = first;
                for k in 1..=n {
                    let Some((a, b)) = (Shard { index: k, count: n }).block(first, last) else {
                        continue;
                    };
                    assert_eq!(a, next, "shard {k}/{n} of {first}..{last} leaves a gap");
                    assert!(a <= b);
                    assert!(a == first || YearMonth::of(a) != YearMonth::of(a.plus_days(-1)));
                    assert!(b == last || YearMonth::of(b) != YearMonth::of(b.succ()));
                    next = b.succ();
                }
                assert_eq!(next, last.succ(), "{n} shards of {first}..{last}");
            }
        }
    }

    #[test]
    fn a_year_in_four_shards_is_four_quarters() {
        let blocks: Vec<_> = (1..=4)
            .map(|k| {
                (Shard { index: k, count: 4 })
                    .block(d("2024-01-01"), d("2024-12-31"))
                    .unwrap()
            })
            .collect();
        assert_eq!(
            blocks,
            vec![
                (d("2024-01-01"), d("2024-03-31")),
                (d("2024-04-01"), d("2024-06-30")),
                (d("2024-07-01"), d("2024-09-30")),
                (d("2024-10-01"), d("2024-12-31")),
            ]
        );
    }
}
