//! The DuckDB file `DATA_DIR/retail.duckdb` (data-contract §9.2): all 25 tables plus `_meta`,
//! loaded in bulk through the Arrow appender, one transaction per dimension swap and per
//! business day.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Date32Type, SchemaRef};
use arrow::record_batch::RecordBatch;
use duckdb::Connection;
use retail_schemas::{Date, Row, TableDef, TableKind};

use crate::convert::{check_column_names, to_record_batch};
use crate::error::{Result, StoreError};
use crate::hash::{ContentHash, ContentHasher};
use crate::lock::{LockRetry, is_lock_conflict, open_connection};
use crate::parquet_out::{ParquetFileWriter, ParquetLayout, ParquetOptions, YearMonth};
use crate::schema::{
    META_TABLE, arrow_schema, create_meta_sql, create_table_sql, quote_ident, sort_columns,
};

/// File name of the database inside the data directory.
pub const DATABASE_FILE: &str = "retail.duckdb";

/// `_meta` key of the contract version.
pub const META_CONTRACT_VERSION: &str = "contract_version";
/// `_meta` key of the watermark: the last business date fully committed.
pub const META_LAST_GENERATED_DATE: &str = "last_generated_date";

/// Arrow batches of one table, ready to be loaded.
#[derive(Clone, Debug)]
pub struct TableBatches {
    def: &'static TableDef,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
}

impl TableBatches {
    /// No batches yet for `def`.
    pub fn new(def: &'static TableDef) -> Result<Self> {
        Ok(TableBatches {
            def,
            schema: arrow_schema(def)?,
            batches: Vec::new(),
        })
    }

    /// One batch converted from rows.
    pub fn from_rows<R: Row>(rows: &[R]) -> Result<Self> {
        let mut out = TableBatches::new(R::def())?;
        if !rows.is_empty() {
            out.batches.push(to_record_batch(rows)?);
        }
        Ok(out)
    }

    /// Adds a batch. Its columns must be the contract columns with the contract types;
    /// nullability is enforced by DuckDB's NOT NULL constraints when loading.
    pub fn push(&mut self, batch: RecordBatch) -> Result<()> {
        check_column_names(self.def.name, &self.schema, &batch)?;
        for (got, want) in batch.schema_ref().fields().iter().zip(self.schema.fields()) {
            if got.data_type() != want.data_type() {
                return Err(StoreError::ContractMismatch {
                    table: self.def.name.to_owned(),
                    column: want.name().clone(),
                    problem: format!(
                        "Arrow type {} instead of {}",
                        got.data_type(),
                        want.data_type()
                    ),
                });
            }
        }
        if batch.num_rows() > 0 {
            self.batches.push(batch);
        }
        Ok(())
    }

    /// The table.
    pub fn def(&self) -> &'static TableDef {
        self.def
    }

    /// The batches.
    pub fn batches(&self) -> &[RecordBatch] {
        &self.batches
    }

    /// Total rows.
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// The retail-rti DuckDB database.
pub struct Store {
    path: PathBuf,
    conn: Connection,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn sql_date(d: Date) -> String {
    format!("DATE '{d}'")
}

impl Store {
    /// Opens `data_dir/retail.duckdb`, creating the directory, the file and the 25 tables plus
    /// `_meta` when they do not exist yet.
    pub fn open(data_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| StoreError::io("creating directory", data_dir, e))?;
        Self::open_file(&data_dir.join(DATABASE_FILE))
    }

    /// Opens (or creates) a database file at an explicit path. When another process (a
    /// `retail dashboard` reading it) holds the file, retries for about five seconds
    /// ([`LockRetry::DEFAULT`]).
    pub fn open_file(path: &Path) -> Result<Self> {
        Self::open_file_with(path, LockRetry::DEFAULT)
    }

    /// [`Store::open_file`] with an explicit bound on the waiting for another process's lock.
    pub fn open_file_with(path: &Path, retry: LockRetry) -> Result<Self> {
        let existed = path.exists();
        if existed && !path.is_file() {
            return Err(StoreError::NotRetailDatabase {
                path: path.to_path_buf(),
                reason: "not a regular file".into(),
            });
        }
        let conn = open_connection(path, retry).map_err(|e| {
            let locked = is_lock_conflict(&e);
            match StoreError::duckdb("opening the database", path, e) {
                StoreError::Duckdb { source, .. } if existed && !locked => {
                    StoreError::NotRetailDatabase {
                        path: path.to_path_buf(),
                        reason: source.to_string(),
                    }
                }
                other => other,
            }
        })?;
        let mut store = Store {
            path: path.to_path_buf(),
            conn,
        };
        let tables = store.main_tables()?;
        if tables.is_empty() {
            store.initialize()?;
        } else {
            store.validate(&tables)?;
        }
        Ok(store)
    }

