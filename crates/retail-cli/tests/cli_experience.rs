//! The command's manners, through the built binary: examples in every help text, shell
//! completions that shells accept, JSON logs, errors that say what to do, documented exit codes.

mod support;

use std::process::{Command, Output};

use support::*;

#[test]
fn every_help_text_has_examples() {
    let commands: &[&[&str]] = &[
        &[],
        &["generate"],
        &["validate"],
        &["schema"],
        &["bench"],
        &["init"],
        &["fabric"],
        &["fabric", "render"],
        &["completions"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        let out = retail_args(&args);
        let help = text(&out.stdout);
        assert!(
            out.status.success(),
            "retail {args:?}: {}",
            text(&out.stderr)
        );
        let examples = help
            .split_once("Examples:\n")
            .unwrap_or_else(|| panic!("no examples in `retail {}`:\n{help}", args.join(" ")))
            .1;
        let first = examples.lines().next().unwrap_or_default();
        assert!(
            first.trim_start().starts_with("retail "),
            "`retail {}` examples do not start with a command line: {first:?}",
            args.join(" ")
        );
    }
}

/// Runs `SHELL -n` on the completion script when that shell is installed.
fn shell_accepts(shell: &str, script: &str) -> Option<Output> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("retail-completions");
    std::fs::write(&path, script).unwrap();
    Command::new(shell).arg("-n").arg(&path).output().ok()
}

#[test]
fn completion_scripts_parse_in_their_shells() {
    let out = retail_args(&["completions", "bash"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bash = text(&out.stdout);
    assert!(bash.contains("complete -F"), "{bash}");
    for word in ["generate", "validate", "completions", "--log-format"] {
        assert!(bash.contains(word), "{word} missing from the bash script");
    }
    let checked = shell_accepts("bash", &bash).expect("bash is installed");
    assert!(
        checked.status.success(),
        "bash -n: {}",
        text(&checked.stderr)
    );

    for (shell, marker) in [("zsh", "#compdef retail"), ("fish", "complete -c retail")] {
        let out = retail_args(&["completions", shell]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let script = text(&out.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        if let Some(checked) = shell_accepts(shell, &script) {
            assert!(
                checked.status.success(),
                "{shell} -n: {}",
                text(&checked.stderr)
            );
        }
    }
    let out = retail_args(&["completions", "powershell"]);
    assert!(text(&out.stdout).contains("Register-ArgumentCompleter"));

    let out = retail_args(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("possible values"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn json_log_format_writes_one_json_object_per_stderr_line() {
    let out = retail_args(&[
        "-v",
        "--log-format",
        "json",
        "schema",
        "--format",
        "duckdb",
        "--table",
        "dim_stores",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("CREATE TABLE"));
    let stderr = text(&out.stderr);
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    let started = lines
        .iter()
        .find(|l| l["message"] == "retail started")
        .unwrap_or_else(|| panic!("no start line in {stderr}"));
    assert_eq!(started["level"], "INFO");
    assert_eq!(started["version"], env!("CARGO_PKG_VERSION"));

    // Without -v the info line is filtered out; text mode is not JSON.
    let quiet = retail_args(&["--log-format", "json", "schema", "--format", "duckdb"]);
    assert_eq!(text(&quiet.stderr), "");
    let text_mode = retail_args(&[
        "-v",
        "schema",
        "--format",
        "duckdb",
        "--table",
        "dim_stores",
    ]);
    let line = text(&text_mode.stderr);
    assert!(
        line.contains("INFO") && line.contains("retail started"),
        "{line}"
    );
    assert!(serde_json::from_str::<serde_json::Value>(line.trim()).is_err());
}

#[test]
fn errors_say_what_to_do_and_use_the_documented_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("nothing-here");
    let data_dir = data_dir.to_str().unwrap();

    let out = retail_args(&["--quiet", "--data-dir", data_dir, "validate"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: no database at "), "{stderr}");
    assert!(stderr.contains("run `retail generate` first"), "{stderr}");

    let out = retail_args(&["--log-format", "json", "--data-dir", data_dir, "validate"]);
    assert_eq!(out.status.code(), Some(2));
    let error: serde_json::Value = serde_json::from_str(text(&out.stderr).trim()).unwrap();
    assert_eq!(error["level"], "ERROR");
    assert_eq!(error["exit_code"], 2);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("retail generate")
    );

    let out = retail_args(&["schema", "--format", "kql", "--table", "no_such_table"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no_such_table"),
        "{}",
        text(&out.stderr)
    );

    let out = retail_args(&["generate", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));

    let cli_md = std::fs::read_to_string(workspace_root().join("docs/cli.md")).unwrap();
    for code in 0..=4 {
        assert!(
            cli_md.contains(&format!("\n| {code} |")),
            "exit code {code} is not documented in docs/cli.md"
        );
    }
    assert!(text(&retail_args(&["--help"]).stdout).contains("docs/cli.md"));
}
