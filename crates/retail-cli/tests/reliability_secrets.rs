//! Secrets (issue #9 item 5), through the real binary: a recognisable SAS key and the
//! connection string holding it are put in the environment (both variable names the project
//! reads) and in a configuration file, then every command that can touch them runs — with the
//! most verbose logs, as text and as JSON, with full backtraces — including the error paths:
//! a secret in the configuration, an Event Hubs endpoint that refuses connections, a malformed
//! sink specification. Neither the key nor the connection string appears in any stdout,
//! stderr, log line or error message, nor in any file written under the data directory.
//! (The library-level counterpart is retail-streaming's tests/eventhubs_secrets.rs.)

mod support;

use std::net::TcpListener;
use std::path::Path;
use std::process::Output;

use retail_eventhubs_standin::{Standin, StandinConfig};

use support::*;

const KEY: &str = "FAKEsasKEYcliRELIABILITYtest0000DONOTLEAK99=";

fn connection_string() -> String {
    format!(
        "Endpoint=sb://leak-check.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={KEY};EntityPath=retail-events"
    )
}

/// Distinctive pieces: the key, its middle (a truncated key is still a leak) and the whole
/// connection string.
fn needles() -> Vec<String> {
    vec![KEY.to_owned(), KEY[8..36].to_owned(), connection_string()]
}

fn assert_no_secret(what: &str, haystack: &[u8]) {
    let text = String::from_utf8_lossy(haystack);
    for needle in needles() {
        assert!(
            !text.contains(&needle),
            "the secret leaked into {what}:\n{text}"
        );
    }
}

/// Runs `retail` with the secret in the environment, very verbose, with backtraces.
fn run(config: &Path, data_dir: &Path, json_logs: bool, args: &[&str]) -> Output {
    run_with(config, data_dir, json_logs, args, &connection_string())
}

/// As [`run`], with `connection_string` in both environment variables.
fn run_with(
    config: &Path,
    data_dir: &Path,
    json_logs: bool,
    args: &[&str],
    connection_string: &str,
) -> Output {
    let mut command = retail_in(config, data_dir);
    command
        .arg("-vvv")
        .args(if json_logs {
            &["--log-format", "json"][..]
        } else {
            &[][..]
        })
        .args(args)
        .env("EVENTHUB_CONNECTION_STRING", connection_string)
        .env("AZURE_EVENTHUB_CONNECTION_STRING", connection_string)
        .env("RUST_BACKTRACE", "full");
    let out = command.output().expect("the retail binary runs");
    let label = format!("retail {args:?}");
    assert_no_secret(&format!("stdout of {label}"), &out.stdout);
    assert_no_secret(&format!("stderr of {label}"), &out.stderr);
    assert!(
        !text(&out.stdout).contains(connection_string)
            && !text(&out.stderr).contains(connection_string),
        "{label}: the connection string leaked"
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{label} panicked"
    );
    out
}

fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    port
}

