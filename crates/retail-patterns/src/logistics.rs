//! logistics model (being written).
