//! disruption model (being written).
