//! `retail dashboard` end to end: a real `retail stream --sink duckdb` feeds the database while
//! the dashboard serves it; the KPIs of the API are checked against the DuckDB tables and the
//! page is rendered by headless Chromium (DOM values and a screenshot).
//!
//! Chromium comes from Debian's packages (`apt-get install -y chromium`, done by
//! `scripts/dev.sh setup`). Without it the browser part is skipped, saying so, except when `CI`
//! is set: there it fails.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use duckdb::{AccessMode, Config, Connection};
use serde_json::Value;

use support::{assert_clear_error, assert_ok, retail_small_command as command, text};

const EVENTS: u64 = 4_000;

/// A child process killed (and reaped) when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `retail dashboard --port 0` and returns it with its base URL (first stdout line).
fn start_dashboard(data_dir: &Path) -> (Running, String) {
    let mut child = command(data_dir, &["dashboard", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the retail binary runs");
    let stdout = child.stdout.take().expect("piped stdout");
    let running = Running(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the dashboard prints its address");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .trim_end_matches('/')
        .to_string();
    (running, url)
}

/// `GET path` over plain HTTP/1.1: (status line and headers, body).
fn http_get(url: &str, path: &str) -> (String, String) {
    let host = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).expect("the dashboard accepts connections");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP response: {response:?}"));
    (head.to_string(), body.to_string())
}

fn kpis(url: &str) -> (String, Value) {
    let (head, body) = http_get(url, "/api/kpis");
    let value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    (head, value)
}

fn read_only(path: &Path) -> Connection {
    let config = Config::default().access_mode(AccessMode::ReadOnly).unwrap();
    let connection = Connection::open_with_flags(path, config).unwrap();
    connection.execute_batch("SET TimeZone = 'UTC'").unwrap();
    connection
}

fn count(connection: &Connection, sql: &str) -> i64 {
    connection
        .query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

fn headless(browser: &Path, args: &[&str]) -> Output {
    let profile = tempfile::tempdir().unwrap();
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            // Virtual time runs the page's timers and waits for its fetches before dumping.
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .output()
        .expect("chromium runs")
}

/// The text of the element with `id` in a dumped DOM (first text node).
fn text_of<'a>(dom: &'a str, id: &str) -> &'a str {
    let marker = format!("id=\"{id}\">");
    let start = dom
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id} in the rendered page:\n{dom}"))
        + marker.len();
    let end = dom[start..].find('<').map_or(dom.len(), |i| start + i);
    &dom[start..end]
}

/// `$1,234.56` as the page's `money` formats cents.
fn money(cents: i64) -> String {
    let whole = (cents.abs() / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if cents < 0 { "-" } else { "" };
    format!("${sign}{grouped}.{:02}", cents.abs() % 100)
}

#[test]
fn a_missing_database_or_a_taken_port_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path(), &["dashboard", "--port", "0"])
        .output()
        .unwrap();
    assert_clear_error(&out, &[2], &["no database at", "--sink duckdb"]);

    std::fs::write(dir.path().join("retail.duckdb"), b"").unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = command(dir.path(), &["dashboard", "--port", &port])
        .output()
        .unwrap();
    assert_clear_error(&out, &[2], &["already in use", "--port 0"]);
}

