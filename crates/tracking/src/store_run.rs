//! Writing one run of the directory store: params, metric points, tags, artifacts, status.
//!
//! Param and tag files hold the raw value without a trailing newline. A metric file holds one
//! `<timestamp_ms> <value> <step>` line per point, the value spelled as Python's `repr`
//! (`0.25`, `1e-07`, `nan`, `inf`), appended with a single write per call.

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Result, TrackingError, shorten};
use crate::fsutil::{self, atomic_write, file_uri};
use crate::run_meta::RunMeta;
use crate::store::NewRun;
use crate::types::{Metric, RunStatus};
use crate::validate::{check_artifact_path, check_key, check_param, check_tag};

/// An open run folder of the directory store.
#[derive(Debug)]
pub struct LocalRun {
    dir: PathBuf,
    meta: RunMeta,
}

impl LocalRun {
    /// Creates the folder, its `params/ metrics/ artifacts/ tags/` folders, the tags, and
    /// `meta.yaml` last.
    pub(crate) fn create(dir: PathBuf, experiment_id: &str, new_run: &NewRun<'_>) -> Result<Self> {
        for sub in ["params", "metrics", "artifacts", "tags"] {
            fsutil::create_dir_all(&dir.join(sub))?;
        }
        let meta = RunMeta {
            run_id: new_run.run_id.to_string(),
            experiment_id: experiment_id.to_string(),
            run_name: new_run.run_name.to_string(),
            user: new_run.user.to_string(),
            start_time: new_run.start_time,
            end_time: None,
            status: RunStatus::Running,
            lifecycle_stage: "active".into(),
            artifact_uri: file_uri(&dir.join("artifacts")),
        };
        let mut run = LocalRun { dir, meta };
        run.set_tags(new_run.tags)?;
        run.write_meta()?;
        Ok(run)
    }

    /// The run folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The run's `meta.yaml` content.
    pub fn meta(&self) -> &RunMeta {
        &self.meta
    }

    /// Writes params; a param already stored with another value is refused, as MLflow does.
    pub fn log_params(&mut self, params: &[(String, String)]) -> Result<()> {
        for (key, value) in params {
            check_param(key, value)?;
            self.check_unchanged(key, value)?;
        }
        for (key, value) in params {
            atomic_write(&self.dir.join("params").join(key), value.as_bytes(), &self.dir)?;
        }
        Ok(())
    }

    fn check_unchanged(&self, key: &str, value: &str) -> Result<()> {
        let path = self.dir.join("params").join(key);
        match fs::read_to_string(&path) {
            Ok(old) if old != value => Err(TrackingError::ParamChanged {
                run_id: self.meta.run_id.clone(),
                key: key.to_string(),
                old: shorten(&old),
                new: shorten(value),
            }),
            Ok(_) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(TrackingError::io(path, err)),
        }
    }

    /// Writes tags, replacing earlier values of the same keys.
    pub fn set_tags(&mut self, tags: &[(String, String)]) -> Result<()> {
        for (key, value) in tags {
            check_tag(key, value)?;
        }
        for (key, value) in tags {
            atomic_write(&self.dir.join("tags").join(key), value.as_bytes(), &self.dir)?;
        }
        Ok(())
    }

    /// Appends metric points, one write per key.
    pub fn log_metrics(&mut self, metrics: &[Metric]) -> Result<()> {
        let mut lines: BTreeMap<&str, String> = BTreeMap::new();
        for metric in metrics {
            check_key("metric", &metric.key)?;
            let line =
                format!("{} {} {}\n", metric.timestamp_ms, py_repr(metric.value), metric.step);
            lines.entry(&metric.key).or_default().push_str(&line);
        }
        for (key, text) in lines {
            self.append(&self.dir.join("metrics").join(key), text.as_bytes())?;
        }
        Ok(())
    }

    fn append(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        if let Some(parent) = path.parent() {
            fsutil::create_dir_all(parent)?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|err| TrackingError::io(path, err))?;
        file.write_all(bytes).map_err(|err| TrackingError::io(path, err))
    }

    /// Copies `source` to `artifacts/<rel_path>` (through a temporary file and a rename).
    pub fn log_artifact(&mut self, source: &Path, rel_path: &str) -> Result<()> {
        check_artifact_path(rel_path)?;
        let target = self.dir.join("artifacts").join(rel_path);
        if let Some(parent) = target.parent() {
            fsutil::create_dir_all(parent)?;
        }
        let tmp = tempfile::Builder::new()
            .prefix(".fmnist-")
            .suffix(".tmp")
            .tempfile_in(&self.dir)
            .map_err(|err| TrackingError::io(&self.dir, err))?;
        fs::copy(source, tmp.path()).map_err(|err| TrackingError::io(source, err))?;
        tmp.persist(&target).map_err(|err| TrackingError::io(&target, err.error))?;
        Ok(())
    }

    /// Records the final status and end time.
    pub fn finish(&mut self, status: RunStatus, end_time: i64) -> Result<()> {
        self.meta.status = status;
        self.meta.end_time = Some(end_time);
        self.write_meta()
    }

    fn write_meta(&self) -> Result<()> {
        atomic_write(&self.dir.join("meta.yaml"), self.meta.to_yaml().as_bytes(), &self.dir)
    }
}

/// A float spelled as Python's `repr` does, which MLflow's file store writes and reads.
pub(crate) fn py_repr(value: f64) -> String {
    if value.is_nan() {
        return "nan".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if (-4..16).contains(&exponent) {
        let fixed = value.to_string();
        return if fixed.contains('.') { fixed } else { format!("{fixed}.0") };
    }
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_spelled_like_python_repr() {
        let cases = [
            (0.25, "0.25"),
            (1e-7, "1e-07"),
            (3.0, "3.0"),
            (1e16, "1e+16"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (123456789.125, "123456789.125"),
            (-0.0, "-0.0"),
            (1e100, "1e+100"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
            (0.1 + 0.2, "0.30000000000000004"),
        ];
        for (value, expected) in cases {
            assert_eq!(py_repr(value), expected);
        }
    }
}
