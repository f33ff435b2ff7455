//! The typed event tables (fabric.md §3.1–§3.2 in DuckDB): the 9 envelope columns followed by
//! the payload columns of the event type, every column list taken from the schema emitters of
//! `retail-schemas` — and the Arrow batches that fill them.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Decimal128Builder, Float64Builder, Int32Builder,
    Int64Builder, ListArray, ListBuilder, StringBuilder, StructArray, TimestampMicrosecondBuilder,
};
use arrow::buffer::OffsetBuffer;
use arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;
use retail_schemas::emit::{arrow as arrow_emit, duckdb as duckdb_emit, kql};
use retail_schemas::events::Envelope;
use retail_schemas::{Cell, EventType, FieldDef, LogicalType, TableDef};

use crate::error::{EventhouseError, Result};

/// Envelope columns that may be NULL (events.md §2.1: optional linkage fields).
const NULLABLE_ENVELOPE_COLUMNS: [&str; 3] = ["correlation_id", "session_id", "parent_event_id"];

fn envelope_logical_type(kql_type: &str) -> LogicalType {
    match kql_type {
        "datetime" => LogicalType::Timestamp,
        _ => LogicalType::Varchar,
    }
}

/// `(name, DuckDB type, nullable)` of the envelope columns, from the KQL emitter's list.
fn envelope_columns() -> impl Iterator<Item = (&'static str, LogicalType, bool)> {
    kql::ENVELOPE_COLUMNS.iter().map(|(name, kql_type)| {
        (
            *name,
            envelope_logical_type(kql_type),
            NULLABLE_ENVELOPE_COLUMNS.contains(name),
        )
    })
}

/// `CREATE TABLE IF NOT EXISTS <event_type> (…)`: envelope then payload columns, the payload's
/// types and NOT NULL constraints from the contract (DuckDB emitter).
pub fn create_typed_table_sql(event_type: EventType) -> String {
    create_table_sql(event_type.name(), event_type, false)
}

pub(crate) fn create_table_sql(name: &str, event_type: EventType, temporary: bool) -> String {
    let def = event_type.payload_def();
    let mut columns: Vec<String> = envelope_columns()
        .map(|(name, ty, nullable)| {
            format!(
                "{name} {}{}",
                duckdb_emit::sql_type(ty),
                if nullable { "" } else { " NOT NULL" }
            )
        })
        .collect();
    columns.extend(def.columns().iter().map(|c| {
        format!(
            "{} {}{}",
            c.name,
            duckdb_emit::column_type(def, c.name, c.ty),
            if c.nullable { "" } else { " NOT NULL" }
        )
    }));
    format!(
        "CREATE {}TABLE IF NOT EXISTS {name} ({})",
        if temporary { "TEMP " } else { "" },
        columns.join(", ")
    )
}

/// The Arrow schema of a typed table (envelope + payload, Arrow emitter for the payload).
pub fn typed_table_schema(event_type: EventType) -> SchemaRef {
    let mut fields: Vec<Field> = envelope_columns()
        .map(|(name, ty, nullable)| Field::new(name, envelope_arrow_type(ty), nullable))
        .collect();
    let payload = arrow_emit::arrow_schema(event_type.payload_def());
    fields.extend(payload.fields().iter().map(|f| f.as_ref().clone()));
    Arc::new(Schema::new(fields))
}

fn envelope_arrow_type(ty: LogicalType) -> DataType {
    match ty {
        LogicalType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        _ => DataType::Utf8,
    }
}

/// The envelope column `name` of `envelope` as a cell (names from [`kql::ENVELOPE_COLUMNS`]).
fn envelope_cell<'a>(envelope: &'a Envelope, name: &str, scratch: &'a [String; 2]) -> Cell<'a> {
    let opt = |v: &'a Option<String>| v.as_deref().map_or(Cell::Null, Cell::Varchar);
    match name {
        "event_type" => Cell::Varchar(envelope.event_type.name()),
        "schema_version" => Cell::Varchar(&envelope.schema_version),
        "source" => Cell::Varchar(&envelope.source),
        "trace_id" => Cell::Varchar(&scratch[0]),
        "ingest_timestamp" => Cell::Timestamp(envelope.ingest_timestamp.0),
        "correlation_id" => opt(&envelope.correlation_id),
        "partition_key" => Cell::Varchar(&envelope.partition_key),
        "session_id" => opt(&envelope.session_id),
        "parent_event_id" => {
            if envelope.parent_event_id.is_some() {
                Cell::Varchar(&scratch[1])
            } else {
                Cell::Null
            }
        }
        _ => Cell::Null,
    }
}

/// Builder of the physical column(s) of one declared field.
enum FieldBuilder {
    BigInt(Int64Builder),
    Integer(Int32Builder),
    Varchar(StringBuilder),
    Boolean(BooleanBuilder),
    Money(Int64Builder, Decimal128Builder),
    Decimal(Decimal128Builder),
    Timestamp(TimestampMicrosecondBuilder),
    Date(Date32Builder),
    Double(Float64Builder),
    ListBigInt(ListBuilder<Int64Builder>),
    Lines(Box<LinesBuilder>),
}

