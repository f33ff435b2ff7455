//! The crate's error type.

use std::path::PathBuf;

/// Errors of the local eventhouse.
#[derive(Debug, thiserror::Error)]
pub enum EventhouseError {
    /// A DuckDB statement failed.
    #[error("DuckDB, {action}: {source}")]
    Duckdb {
        /// What was being done.
        action: String,
        /// The DuckDB error.
        #[source]
        source: duckdb::Error,
    },
    /// Building an Arrow batch failed.
    #[error("Arrow, {action}: {source}")]
    Arrow {
        /// What was being done.
        action: String,
        /// The Arrow error.
        #[source]
        source: arrow::error::ArrowError,
    },
    /// A contract value does not fit its column (NULL in a NOT NULL column, wrong cell kind).
    #[error("{table}.{column}: {problem}")]
    Contract {
        /// Typed table.
        table: String,
        /// Column.
        column: String,
        /// What is wrong.
        problem: String,
    },
    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was attempted.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system error.
        #[source]
        source: std::io::Error,
    },
}

impl EventhouseError {
    /// Whether the database file could not be opened because another process held it
    /// (after waiting for it, see [`retail_store::LockRetry`]): a condition of the moment,
    /// not a bad path.
    pub fn is_lock_conflict(&self) -> bool {
        matches!(self, EventhouseError::Duckdb { source, .. } if retail_store::is_lock_conflict(source))
    }

    pub(crate) fn duckdb(action: impl Into<String>, source: duckdb::Error) -> Self {
        EventhouseError::Duckdb {
            action: action.into(),
            source,
        }
    }

    pub(crate) fn arrow(action: impl Into<String>, source: arrow::error::ArrowError) -> Self {
        EventhouseError::Arrow {
            action: action.into(),
            source,
        }
    }
}

/// Result alias of this crate.
pub type Result<T, E = EventhouseError> = std::result::Result<T, E>;
