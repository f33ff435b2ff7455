//! Invariants of data-contract §13 that SQL can decide on its own. Each check is a query whose
//! rows are violations, described by one `detail` column.

use retail_schemas::{LogicalType, TableDef};

use crate::Params;

/// One SQL-decided check.
#[derive(Clone, Debug)]
pub struct SqlCheck {
    /// Invariant number in data-contract §13.
    pub invariant: u8,
    /// Short name of what is checked.
    pub name: String,
    /// Query returning one `detail` VARCHAR per violation.
    pub sql: String,
}

fn check(invariant: u8, name: impl Into<String>, sql: impl Into<String>) -> SqlCheck {
    SqlCheck {
        invariant,
        name: name.into(),
        sql: sql.into(),
    }
}

/// `yyyymmdd` of a DATE column.
fn ymd(col: &str) -> String {
    format!("strftime({col}, '%Y%m%d')")
}

/// Primary-key uniqueness and money-pair exactness for every table, derived from the metadata.
pub fn metadata_checks(tables: &[&'static TableDef]) -> Vec<SqlCheck> {
    let mut out = Vec::new();
    for t in tables {
        let key = t.primary_key.join(", ");
        let key_text = t
            .primary_key
            .iter()
            .map(|k| format!("CAST({k} AS VARCHAR)"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(check(
            1,
            format!("{}: primary key ({key}) unique", t.name),
            format!(
                "SELECT 'duplicate key ' || concat_ws('|', {key_text}) || ' (' || count(*) || ' rows)' AS detail \
                 FROM {t} GROUP BY {key} HAVING count(*) > 1",
                t = t.name
            ),
        ));
        let null_keys = t
            .primary_key
            .iter()
            .map(|k| format!("{k} IS NULL"))
            .collect::<Vec<_>>()
            .join(" OR ");
        out.push(check(
            1,
            format!("{}: primary key not null", t.name),
            format!(
                "SELECT 'null key column in a row' AS detail FROM {} WHERE {null_keys}",
                t.name
            ),
        ));
        for f in t.fields.iter().filter(|f| f.ty == LogicalType::Money) {
            out.push(check(
                7,
                format!("{}: {} = {} / 100", t.name, f.name, f.cents_name),
                format!(
                    "SELECT '{name} ' || CAST({name} AS VARCHAR) || ' <> {cents} ' || CAST({cents} AS VARCHAR) || ' / 100' AS detail \
                     FROM {t} WHERE ({name} IS NULL) <> ({cents} IS NULL) OR CAST({name} * 100 AS BIGINT) <> {cents} \
                     OR {name} * 100 <> CAST({cents} AS DECIMAL(18,2))",
                    name = f.name,
                    cents = f.cents_name,
                    t = t.name
                ),
            ));
        }
    }
    out
}

/// Round half away from zero of `num / 1_000_000` on exact integers.
fn tax_sql(net: &str, bps: &str, pct: &str) -> String {
    let n = format!("(CAST({net} AS HUGEINT) * {bps} * {pct})");
    format!(
        "(CASE WHEN {n} >= 0 THEN ({n} + 500000) // 1000000 ELSE -((-{n} + 500000) // 1000000) END)"
    )
}

const TAX_PCT: &str =
    "(CASE p.taxability WHEN 'TAXABLE' THEN 100 WHEN 'REDUCED_RATE' THEN 50 ELSE 0 END)";

/// The hand-written checks of §13 (keys and formats through marketing).
pub fn contract_checks(p: &Params) -> Vec<SqlCheck> {
    let mut c = Vec::new();
    let start = format!("DATE '{}'", p.dataset_start);
    let end = format!("DATE '{}'", p.last_generated);

    // ---- 1. identifier formats and embedded coordinates
    c.push(check(1, "dc_number format", "SELECT dc_number AS detail FROM dim_distribution_centers WHERE dc_number <> printf('DC%03d', dc_id)"));
    c.push(check(1, "store_number format", "SELECT store_number AS detail FROM dim_stores WHERE store_number <> printf('S%06d', store_id)"));
    c.push(check(
        1,
        "sku format",
        "SELECT sku AS detail FROM dim_products WHERE sku <> printf('SKU-%07d', product_id)",
    ));
    c.push(check(1, "license_plate format", "SELECT license_plate AS detail FROM dim_trucks WHERE NOT regexp_full_match(license_plate, '[A-Z]{3}[0-9]{4}')"));
    c.push(check(1, "loyalty_card format", "SELECT loyalty_card AS detail FROM dim_customers WHERE NOT regexp_full_match(loyalty_card, printf('LC%09d', customer_id) || '[1-9][0-9]{2}')"));
    c.push(check(1, "ble_id / ad_id format", "SELECT ble_id || ' / ' || ad_id AS detail FROM dim_customers WHERE NOT regexp_full_match(ble_id, 'BLE[0-9A-Z]{6,}') OR ad_id <> 'AD' || substr(ble_id, 4)"));
    c.push(check(1, "phone format", "SELECT phone AS detail FROM dim_customers WHERE NOT regexp_full_match(phone, '\\((555|800|888|877|866)\\) [2-9][0-9]{2}-[1-9][0-9]{3}')"));
    c.push(check(
        1,
        "SALE receipt_id and visit_id coordinates",
        format!(
            "SELECT receipt_id AS detail FROM fact_receipts WHERE receipt_type = 'SALE' AND (\
           NOT regexp_full_match(receipt_id, 'RCP-[0-9]{{5,}}-[0-9]{{8}}-[0-9]{{6,}}') \
           OR NOT starts_with(receipt_id, printf('RCP-%05d-', store_id) || {d} || '-') \
           OR visit_id IS DISTINCT FROM 'VIS-' || substr(receipt_id, 5))",
            d = ymd("business_date")
        ),
    ));
    c.push(check(
        1,
        "RETURN receipt_id reuses the original sale's coordinates",
        "SELECT receipt_id AS detail FROM fact_receipts WHERE receipt_type = 'RETURN' AND (\
           original_receipt_id IS NULL OR receipt_id <> 'RTN-' || substr(original_receipt_id, 5) \
           OR NOT starts_with(receipt_id, printf('RTN-%05d-', store_id)) OR visit_id IS NOT NULL)",
    ));
    c.push(check(1, "receipt_type values", "SELECT receipt_type AS detail FROM fact_receipts WHERE receipt_type NOT IN ('SALE', 'RETURN') OR (receipt_type = 'SALE') <> (original_receipt_id IS NULL)"));
    c.push(check(
        1,
        "payment_id format",
        "SELECT payment_id AS detail FROM fact_payments WHERE payment_id <> CASE \
           WHEN payment_type = 'REFUND' AND order_id IS NOT NULL THEN 'PAY-' || order_id || '-R' \
           ELSE 'PAY-' || coalesce(receipt_id, order_id) || '-' || attempt_number END",
    ));
    c.push(check(1, "order_id node and date", format!(
        "SELECT order_id AS detail FROM fact_online_order_headers WHERE NOT regexp_full_match(order_id, 'ORD-(S[0-9]{{5,}}|D[0-9]{{3,}})-[0-9]{{8}}-[0-9]{{5,}}') OR NOT starts_with(order_id, \
           CASE node_type WHEN 'STORE' THEN printf('ORD-S%05d-', store_id) ELSE printf('ORD-D%03d-', dc_id) END || {d} || '-')", d = ymd("business_date"))));
    c.push(check(1, "store txn_id coordinates", format!(
        "SELECT txn_id AS detail FROM fact_store_inventory_txn WHERE NOT regexp_full_match(txn_id, 'SIT-[0-9]{{5,}}-[0-9]{{8}}-[0-9]{{7,}}') OR NOT starts_with(txn_id, printf('SIT-%05d-', store_id) || {d} || '-')", d = ymd("business_date"))));
    c.push(check(1, "DC txn_id coordinates", format!(
        "SELECT txn_id AS detail FROM fact_dc_inventory_txn WHERE NOT regexp_full_match(txn_id, 'DIT-[0-9]{{3,}}-[0-9]{{8}}-[0-9]{{7,}}') OR NOT starts_with(txn_id, printf('DIT-%03d-', dc_id) || {d} || '-')", d = ymd("business_date"))));
    c.push(check(1, "shipment_id DC and planning date", format!(
        "SELECT shipment_id AS detail FROM fact_truck_moves WHERE NOT regexp_full_match(shipment_id, 'SHP-[0-9]{{3,}}-[0-9]{{8}}-[0-9]{{4,}}') OR NOT starts_with(shipment_id, printf('SHP-%03d-', dc_id)) \
           OR (status = 'SCHEDULED' AND NOT starts_with(shipment_id, printf('SHP-%03d-', dc_id) || {d} || '-'))", d = ymd("business_date"))));
    c.push(check(1, "reorder_id coordinates", format!(
        "SELECT reorder_id AS detail FROM fact_reorders WHERE NOT regexp_full_match(reorder_id, 'RO-[0-9]{{5,}}-[0-9]{{8}}-[0-9]{{5,}}') OR NOT starts_with(reorder_id, printf('RO-%05d-', store_id) || {d} || '-')", d = ymd("business_date"))));
    c.push(check(
        1,
        "stockout_id = SO- + txn_id",
        "SELECT stockout_id AS detail FROM fact_stockouts WHERE stockout_id <> 'SO-' || txn_id",
    ));
    c.push(check(1, "impression, campaign and creative ids", format!(
        "SELECT impression_id AS detail FROM fact_marketing WHERE NOT regexp_full_match(impression_id, 'IMP-[0-9]{{8}}-[0-9]{{7,}}') OR NOT starts_with(impression_id, 'IMP-' || {d} || '-') \
           OR NOT regexp_full_match(campaign_id, 'CMP-[0-9]{{8}}-[0-9]{{2,}}') OR NOT regexp_full_match(creative_id, '.*-C[0-9]{{2,}}') OR NOT starts_with(creative_id, campaign_id || '-C')", d = ymd("business_date"))));
    c.push(check(1, "promotion_id = PRM-{purchase}-{code}", "SELECT promotion_id AS detail FROM fact_promotions WHERE promotion_id <> 'PRM-' || coalesce(receipt_id, order_id) || '-' || promo_code"));
    c.push(check(1, "sensor_id format", "SELECT sensor_id AS detail FROM fact_foot_traffic WHERE sensor_id <> printf('FT-%05d-', store_id) || zone OR zone NOT IN ('ENTRANCE','ELECTRONICS','GROCERY','CLOTHING','CHECKOUT') OR interval_minutes <> 15"));
    c.push(check(1, "beacon_id and anonymous ids", 
        "SELECT visit_id || ' ' || beacon_id || ' ' || customer_ble_id AS detail FROM fact_ble_pings WHERE beacon_id <> printf('BCN-%05d-', store_id) || zone \
           OR (customer_id IS NULL AND NOT regexp_full_match(customer_ble_id, 'ANON-[0-9a-f]{16}')) OR rssi NOT BETWEEN -80 AND -30"));

    // ---- 2. uniqueness of random-looking attributes
    for (table, col) in [
        ("dim_customers", "ble_id"),
        ("dim_customers", "ad_id"),
        ("dim_customers", "loyalty_card"),
        ("dim_trucks", "license_plate"),
    ] {
        c.push(check(2, format!("{table}.{col} unique"), format!(
            "SELECT {col} || ' appears ' || count(*) || ' times' AS detail FROM {table} GROUP BY {col} HAVING count(*) > 1")));
    }

    // ---- 4. referential integrity
    let fks: &[(&str, &str, &str, &str)] = &[
        (
            "dim_distribution_centers",
            "geography_id",
            "dim_geographies",
            "geography_id",
        ),
        (
            "dim_stores",
            "geography_id",
            "dim_geographies",
            "geography_id",
        ),
        (
            "dim_customers",
            "geography_id",
            "dim_geographies",
            "geography_id",
        ),
        ("dim_stores", "dc_id", "dim_distribution_centers", "dc_id"),
        (
            "dim_trucks",
            "home_dc_id",
            "dim_distribution_centers",
            "dc_id",
        ),
        (
            "dim_customers",
            "primary_store_id",
            "dim_stores",
            "store_id",
        ),
        (
            "dim_customers",
            "secondary_store_id",
            "dim_stores",
            "store_id",
        ),
        (
            "fact_receipt_lines",
            "receipt_id",
            "fact_receipts",
            "receipt_id",
        ),
        (
            "fact_receipts",
            "original_receipt_id",
            "fact_receipts",
            "receipt_id",
        ),
        ("fact_payments", "receipt_id", "fact_receipts", "receipt_id"),
        (
            "fact_payments",
            "order_id",
            "fact_online_order_headers",
            "order_id",
        ),
        (
            "fact_online_order_lines",
            "order_id",
            "fact_online_order_headers",
            "order_id",
        ),
        (
            "fact_promotions",
            "receipt_id",
            "fact_receipts",
            "receipt_id",
        ),
        (
            "fact_promotions",
            "order_id",
            "fact_online_order_headers",
            "order_id",
        ),
        (
            "fact_promo_lines",
            "promotion_id",
            "fact_promotions",
            "promotion_id",
        ),
        (
            "fact_truck_inventory",
            "shipment_id",
            "fact_truck_moves",
            "shipment_id",
        ),
        (
            "fact_truck_inventory",
            "reorder_id",
            "fact_reorders",
            "reorder_id",
        ),
        (
            "fact_receipts",
            "attributed_impression_id",
            "fact_marketing",
            "impression_id",
        ),
        (
            "fact_online_order_headers",
            "attributed_impression_id",
            "fact_marketing",
            "impression_id",
        ),
        ("fact_ble_pings", "visit_id", "fact_receipts", "visit_id"),
        (
            "fact_customer_zone_changes",
            "visit_id",
            "fact_receipts",
            "visit_id",
        ),
    ];
    for (child, col, parent, pcol) in fks {
        c.push(check(4, format!("{child}.{col} → {parent}.{pcol}"), format!(
            "SELECT '{child}.{col} = ' || CAST(c.{col} AS VARCHAR) || ' has no {parent} row' AS detail FROM {child} c \
             WHERE c.{col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{pcol} = c.{col})")));
    }
    // Dimension ids used anywhere in the facts.
    let dims = [
        ("store_id", "dim_stores"),
        ("dc_id", "dim_distribution_centers"),
        ("product_id", "dim_products"),
        ("customer_id", "dim_customers"),
        ("truck_id", "dim_trucks"),
    ];
    for t in retail_schemas::fact_tables() {
        let cols = t.columns();
        for (col, dim) in dims {
            if cols.iter().any(|c| c.name == col) {
                c.push(check(4, format!("{}.{col} → {dim}", t.name), format!(
                    "SELECT '{t}.{col} = ' || CAST(f.{col} AS VARCHAR) || ' unknown' AS detail FROM {t} f \
                     WHERE f.{col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {dim} d WHERE d.{col} = f.{col})", t = t.name)));
            }
        }
        c.push(check(4, format!("{}.business_date in dim_date", t.name), format!(
            "SELECT 'business_date ' || CAST(f.business_date AS VARCHAR) || ' not in dim_date' AS detail FROM {t} f \
             WHERE NOT EXISTS (SELECT 1 FROM dim_date d WHERE d.date = f.business_date)", t = t.name)));
        // 24. emitted rows stay inside the generated range.
        c.push(check(24, format!("{}.business_date inside the generated range", t.name), format!(
            "SELECT 'business_date ' || CAST(business_date AS VARCHAR) || ' outside the generated range' AS detail FROM {t} \
             WHERE business_date < {start} OR business_date > {end}", t = t.name)));
    }
    c.push(check(4, "store inventory references resolve", 
        "SELECT txn_id || ' → ' || coalesce(reference_id, 'NULL') AS detail FROM fact_store_inventory_txn t WHERE CASE reference_type \
           WHEN 'RECEIPT' THEN NOT EXISTS (SELECT 1 FROM fact_receipts r WHERE r.receipt_id = t.reference_id) \
           WHEN 'SHIPMENT' THEN NOT EXISTS (SELECT 1 FROM fact_truck_moves m WHERE m.shipment_id = t.reference_id) \
           WHEN 'ORDER' THEN NOT EXISTS (SELECT 1 FROM fact_online_order_headers o WHERE o.order_id = t.reference_id) \
           WHEN 'CYCLE_COUNT' THEN t.reference_id IS NOT NULL ELSE true END"));
    c.push(check(4, "DC inventory references resolve", 
        "SELECT txn_id || ' → ' || reference_id AS detail FROM fact_dc_inventory_txn t WHERE CASE reference_type \
           WHEN 'SHIPMENT' THEN NOT EXISTS (SELECT 1 FROM fact_truck_moves m WHERE m.shipment_id = t.reference_id) \
           WHEN 'ORDER' THEN NOT EXISTS (SELECT 1 FROM fact_online_order_headers o WHERE o.order_id = t.reference_id) \
           WHEN 'PURCHASE_ORDER' THEN NOT regexp_full_match(t.reference_id, printf('PO-%03d-', t.dc_id) || '[0-9]{8}-[0-9]{4,}') ELSE true END"));
    c.push(check(4, "stockout txn resolves", 
        "SELECT stockout_id AS detail FROM fact_stockouts s WHERE NOT EXISTS (SELECT 1 FROM fact_store_inventory_txn t WHERE t.txn_id = s.txn_id) \
           AND NOT EXISTS (SELECT 1 FROM fact_dc_inventory_txn t WHERE t.txn_id = s.txn_id)"));

    // ---- 5. exactly-one rules
    c.push(check(5, "payments: exactly one of receipt_id / order_id, channel agrees", 
        "SELECT payment_id AS detail FROM fact_payments WHERE (receipt_id IS NULL) = (order_id IS NULL) OR (channel = 'STORE') <> (receipt_id IS NOT NULL)"));
    c.push(check(5, "promotions: exactly one of receipt_id / order_id", 
        "SELECT promotion_id AS detail FROM fact_promotions WHERE (receipt_id IS NULL) = (order_id IS NULL) OR (channel = 'STORE') <> (receipt_id IS NOT NULL)"));
    c.push(check(5, "stockouts: location ids match location_type", 
        "SELECT stockout_id AS detail FROM fact_stockouts WHERE NOT ((location_type = 'STORE' AND store_id IS NOT NULL AND dc_id IS NULL) OR (location_type = 'DC' AND dc_id IS NOT NULL AND store_id IS NULL))"));
    c.push(check(5, "online orders: node ids match node_type and mode", 
        "SELECT order_id AS detail FROM fact_online_order_headers WHERE NOT ((node_type = 'STORE' AND store_id IS NOT NULL AND dc_id IS NULL AND fulfillment_mode IN ('SHIP_FROM_STORE','BOPIS')) \
           OR (node_type = 'DC' AND dc_id IS NOT NULL AND store_id IS NULL AND fulfillment_mode = 'SHIP_FROM_DC'))"));

    // ---- 6. every DC serves, owns trucks and ships
    c.push(check(6, "every DC serves at least one store", 
        "SELECT dc_number AS detail FROM dim_distribution_centers d WHERE NOT EXISTS (SELECT 1 FROM dim_stores s WHERE s.dc_id = d.dc_id)"));
    c.push(check(6, "every DC owns a DC_FLEET truck", 
        "SELECT dc_number AS detail FROM dim_distribution_centers d WHERE NOT EXISTS (SELECT 1 FROM dim_trucks t WHERE t.home_dc_id = d.dc_id AND t.fleet_type = 'DC_FLEET')"));
    c.push(check(6, "home_dc_id set iff DC_FLEET", 
        "SELECT CAST(truck_id AS VARCHAR) AS detail FROM dim_trucks WHERE (fleet_type = 'DC_FLEET') <> (home_dc_id IS NOT NULL) OR fleet_type NOT IN ('DC_FLEET','POOL','SUPPLIER')"));
    if p.range_days() >= 7 {
        c.push(check(6, "every DC ships within the range", 
            "SELECT dc_number AS detail FROM dim_distribution_centers d WHERE NOT EXISTS (SELECT 1 FROM fact_truck_moves m WHERE m.dc_id = d.dc_id)"));
    }

    // ---- 8. line arithmetic
    c.push(check(8, "receipt lines: gross = unit_price × quantity, net = gross − discount", 
        "SELECT receipt_id || '#' || line_number AS detail FROM fact_receipt_lines WHERE gross_cents <> unit_price_cents * quantity OR net_cents <> gross_cents - discount_cents"));
    c.push(check(8, "SALE lines: 0 ≤ discount ≤ gross, quantity > 0", 
        "SELECT l.receipt_id || '#' || l.line_number AS detail FROM fact_receipt_lines l JOIN fact_receipts r USING (receipt_id) \
         WHERE r.receipt_type = 'SALE' AND (l.discount_cents < 0 OR l.discount_cents > l.gross_cents OR l.quantity <= 0 OR l.original_line_number IS NOT NULL)"));
    c.push(check(8, "SALE lines: tax = round_half_away(net × rate × taxability / 10^6)", format!(
        "SELECT l.receipt_id || '#' || l.line_number || ' tax ' || l.tax_cents || ' expected ' || CAST({tax} AS VARCHAR) AS detail \
         FROM fact_receipt_lines l JOIN fact_receipts r USING (receipt_id) JOIN dim_stores s ON s.store_id = l.store_id JOIN dim_products p ON p.product_id = l.product_id \
         WHERE r.receipt_type = 'SALE' AND l.tax_cents <> {tax}", tax = tax_sql("l.net_cents", "s.tax_rate_bps", TAX_PCT))));
    c.push(check(8, "RETURN lines negate their original lines", 
        "SELECT l.receipt_id || '#' || l.line_number AS detail FROM fact_receipt_lines l JOIN fact_receipts r ON r.receipt_id = l.receipt_id AND r.receipt_type = 'RETURN' \
         LEFT JOIN fact_receipt_lines o ON o.receipt_id = r.original_receipt_id AND o.line_number = l.original_line_number \
         WHERE o.receipt_id IS NULL OR l.product_id <> o.product_id OR l.quantity <> -o.quantity OR l.unit_price_cents <> o.unit_price_cents \
           OR l.gross_cents <> -o.gross_cents OR l.discount_cents <> -o.discount_cents OR l.net_cents <> -o.net_cents OR l.tax_cents <> -o.tax_cents \
           OR l.promo_code IS DISTINCT FROM o.promo_code"));
    c.push(check(8, "order lines: arithmetic and tax at the destination rate", format!(
        "SELECT l.order_id || '#' || l.line_number AS detail FROM fact_online_order_lines l JOIN fact_online_order_headers h USING (order_id) \
         JOIN dim_customers cu ON cu.customer_id = h.customer_id JOIN dim_stores s ON s.store_id = coalesce(h.store_id, cu.primary_store_id) \
         JOIN dim_products p ON p.product_id = l.product_id \
         WHERE l.gross_cents <> l.unit_price_cents * l.quantity OR l.net_cents <> l.gross_cents - l.discount_cents OR l.discount_cents < 0 \
           OR l.discount_cents > l.gross_cents OR l.quantity NOT BETWEEN 1 AND 3 OR l.tax_cents <> {tax} \
           OR l.line_status <> CASE h.order_status WHEN 'CANCELLED' THEN 'CANCELLED' ELSE 'FULFILLED' END", tax = tax_sql("l.net_cents", "s.tax_rate_bps", TAX_PCT))));

    // ---- 9. header sums
    for (header, lines, key) in [
        ("fact_receipts", "fact_receipt_lines", "receipt_id"),
        (
            "fact_online_order_headers",
            "fact_online_order_lines",
            "order_id",
        ),
    ] {
        c.push(check(9, format!("{header}: totals equal the sums of their lines"), format!(
            "WITH s AS (SELECT {key}, count(*) AS n, sum(quantity) AS items, sum(gross_cents) AS gross, sum(discount_cents) AS disc, sum(tax_cents) AS tax \
                        FROM {lines} GROUP BY {key}) \
             SELECT h.{key} AS detail FROM {header} h LEFT JOIN s USING ({key}) \
             WHERE s.n IS NULL OR h.line_count <> s.n OR h.item_count <> s.items OR h.subtotal_cents <> s.gross OR h.discount_cents <> s.disc \
               OR h.tax_cents <> s.tax OR h.total_cents <> h.subtotal_cents - h.discount_cents + h.tax_cents")));
    }
    c.push(check(9, "SALE receipts and orders have positive totals", 
        "SELECT receipt_id AS detail FROM fact_receipts WHERE receipt_type = 'SALE' AND total_cents <= 0 \
         UNION ALL SELECT order_id FROM fact_online_order_headers WHERE total_cents <= 0 OR line_count NOT BETWEEN 1 AND 8"));

    // ---- 10. promotions
    c.push(check(10, "promotion = its promo lines = the purchase's discounted lines", 
        "WITH purchase_lines AS ( \
            SELECT receipt_id AS purchase_id, line_number, product_id, quantity, gross_cents, discount_cents, promo_code FROM fact_receipt_lines WHERE discount_cents > 0 \
            UNION ALL SELECT order_id, line_number, product_id, quantity, gross_cents, discount_cents, promo_code FROM fact_online_order_lines WHERE discount_cents > 0), \
          pl AS (SELECT promotion_id, count(*) AS n, sum(discount_cents) AS disc, list_sort(list_distinct(list(product_id))) AS products FROM fact_promo_lines GROUP BY promotion_id), \
          dl AS (SELECT purchase_id, count(*) AS n, sum(discount_cents) AS disc FROM purchase_lines GROUP BY purchase_id) \
         SELECT p.promotion_id AS detail FROM fact_promotions p LEFT JOIN pl USING (promotion_id) LEFT JOIN dl ON dl.purchase_id = coalesce(p.receipt_id, p.order_id) \
         WHERE pl.n IS NULL OR dl.n IS NULL OR p.line_count <> pl.n OR p.line_count <> dl.n OR p.discount_cents <> pl.disc OR p.discount_cents <> dl.disc \
           OR p.discount_cents <= 0 OR p.product_ids <> pl.products"));
    c.push(check(10, "promo lines copy their purchase lines", 
        "SELECT l.promotion_id || '#' || l.line_number AS detail FROM fact_promo_lines l JOIN fact_promotions p USING (promotion_id) \
         LEFT JOIN fact_receipt_lines r ON r.receipt_id = p.receipt_id AND r.line_number = l.line_number \
         LEFT JOIN fact_online_order_lines o ON o.order_id = p.order_id AND o.line_number = l.line_number \
         WHERE l.promo_code <> p.promo_code OR l.event_ts <> p.event_ts OR l.business_date <> p.business_date \
           OR l.receipt_id IS DISTINCT FROM p.receipt_id OR l.order_id IS DISTINCT FROM p.order_id \
           OR coalesce(r.product_id, o.product_id) IS DISTINCT FROM l.product_id OR coalesce(r.quantity, o.quantity) IS DISTINCT FROM l.quantity \
           OR coalesce(r.gross_cents, o.gross_cents) IS DISTINCT FROM l.gross_cents OR coalesce(r.discount_cents, o.discount_cents) IS DISTINCT FROM l.discount_cents \
           OR coalesce(r.promo_code, o.promo_code) IS DISTINCT FROM l.promo_code"));
    c.push(check(10, "a purchase has a promotion iff its discount > 0, with the same code", 
        "WITH purchases AS (SELECT receipt_id AS id, receipt_type AS kind, discount_cents, promo_code FROM fact_receipts \
                           UNION ALL SELECT order_id, 'ORDER', discount_cents, promo_code FROM fact_online_order_headers), \
              promos AS (SELECT coalesce(receipt_id, order_id) AS id, count(*) AS n, any_value(promo_code) AS code FROM fact_promotions GROUP BY 1) \
         SELECT p.id AS detail FROM purchases p LEFT JOIN promos USING (id) \
         WHERE (p.kind = 'RETURN' AND promos.n IS NOT NULL) \
            OR (p.kind <> 'RETURN' AND ((p.discount_cents > 0) <> (promos.n IS NOT NULL) OR promos.n > 1 OR (promos.n IS NOT NULL AND promos.code IS DISTINCT FROM p.promo_code) \
                OR (promos.n IS NULL AND p.promo_code IS NOT NULL)))"));

    // ---- 11. product pricing
    c.push(check(11, "1 ≤ cost < sale_price ≤ msrp and 0.4999 ≤ cost / sale ≤ 0.8520", 
        "SELECT sku AS detail FROM dim_products WHERE NOT (1 <= cost_cents AND cost_cents < sale_price_cents AND sale_price_cents <= msrp_cents) \
           OR cost_cents * 10000 < 4999 * sale_price_cents OR cost_cents * 10000 > 8520 * sale_price_cents"));

    // ---- 12–14. payments
    c.push(check(12, "each purchase has exactly one APPROVED CHARGE = total at the purchase instant", 
        "WITH purchases AS (SELECT receipt_id AS id, total_cents, event_ts FROM fact_receipts WHERE receipt_type = 'SALE' \
                           UNION ALL SELECT order_id, total_cents, event_ts FROM fact_online_order_headers), \
              approved AS (SELECT coalesce(receipt_id, order_id) AS id, count(*) AS n, any_value(amount_cents) AS amount, any_value(event_ts) AS ts \
                           FROM fact_payments WHERE payment_type = 'CHARGE' AND status = 'APPROVED' GROUP BY 1) \
         SELECT p.id AS detail FROM purchases p LEFT JOIN approved a USING (id) WHERE a.n IS NULL OR a.n <> 1 OR a.amount <> p.total_cents OR a.ts <> p.event_ts"));
    c.push(check(12, "declined attempts precede the approved one, contiguous attempt numbers", 
        "WITH ch AS (SELECT coalesce(receipt_id, order_id) AS id, attempt_number, status, event_ts, \
                            row_number() OVER (PARTITION BY coalesce(receipt_id, order_id) ORDER BY event_ts, attempt_number) AS k, \
                            count(*) OVER (PARTITION BY coalesce(receipt_id, order_id)) AS n, \
                            lag(event_ts) OVER (PARTITION BY coalesce(receipt_id, order_id) ORDER BY event_ts, attempt_number) AS prev_ts \
                     FROM fact_payments WHERE payment_type = 'CHARGE') \
         SELECT id || ' attempt ' || attempt_number AS detail FROM ch \
         WHERE attempt_number <> k OR n > 3 OR (k < n AND status <> 'DECLINED') OR (k = n AND status <> 'APPROVED') OR (prev_ts IS NOT NULL AND prev_ts >= event_ts)"));
    c.push(check(12, "CASH never declines; decline_reason iff DECLINED", 
        "SELECT payment_id AS detail FROM fact_payments WHERE (status = 'DECLINED' AND tender_type = 'CASH') OR (status = 'DECLINED') <> (decline_reason IS NOT NULL) \
           OR (payment_type = 'REFUND' AND status <> 'APPROVED') OR (payment_type = 'CHARGE' AND amount_cents <= 0) \
           OR (payment_type = 'REFUND' AND (amount_cents >= 0 OR attempt_number <> 1))"));
    c.push(check(13, "RETURN receipts have one REFUND = total at the return instant", 
        "WITH rf AS (SELECT receipt_id, count(*) AS n, any_value(amount_cents) AS amount, any_value(event_ts) AS ts FROM fact_payments WHERE payment_type = 'REFUND' AND receipt_id IS NOT NULL GROUP BY 1) \
         SELECT r.receipt_id AS detail FROM fact_receipts r LEFT JOIN rf USING (receipt_id) WHERE r.receipt_type = 'RETURN' AND (rf.n IS NULL OR rf.n <> 1 OR rf.amount <> r.total_cents OR rf.ts <> r.event_ts OR r.total_cents >= 0)"));
    c.push(check(13, "CANCELLED orders have one REFUND = −total at cancelled_ts; nothing else refunds", 
        "WITH rf AS (SELECT order_id, count(*) AS n, any_value(amount_cents) AS amount, any_value(event_ts) AS ts FROM fact_payments WHERE payment_type = 'REFUND' AND order_id IS NOT NULL GROUP BY 1) \
         SELECT h.order_id AS detail FROM fact_online_order_headers h LEFT JOIN rf USING (order_id) \
         WHERE (h.order_status = 'CANCELLED' AND h.cancelled_ts <= {end_ts} AND (rf.n IS NULL OR rf.n <> 1 OR rf.amount <> -h.total_cents OR rf.ts <> h.cancelled_ts)) \
            OR (h.order_status <> 'CANCELLED' AND rf.n IS NOT NULL) \
         UNION ALL SELECT p.payment_id FROM fact_payments p JOIN fact_receipts r USING (receipt_id) WHERE p.payment_type = 'REFUND' AND r.receipt_type <> 'RETURN'"
            .replace("{end_ts}", &format!("TIMESTAMPTZ '{} 23:59:59+00' + INTERVAL 2 DAY", p.last_generated))));
    c.push(check(14, "receipt and order tender = tender of the APPROVED charge", 
        "WITH a AS (SELECT coalesce(receipt_id, order_id) AS id, any_value(tender_type) AS tender FROM fact_payments WHERE payment_type = 'CHARGE' AND status = 'APPROVED' GROUP BY 1) \
         SELECT r.receipt_id AS detail FROM fact_receipts r JOIN a ON a.id = r.receipt_id WHERE r.tender_type <> a.tender \
         UNION ALL SELECT o.order_id FROM fact_online_order_headers o JOIN a ON a.id = o.order_id WHERE o.tender_type <> a.tender"));

    // ---- 15–20. inventory
    for (table, loc) in [
        ("fact_store_inventory_txn", "store_id"),
        ("fact_dc_inventory_txn", "dc_id"),
    ] {
        c.push(check(15, format!("{table}: gap-free ledger_seq, running balance ≥ 0, time order"), format!(
            "WITH l AS (SELECT txn_id, ledger_seq, balance, quantity, event_ts, \
                          row_number() OVER w AS k, lag(balance) OVER w AS prev_balance, lag(event_ts) OVER w AS prev_ts, \
                          min(ledger_seq) OVER (PARTITION BY {loc}, product_id) AS first_seq \
                        FROM {table} WINDOW w AS (PARTITION BY {loc}, product_id ORDER BY ledger_seq)) \
             SELECT txn_id || ' seq ' || ledger_seq AS detail FROM l \
             WHERE ledger_seq <> first_seq + k - 1 OR balance < 0 OR (prev_balance IS NOT NULL AND balance <> prev_balance + quantity) \
               OR (prev_ts IS NOT NULL AND event_ts < prev_ts) OR (ledger_seq = 1 AND balance - quantity < 0) OR quantity = 0")));
    }
    c.push(check(15, "ledgers start at sequence 1 in a dataset generated from its start", 
        format!("SELECT 'store ' || store_id || ' product ' || product_id AS detail FROM fact_store_inventory_txn GROUP BY store_id, product_id HAVING min(ledger_seq) <> 1 AND min(business_date) = {start} \
                 UNION ALL SELECT 'dc ' || dc_id || ' product ' || product_id FROM fact_dc_inventory_txn GROUP BY dc_id, product_id HAVING min(ledger_seq) <> 1 AND min(business_date) = {start}")));
    c.push(check(16, "store movement signs and reference types", 
        "SELECT txn_id || ' ' || txn_type || ' ' || quantity AS detail FROM fact_store_inventory_txn WHERE NOT CASE txn_type \
           WHEN 'SALE' THEN quantity < 0 AND reference_type = 'RECEIPT' WHEN 'ONLINE_PICK' THEN quantity < 0 AND reference_type = 'ORDER' \
           WHEN 'DAMAGED' THEN quantity < 0 AND reference_type = 'RECEIPT' WHEN 'RETURN_TO_VENDOR' THEN quantity < 0 AND reference_type = 'RECEIPT' \
           WHEN 'RETURN' THEN quantity > 0 AND reference_type = 'RECEIPT' WHEN 'INBOUND_SHIPMENT' THEN quantity > 0 AND reference_type = 'SHIPMENT' \
           WHEN 'ADJUSTMENT' THEN quantity <> 0 AND reference_type = 'CYCLE_COUNT' AND reference_id IS NULL ELSE false END"));
    c.push(check(16, "DC movement signs and reference types", 
        "SELECT txn_id || ' ' || txn_type AS detail FROM fact_dc_inventory_txn WHERE NOT CASE txn_type \
           WHEN 'SUPPLIER_RECEIPT' THEN quantity > 0 AND reference_type = 'PURCHASE_ORDER' WHEN 'OUTBOUND_SHIPMENT' THEN quantity < 0 AND reference_type = 'SHIPMENT' \
           WHEN 'ONLINE_PICK' THEN quantity < 0 AND reference_type = 'ORDER' AND reference_line_number IS NOT NULL ELSE false END"));
    c.push(check(16, "every SALE/RETURN receipt line has exactly one matching movement", 
        "WITH m AS (SELECT reference_id, reference_line_number, count(*) AS n, any_value(quantity) AS qty, any_value(product_id) AS product_id, \
                           any_value(store_id) AS store_id, any_value(event_ts) AS ts, any_value(txn_type) AS txn_type \
                    FROM fact_store_inventory_txn WHERE txn_type IN ('SALE', 'RETURN') GROUP BY 1, 2) \
         SELECT l.receipt_id || '#' || l.line_number AS detail FROM fact_receipt_lines l JOIN fact_receipts r USING (receipt_id) \
         LEFT JOIN m ON m.reference_id = l.receipt_id AND m.reference_line_number = l.line_number \
         WHERE m.n IS NULL OR m.n <> 1 OR m.qty <> -l.quantity \
           OR m.product_id <> l.product_id OR m.store_id <> l.store_id OR m.ts <> l.event_ts \
           OR m.txn_type <> r.receipt_type"));
    c.push(check(17, "per shipment and product: OUTBOUND = LOAD = UNLOAD = INBOUND", 
        "WITH done AS (SELECT shipment_id FROM fact_truck_moves GROUP BY shipment_id HAVING count(*) = 6), \
              lo AS (SELECT shipment_id, product_id, sum(quantity) FILTER (WHERE action = 'LOAD') AS loaded, sum(quantity) FILTER (WHERE action = 'UNLOAD') AS unloaded \
                     FROM fact_truck_inventory GROUP BY 1, 2), \
              ob AS (SELECT reference_id AS shipment_id, product_id, -sum(quantity) AS q FROM fact_dc_inventory_txn WHERE txn_type = 'OUTBOUND_SHIPMENT' GROUP BY 1, 2), \
              ib AS (SELECT reference_id AS shipment_id, product_id, sum(quantity) AS q FROM fact_store_inventory_txn WHERE txn_type = 'INBOUND_SHIPMENT' GROUP BY 1, 2) \
         SELECT shipment_id || ' product ' || product_id AS detail FROM done JOIN lo USING (shipment_id) \
         LEFT JOIN ob USING (shipment_id, product_id) LEFT JOIN ib USING (shipment_id, product_id) \
         WHERE lo.loaded IS DISTINCT FROM lo.unloaded OR lo.loaded IS DISTINCT FROM ob.q OR lo.loaded IS DISTINCT FROM ib.q"));
    c.push(check(17, "shipment units = Σ loaded units; movements at LOADING / UNLOADING", 
        "WITH st AS (SELECT shipment_id, any_value(units) AS units, max(event_ts) FILTER (WHERE status = 'LOADING') AS loading, \
                            max(event_ts) FILTER (WHERE status = 'UNLOADING') AS unloading FROM fact_truck_moves GROUP BY 1 HAVING count(*) = 6), \
              lo AS (SELECT shipment_id, sum(quantity) AS q, count(DISTINCT product_id) AS lines FROM fact_truck_inventory WHERE action = 'LOAD' GROUP BY 1) \
         SELECT st.shipment_id AS detail FROM st LEFT JOIN lo USING (shipment_id) WHERE lo.q IS DISTINCT FROM st.units \
         UNION ALL SELECT t.txn_id FROM fact_dc_inventory_txn t JOIN st ON st.shipment_id = t.reference_id WHERE t.txn_type = 'OUTBOUND_SHIPMENT' AND t.event_ts <> st.loading \
         UNION ALL SELECT t.txn_id FROM fact_store_inventory_txn t JOIN st ON st.shipment_id = t.reference_id WHERE t.txn_type = 'INBOUND_SHIPMENT' AND t.event_ts <> st.unloading \
         UNION ALL SELECT i.shipment_id || ' ' || i.action FROM fact_truck_inventory i JOIN st USING (shipment_id) \
           WHERE (i.action = 'LOAD' AND i.event_ts <> st.loading) OR (i.action = 'UNLOAD' AND i.event_ts <> st.unloading)"));
    for (table, loc, loc_type) in [
        ("fact_store_inventory_txn", "store_id", "STORE"),
        ("fact_dc_inventory_txn", "dc_id", "DC"),
    ] {
        c.push(check(18, format!("{loc_type}: depletions to zero have stockouts (24 h suppression)"), format!(
            "WITH l AS (SELECT txn_id, {loc} AS loc, product_id, event_ts, balance, quantity, balance - quantity AS before FROM {table}), \
                  dep AS (SELECT * FROM l WHERE before > 0 AND balance = 0), \
                  so AS (SELECT s.*, {loc} AS loc FROM fact_stockouts s WHERE location_type = '{loc_type}') \
             SELECT 'depletion ' || d.txn_id || ' without stockout' AS detail FROM dep d \
             WHERE NOT EXISTS (SELECT 1 FROM so WHERE so.loc = d.loc AND so.product_id = d.product_id AND so.event_ts <= d.event_ts \
                               AND so.event_ts > d.event_ts - INTERVAL 86400 SECOND) \
             UNION ALL SELECT 'stockout ' || so.stockout_id || ' is not a depletion' FROM so LEFT JOIN l ON l.txn_id = so.txn_id \
             WHERE l.txn_id IS NULL OR NOT (l.before > 0 AND l.balance = 0) OR so.last_known_quantity <> -l.quantity OR so.event_ts <> l.event_ts \
               OR so.product_id <> l.product_id OR so.loc <> l.loc \
             UNION ALL SELECT 'stockout ' || a.stockout_id || ' within 24 h of ' || b.stockout_id FROM so a JOIN so b \
               ON a.loc = b.loc AND a.product_id = b.product_id AND b.event_ts < a.event_ts AND b.event_ts > a.event_ts - INTERVAL 86400 SECOND")));
    }
    c.push(check(19, "reorders: position ≤ reorder point, quantity = par − position > 0, priority", 
        "SELECT reorder_id AS detail FROM fact_reorders WHERE \
           on_hand_quantity - reserved_quantity + on_order_quantity > reorder_point \
           OR reorder_quantity <> order_up_to_quantity - (on_hand_quantity - reserved_quantity + on_order_quantity) OR reorder_quantity <= 0 \
           OR priority <> CASE WHEN reorder_point = 0 THEN 'NORMAL' \
                               WHEN (reorder_point - on_hand_quantity) * 100 >= 50 * reorder_point THEN 'URGENT' \
                               WHEN (reorder_point - on_hand_quantity) * 100 >= 25 * reorder_point THEN 'HIGH' ELSE 'NORMAL' END \
         UNION ALL SELECT r.reorder_id FROM fact_reorders r JOIN dim_stores s USING (store_id) WHERE r.dc_id <> s.dc_id"));
    c.push(check(20, "units shipped for a reorder ≤ reorder_quantity", 
        "SELECT r.reorder_id AS detail FROM fact_reorders r JOIN (SELECT reorder_id, sum(quantity) AS q FROM fact_truck_inventory WHERE action = 'LOAD' GROUP BY 1) t USING (reorder_id) \
         WHERE t.q > r.reorder_quantity"));

    // ---- 21–23. logistics
    c.push(check(21, "six statuses once each, strictly increasing in order", 
        "WITH s AS (SELECT shipment_id, list(status ORDER BY event_ts) AS statuses, count(DISTINCT event_ts) AS distinct_ts, count(*) AS n FROM fact_truck_moves GROUP BY 1) \
         SELECT shipment_id || ' ' || CAST(statuses AS VARCHAR) AS detail FROM s \
         WHERE n = 6 AND (statuses <> ['SCHEDULED','LOADING','IN_TRANSIT','ARRIVED','UNLOADING','COMPLETED'] OR distinct_ts <> 6) \
            OR n > 6"));
    c.push(check(21, "IN_TRANSIT = planned departure, LOADING = departure − 2 h, dwell on COMPLETED only", 
        "WITH s AS (SELECT shipment_id, max(event_ts) FILTER (WHERE status = 'ARRIVED') AS arrived, max(event_ts) FILTER (WHERE status = 'COMPLETED') AS completed FROM fact_truck_moves GROUP BY 1) \
         SELECT m.shipment_id || ' ' || m.status AS detail FROM fact_truck_moves m JOIN s USING (shipment_id) WHERE \
           (m.status = 'IN_TRANSIT' AND m.event_ts <> m.planned_departure_ts) \
           OR (m.status = 'LOADING' AND m.event_ts <> m.planned_departure_ts - INTERVAL 2 HOUR) \
           OR (m.status <> 'COMPLETED' AND m.dwell_minutes IS NOT NULL) \
           OR (m.status = 'COMPLETED' AND (m.dwell_minutes IS NULL OR (s.arrived IS NOT NULL AND abs(m.dwell_minutes - epoch(s.completed - s.arrived) / 60.0) > 1e-9))) \
           OR m.eta_ts <= m.planned_departure_ts OR m.etd_ts <= m.eta_ts"));
    c.push(check(22, "units within capacity; temperature classes on the right trucks and products", 
        "SELECT m.shipment_id AS detail FROM fact_truck_moves m JOIN dim_trucks t USING (truck_id) \
           WHERE m.units < 1 OR m.units > t.capacity_units OR (m.temperature_class = 'REFRIGERATED' AND NOT t.refrigerated) OR m.temperature_class NOT IN ('REFRIGERATED','AMBIENT') \
         UNION ALL SELECT i.shipment_id || ' product ' || i.product_id FROM fact_truck_inventory i JOIN fact_truck_moves m ON m.shipment_id = i.shipment_id AND m.status = 'SCHEDULED' \
           JOIN dim_products p ON p.product_id = i.product_id WHERE p.requires_refrigeration <> (m.temperature_class = 'REFRIGERATED')"));
    c.push(check(23, "a truck's shipments do not overlap", 
        "WITH s AS (SELECT shipment_id, any_value(truck_id) AS truck_id, max(event_ts) FILTER (WHERE status = 'LOADING') AS loading, \
                           max(event_ts) FILTER (WHERE status = 'COMPLETED') AS completed, any_value(eta_ts - planned_departure_ts) AS travel \
                    FROM fact_truck_moves GROUP BY 1 HAVING count(*) = 6), \
              o AS (SELECT *, lag(completed) OVER (PARTITION BY truck_id ORDER BY loading) AS prev_completed, \
                           lag(travel) OVER (PARTITION BY truck_id ORDER BY loading) AS prev_travel FROM s) \
         SELECT shipment_id AS detail FROM o WHERE prev_completed IS NOT NULL AND loading < prev_completed + prev_travel"));

    // ---- 26–28. stores, launch dates, calendar
    c.push(check(26, "store operations alternate OPENED / CLOSED", 
        "WITH o AS (SELECT store_id, event_ts, operation_type, lag(operation_type) OVER (PARTITION BY store_id ORDER BY event_ts) AS prev FROM fact_store_ops) \
         SELECT 'store ' || store_id || ' ' || operation_type || ' twice at ' || CAST(event_ts AS VARCHAR) AS detail FROM o WHERE operation_type = prev \
         UNION ALL SELECT 'store ' || store_id || ' bad op' FROM fact_store_ops WHERE operation_type NOT IN ('OPENED','CLOSED') OR reason NOT IN ('REGULAR_HOURS','HOLIDAY_CLOSURE')"));
    for (table, label) in [
        ("fact_receipt_lines", "sold"),
        ("fact_online_order_lines", "ordered"),
        ("fact_reorders", "reordered"),
        ("fact_truck_inventory", "shipped"),
        ("fact_store_inventory_txn", "moved at a store"),
    ] {
        c.push(check(27, format!("nothing {label} before launch"), format!(
            "SELECT 'product ' || f.product_id || ' {label} on ' || CAST(f.business_date AS VARCHAR) || ' before launch ' || CAST(p.launch_date AS VARCHAR) AS detail \
             FROM {table} f JOIN dim_products p USING (product_id) WHERE f.business_date < p.launch_date")));
    }
    c.push(check(28, "no SALE trading on closure days", 
        "SELECT r.receipt_id AS detail FROM fact_receipts r JOIN dim_date d ON d.date = r.business_date WHERE d.is_store_closed"));
    c.push(check(28, "dim_date basics", 
        "SELECT CAST(date AS VARCHAR) AS detail FROM dim_date WHERE date_key <> CAST(strftime(date, '%Y%m%d') AS INTEGER) OR year <> year(date) OR month <> month(date) \
           OR day_of_month <> day(date) OR day_of_week <> isodow(date) OR iso_week <> week(date) OR is_weekend <> (isodow(date) >= 6) \
           OR fiscal_year <> CASE WHEN month(date) >= 7 THEN year(date) ELSE year(date) - 1 END OR is_holiday <> (holiday_name IS NOT NULL) OR quarter <> quarter(date)"));

    // ---- 29. returns
    c.push(check(29, "returns reference a SALE of the same store and customer, 1..max lag days later, once", format!(
        "SELECT r.receipt_id AS detail FROM fact_receipts r LEFT JOIN fact_receipts s ON s.receipt_id = r.original_receipt_id \
         WHERE r.receipt_type = 'RETURN' AND (s.receipt_id IS NULL OR s.receipt_type <> 'SALE' OR s.store_id <> r.store_id OR s.customer_id <> r.customer_id \
           OR date_diff('day', s.business_date, r.business_date) < 1 OR date_diff('day', s.business_date, r.business_date) > {lag} \
           OR r.tender_type <> s.tender_type OR r.promo_code IS NOT NULL OR r.attributed_impression_id IS NOT NULL) \
         UNION ALL SELECT original_receipt_id FROM fact_receipts WHERE receipt_type = 'RETURN' GROUP BY 1 HAVING count(*) > 1", lag = p.max_return_lag_days)));

    // ---- 30. online orders
    c.push(check(30, "online order lifecycle", 
        "SELECT order_id AS detail FROM fact_online_order_headers WHERE \
           (order_status = 'CANCELLED' AND (cancelled_ts IS NULL OR picked_ts IS NOT NULL OR shipped_ts IS NOT NULL OR delivered_ts IS NOT NULL \
               OR cancelled_ts < event_ts + INTERVAL 5 MINUTE OR cancelled_ts > event_ts + INTERVAL 60 MINUTE)) \
           OR (order_status = 'COMPLETED' AND (cancelled_ts IS NOT NULL OR picked_ts IS NULL OR delivered_ts IS NULL OR picked_ts <= event_ts \
               OR (fulfillment_mode = 'BOPIS' AND (shipped_ts IS NOT NULL OR delivered_ts <= picked_ts)) \
               OR (fulfillment_mode <> 'BOPIS' AND (shipped_ts IS NULL OR shipped_ts <= picked_ts OR delivered_ts <= shipped_ts)))) \
           OR order_status NOT IN ('COMPLETED', 'CANCELLED')"));
    c.push(check(30, "completed orders have one ONLINE_PICK per line at picked_ts (inside the range); cancelled none", format!(
        "WITH picks AS (SELECT reference_id AS order_id, reference_line_number AS line_number, count(*) AS n, any_value(event_ts) AS ts, any_value(product_id) AS product_id, any_value(quantity) AS qty \
                        FROM (SELECT reference_id, reference_line_number, event_ts, product_id, quantity FROM fact_store_inventory_txn WHERE txn_type = 'ONLINE_PICK' \
                              UNION ALL SELECT reference_id, reference_line_number, event_ts, product_id, quantity FROM fact_dc_inventory_txn WHERE txn_type = 'ONLINE_PICK') GROUP BY 1, 2) \
         SELECT l.order_id || '#' || l.line_number AS detail FROM fact_online_order_lines l JOIN fact_online_order_headers h USING (order_id) \
         LEFT JOIN picks p ON p.order_id = l.order_id AND p.line_number = l.line_number \
         WHERE (h.order_status = 'CANCELLED' AND p.n IS NOT NULL) \
            OR (h.order_status = 'COMPLETED' AND h.picked_ts < TIMESTAMPTZ '{end} 00:00:00+00' AND (p.n IS NULL OR p.n <> 1 OR p.ts <> h.picked_ts OR p.product_id <> l.product_id OR p.qty <> -l.quantity))",
        end = p.last_generated)));

    // ---- 32–33. sensors
    c.push(check(32, "SALE visits: ≥ 2 pings inside the visit, ENTRANCE first, CHECKOUT last", 
        "WITH v AS (SELECT visit_id, count(*) AS n, arg_min(zone, ping_number) AS first_zone, arg_max(zone, ping_number) AS last_zone, \
                           max(event_ts) AS last_ts, list(event_ts ORDER BY ping_number) = list_sort(list(event_ts)) AS ordered, \
                           count(DISTINCT customer_ble_id) AS ids, any_value(customer_id) AS customer_id, any_value(customer_ble_id) AS ble \
                    FROM fact_ble_pings GROUP BY 1) \
         SELECT r.receipt_id AS detail FROM fact_receipts r LEFT JOIN v USING (visit_id) LEFT JOIN dim_customers c ON c.customer_id = v.customer_id \
         WHERE r.receipt_type = 'SALE' AND (v.n IS NULL OR v.n < 2 OR v.first_zone <> 'ENTRANCE' OR v.last_zone <> 'CHECKOUT' OR v.last_ts > r.event_ts \
              OR NOT v.ordered OR v.ids <> 1 OR (v.customer_id IS NOT NULL AND (v.customer_id <> r.customer_id OR v.ble <> c.ble_id)))"));
    c.push(check(32, "zone changes are the consecutive zone differences of the pings", 
        "WITH p AS (SELECT visit_id, ping_number, zone, event_ts, store_id, customer_ble_id, customer_id, lag(zone) OVER (PARTITION BY visit_id ORDER BY ping_number) AS prev FROM fact_ble_pings), \
              expected AS (SELECT visit_id, row_number() OVER (PARTITION BY visit_id ORDER BY ping_number) AS change_number, ping_number, prev AS from_zone, zone AS to_zone, event_ts, store_id, customer_ble_id, customer_id \
                           FROM p WHERE prev IS NOT NULL AND prev <> zone) \
         SELECT coalesce(e.visit_id, z.visit_id) || ' change ' || coalesce(e.change_number, z.change_number) AS detail \
         FROM expected e FULL OUTER JOIN fact_customer_zone_changes z USING (visit_id, change_number) \
         WHERE e.visit_id IS NULL OR z.visit_id IS NULL OR e.ping_number <> z.ping_number OR e.from_zone <> z.from_zone OR e.to_zone <> z.to_zone \
           OR e.event_ts <> z.event_ts OR e.customer_ble_id <> z.customer_ble_id OR e.customer_id IS DISTINCT FROM z.customer_id OR e.store_id <> z.store_id"));
    c.push(check(33, "CHECKOUT visitors cover SALE checkouts per interval; 5 zones per interval", 
        "WITH sales AS (SELECT store_id, time_bucket(INTERVAL 15 MINUTE, event_ts::TIMESTAMP) AS bucket, count(*) AS n FROM fact_receipts WHERE receipt_type = 'SALE' GROUP BY 1, 2), \
              ft AS (SELECT store_id, interval_start_ts::TIMESTAMP AS bucket, visitor_count FROM fact_foot_traffic WHERE zone = 'CHECKOUT') \
         SELECT 'store ' || s.store_id || ' at ' || CAST(s.bucket AS VARCHAR) || ': ' || s.n || ' sales > ' || coalesce(ft.visitor_count, 0) || ' checkout visitors' AS detail \
         FROM sales s LEFT JOIN ft USING (store_id, bucket) WHERE coalesce(ft.visitor_count, 0) < s.n \
         UNION ALL SELECT 'store ' || store_id || ' interval ' || CAST(interval_start_ts AS VARCHAR) || ' has ' || count(*) || ' zone rows' FROM fact_foot_traffic GROUP BY store_id, interval_start_ts HAVING count(*) <> 5 \
         UNION ALL SELECT sensor_id FROM fact_foot_traffic WHERE visitor_count < 0 OR (visitor_count = 0) <> (avg_dwell_seconds = 0) OR event_ts <> interval_start_ts + INTERVAL 15 MINUTE"));
    c.push(check(33, "ENTRANCE visitors per store-day ≥ SALE receipts", 
        "WITH s AS (SELECT store_id, business_date, count(*) AS n FROM fact_receipts WHERE receipt_type = 'SALE' GROUP BY 1, 2), \
              e AS (SELECT store_id, business_date, sum(visitor_count) AS n FROM fact_foot_traffic WHERE zone = 'ENTRANCE' GROUP BY 1, 2) \
         SELECT 'store ' || s.store_id || ' ' || CAST(s.business_date AS VARCHAR) AS detail FROM s LEFT JOIN e USING (store_id, business_date) WHERE coalesce(e.n, 0) < s.n"));

    // ---- 35–36. marketing and attribution
    c.push(check(35, "impressions target real customers with their ad_id; creatives belong to the campaign; campaign active", 
        "SELECT m.impression_id AS detail FROM fact_marketing m LEFT JOIN dim_customers c USING (customer_id) \
         WHERE c.customer_id IS NULL OR m.customer_ad_id <> c.ad_id OR NOT starts_with(m.creative_id, m.campaign_id || '-C') \
            OR m.business_date < strptime(substr(m.campaign_id, 5, 8), '%Y%m%d')::DATE \
            OR m.business_date >= strptime(substr(m.campaign_id, 5, 8), '%Y%m%d')::DATE + CASE m.campaign_type WHEN 'SEASONAL_SALE' THEN 7 WHEN 'PRODUCT_LAUNCH' THEN 14 WHEN 'LOYALTY_PROGRAM' THEN 30 WHEN 'FLASH_SALE' THEN 1 ELSE 0 END \
            OR m.channel NOT IN ('FACEBOOK','GOOGLE','INSTAGRAM','YOUTUBE','EMAIL','DISPLAY','SEARCH','SOCIAL') OR m.device NOT IN ('MOBILE','DESKTOP','TABLET') OR m.cost_cents < 1"));
    c.push(check(36, "attribution = last touch within the window", format!(
        "WITH purchases AS (SELECT receipt_id AS id, customer_id, event_ts, attributed_impression_id AS got, attributed_campaign_id AS got_campaign, receipt_type = 'RETURN' AS is_return FROM fact_receipts \
                           UNION ALL SELECT order_id, customer_id, event_ts, attributed_impression_id, attributed_campaign_id, false FROM fact_online_order_headers), \
              cand AS (SELECT p.id, arg_max(m.impression_id, (m.event_ts, m.impression_id)) AS want FROM purchases p JOIN fact_marketing m ON m.customer_id = p.customer_id \
                       AND m.event_ts <= p.event_ts AND m.event_ts >= p.event_ts - INTERVAL {w} DAY AND m.business_date >= {start} WHERE NOT p.is_return GROUP BY p.id) \
         SELECT p.id || ': attributed ' || coalesce(p.got, 'NULL') || ', last touch ' || coalesce(c.want, 'NULL') AS detail \
         FROM purchases p LEFT JOIN cand c USING (id) LEFT JOIN fact_marketing m ON m.impression_id = p.got \
         WHERE (p.is_return AND (p.got IS NOT NULL OR p.got_campaign IS NOT NULL)) \
            OR (NOT p.is_return AND (p.got IS DISTINCT FROM c.want OR p.got_campaign IS DISTINCT FROM m.campaign_id))", w = p.attribution_window_days)));
    c
}
