//! The pipeline's side of MLflow: what a run records, on top of [`fmnist_tracking`].

use std::path::Path;

use fmnist_data::Provenance;
use fmnist_tracking::{Metric, Run, RunStatus, Tracker, system_tags};
use fmnist_train::EpochStats;

use crate::config::Config;
use crate::outputs::MetricsSummary;

/// An MLflow run, or nothing when tracking is off. Every method is a no-op without a run.
pub struct Recorder {
    run: Option<Run>,
}

impl Recorder {
    /// Starts the run named `run_name` and logs the resolved config as params.
    pub fn start(config: &Config, run_name: &str) -> anyhow::Result<Recorder> {
        if !config.tracking.enabled {
            tracing::info!("tracking is off (tracking.enabled = false)");
            return Ok(Recorder { run: None });
        }
        let uri = Some(config.tracking.uri.as_str()).filter(|uri| !uri.is_empty());
        let tracker = Tracker::from_env_or(uri)?;
        let tags = system_tags(run_name, env!("CARGO_PKG_NAME"));
        let mut run = tracker.start_run(&config.tracking.experiment, run_name, &tags)?;
        let mut params = config.flatten()?;
        params.push(("code.version".into(), env!("CARGO_PKG_VERSION").into()));
        params.push(("train.optimizer".into(), "adam".into()));
        if let Some((_, commit)) = tags.iter().find(|(key, _)| key == "mlflow.source.git.commit") {
            params.push(("code.git_commit".into(), commit.clone()));
        }
        run.log_params(&params)?;
        tracing::info!(run_id = run.run_id(), experiment = %config.tracking.experiment, "MLflow run started");
        Ok(Recorder { run: Some(run) })
    }

    /// Where the data came from and the SHA-256 of each file.
    pub fn log_data(&mut self, provenance: &Provenance) -> anyhow::Result<()> {
        let Some(run) = &mut self.run else { return Ok(()) };
        run.log_params(&provenance.params())?;
        Ok(())
    }

    /// One epoch's figures, step = epoch.
    pub fn log_epoch(&mut self, e: &EpochStats) -> anyhow::Result<()> {
        let Some(run) = &mut self.run else { return Ok(()) };
        let step = e.epoch as i64;
        let values = [
            ("train_loss", e.train_loss),
            ("train_accuracy", e.train_accuracy),
            ("val_loss", e.val_loss),
            ("val_accuracy", e.val_accuracy),
            ("learning_rate", e.learning_rate),
            ("epoch_seconds", e.seconds),
        ];
        let metrics: Vec<Metric> =
            values.iter().map(|&(key, value)| Metric::new(key, value, step)).collect();
        run.log_metrics(&metrics)?;
        Ok(())
    }

    /// Final figures of the run, plus the report's quality metrics.
    pub fn log_summary(
        &mut self,
        summary: &MetricsSummary,
        extra: &[(String, f64)],
    ) -> anyhow::Result<()> {
        let Some(run) = &mut self.run else { return Ok(()) };
        let step = summary.epochs_run as i64;
        let mut values = vec![
            ("final_train_loss".to_owned(), summary.train.loss),
            ("final_train_accuracy".to_owned(), summary.train.accuracy),
            ("final_val_loss".to_owned(), summary.validation.loss),
            ("final_val_accuracy".to_owned(), summary.validation.accuracy),
            ("test_loss".to_owned(), summary.test.loss),
            ("test_accuracy".to_owned(), summary.test.accuracy),
            ("best_epoch".to_owned(), summary.best_epoch as f64),
            ("epochs_run".to_owned(), summary.epochs_run as f64),
            ("training_seconds".to_owned(), summary.training_seconds),
        ];
        values.extend(extra.iter().cloned());
        let metrics: Vec<Metric> =
            values.into_iter().map(|(key, value)| Metric::new(key, value, step)).collect();
        run.log_metrics(&metrics)?;
        run.set_tag("mlflow.note.content", &note(summary))?;
        Ok(())
    }

    /// Uploads every file of the run folder.
    pub fn log_folder(&mut self, folder: &Path) -> anyhow::Result<()> {
        let Some(run) = &mut self.run else { return Ok(()) };
        let count = run.log_artifacts(folder)?;
        tracing::info!(files = count, "run folder logged to MLflow");
        Ok(())
    }

    /// Ends the run; returns how to look at it.
    pub fn finish(&mut self, status: RunStatus) -> Option<String> {
        let run = self.run.as_mut()?;
        if let Err(error) = run.finish(status) {
            tracing::warn!(%error, "could not end the MLflow run cleanly");
        }
        Some(run.view_hint())
    }
}

/// The Markdown description MLflow's UI shows on the run page.
fn note(summary: &MetricsSummary) -> String {
    format!(
        "**{}**: test accuracy **{:.4}** (validation {:.4}, train {:.4}), {} epochs, \
         best epoch {} ({}), {:.1} s training.",
        summary.model,
        summary.test.accuracy,
        summary.validation.accuracy,
        summary.train.accuracy,
        summary.epochs_run,
        summary.best_epoch,
        match summary.stop_reason {
            fmnist_train::StopReason::EarlyStopping => "stopped early",
            fmnist_train::StopReason::EpochLimit => "ran to the epoch limit",
        },
        summary.training_seconds
    )
}
