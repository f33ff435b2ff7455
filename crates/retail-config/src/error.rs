//! Errors of loading and validating a configuration.

use std::fmt;
use std::path::PathBuf;

/// One broken rule: where (JSON path), what (the offending value, when it may be shown) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// JSON path of the field, e.g. `volume.dcs` or `disruptions[2].kind`; empty for the whole document.
    pub path: String,
    /// The offending value as compact JSON; `None` when there is no value to show (unknown or
    /// missing field) or when it must not be shown (a secret).
    pub value: Option<String>,
    /// The rule, phrased as what is required, e.g. `must be at least 1`.
    pub rule: String,
}

impl Violation {
    /// A violation that shows the offending value.
    pub fn new(path: impl Into<String>, value: impl Into<String>, rule: impl Into<String>) -> Self {
        Violation {
            path: path.into(),
            value: Some(value.into()),
            rule: rule.into(),
        }
    }

    /// A violation without a value to show.
    pub fn without_value(path: impl Into<String>, rule: impl Into<String>) -> Self {
        Violation {
            path: path.into(),
            value: None,
            rule: rule.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(document)"
        } else {
            &self.path
        };
        match &self.value {
            Some(value) => write!(f, "{path}: {value} is not allowed: {}", self.rule),
            None => write!(f, "{path}: {}", self.rule),
        }
    }
}

/// Why a configuration could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read (missing, unreadable, not UTF-8).
    #[error("cannot read configuration file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The text is not JSON.
    #[error("configuration is not valid JSON: {message}")]
    Syntax {
        /// The parser's message, with line and column.
        message: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
    },
    /// The JSON does not describe a valid configuration; every problem found is listed.
    #[error("{}", describe_violations(.0))]
    Invalid(Vec<Violation>),
}

impl ConfigError {
    /// The violations of an [`ConfigError::Invalid`] error (empty for other kinds).
    pub fn violations(&self) -> &[Violation] {
        match self {
            ConfigError::Invalid(v) => v,
            _ => &[],
        }
    }

    /// True when the error is a file that does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ConfigError::Read { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

fn describe_violations(violations: &[Violation]) -> String {
    let count = violations.len();
    let mut text = format!(
        "invalid configuration, {count} problem{}:",
        if count == 1 { "" } else { "s" }
    );
    for v in violations {
        text.push_str("\n  ");
        text.push_str(&v.to_string());
    }
    text
}
