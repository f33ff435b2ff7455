//! Every emitter agrees with every other: for each table and event, the DuckDB DDL, the Arrow
//! schema, the KQL typed table, the JSON Schema and the Markdown documents list the same
//! columns in the same order with compatible types and nullability. Each artefact is parsed
//! back from its emitted text (Arrow: from the emitted `Schema` value).

use arrow_schema::{DataType, TimeUnit};
use retail_schemas::emit::{arrow, duckdb, json_schema, kql, markdown};
use retail_schemas::events::EventType;
use retail_schemas::{TableDef, all_tables};

/// One column as an artefact states it: name, the artefact's type text, nullable.
#[derive(Debug, Clone, PartialEq)]
struct Col {
    name: String,
    ty: String,
    nullable: bool,
}

fn parse_duckdb(ddl: &str, table: &str) -> Vec<Col> {
    let head = format!("CREATE TABLE IF NOT EXISTS {table} (\n");
    let body = ddl
        .strip_prefix(&head)
        .and_then(|b| b.strip_suffix(");\n"))
        .unwrap_or_else(|| panic!("{table}: unexpected DDL shape:\n{ddl}"));
    body.lines()
        .map(|line| {
            let line = line.trim().trim_end_matches(',');
            let (line, nullable) = match line.strip_suffix(" NOT NULL") {
                Some(l) => (l, false),
                None => (line, true),
            };
            let (name, ty) = line.split_once(' ').expect("name and type");
            Col {
                name: name.into(),
                ty: ty.into(),
                nullable,
            }
        })
        .collect()
}

fn parse_arrow(def: &TableDef) -> Vec<(String, DataType, bool)> {
    arrow::arrow_schema(def)
        .fields()
        .iter()
        .map(|f| (f.name().clone(), f.data_type().clone(), f.is_nullable()))
        .collect()
}

fn parse_kql_table(command: &str, table: &str) -> Vec<(String, String)> {
    let head = format!(".create-merge table {table} (");
    let body = command
        .strip_prefix(&head)
        .and_then(|b| b.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{table}: unexpected KQL shape: {command}"));
    body.split(", ")
        .map(|c| {
            let (n, t) = c.split_once(':').expect("name:type");
            (n.to_owned(), t.to_owned())
        })
        .collect()
}

fn parse_json_schema_object(obj: &serde_json::Value) -> Vec<Col> {
    let props = obj["properties"].as_object().expect("properties");
    let required: Vec<&str> = obj["required"]
        .as_array()
        .expect("required")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        required,
        props.keys().map(String::as_str).collect::<Vec<_>>(),
        "every member is required, in order"
    );
    props
        .iter()
        .map(|(name, p)| {
            let (ty, nullable) = match &p["type"] {
                serde_json::Value::String(t) => (t.clone(), false),
                serde_json::Value::Array(ts) => {
                    assert_eq!(ts.len(), 2);
                    assert_eq!(ts[1], "null");
                    (ts[0].as_str().unwrap().to_owned(), true)
                }
                other => panic!("{name}: type {other}"),
            };
            Col {
                name: name.clone(),
                ty,
                nullable,
            }
        })
        .collect()
}

/// The rows of the first Markdown table under heading `## \`name\``: cells split on unescaped
/// pipes.
fn markdown_rows(doc: &str, name: &str) -> Vec<Vec<String>> {
    let heading = format!("## `{name}`\n");
    let start = doc
        .find(&heading)
        .unwrap_or_else(|| panic!("no section {name}"));
    let section = &doc[start + heading.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let mut rows = Vec::new();
    let mut in_table = false;
    for line in section.lines() {
        if line.starts_with("| #") {
            if in_table {
                break; // the `lines` item table follows; only the first table is the payload
            }
            in_table = true;
            continue;
        }
        if in_table && line.starts_with("|---") {
            continue;
        }
        if in_table && line.starts_with("| ") {
            let protected = line.replace("\\|", "\u{0}");
            let cells: Vec<String> = protected
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().replace('\u{0}', "|"))
                .collect();
            rows.push(cells);
        } else if in_table && !line.starts_with('|') {
            in_table = false;
            if !rows.is_empty() {
                break;
            }
        }
    }
    rows
}

