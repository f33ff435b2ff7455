//! sensors model (being written).
