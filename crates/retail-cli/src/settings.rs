//! The configuration a command runs with: the `--config` file merged over its profile, then
//! the command-line values (`--data-dir`, and whatever the command adds), validated as a whole
//! (data-contract §10.1). Every problem becomes one line of a BAD_INPUT error.
// The data commands (generate, stream, validate, bench) call these as they are built.
#![allow(dead_code)]

use std::io::IsTerminal;
use std::path::Path;

use retail_config::{Config, ConfigError, Overrides};
use tracing_subscriber::EnvFilter;

use crate::commands::Exit;
use crate::exit;
use crate::{GlobalArgs, LogFormat};

/// The log filter of the global options: `--quiet` errors only, by default warnings, then each
/// `-v` one level more for retail-rti's own crates (`-vvv`: everything, dependencies included).
/// `RUST_LOG`, when set, wins (for example `RUST_LOG=retail_streaming=debug`).
pub fn log_filter(global: &GlobalArgs) -> String {
    if global.quiet {
        return "error".to_owned();
    }
    match global.verbose {
        0 => "warn".to_owned(),
        1 => "warn,retail=info".to_owned(),
        2 => "warn,retail=debug".to_owned(),
        _ => "trace".to_owned(),
    }
}

/// Installs the tracing subscriber: log lines on stderr, human-readable or one JSON object per
/// line (`--log-format json`: `timestamp`, `level`, `message`, `target` and the event's fields
/// at the top level, the same shape as the progress summaries).
pub fn init_logging(global: &GlobalArgs) {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| EnvFilter::new(log_filter(global)));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second initialisation (tests) keeps the first subscriber: nothing to report.
    let _ = match global.log_format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
    };
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        config = %global.config.display(),
        data_dir = %global.data_dir.display(),
        "retail started"
    );
}

/// The error line a failed command ends with, on stderr: `error: …` (every cause, each problem
/// on its own line), or with `--log-format json` one JSON object with `level` `ERROR`, the
/// `message` and the `exit_code`. Shown even with `--quiet`.
pub fn error_line(global: &GlobalArgs, err: &anyhow::Error, code: u8) -> String {
    match global.log_format {
        LogFormat::Text => format!("error: {err:#}"),
        LogFormat::Json => serde_json::json!({
            "level": "ERROR",
            "message": format!("{err:#}"),
            "exit_code": code,
        })
        .to_string(),
    }
}

/// Prints [`error_line`].
pub fn report_error(global: &GlobalArgs, err: &anyhow::Error, code: u8) {
    eprintln!("{}", error_line(global, err, code));
}

/// Loads `--config` and puts `--data-dir` in place of `output.dir`.
pub fn load(global: &GlobalArgs) -> anyhow::Result<Config> {
    load_with(global, Overrides::default())
}

/// As [`load`], for a command that continues the dataset in `--data-dir`: the dataset keeps
/// the start date it was generated with (`retail generate --start`, recorded in its `_meta`),
/// so that its configuration hash is the dataset's. A missing or unreadable database changes
/// nothing here: the command reports it when it opens the database itself.
pub fn load_for_dataset(global: &GlobalArgs) -> anyhow::Result<Config> {
    let mut overrides = Overrides::default();
    if global.data_dir.join(retail_store::DATABASE_FILE).exists() {
        if let Ok(store) = retail_store::Store::open(&global.data_dir) {
            overrides.start_date = store
                .meta(crate::pipeline::META_DATASET_START)
                .ok()
                .flatten();
        }
    }
    load_with(global, overrides)
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
    fn verbosity_maps_to_log_filters() {
        assert_eq!(log_filter(&global(&["--quiet"])), "error");
        assert_eq!(log_filter(&global(&[])), "warn");
        assert_eq!(log_filter(&global(&["-v"])), "warn,retail=info");
        assert_eq!(log_filter(&global(&["-vv"])), "warn,retail=debug");
        assert_eq!(log_filter(&global(&["-vvv"])), "trace");
        assert!(crate::Cli::try_parse_from(["retail", "-q", "-v", "init"]).is_err());
    }

    #[test]
    fn json_error_lines_carry_the_message_and_exit_code() {
        let err = load(&global(&["--config", "/no/such/config.json"])).unwrap_err();
        let line = error_line(&global(&["--log-format", "json"]), &err, exit::BAD_INPUT);
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["level"], "ERROR");
        assert_eq!(value["exit_code"], 2);
        assert!(
            value["message"]
                .as_str()
                .unwrap()
                .contains("retail init --output /no/such/config.json")
        );
        let text = error_line(&global(&[]), &err, exit::BAD_INPUT);
        assert!(text.starts_with("error: configuration file /no/such/config.json not found"));
    }

    #[test]
    fn syntax_error_is_bad_input() {
        let path = scratch_file("syntax.json", "{\"seed\": }");
        let err = load(&global(&["--config", path.to_str().unwrap()])).unwrap_err();
        assert_eq!(exit_code_of(&err), exit::BAD_INPUT);
        assert!(err.to_string().contains("not valid JSON"), "{err}");
    }
}
