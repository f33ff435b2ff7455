//! The crate's error type. Every message that can carry text from outside passes through
//! [`crate::redact`] before it is stored here.

use std::path::PathBuf;

/// Errors of sink configuration, connection and delivery.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// A `--sink` string or sink option could not be understood.
    #[error("invalid sink specification {spec:?}: {reason}")]
    InvalidSpec {
        /// The offending text (never contains secrets: it is redacted first).
        spec: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The sink configuration is inconsistent or incomplete.
    #[error("invalid sink configuration: {0}")]
    InvalidConfig(String),
    /// A file could not be written or read.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was attempted (e.g. "writing").
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system error.
        #[source]
        source: std::io::Error,
    },
    /// Writing to standard output failed.
    #[error("writing to standard output: {0}")]
    Stdout(#[source] std::io::Error),
    /// The destination could not be reached or refused the connection after every attempt.
    #[error("could not connect to {destination} after {attempts} attempt(s): {message}")]
    Connect {
        /// Namespace / endpoint (never a secret).
        destination: String,
        /// Attempts made.
        attempts: u32,
        /// Redacted description of the last failure.
        message: String,
    },
    /// A delivery failed permanently or exhausted its retries; the run must stop.
    #[error("delivery to {destination} failed ({kind}): {message}")]
    Delivery {
        /// Namespace / endpoint.
        destination: String,
        /// Error kind label, as counted in `errors_total`.
        kind: String,
        /// Redacted description of the failure.
        message: String,
    },
    /// The sink's run task stopped before the producer finished.
    #[error("the sink stopped: {0}")]
    Stopped(String),
}

impl SinkError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        SinkError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
