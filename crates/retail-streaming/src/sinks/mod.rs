//! The local sinks: null, standard output and rotating JSON-lines files.

mod jsonl;
mod null;
mod stdout;

pub use jsonl::JsonlSink;
pub use null::NullSink;
pub use stdout::StdoutSink;
