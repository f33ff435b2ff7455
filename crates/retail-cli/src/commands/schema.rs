//! `retail schema`.

use clap::Args;

use crate::GlobalArgs;

/// Arguments of `retail schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {}

/// Runs `retail schema`.
pub fn run(_global: &GlobalArgs, _args: SchemaArgs) -> anyhow::Result<u8> {
    Err(super::not_built("retail schema", "Foundation"))
}
