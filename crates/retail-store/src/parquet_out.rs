//! The project's own deterministic Parquet writer (data-contract §9.1, §9.3).
//!
//! Files are laid out as
//!
//! ```text
//! parquet/<dim_table>/<dim_table>.parquet
//! parquet/<fact_table>/<fact_table>_YYYY-MM.parquet
//! ```
//!
//! so each table is one directory of plain Parquet files that Spark, Microsoft Fabric
//! (Lakehouse `Files/`), DuckDB, pandas and polars read natively as one dataset, for example
//! `spark.read.parquet("parquet/fact_receipts")` or
//! `SELECT * FROM read_parquet('parquet/fact_receipts/*.parquet')`.
//!
//! The bytes of a file depend only on its rows and the [`ParquetOptions`]: rows are in
//! (`business_date`, primary key) order, each row group is written from exactly one
//! canonical Arrow batch of at most `row_group_rows` rows (so the way the caller split its input
//! into batches does not matter), and no wall-clock value is written. Files are written to a
//! temporary file in the same directory and renamed into place, so a reader sees the old file
//! or the new one, never a torn one.

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use arrow::compute::concat_batches;
use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use retail_schemas::{Cell, Date, Row, TableDef, TableKind};

use crate::convert::{normalize_to_schema, to_record_batch};
use crate::error::{Result, StoreError};
use crate::order::{business_date_position, check_sorted};
use crate::schema::arrow_schema;

/// Default `output.parquet_row_group_rows` (data-contract §10.2).
pub const DEFAULT_ROW_GROUP_ROWS: usize = 1_048_576;
/// Default `output.parquet_zstd_level`.
pub const DEFAULT_ZSTD_LEVEL: i32 = 3;

/// Compression codec of every column chunk (`output.parquet_compression`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParquetCompression {
    /// Zstandard at a level 1..=22.
    Zstd {
        /// Compression level.
        level: i32,
    },
    /// Snappy.
    Snappy,
    /// Uncompressed.
    None,
}

impl ParquetCompression {
    /// From the configuration strings: `zstd` (with `zstd_level`), `snappy` or `none`.
    pub fn from_config(name: &str, zstd_level: i32) -> Result<Self> {
        match name {
            "zstd" => {
                if !(1..=22).contains(&zstd_level) {
                    return Err(StoreError::InvalidOption(format!(
                        "parquet_zstd_level {zstd_level} is outside 1..=22"
                    )));
                }
                Ok(ParquetCompression::Zstd { level: zstd_level })
            }
            "snappy" => Ok(ParquetCompression::Snappy),
            "none" => Ok(ParquetCompression::None),
            other => Err(StoreError::InvalidOption(format!(
                "parquet_compression `{other}` is not one of zstd, snappy, none"
            ))),
        }
    }

    fn codec(self) -> Result<Compression> {
        Ok(match self {
            ParquetCompression::Zstd { level } => Compression::ZSTD(
                ZstdLevel::try_new(level)
                    .map_err(|e| StoreError::InvalidOption(format!("zstd level {level}: {e}")))?,
            ),
            ParquetCompression::Snappy => Compression::SNAPPY,
            ParquetCompression::None => Compression::UNCOMPRESSED,
        })
    }
}

/// Where a dataset came from; written into every file's key-value metadata (§9.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    /// Generator version, written as `created_by = retail-datagen <version>`.
    pub generator_version: String,
    /// `retail_datagen.contract_version`.
    pub contract_version: String,
    /// `retail_datagen.seed`.
    pub seed: u64,
    /// `retail_datagen.config_hash`.
    pub config_hash: String,
    /// `retail_datagen.tzdb_version`.
    pub tzdb_version: String,
}