/// `lines`: a list of line-item structs, built column by column.
struct LinesBuilder {
    item_fields: Fields,
    list_field: Arc<Field>,
    children: Vec<FieldBuilder>,
    item_def: &'static TableDef,
    offsets: Vec<i32>,
}

fn decimal_builder() -> Decimal128Builder {
    Decimal128Builder::new()
        .with_precision_and_scale(12, 2)
        .unwrap_or_else(|_| Decimal128Builder::new())
}

impl FieldBuilder {
    fn new(def: &'static TableDef, field: &FieldDef) -> Self {
        match field.ty {
            LogicalType::BigInt => FieldBuilder::BigInt(Int64Builder::new()),
            LogicalType::Integer => FieldBuilder::Integer(Int32Builder::new()),
            LogicalType::Varchar => FieldBuilder::Varchar(StringBuilder::new()),
            LogicalType::Boolean => FieldBuilder::Boolean(BooleanBuilder::new()),
            LogicalType::Money => FieldBuilder::Money(Int64Builder::new(), decimal_builder()),
            LogicalType::Decimal => FieldBuilder::Decimal(decimal_builder()),
            LogicalType::Timestamp => {
                FieldBuilder::Timestamp(TimestampMicrosecondBuilder::new().with_timezone("UTC"))
            }
            LogicalType::Date => FieldBuilder::Date(Date32Builder::new()),
            LogicalType::Double => FieldBuilder::Double(Float64Builder::new()),
            LogicalType::ListBigInt => FieldBuilder::ListBigInt(
                ListBuilder::new(Int64Builder::new())
                    .with_field(Arc::new(Field::new_list_field(DataType::Int64, false))),
            ),
            LogicalType::Lines => {
                let list_type = arrow_emit::data_type(def, field.name, LogicalType::Lines);
                let (list_field, item_fields) = match &list_type {
                    DataType::List(item) => match item.data_type() {
                        DataType::Struct(fields) => (item.clone(), fields.clone()),
                        _ => (item.clone(), Fields::empty()),
                    },
                    _ => (
                        Arc::new(Field::new_list_field(DataType::Null, true)),
                        Fields::empty(),
                    ),
                };
                let item_def = field.lines_of.map(|f| f()).unwrap_or(def);
                let children = item_def
                    .fields
                    .iter()
                    .map(|f| FieldBuilder::new(item_def, f))
                    .collect();
                FieldBuilder::Lines(Box::new(LinesBuilder {
                    item_fields,
                    list_field,
                    children,
                    item_def,
                    offsets: vec![0],
                }))
            }
        }
    }

    /// Appends one cell; `false` when the cell does not fit the builder.
    fn push(&mut self, cell: Cell<'_>) -> bool {
        match (self, cell) {
            (FieldBuilder::BigInt(b), Cell::BigInt(v)) => b.append_value(v),
            (FieldBuilder::Integer(b), Cell::Integer(v)) => b.append_value(v),
            (FieldBuilder::Varchar(b), Cell::Varchar(v)) => b.append_value(v),
            (FieldBuilder::Boolean(b), Cell::Boolean(v)) => b.append_value(v),
            (FieldBuilder::Money(c, d), Cell::Money(v)) => {
                c.append_value(v);
                d.append_value(i128::from(v));
            }
            (FieldBuilder::Decimal(d), Cell::Money(v)) => d.append_value(i128::from(v)),
            (FieldBuilder::Timestamp(b), Cell::Timestamp(v)) => b.append_value(v),
            (FieldBuilder::Date(b), Cell::Date(v)) => b.append_value(v),
            (FieldBuilder::Double(b), Cell::Double(v)) => b.append_value(v),
            (FieldBuilder::ListBigInt(b), Cell::ListBigInt(v)) => {
                b.values().append_slice(v);
                b.append(true);
            }
            (FieldBuilder::Lines(lines), Cell::Lines(list)) => {
                let mut cells = Vec::new();
                for i in 0..list.len() {
                    cells.clear();
                    list.get(i).dyn_cells(&mut cells);
                    for (child, cell) in lines.children.iter_mut().zip(&cells) {
                        if !child.push(*cell) {
                            return false;
                        }
                    }
                }
                let last = lines.offsets.last().copied().unwrap_or(0);
                lines.offsets.push(last + list.len() as i32);
            }
            (builder, Cell::Null) => builder.push_null(),
            _ => return false,
        }
        true
    }

    fn push_null(&mut self) {
        match self {
            FieldBuilder::BigInt(b) => b.append_null(),
            FieldBuilder::Integer(b) => b.append_null(),
            FieldBuilder::Varchar(b) => b.append_null(),
            FieldBuilder::Boolean(b) => b.append_null(),
            FieldBuilder::Money(c, d) => {
                c.append_null();
                d.append_null();
            }
            FieldBuilder::Decimal(d) => d.append_null(),
            FieldBuilder::Timestamp(b) => b.append_null(),
            FieldBuilder::Date(b) => b.append_null(),
            FieldBuilder::Double(b) => b.append_null(),
            FieldBuilder::ListBigInt(b) => b.append_null(),
            // `lines` is NOT NULL in the contract: an empty list stands in.
            FieldBuilder::Lines(lines) => {
                let last = lines.offsets.last().copied().unwrap_or(0);
                lines.offsets.push(last);
            }
        }
    }

