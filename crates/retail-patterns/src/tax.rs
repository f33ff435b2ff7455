//! tax model (being written).
