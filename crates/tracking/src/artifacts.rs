//! Artifact transfer to a tracking server that serves artifacts itself (`mlflow server`'s
//! default): raw-body `PUT`s and listings under `/api/2.0/mlflow-artifacts/artifacts/`.
//!
//! The path always comes from the run's `artifact_uri` (`mlflow-artifacts:/<exp>/<run>/artifacts`),
//! never rebuilt from ids: the server does not check that a run exists.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::error::{Result, TrackingError};
use crate::fsutil::percent_encode;
use crate::http::HttpClient;
use crate::rest::parse;
use crate::validate::check_artifact_path;

const ARTIFACTS_API: &str = "/api/2.0/mlflow-artifacts/artifacts";

/// The path below the artifact API that `artifact_uri` names, or why it cannot be served.
pub fn artifact_root(artifact_uri: &str) -> Result<String> {
    let Some(rest) = artifact_uri.strip_prefix("mlflow-artifacts:") else {
        return Err(TrackingError::Unsupported {
            what: format!(
                "uploading artifacts to {artifact_uri:?}; only a tracking server that serves \
                 artifacts (mlflow-artifacts:/...) is handled, the local store keeps a copy"
            ),
        });
    };
    let path = match rest.strip_prefix("//") {
        Some(with_host) => with_host.split_once('/').map_or("", |(_, path)| path),
        None => rest.trim_start_matches('/'),
    };
    Ok(path.trim_end_matches('/').to_string())
}

/// Uploads the file `source` as `<artifact_uri>/<rel_path>`.
pub fn upload(http: &HttpClient, artifact_uri: &str, rel_path: &str, source: &Path) -> Result<()> {
    check_artifact_path(rel_path)?;
    let root = artifact_root(artifact_uri)?;
    let bytes = std::fs::read(source).map_err(|err| TrackingError::io(source, err))?;
    let path = format!("{ARTIFACTS_API}/{}/{}", encode_path(&root), encode_path(rel_path));
    http.put_bytes(&path, bytes).map(drop)
}

/// Every file under `artifact_uri`, as relative path and size in bytes.
pub fn list(http: &HttpClient, artifact_uri: &str) -> Result<BTreeMap<String, u64>> {
    let root = artifact_root(artifact_uri)?;
    let mut files = BTreeMap::new();
    let mut pending = vec![String::new()];
    while let Some(sub) = pending.pop() {
        let full = if sub.is_empty() { root.clone() } else { format!("{root}/{sub}") };
        let answer = http.get(&format!("{ARTIFACTS_API}?path={}", percent_encode(&full, "")))?;
        let json = parse(&answer.body)?;
        for entry in json.get("files").and_then(Value::as_array).into_iter().flatten() {
            let Some(name) = entry.get("path").and_then(Value::as_str) else { continue };
            let rel = if sub.is_empty() { name.to_string() } else { format!("{sub}/{name}") };
            if entry.get("is_dir").and_then(Value::as_bool).unwrap_or(false) {
                pending.push(rel);
            } else {
                files.insert(rel, size_of(entry));
            }
        }
    }
    Ok(files)
}

fn size_of(entry: &Value) -> u64 {
    match entry.get("file_size") {
        Some(Value::Number(number)) => number.as_u64().unwrap_or(0),
        Some(Value::String(text)) => text.parse().unwrap_or(0),
        _ => 0,
    }
}

fn encode_path(path: &str) -> String {
    percent_encode(path, "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_roots_come_from_the_uri() {
        assert_eq!(artifact_root("mlflow-artifacts:/1/ab/artifacts").unwrap(), "1/ab/artifacts");
        assert_eq!(
            artifact_root("mlflow-artifacts://h:5000/1/ab/artifacts").unwrap(),
            "1/ab/artifacts"
        );
        let err = artifact_root("dbfs:/databricks/mlflow-tracking/1/ab/artifacts").unwrap_err();
        assert!(err.to_string().starts_with("not supported: uploading artifacts to \"dbfs:"));
    }

    #[test]
    fn sizes_may_be_numbers_or_strings() {
        assert_eq!(size_of(&serde_json::json!({"file_size": 12})), 12);
        assert_eq!(size_of(&serde_json::json!({"file_size": "34"})), 34);
    }
}
