//! The one error type of this crate, [`TrackingError`], and its [`Result`] alias.

use std::path::PathBuf;

/// Result alias used throughout the crate.
pub type Result<T, E = TrackingError> = std::result::Result<T, E>;

/// Everything that can go wrong while tracking a run.
///
/// Messages are lower-case, name the key, file or URL involved, and say what was found and
/// what was expected. They never contain an access token.
#[derive(Debug, thiserror::Error)]
pub enum TrackingError {
    /// A file or folder of the local store could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A param, metric or tag key (or an artifact path) that MLflow would not accept.
    #[error("invalid {kind} key {key:?}: {reason}")]
    InvalidKey {
        /// `param`, `metric`, `tag` or `artifact path`.
        kind: &'static str,
        /// The offending key.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A value longer than MLflow stores; refused here so the server cannot truncate it.
    #[error("{kind} {key:?} is {found} characters long, expected at most {limit}")]
    ValueTooLong {
        /// `param`, `tag` or `experiment name`.
        kind: &'static str,
        /// The key whose value is too long.
        key: String,
        /// Characters found.
        found: usize,
        /// Characters allowed.
        limit: usize,
    },
    /// A param was logged again with another value (MLflow params are write-once).
    #[error("param {key:?} of run {run_id} is already {old:?}, refusing to change it to {new:?}")]
    ParamChanged {
        /// The run.
        run_id: String,
        /// The param key.
        key: String,
        /// The value already stored (shortened for display).
        old: String,
        /// The value that was refused (shortened for display).
        new: String,
    },
    /// The local store holds something that is not in MLflow's format.
    #[error("malformed store file {path}: {reason}")]
    BadStore {
        /// The file.
        path: PathBuf,
        /// What was found instead of what was expected.
        reason: String,
    },
    /// A run or experiment that was asked for does not exist.
    #[error("{what} not found")]
    NotFound {
        /// What was looked up, for example `run 0123... in store mlruns`.
        what: String,
    },
    /// A tracking URI or environment setting that cannot be used.
    #[error("tracking configuration: {reason}")]
    Config {
        /// What is wrong and what is expected instead.
        reason: String,
    },
    /// The tracking server answered with an error that retrying will not fix (4xx).
    #[error("{url} answered {status} {code}: {message}")]
    Rejected {
        /// The endpoint, without credentials.
        url: String,
        /// HTTP status.
        status: u16,
        /// MLflow's `error_code`, or `-` when the body had none.
        code: String,
        /// MLflow's `message`, or the start of the body.
        message: String,
    },
    /// The tracking server could not be reached or kept failing (connection error, timeout,
    /// 429 or 5xx) after every retry.
    #[error("{url} unreachable after {attempts} attempts: {reason}")]
    Unreachable {
        /// The endpoint, without credentials.
        url: String,
        /// Requests made.
        attempts: u32,
        /// The last failure.
        reason: String,
    },
    /// The tracking server answered 2xx with a body that is not what MLflow sends.
    #[error("unexpected answer from {url}: {reason}")]
    BadResponse {
        /// The endpoint, without credentials.
        url: String,
        /// What was expected and what came back.
        reason: String,
    },
    /// Something this crate does not do (yet); the message says what and what to do instead.
    #[error("not supported: {what}")]
    Unsupported {
        /// What was asked for, and the way around it.
        what: String,
    },
    /// Logging to a run that was already ended.
    #[error("run {run_id} has already ended with status {status}")]
    RunEnded {
        /// The run.
        run_id: String,
        /// Its final status.
        status: String,
    },
}

impl TrackingError {
    /// True when the failure is an outage (server down, timing out or overloaded) rather than
    /// a refusal: the run goes on in the local store and can be synced later.
    pub fn is_outage(&self) -> bool {
        matches!(self, TrackingError::Unreachable { .. })
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        TrackingError::Io { path: path.into(), source }
    }

    pub(crate) fn bad_store(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        TrackingError::BadStore { path: path.into(), reason: reason.into() }
    }

    pub(crate) fn config(reason: impl Into<String>) -> Self {
        TrackingError::Config { reason: reason.into() }
    }
}

/// Shortens a value for an error message: long params must not flood the terminal.
pub(crate) fn shorten(value: &str) -> String {
    const MAX_CHARS: usize = 80;
    if value.chars().count() <= MAX_CHARS {
        return value.to_string();
    }
    let head: String = value.chars().take(MAX_CHARS).collect();
    format!("{head}...")
}
