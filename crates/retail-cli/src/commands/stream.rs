//! `retail stream`.

use clap::Args;

use crate::GlobalArgs;

/// Arguments of `retail stream`.
#[derive(Debug, Args)]
pub struct StreamArgs {}

/// Runs `retail stream`.
pub fn run(_global: &GlobalArgs, _args: StreamArgs) -> anyhow::Result<u8> {
    Err(super::not_built("retail stream", "Streaming"))
}
