//! Table definitions, the [`Row`] trait and the [`contract_table!`](crate::contract_table) macro that declares a row
//! type and its contract metadata in one place.

use serde_json::{Map, Value};

use crate::json::{self, EncodeError};
use crate::types::{Cell, Date, LogicalType, Money, Ts};

/// What a declared table is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TableKind {
    /// A dimension table (`dim_*`).
    Dimension,
    /// A fact table (`fact_*`).
    Fact,
    /// An event payload shape that is not itself a table (for example `inventory_updated`).
    Payload,
    /// An embedded child row of a payload (`lines` items).
    LineItem,
}

/// One declared field. A money field expands to two physical columns.
#[derive(Clone, Copy, Debug)]
pub struct FieldDef {
    /// Field name; for money, the DECIMAL column's name (the stem).
    pub name: &'static str,
    /// For money, the `_cents` column name; unused otherwise.
    pub cents_name: &'static str,
    /// Logical type.
    pub ty: LogicalType,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// The contract rule of the column (for money, the rule of the `_cents` column). May carry
    /// the leading space of a doc comment; read it through [`FieldDef::rule`].
    pub doc: &'static str,
    /// For money, the rule of the DECIMAL twin (`` `<stem>_cents` / 100, exact ``).
    pub decimal_doc: &'static str,
    /// For an embedded `lines` field, the definition of one line item.
    pub lines_of: Option<fn() -> &'static TableDef>,
}

impl FieldDef {
    /// The contract rule, trimmed.
    pub fn rule(&self) -> &'static str {
        self.doc.trim()
    }
}

/// One physical column (money already expanded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnDef {
    /// Column name.
    pub name: &'static str,
    /// Logical type (never [`LogicalType::Money`]).
    pub ty: LogicalType,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// The contract rule of the column.
    pub doc: &'static str,
}

/// A table (or payload shape) of the contract.
#[derive(Debug)]
pub struct TableDef {
    /// Table name (`fact_receipts`).
    pub name: &'static str,
    /// Kind of table.
    pub kind: TableKind,
    /// Grain: what one row is.
    pub grain: &'static str,
    /// Primary-key / dedupe-key columns.
    pub primary_key: &'static [&'static str],
    /// Declared fields in contract order.
    pub fields: &'static [FieldDef],
}

impl TableDef {
    /// Physical columns in contract order: a money field becomes `<stem>_cents` BIGINT then
    /// `<stem>` DECIMAL(12,2).
    pub fn columns(&self) -> Vec<ColumnDef> {
        let mut out = Vec::with_capacity(self.fields.len() + 4);
        for f in self.fields {
            if f.ty == LogicalType::Money {
                out.push(ColumnDef {
                    name: f.cents_name,
                    ty: LogicalType::BigInt,
                    nullable: f.nullable,
                    doc: f.rule(),
                });
                out.push(ColumnDef {
                    name: f.name,
                    ty: LogicalType::Decimal,
                    nullable: f.nullable,
                    doc: f.decimal_doc,
                });
            } else {
                out.push(ColumnDef {
                    name: f.name,
                    ty: f.ty,
                    nullable: f.nullable,
                    doc: f.rule(),
                });
            }
        }
        out
    }

    /// The field with this name (money fields answer to their stem).
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The definition of the embedded line items (`lines`), if this payload has them.
    pub fn line_item(&self) -> Option<&'static TableDef> {
        self.fields.iter().find_map(|f| f.lines_of.map(|def| def()))
    }

    /// Names of the physical columns in order.
    pub fn column_names(&self) -> Vec<&'static str> {
        self.columns().into_iter().map(|c| c.name).collect()
    }
}

/// A row of a declared table: its metadata and a borrowed view of its values.
pub trait Row: Sized {
    /// The contract definition of this row's table.
    fn def() -> &'static TableDef;

    /// Appends one [`Cell`] per declared field, in declaration order.
    fn cells<'a>(&'a self, out: &mut Vec<Cell<'a>>);

