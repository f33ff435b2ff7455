//! demand model (being written).
