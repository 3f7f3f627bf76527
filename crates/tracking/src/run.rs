//! [`Run`]: one run being logged. Everything goes to the local store first and then, for a
//! remote backend, to the server; an outage switches the run to local-only with one warning.

use std::path::{Path, PathBuf};

use crate::artifacts;
use crate::backend::Backend;
use crate::error::{Result, TrackingError};
use crate::fsutil::walk_files;
use crate::rest::{RemoteRun, RestApi};
use crate::store_run::LocalRun;
use crate::types::{Metric, RunStatus, now_ms};
use crate::validate::check_artifact_path;

/// The server side of a run.
#[derive(Debug)]
pub(crate) struct Remote {
    api: RestApi,
    run: RemoteRun,
    artifacts_skipped: bool,
}

impl Remote {
    pub(crate) fn new(api: RestApi, run: RemoteRun) -> Remote {
        Remote { api, run, artifacts_skipped: false }
    }
}

/// A run being logged. End it with [`Run::finish`]; a run dropped without that is ended as
/// FAILED (best effort), so no run stays RUNNING.
#[derive(Debug)]
pub struct Run {
    pub(crate) local: LocalRun,
    pub(crate) store_root: PathBuf,
    pub(crate) backend: Backend,
    remote: Option<Remote>,
    pub(crate) offline_reason: Option<String>,
    pub(crate) ended: Option<RunStatus>,
}

impl Run {
    pub(crate) fn new(local: LocalRun, store_root: PathBuf, backend: Backend) -> Run {
        Run { local, store_root, backend, remote: None, offline_reason: None, ended: None }
    }

    pub(crate) fn attach(&mut self, remote: Remote) {
        self.remote = Some(remote);
    }

    /// Id of the run in the configured backend (the server's id once it has the run).
    pub fn run_id(&self) -> &str {
        self.remote.as_ref().map_or(&self.local.meta().run_id, |remote| &remote.run.run_id)
    }

    /// Experiment id in the configured backend.
    pub fn experiment_id(&self) -> &str {
        self.remote.as_ref().map_or(&self.local.meta().experiment_id, |r| &r.run.experiment_id)
    }

    /// Id of the run's copy in the local store (what `mlflow-sync --run` takes).
    pub fn local_run_id(&self) -> &str {
        &self.local.meta().run_id
    }

    /// Folder of the run's copy in the local store.
    pub fn local_dir(&self) -> &Path {
        self.local.dir()
    }

    /// Why the server is no longer written to, if it is not (an outage happened).
    pub fn offline_reason(&self) -> Option<&str> {
        self.offline_reason.as_deref()
    }

    /// The final status once ended.
    pub fn status(&self) -> Option<RunStatus> {
        self.ended
    }

    /// Logs one param.
    pub fn log_param(&mut self, key: &str, value: &str) -> Result<()> {
        self.log_params(&[(key.to_string(), value.to_string())])
    }

    /// Logs params (write-once: the same value again is fine, another value is refused).
    pub fn log_params(&mut self, params: &[(String, String)]) -> Result<()> {
        self.check_open()?;
        self.local.log_params(params)?;
        self.mirror(|api, run| api.log_batch(&run.run_id, &[], params, &[]))
    }

    /// Logs one metric point stamped now.
    pub fn log_metric(&mut self, key: &str, value: f64, step: i64) -> Result<()> {
        self.check_open()?;
        let metric = Metric::new(key, value, step);
        self.local.log_metrics(std::slice::from_ref(&metric))?;
        self.mirror(|api, run| api.log_metric(&run.run_id, &metric))
    }

    /// Logs metric points in one go (split into server-sized batches).
    pub fn log_metrics(&mut self, metrics: &[Metric]) -> Result<()> {
        self.check_open()?;
        self.local.log_metrics(metrics)?;
        self.mirror(|api, run| api.log_batch(&run.run_id, metrics, &[], &[]))
    }

    /// Sets one tag (replacing an earlier value).
    pub fn set_tag(&mut self, key: &str, value: &str) -> Result<()> {
        self.check_open()?;
        let tag = [(key.to_string(), value.to_string())];
        self.local.set_tags(&tag)?;
        self.mirror(|api, run| api.set_tag(&run.run_id, key, value))
    }

    /// Sets tags, for example `mlflow.note.content` (the Markdown description).
    pub fn set_tags(&mut self, tags: &[(String, String)]) -> Result<()> {
        self.check_open()?;
        self.local.set_tags(tags)?;
        self.mirror(|api, run| api.log_batch(&run.run_id, &[], &[], tags))
    }

    /// Logs the file `path` as artifact `<artifact_dir>/<file name>` (or at the top).
    pub fn log_artifact(&mut self, path: &Path, artifact_dir: Option<&str>) -> Result<()> {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let rel = match artifact_dir {
            Some(dir) if !dir.is_empty() => format!("{}/{name}", dir.trim_end_matches('/')),
            _ => name,
        };
        self.log_artifact_as(path, &rel)
    }

    /// Logs every file under `dir`, keeping paths relative to it. Returns the file count.
    pub fn log_artifacts(&mut self, dir: &Path) -> Result<usize> {
        let files = walk_files(dir)?;
        for (rel, path) in &files {
            self.log_artifact_as(path, rel)?;
        }
        Ok(files.len())
    }

    fn log_artifact_as(&mut self, path: &Path, rel: &str) -> Result<()> {
        self.check_open()?;
        check_artifact_path(rel)?;
        self.local.log_artifact(path, rel)?;
        match self.mirror(|api, run| artifacts::upload(api.http(), &run.artifact_uri, rel, path)) {
            Err(TrackingError::Unsupported { what }) => {
                self.skip_remote_artifacts(&what);
                Ok(())
            }
            other => other,
        }
    }

    fn skip_remote_artifacts(&mut self, what: &str) {
        let Some(remote) = self.remote.as_mut() else { return };
        if !remote.artifacts_skipped {
            // FIXME: artifact upload to Databricks (dbfs:/ artifact URIs) and to other
            // artifact stores is not implemented; the files stay in the local store only.
            tracing::warn!(
                local_dir = %self.local.dir().join("artifacts").display(),
                "{what}; artifacts are kept only in the local store"
            );
            remote.artifacts_skipped = true;
        }
    }

    /// Ends the run as FINISHED, FAILED or KILLED (locally and on the server).
    pub fn finish(&mut self, status: RunStatus) -> Result<()> {
        self.check_open()?;
        let end_time = now_ms();
        self.local.finish(status, end_time)?;
        self.ended = Some(status);
        self.mirror(|api, run| api.update_run(&run.run_id, status, end_time))
    }

    fn check_open(&self) -> Result<()> {
        match self.ended {
            Some(status) => Err(TrackingError::RunEnded {
                run_id: self.run_id().into(),
                status: status.to_string(),
            }),
            None => Ok(()),
        }
    }

    /// Runs `call` against the server unless offline; an outage turns the run offline.
    fn mirror(&mut self, call: impl FnOnce(&RestApi, &RemoteRun) -> Result<()>) -> Result<()> {
        let Some(remote) = self.remote.as_ref().filter(|_| self.offline_reason.is_none()) else {
            return Ok(());
        };
        match call(&remote.api, &remote.run) {
            Err(err) if err.is_outage() => {
                self.go_offline(&err);
                Ok(())
            }
            other => other,
        }
    }
}
