//! The world state carried from one generated day to the next (data-contract §12.6): every
//! location's ledgers and queues, truck availability, the reorders awaiting planning and the rows
//! already generated for later business dates. It is plain data (serde) so a run can stop after
//! any day and a continuation can pick it up ([`crate::checkpoint`]).

use std::collections::BTreeMap;

use retail_patterns::inventory::Ledger;
use retail_schemas::{Date, Row, Ts};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::output::with_fact_tables;
use crate::store_day::StoreState;
use crate::{FactBatch, FactsError, TableVisitor};

/// Serde mirror of [`Ledger`] (the model type carries no serde derive), for store and DC
/// ledgers alike.
#[derive(Serialize, Deserialize)]
#[serde(remote = "Ledger")]
pub(crate) struct LedgerDef {
    on_hand: i64,
    reserved: i64,
    on_order: i64,
    ledger_seq: u64,
    par: i64,
    reorder_point: i64,
}

/// One (DC, product) ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DcLedger(#[serde(with = "LedgerDef")] pub Ledger);

/// What a queued DC event does when its instant comes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DcEventKind {
    /// A purchase order arrives (SUPPLIER_RECEIPT, + units); `quantity` ordered units.
    SupplierReceipt {
        /// Ordered units (the receipt may deliver fewer under an inventory shortage).
        quantity: i64,
    },
    /// Units reserved for an online order line leave (ONLINE_PICK, −).
    OnlinePick {
        /// Picked units.
        quantity: i64,
    },
    /// Units reserved for a shipment are loaded (OUTBOUND_SHIPMENT, −).
    OutboundShipment {
        /// Loaded units.
        quantity: i64,
    },
    /// A cancelled order's reservation is released (no row).
    CancelRelease {
        /// Released units.
        quantity: i64,
    },
}

impl DcEventKind {
    /// Tie rank of §7.9 (releases, which write no row, come last).
    pub fn rank(&self) -> u8 {
        use retail_patterns::inventory::TxnType;
        match self {
            DcEventKind::SupplierReceipt { .. } => TxnType::SupplierReceipt.processing_rank() as u8,
            DcEventKind::OnlinePick { .. } => TxnType::OnlinePick.processing_rank() as u8,
            DcEventKind::OutboundShipment { .. } => {
                TxnType::OutboundShipment.processing_rank() as u8
            }
            DcEventKind::CancelRelease { .. } => u8::MAX,
        }
    }
}

/// Processing key of a queued DC event: §7.9 order (event_ts, txn type, reference_id,
/// reference line, product_id).
pub type DcEventKey = (Ts, u8, String, Option<u32>, i64);

/// Everything a DC carries from one day to the next.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DcState {
    /// The DC.
    pub dc_id: i64,
    /// Ledgers indexed by product_id − 1.
    pub ledgers: Vec<DcLedger>,
    /// Movements and releases not yet due, in processing order.
    pub queue: BTreeMap<DcEventKey, DcEventKind>,
    /// Last stockout instant per product (24 h suppression).
    pub last_stockout: BTreeMap<i64, Ts>,
    /// DC-local date of the last txn id written, and its sequence number.
    pub txn_counter: (Date, u32),
}

/// A store reorder waiting for its DC's planning (the fields planning needs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingReorder {
    /// `RO-…`.
    pub reorder_id: String,
    /// Evaluation instant (store close).
    pub event_ts: Ts,
    /// Store.
    pub store_id: i64,
    /// Serving DC.
    pub dc_id: i64,
    /// Product.
    pub product_id: i64,
    /// Requested units.
    pub quantity: i64,
    /// Priority rank (URGENT 0, HIGH 1, NORMAL 2).
    pub priority_rank: u8,
}

/// The whole model state between two days.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WorldState {
    /// `config_hash` of the configuration that produced the state.
    pub config_hash: String,
    /// First date of the dataset.
    pub dataset_start: Date,
    /// The next date to generate.
    pub next_date: Date,
    /// Stores in store_id order.
    pub stores: Vec<StoreState>,
    /// DCs in dc_id order.
    pub dcs: Vec<DcState>,
    /// Availability instant per truck (index truck_id − 1); `None` = never used.
    pub truck_available: Vec<Option<Ts>>,
    /// Reorders of the last generated day, for the next day's planning.
    pub pending_reorders: Vec<PendingReorder>,
    /// Rows generated for business dates not emitted yet.
    pub held: HeldRows,
}

