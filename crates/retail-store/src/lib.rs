//! DuckDB and Parquet I/O of retail-rti (data-contract §9).
//!
//! * [`to_record_batch`] turns contract rows ([`retail_schemas::Row`]) into Arrow batches of
//!   the canonical schema ([`schema::arrow_schema`]).
//! * [`sort_rows`] puts rows into file order (`business_date`, primary key).
//! * [`ParquetLayout`] and [`ParquetFileWriter`] write deterministic Parquet files
//!   (`parquet/<dim>/<dim>.parquet`, `parquet/<fact>/<fact>_YYYY-MM.parquet`), which Spark and
//!   Microsoft Fabric read natively: `spark.read.parquet("parquet/fact_receipts")`.
//! * [`Store`] is `DATA_DIR/retail.duckdb`: DDL of all 25 tables + `_meta`, atomic dimension
//!   swaps ([`Store::replace_dimensions`]) and one transaction per business day
//!   ([`Store::commit_day`]).
//! * [`ContentHash`] compares table contents across Rust rows, Parquet and DuckDB (§12.7).
//!
//! ```
//! use retail_schemas::{tables::DimTruck, Row};
//! use retail_store::{
//!     parquet_content_hash, rows_content_hash, sort_rows, ParquetLayout, ParquetOptions,
//!     Provenance, Store, TableBatches,
//! };
//!
//! let dir = tempfile::tempdir()?;
//! let mut trucks = vec![
//!     DimTruck { truck_id: 2, license_plate: "XKQ1234".into(), refrigerated: false,
//!                fleet_type: "POOL".into(), home_dc_id: None, capacity_units: 1200 },
//!     DimTruck { truck_id: 1, license_plate: "BRT0042".into(), refrigerated: true,
//!                fleet_type: "DC_FLEET".into(), home_dc_id: Some(1), capacity_units: 1200 },
//! ];
//! sort_rows(&mut trucks)?;
//!
//! let options = ParquetOptions::new(Provenance::new(42, "cfg-hash", "2025b"));
//! let layout = ParquetLayout::new(dir.path());
//! let file = layout.write_dimension(&trucks, &options)?;
//! assert!(file.ends_with("parquet/dim_trucks/dim_trucks.parquet"));
//!
//! let mut store = Store::open(dir.path())?;
//! store.replace_dimensions(&[TableBatches::from_rows(&trucks)?], &[("seed", "42")])?;
//! assert_eq!(store.table_row_count("dim_trucks")?, 2);
//!
//! let def = DimTruck::def();
//! let from_rows = rows_content_hash(&trucks)?;
//! assert_eq!(store.content_hash(def)?, from_rows);
//! assert_eq!(parquet_content_hash(def, &[file])?, from_rows);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod convert;
pub mod duck;
pub mod error;
pub mod hash;
pub mod lock;
pub mod order;
pub mod parquet_out;
pub mod schema;

pub use convert::{normalize_batch, to_record_batch, to_record_batches};
pub use duck::{
    DATABASE_FILE, META_CONTRACT_VERSION, META_LAST_GENERATED_DATE, Store, TableBatches,
};
pub use error::{Result, StoreError};
pub use hash::{ContentHash, ContentHasher, parquet_content_hash, rows_content_hash};
pub use lock::{LockRetry, is_lock_conflict, open_connection, retry_lock_conflicts};
pub use order::{check_sorted, sort_rows};
pub use parquet_out::{
    ParquetBatches, ParquetCompression, ParquetFileWriter, ParquetLayout, ParquetOptions,
    Provenance, StagedParquetFile, YearMonth, read_parquet_batches, write_parquet_rows,
};
