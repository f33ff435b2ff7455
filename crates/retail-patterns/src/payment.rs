//! payment model (being written).
