//! The configuration a command runs with: the `--config` file merged over its profile, then
//! the command-line values (`--data-dir`, and whatever the command adds), validated as a whole
//! (data-contract §10.1). Every problem becomes one line of a BAD_INPUT error.
// The data commands (generate, stream, validate, bench) call these as they are built.
#![allow(dead_code)]

use std::path::Path;

use retail_config::{Config, ConfigError, Overrides};

use crate::GlobalArgs;
use crate::commands::Exit;
use crate::exit;

/// Loads `--config` and puts `--data-dir` in place of `output.dir`.
pub fn load(global: &GlobalArgs) -> anyhow::Result<Config> {
    load_with(global, Overrides::default())
}

/// As [`load`], with a command's own overrides (dates, seed, threads); `--data-dir` fills
/// `overrides.data_dir` when the command did not set it.
pub fn load_with(global: &GlobalArgs, mut overrides: Overrides) -> anyhow::Result<Config> {
    if overrides.data_dir.is_none() {
        overrides.data_dir = Some(global.data_dir.clone());
    }
    Config::load_with(&global.config, &overrides).map_err(|err| config_error(&global.config, &err))
}

/// A configuration error as the user sees it: the file, then one problem per line; exit code
/// BAD_INPUT.
pub fn config_error(path: &Path, err: &ConfigError) -> anyhow::Error {
    let file = path.display();
    let message = match err {
        ConfigError::Read { source, .. } if err.is_not_found() => format!(
            "configuration file {file} not found ({source}); pass --config PATH, or write a \
             starter file with `retail init --output {file}`"
        ),
        ConfigError::Read { source, .. } => {
            format!("cannot read configuration file {file}: {source}")
        }
        ConfigError::Syntax { message, .. } => format!("{file}: not valid JSON: {message}"),
        ConfigError::Invalid(violations) => {
            let count = violations.len();
            let mut text = format!(
                "{file}: {count} problem{}:",
                if count == 1 { "" } else { "s" }
            );
            for v in violations {
                text.push_str("\n  ");
                text.push_str(&v.to_string());
            }
            text
        }
    };
    anyhow::Error::new(Exit {
        code: exit::BAD_INPUT,
        message,
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use clap::Parser;

    use super::*;
    use crate::commands::exit_code_of;

    fn scratch_file(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("retail-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn global(args: &[&str]) -> GlobalArgs {
        let mut argv = vec!["retail"];
        argv.extend_from_slice(args);
        argv.push("init");
        crate::Cli::try_parse_from(argv).unwrap().global
    }

    #[test]
    fn data_dir_replaces_output_dir() {
        let path = scratch_file("ok.json", r#"{"profile": "small"}"#);
        let config = load(&global(&[
            "--config",
            path.to_str().unwrap(),
            "--data-dir",
            "/tmp/x",
        ]))
        .unwrap();
        assert_eq!(config.output.dir, "/tmp/x");
        assert_eq!(config.volume.stores, 4);
    }

    #[test]
    fn invalid_file_lists_every_problem_with_bad_input() {
        let path = scratch_file(
            "bad.json",
            r#"{"volume": {"dcs": 0, "dcss": 1}, "stream": {"days": 0}}"#,
        );
        let err = load(&global(&["--config", path.to_str().unwrap()])).unwrap_err();
        assert_eq!(exit_code_of(&err), exit::BAD_INPUT);
        let text = err.to_string();
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            format!("{}: 3 problems:", path.display())
        );
        let rest: Vec<&str> = lines.collect();
        assert_eq!(rest.len(), 3, "{text}");
        assert!(rest.contains(&"  volume.dcs: 0 is not allowed: must be at least 1"));
        assert!(rest.contains(&"  stream.days: 0 is not allowed: must be at least 1"));
        assert!(
            rest.iter()
                .any(|l| l.starts_with("  volume.dcss: unknown field"))
        );
    }

    #[test]
    fn missing_file_is_bad_input_with_a_hint() {
        let err = load(&global(&["--config", "/no/such/config.json"])).unwrap_err();
        assert_eq!(exit_code_of(&err), exit::BAD_INPUT);
        let text = err.to_string();
        assert!(
            text.starts_with("configuration file /no/such/config.json not found"),
            "{text}"
        );
        assert!(text.contains("retail init"), "{text}");
    }

    #[test]
    fn syntax_error_is_bad_input() {
        let path = scratch_file("syntax.json", "{\"seed\": }");
        let err = load(&global(&["--config", path.to_str().unwrap()])).unwrap_err();
        assert_eq!(exit_code_of(&err), exit::BAD_INPUT);
        assert!(err.to_string().contains("not valid JSON"), "{err}");
    }
}
