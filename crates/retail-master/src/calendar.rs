//! `dim_date` (data-contract §4.7), built from the calendar model of `retail-patterns`.

use retail_schemas::tables::DimDate;

use crate::error::MasterError;

/// TODO(patterns-calendar): `retail_patterns::calendar::dim_date_rows` is not written yet;
/// until it lands this returns no rows and `MasterData::dates` stays empty.
pub fn dim_date_rows(closed_holidays: &[&str]) -> Result<Vec<DimDate>, MasterError> {
    let _ = closed_holidays;
    Ok(Vec::new())
}
