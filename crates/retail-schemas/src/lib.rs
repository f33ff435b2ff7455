//! The retail-rti data contract in code.
//!
//! Every table and event of `data-contract.md` and `events.md` is declared exactly once here,
//! with [`contract_table!`]: the declaration produces the Rust row type, its [`TableDef`]
//! metadata, and — through the emitters — DuckDB DDL, Arrow schemas, KQL tables and mappings,
//! JSON Schema and the Markdown data dictionary. Nothing downstream restates a column list.
//!
//! ```
//! use retail_schemas::{tables::FACT_RECEIPTS, LogicalType};
//! let cols = FACT_RECEIPTS.columns();
//! assert_eq!(cols[0].name, "receipt_id");
//! // A money field is one declaration and two physical columns.
//! let i = cols.iter().position(|c| c.name == "subtotal_cents").unwrap();
//! assert_eq!(cols[i + 1].name, "subtotal");
//! assert_eq!(cols[i + 1].ty, LogicalType::Decimal);
//! ```
#![deny(missing_docs)]

pub mod emit;
pub mod events;
pub mod json;
pub mod row;
pub mod tables;
pub mod types;

pub use events::{Envelope, EventType, Payload};
pub use json::{EncodeError, MAX_EVENT_BYTES};
pub use row::{
    ColumnDef, ColumnType, DecodeError, DynRow, FieldDef, LineList, Lines, Row, TableDef, TableKind,
};
pub use types::{Cell, Date, LogicalType, Money, Ts};

/// Contract version these declarations implement (data-contract.md).
pub const CONTRACT_VERSION: &str = "1.0";

/// The 7 dimension tables in contract order.
pub fn dimension_tables() -> [&'static TableDef; 7] {
    use tables::*;
    [
        &DIM_GEOGRAPHIES,
        &DIM_DISTRIBUTION_CENTERS,
        &DIM_STORES,
        &DIM_TRUCKS,
        &DIM_CUSTOMERS,
        &DIM_PRODUCTS,
        &DIM_DATE,
    ]
}

/// The 18 fact tables in contract order.
pub fn fact_tables() -> [&'static TableDef; 18] {
    use tables::*;
    [
        &FACT_RECEIPTS,
        &FACT_RECEIPT_LINES,
        &FACT_PAYMENTS,
        &FACT_ONLINE_ORDER_HEADERS,
        &FACT_ONLINE_ORDER_LINES,
        &FACT_STORE_INVENTORY_TXN,
        &FACT_DC_INVENTORY_TXN,
        &FACT_TRUCK_MOVES,
        &FACT_TRUCK_INVENTORY,
        &FACT_FOOT_TRAFFIC,
        &FACT_BLE_PINGS,
        &FACT_CUSTOMER_ZONE_CHANGES,
        &FACT_MARKETING,
        &FACT_PROMOTIONS,
        &FACT_PROMO_LINES,
        &FACT_STORE_OPS,
        &FACT_STOCKOUTS,
        &FACT_REORDERS,
    ]
}

/// All 25 tables: dimensions then facts.
pub fn all_tables() -> Vec<&'static TableDef> {
    dimension_tables()
        .into_iter()
        .chain(fact_tables())
        .collect()
}

/// Looks a table up by name.
pub fn table(name: &str) -> Option<&'static TableDef> {
    all_tables().into_iter().find(|t| t.name == name)
}
