//! Contract rows → Arrow record batches, and normalisation of foreign Arrow data (DuckDB
//! exports) to the canonical schema.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BooleanBuilder, Date32Builder, Decimal128Builder, Float64Builder,
    Int32Builder, Int64Builder, ListBuilder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow::compute::{CastOptions, cast_with_options};
use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use retail_schemas::{Cell, FieldDef, LogicalType, Row, TableDef};

use crate::error::{Result, StoreError};
use crate::schema::{
    MAX_ABS_CENTS, MONEY_PRECISION, MONEY_SCALE, UTC, arrow_schema, list_element_field,
};

/// Average string length used to pre-size string buffers; a guess only affects reallocation.
const STRING_BYTES_GUESS: usize = 16;

/// Builder of the physical column(s) of one declared field.
enum FieldBuilder {
    BigInt(Int64Builder),
    Integer(Int32Builder),
    Varchar(StringBuilder),
    Boolean(BooleanBuilder),
    Money(Int64Builder, Decimal128Builder),
    Timestamp(TimestampMicrosecondBuilder),
    Date(Date32Builder),
    Double(Float64Builder),
    ListBigInt(ListBuilder<Int64Builder>),
}

impl FieldBuilder {
    fn new(table: &TableDef, field: &FieldDef, rows: usize) -> Result<Self> {
        Ok(match field.ty {
            LogicalType::BigInt => FieldBuilder::BigInt(Int64Builder::with_capacity(rows)),
            LogicalType::Integer => FieldBuilder::Integer(Int32Builder::with_capacity(rows)),
            LogicalType::Varchar => FieldBuilder::Varchar(StringBuilder::with_capacity(
                rows,
                rows * STRING_BYTES_GUESS,
            )),
            LogicalType::Boolean => FieldBuilder::Boolean(BooleanBuilder::with_capacity(rows)),
            LogicalType::Money => FieldBuilder::Money(
                Int64Builder::with_capacity(rows),
                Decimal128Builder::with_capacity(rows)
                    .with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)
                    .map_err(|e| StoreError::arrow("decimal builder", e))?,
            ),
            LogicalType::Timestamp => FieldBuilder::Timestamp(
                TimestampMicrosecondBuilder::with_capacity(rows).with_timezone(UTC),
            ),
            LogicalType::Date => FieldBuilder::Date(Date32Builder::with_capacity(rows)),
            LogicalType::Double => FieldBuilder::Double(Float64Builder::with_capacity(rows)),
            LogicalType::ListBigInt => FieldBuilder::ListBigInt(
                ListBuilder::with_capacity(Int64Builder::with_capacity(rows * 2), rows)
                    .with_field(list_element_field()),
            ),
            LogicalType::Decimal | LogicalType::Lines => {
                return Err(StoreError::WrongTable {
                    table: table.name.to_owned(),
                    problem: format!(
                        "field {} of type {} has no table column",
                        field.name,
                        field.ty.contract_name()
                    ),
                });
            }
        })
    }

    /// Appends one cell; `None` when the cell does not fit the builder.
    #[inline]
    fn push(&mut self, cell: Cell<'_>) -> Option<()> {
        match (self, cell) {
            (FieldBuilder::BigInt(b), Cell::BigInt(v)) => b.append_value(v),
            (FieldBuilder::BigInt(b), Cell::Null) => b.append_null(),
            (FieldBuilder::Integer(b), Cell::Integer(v)) => b.append_value(v),
            (FieldBuilder::Integer(b), Cell::Null) => b.append_null(),
            (FieldBuilder::Varchar(b), Cell::Varchar(v)) => b.append_value(v),
            (FieldBuilder::Varchar(b), Cell::Null) => b.append_null(),
            (FieldBuilder::Boolean(b), Cell::Boolean(v)) => b.append_value(v),
            (FieldBuilder::Boolean(b), Cell::Null) => b.append_null(),
            (FieldBuilder::Money(c, d), Cell::Money(v)) => {
                if !(-MAX_ABS_CENTS..=MAX_ABS_CENTS).contains(&v) {
                    return None;
                }
                c.append_value(v);
                d.append_value(i128::from(v));
            }
            (FieldBuilder::Money(c, d), Cell::Null) => {
                c.append_null();
                d.append_null();
            }
            (FieldBuilder::Timestamp(b), Cell::Timestamp(v)) => b.append_value(v),
            (FieldBuilder::Timestamp(b), Cell::Null) => b.append_null(),
            (FieldBuilder::Date(b), Cell::Date(v)) => b.append_value(v),
            (FieldBuilder::Date(b), Cell::Null) => b.append_null(),
            (FieldBuilder::Double(b), Cell::Double(v)) => b.append_value(v),
            (FieldBuilder::Double(b), Cell::Null) => b.append_null(),
            (FieldBuilder::ListBigInt(b), Cell::ListBigInt(v)) => {
                b.values().append_slice(v);
                b.append(true);
            }
            (FieldBuilder::ListBigInt(b), Cell::Null) => b.append_null(),
            _ => return None,
        }
        Some(())
    }

    fn finish(self, out: &mut Vec<ArrayRef>) {
        match self {
            FieldBuilder::BigInt(mut b) => out.push(Arc::new(b.finish())),
            FieldBuilder::Integer(mut b) => out.push(Arc::new(b.finish())),
            FieldBuilder::Varchar(mut b) => out.push(Arc::new(b.finish())),
            FieldBuilder::Boolean(mut b) => out.push(Arc::new(b.finish())),
            FieldBuilder::Money(mut c, mut d) => {
                out.push(Arc::new(c.finish()));
                out.push(Arc::new(d.finish()));
            }
            FieldBuilder::Timestamp(mut b) => out.push(Arc::new(b.finish())),
            FieldBuilder::Date(mut b) => out.push(Arc::new(b.finish())),
            FieldBuilder::Double(mut b) => out.push(Arc::new(b.finish())),
            FieldBuilder::ListBigInt(mut b) => out.push(Arc::new(b.finish())),
        }
    }
}

