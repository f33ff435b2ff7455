//! Canonical per-table content hashes (data-contract §12.7): SHA-256 over the rows in file
//! order (`business_date`, primary key), each value in a fixed binary encoding. The same rows
//! give the same hash whether they come from Rust rows, Parquet files or DuckDB, and however
//! they are split into batches.

use std::fmt;
use std::path::PathBuf;

use arrow::array::{
    Array, AsArray, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int32Array,
    Int64Array, ListArray, StringArray, TimestampMicrosecondArray,
};
use arrow::datatypes::{DataType, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;
use retail_schemas::{Row, TableDef};
use sha2::{Digest, Sha256};

use crate::convert::{normalize_to_schema, to_record_batches};
use crate::error::{Result, StoreError};
use crate::parquet_out::ParquetBatches;
use crate::schema::arrow_schema;

/// Row count and SHA-256 of a table's content.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContentHash {
    /// Number of rows hashed.
    pub rows: u64,
    /// SHA-256 digest.
    pub sha256: [u8; 32],
}

impl ContentHash {
    /// The digest as lower-case hex.
    pub fn hex(&self) -> String {
        hex::encode(self.sha256)
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} rows, sha256 {}", self.rows, self.hex())
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

enum Column<'a> {
    Int64(&'a Int64Array),
    Int32(&'a Int32Array),
    Utf8(&'a StringArray),
    Boolean(&'a BooleanArray),
    Decimal(&'a Decimal128Array),
    Timestamp(&'a TimestampMicrosecondArray),
    Date(&'a Date32Array),
    Float64(&'a Float64Array),
    List(&'a ListArray),
}

impl<'a> Column<'a> {
    fn of(array: &'a dyn Array) -> Option<Self> {
        Some(match array.data_type() {
            DataType::Int64 => Column::Int64(array.as_primitive_opt()?),
            DataType::Int32 => Column::Int32(array.as_primitive_opt()?),
            DataType::Utf8 => Column::Utf8(array.as_string_opt()?),
            DataType::Boolean => Column::Boolean(array.as_boolean_opt()?),
            DataType::Decimal128(_, _) => Column::Decimal(array.as_primitive_opt()?),
            DataType::Timestamp(TimeUnit::Microsecond, _) => {
                Column::Timestamp(array.as_primitive_opt()?)
            }
            DataType::Date32 => Column::Date(array.as_primitive_opt()?),
            DataType::Float64 => Column::Float64(array.as_primitive_opt()?),
            DataType::List(_) => Column::List(array.as_list_opt()?),
            _ => return None,
        })
    }

    fn is_null(&self, i: usize) -> bool {
        match self {
            Column::Int64(a) => a.is_null(i),
            Column::Int32(a) => a.is_null(i),
            Column::Utf8(a) => a.is_null(i),
            Column::Boolean(a) => a.is_null(i),
            Column::Decimal(a) => a.is_null(i),
            Column::Timestamp(a) => a.is_null(i),
            Column::Date(a) => a.is_null(i),
            Column::Float64(a) => a.is_null(i),
            Column::List(a) => a.is_null(i),
        }
    }

    fn encode(&self, i: usize, out: &mut Vec<u8>) {
        if self.is_null(i) {
            out.push(0);
            return;
        }
        out.push(1);
        match self {
            Column::Int64(a) => out.extend_from_slice(&a.value(i).to_le_bytes()),
            Column::Int32(a) => out.extend_from_slice(&a.value(i).to_le_bytes()),
            Column::Utf8(a) => {
                let s = a.value(i).as_bytes();
                out.extend_from_slice(&(s.len() as u64).to_le_bytes());
                out.extend_from_slice(s);
            }
            Column::Boolean(a) => out.push(u8::from(a.value(i))),
            Column::Decimal(a) => out.extend_from_slice(&a.value(i).to_le_bytes()),
            Column::Timestamp(a) => out.extend_from_slice(&a.value(i).to_le_bytes()),
            Column::Date(a) => out.extend_from_slice(&a.value(i).to_le_bytes()),
            Column::Float64(a) => out.extend_from_slice(&a.value(i).to_bits().to_le_bytes()),
            Column::List(a) => {
                let items = a.value(i);
                let items: Option<&Int64Array> = items.as_primitive_opt();
                match items {
                    Some(items) => {
                        out.extend_from_slice(&(items.len() as u64).to_le_bytes());
                        for v in items.values() {
                            out.extend_from_slice(&v.to_le_bytes());
                        }
                    }
                    None => out.push(0xff),
                }
            }
        }
    }
}

/// Incremental content hash of one table; feed batches in file order.
pub struct ContentHasher {
    table: &'static str,
    schema: SchemaRef,
    digest: Sha256,
    rows: u64,
    scratch: Vec<u8>,
}

impl ContentHasher {
    /// A hasher for `def`; the table name and column names are part of the hash.
    pub fn new(def: &'static TableDef) -> Result<Self> {
        let schema = arrow_schema(def)?;
        let mut digest = Sha256::new();
        digest.update(def.name.as_bytes());
        for f in schema.fields() {
            digest.update([0u8]);
            digest.update(f.name().as_bytes());
        }
        Ok(ContentHasher {
            table: def.name,
            schema,
            digest,
            rows: 0,
            scratch: Vec::with_capacity(4096),
        })
    }

    /// Hashes the rows of a batch (cast to the canonical schema first when needed).
    pub fn update(&mut self, batch: &RecordBatch) -> Result<()> {
        let batch = normalize_to_schema(self.table, &self.schema, batch)?;
        let columns = batch
            .columns()
            .iter()
            .map(|c| {
                Column::of(c.as_ref()).ok_or_else(|| StoreError::WrongTable {
                    table: self.table.to_owned(),
                    problem: format!("cannot hash a column of type {}", c.data_type()),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        for i in 0..batch.num_rows() {
            self.scratch.clear();
            for c in &columns {
                c.encode(i, &mut self.scratch);
            }
            self.digest.update(&self.scratch);
        }
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// The final hash.
    pub fn finish(self) -> ContentHash {
        ContentHash {
            rows: self.rows,
            sha256: self.digest.finalize().into(),
        }
    }
}

/// Content hash of rows already in file order ([`crate::sort_rows`]).
pub fn rows_content_hash<R: Row>(rows: &[R]) -> Result<ContentHash> {
    let mut hasher = ContentHasher::new(R::def())?;
    for batch in to_record_batches(rows, 65_536)? {
        hasher.update(&batch)?;
    }
    Ok(hasher.finish())
}

/// Content hash of a table's Parquet files, read in the given order (use
/// [`crate::ParquetLayout::existing_files`] for the whole table).
pub fn parquet_content_hash(def: &'static TableDef, files: &[PathBuf]) -> Result<ContentHash> {
    let mut hasher = ContentHasher::new(def)?;
    for file in files {
        for batch in ParquetBatches::open(file)? {
            hasher.update(&batch?)?;
        }
    }
    Ok(hasher.finish())
}
