//! The validator against a real DuckDB database: every check must bind against the contract
//! schema, pass on consistent data and fail on deliberately corrupted rows.

use duckdb::Connection;
use retail_schemas::LogicalType;
use retail_validate::{Options, validate};

fn duckdb_type(ty: LogicalType) -> &'static str {
    match ty {
        LogicalType::BigInt => "BIGINT",
        LogicalType::Integer => "INTEGER",
        LogicalType::Varchar => "VARCHAR",
        LogicalType::Boolean => "BOOLEAN",
        LogicalType::Decimal => "DECIMAL(12,2)",
        LogicalType::Timestamp => "TIMESTAMPTZ",
        LogicalType::Date => "DATE",
        LogicalType::Double => "DOUBLE",
        LogicalType::ListBigInt => "BIGINT[]",
        other => panic!("no column type for {other:?}"),
    }
}

/// An empty contract database with `_meta` for a one-week dataset.
fn empty_database() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    for t in retail_schemas::all_tables() {
        let cols: Vec<String> = t
            .columns()
            .iter()
            .map(|c| {
                format!(
                    "{} {}{}",
                    c.name,
                    duckdb_type(c.ty),
                    if c.nullable { "" } else { " NOT NULL" }
                )
            })
            .collect();
        conn.execute_batch(&format!("CREATE TABLE {} ({});", t.name, cols.join(", ")))
            .unwrap();
    }
    conn.execute_batch(
        "CREATE TABLE _meta (key VARCHAR, value VARCHAR);
         INSERT INTO _meta VALUES ('dataset_start_date', '2024-03-01'), ('last_generated_date', '2024-03-03');",
    )
    .unwrap();
    conn
}