impl Provenance {
    /// Provenance with this build's generator and contract versions.
    pub fn new(seed: u64, config_hash: impl Into<String>, tzdb_version: impl Into<String>) -> Self {
        Provenance {
            generator_version: env!("CARGO_PKG_VERSION").to_owned(),
            contract_version: retail_schemas::CONTRACT_VERSION.to_owned(),
            seed,
            config_hash: config_hash.into(),
            tzdb_version: tzdb_version.into(),
        }
    }

    /// The key-value metadata entries, in a fixed order.
    pub fn key_values(&self) -> Vec<(String, String)> {
        vec![
            (
                "retail_datagen.contract_version".into(),
                self.contract_version.clone(),
            ),
            ("retail_datagen.seed".into(), self.seed.to_string()),
            (
                "retail_datagen.config_hash".into(),
                self.config_hash.clone(),
            ),
            (
                "retail_datagen.tzdb_version".into(),
                self.tzdb_version.clone(),
            ),
        ]
    }

    /// The `created_by` string.
    pub fn created_by(&self) -> String {
        format!("retail-datagen {}", self.generator_version)
    }
}

/// Settings of the Parquet writer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParquetOptions {
    /// Maximum rows per row group (`output.parquet_row_group_rows`).
    pub row_group_rows: usize,
    /// Codec.
    pub compression: ParquetCompression,
    /// Key-value metadata and `created_by`.
    pub provenance: Provenance,
}

impl ParquetOptions {
    /// Contract defaults (1 048 576 rows per group, zstd level 3) for this provenance.
    pub fn new(provenance: Provenance) -> Self {
        ParquetOptions {
            row_group_rows: DEFAULT_ROW_GROUP_ROWS,
            compression: ParquetCompression::Zstd {
                level: DEFAULT_ZSTD_LEVEL,
            },
            provenance,
        }
    }

    fn writer_properties(&self) -> Result<WriterProperties> {
        if self.row_group_rows == 0 {
            return Err(StoreError::InvalidOption(
                "parquet_row_group_rows must be > 0".into(),
            ));
        }
        let kv = self
            .provenance
            .key_values()
            .into_iter()
            .map(|(k, v)| KeyValue::new(k, v))
            .collect();
        Ok(WriterProperties::builder()
            .set_created_by(self.provenance.created_by())
            .set_key_value_metadata(Some(kv))
            .set_max_row_group_row_count(Some(self.row_group_rows))
            .set_max_row_group_bytes(None)
            .set_compression(self.compression.codec()?)
            .set_dictionary_enabled(true)
            .set_statistics_enabled(EnabledStatistics::Page)
            .set_bloom_filter_enabled(false)
            // Spec-compliant LIST element naming (`list.element`) for every reader.
            .set_coerce_types(true)
            .build())
    }
}

/// A calendar month, the partition of fact files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    /// Year.
    pub year: i32,
    /// Month 1..=12.
    pub month: u32,
}

impl YearMonth {
    /// The month containing `date`.
    pub fn of(date: Date) -> Self {
        let ymd = date.yyyymmdd();
        YearMonth {
            year: (ymd / 10_000) as i32,
            month: ymd / 100 % 100,
        }
    }

    /// The first day of the month.
    pub fn first_day(self) -> Option<Date> {
        Date::from_ymd(self.year, self.month, 1)
    }

    /// The first day of the following month.
    pub fn next_first_day(self) -> Option<Date> {
        if self.month == 12 {
            Date::from_ymd(self.year + 1, 1, 1)
        } else {
            Date::from_ymd(self.year, self.month + 1, 1)
        }
    }

