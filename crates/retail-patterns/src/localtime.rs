//! localtime model (being written).
