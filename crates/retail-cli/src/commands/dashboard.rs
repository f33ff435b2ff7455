//! `retail dashboard`: a local web page with the live KPIs and alerts of the duckdb sink
//! (issue "Local hot path"), served by the binary on 127.0.0.1.
//!
//! `GET /` is the page (HTML + JS embedded here); `GET /api/kpis` is the KPI snapshot as JSON
//! (`retail_eventhouse::snapshot::read_snapshot`), which the page polls twice a second.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use anyhow::Context;
use clap::Args;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;

use super::Exit;
use crate::{GlobalArgs, exit};

/// Arguments of `retail dashboard`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  retail --config config/small.json --data-dir D generate --end 2024-11-21   # a history to continue
  retail --config config/small.json --data-dir D stream --sink duckdb --speed 0 --rate 200 &
  retail --data-dir D dashboard                  # open http://127.0.0.1:8050 (Ctrl-C stops it)
  retail --data-dir D dashboard --port 0         # any free port; the address is printed
  retail dashboard --database /tmp/e.duckdb      # the database of `--sink duckdb:/tmp/e.duckdb`
  curl -s http://127.0.0.1:8050/api/kpis         # the same KPIs as JSON

The page refreshes twice a second: events stored, net sales of the last hour (and per minute),
open stockouts, alerts by rule and the latest ones, top products and tender mix of the current
15-minute window, zone dwell and top stores of the last hour, all at \"business now\" (the
latest event time the stream reached). While a duckdb sink streams, the page shows the
snapshot it writes beside the database after micro-batches (PATH.kpis.json, at most twice a
second; DuckDB lets only one process write a file); with no writer it reads the database
read-only. The database must exist (it does after `retail generate`); the stream may start
before or after the dashboard.
Exit codes: 0 stopped by Ctrl-C or SIGTERM, 1 failure while running,
2 bad input (port in use, no database).")]
pub struct DashboardArgs {
    /// Port on 127.0.0.1 (0 = any free port; the address is printed on standard output).
    #[arg(long, default_value_t = 8050)]
    port: u16,
    /// Database file (default: DATA_DIR/retail.duckdb).
    #[arg(long, value_name = "PATH")]
    database: Option<PathBuf>,
}

/// Shown (API and page) while the database holds no live events yet.
const NO_DATA_HINT: &str = "no KPIs yet: is a `retail stream --sink duckdb` writing to this \
database? Start one, e.g. `retail --data-dir D stream --sink duckdb --speed 0 --rate 200`.";

