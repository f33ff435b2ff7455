//! online model (being written).
