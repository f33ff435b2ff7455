//! Loading, overriding, validating, hashing and reading a [`Config`].

use std::path::{Path, PathBuf};

use retail_schemas::Date;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::error::{ConfigError, Violation};
use crate::model::{Config, EVENT_TYPES, Profile, Stream};
use crate::validate::parse_date;

/// Values given on the command line; each one replaces its field after the file is merged
/// over the profile (data-contract §10.1: "CLI flags override last").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--data-dir`: replaces `output.dir`.
    pub data_dir: Option<PathBuf>,
    /// Replaces `dates.start_date` (`YYYY-MM-DD`).
    pub start_date: Option<String>,
    /// Replaces `dates.end_date` (`YYYY-MM-DD`).
    pub end_date: Option<String>,
    /// Replaces `performance.threads`.
    pub threads: Option<u32>,
    /// Replaces `seed`.
    pub seed: Option<u64>,
}

impl Overrides {
    /// The configuration with these values put in, not validated.
    pub(crate) fn applied_to(&self, mut config: Config) -> Config {
        if let Some(dir) = &self.data_dir {
            config.output.dir = dir.to_string_lossy().into_owned();
        }
        if let Some(start) = &self.start_date {
            config.dates.start_date = start.clone();
        }
        if let Some(end) = &self.end_date {
            config.dates.end_date = end.clone();
        }
        if let Some(threads) = self.threads {
            config.performance.threads = Some(threads);
        }
        if let Some(seed) = self.seed {
            config.seed = seed;
        }
        config
    }

    /// Marks violations of overridden fields as coming from the command line.
    pub(crate) fn annotate(&self, mut violations: Vec<Violation>) -> Vec<Violation> {
        let overridden = self.paths();
        for v in &mut violations {
            if overridden.contains(&v.path.as_str()) {
                v.rule.push_str(" (value given on the command line)");
            }
        }
        violations
    }

    /// JSON paths of the fields these overrides set.
    fn paths(&self) -> Vec<&'static str> {
        let mut paths = Vec::new();
        if self.data_dir.is_some() {
            paths.push("output.dir");
        }
        if self.start_date.is_some() {
            paths.push("dates.start_date");
        }
        if self.end_date.is_some() {
            paths.push("dates.end_date");
        }
        if self.threads.is_some() {
            paths.push("performance.threads");
        }
        if self.seed.is_some() {
            paths.push("seed");
        }
        paths
    }
}

impl Config {
    /// Reads and resolves a configuration file: the built-in profile named by `profile`
    /// (default `default`), the file merged over it, then whole-config validation.
    pub fn load(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        Config::load_with(path, &Overrides::default())
    }

    /// As [`Config::load`], with command-line overrides put in before validation, so that a
    /// flag can repair a file value (data-contract §10.1: file → flags → validation).
    pub fn load_with(path: impl AsRef<Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::from_json_str_with(&text, overrides)
    }

    /// Resolves a configuration from JSON text (see [`Config::load`]).
    pub fn from_json_str(text: &str) -> Result<Config, ConfigError> {
        Config::from_json_str_with(text, &Overrides::default())
    }

    /// Resolves a configuration from JSON text with command-line overrides (see
    /// [`Config::load_with`]).
    pub fn from_json_str_with(text: &str, overrides: &Overrides) -> Result<Config, ConfigError> {
        crate::load::parse(text, overrides)
    }

    /// Every rule of data-contract §10.2 and events.md §9.4 the configuration breaks.
    pub fn violations(&self) -> Vec<Violation> {
        crate::validate::violations(self)
    }