    /// Decodes a row from a JSON object whose members are the contract columns.
    fn decode(obj: &Map<String, Value>) -> Result<Self, DecodeError>;

    /// Appends the row as one compact JSON object, members in contract order (events.md §3).
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), EncodeError>;
}

/// Object-safe view of a row, used for embedded `lines`.
pub trait DynRow {
    /// The row's table definition.
    fn dyn_def(&self) -> &'static TableDef;
    /// Appends one cell per declared field.
    fn dyn_cells<'a>(&'a self, out: &mut Vec<Cell<'a>>);
    /// Appends the row as one compact JSON object.
    fn dyn_write_json(&self, out: &mut Vec<u8>) -> Result<(), EncodeError>;
}

impl<R: Row> DynRow for R {
    fn dyn_def(&self) -> &'static TableDef {
        R::def()
    }
    fn dyn_cells<'a>(&'a self, out: &mut Vec<Cell<'a>>) {
        self.cells(out)
    }
    fn dyn_write_json(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.write_json(out)
    }
}

/// A list of embedded child rows.
pub trait LineList: std::fmt::Debug {
    /// Number of rows.
    fn len(&self) -> usize;
    /// Whether the list is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Row `i`.
    fn get(&self, i: usize) -> &dyn DynRow;
}

/// Embedded child rows of a payload (`lines`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Lines<T>(pub Vec<T>);

impl<T: Row + std::fmt::Debug> LineList for Lines<T> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn get(&self, i: usize) -> &dyn DynRow {
        &self.0[i]
    }
}

/// A JSON value that does not fit its contract field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct DecodeError {
    /// Dotted path of the offending field (`payload.subtotal_cents`).
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
}

impl DecodeError {
    /// A new error for `field`.
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            problem: problem.into(),
        }
    }

    /// Prefixes the field path (`payload` + `subtotal` → `payload.subtotal`).
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = format!("{prefix}.{}", self.field);
        self
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn required<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<&'a Value, DecodeError> {
    match obj.get(name) {
        None => Err(DecodeError::new(name, "is missing")),
        Some(Value::Null) => Err(DecodeError::new(name, "must not be null")),
        Some(v) => Ok(v),
    }
}

fn wrong(name: &str, expected: &str, v: &Value) -> DecodeError {
    DecodeError::new(name, format!("expected {expected}, found {}", describe(v)))
}

/// A Rust type that carries one contract field.
pub trait ColumnType: Sized {
    /// Logical type of the field.
    const LOGICAL: LogicalType;
    /// Whether the field is nullable.
    const NULLABLE: bool = false;
    /// Borrowed view of the value.
    fn cell(&self) -> Cell<'_>;
    /// For embedded rows (`lines`), the definition of one item.
    const LINES_OF: Option<fn() -> &'static TableDef> = None;
    /// Reads the field `name` (money: `cents_name` and `name`) from a JSON object.
    fn decode(obj: &Map<String, Value>, name: &str, cents_name: &str) -> Result<Self, DecodeError>;
    /// Appends `key` (`,"name":`) and the value; money appends `cents_key` and the cents first.
    fn write_json(
        &self,
        key: &'static str,
        cents_key: &'static str,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError>;
}

impl ColumnType for i64 {
    const LOGICAL: LogicalType = LogicalType::BigInt;
    fn write_json(
        &self,
        key: &'static str,
        _: &'static str,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        out.extend_from_slice(key.as_bytes());
        json::write_i64(out, *self);
        Ok(())
    }
    fn cell(&self) -> Cell<'_> {
        Cell::BigInt(*self)
    }
    fn decode(obj: &Map<String, Value>, name: &str, _: &str) -> Result<Self, DecodeError> {
        let v = required(obj, name)?;
        v.as_i64().ok_or_else(|| wrong(name, "an integer", v))
    }
}