    /// Caps DuckDB's memory (its buffer pool) at `bytes`; beyond it DuckDB evicts cached blocks
    /// and spills to its temporary directory. Without a cap DuckDB keeps up to 80 % of the
    /// machine's memory, so a long bulk load's resident memory grows with the data written.
    pub fn limit_memory(&self, bytes: u64) -> Result<()> {
        let mib = (bytes / (1 << 20)).max(1);
        self.conn
            .execute_batch(&format!("SET memory_limit = '{mib}MiB'"))
            .map_err(|e| self.err(format!("setting memory_limit to {mib} MiB"), e))
    }

    /// DuckDB's current memory cap in bytes (`memory_limit`).
    pub fn memory_limit(&self) -> Result<u64> {
        self.conn
            .query_row(
                "SELECT value FROM duckdb_settings() WHERE name = 'memory_limit'",
                [],
                |r| r.get::<_, String>(0),
            )
            .map_err(|e| self.err("reading memory_limit", e))
            .map(|text| parse_size(&text).unwrap_or(0))
    }

    fn err(&self, context: impl Into<String>, e: duckdb::Error) -> StoreError {
        StoreError::duckdb(context, &self.path, e)
    }

    fn main_tables(&self) -> Result<BTreeSet<String>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT table_name FROM information_schema.tables \
                 WHERE table_schema = 'main' AND table_catalog = current_database()",
            )
            .map_err(|e| self.err("listing tables", e))?;
        let names = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<std::result::Result<BTreeSet<_>, _>>())
            .map_err(|e| self.err("listing tables", e))?;
        Ok(names)
    }

    fn initialize(&mut self) -> Result<()> {
        let mut ddl = String::new();
        for def in retail_schemas::all_tables() {
            ddl.push_str(&create_table_sql(def)?);
        }
        ddl.push_str(create_meta_sql());
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction()
            .map_err(|e| StoreError::duckdb("starting a transaction", &path, e))?;
        tx.execute_batch(&ddl)
            .map_err(|e| StoreError::duckdb("creating the tables", &path, e))?;
        upsert_meta(
            &tx,
            &path,
            &[(META_CONTRACT_VERSION, retail_schemas::CONTRACT_VERSION)],
        )?;
        tx.commit()
            .map_err(|e| StoreError::duckdb("committing the tables", &path, e))
    }

    fn validate(&self, tables: &BTreeSet<String>) -> Result<()> {
        if !tables.contains(META_TABLE) {
            return Err(StoreError::NotRetailDatabase {
                path: self.path.clone(),
                reason: format!("no {META_TABLE} table"),
            });
        }
        let version = self.meta(META_CONTRACT_VERSION)?;
        if version.as_deref() != Some(retail_schemas::CONTRACT_VERSION) {
            return Err(StoreError::ContractVersionMismatch {
                path: self.path.clone(),
                found: version.unwrap_or_else(|| "none".into()),
                expected: retail_schemas::CONTRACT_VERSION.into(),
            });
        }
        if let Some(missing) = retail_schemas::all_tables()
            .iter()
            .find(|d| !tables.contains(d.name))
        {
            return Err(StoreError::NotRetailDatabase {
                path: self.path.clone(),
                reason: format!("table {} is missing", missing.name),
            });
        }
        Ok(())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying connection, for ad-hoc read queries.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Replaces the listed dimension tables (each `DELETE` + bulk append) and sets `meta`
    /// entries in ONE transaction: a failure at any point leaves the previous complete set.
    pub fn replace_dimensions(
        &mut self,
        tables: &[TableBatches],
        meta: &[(&str, &str)],
    ) -> Result<()> {
        let mut seen = BTreeSet::new();
        for t in tables {
            if t.def.kind != TableKind::Dimension {
                return Err(StoreError::WrongTable {
                    table: t.def.name.into(),
                    problem: "is not a dimension table".into(),
                });
            }
            if !seen.insert(t.def.name) {
                return Err(StoreError::WrongTable {
                    table: t.def.name.into(),
                    problem: "listed twice in one dimension replacement".into(),
                });
            }
        }
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction()
            .map_err(|e| StoreError::duckdb("starting a transaction", &path, e))?;
        for t in tables {
            tx.execute_batch(&format!("DELETE FROM {}", quote_ident(t.def.name)))
                .map_err(|e| StoreError::duckdb(format!("clearing {}", t.def.name), &path, e))?;
            append_batches(&tx, &path, t)?;
        }
        upsert_meta(&tx, &path, meta)?;
        tx.commit()
            .map_err(|e| StoreError::duckdb("committing the dimensions", &path, e))
    }

    /// Appends all fact rows of business date `day` and sets `_meta.last_generated_date = day`
    /// (plus `meta`) in ONE transaction, so an interrupted run never leaves a half day.
    ///
    /// Days must be committed in increasing order: a day at or before the watermark is
    /// refused ([`StoreError::DayAlreadyCommitted`]), which rules out duplicates. Every row
    /// must have `business_date = day`.
    pub fn commit_day(
        &mut self,
        day: Date,
        facts: &[TableBatches],
        meta: &[(&str, &str)],
    ) -> Result<()> {
        if let Some(last) = self.last_generated_date()? {
            if day <= last {
                return Err(StoreError::DayAlreadyCommitted {
                    day: day.to_string(),
                    last: last.to_string(),
                });
            }
        }
        for t in facts {
            if t.def.kind != TableKind::Fact {
                return Err(StoreError::WrongTable {
                    table: t.def.name.into(),
                    problem: "is not a fact table".into(),
                });
            }
            check_business_date(t, day)?;
        }
        let day_text = day.to_string();
        let mut entries: Vec<(&str, &str)> = vec![(META_LAST_GENERATED_DATE, &day_text)];
        entries.extend(
            meta.iter()
                .copied()
                .filter(|(k, _)| *k != META_LAST_GENERATED_DATE),
        );
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction()
            .map_err(|e| StoreError::duckdb("starting a transaction", &path, e))?;
        for t in facts {
            append_batches(&tx, &path, t)?;
        }
        upsert_meta(&tx, &path, &entries)?;
        tx.commit()
            .map_err(|e| StoreError::duckdb(format!("committing {day}"), &path, e))
    }

    /// Sets `_meta` entries (one transaction).
    pub fn set_meta(&mut self, entries: &[(&str, &str)]) -> Result<()> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction()
            .map_err(|e| StoreError::duckdb("starting a transaction", &path, e))?;
        upsert_meta(&tx, &path, entries)?;
        tx.commit()
            .map_err(|e| StoreError::duckdb("committing _meta", &path, e))
    }

    /// All `_meta` entries.
    pub fn read_meta(&self) -> Result<BTreeMap<String, String>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT key, value FROM {META_TABLE}"))
            .map_err(|e| self.err("reading _meta", e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
            })
            .and_then(|rows| rows.collect::<std::result::Result<Vec<_>, _>>())
            .map_err(|e| self.err("reading _meta", e))?;
        Ok(rows
            .into_iter()
            .map(|(k, v)| (k, v.unwrap_or_default()))
            .collect())
    }

    /// One `_meta` value.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT value FROM {META_TABLE} WHERE key = ?"))
            .map_err(|e| self.err("reading _meta", e))?;
        let mut rows = stmt
            .query_map([key], |r| r.get::<_, Option<String>>(0))
            .map_err(|e| self.err("reading _meta", e))?;
        match rows.next() {
            Some(v) => v.map_err(|e| self.err("reading _meta", e)),
            None => Ok(None),
        }
    }

    /// The watermark `_meta.last_generated_date`, if any day was committed.
    pub fn last_generated_date(&self) -> Result<Option<Date>> {
        match self.meta(META_LAST_GENERATED_DATE)? {
            None => Ok(None),
            Some(text) => {
                Date::parse(&text)
                    .map(Some)
                    .ok_or_else(|| StoreError::NotRetailDatabase {
                        path: self.path.clone(),
                        reason: format!("_meta.last_generated_date `{text}` is not a date"),
                    })
            }
        }
    }

    /// Number of rows of a contract table (or `_meta`).
    pub fn table_row_count(&self, table: &str) -> Result<u64> {
        if table != META_TABLE && retail_schemas::table(table).is_none() {
            return Err(StoreError::WrongTable {
                table: table.into(),
                problem: "is not a retail-rti table".into(),
            });
        }
        let sql = format!("SELECT count(*) FROM {}", quote_ident(table));
        let n: i64 = self
            .conn
            .query_row(&sql, [], |r| r.get(0))
            .map_err(|e| self.err(format!("counting {table}"), e))?;
        Ok(n.max(0) as u64)
    }

    /// Streams a table's rows in file order (`business_date`, primary key), optionally only
    /// business dates in `[from, until)`, as canonical batches. Returns the row count.
    pub fn for_each_ordered_batch(
        &self,
        def: &'static TableDef,
        dates: Option<(Date, Date)>,
        mut f: impl FnMut(&RecordBatch) -> Result<()>,
    ) -> Result<u64> {
        let schema = arrow_schema(def)?;
        let columns = schema
            .fields()
            .iter()
            .map(|f| quote_ident(f.name()))
            .collect::<Vec<_>>()
            .join(", ");
        let order = sort_columns(def)
            .iter()
            .map(|c| format!("{} ASC NULLS LAST", quote_ident(c)))
            .collect::<Vec<_>>()
            .join(", ");
        let filter = match dates {
            Some((from, until)) => format!(
                " WHERE business_date >= {} AND business_date < {}",
                sql_date(from),
                sql_date(until)
            ),
            None => String::new(),
        };
        let sql = format!(
            "SELECT {columns} FROM {}{filter} ORDER BY {order}",
            quote_ident(def.name)
        );
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(|e| self.err(format!("reading {}", def.name), e))?;
        let batches = stmt
            .query_arrow([])
            .map_err(|e| self.err(format!("reading {}", def.name), e))?;
        let mut rows = 0u64;
        for batch in batches {
            let batch = crate::convert::normalize_to_schema(def.name, &schema, &batch)?;
            rows += batch.num_rows() as u64;
            f(&batch)?;
        }
        Ok(rows)
    }

    /// The canonical content hash of a table (data-contract §12.7): rows in file order, the
    /// same encoding as [`crate::parquet_content_hash`] and [`crate::rows_content_hash`].
    pub fn content_hash(&self, def: &'static TableDef) -> Result<ContentHash> {
        let mut hasher = ContentHasher::new(def)?;
        if def.kind == TableKind::Fact {
            // Day by day keeps DuckDB's materialised result small on large tables.
            for month in self.fact_months(def)? {
                let (from, until) = month_bounds(def, month)?;
                let mut day = from;
                while day < until {
                    self.for_each_ordered_batch(def, Some((day, day.succ())), |b| {
                        hasher.update(b)
                    })?;
                    day = day.succ();
                }
            }
        } else {
            self.for_each_ordered_batch(def, None, |b| hasher.update(b))?;
        }
        Ok(hasher.finish())
    }

    /// The months of `business_date` that hold rows of a fact table, in order.
    pub fn fact_months(&self, def: &'static TableDef) -> Result<Vec<YearMonth>> {
        if def.kind != TableKind::Fact {
            return Err(StoreError::WrongTable {
                table: def.name.into(),
                problem: "is not a fact table".into(),
            });
        }
        let sql = format!(
            "SELECT DISTINCT year(business_date)::INTEGER, month(business_date)::INTEGER \
             FROM {} ORDER BY 1, 2",
            quote_ident(def.name)
        );
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(|e| self.err(format!("listing months of {}", def.name), e))?;
        let months = stmt
            .query_map([], |r| {
                Ok(YearMonth {
                    year: r.get::<_, i32>(0)?,
                    month: r.get::<_, i32>(1)? as u32,
                })
            })
            .and_then(|rows| rows.collect::<std::result::Result<Vec<_>, _>>())
            .map_err(|e| self.err(format!("listing months of {}", def.name), e))?;
        Ok(months)
    }

    /// (Re)writes `parquet/<fact>/<fact>_YYYY-MM.parquet` from the rows in the database with
    /// the project's writer — the way a continuation that added days to a month refreshes the
    /// month's file. Byte-identical to writing the same rows from memory. Returns `None`
    /// (and leaves the file system alone) when the month has no rows.
    pub fn write_fact_month(
        &self,
        def: &'static TableDef,
        month: YearMonth,
        layout: &ParquetLayout,
        options: &ParquetOptions,
    ) -> Result<Option<PathBuf>> {
        if def.kind != TableKind::Fact {
            return Err(StoreError::WrongTable {
                table: def.name.into(),
                problem: "is not a fact table".into(),
            });
        }
        let (from, until) = month_bounds(def, month)?;
        let path = layout.fact_month_file(def, month);
        let mut writer: Option<ParquetFileWriter> = None;
        let mut day = from;
        while day < until {
            self.for_each_ordered_batch(def, Some((day, day.succ())), |b| {
                if writer.is_none() {
                    writer = Some(ParquetFileWriter::create(&path, def, options)?);
                }
                match writer.as_mut() {
                    Some(w) => w.write(b),
                    None => Ok(()),
                }
            })?;
            day = day.succ();
        }
        match writer {
            Some(w) => {
                w.finish()?;
                Ok(Some(path))
            }
            None => Ok(None),
        }
    }

    /// (Re)writes `parquet/<dim>/<dim>.parquet` from the rows in the database.
    pub fn write_dimension(
        &self,
        def: &'static TableDef,
        layout: &ParquetLayout,
        options: &ParquetOptions,
    ) -> Result<PathBuf> {
        if def.kind != TableKind::Dimension {
            return Err(StoreError::WrongTable {
                table: def.name.into(),
                problem: "is not a dimension table".into(),
            });
        }
        let path = layout.dimension_file(def);
        let mut writer = ParquetFileWriter::create(&path, def, options)?;
        self.for_each_ordered_batch(def, None, |b| writer.write(b))?;
        writer.finish()?;
        Ok(path)
    }
}

