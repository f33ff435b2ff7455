//! promotion model (being written).
