//! The Fabric assets under `fabric/` agree with the contract (fabric.md §7):
//! generated KQL equals a fresh render, mappings resolve on real events, the Eventstream,
//! dashboard, pipelines and Activator rules are well formed and reference what exists.
//!
//! `RETAIL_FABRIC_RENDER=1 cargo test -p retail-schemas --test fabric_assets` rewrites the
//! generated files (the same output as `retail fabric render`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use retail_schemas::emit::{fabric, kql};
use retail_schemas::events::EventType;
use serde_json::Value;

fn fabric_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fabric")
}

fn read(rel: &str) -> String {
    let path = fabric_dir().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_json(rel: &str) -> Value {
    serde_json::from_str(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn generated_kql_equals_a_fresh_render() {
    let dir = fabric_dir().join("kql");
    let bless = std::env::var_os("RETAIL_FABRIC_RENDER").is_some();
    let mut stale = Vec::new();
    for (name, content) in fabric::generated_files() {
        let path = dir.join(name);
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &content).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != content {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "fabric/kql files differ from a fresh render: {stale:?}; run `retail fabric render` \
         (or RETAIL_FABRIC_RENDER=1 cargo test -p retail-schemas --test fabric_assets)"
    );
}

/// The mapping JSON of a `.create-or-alter table T ingestion json mapping` command of 02.
fn mappings() -> Vec<(String, Vec<Value>)> {
    read("kql/02_mappings.kql")
        .lines()
        .filter(|l| l.starts_with(".create-or-alter table "))
        .map(|l| {
            let table = l.split_whitespace().nth(2).unwrap().to_owned();
            let json = &l[l.find('\'').unwrap() + 1..l.rfind('\'').unwrap()];
            (table, serde_json::from_str(json).unwrap())
        })
        .collect()
}

fn resolve<'a>(event: &'a Value, path: &str) -> Option<&'a Value> {
    let mut at = event;
    for part in path.strip_prefix("$.")?.split('.') {
        at = at.as_object()?.get(part)?;
    }
    Some(at)
}

/// Whether a JSON value ingests into a KQL column of `kql_type` without loss.
fn fits(value: &Value, kql_type: &str) -> bool {
    match (value, kql_type) {
        (Value::Null, _) => true,
        (Value::String(_), "string") => true,
        (Value::String(s), "datetime") => {
            chrono::DateTime::parse_from_rfc3339(s).is_ok()
                || chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
        }
        (Value::Number(n), "long") => n.is_i64(),
        (Value::Number(n), "int") => n.as_i64().is_some_and(|v| i32::try_from(v).is_ok()),
        (Value::Number(_), "decimal" | "real") => true,
        (Value::Bool(_), "bool") => true,
        (Value::Array(_) | Value::Object(_), "dynamic") => true,
        _ => false,
    }
}

fn fixture(t: EventType) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/events")
        .join(format!("{}.json", t.name()));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn every_mapping_path_resolves_on_real_events_with_a_fitting_type_and_every_field_is_mapped() {
    let maps = mappings();
    assert_eq!(maps.len(), 20, "raw + 18 typed + unknown_event");
    for t in EventType::all() {
        let event = fixture(t);
        let (_, entries) = maps
            .iter()
            .find(|(table, _)| table == t.name())
            .unwrap_or_else(|| panic!("no mapping for {t}"));
        let mut mapped = BTreeSet::new();
        for e in entries {
            let path = e["path"].as_str().unwrap();
            let ty = e["datatype"].as_str().unwrap();
            let value = resolve(&event, path)
                .unwrap_or_else(|| panic!("{t}: mapping path {path} is absent from the event"));
            assert!(fits(value, ty), "{t}: {path} = {value} does not fit {ty}");
            mapped.insert(path.to_owned());
        }
        // Every field of the event (envelope except payload, and every payload member) is mapped.
        let obj = event.as_object().unwrap();
        for (k, v) in obj {
            if k == "payload" {
                for f in v.as_object().unwrap().keys() {
                    assert!(
                        mapped.contains(&format!("$.payload.{f}")),
                        "{t}: payload.{f} not mapped"
                    );
                }
            } else {
                assert!(mapped.contains(&format!("$.{k}")), "{t}: {k} not mapped");
            }
        }
        // The raw mapping takes the same event whole.
        let (_, raw) = maps.iter().find(|(n, _)| n == kql::RAW_TABLE).unwrap();
        for e in raw {
            assert!(resolve(&event, e["path"].as_str().unwrap()).is_some());
        }
    }
}

#[test]
fn fits_rejects_wrong_types() {
    assert!(!fits(&Value::from("x"), "long"));
    assert!(!fits(&Value::from(1.5), "long"));
    assert!(!fits(&Value::from(1i64 << 40), "int"));
    assert!(!fits(&Value::from("yesterday"), "datetime"));
    assert!(fits(&Value::from("2024-03-06"), "datetime"));
}

/// Every file of `fabric/` that deployment tokenises (not the checker's node_modules).
fn asset_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                if p.file_name()
                    .is_some_and(|n| n == "node_modules" || n == "tools")
                {
                    continue;
                }
                walk(&p, out);
            } else if p
                .extension()
                .is_some_and(|e| e == "json" || e == "kql" || e == "md")
                || p.file_name().is_some_and(|n| n == ".platform")
            {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&fabric_dir(), &mut out);
    out
}