    /// `YYYY-MM`.
    pub fn label(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

/// The `parquet/` tree of a data directory (data-contract §9.1).
///
/// Each table is a directory of Parquet files that Spark and Microsoft Fabric read natively as
/// one table: `spark.read.parquet("parquet/fact_receipts")`.
#[derive(Clone, Debug)]
pub struct ParquetLayout {
    root: PathBuf,
}

impl ParquetLayout {
    /// The layout under `data_dir/parquet`.
    pub fn new(data_dir: &Path) -> Self {
        ParquetLayout {
            root: data_dir.join("parquet"),
        }
    }

    /// `DATA_DIR/parquet`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `parquet/<table>`.
    pub fn table_dir(&self, def: &TableDef) -> PathBuf {
        self.root.join(def.name)
    }

    /// `parquet/<dim>/<dim>.parquet`.
    pub fn dimension_file(&self, def: &TableDef) -> PathBuf {
        self.table_dir(def).join(format!("{}.parquet", def.name))
    }

    /// `parquet/<fact>/<fact>_YYYY-MM.parquet`.
    pub fn fact_month_file(&self, def: &TableDef, month: YearMonth) -> PathBuf {
        self.table_dir(def)
            .join(format!("{}_{}.parquet", def.name, month.label()))
    }

    /// The files of a table that exist now, in row order (months chronologically).
    pub fn existing_files(&self, def: &TableDef) -> Result<Vec<PathBuf>> {
        let dir = self.table_dir(def);
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(StoreError::io("listing", &dir, e)),
        };
        let prefix = def.name;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| StoreError::io("listing", &dir, e))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(prefix) && name.ends_with(".parquet") {
                files.push(entry.path());
            }
        }
        // `YYYY-MM` names sort chronologically.
        files.sort();
        Ok(files)
    }

    /// Writes a dimension table's file. Rows must be in primary-key order
    /// ([`crate::sort_rows`]).
    pub fn write_dimension<R: Row>(&self, rows: &[R], options: &ParquetOptions) -> Result<PathBuf> {
        let def = R::def();
        if def.kind != TableKind::Dimension {
            return Err(StoreError::WrongTable {
                table: def.name.to_owned(),
                problem: "is not a dimension table".into(),
            });
        }
        let path = self.dimension_file(def);
        write_parquet_rows(&path, rows, options)?;
        Ok(path)
    }

    /// Writes one file per month of `business_date` for a fact table, replacing those months'
    /// files. `rows` must be sorted and hold the COMPLETE content of every month it touches;
    /// to add days to a month that already has a file use [`ParquetLayout::append_fact_days`]
    /// (or rewrite the month from DuckDB with `Store::write_fact_month`).
    pub fn write_fact_months<R: Row>(
        &self,
        rows: &[R],
        options: &ParquetOptions,
    ) -> Result<Vec<PathBuf>> {
        let def = R::def();
        check_sorted(rows)?;
        let mut written = Vec::new();
        for (month, part) in month_runs(rows)? {
            let path = self.fact_month_file(def, month);
            let mut writer = ParquetFileWriter::create(&path, def, options)?;
            writer.write_rows_unchecked(part)?;
            writer.finish()?;
            written.push(path);
        }
        Ok(written)
    }

    /// Continuation: adds later days to the fact files. For each month the rows touch, the
    /// existing file's rows (if any) are followed by the new rows and the file is rewritten
    /// atomically; the result is byte-identical to writing all rows at once. Every new row
    /// must have a `business_date` after the last one already in the file.
    pub fn append_fact_days<R: Row>(
        &self,
        rows: &[R],
        options: &ParquetOptions,
    ) -> Result<Vec<PathBuf>> {
        let def = R::def();
        check_sorted(rows)?;
        let mut written = Vec::new();
        for (month, part) in month_runs(rows)? {
            let path = self.fact_month_file(def, month);
            let mut writer = ParquetFileWriter::create(&path, def, options)?;
            let mut last_existing: Option<i32> = None;
            if path.exists() {
                for batch in ParquetBatches::open(&path)? {
                    let batch = batch?;
                    last_existing = last_date_of(def.name, &batch)?.or(last_existing);
                    writer.write(&batch)?;
                }
            }
            let first_new = first_business_date(part)?;
            if let (Some(last), Some(first)) = (last_existing, first_new) {
                if first <= last {
                    return Err(StoreError::WrongTable {
                        table: def.name.to_owned(),
                        problem: format!(
                            "appending business_date {} to {} which already holds {}",
                            Date(first),
                            path.display(),
                            Date(last)
                        ),
                    });
                }
            }
            writer.write_rows_unchecked(part)?;
            writer.finish()?;
            written.push(path);
        }
        Ok(written)
    }
}

