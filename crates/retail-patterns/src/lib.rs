//! Pure retail behaviour models (no I/O): the rules of data-contract §7 that make generated data
//! believable. Every model is deterministic given its [`retail_rng::Stream`] and documented with
//! its parameters; the fact generators compose them.
//!
//! Modules: [`calendar`] (holidays for any year, seasonality, `dim_date`), [`localtime`]
//! (store-local time, DST-safe hour slots), [`demand`] (hourly arrival rates, weather),
//! [`marketing`] (campaigns, impressions, attribution), [`disruption`] (supply-chain events),
//! [`seasonality`] (the expected yearly shape of demand), [`basket`], [`promotion`], [`tax`],
//! [`payment`], [`sensors`], [`returns`], [`online`],
//! [`logistics`] and [`inventory`].
#![deny(missing_docs)]

pub mod basket;
pub mod calendar;
pub mod demand;
pub mod disruption;
pub mod ids;
pub mod inventory;
pub mod localtime;
pub mod logistics;
pub mod marketing;
pub mod online;
pub mod payment;
pub mod promotion;
pub mod returns;
pub mod seasonality;
pub mod sensors;
pub mod tax;

/// Errors of the pattern models (bad parameters; the models never fail on valid input).
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum PatternsError {
    /// An unknown IANA time zone name.
    #[error("unknown time zone `{0}`")]
    UnknownTimeZone(String),
    /// An unknown holiday key.
    #[error("unknown holiday key `{0}`")]
    UnknownHoliday(String),
    /// A parameter outside its allowed range.
    #[error("{name}: {value} is not allowed: {rule}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Offending value.
        value: String,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// A holiday key that exists but may not be a closure day (§7.1 "Closable").
    #[error(
        "holiday `{0}` is not closable: only new_years_day, easter_sunday, thanksgiving and christmas_day may close stores"
    )]
    HolidayNotClosable(String),
    /// A disruption specification that cannot be understood.
    #[error("invalid disruption `{text}`: {reason}")]
    InvalidDisruption {
        /// The text or field given.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
}
