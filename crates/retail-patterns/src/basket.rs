//! basket model (being written).