/// A tiny consistent world: one geography, DC, store (08:00-22:00 New York), truck, customer,
/// product, the dates, and one SALE receipt with one line, its payment, movement and visit.
fn consistent_database() -> Connection {
    let conn = empty_database();
    conn.execute_batch(
        r#"
        INSERT INTO dim_geographies VALUES (1, 'Boston', 'MA', '02108', 'Boston Metro', 'Northeast', 42.35, -71.06, 'America/New_York', 'URBAN');
        INSERT INTO dim_distribution_centers VALUES (1, 'DC001', 1, '12 Oak St, Boston, MA 02108', 42.36, -71.05, 'America/New_York');
        INSERT INTO dim_stores VALUES (1, 'S000001', 1, 1, '1200 Elm Ave, Boston, MA 02108', 42.35, -71.07, 'America/New_York', 625, 'MEDIUM_VOLUME', 'STANDARD', '08:00-22:00', 480, 1320, 1.0);
        INSERT INTO dim_trucks VALUES (1, 'ABC1234', true, 'DC_FLEET', 1, 15000);
        INSERT INTO dim_customers VALUES (1, 'Ann', 'Lee', '10 Pine Rd, Boston, MA 02108', 1, 1, NULL, 'LC000000001123', '(555) 234-5678', 'BLE000001', 'AD000001', 'REGULAR', 'REGULAR', true);
        INSERT INTO dim_products VALUES (1, 'SKU-0000001', 'Whole Milk', 'Acme', 'Acme Co', 'Grocery', 'Dairy & Alternatives', 'Milk', 'food', 300, 3.00, 500, 5.00, 450, 4.50, true, 'NON_TAXABLE', DATE '2023-01-01', NULL);
        INSERT INTO dim_date SELECT CAST(strftime(d, '%Y%m%d') AS INTEGER), d::DATE, year(d), quarter(d), month(d), monthname(d), day(d), isodow(d), dayname(d), week(d), yearweek(d) // 100,
            isodow(d) >= 6, CASE WHEN month(d) >= 7 THEN year(d) ELSE year(d) - 1 END, ((month(d) - 7 + 12) % 12) // 3 + 1, 'SPRING', NULL, false, false, 1.0, 1.0, 1.0
            FROM range(DATE '2024-02-25', DATE '2024-03-10', INTERVAL 1 DAY) t(d);
        INSERT INTO fact_receipts VALUES ('RCP-00001-20240301-000001', TIMESTAMPTZ '2024-03-01 15:00:00+00', DATE '2024-03-01', 1, 1, 'VIS-00001-20240301-000001', 'SALE', NULL,
            1, 2, 900, 9.00, 0, 0.00, 0, 0.00, 900, 9.00, 'CASH', NULL, NULL, NULL);
        INSERT INTO fact_receipt_lines VALUES ('RCP-00001-20240301-000001', 1, TIMESTAMPTZ '2024-03-01 15:00:00+00', DATE '2024-03-01', 1, 1, 2, 450, 4.50, 900, 9.00, 0, 0.00, 900, 9.00, 0, 0.00, NULL, NULL);
        INSERT INTO fact_payments VALUES ('PAY-RCP-00001-20240301-000001-1', TIMESTAMPTZ '2024-03-01 15:00:00+00', DATE '2024-03-01', 'STORE', 'RCP-00001-20240301-000001', NULL, 1, NULL, 1,
            'CHARGE', 1, 'CASH', 900, 9.00, 'APPROVED', NULL, 900);
        INSERT INTO fact_store_inventory_txn VALUES ('SIT-00001-20240301-0000001', TIMESTAMPTZ '2024-03-01 15:00:00+00', DATE '2024-03-01', 1, 1, 1, 'SALE', -2, 48, 'RECEIPT', 'RCP-00001-20240301-000001', 1);
        INSERT INTO fact_ble_pings VALUES
            ('VIS-00001-20240301-000001', 1, TIMESTAMPTZ '2024-03-01 14:45:00+00', DATE '2024-03-01', 1, 'BCN-00001-ENTRANCE', 'ENTRANCE', 'BLE000001', 1, -50),
            ('VIS-00001-20240301-000001', 2, TIMESTAMPTZ '2024-03-01 14:59:00+00', DATE '2024-03-01', 1, 'BCN-00001-CHECKOUT', 'CHECKOUT', 'BLE000001', 1, -40);
        INSERT INTO fact_customer_zone_changes VALUES ('VIS-00001-20240301-000001', 1, TIMESTAMPTZ '2024-03-01 14:59:00+00', DATE '2024-03-01', 1, 'BLE000001', 1, 'ENTRANCE', 'CHECKOUT', 2);
        INSERT INTO fact_foot_traffic SELECT 1, z, TIMESTAMPTZ '2024-03-01 14:45:00+00', TIMESTAMPTZ '2024-03-01 15:00:00+00', DATE '2024-03-01', 'FT-00001-' || z, 15,
            CASE WHEN z IN ('ENTRANCE') THEN 1 ELSE 0 END, CASE WHEN z IN ('ENTRANCE') THEN 60 ELSE 0 END
            FROM (VALUES ('ENTRANCE'), ('ELECTRONICS'), ('GROCERY'), ('CLOTHING'), ('CHECKOUT')) v(z);
        INSERT INTO fact_foot_traffic SELECT 1, z, TIMESTAMPTZ '2024-03-01 15:00:00+00', TIMESTAMPTZ '2024-03-01 15:15:00+00', DATE '2024-03-01', 'FT-00001-' || z, 15,
            CASE WHEN z IN ('CHECKOUT') THEN 1 ELSE 0 END, CASE WHEN z IN ('CHECKOUT') THEN 100 ELSE 0 END
            FROM (VALUES ('ENTRANCE'), ('ELECTRONICS'), ('GROCERY'), ('CLOTHING'), ('CHECKOUT')) v(z);
        INSERT INTO fact_store_ops VALUES (1, TIMESTAMPTZ '2024-03-01 13:00:00+00', 'OPENED', DATE '2024-03-01', 'REGULAR_HOURS'),
                                          (1, TIMESTAMPTZ '2024-03-02 03:00:00+00', 'CLOSED', DATE '2024-03-01', 'REGULAR_HOURS');
        INSERT INTO fact_reorders VALUES ('RO-00001-20240301-00001', TIMESTAMPTZ '2024-03-02 03:00:00+00', DATE '2024-03-01', 1, 1, 1, 4, 0, 0, 5, 50, 46, 'NORMAL');
        "#,
    )
    .unwrap();
    conn
}

