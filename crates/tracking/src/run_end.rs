//! How a [`Run`] ends badly or goes offline, and how its last log line tells where to view it.

use crate::backend::Backend;
use crate::error::TrackingError;
use crate::run::Run;
use crate::types::{RunStatus, now_ms};

impl Run {
    /// Stops writing to the server after an outage, with the one warning that says so.
    pub(crate) fn go_offline(&mut self, err: &TrackingError) {
        if self.offline_reason.is_some() {
            return;
        }
        tracing::warn!(
            "tracking server {} unreachable ({err}); training goes on and the run is kept in \
             the local store {}; replay it later with `{}`",
            self.backend.display_uri(),
            self.store_root.display(),
            self.sync_command(),
        );
        self.offline_reason = Some(err.to_string());
    }

    /// Ends a run that could not be started properly as FAILED and hands back the error.
    pub(crate) fn fail_with(mut self, err: TrackingError) -> TrackingError {
        let end_time = now_ms();
        if self.local.finish(RunStatus::Failed, end_time).is_ok() {
            self.ended = Some(RunStatus::Failed);
        }
        err
    }

    /// The command that replays this run to the configured server.
    pub fn sync_command(&self) -> String {
        format!(
            "cargo xtask mlflow-sync --store {} --run {} --to {}",
            self.store_root.display(),
            self.local_run_id(),
            self.backend.sync_uri()
        )
    }

    /// One line saying where to look at the run (for the pipeline's last log line).
    pub fn view_hint(&self) -> String {
        if let Some(reason) = &self.offline_reason {
            return format!(
                "tracking server {} was unreachable ({reason}); run {} is complete in the local \
                 store {}; replay it with `{}`",
                self.backend.display_uri(),
                self.local_run_id(),
                self.store_root.display(),
                self.sync_command()
            );
        }
        let (experiment, run) = (self.experiment_id(), self.run_id());
        match &self.backend {
            Backend::Local { .. } => format!(
                "view the run with `cargo xtask mlflow-ui --store {}`, then open \
                 http://127.0.0.1:5000/#/experiments/{experiment}/runs/{run}",
                self.store_root.display()
            ),
            Backend::Rest { base_url, .. } => {
                format!("view the run at {base_url}/#/experiments/{experiment}/runs/{run}")
            }
            Backend::Databricks { host, .. } => {
                format!("view the run at {host}/ml/experiments/{experiment}/runs/{run}")
            }
        }
    }
}

impl Drop for Run {
    /// A run dropped without [`Run::finish`] (an error path or a panic) is ended as FAILED.
    fn drop(&mut self) {
        if self.ended.is_some() {
            return;
        }
        let run_id = self.run_id().to_string();
        tracing::warn!(%run_id, "run dropped without being ended, marking it FAILED");
        if let Err(err) = self.finish(RunStatus::Failed) {
            tracing::warn!(run_id = %self.run_id(), "could not mark the run FAILED: {err}");
        }
    }
}
