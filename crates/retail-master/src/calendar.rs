//! `dim_date` (data-contract §4.7), built from the calendar model of `retail-patterns`.

use retail_patterns::calendar;
use retail_schemas::tables::DimDate;

use crate::error::MasterError;

/// All `dim_date` rows (2000-01-01 … 2099-12-31) with the configured closure holidays
/// (`calendar.closed_holidays` keys such as `christmas_day`).
pub fn dim_date_rows<S: AsRef<str>>(closed_holidays: &[S]) -> Result<Vec<DimDate>, MasterError> {
    let closed =
        calendar::parse_closed_holidays(closed_holidays).map_err(|e| MasterError::Config {
            field: "calendar.closed_holidays",
            reason: e.to_string(),
        })?;
    Ok(calendar::dim_date_rows(&closed))
}