/// The last `business_date` of a batch of `table` read back from one of our files.
fn last_date_of(table: &str, batch: &RecordBatch) -> Result<Option<i32>> {
    use arrow::array::{Array, Date32Array};
    let col = batch
        .column_by_name("business_date")
        .and_then(|c| c.as_any().downcast_ref::<Date32Array>())
        .ok_or_else(|| StoreError::WrongTable {
            table: table.to_owned(),
            problem: "existing file has no DATE column business_date".into(),
        })?;
    Ok((!col.is_empty()).then(|| col.value(col.len() - 1)))
}

fn row_business_date<R: Row>(row: &R, position: usize) -> Option<i32> {
    let mut cells = Vec::with_capacity(R::def().fields.len());
    row.cells(&mut cells);
    match cells.get(position) {
        Some(Cell::Date(d)) => Some(*d),
        _ => None,
    }
}

fn first_business_date<R: Row>(rows: &[R]) -> Result<Option<i32>> {
    let def = R::def();
    let position = business_date_position(def).ok_or_else(|| StoreError::WrongTable {
        table: def.name.to_owned(),
        problem: "has no business_date column".into(),
    })?;
    Ok(rows.first().and_then(|r| row_business_date(r, position)))
}

/// Splits sorted fact rows into runs of the same month of `business_date`.
fn month_runs<R: Row>(rows: &[R]) -> Result<Vec<(YearMonth, &[R])>> {
    let def = R::def();
    let position = business_date_position(def).ok_or_else(|| StoreError::WrongTable {
        table: def.name.to_owned(),
        problem: "has no business_date column; write it with write_dimension".into(),
    })?;
    let mut runs = Vec::new();
    let mut start = 0;
    let mut current: Option<YearMonth> = None;
    let mut cells = Vec::with_capacity(def.fields.len());
    for (i, row) in rows.iter().enumerate() {
        cells.clear();
        row.cells(&mut cells);
        let Some(Cell::Date(d)) = cells.get(position).copied() else {
            return Err(StoreError::ContractMismatch {
                table: def.name.to_owned(),
                column: "business_date".into(),
                problem: "is not a DATE value".into(),
            });
        };
        let month = YearMonth::of(Date(d));
        match current {
            Some(m) if m == month => {}
            Some(m) => {
                runs.push((m, &rows[start..i]));
                start = i;
                current = Some(month);
            }
            None => current = Some(month),
        }
    }
    if let Some(m) = current {
        runs.push((m, &rows[start..]));
    }
    Ok(runs)
}

/// Writes rows of any table to one Parquet file, atomically. Rows must be in file order.
pub fn write_parquet_rows<R: Row>(path: &Path, rows: &[R], options: &ParquetOptions) -> Result<()> {
    check_sorted(rows)?;
    let mut writer = ParquetFileWriter::create(path, R::def(), options)?;
    writer.write_rows_unchecked(rows)?;
    writer.finish()?;
    Ok(())
}

/// A streaming writer of one Parquet file of one table.
///
/// Accepts rows or Arrow batches of any size in file order (the caller's responsibility for
/// batches; rows are checked by [`write_parquet_rows`]), re-cuts them into row groups of exactly
/// `row_group_rows` rows, and on [`ParquetFileWriter::finish`] renames the finished temporary
/// file over `path`. Dropping it unfinished leaves `path` untouched.
pub struct ParquetFileWriter {
    path: PathBuf,
    table: &'static str,
    schema: SchemaRef,
    row_group_rows: usize,
    /// Rows handed to the Arrow writer per call are a multiple of this (the writer's
    /// `write_batch_size`), except a call that ends a row group; 0 = whole row groups only.
    align_rows: usize,
    /// Rows already handed to the Arrow writer for the open row group.
    in_group: usize,
    pending: Vec<RecordBatch>,
    pending_rows: usize,
    rows_written: u64,
    writer: ArrowWriter<BufWriter<tempfile::NamedTempFile>>,
}