impl ColumnType for i32 {
    const LOGICAL: LogicalType = LogicalType::Integer;
    fn write_json(
        &self,
        key: &'static str,
        _: &'static str,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        out.extend_from_slice(key.as_bytes());
        json::write_i64(out, i64::from(*self));
        Ok(())
    }
    fn cell(&self) -> Cell<'_> {
        Cell::Integer(*self)
    }
    fn decode(obj: &Map<String, Value>, name: &str, _: &str) -> Result<Self, DecodeError> {
        let v = required(obj, name)?;
        v.as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| wrong(name, "a 32-bit integer", v))
    }
}

impl ColumnType for String {
    const LOGICAL: LogicalType = LogicalType::Varchar;
    fn write_json(
        &self,
        key: &'static str,
        _: &'static str,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        out.extend_from_slice(key.as_bytes());
        json::write_str(out, self);
        Ok(())
    }
    fn cell(&self) -> Cell<'_> {
        Cell::Varchar(self)
    }
    fn decode(obj: &Map<String, Value>, name: &str, _: &str) -> Result<Self, DecodeError> {
        let v = required(obj, name)?;
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| wrong(name, "a string", v))
    }
}

impl ColumnType for bool {
    const LOGICAL: LogicalType = LogicalType::Boolean;
    fn write_json(
        &self,
        key: &'static str,
        _: &'static str,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(if *self { b"true" } else { b"false" });
        Ok(())
    }
    fn cell(&self) -> Cell<'_> {
        Cell::Boolean(*self)
    }
    fn decode(obj: &Map<String, Value>, name: &str, _: &str) -> Result<Self, DecodeError> {
        let v = required(obj, name)?;
        v.as_bool().ok_or_else(|| wrong(name, "true or false", v))
    }
}

impl ColumnType for f64 {
    const LOGICAL: LogicalType = LogicalType::Double;
    fn write_json(
        &self,
        key: &'static str,
        _: &'static str,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        out.extend_from_slice(key.as_bytes());
        json::write_f64(out, *self).map_err(|()| EncodeError::NonFinite {
            field: json::key_name(key),
        })
    }
    fn cell(&self) -> Cell<'_> {
        Cell::Double(*self)
    }
    fn decode(obj: &Map<String, Value>, name: &str, _: &str) -> Result<Self, DecodeError> {
        let v = required(obj, name)?;
        v.as_f64()
            .filter(|x| x.is_finite())
            .ok_or_else(|| wrong(name, "a finite number", v))
    }
}

impl ColumnType for Ts {
    const LOGICAL: LogicalType = LogicalType::Timestamp;
    fn write_json(
        &self,
        key: &'static str,
        _: &'static str,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        out.extend_from_slice(key.as_bytes());
        json::write_ts(out, *self).map_err(|()| EncodeError::OutOfRange {
            field: json::key_name(key),
        })
    }
    fn cell(&self) -> Cell<'_> {
        Cell::Timestamp(self.0)
    }
    fn decode(obj: &Map<String, Value>, name: &str, _: &str) -> Result<Self, DecodeError> {
        let v = required(obj, name)?;
        let s = v
            .as_str()
            .ok_or_else(|| wrong(name, "an RFC 3339 timestamp string", v))?;
        Ts::parse_rfc3339(s).ok_or_else(|| {
            DecodeError::new(
                name,
                format!("`{s}` is not an RFC 3339 timestamp (YYYY-MM-DDTHH:MM:SS.ffffffZ)"),
            )
        })
    }
}

impl ColumnType for Date {
    const LOGICAL: LogicalType = LogicalType::Date;
    fn write_json(
        &self,
        key: &'static str,
        _: &'static str,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        out.extend_from_slice(key.as_bytes());
        json::write_date(out, *self).map_err(|()| EncodeError::OutOfRange {
            field: json::key_name(key),
        })
    }
    fn cell(&self) -> Cell<'_> {
        Cell::Date(self.0)
    }
    fn decode(obj: &Map<String, Value>, name: &str, _: &str) -> Result<Self, DecodeError> {
        let v = required(obj, name)?;
        let s = v
            .as_str()
            .ok_or_else(|| wrong(name, "a YYYY-MM-DD string", v))?;
        Date::parse(s)
            .ok_or_else(|| DecodeError::new(name, format!("`{s}` is not a YYYY-MM-DD date")))
    }
}

