//! `retail validate`: every invariant of the data contract over a generated database.

use anyhow::Context;
use clap::Args;

use super::Exit;
use crate::{GlobalArgs, exit};

/// Arguments of `retail validate`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  retail validate                       # ./data/retail.duckdb
  retail --data-dir /tmp/small validate
  retail validate --only 8 --only 9     # just the money invariants

Prints one line per invariant of data-contract §13 (ok / FAIL with example rows) and exits with
code 3 when any invariant is violated, 0 when all hold.")]
pub struct ValidateArgs {
    /// Check only these invariant numbers (repeatable).
    #[arg(long, value_name = "N")]
    only: Vec<u8>,
    /// Example violations shown per failed check.
    #[arg(long, default_value_t = 5, value_name = "N")]
    examples: usize,
}

/// Runs `retail validate`.
pub fn run(global: &GlobalArgs, args: ValidateArgs) -> anyhow::Result<u8> {
    let path = global.data_dir.join("retail.duckdb");
    if !path.exists() {
        return Err(Exit {
            code: exit::BAD_INPUT,
            message: format!(
                "no database at {}: run `retail generate` first or point --data-dir at a generated dataset",
                path.display()
            ),
        }
        .into());
    }
    let config = duckdb::Config::default()
        .access_mode(duckdb::AccessMode::ReadOnly)
        .context("configuring DuckDB")?;
    let conn = duckdb::Connection::open_with_flags(&path, config)
        .with_context(|| format!("opening {} read-only", path.display()))?;
    let options = retail_validate::Options {
        examples: args.examples,
        only: args.only,
    };
    let report = retail_validate::validate(&conn, &options).map_err(|e| match e {
        retail_validate::ValidateError::NotRetailDatabase(why) => anyhow::Error::new(Exit {
            code: exit::BAD_INPUT,
            message: format!("{} is not a retail-rti database: {why}", path.display()),
        }),
        other => anyhow::Error::new(other),
    })?;
    let text = report.render();
    if report.passed() {
        if !global.quiet {
            print!("{text}");
        }
        Ok(exit::OK)
    } else {
        print!("{text}");
        eprintln!(
            "validation failed: {} violation(s) in {} check(s)",
            report.violations(),
            report.failures().count()
        );
        Ok(exit::INVALID_DATA)
    }
}