const PAGE: &str = r##"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>retail-rti · live KPIs</title>
<style>
 body{font-family:system-ui,sans-serif;margin:0;background:#0f172a;color:#e2e8f0}
 header{padding:14px 24px;background:#1e293b;display:flex;justify-content:space-between;align-items:baseline}
 h1{font-size:20px;margin:0} h2{font-size:14px;margin:0 0 8px;color:#94a3b8;text-transform:uppercase}
 main{display:grid;grid-template-columns:repeat(4,1fr);gap:14px;padding:18px 24px}
 .card{background:#1e293b;border-radius:10px;padding:14px}
 .big{font-size:30px;font-weight:700} .wide{grid-column:span 2} .full{grid-column:span 4}
 table{width:100%;border-collapse:collapse;font-size:13px} td,th{padding:3px 6px;text-align:left}
 th{color:#94a3b8} td.n{text-align:right} .bars{display:flex;align-items:flex-end;height:90px;gap:3px}
 .bar{background:#38bdf8;flex:1;min-height:1px} .alert-row td{color:#fca5a5} #status{color:#94a3b8;font-size:12px}
</style></head><body>
<header><h1>retail-rti · local hot path</h1><span id="status">loading…</span></header>
<main>
 <div class="card"><h2>Events stored</h2><div class="big" id="events-total">–</div></div>
 <div class="card"><h2>Net sales, last hour</h2><div class="big" id="net-sales">–</div><div id="receipts"></div></div>
 <div class="card"><h2>Open stockouts</h2><div class="big" id="open-stockouts">–</div></div>
 <div class="card"><h2>Alerts</h2><div class="big" id="alerts-count">–</div></div>
 <div class="card wide"><h2>Net sales per minute (30 min)</h2><div class="bars" id="sales-bars"></div></div>
 <div class="card wide"><h2>Top products (15 min)</h2><table id="top-products"></table></div>
 <div class="card"><h2>Tender mix (15 min)</h2><table id="tender-mix"></table></div>
 <div class="card"><h2>Zone dwell (1 h)</h2><table id="zone-dwell"></table></div>
 <div class="card wide"><h2>Top stores (1 h)</h2><table id="top-stores"></table></div>
 <div class="card full"><h2>Latest alerts</h2><table id="alerts"></table></div>
</main>
<script>
const money = c => (c == null ? "–" : "$" + (c / 100).toLocaleString("en-US", {minimumFractionDigits: 2, maximumFractionDigits: 2}));
const esc = s => String(s ?? "").replace(/[&<>"]/g, ch => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[ch]));
function table(id, head, rows, cls) {
  document.getElementById(id).innerHTML = "<tr>" + head.map(h => "<th>" + h + "</th>").join("") + "</tr>" +
    rows.map(r => "<tr class='" + (cls || "") + "'>" + r.map(c => "<td>" + esc(c) + "</td>").join("") + "</tr>").join("");
}
async function refresh() {
  try {
    const r = await fetch("/api/kpis", {cache: "no-store"});
    const k = await r.json();
    if (k.error) throw new Error((k.hint ? k.hint + " " : "") + "(" + k.error + ")");
    document.getElementById("events-total").textContent = k.events_total.toLocaleString("en-US");
    const s = k.sales_last_hour || {};
    document.getElementById("net-sales").textContent = money(s.net_sales_cents);
    document.getElementById("receipts").textContent = (s.sale_receipts ?? 0) + " sales, " + (s.return_receipts ?? 0) + " returns";
    document.getElementById("open-stockouts").textContent = k.open_stockouts;
    const counts = k.alert_counts || [];
    document.getElementById("alerts-count").textContent = counts.reduce((a, c) => a + c.alerts, 0);
    const per = k.sales_per_minute || [];
    const max = Math.max(1, ...per.map(p => p.net_sales_cents));
    document.getElementById("sales-bars").innerHTML = per.map(p =>
      "<div class='bar' title='" + p.minute + " " + money(p.net_sales_cents) + "' style='height:" + (100 * p.net_sales_cents / max) + "%'></div>").join("");
    table("top-products", ["product", "units", "net sales"], (k.top_products_15m || []).map(p => [p.product_id, p.units, money(p.net_sales_cents)]));
    table("tender-mix", ["tender", "payments", "amount"], (k.tender_mix_15m || []).map(p => [p.tender_type, p.payments, money(p.amount_cents)]));
    table("zone-dwell", ["zone", "visitors", "avg dwell s"], (k.zone_dwell_last_hour || []).map(p => [p.zone, p.visitors, p.avg_dwell_seconds]));
    table("top-stores", ["store", "sales", "net sales"], (k.top_stores_last_hour || []).map(p => [p.store_id, p.sale_receipts, money(p.net_sales_cents)]));
    table("alerts", ["raised (UTC)", "rule", "key", "what"], (k.alerts || []).map(a => [String(a.raised_at).slice(11), a.rule, a.alert_key, a.message]), "alert-row");
    const age = (Date.now() - Date.parse(k.generated_at)) / 1000;
    document.getElementById("status").textContent = "business now " + k.business_now + " · " +
      (age < 6 ? "live" : "no new events since " + new Date(Date.parse(k.generated_at)).toLocaleTimeString()) +
      " · checked " + new Date().toLocaleTimeString();
  } catch (e) {
    document.getElementById("status").textContent = "waiting for data: " + e.message;
  }
}
refresh();
setInterval(refresh, 500);
</script></body></html>
"##;

fn respond(
    status: StatusCode,
    content_type: &str,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    if let Ok(value) = content_type.parse() {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    if let Ok(value) = "no-store".parse() {
        response
            .headers_mut()
            .insert(hyper::header::CACHE_CONTROL, value);
    }
    response
}

/// What identifies one state of the database on disk: size and modification time of the
/// database, its write-ahead log and the writer's snapshot file.
type FileStamp = Vec<Option<(u64, SystemTime)>>;

fn stamp_of(database: &Path) -> FileStamp {
    let mut wal = database.as_os_str().to_owned();
    wal.push(".wal");
    [
        database.to_path_buf(),
        PathBuf::from(wal),
        retail_eventhouse::snapshot_path_for(database),
    ]
    .iter()
    .map(|path| {
        let meta = std::fs::metadata(path).ok()?;
        Some((meta.len(), meta.modified().ok()?))
    })
    .collect()
}

/// The KPIs of one database, recomputed only when its files change. Reading opens the database
/// read-only, and DuckDB refuses a writer while any reader has the file open: a page polling
/// an idle database must not open it at every poll, or a `retail stream` started
/// later could find it locked.
struct Kpis {
    database: PathBuf,
    last: Mutex<Option<(FileStamp, Result<Value, String>)>>,
}

impl Kpis {
    fn read(&self) -> Result<Value, String> {
        let stamp = stamp_of(&self.database);
        let last = self.last.lock().map(|l| l.clone()).unwrap_or_default();
        if let Some((seen, result)) = last
            && seen == stamp
        {
            return result;
        }
        let result =
            retail_eventhouse::snapshot::read_snapshot(&self.database).map_err(|e| e.to_string());
        if let Ok(mut last) = self.last.lock() {
            *last = Some((stamp, result.clone()));
        }
        result
    }
}

async fn handle(
    request: Request<Incoming>,
    kpis: Arc<Kpis>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(match request.uri().path() {
        "/" | "/index.html" => respond(StatusCode::OK, "text/html; charset=utf-8", PAGE),
        "/api/kpis" => match tokio::task::spawn_blocking(move || kpis.read()).await {
            Ok(Ok(value)) => respond(StatusCode::OK, "application/json", value.to_string()),
            Ok(Err(error)) => respond(
                StatusCode::SERVICE_UNAVAILABLE,
                "application/json",
                serde_json::json!({ "error": error, "hint": NO_DATA_HINT }).to_string(),
            ),
            Err(e) => respond(
                StatusCode::INTERNAL_SERVER_ERROR,
                "application/json",
                serde_json::json!({ "error": e.to_string() }).to_string(),
            ),
        },
        _ => respond(StatusCode::NOT_FOUND, "text/plain", "not found\n"),
    })
}

fn bad_input(message: String) -> anyhow::Error {
    anyhow::Error::new(Exit {
        code: exit::BAD_INPUT,
        message,
    })
}

/// Resolves when the process gets SIGINT (Ctrl-C) or SIGTERM.
async fn stop_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).context("watching SIGINT")?;
    let mut terminate = signal(SignalKind::terminate()).context("watching SIGTERM")?;
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
    }
    Ok(())
}

/// Runs `retail dashboard` until interrupted.
pub fn run(global: &GlobalArgs, args: DashboardArgs) -> anyhow::Result<u8> {
    let database = args
        .database
        .unwrap_or_else(|| global.data_dir.join(retail_eventhouse::DATABASE_FILE));
    let snapshot_file = retail_eventhouse::snapshot_path_for(&database);
    if !database.is_file() && !snapshot_file.is_file() {
        return Err(bad_input(format!(
            "no database at {}: generate a history and stream into it first \
             (`retail --data-dir D generate`, then `retail --data-dir D stream --sink duckdb`), \
             or point --data-dir or --database at it",
            database.display()
        )));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let quiet = global.quiet;
    runtime.block_on(async move {
        let address = SocketAddr::from(([127, 0, 0, 1], args.port));
        let listener = match tokio::net::TcpListener::bind(address).await {
            Ok(listener) => listener,
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                return Err(bad_input(format!(
                    "port {} on 127.0.0.1 is already in use (another dashboard?): \
                     choose another with --port N, or --port 0 for any free port",
                    args.port
                )));
            }
            Err(e) => return Err(e).with_context(|| format!("listening on {address}")),
        };
        let bound = listener.local_addr().context("reading the bound address")?;
        // The first line of standard output, even with --quiet: scripts read the address.
        println!(
            "dashboard on http://{bound}/ (database {}; Ctrl-C stops it)",
            database.display()
        );
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        let kpis = Arc::new(Kpis {
            database: database.clone(),
            last: Mutex::new(None),
        });
        let stop = stop_signal();
        tokio::pin!(stop);
        loop {
            let stream = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    // Per-connection failures (e.g. too many open files) must not end the server.
                    Err(e) => {
                        tracing::warn!("accepting a connection: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                        continue;
                    }
                },
                stopped = &mut stop => {
                    stopped?;
                    if !quiet {
                        eprintln!("dashboard stopped");
                    }
                    return anyhow::Ok(exit::OK);
                }
            };
            let kpis = Arc::clone(&kpis);
            tokio::spawn(async move {
                let service = service_fn(move |request| handle(request, Arc::clone(&kpis)));
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
