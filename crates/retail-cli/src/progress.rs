//! Progress on stderr: a bar of days (indicatif) while generating, and one summary line at the
//! end (text, or a JSON object with `--log-format json`). `--quiet` silences both.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::pipeline::{Summary, rows_by_family};
use crate::{GlobalArgs, LogFormat};

/// How a command reports progress.
#[derive(Clone, Copy, Debug)]
pub struct Reporter {
    quiet: bool,
    json: bool,
}

impl Reporter {
    /// From the global options.
    pub fn new(global: &GlobalArgs) -> Self {
        Self {
            quiet: global.quiet,
            json: global.log_format == LogFormat::Json,
        }
    }

    /// A bar over `days` days (hidden when quiet, in JSON mode, or when stderr is not a
    /// terminal — indicatif's stderr target checks that itself).
    pub fn days_bar(&self, days: u64, label: &str) -> ProgressBar {
        if self.quiet || self.json {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(days), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} days  {msg}  {elapsed_precise} ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_prefix(label.to_owned());
        bar
    }

    /// A free-form note (text mode only).
    pub fn note(&self, text: &str) {
        if !self.quiet && !self.json {
            eprintln!("{text}");
        }
    }

    /// The final line of a phase: rows per table family, elapsed, rows/s, peak RSS.
    pub fn summary(&self, phase: &str, summary: &Summary, peak_rss_kib: Option<u64>) {
        if self.quiet {
            return;
        }
        eprintln!("{}", self.summary_line(phase, summary, peak_rss_kib));
    }

    /// The summary line [`Reporter::summary`] prints.
    pub fn summary_line(
        &self,
        phase: &str,
        summary: &Summary,
        peak_rss_kib: Option<u64>,
    ) -> String {
        let total = summary.total_rows();
        let rate = rows_per_second(total, summary.elapsed);
        if self.json {
            let families: serde_json::Map<String, serde_json::Value> = rows_by_family(summary)
                .into_iter()
                .map(|(f, n)| (f.to_owned(), n.into()))
                .collect();
            let tables: serde_json::Map<String, serde_json::Value> = summary
                .rows
                .iter()
                .map(|(t, n)| ((*t).to_owned(), (*n).into()))
                .collect();
            serde_json::json!({
                "level": "INFO",
                "message": format!("{phase} done"),
                "phase": phase,
                "rows": total,
                "families": families,
                "tables": tables,
                "elapsed_seconds": summary.elapsed.as_secs_f64(),
                "rows_per_second": rate,
                "peak_rss_kib": peak_rss_kib,
                "cpu_seconds": summary.cpu_seconds,
            })
            .to_string()
        } else {
            let parts: Vec<String> = if phase == "dimensions" {
                summary
                    .rows
                    .iter()
                    .map(|(t, n)| format!("{t} {n}"))
                    .collect()
            } else {
                rows_by_family(summary)
                    .into_iter()
                    .map(|(f, n)| format!("{f} {n}"))
                    .collect()
            };
            let mut rss = peak_rss_kib
                .map(|k| format!(", peak RSS {} MiB", k / 1024))
                .unwrap_or_default();
            if let Some(cpu) = summary.cpu_seconds.filter(|c| *c > 0.0) {
                rss.push_str(&format!(
                    ", {cpu:.1} CPU-s ({:.0} rows per CPU-s)",
                    total as f64 / cpu
                ));
            }
            format!(
                "{phase}: {total} rows ({}) in {:.2}s, {:.0} rows/s{rss}",
                parts.join(", "),
                summary.elapsed.as_secs_f64(),
                rate
            )
        }
    }
}

/// Rows per second, 0 for an empty duration.
pub fn rows_per_second(rows: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 { rows as f64 / secs } else { 0.0 }
}