#[test]
fn the_sas_key_appears_in_no_output_and_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = small_config();
    let mut lines_checked = 0usize;
    // A new dataset with text logs, then its continuation by one day with JSON logs.
    let generate_runs: [(bool, &[&str]); 2] = [
        (
            false,
            &["generate", "--start", "2024-11-25", "--end", "2024-11-25"],
        ),
        (true, &["generate", "--end", "2024-11-26"]),
    ];
    for (json_logs, generate) in generate_runs {
        let out = run(&config, &data, json_logs, generate);
        assert_ok(&out);
        lines_checked += out.stderr.split(|b| *b == b'\n').count();
        let out = run(&config, &data, json_logs, &["validate"]);
        assert_ok(&out);
        lines_checked += out.stdout.split(|b| *b == b'\n').count();
    }

    // The secret written into a configuration file is refused without being repeated.
    let secret_config = dir.path().join("secret.json");
    std::fs::write(
        &secret_config,
        format!(
            r#"{{"profile": "small", "stream": {{"connection_string_env": "{cs}"}}, "connection_string": "{cs}"}}"#,
            cs = connection_string()
        ),
    )
    .unwrap();
    for json_logs in [false, true] {
        let out = run(&secret_config, &data, json_logs, &["generate"]);
        assert_clear_error(&out, &[2], &["looks like a secret"]);
        let out = run(
            &secret_config,
            &data,
            json_logs,
            &["stream", "--sink", "null"],
        );
        assert_eq!(out.status.code(), Some(2));
    }

    // Streaming paths, with retries cut short (stream.retry_* are not part of config_hash):
    // an endpoint that refuses connections (streaming and `--check`), a missing variable.
    let mut fast_retries: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&config).unwrap()).unwrap();
    fast_retries["stream"]["retry_max_attempts"] = 2.into();
    fast_retries["stream"]["retry_initial_backoff_ms"] = 10.into();
    fast_retries["stream"]["retry_max_backoff_ms"] = 50.into();
    let fast_config = dir.path().join("fast-retries.json");
    std::fs::write(&fast_config, fast_retries.to_string()).unwrap();
    let closed = format!("eventhubs?endpoint=amqp://127.0.0.1:{}", closed_port());
    let stream_runs: Vec<Vec<String>> = vec![
        vec![
            "stream".into(),
            "--sink".into(),
            format!("{closed}&connection_string_env=EVENTHUB_CONNECTION_STRING"),
            "--max-events".into(),
            "5".into(),
        ],
        vec![
            "stream".into(),
            "--sink".into(),
            closed.clone(),
            "--max-events".into(),
            "5".into(),
        ],
        vec!["stream".into(), "--sink".into(), closed, "--check".into()],
        vec![
            "stream".into(),
            "--sink".into(),
            "eventhubs?connection_string_env=NO_SUCH_VARIABLE".into(),
            "--max-events".into(),
            "5".into(),
        ],
    ];
    for json_logs in [false, true] {
        for args in &stream_runs {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = run(&fast_config, &data, json_logs, &args);
            assert_clear_error(&out, &[1, 2], &[]);
            lines_checked += out.stderr.split(|b| *b == b'\n').count();
        }
    }

    // A stream that succeeds: the key signs real SAS tokens for the local Event Hubs stand-in.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let standin = runtime
        .block_on(Standin::start(StandinConfig::default()))
        .unwrap();
    let standin_connection_string = standin.connection_string(KEY);
    let sink = format!("eventhubs?endpoint={}", standin.endpoint());
    for json_logs in [false, true] {
        let out = run_with(
            &fast_config,
            &data,
            json_logs,
            &[
                "stream",
                "--sink",
                &sink,
                "--rate",
                "unlimited",
                "--max-events",
                "500",
            ],
            &standin_connection_string,
        );
        assert_ok(&out);
        lines_checked += out.stderr.split(|b| *b == b'\n').count();
    }
    let delivered = standin.received().len();
    assert!(
        delivered >= 1_000,
        "{delivered} events reached the stand-in"
    );
    assert!(standin.stats().tokens_accepted > 0, "no SAS token was sent");
    runtime.block_on(standin.stop());

    // Nothing written under the data directory (database, Parquet, state, dead letters, logs)
    // holds the secret.
    let files = files_under(dir.path());
    assert!(files.len() > 10, "{} files", files.len());
    for (path, bytes) in files.iter().filter(|(p, _)| !p.ends_with("secret.json")) {
        assert_no_secret(&path.display().to_string(), bytes);
        assert!(
            !text(bytes).contains(&standin_connection_string),
            "the connection string leaked into {}",
            path.display()
        );
    }
    println!(
        "{} files ({} bytes) and {lines_checked} output lines checked, {delivered} events \
         streamed with the key: no trace of it",
        files.len(),
        files.iter().map(|(_, b)| b.len()).sum::<usize>()
    );
}
