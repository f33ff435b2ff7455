//! `retail generate`: dimensions and facts into DuckDB (`DATA_DIR/retail.duckdb`) and Parquet
//! (`DATA_DIR/parquet/`), day by day, resumable after any interruption.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Subcommand};
use retail_config::{Config, Overrides};
use retail_schemas::Date;
use retail_store::{DATABASE_FILE, Store};

use super::Exit;
use crate::pipeline::{self, META_CONFIG_HASH, Recovery};
use crate::progress::{Reporter, rows_per_second};
use crate::{GlobalArgs, exit, settings};

/// Arguments of `retail generate`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  retail generate                                        # dimensions if missing, then every day of the config
  retail --config config/small.json --data-dir /tmp/s generate dimensions
  retail --data-dir /tmp/s generate facts --end 2024-12-01   # continue the day after the last one generated
  retail generate facts --threads 2

Dates are inclusive. Each day is committed to DuckDB in one transaction with the watermark
_meta.last_generated_date, then the continuation checkpoint state/checkpoint.bin is written:
interrupt at any moment (Ctrl-C, kill -9) and run the same command again to continue with no
duplicate and no missing day.")]
pub struct GenerateArgs {
    #[command(subcommand)]
    what: Option<What>,
    #[command(flatten)]
    range: RangeArgs,
}

#[derive(Debug, Subcommand)]
enum What {
    /// The seven dimension tables (replaced atomically) and the dataset's `_meta` entries.
    Dimensions,
    /// Fact tables day by day, continuing after `_meta.last_generated_date`.
    Facts(RangeArgs),
}

/// The date range and execution options of a facts run.
#[derive(Debug, Args, Clone, Default)]
pub struct RangeArgs {
    /// First date (YYYY-MM-DD). Default: the day after the last generated date, or the
    /// configuration's start date for a new dataset.
    #[arg(long, value_name = "DATE")]
    start: Option<String>,
    /// Last date, inclusive (YYYY-MM-DD). Default: the configuration's end date.
    #[arg(long, value_name = "DATE")]
    end: Option<String>,
    /// Worker threads (default: performance.threads, or every core). Never changes the output.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,
    /// Write only shard K of N: a block of whole months of the range (see docs/decisions.md;
    /// the union of shards 1/N … N/N in separate data directories equals one run).
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
}

fn bad_input(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Exit {
        code: exit::BAD_INPUT,
        message: message.into(),
    })
}

fn parse_date(flag: &str, text: &str) -> anyhow::Result<Date> {
    Date::parse(text).ok_or_else(|| bad_input(format!("{flag} {text:?} is not a YYYY-MM-DD date")))
}

/// Runs `retail generate`.
pub fn run(global: &GlobalArgs, args: GenerateArgs) -> anyhow::Result<u8> {
    match args.what {
        Some(What::Dimensions) => run_dimensions(global),
        Some(What::Facts(range)) => run_facts(global, &range, false),
        None => run_facts(global, &args.range, true),
    }
}

fn database_exists(data_dir: &Path) -> bool {
    data_dir.join(DATABASE_FILE).exists()
}

fn open_store(data_dir: &Path) -> anyhow::Result<Store> {
    Store::open(data_dir).map_err(|e| match e {
        retail_store::StoreError::NotRetailDatabase { .. }
        | retail_store::StoreError::ContractVersionMismatch { .. } => bad_input(format!(
            "{e}; point --data-dir at a retail-rti dataset or an empty directory"
        )),
        other => anyhow::Error::new(other).context("opening the database"),
    })
}

/// The refusal when the dataset was made with another configuration (data-contract §12.6).
fn check_config_hash(store: &Store, config: &Config) -> anyhow::Result<()> {
    if let Some(found) = store.meta(META_CONFIG_HASH)? {
        let want = config.config_hash();
        if found != want {
            return Err(bad_input(format!(
                "{} was generated with another configuration (config_hash {found}, this \
                 configuration has {want}); seed, dates.start_date, volume, supply, returns, \
                 online, marketing, marketing_cost and calendar must not change across a \
                 continuation: use the original configuration or another --data-dir",
                store.path().display()
            )));
        }
    }
    Ok(())
}