impl ColumnType for Money {
    const LOGICAL: LogicalType = LogicalType::Money;
    fn write_json(
        &self,
        key: &'static str,
        cents_key: &'static str,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        out.extend_from_slice(cents_key.as_bytes());
        json::write_i64(out, self.0);
        out.extend_from_slice(key.as_bytes());
        json::write_money_decimal(out, self.0);
        Ok(())
    }
    fn cell(&self) -> Cell<'_> {
        Cell::Money(self.0)
    }
    fn decode(obj: &Map<String, Value>, name: &str, cents_name: &str) -> Result<Self, DecodeError> {
        let v = required(obj, cents_name)?;
        let cents = v
            .as_i64()
            .ok_or_else(|| wrong(cents_name, "an integer number of cents", v))?;
        let d = required(obj, name)?;
        let amount = d
            .as_f64()
            .ok_or_else(|| wrong(name, "a number with two decimals", d))?;
        // The decimal twin must equal cents / 100 exactly; compare on the cent grid.
        if (amount * 100.0).round() as i64 != cents || (amount * 100.0 - cents as f64).abs() > 1e-6
        {
            return Err(DecodeError::new(
                name,
                format!(
                    "{amount} does not equal {cents_name} / 100 ({})",
                    Money(cents)
                ),
            ));
        }
        Ok(Money(cents))
    }
}

impl ColumnType for Vec<i64> {
    const LOGICAL: LogicalType = LogicalType::ListBigInt;
    fn write_json(
        &self,
        key: &'static str,
        _: &'static str,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        out.extend_from_slice(key.as_bytes());
        out.push(b'[');
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json::write_i64(out, *v);
        }
        out.push(b']');
        Ok(())
    }
    fn cell(&self) -> Cell<'_> {
        Cell::ListBigInt(self)
    }
    fn decode(obj: &Map<String, Value>, name: &str, _: &str) -> Result<Self, DecodeError> {
        let v = required(obj, name)?;
        let items = v
            .as_array()
            .ok_or_else(|| wrong(name, "an array of integers", v))?;
        items
            .iter()
            .enumerate()
            .map(|(i, x)| {
                x.as_i64()
                    .ok_or_else(|| wrong(&format!("{name}[{i}]"), "an integer", x))
            })
            .collect()
    }
}

impl<T: Row + std::fmt::Debug> ColumnType for Lines<T> {
    const LOGICAL: LogicalType = LogicalType::Lines;
    const LINES_OF: Option<fn() -> &'static TableDef> = Some(T::def);
    fn write_json(
        &self,
        key: &'static str,
        _: &'static str,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        out.extend_from_slice(key.as_bytes());
        out.push(b'[');
        for (i, row) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            row.write_json(out)?;
        }
        out.push(b']');
        Ok(())
    }
    fn cell(&self) -> Cell<'_> {
        Cell::Lines(self)
    }
    fn decode(obj: &Map<String, Value>, name: &str, _: &str) -> Result<Self, DecodeError> {
        let v = required(obj, name)?;
        let items = v
            .as_array()
            .ok_or_else(|| wrong(name, "an array of objects", v))?;
        let mut rows = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let path = format!("{name}[{i}]");
            let o = item
                .as_object()
                .ok_or_else(|| wrong(&path, "an object", item))?;
            rows.push(T::decode(o).map_err(|e| e.within(&path))?);
        }
        Ok(Lines(rows))
    }
}

