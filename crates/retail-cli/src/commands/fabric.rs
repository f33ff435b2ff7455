//! `retail fabric render`: writes the generated Fabric files (fabric.md §1.2) — `kql/01`–`05`
//! and `kql/schema.json` — rendered by `retail_schemas::emit::fabric` from the contract metadata.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use retail_schemas::emit::fabric;

use crate::GlobalArgs;

/// Arguments of `retail fabric`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  retail fabric render                  # refresh fabric/kql/01-05 and schema.json in this repository
  retail fabric render --out /tmp/fab   # write them elsewhere

Deployment of the assets to a Fabric workspace is described in fabric/README.md.")]
pub struct FabricArgs {
    #[command(subcommand)]
    command: FabricCommand,
}

#[derive(Debug, Subcommand)]
enum FabricCommand {
    /// Write the generated KQL scripts and schema.json under DIR/kql/ (hand-written files are untouched).
    #[command(after_help = "\
Examples:
  retail fabric render
  retail fabric render --out /tmp/fabric

Files whose content is already current are left as they are (reported as `unchanged`).")]
    Render {
        /// The fabric/ directory of the repository.
        #[arg(long, value_name = "DIR", default_value = "fabric")]
        out: PathBuf,
    },
}

/// Runs `retail fabric`.
pub fn run(global: &GlobalArgs, args: FabricArgs) -> anyhow::Result<u8> {
    match args.command {
        FabricCommand::Render { out } => {
            let dir = out.join("kql");
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            for (name, content) in fabric::generated_files() {
                let path = dir.join(name);
                let unchanged = std::fs::read_to_string(&path).is_ok_and(|old| old == content);
                if !unchanged {
                    std::fs::write(&path, content.as_bytes())
                        .with_context(|| format!("writing {}", path.display()))?;
                }
                if !global.quiet {
                    let state = if unchanged { "unchanged" } else { "written" };
                    eprintln!("{} {state}", path.display());
                }
            }
            Ok(crate::exit::OK)
        }
    }
}