fn run_dimensions(global: &GlobalArgs) -> anyhow::Result<u8> {
    let reporter = Reporter::new(global);
    let data_dir = global.data_dir.as_path();
    let existing = if database_exists(data_dir) {
        let store = open_store(data_dir)?;
        match store.last_generated_date()? {
            Some(_) => store.meta(pipeline::META_DATASET_START)?,
            None => None,
        }
    } else {
        None
    };
    // With facts present, the dimensions must stay those of the dataset's own start date.
    let config = settings::load_with(
        global,
        Overrides {
            start_date: existing,
            ..Overrides::default()
        },
    )?;
    let mut store = open_store(data_dir)?;
    if store.last_generated_date()?.is_some() {
        // Same configuration: the dimensions are identical, rewriting them is harmless.
        check_config_hash(&store, &config)?;
    }
    let started = Instant::now();
    let master = pipeline::master_data(&config)?;
    let mut summary = pipeline::write_dimensions(&config, &master, &mut store, data_dir)?;
    summary.elapsed = started.elapsed();
    reporter.summary("dimensions", &summary, None);
    Ok(exit::OK)
}

fn run_facts(global: &GlobalArgs, range: &RangeArgs, with_dimensions: bool) -> anyhow::Result<u8> {
    let reporter = Reporter::new(global);
    let start = range
        .start
        .as_deref()
        .map(|t| parse_date("--start", t))
        .transpose()?;
    let end = range
        .end
        .as_deref()
        .map(|t| parse_date("--end", t))
        .transpose()?;
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            return Err(bad_input(format!(
                "--start {s} is after --end {e}: the range is inclusive and must not be empty"
            )));
        }
    }
    let shard = range
        .shard
        .as_deref()
        .map(pipeline::Shard::parse)
        .transpose()
        .map_err(bad_input)?;
    let data_dir = global.data_dir.as_path();

    // Read the watermark before loading the configuration: --start sets the dataset start
    // only for a new dataset.
    let (watermark, dataset_start) = if database_exists(data_dir) {
        let store = open_store(data_dir)?;
        (
            store.last_generated_date()?,
            store.meta(pipeline::META_DATASET_START)?,
        )
    } else {
        (None, None)
    };
    // The same command run again after an interruption names the dataset's own start: that
    // is a continuation, not a request for a new dataset (docs/cli.md: "run it again after an
    // interruption to continue").
    let start_is_the_datasets = match (start, dataset_start.as_deref()) {
        (Some(s), Some(existing)) => s.to_string() == existing,
        _ => false,
    };
    // A dataset keeps the start it was created with (possibly from an earlier --start).
    let overrides = Overrides {
        start_date: match (watermark, start, dataset_start) {
            (None, Some(s), _) => Some(s.to_string()),
            (_, _, Some(existing)) => Some(existing),
            _ => None,
        },
        end_date: end.map(|e| e.to_string()),
        threads: range.threads,
        ..Overrides::default()
    };
    let config = Arc::new(settings::load_with(global, overrides)?);
    let mut store = open_store(data_dir)?;
    check_config_hash(&store, &config)?;
    // Bulk loading only appends: DuckDB needs little memory to do it, but left uncapped it
    // keeps every block it wrote cached, and a year's run would grow to gigabytes.
    store
        .limit_memory(pipeline::DUCKDB_MEMORY_LIMIT_BYTES)
        .context("capping DuckDB's memory")?;

    let from = match watermark {
        Some(w) => w.succ(),
        None => config.start_date(),
    };
    if let (Some(s), Some(w)) = (start, watermark) {
        if s != from && !start_is_the_datasets {
            return Err(bad_input(format!(
                "--start {s}: {} holds every day through {w}; a continuation starts on {from} \
                 (omit --start to continue, or use another --data-dir for a new dataset)",
                store.path().display()
            )));
        }
    }
    let mut to = config.end_date();
    let mut data_first = config.start_date();
    // A shard writes only its block; the days before it are replayed, not written.
    let mut replay_through = watermark;
    let mut from = from;
    let shard_meta = shard.map(|s| s.meta_value(config.start_date(), config.end_date()));
    let recorded_shard = store.meta(pipeline::META_SHARD)?;
    if watermark.is_some() && recorded_shard != shard_meta {
        return Err(bad_input(format!(
            "{} holds {}; run the same --shard with the same --end (or another --data-dir)",
            store.path().display(),
            match &recorded_shard {
                Some(s) => format!("shard {s}"),
                None => "an unsharded dataset".to_owned(),
            }
        )));
    }
    if let Some(shard) = shard {
        match shard.block(config.start_date(), config.end_date()) {
            Some((first, last)) => {
                if watermark.is_none() {
                    from = first;
                    replay_through = (first > config.start_date()).then(|| first.plus_days(-1));
                }
                to = last;
                data_first = first;
            }
            None => {
                // Fewer months than shards: this one owns nothing.
                to = from.plus_days(-1);
            }
        }
    }

    let started = Instant::now();
    let master = Arc::new(pipeline::master_data(&config)?);
    if store.meta(META_CONFIG_HASH)?.is_none() {
        if !with_dimensions {
            return Err(bad_input(format!(
                "{} has no dimensions yet: run `retail generate dimensions` first (or \
                 `retail generate` for both)",
                store.path().display()
            )));
        }
        let mut dims = pipeline::write_dimensions(&config, &master, &mut store, data_dir)?;
        dims.elapsed = started.elapsed();
        reporter.summary("dimensions", &dims, None);
    } else {
        pipeline::write_missing_dimension_files(&store, &config, data_dir)?;
    }
    if let Some(value) = &shard_meta {
        store.set_meta(&[(pipeline::META_SHARD, value)])?;
    }
    if from > to {
        // A run killed during its Parquet step left the files behind the database: catch up.
        if let Some(w) = watermark {
            pipeline::write_parquet_through(&mut store, &config, data_dir, w, data_first)?;
        }
        if let (Some(s), None) = (shard, watermark) {
            reporter.note(&format!(
                "facts: shard {s} owns no month of {}..{} (fewer months than shards); only the \
                 dimensions were written",
                config.start_date(),
                config.end_date()
            ));
            return Ok(exit::OK);
        }
        reporter.note(&format!(
            "facts: nothing to do, {} already holds every day through {}",
            store.path().display(),
            watermark.map_or_else(|| "-".to_owned(), |w| w.to_string())
        ));
        return Ok(exit::OK);
    }

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads())
        .build()
        .context("starting the worker threads")?;
    let engine = pipeline::engine(config.clone(), master)?;
    let checkpoint = pipeline::checkpoint_path(data_dir);
    let days = u64::try_from(to.0 - from.0 + 1).unwrap_or(0);
    let (mut state, recovery) = pool
        .install(|| {
            pipeline::recover_state(&engine, &checkpoint, replay_through, config.start_date())
        })
        .context("restoring the continuation state")?;
    match recovery {
        Recovery::Fresh | Recovery::Checkpoint => {}
        Recovery::Replayed(n) if watermark.is_none() => reporter.note(&format!(
            "shard {}: replayed the {n} day(s) before its block without writing them",
            shard.map_or_else(String::new, |s| s.to_string())
        )),
        Recovery::Replayed(n) => reporter.note(&format!(
            "continuation checkpoint was behind the database: replayed {n} day(s)"
        )),
    }
    if watermark.is_some() {
        reporter.note(&format!("continuing after {}", from.plus_days(-1)));
    }
    let bar = reporter.days_bar(days, "facts");
    let mut rows = 0u64;
    let clock = Instant::now();
    let mut summary = pipeline::generate_facts(
        &engine,
        &mut state,
        &mut store,
        &config,
        data_dir,
        (from, to),
        data_first,
        &pool,
        &mut |done| {
            rows += done.rows;
            bar.set_message(format!(
                "{} {:.0} rows/s",
                done.day,
                rows_per_second(rows, clock.elapsed())
            ));
            bar.inc(1);
        },
    )?;
    bar.finish_and_clear();
    summary.cpu_seconds = pipeline::cpu_seconds();
    reporter.summary("facts", &summary, pipeline::peak_rss_kib());
    Ok(exit::OK)
}