#[test]
fn a_live_stream_feeds_the_dashboard_and_chromium_renders_its_kpis() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    assert_ok(
        &command(data, &["generate", "--end", "2024-11-21", "--quiet"])
            .output()
            .unwrap(),
    );

    // Before any stream: the history is there, but no live events; the API says what to do.
    let (_dashboard, url) = start_dashboard(data);
    let (head, waiting) = kpis(&url);
    assert!(head.starts_with("HTTP/1.1 503"), "{head}");
    assert!(
        waiting["hint"].as_str().unwrap().contains("--sink duckdb"),
        "{waiting}"
    );

    // A paced stream (about 4 s): the API must show it while it runs, not only at the end.
    let rate = (EVENTS / 4).to_string();
    let max_events = EVENTS.to_string();
    let stream = command(
        data,
        &[
            "stream",
            "--sink",
            "duckdb",
            "--rate",
            &rate,
            "--max-events",
            &max_events,
            "--quiet",
        ],
    )
    // Files, not pipes: a pipe nobody reads while polling would stall the stream when full.
    .stdout(std::fs::File::create(data.join("stream.out")).unwrap())
    .stderr(std::fs::File::create(data.join("stream.err")).unwrap())
    .spawn()
    .unwrap();
    let mut stream = Running(stream);
    let mut seen_while_streaming = Vec::new();
    while stream.0.try_wait().unwrap().is_none() {
        let (head, value) = kpis(&url);
        if head.starts_with("HTTP/1.1 200") {
            seen_while_streaming.push(value["events_total"].as_i64().unwrap());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        stream.0.wait().unwrap().success(),
        "stream failed: {}",
        std::fs::read_to_string(data.join("stream.err")).unwrap_or_default()
    );
    assert!(
        seen_while_streaming
            .iter()
            .any(|&n| n > 0 && n < EVENTS as i64),
        "no partial KPIs served while streaming: {seen_while_streaming:?}"
    );
    assert!(
        seen_while_streaming.windows(2).all(|w| w[0] <= w[1]),
        "{seen_while_streaming:?}"
    );

    // After the stream: the API's numbers are the tables' numbers.
    let (head, k) = kpis(&url);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("cache-control: no-store"), "{head}");
    let db = read_only(&data.join("retail.duckdb"));
    assert_eq!(k["events_total"], EVENTS);
    let mut total = 0;
    for (event_type, n) in k["events_by_type"].as_object().unwrap() {
        let stored = count(&db, &format!("SELECT count(*) FROM {event_type}"));
        assert_eq!(n.as_i64(), Some(stored), "{event_type}");
        total += stored;
    }
    assert_eq!(total, EVENTS as i64);

    let business_now = k["business_now"].as_str().unwrap().to_owned();
    let latest = retail_eventhouse::BUSINESS_CLOCK_TYPES
        .iter()
        .map(|t| {
            count(
                &db,
                &format!("SELECT max(epoch_us(event_ts)) FROM {}", t.name()),
            )
        })
        .max()
        .unwrap();
    assert_eq!(
        retail_schemas::Ts::parse_rfc3339(&business_now).unwrap().0,
        latest
    );
    // Net sales of the last hour from the raw receipts, not from the view the API reads.
    let net_sales = count(
        &db,
        &format!(
            "SELECT CAST(coalesce(sum(subtotal_cents - discount_cents), 0) AS BIGINT) \
             FROM receipt_created \
             WHERE epoch_us(time_bucket(INTERVAL '1 minute', event_ts)) > {latest} - 3600000000"
        ),
    );
    assert!(net_sales > 0);
    assert_eq!(k["sales_last_hour"]["net_sales_cents"], net_sales);
    let alerts = count(&db, "SELECT count(*) FROM alerts");
    assert!(alerts > 0, "the stream raised no alert");
    let counted: i64 = k["alert_counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["alerts"].as_i64().unwrap())
        .sum();
    assert_eq!(counted, alerts);
    for rule in k["alert_counts"].as_array().unwrap() {
        let name = rule["rule"].as_str().unwrap();
        let stored = count(
            &db,
            &format!("SELECT count(*) FROM alerts WHERE rule = '{name}'"),
        );
        assert_eq!(rule["alerts"].as_i64(), Some(stored), "{name}");
    }
    drop(db);

    let (head, page) = http_get(&url, "/");
    assert!(head.contains("text/html"), "{head}");
    assert!(page.contains("setInterval(refresh, 500)"));
    assert!(http_get(&url, "/nothing").0.starts_with("HTTP/1.1 404"));

    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but no chromium is on PATH: scripts/dev.sh setup installs it"
        );
        eprintln!(
            "SKIPPED the browser part of this test: no chromium on PATH \
             (apt-get install -y chromium, or scripts/dev.sh setup)"
        );
        return;
    };
    let page_url = format!("{url}/");
    let rendered = headless(&browser, &["--dump-dom", &page_url]);
    let dom = text(&rendered.stdout);
    assert!(
        dom.contains("events-total"),
        "chromium rendered no page ({:?}): {}",
        rendered.status,
        text(&rendered.stderr)
    );
    assert_eq!(text_of(&dom, "events-total"), "4,000");
    assert_eq!(text_of(&dom, "net-sales"), money(net_sales));
    assert_eq!(
        text_of(&dom, "open-stockouts"),
        k["open_stockouts"].to_string()
    );
    assert_eq!(text_of(&dom, "alerts-count"), alerts.to_string());
    assert!(
        text_of(&dom, "status").starts_with(&format!("business now {business_now}")),
        "{}",
        text_of(&dom, "status")
    );
    let latest_alert = k["alerts"][0]["alert_key"].as_str().unwrap();
    assert!(dom.contains(latest_alert), "{latest_alert} not rendered");

    let shot = data.join("dashboard.png");
    let blank = data.join("blank.png");
    for (target, file) in [(page_url.as_str(), &shot), ("about:blank", &blank)] {
        headless(
            &browser,
            &[
                "--window-size=1280,900",
                &format!("--screenshot={}", file.display()),
                target,
            ],
        );
    }
    let png = std::fs::read(&shot).expect("a screenshot was written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let blank_len = std::fs::read(&blank).map(|b| b.len()).unwrap_or(0);
    // A rendered dashboard (text, tables, bars) compresses far worse than an empty page.
    assert!(
        png.len() > 3 * blank_len.max(1_000),
        "screenshot of {} bytes vs {blank_len} for a blank page",
        png.len()
    );
}
