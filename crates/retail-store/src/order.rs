//! The file row order of data-contract §9.3 / §12.5: (`business_date`, primary key), strings
//! by bytes, numbers numerically, timestamps chronologically.

use std::cmp::Ordering;

use retail_schemas::{Cell, Row, TableDef};

use crate::error::{Result, StoreError};
use crate::schema::sort_columns;

/// One component of a sort key. NULL sorts last, as in DuckDB's default `ASC NULLS LAST`.
#[derive(Clone, Copy, Debug)]
enum KeyPart<'a> {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(&'a str),
    List(&'a [i64]),
    Null,
}

impl KeyPart<'_> {
    fn from_cell<'a>(cell: &Cell<'a>) -> KeyPart<'a> {
        match *cell {
            Cell::BigInt(v) | Cell::Money(v) | Cell::Timestamp(v) => KeyPart::Int(v),
            Cell::Integer(v) | Cell::Date(v) => KeyPart::Int(i64::from(v)),
            Cell::Double(v) => KeyPart::Float(v),
            Cell::Boolean(v) => KeyPart::Bool(v),
            Cell::Varchar(v) => KeyPart::Str(v),
            Cell::ListBigInt(v) => KeyPart::List(v),
            Cell::Null | Cell::Lines(_) => KeyPart::Null,
        }
    }

    fn rank(&self) -> u8 {
        match self {
            KeyPart::Int(_) => 0,
            KeyPart::Float(_) => 1,
            KeyPart::Bool(_) => 2,
            KeyPart::Str(_) => 3,
            KeyPart::List(_) => 4,
            KeyPart::Null => 5,
        }
    }

    fn compare(&self, other: &Self) -> Ordering {
        match (self, other) {
            (KeyPart::Int(a), KeyPart::Int(b)) => a.cmp(b),
            (KeyPart::Float(a), KeyPart::Float(b)) => a.total_cmp(b),
            (KeyPart::Bool(a), KeyPart::Bool(b)) => a.cmp(b),
            // `str` ordering is byte ordering of the UTF-8 encoding.
            (KeyPart::Str(a), KeyPart::Str(b)) => a.as_bytes().cmp(b.as_bytes()),
            (KeyPart::List(a), KeyPart::List(b)) => a.cmp(b),
            (a, b) => a.rank().cmp(&b.rank()),
        }
    }
}

fn compare_keys(a: &[KeyPart<'_>], b: &[KeyPart<'_>]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.compare(y))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// Positions (in `def.fields`, i.e. in [`Row::cells`] order) of the sort columns of a table.
fn sort_field_positions(def: &TableDef) -> Result<Vec<usize>> {
    sort_columns(def)
        .iter()
        .map(|name| {
            def.fields
                .iter()
                .position(|f| f.name == *name)
                .ok_or_else(|| StoreError::WrongTable {
                    table: def.name.to_owned(),
                    problem: format!("sort column {name} is not a field"),
                })
        })
        .collect()
}

fn fill_key<'a, R: Row>(
    row: &'a R,
    positions: &[usize],
    cells: &mut Vec<Cell<'a>>,
    key: &mut Vec<KeyPart<'a>>,
) {
    cells.clear();
    row.cells(cells);
    key.clear();
    key.extend(
        positions
            .iter()
            .map(|&p| cells.get(p).map_or(KeyPart::Null, KeyPart::from_cell)),
    );
}

/// Sorts rows into file order: (`business_date`, primary key) for facts, primary key for
/// dimensions. Stable, so rows with equal keys keep their relative order.
pub fn sort_rows<R: Row>(rows: &mut Vec<R>) -> Result<()> {
    let positions = sort_field_positions(R::def())?;
    if is_sorted(rows, &positions) {
        // Generators mostly emit rows in order already; checking is much cheaper than sorting.
        return Ok(());
    }
    let order = {
        let mut cells = Vec::with_capacity(R::def().fields.len());
        let mut keyed: Vec<(Vec<KeyPart<'_>>, usize)> = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let mut key = Vec::with_capacity(positions.len());
            fill_key(row, &positions, &mut cells, &mut key);
            keyed.push((key, i));
        }
        keyed.sort_by(|a, b| compare_keys(&a.0, &b.0));
        keyed.into_iter().map(|(_, i)| i).collect::<Vec<_>>()
    };
    let mut slots: Vec<Option<R>> = rows.drain(..).map(Some).collect();
    rows.extend(order.into_iter().filter_map(|i| slots[i].take()));
    Ok(())
}

fn is_sorted<R: Row>(rows: &[R], positions: &[usize]) -> bool {
    let mut cells = Vec::with_capacity(R::def().fields.len());
    let mut previous: Vec<KeyPart<'_>> = Vec::with_capacity(positions.len());
    let mut current: Vec<KeyPart<'_>> = Vec::with_capacity(positions.len());
    for (i, row) in rows.iter().enumerate() {
        fill_key(row, positions, &mut cells, &mut current);
        if i > 0 && compare_keys(&previous, &current).is_gt() {
            return false;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    true
}

/// Checks that rows are in strictly increasing file order: reports the first row out of order
/// ([`StoreError::NotSorted`]) or the first repeated key ([`StoreError::DuplicateKey`]).
pub fn check_sorted<R: Row>(rows: &[R]) -> Result<()> {
    let def = R::def();
    let positions = sort_field_positions(def)?;
    let mut cells = Vec::with_capacity(def.fields.len());
    let mut previous: Vec<KeyPart<'_>> = Vec::with_capacity(positions.len());
    let mut current: Vec<KeyPart<'_>> = Vec::with_capacity(positions.len());
    for (i, row) in rows.iter().enumerate() {
        fill_key(row, &positions, &mut cells, &mut current);
        if i > 0 {
            match compare_keys(&previous, &current) {
                Ordering::Less => {}
                Ordering::Equal => {
                    return Err(StoreError::DuplicateKey {
                        table: def.name.to_owned(),
                        row: i,
                    });
                }
                Ordering::Greater => {
                    return Err(StoreError::NotSorted {
                        table: def.name.to_owned(),
                        row: i,
                    });
                }
            }
        }
        std::mem::swap(&mut previous, &mut current);
    }
    Ok(())
}

/// The `business_date` of a row (days since 1970-01-01), when its table has one.
pub(crate) fn business_date_position(def: &TableDef) -> Option<usize> {
    def.fields.iter().position(|f| f.name == "business_date")
}