impl ParquetFileWriter {
    /// Starts a file for `def` at `path` (its directory is created if needed).
    pub fn create(path: &Path, def: &'static TableDef, options: &ParquetOptions) -> Result<Self> {
        let props = options.writer_properties()?;
        let schema = arrow_schema(def)?;
        // The column writers cut their input into mini-batches of `write_batch_size` levels
        // counted from the start of each call, and decide page and dictionary boundaries after
        // each mini-batch. Calls whose length is a multiple of it (row groups aside) therefore
        // give the bytes of one call per row group without holding a whole row group in
        // memory. List columns count levels, not rows: their tables keep whole row groups.
        let has_list = schema
            .fields()
            .iter()
            .any(|f| matches!(f.data_type(), arrow::datatypes::DataType::List(_)));
        let align_rows = if has_list {
            0
        } else {
            props.write_batch_size().max(1)
        };
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new("."));
        fs::create_dir_all(dir).map_err(|e| StoreError::io("creating directory", dir, e))?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{file_name}."))
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| StoreError::io("creating a temporary file in", dir, e))?;
        let sink = BufWriter::with_capacity(1 << 20, tmp);
        let writer = ArrowWriter::try_new(sink, schema.clone(), Some(props))
            .map_err(|e| StoreError::parquet("starting the writer", path, e))?;
        Ok(ParquetFileWriter {
            path: path.to_path_buf(),
            table: def.name,
            schema,
            row_group_rows: options.row_group_rows,
            align_rows,
            in_group: 0,
            pending: Vec::new(),
            pending_rows: 0,
            rows_written: 0,
            writer,
        })
    }

    /// Appends a batch (cast to the canonical schema first when its types differ).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let batch = normalize_to_schema(self.table, &self.schema, batch)?;
        self.pending_rows += batch.num_rows();
        self.pending.push(batch);
        loop {
            let room = self.row_group_rows - self.in_group;
            if self.pending_rows >= room {
                self.write_pending_prefix(room)?;
                self.end_group()?;
                continue;
            }
            if let Some(blocks) = self.pending_rows.checked_div(self.align_rows) {
                let aligned = blocks * self.align_rows;
                if aligned > 0 {
                    self.write_pending_prefix(aligned)?;
                }
            }
            return Ok(());
        }
    }

    /// Hands the first `n` pending rows to the Arrow writer (within the open row group).
    fn write_pending_prefix(&mut self, n: usize) -> Result<()> {
        let all = self.take_pending()?;
        let head = all.slice(0, n);
        let rest = all.slice(n, all.num_rows() - n);
        self.writer
            .write(&head)
            .map_err(|e| StoreError::parquet("writing rows", &self.path, e))?;
        self.in_group += n;
        self.rows_written += n as u64;
        if rest.num_rows() > 0 {
            self.pending_rows = rest.num_rows();
            self.pending.push(rest);
        }
        Ok(())
    }

    /// Closes the open row group.
    fn end_group(&mut self) -> Result<()> {
        if self.in_group > 0 {
            self.writer
                .flush()
                .map_err(|e| StoreError::parquet("flushing a row group", &self.path, e))?;
            self.in_group = 0;
        }
        Ok(())
    }

    /// Appends rows, converting them one row group at a time. Rows are not order-checked.
    fn write_rows_unchecked<R: Row>(&mut self, rows: &[R]) -> Result<()> {
        // Fill up a partial group first so later chunks line up with group boundaries.
        let fill =
            (self.row_group_rows - self.pending_rows % self.row_group_rows) % self.row_group_rows;
        let (head, tail) = rows.split_at(fill.min(rows.len()));
        if !head.is_empty() {
            self.write(&to_record_batch(head)?)?;
        }
        for chunk in tail.chunks(self.row_group_rows) {
            self.write(&to_record_batch(chunk)?)?;
        }
        Ok(())
    }

    /// Appends rows in file order (checked).
    pub fn write_rows<R: Row>(&mut self, rows: &[R]) -> Result<()> {
        if R::def().name != self.table {
            return Err(StoreError::WrongTable {
                table: R::def().name.to_owned(),
                problem: format!("rows given to the writer of {}", self.table),
            });
        }
        check_sorted(rows)?;
        self.write_rows_unchecked(rows)
    }

    fn take_pending(&mut self) -> Result<RecordBatch> {
        let batches = std::mem::take(&mut self.pending);
        self.pending_rows = 0;
        if batches.len() == 1 {
            return Ok(batches
                .into_iter()
                .next()
                .unwrap_or_else(|| RecordBatch::new_empty(self.schema.clone())));
        }
        concat_batches(&self.schema, &batches)
            .map_err(|e| StoreError::arrow(format!("joining {} batches", self.table), e))
    }

    /// Writes the footer, syncs, and renames the file into place. Returns the row count.
    pub fn finish(self) -> Result<u64> {
        self.finish_staged()?.persist()
    }

    /// Writes the footer and syncs, but leaves the finished file under its temporary name
    /// until [`StagedParquetFile::persist`]: a caller can prepare files while another store
    /// commits, and put them in place only once that commit succeeded.
    pub fn finish_staged(mut self) -> Result<StagedParquetFile> {
        if self.pending_rows > 0 {
            self.write_pending_prefix(self.pending_rows)?;
        }
        self.end_group()?;
        let path = self.path.clone();
        let sink = self
            .writer
            .into_inner()
            .map_err(|e| StoreError::parquet("writing the footer", &path, e))?;
        let tmp = sink
            .into_inner()
            .map_err(|e| StoreError::io("writing", &path, e.into_error()))?;
        tmp.as_file()
            .sync_all()
            .map_err(|e| StoreError::io("syncing", &path, e))?;
        Ok(StagedParquetFile {
            tmp,
            path,
            rows: self.rows_written,
        })
    }
}

