//! The error type of the crate.

use std::path::PathBuf;

/// Everything that can go wrong while loading dictionaries or generating master data.
#[derive(Debug, thiserror::Error)]
pub enum MasterError {
    /// A dictionary row (or the header, line 1) breaks a rule of data-contract §7.0.
    #[error("{file} line {line}: {reason}")]
    Dictionary {
        /// File name, e.g. `geographies.csv`.
        file: String,
        /// 1-based line of the file (the header is line 1).
        line: u64,
        /// What is wrong, naming the column and the offending value.
        reason: String,
    },
    /// A dictionary file could not be read.
    #[error("cannot read dictionary file {}: {source}", path.display())]
    Io {
        /// The file that failed.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The configuration asks for something the dictionaries or the generation rules cannot give.
    #[error("config {field}: {reason}")]
    Config {
        /// JSON path of the field, e.g. `volume.total_geographies`.
        field: &'static str,
        /// Why the value cannot be used.
        reason: String,
    },
    /// The dictionaries cannot produce the requested dimension (for example every product
    /// price rounds to one cent, so no SKU can be priced).
    #[error("cannot generate {table}: {reason}")]
    Generation {
        /// The dimension table.
        table: &'static str,
        /// Why.
        reason: String,
    },
}
