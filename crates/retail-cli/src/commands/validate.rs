//! `retail validate`.

use clap::Args;

use crate::GlobalArgs;

/// Arguments of `retail validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {}

/// Runs `retail validate`.
pub fn run(_global: &GlobalArgs, _args: ValidateArgs) -> anyhow::Result<u8> {
    Err(super::not_built("retail validate", "Historical facts"))
}
