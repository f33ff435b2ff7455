//! calendar model (being written).
