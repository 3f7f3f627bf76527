//! What MLflow accepts as keys and values, checked before anything is written or sent.
//!
//! MLflow's server silently truncates long param and tag values, so lengths are checked here
//! and refused with [`TrackingError::ValueTooLong`].

use crate::error::{Result, TrackingError};

/// Longest key MLflow accepts (params, metrics, tags).
pub const MAX_KEY_CHARS: usize = 250;
/// Longest param value MLflow stores without truncating.
pub const MAX_PARAM_VALUE_CHARS: usize = 6000;
/// Longest tag value MLflow stores without truncating.
pub const MAX_TAG_VALUE_CHARS: usize = 8000;
/// Longest experiment or run name accepted here.
pub const MAX_NAME_CHARS: usize = 500;

/// Checks a param, metric or tag key: letters, digits, `_ - . space : /`, at most 250
/// characters, and not a path that would resolve to another one (`a/../b`, `/a`, `a//b`).
pub fn check_key(kind: &'static str, key: &str) -> Result<()> {
    let invalid = |reason: &str| TrackingError::InvalidKey {
        kind,
        key: key.to_string(),
        reason: reason.to_string(),
    };
    if key.is_empty() {
        return Err(invalid("expected a non-empty key"));
    }
    let n_chars = key.chars().count();
    if n_chars > MAX_KEY_CHARS {
        return Err(invalid(&format!("{n_chars} characters, expected at most {MAX_KEY_CHARS}")));
    }
    if let Some(bad) = key.chars().find(|c| !is_key_char(*c)) {
        return Err(invalid(&format!(
            "character {bad:?} found, expected only letters, digits and `_ - . space : /`"
        )));
    }
    if !is_normal_path(key) {
        return Err(invalid("it names another path once normalised, expected a plain path"));
    }
    Ok(())
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | ':' | '/')
}

/// True when `path` is its own POSIX normal form and stays below its base folder.
pub(crate) fn is_normal_path(path: &str) -> bool {
    !path.starts_with("..")
        && path.split('/').all(|segment| !segment.is_empty() && segment != "." && segment != "..")
}

/// Checks a param value's length.
pub fn check_param(key: &str, value: &str) -> Result<()> {
    check_key("param", key)?;
    check_length("param", key, value, MAX_PARAM_VALUE_CHARS)
}

/// Checks a tag value's length.
pub fn check_tag(key: &str, value: &str) -> Result<()> {
    check_key("tag", key)?;
    check_length("tag", key, value, MAX_TAG_VALUE_CHARS)
}

/// Checks an experiment or run name.
pub fn check_name(kind: &'static str, name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(TrackingError::InvalidKey {
            kind,
            key: name.to_string(),
            reason: "expected a non-empty name".into(),
        });
    }
    check_length(kind, name, name, MAX_NAME_CHARS)
}

fn check_length(kind: &'static str, key: &str, value: &str, limit: usize) -> Result<()> {
    let found = value.chars().count();
    if found > limit {
        return Err(TrackingError::ValueTooLong { kind, key: key.to_string(), found, limit });
    }
    Ok(())
}

/// Checks an artifact path relative to the run's artifact root: `/`-separated, normal,
/// no backslashes or control characters.
pub fn check_artifact_path(path: &str) -> Result<()> {
    let ok = is_normal_path(path) && !path.chars().any(|c| c == '\\' || c.is_control());
    if ok {
        return Ok(());
    }
    Err(TrackingError::InvalidKey {
        kind: "artifact path",
        key: path.to_string(),
        reason: "expected a relative path without `.`, `..`, empty parts or backslashes".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_mlflow_accepts_pass() {
        for key in ["loss", "val/loss", "model.hidden", "a b:c-d_e", &"k".repeat(250)] {
            assert!(check_key("metric", key).is_ok(), "{key}");
        }
    }

    #[test]
    fn keys_mlflow_refuses_fail() {
        let long = "k".repeat(251);
        for key in ["", "a/../b", "/a", "a//b", "a/", "./a", "..", "..a", "a\nb", "é", &long] {
            assert!(check_key("metric", key).is_err(), "{key:?}");
        }
    }

    #[test]
    fn over_long_param_is_refused_with_counts() {
        let err = check_param("notes", &"x".repeat(6001)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "param \"notes\" is 6001 characters long, expected at most 6000"
        );
        assert!(check_param("notes", &"é".repeat(6000)).is_ok());
    }

    #[test]
    fn over_long_tag_is_refused() {
        assert!(check_tag("mlflow.note.content", &"x".repeat(8000)).is_ok());
        assert!(matches!(
            check_tag("mlflow.note.content", &"x".repeat(8001)),
            Err(TrackingError::ValueTooLong { found: 8001, limit: 8000, .. })
        ));
    }

    #[test]
    fn artifact_paths_stay_inside_the_run() {
        assert!(check_artifact_path("plots/curve.png").is_ok());
        for path in ["../x", "a/../../x", "/etc/passwd", "a\\b", ""] {
            assert!(check_artifact_path(path).is_err(), "{path:?}");
        }
    }
}
