//! `retail dashboard` end to end: a database filled by the duckdb sink's eventhouse, the page
//! served by the binary, rendered by headless Chromium (DOM values and a screenshot).
//! Skips, saying so, only when no Chromium is installed (`apt-get install -y chromium`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use retail_eventhouse::{Eventhouse, EventhouseOptions, scenario, wall_clock_micros};
use retail_schemas::Ts;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn fill_database(path: &Path) {
    let t = |m: i64| Ts(Ts::parse_rfc3339("2024-03-06T14:00:00Z").unwrap().0 + m * 60_000_000);
    let now = Ts(wall_clock_micros());
    let payloads = vec![
        scenario::receipt("RCP-1", 5, t(0), "SALE", 12_000, 0, "CASH"),
        scenario::receipt_line("RCP-1", 1, 5, 100, t(0), 2, 6_000),
        scenario::inventory("TXN-1", 5, 100, t(0), 1, -2, 0),
        scenario::stockout("STK-9", 5, 100, t(0), "TXN-1"),
        scenario::receipt("RCP-2", 6, t(5), "SALE", 70_000, 0, "CREDIT_CARD"),
        scenario::receipt_line("RCP-2", 1, 6, 101, t(5), 1, 70_000),
        scenario::payment("PAY-2", 6, t(5), "CREDIT_CARD", 75_600, "APPROVED"),
    ];
    let events: Vec<_> = payloads
        .into_iter()
        .map(|p| scenario::envelope(p, now))
        .collect();
    let mut house = Eventhouse::open(path, EventhouseOptions::default()).unwrap();
    house.ingest(&events).unwrap();
}

fn start_dashboard(data_dir: &Path) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_retail"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["dashboard", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the retail binary runs");
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (server, url)
}

fn http_get(url: &str, path: &str) -> (String, String) {
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.to_string(), body.to_string())
}

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find_map(|name| {
            let out = Command::new("which").arg(name).output().ok()?;
            out.status
                .success()
                .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        })
}

fn headless(browser: &Path, profile: &Path, args: &[&str]) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("chromium runs")
}

#[test]
fn the_dashboard_serves_live_kpis_that_chromium_renders() {
    let dir = tempfile::tempdir().unwrap();
    fill_database(&dir.path().join("retail.duckdb"));
    let (_server, url) = start_dashboard(dir.path());

    let (head, body) = http_get(&url, "/api/kpis");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let kpis: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(kpis["events_total"], 7);
    assert_eq!(kpis["open_stockouts"], 1);
    assert_eq!(kpis["sales_last_hour"]["net_sales_cents"], 82_000);
    assert_eq!(kpis["alert_counts"].as_array().unwrap().len(), 2);
    let (head, page) = http_get(&url, "/");
    assert!(head.contains("text/html"), "{head}");
    assert!(page.contains("setInterval(refresh, 1000)"));
    assert!(http_get(&url, "/nothing").0.starts_with("HTTP/1.1 404"));

    let Some(browser) = chromium() else {
        eprintln!(
            "SKIPPED the browser part of this test: no chromium on PATH (apt-get install -y chromium)"
        );
        return;
    };
    let profile = tempfile::tempdir().unwrap();
    let dom = headless(
        &browser,
        profile.path(),
        &["--virtual-time-budget=5000", "--dump-dom", &url],
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    for needle in [
        r#"<div class="big" id="events-total">7</div>"#,
        r#"<div class="big" id="net-sales">$820.00</div>"#,
        r#"<div class="big" id="open-stockouts">1</div>"#,
        r#"<div class="big" id="alerts-count">2</div>"#,
        "STK-9",
        "rule_high_value_receipt",
        "business now 2024-03-06T14:05:00",
    ] {
        assert!(
            dom.contains(needle),
            "{needle} not in the rendered page:\n{dom}"
        );
    }

    let shot = dir.path().join("dashboard.png");
    let blank = dir.path().join("blank.png");
    for (target, file) in [(url.as_str(), &shot), ("about:blank", &blank)] {
        let profile = tempfile::tempdir().unwrap();
        headless(
            &browser,
            profile.path(),
            &[
                "--virtual-time-budget=5000",
                "--window-size=1280,900",
                &format!("--screenshot={}", file.display()),
                target,
            ],
        );
    }
    let png = std::fs::read(&shot).expect("a screenshot was written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let blank_len = std::fs::read(&blank).map(|b| b.len()).unwrap_or(0);
    // A rendered dashboard (text, tables, colours) compresses far worse than an empty page.
    assert!(
        png.len() > 3 * blank_len.max(1_000),
        "screenshot of {} bytes vs {blank_len} for a blank page",
        png.len()
    );
}