fn month_bounds(def: &TableDef, month: YearMonth) -> Result<(Date, Date)> {
    match (month.first_day(), month.next_first_day()) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(StoreError::WrongTable {
            table: def.name.into(),
            problem: format!("month {} does not exist", month.label()),
        }),
    }
}

fn check_business_date(t: &TableBatches, day: Date) -> Result<()> {
    let Some(index) = t.schema.index_of("business_date").ok() else {
        return Err(StoreError::WrongTable {
            table: t.def.name.into(),
            problem: "has no business_date column".into(),
        });
    };
    for batch in &t.batches {
        let col = batch.column(index);
        if col.data_type() != &DataType::Date32 {
            continue; // push() already rejected other types
        }
        let dates = col.as_primitive::<Date32Type>();
        if let Some(found) = dates.iter().flatten().find(|d| *d != day.0) {
            return Err(StoreError::WrongBusinessDate {
                table: t.def.name.into(),
                day: day.to_string(),
                found: Date(found).to_string(),
            });
        }
    }
    Ok(())
}

fn append_batches(conn: &Connection, path: &Path, t: &TableBatches) -> Result<()> {
    if t.batches.is_empty() {
        return Ok(());
    }
    let context = || format!("loading {}", t.def.name);
    let mut appender = conn
        .appender(t.def.name)
        .map_err(|e| StoreError::duckdb(context(), path, e))?;
    for batch in &t.batches {
        appender
            .append_record_batch(batch.clone())
            .map_err(|e| StoreError::duckdb(context(), path, e))?;
    }
    appender
        .flush()
        .map_err(|e| StoreError::duckdb(context(), path, e))
}

fn upsert_meta(conn: &Connection, path: &Path, entries: &[(&str, &str)]) -> Result<()> {
    for (key, value) in entries {
        conn.execute(&format!("DELETE FROM {META_TABLE} WHERE key = ?"), [key])
            .and_then(|_| {
                conn.execute(
                    &format!("INSERT INTO {META_TABLE} (key, value) VALUES (?, ?)"),
                    [key, value],
                )
            })
            .map_err(|e| StoreError::duckdb(format!("setting _meta.{key}"), path, e))?;
    }
    Ok(())
}

/// Parses a DuckDB size text such as `1.0 GiB`, `512.0 MiB` or `976.5 KiB` into bytes.
fn parse_size(text: &str) -> Option<u64> {
    let (number, unit) = text.trim().split_once(' ')?;
    let number: f64 = number.parse().ok()?;
    let scale = match unit {
        "bytes" | "B" => 1.0,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        "TiB" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        "KB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        _ => return None,
    };
    Some((number * scale).round() as u64)
}
