//! `retail generate`.

use clap::Args;

use crate::GlobalArgs;

/// Arguments of `retail generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {}

/// Runs `retail generate`.
pub fn run(_global: &GlobalArgs, _args: GenerateArgs) -> anyhow::Result<u8> {
    Err(super::not_built("retail generate", "Historical facts"))
}
