//! marketing model (being written).
