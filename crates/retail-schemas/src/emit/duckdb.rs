//! DuckDB DDL (data-contract §9.2): explicit types, `NOT NULL` from the contract, no keys.

use crate::row::TableDef;
use crate::types::LogicalType;

/// The DuckDB type of a physical column type. [`LogicalType::Lines`] has no fixed text (see
/// [`column_type`]); [`LogicalType::Money`] never reaches a column.
pub fn sql_type(ty: LogicalType) -> &'static str {
    match ty {
        LogicalType::BigInt => "BIGINT",
        LogicalType::Integer => "INTEGER",
        LogicalType::Varchar => "VARCHAR",
        LogicalType::Boolean => "BOOLEAN",
        LogicalType::Money | LogicalType::Decimal => "DECIMAL(12,2)",
        LogicalType::Timestamp => "TIMESTAMPTZ",
        LogicalType::Date => "DATE",
        LogicalType::Double => "DOUBLE",
        LogicalType::ListBigInt => "BIGINT[]",
        LogicalType::Lines => "STRUCT[]",
    }
}

/// The DuckDB type of column `name` of `def`; embedded `lines` become a `STRUCT(…)[]` of the
/// line item's columns.
pub fn column_type(def: &TableDef, name: &str, ty: LogicalType) -> String {
    match (ty, def.field(name).and_then(|f| f.lines_of)) {
        (LogicalType::Lines, Some(item)) => {
            let item = item();
            let members: Vec<String> = item
                .columns()
                .iter()
                .map(|c| format!("{} {}", c.name, column_type(item, c.name, c.ty)))
                .collect();
            format!("STRUCT({})[]", members.join(", "))
        }
        _ => sql_type(ty).to_owned(),
    }
}

/// `CREATE TABLE IF NOT EXISTS <name> (…);` with one line per column.
pub fn create_table(def: &TableDef) -> String {
    let cols = def.columns();
    let mut out = format!("CREATE TABLE IF NOT EXISTS {} (\n", def.name);
    for (i, c) in cols.iter().enumerate() {
        out.push_str("    ");
        out.push_str(c.name);
        out.push(' ');
        out.push_str(&column_type(def, c.name, c.ty));
        if !c.nullable {
            out.push_str(" NOT NULL");
        }
        if i + 1 < cols.len() {
            out.push(',');
        }
        out.push('\n');
    }
    out.push_str(");\n");
    out
}

/// DDL of the `_meta(key, value)` table of data-contract §9.2.
pub const META_TABLE_DDL: &str = "CREATE TABLE IF NOT EXISTS _meta (\n    key VARCHAR NOT NULL,\n    value VARCHAR NOT NULL\n);\n";

/// DDL of all 25 tables (contract order) followed by `_meta`.
pub fn script() -> String {
    let mut out = String::new();
    for def in crate::all_tables() {
        out.push_str(&create_table(def));
        out.push('\n');
    }
    out.push_str(META_TABLE_DDL);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::{FACT_PROMOTIONS, FACT_TRUCK_MOVES};

    #[test]
    fn ddl_uses_contract_types_and_nullability() {
        let ddl = create_table(&FACT_PROMOTIONS);
        assert!(ddl.starts_with("CREATE TABLE IF NOT EXISTS fact_promotions (\n"));
        assert!(ddl.contains("    receipt_id VARCHAR,\n"));
        assert!(ddl.contains("    product_ids BIGINT[] NOT NULL,\n"));
        assert!(ddl.contains(
            "    discount_cents BIGINT NOT NULL,\n    discount DECIMAL(12,2) NOT NULL\n);"
        ));
        let ddl = create_table(&FACT_TRUCK_MOVES);
        assert!(ddl.contains("    eta_ts TIMESTAMPTZ NOT NULL,\n"));
        assert!(ddl.contains("    dwell_minutes DOUBLE\n"));
        assert!(!ddl.to_uppercase().contains("PRIMARY KEY"));
    }

    #[test]
    fn embedded_lines_become_a_list_of_structs() {
        let def = &crate::events::PROMOTION_APPLIED;
        assert!(create_table(def).contains(
            "lines STRUCT(line_number INTEGER, product_id BIGINT, quantity INTEGER, gross_cents BIGINT, gross DECIMAL(12,2), discount_cents BIGINT, discount DECIMAL(12,2))[] NOT NULL"
        ));
    }
}