/// `{{TOKEN}}` names used in a text.
fn tokens_in(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = &after[..end];
                // Only `{{UPPER_SNAKE}}` is a token (code samples may hold other braces).
                if !name.is_empty()
                    && name
                        .bytes()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
                {
                    out.insert(name.to_owned());
                }
                rest = &after[end + 2..];
            }
            None => break,
        }
    }
    out
}

/// Whether the text holds a literal GUID (8-4-4-4-12 hex digits).
fn has_literal_guid(text: &str) -> bool {
    let b = text.as_bytes();
    let groups = [8, 4, 4, 4, 12];
    (0..b.len()).any(|start| {
        let mut i = start;
        for (g, len) in groups.iter().enumerate() {
            if g > 0 {
                if b.get(i) != Some(&b'-') {
                    return false;
                }
                i += 1;
            }
            for _ in 0..*len {
                if !b.get(i).is_some_and(|c| c.is_ascii_hexdigit()) {
                    return false;
                }
                i += 1;
            }
        }
        start == 0 || !b[start - 1].is_ascii_hexdigit()
    })
}

#[test]
fn literal_guid_detection_works() {
    assert!(has_literal_guid(
        "id: 0f8fad5b-d9cb-469f-a165-70867728950e,"
    ));
    assert!(!has_literal_guid(
        "{{WORKSPACE_ID}} and RCP-00005-20240306-000123"
    ));
    assert_eq!(
        tokens_in("a {{A_B}} b {{C}}"),
        BTreeSet::from(["A_B".to_owned(), "C".to_owned()])
    );
}

