//! `retail init`: writes a starter configuration, every field spelled out.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use retail_config::Profile;

use super::Exit;
use crate::GlobalArgs;
use crate::exit;

/// Arguments of `retail init`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  retail init                                   # config/default.json from the default profile
  retail init --profile small --output my.json  # 4 stores, 14 days: a dataset in seconds
  retail init --profile small --output -        # print it instead

Every field is written out with its profile value; edit what you need (docs/configuration.md),
then run `retail --config my.json generate`. An existing file is kept unless you pass --force.")]
pub struct InitArgs {
    /// Built-in profile to start from.
    #[arg(long, default_value = "default", value_parser = ["default", "small"])]
    pub profile: String,
    /// Where to write the file (`-` for standard output). Default: `config/<profile>.json`.
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Overwrite the file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Runs `retail init`.
pub fn run(global: &GlobalArgs, args: InitArgs) -> anyhow::Result<u8> {
    let profile = Profile::from_name(&args.profile).ok_or_else(|| Exit {
        code: exit::BAD_INPUT,
        message: format!(
            "unknown profile `{}`: use `default` or `small`",
            args.profile
        ),
    })?;
    let text = profile.config().to_json_pretty();
    let path = args
        .output
        .unwrap_or_else(|| PathBuf::from(format!("config/{}.json", profile.name())));
    if path.as_os_str() == "-" {
        std::io::stdout().write_all(text.as_bytes())?;
        return Ok(exit::OK);
    }
    if path.exists() && !args.force {
        return Err(Exit {
            code: exit::BAD_INPUT,
            message: format!(
                "{} already exists; nothing was written (pass --force to overwrite it)",
                path.display()
            ),
        }
        .into());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(&path, text)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    if !global.quiet {
        eprintln!(
            "wrote {} (profile `{}`, every field spelled out; see docs/configuration.md)\n\
             next: retail --config {} generate",
            path.display(),
            profile.name(),
            path.display()
        );
    }
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use retail_config::Config;

    use super::*;
    use crate::commands::exit_code_of;

    fn parse(args: &[&str]) -> (GlobalArgs, InitArgs) {
        let mut argv = vec!["retail", "--quiet", "init"];
        argv.extend_from_slice(args);
        let cli = crate::Cli::try_parse_from(argv).unwrap();
        match cli.command {
            crate::Command::Init(init) => (cli.global, init),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn writes_the_profile_and_refuses_to_overwrite_without_force() {
        let dir = std::env::temp_dir().join(format!("retail-init-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("nested/small.json");
        let path_text = path.to_str().unwrap();

        let (global, args) = parse(&["--profile", "small", "--output", path_text]);
        assert_eq!(run(&global, args).unwrap(), exit::OK);
        assert_eq!(Config::load(&path).unwrap(), Profile::Small.config());

        std::fs::write(&path, "{\"seed\": 1}").unwrap();
        let (global, args) = parse(&["--output", path_text]);
        let err = run(&global, args).unwrap_err();
        assert_eq!(exit_code_of(&err), exit::BAD_INPUT);
        assert!(err.to_string().contains("already exists"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"seed\": 1}");

        let (global, args) = parse(&["--output", path_text, "--force"]);
        assert_eq!(run(&global, args).unwrap(), exit::OK);
        assert_eq!(Config::load(&path).unwrap(), Profile::Default.config());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unknown_profile_is_rejected_by_the_parser() {
        assert!(crate::Cli::try_parse_from(["retail", "init", "--profile", "huge"]).is_err());
    }
}