/// The logical type behind a DuckDB type, as (arrow, json schema, markdown, kql) expectations.
fn expectations(
    duck: &str,
) -> (
    fn(&DataType) -> bool,
    &'static str,
    &'static str,
    &'static str,
) {
    match duck {
        "BIGINT" => (|d| *d == DataType::Int64, "integer", "BIGINT", "long"),
        "INTEGER" => (|d| *d == DataType::Int32, "integer", "INTEGER", "int"),
        "VARCHAR" => (|d| *d == DataType::Utf8, "string", "VARCHAR", "string"),
        "BOOLEAN" => (|d| *d == DataType::Boolean, "boolean", "BOOLEAN", "bool"),
        "DECIMAL(12,2)" => (
            |d| *d == DataType::Decimal128(12, 2),
            "number",
            "DECIMAL(12,2)",
            "decimal",
        ),
        "TIMESTAMPTZ" => (
            |d| *d == DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            "string",
            "TIMESTAMP",
            "datetime",
        ),
        "DATE" => (|d| *d == DataType::Date32, "string", "DATE", "datetime"),
        "DOUBLE" => (|d| *d == DataType::Float64, "number", "DOUBLE", "real"),
        "BIGINT[]" => (
            |d| matches!(d, DataType::List(f) if *f.data_type() == DataType::Int64 && !f.is_nullable()),
            "array",
            "LIST<BIGINT>",
            "dynamic",
        ),
        s if s.starts_with("STRUCT(") && s.ends_with(")[]") => (
            |d| matches!(d, DataType::List(f) if matches!(f.data_type(), DataType::Struct(_))),
            "array",
            "LINES",
            "dynamic",
        ),
        other => panic!("unknown DuckDB type {other}"),
    }
}

/// Checks all artefacts of one definition; `kql_cols` and `md_is_event` vary by kind.
fn check(
    label: &str,
    def: &TableDef,
    json: &serde_json::Value,
    md_rows: &[Vec<String>],
    kql_cols: Option<&[(String, String)]>,
) {
    let duck = parse_duckdb(&duckdb::create_table(def), def.name);
    let arrow = parse_arrow(def);
    let json = parse_json_schema_object(json);
    let n = duck.len();
    assert!(n > 0, "{label}");
    assert_eq!(arrow.len(), n, "{label}: arrow field count");
    assert_eq!(json.len(), n, "{label}: JSON Schema property count");
    assert_eq!(md_rows.len(), n, "{label}: Markdown row count");
    if let Some(k) = kql_cols {
        assert_eq!(k.len(), n, "{label}: KQL payload column count");
    }
    for (i, d) in duck.iter().enumerate() {
        let (arrow_ok, json_ty, md_ty, kql_ty) = expectations(&d.ty);
        let (a_name, a_ty, a_null) = &arrow[i];
        assert_eq!(a_name, &d.name, "{label}: arrow column {i}");
        assert!(
            arrow_ok(a_ty),
            "{label}.{}: arrow {a_ty} vs {}",
            d.name,
            d.ty
        );
        assert_eq!(*a_null, d.nullable, "{label}.{}: arrow nullability", d.name);

        assert_eq!(json[i].name, d.name, "{label}: JSON Schema property {i}");
        assert_eq!(json[i].ty, json_ty, "{label}.{}: JSON type", d.name);
        assert_eq!(
            json[i].nullable, d.nullable,
            "{label}.{}: JSON null",
            d.name
        );

        let row = &md_rows[i];
        assert_eq!(row[0], (i + 1).to_string(), "{label}: Markdown numbering");
        assert_eq!(row[1], format!("`{}`", d.name), "{label}: Markdown row {i}");
        assert_eq!(row[2], md_ty, "{label}.{}: Markdown type", d.name);
        let null_cell = if row.len() == 7 { &row[5] } else { &row[3] };
        assert_eq!(
            null_cell,
            if d.nullable { "Y" } else { "N" },
            "{label}.{}: Markdown null",
            d.name
        );
        if row.len() == 7 {
            assert_eq!(row[4], kql_ty, "{label}.{}: Markdown KQL type", d.name);
        }
        if let Some(k) = kql_cols {
            assert_eq!(k[i].0, d.name, "{label}: KQL column {i}");
            assert_eq!(k[i].1, kql_ty, "{label}.{}: KQL type", d.name);
        }
    }
}

