//! Physical schemas derived from the contract metadata (data-contract §2.2): the Arrow schema
//! every writer uses and the DuckDB DDL of every table.
//!
//! Nothing here restates a column list: everything comes from [`TableDef::columns`].

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, SchemaRef};
use retail_schemas::{LogicalType, TableDef};

use crate::error::{Result, StoreError};

/// Precision of every DECIMAL money column.
pub const MONEY_PRECISION: u8 = 12;
/// Scale of every DECIMAL money column.
pub const MONEY_SCALE: i8 = 2;
/// Largest absolute number of cents a DECIMAL(12,2) column holds.
pub const MAX_ABS_CENTS: i64 = 999_999_999_999;
/// Time zone of every TIMESTAMP column.
pub const UTC: &str = "UTC";

/// The element field of `LIST<BIGINT>` columns: non-null Int64 items (`containsNull = false`),
/// named as in [`retail_schemas::emit::arrow`].
pub fn list_element_field() -> Arc<Field> {
    Arc::new(Field::new_list_field(DataType::Int64, false))
}

fn table_column_check(def: &TableDef) -> Result<()> {
    match def
        .columns()
        .iter()
        .find(|c| matches!(c.ty, LogicalType::Lines | LogicalType::Money))
    {
        Some(c) => Err(StoreError::WrongTable {
            table: def.name.to_owned(),
            problem: format!(
                "column {} of type {} has no table representation",
                c.name,
                c.ty.contract_name()
            ),
        }),
        None => Ok(()),
    }
}

/// The Arrow schema of a table ([`retail_schemas::emit::arrow::arrow_schema`]): one field per
/// physical column, nullability from the contract. Payload shapes with embedded `lines` are
/// refused: they are not tables.
pub fn arrow_schema(def: &TableDef) -> Result<SchemaRef> {
    table_column_check(def)?;
    Ok(Arc::new(retail_schemas::emit::arrow::arrow_schema(def)))
}

/// Quotes an identifier for DuckDB (contract names are plain snake_case, but `date` and
/// `year` are keywords).
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `CREATE TABLE` statement of a table ([`retail_schemas::emit::duckdb::create_table`]):
/// explicit types and NOT NULL, no keys (§9.2).
pub fn create_table_sql(def: &TableDef) -> Result<String> {
    table_column_check(def)?;
    Ok(retail_schemas::emit::duckdb::create_table(def))
}

/// Name of the metadata table of the DuckDB file.
pub const META_TABLE: &str = "_meta";

/// `CREATE TABLE` statement of `_meta`.
pub fn create_meta_sql() -> &'static str {
    retail_schemas::emit::duckdb::META_TABLE_DDL
}

/// Column names of the sort order of a table's files: `business_date` (when the table has
/// one) followed by the primary key (data-contract §9.3, §12.5).
pub fn sort_columns(def: &TableDef) -> Vec<&'static str> {
    let mut out = Vec::with_capacity(def.primary_key.len() + 1);
    if def.field("business_date").is_some() && !def.primary_key.contains(&"business_date") {
        out.push("business_date");
    }
    out.extend_from_slice(def.primary_key);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use retail_schemas::tables::{DIM_DATE, FACT_PROMOTIONS, FACT_RECEIPT_LINES};

    #[test]
    fn money_expands_to_int64_and_decimal() {
        let schema = arrow_schema(&FACT_RECEIPT_LINES).unwrap();
        let cents = schema.field_with_name("unit_price_cents").unwrap();
        let dec = schema.field_with_name("unit_price").unwrap();
        assert_eq!(cents.data_type(), &DataType::Int64);
        assert_eq!(dec.data_type(), &DataType::Decimal128(12, 2));
        assert!(schema.field_with_name("promo_code").unwrap().is_nullable());
        assert!(!schema.field_with_name("receipt_id").unwrap().is_nullable());
    }

    #[test]
    fn payload_shapes_with_lines_are_not_tables() {
        let err = arrow_schema(&retail_schemas::events::PROMOTION_APPLIED).unwrap_err();
        assert!(err.to_string().contains("no table representation"), "{err}");
        assert!(create_table_sql(&FACT_PROMOTIONS).is_ok());
    }

    #[test]
    fn sort_columns_put_business_date_first_for_facts_only() {
        assert_eq!(
            sort_columns(&FACT_RECEIPT_LINES),
            ["business_date", "receipt_id", "line_number"]
        );
        assert_eq!(sort_columns(&DIM_DATE), ["date_key"]);
    }
}
