//! A run's `meta.yaml`: the fields MLflow requires, in the order and spelling it writes them.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Result, TrackingError};
use crate::store::{meta_str, read_meta};
use crate::types::RunStatus;
use crate::yaml::{self, Scalar};

/// The content of a run's `meta.yaml`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunMeta {
    /// 32 lowercase hex characters, equal to the folder name.
    pub run_id: String,
    /// Id of the experiment folder holding the run.
    pub experiment_id: String,
    /// Run name.
    pub run_name: String,
    /// `user_id`.
    pub user: String,
    /// Milliseconds since the epoch.
    pub start_time: i64,
    /// Milliseconds since the epoch; `None` while running.
    pub end_time: Option<i64>,
    /// Lifecycle status.
    pub status: RunStatus,
    /// `active` or `deleted`.
    pub lifecycle_stage: String,
    /// `file://` URI of the run's `artifacts/` folder.
    pub artifact_uri: String,
}

impl RunMeta {
    /// The YAML text, byte for byte as MLflow 3.17 writes it for such a run.
    pub fn to_yaml(&self) -> String {
        let end_time = self.end_time.map_or(Scalar::Null, Scalar::Int);
        let entries = BTreeMap::from([
            ("artifact_uri", Scalar::Str(self.artifact_uri.clone())),
            ("end_time", end_time),
            ("entry_point_name", Scalar::Str(String::new())),
            ("experiment_id", Scalar::Str(self.experiment_id.clone())),
            ("lifecycle_stage", Scalar::Str(self.lifecycle_stage.clone())),
            ("run_id", Scalar::Str(self.run_id.clone())),
            ("run_name", Scalar::Str(self.run_name.clone())),
            ("source_name", Scalar::Str(String::new())),
            ("source_type", Scalar::Int(4)),
            ("source_version", Scalar::Str(String::new())),
            ("start_time", Scalar::Int(self.start_time)),
            ("status", Scalar::Int(i64::from(self.status.code()))),
            ("tags", Scalar::EmptyList),
            ("user_id", Scalar::Str(self.user.clone())),
        ]);
        yaml::write(&entries)
    }

    /// Reads and checks a run's `meta.yaml`.
    pub fn read(path: &Path) -> Result<RunMeta> {
        let meta = read_meta(path)?;
        let text = |key: &str| -> Result<String> {
            meta_str(&meta, key)
                .map(str::to_string)
                .ok_or_else(|| TrackingError::bad_store(path, format!("expected a string `{key}`")))
        };
        let int = |key: &str| match meta.get(key) {
            Some(Scalar::Int(number)) => Ok(Some(*number)),
            Some(Scalar::Null) | None => Ok(None),
            Some(other) => Err(TrackingError::bad_store(
                path,
                format!("expected an integer or null `{key}`, found {other:?}"),
            )),
        };
        let code = int("status")?.unwrap_or(1);
        let status = RunStatus::from_code(code).ok_or_else(|| {
            TrackingError::bad_store(path, format!("status {code} found, expected 1 to 5"))
        })?;
        Ok(RunMeta {
            run_id: text("run_id")?,
            experiment_id: text("experiment_id")?,
            run_name: text("run_name").unwrap_or_default(),
            user: text("user_id").unwrap_or_default(),
            start_time: int("start_time")?.unwrap_or(0),
            end_time: int("end_time")?,
            status,
            lifecycle_stage: text("lifecycle_stage").unwrap_or_else(|_| "active".into()),
            artifact_uri: text("artifact_uri").unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The run `meta.yaml` that MLflow 3.17.2's own file store wrote for a finished run
    /// (ids and times from that run), which ours must reproduce byte for byte.
    const MLFLOW_WROTE: &str = "\
artifact_uri: file:///tmp/refstore/mlruns/554709486996578288/d6c73fdd75744e939908f3dcf22cd467/artifacts
end_time: 1796400705873
entry_point_name: ''
experiment_id: '554709486996578288'
lifecycle_stage: active
run_id: d6c73fdd75744e939908f3dcf22cd467
run_name: mlp-1
source_name: ''
source_type: 4
source_version: ''
start_time: 1796400705858
status: 3
tags: []
user_id: root
";

    #[test]
    fn meta_matches_mlflow_byte_for_byte_and_reads_back() {
        let meta = RunMeta {
            run_id: "d6c73fdd75744e939908f3dcf22cd467".into(),
            experiment_id: "554709486996578288".into(),
            run_name: "mlp-1".into(),
            user: "root".into(),
            start_time: 1796400705858,
            end_time: Some(1796400705873),
            status: RunStatus::Finished,
            lifecycle_stage: "active".into(),
            artifact_uri: "file:///tmp/refstore/mlruns/554709486996578288/\
                           d6c73fdd75744e939908f3dcf22cd467/artifacts"
                .into(),
        };
        assert_eq!(meta.to_yaml(), MLFLOW_WROTE);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("meta.yaml");
        std::fs::write(&path, MLFLOW_WROTE).unwrap();
        assert_eq!(RunMeta::read(&path).unwrap(), meta);
    }
}