/// A complete Parquet file under a temporary name next to its final path; dropping it removes
/// the temporary file and leaves the final path untouched.
pub struct StagedParquetFile {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
    rows: u64,
}

impl StagedParquetFile {
    /// The path the file takes on [`StagedParquetFile::persist`].
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the file into place (atomically replacing any previous file). Returns the rows.
    pub fn persist(self) -> Result<u64> {
        let path = self.path;
        self.tmp
            .persist(&path)
            .map_err(|e| StoreError::io("renaming a temporary file to", &path, e.error))?;
        sync_parent_dir(&path);
        Ok(self.rows)
    }
}

/// Best-effort durability of the rename; not all platforms can sync a directory.
fn sync_parent_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Streams the record batches of a Parquet file.
pub struct ParquetBatches {
    path: PathBuf,
    reader: parquet::arrow::arrow_reader::ParquetRecordBatchReader,
}

impl ParquetBatches {
    /// Opens a file.
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| StoreError::io("opening", path, e))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|b| b.with_batch_size(65_536).build())
            .map_err(|e| StoreError::parquet("opening", path, e))?;
        Ok(ParquetBatches {
            path: path.to_path_buf(),
            reader,
        })
    }
}

impl Iterator for ParquetBatches {
    type Item = Result<RecordBatch>;
    fn next(&mut self) -> Option<Self::Item> {
        self.reader.next().map(|r| {
            r.map_err(|e| StoreError::arrow(format!("reading {}", self.path.display()), e))
        })
    }
}

/// Reads every batch of a Parquet file.
pub fn read_parquet_batches(path: &Path) -> Result<Vec<RecordBatch>> {
    ParquetBatches::open(path)?.collect()
}
