//! returns model (being written).
