//! `retail bench`: measures generation throughput with real runs. Each measurement is a child
//! `retail generate` process (so peak RSS, read from its /proc/self/status VmHWM, belongs to
//! that run alone) into a fresh temporary directory, once per thread count.

use std::process::Command;

use anyhow::Context;
use clap::{Args, ValueEnum};
use retail_config::Profile;

use super::Exit;
use crate::{GlobalArgs, exit};

/// Arguments of `retail bench`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  retail bench                          # small profile, 7 days, 1 and 2 threads
  retail bench --profile default --days 3 --threads 1 --threads 4

Prints, per thread count, rows/s per table family, total rows/s and peak RSS. The data goes to a
temporary directory that is removed afterwards.")]
pub struct BenchArgs {
    /// Built-in profile to generate.
    #[arg(long, value_enum, default_value_t = BenchProfile::Small)]
    profile: BenchProfile,
    /// Days to generate from the profile's start date.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=366))]
    days: u32,
    /// Thread counts to measure (repeatable).
    #[arg(long = "threads", value_name = "N", default_values_t = [1u32, 2])]
    threads: Vec<u32>,
}

/// Profiles `retail bench` can run.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum BenchProfile {
    /// `small`.
    Small,
    /// `default`.
    Default,
}

/// Runs `retail bench`.
pub fn run(_global: &GlobalArgs, args: BenchArgs) -> anyhow::Result<u8> {
    let profile = match args.profile {
        BenchProfile::Small => Profile::Small,
        BenchProfile::Default => Profile::Default,
    };
    let config = profile.config();
    let end = config.start_date().plus_days(args.days as i32 - 1);
    let exe = std::env::current_exe().context("locating the retail binary")?;
    let scratch = tempfile::tempdir().context("creating a temporary directory")?;
    let config_path = scratch.path().join("bench.json");
    std::fs::write(&config_path, config.to_json_pretty())
        .with_context(|| format!("writing {}", config_path.display()))?;
    println!(
        "retail bench: profile {}, {} day(s) from {} ({} cores available)",
        profile.name(),
        args.days,
        config.start_date(),
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    for threads in args.threads {
        let data_dir = scratch.path().join(format!("data-{threads}"));
        let run = |what: &[&str]| -> anyhow::Result<serde_json::Value> {
            let output = Command::new(&exe)
                .arg("--config")
                .arg(&config_path)
                .arg("--data-dir")
                .arg(&data_dir)
                .args(["--log-format", "json", "generate"])
                .args(what)
                .arg("--threads")
                .arg(threads.to_string())
                .output()
                .context("running retail generate")?;
            let stderr = String::from_utf8_lossy(&output.stderr);
            if !output.status.success() {
                return Err(anyhow::Error::new(Exit {
                    code: exit::FAILURE,
                    message: format!("retail generate failed ({}):\n{stderr}", output.status),
                }));
            }
            stderr
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .find(|v| v["phase"] == "facts")
                .context("retail generate printed no summary")
        };
        // Dimensions first (their own process), so the facts figures are the facts alone.
        let dims = Command::new(&exe)
            .arg("--config")
            .arg(&config_path)
            .arg("--data-dir")
            .arg(&data_dir)
            .args(["--log-format", "json", "generate", "dimensions"])
            .output()
            .context("running retail generate dimensions")?;
        let dims_line = String::from_utf8_lossy(&dims.stderr)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find(|v| v["phase"] == "dimensions");
        if let Some(d) = dims_line {
            println!(
                "threads {threads}: dimensions {} rows in {:.2}s",
                d["rows"].as_u64().unwrap_or(0),
                d["elapsed_seconds"].as_f64().unwrap_or(0.0)
            );
        }
        let end_text = end.to_string();
        let facts = run(&["facts", "--end", &end_text])?;
        let secs = facts["elapsed_seconds"].as_f64().unwrap_or(0.0);
        let rate = |n: u64| if secs > 0.0 { n as f64 / secs } else { 0.0 };
        let mut line = format!("threads {threads}:");
        if let Some(families) = facts["families"].as_object() {
            for (family, rows) in families {
                let rows = rows.as_u64().unwrap_or(0);
                line.push_str(&format!(" {family} {:.0}/s", rate(rows)));
            }
        }
        let total = facts["rows"].as_u64().unwrap_or(0);
        let rss = facts["peak_rss_kib"]
            .as_u64()
            .map_or_else(|| "n/a".to_owned(), |k| format!("{} MiB", k / 1024));
        let cpu = facts["cpu_seconds"].as_f64().filter(|c| *c > 0.0);
        let per_cpu = cpu.map_or_else(
            || "n/a".to_owned(),
            |c| format!("{c:.1} CPU-s = {:.0} rows per CPU-s", total as f64 / c),
        );
        line.push_str(&format!(
            " | total {total} rows in {secs:.2}s = {:.0} rows/s | {per_cpu} | peak RSS {rss}",
            rate(total)
        ));
        println!("{line}");
        std::fs::remove_dir_all(&data_dir).ok();
    }
    Ok(exit::OK)
}
