//! `retail bench`.

use clap::Args;

use crate::GlobalArgs;

/// Arguments of `retail bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {}

/// Runs `retail bench`.
pub fn run(_global: &GlobalArgs, _args: BenchArgs) -> anyhow::Result<u8> {
    Err(super::not_built("retail bench", "Historical facts"))
}