    /// `Ok` when the configuration breaks no rule, else every violation.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let violations = self.violations();
        if violations.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(violations))
        }
    }

    /// Applies command-line overrides and validates the result again. Violations of an
    /// overridden field say so.
    pub fn apply(self, overrides: &Overrides) -> Result<Config, ConfigError> {
        let config = overrides.applied_to(self);
        let violations = overrides.annotate(config.violations());
        if violations.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError::Invalid(violations))
        }
    }

    /// `config_hash` (data-contract §10.1): SHA-256 hex of the canonical JSON of the fields
    /// that affect generated data: `seed`, `dates.start_date`, `volume`, `supply`, `returns`,
    /// `online`, `marketing`, `marketing_cost`, `calendar`, and `disruptions` when the list is
    /// not empty. `dates.end_date`, `output`, `performance` and `stream` are left out so that a
    /// continuation may change them.
    pub fn config_hash(&self) -> String {
        let to_value = |v: serde_json::Result<Value>| v.unwrap_or(Value::Null);
        let mut hashed = json!({
            "seed": self.seed,
            "dates": { "start_date": self.dates.start_date },
            "volume": to_value(serde_json::to_value(&self.volume)),
            "supply": to_value(serde_json::to_value(&self.supply)),
            "returns": to_value(serde_json::to_value(&self.returns)),
            "online": to_value(serde_json::to_value(&self.online)),
            "marketing": to_value(serde_json::to_value(&self.marketing)),
            "marketing_cost": to_value(serde_json::to_value(&self.marketing_cost)),
            "calendar": to_value(serde_json::to_value(&self.calendar)),
        });
        if !self.disruptions.is_empty() {
            hashed["disruptions"] = to_value(serde_json::to_value(&self.disruptions));
        }
        hex::encode(Sha256::digest(crate::json::canonical(&hashed).as_bytes()))
    }

    /// The whole configuration as an indented JSON document, every field spelled out (the
    /// form of `config/default.json` and of `retail init`).
    pub fn to_json_pretty(&self) -> String {
        crate::json::pretty(&serde_json::to_value(self).unwrap_or(Value::Null))
    }

    /// First generated date.
    ///
    /// # Panics
    /// When `dates.start_date` is not a valid date, which a configuration from
    /// [`Config::load`], [`Config::from_json_str`], [`Config::apply`] or a profile never is.
    pub fn start_date(&self) -> Date {
        parse_date(&self.dates.start_date).expect("dates.start_date was validated")
    }

    /// Last generated date, inclusive.
    ///
    /// # Panics
    /// As [`Config::start_date`], for `dates.end_date`.
    pub fn end_date(&self) -> Date {
        parse_date(&self.dates.end_date).expect("dates.end_date was validated")
    }

    /// Every date of the run, `start_date..=end_date`, in order.
    pub fn dates_iter(&self) -> impl DoubleEndedIterator<Item = Date> + Clone + use<> {
        (self.start_date().0..=self.end_date().0).map(Date)
    }

    /// Number of dates in the run (≥ 1 for a valid configuration).
    pub fn day_count(&self) -> u32 {
        u32::try_from(self.end_date().0 - self.start_date().0 + 1).unwrap_or(0)
    }

    /// Worker threads to use: `performance.threads`, or every available core when null.
    pub fn threads(&self) -> usize {
        match self.performance.threads {
            Some(n) => n.max(1) as usize,
            None => std::thread::available_parallelism().map_or(1, usize::from),
        }
    }

    /// `output.dir` as a path.
    pub fn output_dir(&self) -> PathBuf {
        PathBuf::from(&self.output.dir)
    }

    /// The DuckDB file: `output.dir/output.duckdb_file`.
    pub fn duckdb_path(&self) -> PathBuf {
        self.output_dir().join(&self.output.duckdb_file)
    }

    /// Parquet root: `output.dir/parquet`.
    pub fn parquet_dir(&self) -> PathBuf {
        self.output_dir().join("parquet")
    }

    /// Event NDJSON files: `output.dir/events`.
    pub fn events_dir(&self) -> PathBuf {
        self.output_dir().join("events")
    }

    /// Continuation state: `output.dir/state`.
    pub fn state_dir(&self) -> PathBuf {
        self.output_dir().join("state")
    }

    /// The built-in profile this configuration starts from (`None` only when unvalidated).
    pub fn profile_kind(&self) -> Option<Profile> {
        Profile::from_name(&self.profile)
    }

    /// True when stores do not trade on this holiday key (`calendar.closed_holidays`).
    pub fn is_closed_holiday(&self, key: &str) -> bool {
        self.calendar.closed_holidays.iter().any(|k| k == key)
    }
}

impl Stream {
    /// The event types to send: `event_types`, or all 18 (events.md §7 order) when null.
    pub fn selected_event_types(&self) -> Vec<&str> {
        match &self.event_types {
            Some(types) => types.iter().map(String::as_str).collect(),
            None => EVENT_TYPES.to_vec(),
        }
    }

    /// Checks the connection string read from the environment variable
    /// `connection_string_env`; never echoes it (see [`crate::connection_string_violations`]).
    pub fn check_connection_string(&self, value: &str) -> Result<(), ConfigError> {
        let violations = crate::validate::connection_string_violations(self, value);
        if violations.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(violations))
        }
    }
}

/// `stream.auth` as a type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamAuth {
    /// Connection string from the environment variable `stream.connection_string_env`.
    ConnectionString,
    /// Microsoft Entra ID credentials against `stream.fully_qualified_namespace`.
    EntraId,
}

/// `stream.pacing` as a type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pacing {
    /// Send each event when the wall clock reaches its `event_ts`.
    Realtime,
    /// Send at `speed` × the original spacing from the first event.
    Replay,
}

/// `output.parquet_compression` as a type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParquetCompression {
    /// Zstandard at `output.parquet_zstd_level`.
    Zstd,
    /// Snappy.
    Snappy,
    /// Uncompressed.
    None,
}

impl Stream {
    /// `auth` as a type (`None` only for an unvalidated configuration).
    pub fn auth_kind(&self) -> Option<StreamAuth> {
        match self.auth.as_str() {
            "connection_string" => Some(StreamAuth::ConnectionString),
            "entra_id" => Some(StreamAuth::EntraId),
            _ => None,
        }
    }

    /// `pacing` as a type (`None` only for an unvalidated configuration).
    pub fn pacing_kind(&self) -> Option<Pacing> {
        match self.pacing.as_str() {
            "realtime" => Some(Pacing::Realtime),
            "replay" => Some(Pacing::Replay),
            _ => None,
        }
    }
}

impl crate::model::Output {
    /// `parquet_compression` as a type (`None` only for an unvalidated configuration).
    pub fn compression(&self) -> Option<ParquetCompression> {
        match self.parquet_compression.as_str() {
            "zstd" => Some(ParquetCompression::Zstd),
            "snappy" => Some(ParquetCompression::Snappy),
            "none" => Some(ParquetCompression::None),
            _ => None,
        }
    }
}

impl crate::model::Volume {
    /// The rule of `volume.total_geographies` that needs the bundled dictionary: at most
    /// `dictionary_rows` geographies can be selected. Called by the generator, which knows the
    /// dictionary.
    pub fn check_geography_dictionary(&self, dictionary_rows: usize) -> Result<(), ConfigError> {
        if u64::from(self.total_geographies) <= dictionary_rows as u64 {
            return Ok(());
        }
        Err(ConfigError::Invalid(vec![Violation::new(
            "volume.total_geographies",
            self.total_geographies.to_string(),
            format!("must be at most {dictionary_rows}, the rows of the geography dictionary"),
        )]))
    }
}