    fn finish(self, out: &mut Vec<ArrayRef>) -> Result<()> {
        match self {
            FieldBuilder::BigInt(mut b) => out.push(Arc::new(b.finish())),
            FieldBuilder::Integer(mut b) => out.push(Arc::new(b.finish())),
            FieldBuilder::Varchar(mut b) => out.push(Arc::new(b.finish())),
            FieldBuilder::Boolean(mut b) => out.push(Arc::new(b.finish())),
            FieldBuilder::Money(mut c, mut d) => {
                out.push(Arc::new(c.finish()));
                out.push(Arc::new(d.finish()));
            }
            FieldBuilder::Decimal(mut d) => out.push(Arc::new(d.finish())),
            FieldBuilder::Timestamp(mut b) => out.push(Arc::new(b.finish())),
            FieldBuilder::Date(mut b) => out.push(Arc::new(b.finish())),
            FieldBuilder::Double(mut b) => out.push(Arc::new(b.finish())),
            FieldBuilder::ListBigInt(mut b) => out.push(Arc::new(b.finish())),
            FieldBuilder::Lines(lines) => {
                let LinesBuilder {
                    item_fields,
                    list_field,
                    children,
                    item_def,
                    offsets,
                    ..
                } = *lines;
                let mut arrays = Vec::new();
                for child in children {
                    child.finish(&mut arrays)?;
                }
                let items = StructArray::try_new(item_fields, arrays, None).map_err(|e| {
                    EventhouseError::arrow(format!("building {} items", item_def.name), e)
                })?;
                let list = ListArray::try_new(
                    list_field,
                    OffsetBuffer::new(offsets.into()),
                    Arc::new(items),
                    None,
                )
                .map_err(|e| EventhouseError::arrow("building a lines list", e))?;
                out.push(Arc::new(list));
            }
        }
        Ok(())
    }
}

/// Accumulates the events of one type of a micro-batch into one Arrow record batch with the
/// typed table's schema.
pub(crate) struct TypedBatchBuilder {
    event_type: EventType,
    def: &'static TableDef,
    envelope: Vec<FieldBuilder>,
    payload: Vec<FieldBuilder>,
    rows: usize,
}

static ENVELOPE_FIELD_DEFS: std::sync::OnceLock<Vec<FieldDef>> = std::sync::OnceLock::new();

fn envelope_field_defs() -> &'static [FieldDef] {
    ENVELOPE_FIELD_DEFS.get_or_init(|| {
        envelope_columns()
            .map(|(name, ty, nullable)| FieldDef {
                name,
                cents_name: "",
                ty,
                nullable,
                doc: "",
                decimal_doc: "",
                lines_of: None,
            })
            .collect()
    })
}

impl TypedBatchBuilder {
    pub(crate) fn new(event_type: EventType) -> Self {
        let def = event_type.payload_def();
        Self {
            event_type,
            def,
            envelope: envelope_field_defs()
                .iter()
                .map(|f| FieldBuilder::new(def, f))
                .collect(),
            payload: def
                .fields
                .iter()
                .map(|f| FieldBuilder::new(def, f))
                .collect(),
            rows: 0,
        }
    }

    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// Appends one event (its type must be this builder's).
    pub(crate) fn push(&mut self, envelope: &Envelope) -> Result<()> {
        let scratch = [
            envelope.trace_id.to_string(),
            envelope
                .parent_event_id
                .map(|u| u.to_string())
                .unwrap_or_default(),
        ];
        let contract = |column: &str, problem: String| EventhouseError::Contract {
            table: self.event_type.name().to_owned(),
            column: column.to_owned(),
            problem,
        };
        for (builder, field) in self.envelope.iter_mut().zip(envelope_field_defs()) {
            let cell = envelope_cell(envelope, field.name, &scratch);
            if !builder.push(cell) {
                return Err(contract(field.name, format!("cannot hold {cell:?}")));
            }
        }
        let mut cells = Vec::with_capacity(self.def.fields.len());
        envelope.payload.as_row().dyn_cells(&mut cells);
        for ((builder, field), cell) in self.payload.iter_mut().zip(self.def.fields).zip(&cells) {
            if matches!(cell, Cell::Null) && !field.nullable {
                return Err(contract(field.name, "NULL in a NOT NULL column".into()));
            }
            if !builder.push(*cell) {
                return Err(contract(field.name, format!("cannot hold {cell:?}")));
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// The accumulated rows as one record batch.
    pub(crate) fn finish(self) -> Result<RecordBatch> {
        let schema = typed_table_schema(self.event_type);
        let mut columns = Vec::with_capacity(schema.fields().len());
        for b in self.envelope.into_iter().chain(self.payload) {
            b.finish(&mut columns)?;
        }
        RecordBatch::try_new(schema, columns).map_err(|e| {
            EventhouseError::arrow(format!("building a {} batch", self.event_type.name()), e)
        })
    }
}
