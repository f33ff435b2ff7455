//! `retail dashboard`: a local web page with the live KPIs and alerts of the duckdb sink
//! (issue "Local hot path"), served by the binary on 127.0.0.1.
//!
//! `GET /` is the page (HTML + JS embedded here); `GET /api/kpis` is the KPI snapshot as JSON
//! (`retail_eventhouse::snapshot::read_snapshot`), which the page polls every second.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

use crate::GlobalArgs;

/// Arguments of `retail dashboard`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  retail --data-dir D stream --sink duckdb --speed 60 &   # the live writer
  retail --data-dir D dashboard --port 8050               # then open http://127.0.0.1:8050

While a duckdb sink streams, the page shows the snapshot it writes after micro-batches
(DATA_DIR/retail.duckdb.kpis.json); with no writer it reads the database itself.")]
pub struct DashboardArgs {
    /// Port on 127.0.0.1 (0 = any free port; the address is printed on standard output).
    #[arg(long, default_value_t = 8050)]
    port: u16,
    /// Database file (default: DATA_DIR/retail.duckdb).
    #[arg(long, value_name = "PATH")]
    database: Option<PathBuf>,
}

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
    if (k.error) throw new Error(k.error);
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
    table("alerts", ["raised", "rule", "key", "what"], (k.alerts || []).map(a => [a.raised_at, a.rule, a.alert_key, a.message]), "alert-row");
    document.getElementById("status").textContent = "business now " + k.business_now + " · updated " + new Date().toLocaleTimeString();
  } catch (e) {
    document.getElementById("status").textContent = "no data: " + e.message;
  }
}
refresh();
setInterval(refresh, 1000);
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

async fn handle(
    request: Request<Incoming>,
    database: PathBuf,
) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(match request.uri().path() {
        "/" | "/index.html" => respond(StatusCode::OK, "text/html; charset=utf-8", PAGE),
        "/api/kpis" => {
            let snapshot = tokio::task::spawn_blocking(move || {
                retail_eventhouse::snapshot::read_snapshot(&database)
            })
            .await;
            match snapshot {
                Ok(Ok(value)) => respond(StatusCode::OK, "application/json", value.to_string()),
                Ok(Err(e)) => respond(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "application/json",
                    serde_json::json!({ "error": e.to_string() }).to_string(),
                ),
                Err(e) => respond(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "application/json",
                    serde_json::json!({ "error": e.to_string() }).to_string(),
                ),
            }
        }
        _ => respond(StatusCode::NOT_FOUND, "text/plain", "not found\n"),
    })
}

/// Runs `retail dashboard` until interrupted.
pub fn run(global: &GlobalArgs, args: DashboardArgs) -> anyhow::Result<u8> {
    let database = args
        .database
        .unwrap_or_else(|| global.data_dir.join(retail_eventhouse::DATABASE_FILE));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let address = SocketAddr::from(([127, 0, 0, 1], args.port));
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("listening on {address}"))?;
        let bound = listener.local_addr().context("reading the bound address")?;
        println!(
            "dashboard on http://{bound}/ (database {})",
            database.display()
        );
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        loop {
            let (stream, _) = tokio::select! {
                accepted = listener.accept() => accepted.context("accepting a connection")?,
                _ = tokio::signal::ctrl_c() => return anyhow::Ok(crate::exit::OK),
            };
            let database = database.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request| handle(request, database.clone()));
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