impl<T: ColumnType> ColumnType for Option<T> {
    const LOGICAL: LogicalType = T::LOGICAL;
    const NULLABLE: bool = true;
    const LINES_OF: Option<fn() -> &'static TableDef> = T::LINES_OF;
    fn write_json(
        &self,
        key: &'static str,
        cents_key: &'static str,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        match self {
            Some(v) => v.write_json(key, cents_key, out),
            None => {
                if T::LOGICAL == LogicalType::Money {
                    out.extend_from_slice(cents_key.as_bytes());
                    out.extend_from_slice(b"null");
                }
                out.extend_from_slice(key.as_bytes());
                out.extend_from_slice(b"null");
                Ok(())
            }
        }
    }
    fn cell(&self) -> Cell<'_> {
        match self {
            Some(v) => v.cell(),
            None => Cell::Null,
        }
    }
    fn decode(obj: &Map<String, Value>, name: &str, cents_name: &str) -> Result<Self, DecodeError> {
        let key = if T::LOGICAL == LogicalType::Money {
            cents_name
        } else {
            name
        };
        match obj.get(key) {
            None => Err(DecodeError::new(key, "is missing (use null for no value)")),
            Some(Value::Null) => Ok(None),
            Some(_) => T::decode(obj, name, cents_name).map(Some),
        }
    }
}

/// Declares a contract row type and its [`TableDef`] together, so the two cannot drift.
///
/// Each field's doc comment is its contract rule. A field of type [`Money`] becomes the
/// `<field>_cents` BIGINT and `<field>` DECIMAL(12,2) column pair.
#[macro_export]
macro_rules! contract_table {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident as $def:ident {
            table: $table:literal,
            kind: $kind:ident,
            grain: $grain:literal,
            key: [$($key:ident),* $(,)?],
            fields: {
                $(
                    $(#[doc = $fdoc:literal])*
                    $field:ident : $fty:ty
                ),* $(,)?
            }
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        $vis struct $name {
            $(
                $(#[doc = $fdoc])*
                pub $field: $fty,
            )*
        }

        #[doc = concat!("Contract definition of `", $table, "`.")]
        $vis static $def: $crate::TableDef = $crate::TableDef {
            name: $table,
            kind: $crate::TableKind::$kind,
            grain: $grain,
            primary_key: &[$(stringify!($key)),*],
            fields: &[
                $(
                    $crate::FieldDef {
                        name: stringify!($field),
                        cents_name: concat!(stringify!($field), "_cents"),
                        ty: <$fty as $crate::ColumnType>::LOGICAL,
                        nullable: <$fty as $crate::ColumnType>::NULLABLE,
                        doc: concat!($($fdoc),*),
                        decimal_doc: concat!("`", stringify!($field), "_cents` / 100, exact"),
                        lines_of: <$fty as $crate::ColumnType>::LINES_OF,
                    }
                ),*
            ],
        };

        impl $name {
            /// Orders two rows by the table's primary key, column by column.
            pub fn cmp_primary_key(&self, other: &Self) -> ::std::cmp::Ordering {
                ::std::cmp::Ordering::Equal
                    $( .then_with(|| ::std::cmp::Ord::cmp(&self.$key, &other.$key)) )*
            }
        }

        impl $crate::Row for $name {
            fn def() -> &'static $crate::TableDef {
                &$def
            }

            fn cells<'a>(&'a self, out: &mut Vec<$crate::Cell<'a>>) {
                $( out.push($crate::ColumnType::cell(&self.$field)); )*
            }

            fn write_json(&self, out: &mut Vec<u8>) -> Result<(), $crate::json::EncodeError> {
                let start = out.len();
                $(
                    $crate::ColumnType::write_json(
                        &self.$field,
                        concat!(",\"", stringify!($field), "\":"),
                        concat!(",\"", stringify!($field), "_cents\":"),
                        out,
                    )?;
                )*
                // Every member was written with a leading comma; the first one becomes the brace.
                if out.len() == start {
                    out.extend_from_slice(b"{}");
                } else {
                    out[start] = b'{';
                    out.push(b'}');
                }
                Ok(())
            }

            fn decode(
                obj: &serde_json::Map<String, serde_json::Value>,
            ) -> Result<Self, $crate::DecodeError> {
                Ok(Self {
                    $(
                        $field: <$fty as $crate::ColumnType>::decode(
                            obj,
                            stringify!($field),
                            concat!(stringify!($field), "_cents"),
                        )?,
                    )*
                })
            }
        }
    };
}
