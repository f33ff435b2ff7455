//! The error type of every fallible operation of this crate.

use std::io;
use std::path::{Path, PathBuf};

/// What went wrong while converting, writing or loading retail data.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file exists at the database path but is not a retail-rti database.
    #[error("{} is not a retail-rti database ({reason})", path.display())]
    NotRetailDatabase {
        /// The database file.
        path: PathBuf,
        /// Why it was rejected (`no _meta table`, DuckDB's open error, …).
        reason: String,
    },
    /// The database was written by an incompatible contract version.
    #[error(
        "{} holds contract version {found}, this build writes {expected}; use a new output directory",
        path.display()
    )]
    ContractVersionMismatch {
        /// The database file.
        path: PathBuf,
        /// Version recorded in `_meta`.
        found: String,
        /// Version of this build.
        expected: String,
    },
    /// The output location cannot be written (read-only directory or file system, permissions).
    #[error("{} is not writable: {detail}", path.display())]
    ReadOnly {
        /// The file or directory that could not be written.
        path: PathBuf,
        /// The operating system's or DuckDB's message.
        detail: String,
    },
    /// The device ran out of space; the previous data is intact.
    #[error("disk full while writing {}: {detail}", path.display())]
    DiskFull {
        /// The file being written.
        path: PathBuf,
        /// The operating system's or DuckDB's message.
        detail: String,
    },
    /// Any other I/O failure.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done (`writing`, `renaming to`, …).
        action: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A DuckDB statement failed.
    #[error("DuckDB: {context}: {source}")]
    Duckdb {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: duckdb::Error,
    },
    /// Building or casting Arrow data failed.
    #[error("Arrow: {context}: {source}")]
    Arrow {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: arrow::error::ArrowError,
    },
    /// Writing or reading a Parquet file failed.
    #[error("Parquet: {context}: {source}")]
    Parquet {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// A value does not fit the contract type of its column.
    #[error("table {table}, column {column}: {problem}")]
    ContractMismatch {
        /// Table name.
        table: String,
        /// Column name.
        column: String,
        /// What is wrong.
        problem: String,
    },
    /// Rows passed to a writer are not in (business_date, primary key) order.
    #[error(
        "table {table}: row {row} is out of (business_date, primary key) order; sort with retail_store::sort_rows first"
    )]
    NotSorted {
        /// Table name.
        table: String,
        /// Index of the first row that precedes its predecessor.
        row: usize,
    },
    /// Two rows share the same (business_date, primary key).
    #[error("table {table}: rows {} and {row} have the same primary key", row - 1)]
    DuplicateKey {
        /// Table name.
        table: String,
        /// Index of the second of the two rows.
        row: usize,
    },
    /// A table name or kind does not fit the operation.
    #[error("table {table}: {problem}")]
    WrongTable {
        /// Table name.
        table: String,
        /// What is wrong.
        problem: String,
    },
    /// A fact batch holds rows of another business date than the day being committed.
    #[error("table {table}: commit of {day} contains a row with business_date {found}")]
    WrongBusinessDate {
        /// Table name.
        table: String,
        /// The day being committed.
        day: String,
        /// The offending date.
        found: String,
    },
    /// The day was already committed (the watermark is at or after it).
    #[error(
        "business date {day} is already in the database (last_generated_date = {last}); days must be committed in increasing order"
    )]
    DayAlreadyCommitted {
        /// The day being committed.
        day: String,
        /// The current watermark.
        last: String,
    },
    /// An option value is out of range.
    #[error("invalid option: {0}")]
    InvalidOption(String),
}

/// Shorthand for results of this crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// Classifies an I/O error on `path`: disk full and permission problems get their own variants.
    pub(crate) fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        match source.kind() {
            io::ErrorKind::StorageFull => StoreError::DiskFull {
                path: path.to_path_buf(),
                detail: source.to_string(),
            },
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
                StoreError::ReadOnly {
                    path: path.to_path_buf(),
                    detail: source.to_string(),
                }
            }
            _ => StoreError::Io {
                action,
                path: path.to_path_buf(),
                source,
            },
        }
    }

    /// Classifies a DuckDB error: DuckDB reports OS failures only as text.
    pub(crate) fn duckdb(context: impl Into<String>, path: &Path, source: duckdb::Error) -> Self {
        let text = source.to_string();
        if text.contains("No space left on device") || text.contains("disk full") {
            StoreError::DiskFull {
                path: path.to_path_buf(),
                detail: text,
            }
        } else if text.contains("Permission denied")
            || text.contains("Read-only file system")
            || text.contains("read-only mode")
        {
            StoreError::ReadOnly {
                path: path.to_path_buf(),
                detail: text,
            }
        } else {
            StoreError::Duckdb {
                context: context.into(),
                source,
            }
        }
    }

    pub(crate) fn arrow(context: impl Into<String>, source: arrow::error::ArrowError) -> Self {
        StoreError::Arrow {
            context: context.into(),
            source,
        }
    }

    pub(crate) fn parquet(
        context: impl Into<String>,
        path: &Path,
        source: parquet::errors::ParquetError,
    ) -> Self {
        // The Parquet writer wraps the OS error of its sink; keep disk-full recognisable.
        if let parquet::errors::ParquetError::External(inner) = &source {
            if let Some(io) = inner.downcast_ref::<io::Error>() {
                if io.kind() == io::ErrorKind::StorageFull {
                    return StoreError::DiskFull {
                        path: path.to_path_buf(),
                        detail: io.to_string(),
                    };
                }
            }
        }
        StoreError::Parquet {
            context: context.into(),
            source,
        }
    }
}
