//! Arrow schemas (data-contract §2.2): Decimal128(12,2), Timestamp(µs, "UTC"), Date32,
//! `List<Int64>` with non-null items, nullability from the contract.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, TimeUnit};

use crate::row::TableDef;
use crate::types::LogicalType;

/// The Arrow type of column `name` (of logical type `ty`) of `def`.
pub fn data_type(def: &TableDef, name: &str, ty: LogicalType) -> DataType {
    match ty {
        LogicalType::BigInt => DataType::Int64,
        LogicalType::Integer => DataType::Int32,
        LogicalType::Varchar => DataType::Utf8,
        LogicalType::Boolean => DataType::Boolean,
        LogicalType::Money | LogicalType::Decimal => DataType::Decimal128(12, 2),
        LogicalType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        LogicalType::Date => DataType::Date32,
        LogicalType::Double => DataType::Float64,
        LogicalType::ListBigInt => {
            DataType::List(Arc::new(Field::new_list_field(DataType::Int64, false)))
        }
        LogicalType::Lines => {
            let item = def
                .field(name)
                .and_then(|f| f.lines_of)
                .map(|f| f())
                .map(|item| arrow_schema(item).fields().clone())
                .unwrap_or_default();
            DataType::List(Arc::new(Field::new_list_field(
                DataType::Struct(item),
                false,
            )))
        }
    }
}

/// The Arrow schema of a table or payload: one field per physical column, in contract order.
pub fn arrow_schema(def: &TableDef) -> Schema {
    let fields: Vec<Field> = def
        .columns()
        .iter()
        .map(|c| Field::new(c.name, data_type(def, c.name, c.ty), c.nullable))
        .collect();
    Schema::new(fields)
}

/// A readable listing of the schema: `table <name>` then `  <column>: <type> [NOT NULL]`.
pub fn render(def: &TableDef) -> String {
    let mut out = format!("table {}\n", def.name);
    for f in arrow_schema(def).fields() {
        out.push_str(&format!(
            "  {}: {}{}\n",
            f.name(),
            f.data_type(),
            if f.is_nullable() { "" } else { " NOT NULL" }
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::{FACT_PROMOTIONS, FACT_RECEIPTS};

    #[test]
    fn types_and_nullability_follow_the_contract() {
        let s = arrow_schema(&FACT_RECEIPTS);
        let f = s.field_with_name("event_ts").unwrap();
        assert_eq!(
            f.data_type(),
            &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        );
        assert!(!f.is_nullable());
        assert_eq!(
            s.field_with_name("total").unwrap().data_type(),
            &DataType::Decimal128(12, 2)
        );
        assert!(s.field_with_name("visit_id").unwrap().is_nullable());
        assert_eq!(
            s.field_with_name("business_date").unwrap().data_type(),
            &DataType::Date32
        );
        let ids = arrow_schema(&FACT_PROMOTIONS);
        let DataType::List(item) = ids.field_with_name("product_ids").unwrap().data_type() else {
            panic!("product_ids is a list")
        };
        assert_eq!(item.data_type(), &DataType::Int64);
        assert!(!item.is_nullable());
    }
}
