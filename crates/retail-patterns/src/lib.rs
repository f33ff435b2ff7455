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
//!
//! ```
//! use retail_patterns::calendar::{self, HolidayKey};
//! use retail_patterns::payment::{self, Channel, TenderType};
//! use retail_rng::Stream;
//! use retail_schemas::Date;
//!
//! // The holiday calendar of any year: Thanksgiving is the fourth Thursday of November,
//! // Black Friday the day after, and a store configured to close on Christmas Day is closed.
//! let thanksgiving = HolidayKey::Thanksgiving.date(2025);
//! assert_eq!(thanksgiving, Date::from_ymd(2025, 11, 27).unwrap());
//! assert_eq!(calendar::holiday_on(thanksgiving.succ()), Some(HolidayKey::BlackFriday));
//! let christmas = Date::from_ymd(2025, 12, 25).unwrap();
//! let row = calendar::dim_date_row(christmas, &[HolidayKey::ChristmasDay]);
//! assert!(row.is_holiday && row.is_store_closed);
//! assert_eq!(row.date_key, 20251225);
//!
//! // A stochastic model draws from the stream it is given: the same key gives the same choice,
//! // and online orders never pay cash.
//! let tender = |order: i64| {
//!     payment::draw_tender(Channel::Online, None, &mut Stream::new(42, "payment", &[order]))
//! };
//! assert_eq!(tender(7), tender(7));
//! assert!((0..50).all(|order| tender(order) != TenderType::Cash));
//! ```
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
