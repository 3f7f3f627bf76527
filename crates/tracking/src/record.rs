//! Reading a whole run back from the directory store, for replay to a server.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Result, TrackingError};
use crate::fsutil::{self, walk_files};
use crate::run_meta::RunMeta;
use crate::store::{LocalStore, meta_str, read_meta};
use crate::types::Metric;

/// Everything a run of the directory store holds.
#[derive(Debug, Clone)]
pub struct RunRecord {
    /// The run folder.
    pub dir: PathBuf,
    /// Its `meta.yaml`.
    pub meta: RunMeta,
    /// Name of its experiment.
    pub experiment_name: String,
    /// Params by key.
    pub params: BTreeMap<String, String>,
    /// Tags by key.
    pub tags: BTreeMap<String, String>,
    /// Every metric point, per key in file order.
    pub metrics: Vec<Metric>,
    /// Artifact files: path relative to `artifacts/` and absolute path.
    pub artifacts: Vec<(String, PathBuf)>,
}

impl RunRecord {
    /// Reads the run `run` of the store at `store_root`; `run` is a run folder (one holding
    /// `meta.yaml`) or a run id.
    pub fn load(store_root: &Path, run: &str) -> Result<RunRecord> {
        let given = Path::new(run);
        let dir = if given.join("meta.yaml").is_file() {
            fsutil::absolute(given)?
        } else {
            LocalStore::open_existing(store_root)?.find_run(run)?
        };
        Self::load_dir(&dir)
    }

    /// Reads the run folder `dir`.
    pub fn load_dir(dir: &Path) -> Result<RunRecord> {
        let meta = RunMeta::read(&dir.join("meta.yaml"))?;
        let experiment_meta_path = dir.parent().unwrap_or(dir).join("meta.yaml");
        let experiment_meta = read_meta(&experiment_meta_path)?;
        let experiment_name = meta_str(&experiment_meta, "name")
            .ok_or_else(|| {
                TrackingError::bad_store(&experiment_meta_path, "expected a `name` key")
            })?
            .to_string();
        Ok(RunRecord {
            params: read_values(&dir.join("params"))?,
            tags: read_values(&dir.join("tags"))?,
            metrics: read_metrics(&dir.join("metrics"))?,
            artifacts: existing_files(&dir.join("artifacts"))?,
            dir: dir.to_path_buf(),
            meta,
            experiment_name,
        })
    }
}

fn existing_files(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    walk_files(dir)
}

fn read_values(dir: &Path) -> Result<BTreeMap<String, String>> {
    let mut values = BTreeMap::new();
    for (key, path) in existing_files(dir)? {
        values.insert(key, fsutil::read_to_string(&path)?);
    }
    Ok(values)
}

fn read_metrics(dir: &Path) -> Result<Vec<Metric>> {
    let mut metrics = Vec::new();
    for (key, path) in existing_files(dir)? {
        let text = fsutil::read_to_string(&path)?;
        for (line_idx, line) in text.lines().enumerate() {
            let point = parse_point(&key, line).ok_or_else(|| {
                TrackingError::bad_store(
                    &path,
                    format!(
                        "line {}: expected `<timestamp_ms> <value> <step>`, found {line:?}",
                        line_idx + 1
                    ),
                )
            })?;
            metrics.push(point);
        }
    }
    Ok(metrics)
}

fn parse_point(key: &str, line: &str) -> Option<Metric> {
    let mut parts = line.split(' ');
    let timestamp_ms = parts.next()?.parse().ok()?;
    let value = parts.next()?.parse().ok()?;
    let step = match parts.next() {
        Some(step) => step.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    Some(Metric { key: key.to_string(), value, step, timestamp_ms })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewRun;
    use crate::types::RunStatus;

    #[test]
    fn a_written_run_reads_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(dir.path()).unwrap();
        let experiment_id = store.experiment_id("exp").unwrap();
        let tags = [("mlflow.runName".to_string(), "r".to_string())];
        let new_run = NewRun { run_id: "ab", run_name: "r", user: "u", start_time: 7, tags: &tags };
        let mut run = store.create_run(&experiment_id, &new_run).unwrap();
        run.log_params(&[("a/b".into(), "[1, 2]".into())]).unwrap();
        let points = [
            Metric { key: "val/loss".into(), value: f64::NAN, step: 0, timestamp_ms: 10 },
            Metric { key: "val/loss".into(), value: f64::INFINITY, step: 1, timestamp_ms: 11 },
            Metric { key: "val/loss".into(), value: 1e-7, step: 2, timestamp_ms: 12 },
        ];
        run.log_metrics(&points).unwrap();
        let artifact = dir.path().join("x.bin");
        std::fs::write(&artifact, [0u8, 1, 2]).unwrap();
        run.log_artifact(&artifact, "sub/x.bin").unwrap();
        run.finish(RunStatus::Killed, 99).unwrap();

        let record = RunRecord::load(dir.path(), "ab").unwrap();
        assert_eq!(record.experiment_name, "exp");
        assert_eq!(record.meta.status, RunStatus::Killed);
        assert_eq!(record.meta.end_time, Some(99));
        assert_eq!(record.params["a/b"], "[1, 2]");
        assert_eq!(record.tags["mlflow.runName"], "r");
        assert_eq!(record.metrics.len(), 3);
        assert!(record.metrics.iter().zip(&points).all(|(a, b)| a.same_point(b)));
        assert_eq!(record.artifacts.len(), 1);
        assert_eq!(record.artifacts[0].0, "sub/x.bin");
    }

    #[test]
    fn a_blank_metric_line_is_reported() {
        assert!(parse_point("k", "").is_none());
        assert!(parse_point("k", "1 2 3 4").is_none());
        assert_eq!(parse_point("k", "1 -inf 3").unwrap().value, f64::NEG_INFINITY);
    }
}