fn cell_problem(field: &FieldDef, cell: &Cell<'_>) -> String {
    match cell {
        Cell::Null => "NULL in a NOT NULL column".to_owned(),
        Cell::Money(v) => format!("{v} cents does not fit DECIMAL(12,2)"),
        other => format!(
            "value {other:?} does not fit type {}",
            field.ty.contract_name()
        ),
    }
}

/// Converts contract rows into one Arrow record batch with the table's canonical schema
/// ([`crate::schema::arrow_schema`]): money as `<stem>_cents` Int64 + `<stem>` Decimal128(12,2),
/// timestamps as Timestamp(µs, "UTC"), dates as Date32, `Vec<i64>` as `List<Int64>`, `Option`
/// as nulls.
///
/// Fails (never panics) when a value breaks the contract: a NULL in a NOT NULL column, or a
/// money value outside DECIMAL(12,2).
pub fn to_record_batch<R: Row>(rows: &[R]) -> Result<RecordBatch> {
    let def = R::def();
    let schema = arrow_schema(def)?;
    let mut builders = def
        .fields
        .iter()
        .map(|f| FieldBuilder::new(def, f, rows.len()))
        .collect::<Result<Vec<_>>>()?;
    let mut cells: Vec<Cell<'_>> = Vec::with_capacity(def.fields.len());
    for row in rows {
        cells.clear();
        row.cells(&mut cells);
        if cells.len() != builders.len() {
            return Err(StoreError::WrongTable {
                table: def.name.to_owned(),
                problem: format!(
                    "row yields {} cells for {} fields",
                    cells.len(),
                    builders.len()
                ),
            });
        }
        for ((builder, cell), field) in builders.iter_mut().zip(&cells).zip(def.fields) {
            let rejected =
                (matches!(cell, Cell::Null) && !field.nullable) || builder.push(*cell).is_none();
            if rejected {
                return Err(StoreError::ContractMismatch {
                    table: def.name.to_owned(),
                    column: field.name.to_owned(),
                    problem: cell_problem(field, cell),
                });
            }
        }
    }
    let mut columns = Vec::with_capacity(schema.fields().len());
    for b in builders {
        b.finish(&mut columns);
    }
    RecordBatch::try_new(schema, columns)
        .map_err(|e| StoreError::arrow(format!("building a {} batch", def.name), e))
}

/// Converts rows into batches of at most `chunk_rows` rows each (the last may be shorter).
pub fn to_record_batches<R: Row>(rows: &[R], chunk_rows: usize) -> Result<Vec<RecordBatch>> {
    if chunk_rows == 0 {
        return Err(StoreError::InvalidOption("chunk_rows must be > 0".into()));
    }
    rows.chunks(chunk_rows).map(to_record_batch).collect()
}

/// Casts a batch with the right columns but possibly different physical types (a DuckDB
/// export: other time-zone label, list element name, string views, all-nullable fields) to the
/// canonical schema of `def`. Column names must match in order.
pub fn normalize_batch(def: &TableDef, batch: &RecordBatch) -> Result<RecordBatch> {
    let schema = arrow_schema(def)?;
    normalize_to_schema(def.name, &schema, batch)
}

pub(crate) fn normalize_to_schema(
    table: &str,
    schema: &SchemaRef,
    batch: &RecordBatch,
) -> Result<RecordBatch> {
    check_column_names(table, schema, batch)?;
    if batch.schema().fields() == schema.fields() {
        return RecordBatch::try_new(schema.clone(), batch.columns().to_vec())
            .map_err(|e| StoreError::arrow(format!("re-labelling a {table} batch"), e));
    }
    let options = CastOptions {
        safe: false,
        ..Default::default()
    };
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(col, field)| {
            if col.data_type() == field.data_type() {
                Ok(col.clone())
            } else {
                cast_with_options(col, field.data_type(), &options)
                    .map_err(|e| StoreError::arrow(format!("casting {table}.{}", field.name()), e))
            }
        })
        .collect::<Result<Vec<_>>>()?;
    RecordBatch::try_new(schema.clone(), columns)
        .map_err(|e| StoreError::arrow(format!("normalising a {table} batch"), e))
}

pub(crate) fn check_column_names(
    table: &str,
    schema: &SchemaRef,
    batch: &RecordBatch,
) -> Result<()> {
    let got: Vec<&str> = batch
        .schema_ref()
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    let want: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    if got != want {
        return Err(StoreError::WrongTable {
            table: table.to_owned(),
            problem: format!("batch columns {got:?} differ from the contract columns {want:?}"),
        });
    }
    Ok(())
}
