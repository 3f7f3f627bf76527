//! MLflow tracking for the Fashion-MNIST workspace: runs recorded in MLflow's own directory
//! store (`mlruns/`, the default), on a tracking server through its REST API, or on
//! Databricks, with nothing lost when the server goes away mid-run.
//!
//! # Reading order
//!
//! 1. [`Tracker`] picks the backend: `MLFLOW_TRACKING_URI`, else the config's URI, else the
//!    folder `mlruns` ([`Tracker::from_env_or`]). [`Backend`] says what a URI means.
//! 2. [`Tracker::start_run`] returns a [`Run`]; log to it with [`Run::log_params`],
//!    [`Run::log_metric`] / [`Run::log_metrics`] ([`Metric`]), [`Run::set_tags`],
//!    [`Run::log_artifacts`]; end it with [`Run::finish`] and a [`RunStatus`].
//!    [`system_tags`] gives the tags the Python client sets on every run.
//! 3. [`sync_run`] replays a run of the local store to a server, idempotently
//!    ([`SyncReport`] counts what was sent).
//! 4. Every error is a [`TrackingError`].
//!
//! # Example
//!
//! ```no_run
//! use fmnist_tracking::{RunStatus, Tracker, system_tags};
//!
//! # fn main() -> fmnist_tracking::Result<()> {
//! let tracker = Tracker::from_env_or(None)?; // mlruns/ unless MLFLOW_TRACKING_URI is set
//! let tags = system_tags("mlp-20261204-1530", "fmnist");
//! let mut run = tracker.start_run("fashion-mnist", "mlp-20261204-1530", &tags)?;
//! run.log_params(&[("model.hidden".into(), "[256, 128]".into())])?;
//! for epoch in 0..3 {
//!     run.log_metric("val_loss", 0.5 / f64::from(epoch + 1), i64::from(epoch))?;
//! }
//! run.set_tags(&[("mlflow.note.content".into(), "# MLP baseline".into())])?;
//! run.log_artifacts(std::path::Path::new("runs/mlp-20261204-1530"))?;
//! run.finish(RunStatus::Finished)?;
//! println!("{}", run.view_hint());
//! # Ok(())
//! # }
//! ```
//!
//! # Guarantees
//!
//! - **Every run is in the local store.** With a remote backend each run is written to
//!   `mlruns/` first (same params, points, tags and artifacts) and then sent to the server.
//!   If the server becomes unreachable (connection refused, timeouts, 429 or 5xx after
//!   [`HttpSettings::max_retries`] retries with backoff), the run goes on locally, one warning
//!   says so, and [`Run::view_hint`] gives the `cargo xtask mlflow-sync` command to replay it.
//!   A 4xx answer is not an outage: it comes back as [`TrackingError::Rejected`] (the local
//!   store already has the data).
//! - **MLflow's format, MLflow's limits.** Keys are checked like MLflow does; param values
//!   over 6000 characters and tag values over 8000 are refused
//!   ([`TrackingError::ValueTooLong`]) instead of being truncated by the server; batches are
//!   split at 1000 metrics / 100 params / 100 tags / under 1 MB; NaN and infinities are sent as
//!   `"NaN"`, `"Infinity"`, `"-Infinity"`. Local files are written atomically.
//! - **No run stays RUNNING.** [`Run::finish`] records FINISHED, FAILED or KILLED; dropping a
//!   run that was not finished (error path, panic) ends it as FAILED.
//! - **Tokens never leak.** Bearer tokens (`DATABRICKS_TOKEN`, `MLFLOW_TRACKING_TOKEN`) live
//!   in a [`Secret`] that prints as `***`; they are only put in the `Authorization` header.
//! - **Replay never duplicates.** Every run carries the tag [`LOCAL_RUN_TAG`]; [`sync_run`]
//!   finds the server's copy by it and sends only what is missing.
//!
//! # Not done
//!
//! Artifact upload to Databricks is not implemented: a Databricks run gets params, metrics
//! and tags, a warning says the artifacts stay in the local store. Only servers that serve
//! artifacts themselves (`mlflow-artifacts:/` URIs, `mlflow server`'s default) get uploads.

mod artifacts;
mod backend;
mod batch;
mod error;
mod fsutil;
mod http;
mod record;
mod rest;
mod run;
mod run_end;
mod run_meta;
mod store;
mod store_run;
mod sync;
mod system;
mod tracker;
mod types;
mod validate;
mod yaml;

pub use crate::backend::{Backend, DEFAULT_STORE, Secret};
pub use crate::error::{Result, TrackingError};
pub use crate::http::HttpSettings;
pub use crate::record::RunRecord;
pub use crate::run::Run;
pub use crate::run_meta::RunMeta;
pub use crate::sync::{SyncReport, sync_run, sync_run_to};
pub use crate::system::{current_user, system_tags};
pub use crate::tracker::{LOCAL_RUN_TAG, Tracker};
pub use crate::types::{Metric, RunStatus, now_ms};
pub use crate::validate::{MAX_KEY_CHARS, MAX_PARAM_VALUE_CHARS, MAX_TAG_VALUE_CHARS};
