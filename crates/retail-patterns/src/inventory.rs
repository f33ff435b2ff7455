//! inventory model (being written).