#[test]
fn eventstream_has_one_event_hub_source_and_one_eventhouse_destination() {
    let es = read_json("eventstream/eventstream.json");
    let sources = es["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0]["type"], "AzureEventHub");
    assert_eq!(
        sources[0]["properties"]["consumerGroupName"],
        "fabric-eventstream"
    );
    assert_eq!(
        sources[0]["properties"]["inputSerialization"]["type"],
        "Json"
    );
    let dests = es["destinations"].as_array().unwrap();
    assert_eq!(dests.len(), 1);
    assert_eq!(dests[0]["type"], "Eventhouse");
    assert_eq!(dests[0]["properties"]["databaseName"], fabric::DATABASE);
    assert_eq!(dests[0]["properties"]["tableName"], kql::RAW_TABLE);
    assert_eq!(
        es["operators"].as_array().unwrap().len(),
        0,
        "routing happens in KQL"
    );
    // The stream reads the source and the destination reads the stream.
    let stream = &es["streams"][0];
    assert_eq!(stream["inputNodes"][0]["name"], sources[0]["name"]);
    assert_eq!(dests[0]["inputNodes"][0]["name"], stream["name"]);
    read_json("eventstream/eventstreamProperties.json");
    let platform = read_json("eventstream/.platform");
    assert_eq!(platform["metadata"]["type"], "Eventstream");
    assert_eq!(platform["metadata"]["displayName"], "es_retail_events");
}

#[test]
fn no_literal_guid_and_every_token_is_declared_and_used() {
    let declared: BTreeSet<String> = read_json("tokens.example.json")["tokens"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let mut used = BTreeSet::new();
    let files = asset_files();
    assert!(files.len() >= 20, "{files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let rel = path
            .strip_prefix(fabric_dir())
            .unwrap()
            .display()
            .to_string();
        assert!(
            !has_literal_guid(&text),
            "{rel} holds a literal GUID; tokenise it"
        );
        if path.extension().is_some_and(|e| e == "json") || rel.ends_with(".platform") {
            serde_json::from_str::<Value>(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
        }
        if rel == "tokens.example.json" {
            continue;
        }
        for t in tokens_in(&text) {
            assert!(
                declared.contains(&t),
                "{rel}: token {{{{{t}}}}} is not declared in tokens.example.json"
            );
            used.insert(t);
        }
    }
    let unused: Vec<_> = declared.difference(&used).collect();
    assert!(unused.is_empty(), "declared but unused tokens: {unused:?}");
}

/// Names created by `.create-or-alter function` commands of the scripts.
fn script_functions() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for name in [
        "03_routing.kql",
        "07_functions.kql",
        "08_anomaly.kql",
        "09_rules.kql",
    ] {
        let text = read(&format!("kql/{name}"));
        for (at, _) in text.match_indices("\n.create-or-alter function ") {
            let rest = &text[at + 1..];
            // `[with (…)] name(params) {`: the name precedes the last balanced `(…)`.
            let head = rest[..rest.find('{').unwrap()].trim_end();
            let mut depth = 0;
            let open = head
                .char_indices()
                .rev()
                .find(|&(_, c)| {
                    match c {
                        ')' => depth += 1,
                        '(' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .unwrap()
                .0;
            let name = head[..open]
                .rsplit(|c: char| c.is_whitespace() || c == ')')
                .next()
                .unwrap();
            out.insert(name.to_owned());
        }
    }
    out
}

/// Names created by `materialized-view` commands of the scripts.
fn script_views() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for name in ["05_dedup_views.kql", "06_views.kql"] {
        for line in read(&format!("kql/{name}")).lines() {
            if line.starts_with(".create async ifnotexists materialized-view") {
                let before_on = line.split(" on ").next().unwrap();
                out.insert(before_on.rsplit(' ').next().unwrap().to_owned());
            }
        }
    }
    out
}

#[test]
fn scripts_create_every_function_and_view_of_the_spec() {
    let functions = script_functions();
    for f in [
        "fn_business_now",
        "fn_attribution_window",
        "fn_campaign_performance",
        "fn_truck_sla",
        "fn_truck_dwell_by_store",
        "fn_store_status",
        "fn_inventory_position",
        "fn_open_stockouts",
        "fn_fulfillment_pipeline",
        "fn_sales_summary",
        "fn_data_freshness",
        "fn_anomaly_transaction_velocity",
        "fn_anomaly_basket_size",
        "fn_anomaly_inventory_movement",
        "fn_anomaly_payment_declines",
        "fn_anomaly_foot_traffic",
        "fn_detect_all_anomalies",
        "rule_stockout",
        "rule_urgent_reorder",
        "rule_truck_dwell_breach",
        "rule_zone_overcrowded",
        "rule_high_value_receipt",
    ] {
        assert!(
            functions.contains(f),
            "{f} missing from the scripts: {functions:?}"
        );
    }
    for t in EventType::all() {
        assert!(functions.contains(&format!("route_{}", t.name())));
    }
    let views = script_views();
    for v in [
        "mv_store_sales_minute",
        "mv_sales_product_minute",
        "mv_top_products_15m",
        "mv_tender_mix_15m",
        "mv_zone_dwell_minute",
        "mv_inventory_latest",
        "mv_online_orders_15m",
        "mv_marketing_spend_hourly",
    ] {
        assert!(views.contains(v), "{v} missing: {views:?}");
    }
    for t in EventType::all() {
        assert!(views.contains(&fabric::dedup_view_name(t)));
    }
}

#[test]
fn activator_rules_bind_existing_rule_functions() {
    let rules = read_json("activator/rules.json");
    let functions = script_functions();
    let rules = rules["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 5);
    for r in rules {
        let f = r["function"].as_str().unwrap();
        assert!(f.starts_with("rule_") && functions.contains(f), "{f}");
        assert_eq!(r["source"]["query"], format!("{f}()"));
        assert_eq!(r["condition"]["column"], "alert_key");
        let every = r["evaluationFrequency"].as_str().unwrap();
        let fast = [
            "rule_truck_dwell_breach",
            "rule_stockout",
            "rule_high_value_receipt",
        ]
        .contains(&f);
        assert_eq!(every, if fast { "PT1M" } else { "PT5M" }, "{f}");
        assert!(
            r["action"]["to"]
                .as_str()
                .unwrap()
                .contains("{{ALERT_TARGET}}")
        );
    }
}

#[test]
fn dashboard_tiles_reference_existing_queries_and_known_names() {
    let dash = read_json("dashboards/retail_ops.json");
    let queries: Vec<&Value> = dash["queries"].as_array().unwrap().iter().collect();
    let ids: BTreeSet<&str> = queries.iter().map(|q| q["id"].as_str().unwrap()).collect();
    let tiles = dash["tiles"].as_array().unwrap();
    assert_eq!(tiles.len(), 17, "fabric.md §6 lists 17 tiles");
    let sources: BTreeSet<&str> = dash["dataSources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    for q in &queries {
        assert!(sources.contains(q["dataSource"]["dataSourceId"].as_str().unwrap()));
    }
    let names: BTreeSet<String> = script_functions()
        .into_iter()
        .chain(script_views())
        .collect();
    for t in tiles {
        let qid = t["queryRef"]["queryId"].as_str().unwrap();
        assert!(
            ids.contains(qid),
            "tile {} refers to missing query {qid}",
            t["id"]
        );
        let text = queries.iter().find(|q| q["id"] == qid).unwrap()["text"]
            .as_str()
            .unwrap();
        // Each tile starts from a view, a function or a table the scripts create.
        let first = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .find(|w| !w.is_empty() && *w != "let")
            .unwrap();
        let first = if first == "top_stores" || first == "today" {
            "mv_store_sales_minute"
        } else {
            first
        };
        assert!(
            names.contains(first)
                || fabric::all_table_names().contains(&first)
                || text.contains("_dedup"),
            "tile {}: {first}",
            t["title"]
        );
    }
    let base = dash["baseQueries"][0]["queryId"].as_str().unwrap();
    assert_eq!(
        queries.iter().find(|q| q["id"] == base).unwrap()["text"],
        "fn_business_now()"
    );
}

#[test]
fn pipelines_run_the_spec_notebooks_and_the_anomaly_scan_script() {
    // fabric.md §5.2 notebooks.
    let notebooks = [
        "nb_00_setup",
        "nb_10_bronze_events",
        "nb_11_bronze_historical",
        "nb_20_silver",
        "nb_30_gold",
        "nb_90_maintenance",
    ];
    let refresh = read_json("pipelines/pl_lakehouse_refresh.json");
    let acts = refresh["properties"]["activities"].as_array().unwrap();
    let order: Vec<&str> = acts
        .iter()
        .map(|a| a["notebookName"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        [
            "nb_10_bronze_events",
            "nb_11_bronze_historical",
            "nb_20_silver",
            "nb_30_gold"
        ]
    );
    for w in acts.windows(2) {
        assert_eq!(w[1]["dependsOn"][0]["activity"], w[0]["name"], "sequential");
        assert_eq!(
            w[1]["dependsOn"][0]["dependencyConditions"][0], "Succeeded",
            "stop on failure"
        );
    }
    assert_eq!(
        refresh["properties"]["concurrency"], 1,
        "no overlapping runs"
    );
    let maint = read_json("pipelines/pl_maintenance.json");
    for p in [&refresh, &maint] {
        for a in p["properties"]["activities"].as_array().unwrap() {
            assert!(notebooks.contains(&a["notebookName"].as_str().unwrap()));
        }
    }
    let scan = read_json("pipelines/pl_anomaly_scan.json");
    let command = scan["properties"]["activities"][0]["typeProperties"]["command"]
        .as_str()
        .unwrap();
    let script = read("kql/10_anomaly_scan.kql");
    let script_command = script.lines().find(|l| l.starts_with('.')).unwrap();
    assert_eq!(
        command, script_command,
        "pl_anomaly_scan runs 10_anomaly_scan.kql"
    );
}

/// `(column, literal)` for every `column == "LITERAL"` and `column in ("A", "B")` comparison of
/// upper-case literals in a KQL text.
fn enum_comparisons(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let ident_before = |s: &str| -> String {
        s.trim_end()
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect()
    };
    let upper = |l: &str| !l.is_empty() && l.bytes().all(|c| c.is_ascii_uppercase() || c == b'_');
    for (at, _) in text.match_indices("== \"") {
        let lit: String = text[at + 4..].chars().take_while(|c| *c != '"').collect();
        if upper(&lit) {
            out.push((ident_before(&text[..at]), lit));
        }
    }
    for (at, _) in text.match_indices(" in (\"") {
        let list: String = text[at + 5..].chars().take_while(|c| *c != ')').collect();
        let column = ident_before(&text[..at]);
        for lit in list.split(',') {
            let lit = lit.trim().trim_matches('"');
            if upper(lit) {
                out.push((column.clone(), lit.to_owned()));
            }
        }
    }
    out
}

#[test]
fn every_enum_literal_compared_in_hand_written_kql_is_a_contract_value() {
    // Labels the functions themselves produce (fn_truck_sla status, fn_store_status status).
    const DERIVED: [(&str, &str); 4] = [
        ("status", "AT_DOCK"),
        ("status", "DEPARTED"),
        ("status", "OPEN"),
        ("status", "CLOSED"),
    ];
    let functions = read("kql/07_functions.kql");
    for (_, label) in DERIVED {
        assert!(
            functions.contains(&format!("\"{label}\"")),
            "{label} is produced by 07"
        );
    }
    let dashboard = read_json("dashboards/retail_ops.json");
    let mut texts: Vec<(String, String)> = [
        "kql/06_views.kql",
        "kql/07_functions.kql",
        "kql/08_anomaly.kql",
        "kql/09_rules.kql",
        "kql/10_anomaly_scan.kql",
        "querysets/retail_ops.kql",
    ]
    .iter()
    .map(|f| (f.to_string(), read(f)))
    .collect();
    for q in dashboard["queries"].as_array().unwrap() {
        texts.push((
            format!("dashboard {}", q["id"]),
            q["text"].as_str().unwrap().to_owned(),
        ));
    }
    let mut checked = 0;
    for (file, text) in &texts {
        for (column, literal) in enum_comparisons(text) {
            if DERIVED.contains(&(column.as_str(), literal.as_str())) {
                continue;
            }
            // The literal must be named by the contract rule of that column in some event payload.
            let known = EventType::all().iter().any(|t| {
                t.payload_def().columns().iter().any(|c| {
                    c.name == column
                        && c.doc
                            .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                            .any(|w| w == literal)
                })
            });
            assert!(
                known,
                "{file}: `{column} == \"{literal}\"` is not a contract value of {column}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} comparisons found");
    assert_eq!(
        enum_comparisons("x | where priority == \"URGENT\" and mode in (\"A_B\", \"C\")"),
        [
            ("priority".into(), "URGENT".into()),
            ("mode".into(), "A_B".into()),
            ("mode".into(), "C".into())
        ]
    );
}
