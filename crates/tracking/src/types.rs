//! Plain data shared by every backend: [`RunStatus`], [`Metric`] and the clock.

use std::time::{SystemTime, UNIX_EPOCH};

/// Lifecycle status of a run, as MLflow names and numbers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    /// Still being logged to.
    Running,
    /// Created but not started (not produced by this crate, read from stores).
    Scheduled,
    /// Ended normally.
    Finished,
    /// Ended by an error.
    Failed,
    /// Ended by the user (Ctrl-C).
    Killed,
}

impl RunStatus {
    /// The integer the directory store writes in a run's `meta.yaml`.
    pub fn code(self) -> u8 {
        match self {
            RunStatus::Running => 1,
            RunStatus::Scheduled => 2,
            RunStatus::Finished => 3,
            RunStatus::Failed => 4,
            RunStatus::Killed => 5,
        }
    }

    /// The word the REST API uses (`FINISHED`, ...).
    pub fn name(self) -> &'static str {
        match self {
            RunStatus::Running => "RUNNING",
            RunStatus::Scheduled => "SCHEDULED",
            RunStatus::Finished => "FINISHED",
            RunStatus::Failed => "FAILED",
            RunStatus::Killed => "KILLED",
        }
    }

    /// Inverse of [`RunStatus::code`].
    pub fn from_code(code: i64) -> Option<RunStatus> {
        Self::ALL.into_iter().find(|status| i64::from(status.code()) == code)
    }

    /// Inverse of [`RunStatus::name`].
    pub fn from_name(name: &str) -> Option<RunStatus> {
        Self::ALL.into_iter().find(|status| status.name() == name)
    }

    /// True once the run has ended (finished, failed or killed).
    pub fn is_terminal(self) -> bool {
        matches!(self, RunStatus::Finished | RunStatus::Failed | RunStatus::Killed)
    }

    const ALL: [RunStatus; 5] = [
        RunStatus::Running,
        RunStatus::Scheduled,
        RunStatus::Finished,
        RunStatus::Failed,
        RunStatus::Killed,
    ];
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One metric point. `value` may be NaN or infinite; both backends store those faithfully.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// Metric name, for example `val_loss` or `val/loss`.
    pub key: String,
    /// The value.
    pub value: f64,
    /// Step, for example the epoch.
    pub step: i64,
    /// Milliseconds since the Unix epoch.
    pub timestamp_ms: i64,
}

impl Metric {
    /// A point stamped with the current time.
    pub fn new(key: impl Into<String>, value: f64, step: i64) -> Metric {
        Metric { key: key.into(), value, step, timestamp_ms: now_ms() }
    }

    /// True when both points have the same key, step, timestamp and value (NaN equals NaN).
    pub fn same_point(&self, other: &Metric) -> bool {
        self.key == other.key
            && self.step == other.step
            && self.timestamp_ms == other.timestamp_ms
            && (self.value == other.value || (self.value.is_nan() && other.value.is_nan()))
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    let elapsed = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
}

/// A new 32-character lowercase hex id, as MLflow uses for runs.
pub(crate) fn new_run_id() -> String {
    let bits: u128 = rand::random();
    format!("{bits:032x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_match_mlflow() {
        assert_eq!(RunStatus::Finished.code(), 3);
        assert_eq!(RunStatus::from_code(5), Some(RunStatus::Killed));
        assert_eq!(RunStatus::from_name("FAILED"), Some(RunStatus::Failed));
        assert_eq!(RunStatus::from_code(9), None);
    }

    #[test]
    fn run_ids_are_32_hex() {
        let id = new_run_id();
        assert_eq!(id.len(), 32);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }

    #[test]
    fn nan_points_compare_equal() {
        let a = Metric { key: "k".into(), value: f64::NAN, step: 1, timestamp_ms: 5 };
        assert!(a.same_point(&a.clone()));
        assert!(!a.same_point(&Metric { value: 1.0, ..a.clone() }));
    }
}