fn failed_invariants(conn: &Connection) -> Vec<(u8, String)> {
    let report = validate(conn, &Options::default()).expect("validation runs");
    report
        .failures()
        .map(|o| (o.invariant, format!("{}: {:?}", o.name, o.examples)))
        .collect()
}

#[test]
fn every_check_binds_against_the_contract_schema_and_an_empty_database_passes() {
    let conn = empty_database();
    let report = validate(&conn, &Options::default()).expect("every SQL check binds");
    assert!(
        report.outcomes.len() > 150,
        "{} checks",
        report.outcomes.len()
    );
    assert!(report.passed(), "{}", report.render());
}

#[test]
fn a_consistent_world_passes() {
    let conn = consistent_database();
    let failures = failed_invariants(&conn);
    assert!(failures.is_empty(), "{failures:#?}");
}

fn assert_fails(corruption: &str, invariant: u8) {
    let conn = consistent_database();
    conn.execute_batch(corruption).unwrap();
    let failures = failed_invariants(&conn);
    assert!(
        failures.iter().any(|(inv, _)| *inv == invariant),
        "corruption {corruption:?} should break invariant {invariant}; failures: {failures:#?}"
    );
}

#[test]
fn money_pair_mismatch_is_caught() {
    assert_fails("UPDATE fact_receipts SET total = 9.01", 7);
}

#[test]
fn duplicate_primary_key_is_caught() {
    assert_fails("INSERT INTO fact_payments SELECT * FROM fact_payments", 1);
}

#[test]
fn identifier_with_wrong_coordinates_is_caught() {
    assert_fails("UPDATE dim_stores SET store_number = 'S000002'", 1);
}

#[test]
fn dangling_foreign_key_is_caught() {
    assert_fails("UPDATE fact_receipts SET customer_id = 99", 4);
}

#[test]
fn header_not_matching_lines_is_caught() {
    assert_fails(
        "UPDATE fact_receipts SET subtotal_cents = 800, subtotal = 8.00, total_cents = 800, total = 8.00",
        9,
    );
}

#[test]
fn pricing_rule_violation_is_caught() {
    assert_fails("UPDATE dim_products SET cost_cents = 460, cost = 4.60", 11);
}

#[test]
fn missing_payment_is_caught() {
    assert_fails("DELETE FROM fact_payments", 12);
}

#[test]
fn broken_running_balance_is_caught() {
    assert_fails(
        "INSERT INTO fact_store_inventory_txn VALUES ('SIT-00001-20240301-0000002', TIMESTAMPTZ '2024-03-01 16:00:00+00', DATE '2024-03-01', 1, 1, 2, 'ADJUSTMENT', -1, 40, 'CYCLE_COUNT', NULL, NULL)",
        15,
    );
}

#[test]
fn reorder_arithmetic_is_checked() {
    assert_fails("UPDATE fact_reorders SET reorder_quantity = 45", 19);
}

#[test]
fn sale_outside_open_hours_is_caught() {
    // 03:00 UTC is 22:00 local: the store has closed.
    assert_fails(
        "UPDATE fact_receipts SET event_ts = TIMESTAMPTZ '2024-03-02 03:30:00+00'; UPDATE fact_receipt_lines SET event_ts = TIMESTAMPTZ '2024-03-02 03:30:00+00'",
        25,
    );
}

#[test]
fn reorder_not_at_close_is_caught() {
    assert_fails(
        "UPDATE fact_reorders SET event_ts = TIMESTAMPTZ '2024-03-02 02:00:00+00'",
        19,
    );
}

#[test]
fn zone_change_that_does_not_follow_the_pings_is_caught() {
    assert_fails(
        "UPDATE fact_customer_zone_changes SET to_zone = 'GROCERY'",
        32,
    );
}

#[test]
fn foot_traffic_below_checkouts_is_caught() {
    assert_fails(
        "UPDATE fact_foot_traffic SET visitor_count = 0, avg_dwell_seconds = 0 WHERE zone = 'CHECKOUT'",
        33,
    );
}

#[test]
fn a_database_without_meta_is_rejected_with_a_clear_error() {
    let conn = Connection::open_in_memory().unwrap();
    let err = validate(&conn, &Options::default()).unwrap_err();
    assert!(
        err.to_string().contains("not a retail-rti database"),
        "{err}"
    );
}
