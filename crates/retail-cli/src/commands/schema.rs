//! `retail schema`: prints the contract's schemas, rendered by `retail_schemas::emit`.

use std::io::Write;

use clap::{Args, ValueEnum};
use retail_schemas::emit::{self, Format};

use crate::GlobalArgs;
use crate::exit;

/// Arguments of `retail schema`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  retail schema --format kql                             # Eventhouse tables, mappings, routing
  retail schema --format duckdb --table fact_receipts    # one CREATE TABLE
  retail schema --format json-schema --table envelope    # the event envelope
  retail schema --format markdown > dictionary.md        # data dictionary and event catalog

Everything is rendered from the contract compiled into this binary, so it always matches what
`retail generate` writes and `retail stream` sends.")]
pub struct SchemaArgs {
    /// What to print: DuckDB DDL, Arrow schemas, KQL (tables, JSON mappings, routing), JSON
    /// Schema, or the Markdown data dictionary and event catalog.
    #[arg(long, value_enum)]
    pub format: SchemaFormat,
    /// Print only this table or event type (`fact_receipts`, `receipt_created`,
    /// `retail_events_raw`, `envelope`, … depending on the format).
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,
}

/// Output format of `retail schema`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SchemaFormat {
    /// `CREATE TABLE` statements of the 25 tables (+ `_meta`).
    Duckdb,
    /// Arrow schemas of the 25 tables and 18 event payloads.
    Arrow,
    /// Eventhouse tables, ingestion mappings and routing functions.
    Kql,
    /// JSON Schema (draft 2020-12) of the envelope, events and tables.
    JsonSchema,
    /// Markdown data dictionary and event catalog.
    Markdown,
}

impl From<SchemaFormat> for Format {
    fn from(f: SchemaFormat) -> Self {
        match f {
            SchemaFormat::Duckdb => Format::Duckdb,
            SchemaFormat::Arrow => Format::Arrow,
            SchemaFormat::Kql => Format::Kql,
            SchemaFormat::JsonSchema => Format::JsonSchema,
            SchemaFormat::Markdown => Format::Markdown,
        }
    }
}

/// Runs `retail schema`.
pub fn run(_global: &GlobalArgs, args: SchemaArgs) -> anyhow::Result<u8> {
    let text = emit::render(args.format.into(), args.table.as_deref()).map_err(|e| {
        anyhow::Error::new(super::Exit {
            code: exit::BAD_INPUT,
            message: e.to_string(),
        })
    })?;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        stdout.write_all(b"\n")?;
    }
    stdout.flush()?;
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: SchemaArgs,
    }

    #[test]
    fn formats_parse_with_their_command_line_names() {
        let w =
            Wrapper::try_parse_from(["retail", "--format", "json-schema", "--table", "envelope"])
                .unwrap();
        assert_eq!(w.args.format, SchemaFormat::JsonSchema);
        assert_eq!(Format::from(w.args.format).name(), "json-schema");
        assert!(Wrapper::try_parse_from(["retail", "--format", "sql"]).is_err());
    }
}