#[test]
fn all_25_tables_agree_across_duckdb_arrow_json_schema_and_markdown() {
    let dictionary = markdown::data_dictionary();
    let tables = all_tables();
    assert_eq!(tables.len(), 25);
    for def in tables {
        let rows = markdown_rows(&dictionary, def.name);
        check(def.name, def, &json_schema::table_schema(def), &rows, None);
    }
    let script = duckdb::script();
    assert_eq!(
        script.matches("CREATE TABLE IF NOT EXISTS").count(),
        26,
        "25 tables + _meta"
    );
}

#[test]
fn all_18_events_agree_across_kql_duckdb_arrow_json_schema_and_markdown() {
    let catalog = markdown::event_catalog();
    let tables = kql::tables_script();
    for t in EventType::all() {
        let def = t.payload_def();
        let command = tables
            .split("\n\n")
            .map(str::trim)
            .find(|c| c.starts_with(&format!(".create-merge table {} (", t.name())))
            .unwrap_or_else(|| panic!("no KQL table for {t}"));
        let kql_cols = parse_kql_table(command, t.name());
        let (envelope, payload) = kql_cols.split_at(9);
        let envelope_names: Vec<&str> = envelope.iter().map(|(n, _)| n.as_str()).collect();
        let event_schema = json_schema::event_schema(t);
        let json_envelope: Vec<&str> = event_schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(envelope_names, json_envelope[..9], "{t}: envelope");
        assert_eq!(json_envelope[9], "payload");
        let rows = markdown_rows(&catalog, t.name());
        check(
            t.name(),
            def,
            &event_schema["properties"]["payload"],
            &rows,
            Some(payload),
        );
        if let Some(item) = def.line_item() {
            let items = &event_schema["properties"]["payload"]["properties"]["lines"]["items"];
            let cols = parse_json_schema_object(items);
            let duck = parse_duckdb(&duckdb::create_table(item), item.name);
            assert_eq!(
                cols.iter().map(|c| &c.name).collect::<Vec<_>>(),
                duck.iter().map(|c| &c.name).collect::<Vec<_>>(),
                "{t}: lines items"
            );
        }
    }
}

#[test]
fn fact_row_payloads_have_the_fact_column_order_of_events_md() {
    // The events whose payload IS a fact row: same names, same order as the fact table.
    for t in EventType::all() {
        let def = t.payload_def();
        if def.kind == retail_schemas::TableKind::Fact {
            let fact = retail_schemas::table(def.name).expect("a contract table");
            assert_eq!(fact.column_names(), def.column_names(), "{t}");
        }
    }
    // The ones declared separately differ from their source fact table by events.md §7 rules.
    let inv = EventType::InventoryUpdated.payload_def().column_names();
    assert_eq!(inv[3], "location_type");
    let created = EventType::OnlineOrderCreated.payload_def().column_names();
    for lifecycle in [
        "order_status",
        "picked_ts",
        "shipped_ts",
        "delivered_ts",
        "cancelled_ts",
    ] {
        assert!(!created.contains(&lifecycle));
    }
    assert_eq!(created.last(), Some(&"lines"));
}