/// Rows held for later business dates (serialised as contract JSON per table).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeldRows(pub BTreeMap<Date, FactBatch>);

struct JsonRows<'a>(&'a mut Vec<Vec<String>>);

impl TableVisitor for JsonRows<'_> {
    type Error = String;
    fn visit<R: Row + Sync>(&mut self, rows: &[R]) -> Result<(), String> {
        let mut table = Vec::with_capacity(rows.len());
        for row in rows {
            let mut out = Vec::new();
            row.write_json(&mut out).map_err(|e| e.to_string())?;
            table.push(String::from_utf8(out).map_err(|e| e.to_string())?);
        }
        self.0.push(table);
        Ok(())
    }
}

fn decode_rows<R: Row>(rows: &[String]) -> Result<Vec<R>, String> {
    rows.iter()
        .map(|text| {
            let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
            let obj = value
                .as_object()
                .ok_or_else(|| "held row is not a JSON object".to_string())?;
            R::decode(obj).map_err(|e| e.to_string())
        })
        .collect()
}

macro_rules! decode_batch {
    ($tables:expr, $($field:ident : $row:ty),* $(,)?) => {{
        let tables: &[Vec<String>] = $tables;
        let names = [$(stringify!($field)),*];
        if tables.len() != names.len() {
            return Err(format!("held rows: {} tables, expected {}", tables.len(), names.len()));
        }
        let mut it = tables.iter();
        FactBatch {
            $( $field: decode_rows(it.next().expect("length checked"))?, )*
        }
    }};
}

fn decode_held_batch(tables: &[Vec<String>]) -> Result<FactBatch, String> {
    Ok(with_fact_tables!(decode_batch!(tables,)))
}

impl Serialize for HeldRows {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut days: Vec<(Date, Vec<Vec<String>>)> = Vec::with_capacity(self.0.len());
        for (date, batch) in &self.0 {
            let mut tables = Vec::new();
            batch
                .visit_tables(&mut JsonRows(&mut tables))
                .map_err(serde::ser::Error::custom)?;
            days.push((*date, tables));
        }
        days.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for HeldRows {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let days: Vec<(Date, Vec<Vec<String>>)> = Vec::deserialize(deserializer)?;
        let mut out = BTreeMap::new();
        for (date, tables) in days {
            out.insert(
                date,
                decode_held_batch(&tables).map_err(serde::de::Error::custom)?,
            );
        }
        Ok(HeldRows(out))
    }
}

macro_rules! assemble_tables {
    ($parts:ident, $today:ident, $date:ident, $held:ident, $earlier:ident, $($field:ident : $row:ty),* $(,)?) => {
        $(
            let due = $parts
                .iter()
                .map(|p| p.$field.iter().filter(|r| r.business_date == $date).count())
                .sum::<usize>()
                + $earlier.$field.len();
            let mut rows = Vec::with_capacity(due);
            for part in $parts.iter_mut() {
                for row in std::mem::take(&mut part.$field) {
                    if row.business_date == $date {
                        rows.push(row);
                    } else if row.business_date > $date {
                        $held.entry(row.business_date).or_default().$field.push(row);
                    } else {
                        return Err(FactsError::Invariant(format!(
                            "{} row dated {} produced while generating {} (already emitted)",
                            stringify!($field), row.business_date, $date
                        )));
                    }
                }
            }
            rows.append(&mut $earlier.$field);
            $today.$field = rows;
        )*
    };
}

/// The rows of `date` from the day's `parts` (in order, then the rows held for `date` by earlier
/// days) and the rows of later dates moved into `held`; a row of an earlier date is an error.
/// Each table of the day is allocated once, at its final size.
pub fn assemble_day(
    mut parts: Vec<FactBatch>,
    date: Date,
    held: &mut BTreeMap<Date, FactBatch>,
) -> Result<FactBatch, FactsError> {
    let mut earlier = held.remove(&date).unwrap_or_default();
    let mut today = FactBatch::default();
    with_fact_tables!(assemble_tables!(parts, today, date, held, earlier,));
    Ok(today)
}
