//! Helpers shared by the integration tests of the `retail` binary (cli_*, fuzz_cli,
//! reliability_*): running the real binary, temporary datasets, reading DuckDB back, hashing a
//! dataset, tiny tmpfs mounts, peak memory of a child. Each test file includes it with
//! `mod support;`; a file uses only some of the helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use retail_store::Store;

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/retail-cli sits two levels below the workspace root")
        .to_path_buf()
}

pub fn small_config() -> PathBuf {
    workspace_root().join("config/small.json")
}

/// The `retail` binary with only `args` (no `--config`, no `--data-dir`) and no `RUST_LOG`
/// from the caller's environment.
pub fn retail_args(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_retail"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("the retail binary runs")
}

/// The `retail` command with `--config` and `--data-dir` set (log output as by default).
pub fn retail_in(config: &Path, data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_retail"));
    command
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data_dir)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null());
    command
}

/// The `retail` command with `--config`, `--data-dir` and `--quiet` set.
pub fn retail_command(config: &Path, data_dir: &Path, args: &[&str]) -> Command {
    let mut command = retail_in(config, data_dir);
    command.arg("--quiet").args(args);
    command
}

/// Runs `retail --config CONFIG --data-dir DATA_DIR --quiet ARGS` to completion.
pub fn retail(config: &Path, data_dir: &Path, args: &[&str]) -> Output {
    retail_command(config, data_dir, args)
        .output()
        .expect("the retail binary runs")
}

/// The `retail` command on the small profile, with its progress and summaries (not quiet).
pub fn retail_small_command(data_dir: &Path, args: &[&str]) -> Command {
    let mut command = retail_in(&small_config(), data_dir);
    command.args(args);
    command
}

/// [`retail`] on the small profile.
pub fn retail_small(data_dir: &Path, args: &[&str]) -> Output {
    retail(&small_config(), data_dir, args)
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn stderr(out: &Output) -> String {
    text(&out.stderr)
}

pub fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// A failure with one of `codes`, no panic, and an `error:` line that contains every `needle`.
pub fn assert_clear_error(out: &Output, codes: &[i32], needles: &[&str]) -> String {
    let stderr = text(&out.stderr);
    assert!(
        out.status.code().is_some_and(|c| codes.contains(&c)),
        "expected exit {codes:?}, got {:?}\nstderr: {stderr}",
        out.status.code()
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Text logs end with an `error: …` line; JSON logs with an ERROR record.
    let line = stderr
        .lines()
        .find_map(|l| {
            if l.starts_with("error: ") {
                return Some(l.to_owned());
            }
            let record: serde_json::Value = serde_json::from_str(l).ok()?;
            (record["level"] == "ERROR")
                .then(|| format!("error: {}", record["message"].as_str().unwrap_or_default()))
        })
        .unwrap_or_else(|| panic!("no `error:` line in {stderr}"));
    assert!(line.len() > "error: ".len() + 5, "an empty error: {stderr}");
    for needle in needles {
        assert!(
            stderr.to_lowercase().contains(&needle.to_lowercase()),
            "{needle:?} missing from: {stderr}"
        );
    }
    line
}

/// The single number a query returns (`SELECT count(*) …`).
pub fn count(store: &Store, sql: &str) -> i64 {
    store
        .connection()
        .query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Content hash of every table plus the watermark (the comparison of data-contract §12).
pub fn dataset_hashes(data_dir: &Path) -> Vec<(String, String)> {
    let store = Store::open(data_dir).unwrap();
    let mut out: Vec<(String, String)> = retail_schemas::all_tables()
        .into_iter()
        .map(|def| (def.name.to_owned(), store.content_hash(def).unwrap().hex()))
        .collect();
    out.push((
        "last_generated_date".into(),
        store
            .last_generated_date()
            .unwrap()
            .map_or_else(|| "-".to_owned(), |d| d.to_string()),
    ));
    out
}

/// Every file under `dir` with its bytes, sorted by path (relative to `dir`).
pub fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.push((path.strip_prefix(dir).unwrap().to_path_buf(), bytes));
            }
        }
    }
    files.sort();
    files
}

/// Every Parquet file of a dataset with its bytes, by path relative to DATA_DIR/parquet.
pub fn parquet_files(data_dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    files_under(&data_dir.join("parquet"))
}

/// The lines of a text file (none when it does not exist yet).
pub fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The `--sink` specification of a JSONL file.
pub fn jsonl_sink(path: &Path) -> String {
    format!("jsonl:{}", path.display())
}

/// Waits until `done` holds, checking every 50 ms; fails after two minutes (a bound on a
/// hang, not a timing assertion).
pub fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sends the signal `name` (INT, TERM, KILL…) to a child process.
pub fn send_signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success(), "kill -{name} failed");
}

/// Size in bytes of every file under `dir`.
pub fn bytes_under(dir: &Path) -> u64 {
    files_under(dir).iter().map(|(_, b)| b.len() as u64).sum()
}

/// A tmpfs mounted for the life of the value (root only); unmounted on drop.
pub struct Tmpfs {
    pub path: PathBuf,
    _holder: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `bytes` bytes, or says why it cannot (not root, no permission).
    pub fn mount(bytes: u64) -> Result<Tmpfs, String> {
        let holder = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = holder.path().join("mnt");
        std::fs::create_dir(&path).map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o"])
            .arg(format!("size={bytes}"))
            .arg("tmpfs")
            .arg(&path)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "mount -t tmpfs failed (needs root and mount permission): {}",
                text(&out.stderr).trim()
            ));
        }
        Ok(Tmpfs {
            path,
            _holder: holder,
        })
    }

    /// Remounts with new options (`ro`, `rw`, `size=N`).
    pub fn remount(&self, options: &str) {
        let out = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "remount {options}: {}",
            text(&out.stderr)
        );
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// Copies every file under `from` into `to` (directories created as needed).
pub fn copy_tree(from: &Path, to: &Path) {
    for (relative, bytes) in files_under(from) {
        let target = to.join(&relative);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}

/// Peak resident set size (VmHWM, KiB) of a running process, if it can be read.
pub fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Runs `command` to completion, sampling its VmHWM every few milliseconds; returns the output
/// and the last (highest: VmHWM never decreases) sample in KiB.
pub fn run_measuring_peak_rss(mut command: Command) -> (Output, u64) {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the retail binary runs");
    let pid = child.id();
    let sampler = std::thread::spawn(move || {
        let mut peak = 0;
        while let Some(kib) = vm_hwm_kib(pid) {
            // A zombie has no VmHWM line any more: the loop ends at exit.
            peak = peak.max(kib);
            std::thread::sleep(Duration::from_millis(2));
        }
        peak
    });
    let output = child.wait_with_output().unwrap();
    let peak = sampler.join().unwrap();
    (output, peak)
}

/// How many iterations a heavy reliability loop runs: `default` (kept small so that the suite
/// stays fast), the issue's `full` count with `RELIABILITY_ITERATIONS=full`, or any count with
/// `RELIABILITY_ITERATIONS=N`.
pub fn iterations(default: usize, full: usize) -> usize {
    match std::env::var("RELIABILITY_ITERATIONS").as_deref() {
        Ok("full") => full,
        Ok(n) => n
            .parse()
            .unwrap_or_else(|_| panic!("RELIABILITY_ITERATIONS={n}: expected `full` or a count")),
        Err(_) => default,
    }
}
