//! Replaying a run of the local store to a tracking server, idempotently.
//!
//! The server's copy is found by the tag [`LOCAL_RUN_TAG`] (set on every run at creation, so a
//! run that lost its server mid-way is continued, not duplicated). Then only what the server
//! lacks is sent: missing params (a different value is an error), tags that differ, metric
//! points not in the server's history, artifact files missing or of another size, and the
//! final status. Replaying twice therefore sends nothing the second time. A point counts as
//! present when the server holds it as its store keeps it (an infinity comes back as
//! +-`f64::MAX` from a SQL-backed server).

use std::collections::BTreeMap;
use std::path::Path;

use crate::artifacts;
use crate::backend::Backend;
use crate::error::{Result, TrackingError, shorten};
use crate::http::HttpSettings;
use crate::record::RunRecord;
use crate::rest::{RemoteRun, RestApi};
use crate::tracker::{LOCAL_RUN_TAG, rest_api};
use crate::types::Metric;

/// What one replay sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Id of the run on the server.
    pub remote_run_id: String,
    /// Experiment id on the server.
    pub remote_experiment_id: String,
    /// True when the server had no copy and one was created.
    pub created: bool,
    /// Params sent.
    pub params: usize,
    /// Metric points sent.
    pub metric_points: usize,
    /// Tags sent (including those sent with the run's creation).
    pub tags: usize,
    /// Artifact files uploaded.
    pub artifacts: usize,
    /// True when the final status was sent.
    pub status_updated: bool,
}

impl SyncReport {
    /// True when nothing had to be sent (the server already had everything).
    pub fn is_noop(&self) -> bool {
        !self.created
            && self.params + self.metric_points + self.tags + self.artifacts == 0
            && !self.status_updated
    }
}

/// Replays run `run` (a run folder or a run id) of the store at `local_store` to the server at
/// `to_uri` (`http(s)://...` or `databricks`), with HTTP settings from the environment.
pub fn sync_run(local_store: &Path, run: &str, to_uri: &str) -> Result<SyncReport> {
    let env = |name: &str| std::env::var(name).ok();
    let backend = Backend::from_uri(to_uri, &env)?;
    sync_run_to(local_store, run, &backend, &HttpSettings::from_env())
}

/// [`sync_run`] with an explicit backend and HTTP settings.
pub fn sync_run_to(
    local_store: &Path,
    run: &str,
    backend: &Backend,
    http: &HttpSettings,
) -> Result<SyncReport> {
    let Some(api) = rest_api(backend, http) else {
        return Err(TrackingError::config(format!(
            "sync target {} is a directory store, expected an http(s):// or databricks URI",
            backend.display_uri()
        )));
    };
    let record = RunRecord::load(local_store, run)?;
    let mut report = SyncReport::default();
    let remote = find_or_create(&api, &record, &mut report)?;
    report.remote_run_id.clone_from(&remote.run_id);
    report.remote_experiment_id.clone_from(&remote.experiment_id);
    report.params = sync_params(&api, &record, &remote)?;
    report.tags += sync_tags(&api, &record, &remote)?;
    report.metric_points = sync_metrics(&api, &record, &remote)?;
    report.artifacts = sync_artifacts(&api, &record, &remote)?;
    report.status_updated = sync_status(&api, &record, &remote)?;
    Ok(report)
}

fn find_or_create(api: &RestApi, record: &RunRecord, report: &mut SyncReport) -> Result<RemoteRun> {
    let experiment_id = api.experiment_id(&record.experiment_name)?;
    let local_id = &record.meta.run_id;
    if let Some(found) = api.find_run_by_tag(&experiment_id, LOCAL_RUN_TAG, local_id)? {
        return Ok(found);
    }
    let mut tags: Vec<(String, String)> = record.tags.clone().into_iter().collect();
    if !record.tags.contains_key(LOCAL_RUN_TAG) {
        tags.push((LOCAL_RUN_TAG.into(), local_id.clone()));
    }
    let meta = &record.meta;
    let created =
        api.create_run(&experiment_id, &meta.run_name, &meta.user, meta.start_time, &tags)?;
    report.created = true;
    report.tags = tags.len();
    // The answer of runs/create lists the tags; runs/get returns the full, current state.
    Ok(api.get_run(&created.run_id)?.unwrap_or(created))
}

fn sync_params(api: &RestApi, record: &RunRecord, remote: &RemoteRun) -> Result<usize> {
    let mut missing = Vec::new();
    for (key, value) in &record.params {
        match remote.params.get(key) {
            Some(old) if old != value => {
                return Err(TrackingError::ParamChanged {
                    run_id: remote.run_id.clone(),
                    key: key.clone(),
                    old: shorten(old),
                    new: shorten(value),
                });
            }
            Some(_) => {}
            None => missing.push((key.clone(), value.clone())),
        }
    }
    api.log_batch(&remote.run_id, &[], &missing, &[])?;
    Ok(missing.len())
}

fn sync_tags(api: &RestApi, record: &RunRecord, remote: &RemoteRun) -> Result<usize> {
    let differing: Vec<(String, String)> = record
        .tags
        .iter()
        .filter(|(key, value)| remote.tags.get(*key) != Some(*value))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    api.log_batch(&remote.run_id, &[], &[], &differing)?;
    Ok(differing.len())
}

fn sync_metrics(api: &RestApi, record: &RunRecord, remote: &RemoteRun) -> Result<usize> {
    let mut by_key: BTreeMap<&str, Vec<&Metric>> = BTreeMap::new();
    for metric in &record.metrics {
        by_key.entry(&metric.key).or_default().push(metric);
    }
    let mut missing: Vec<Metric> = Vec::new();
    for (key, points) in by_key {
        let known = api.metric_history(&remote.run_id, key)?;
        let mut sent: Vec<&Metric> = Vec::new();
        for point in points {
            let present = known.iter().chain(sent.iter().copied()).any(|k| same_stored(k, point));
            if !present {
                sent.push(point);
                missing.push(point.clone());
            }
        }
    }
    api.log_batch(&remote.run_id, &missing, &[], &[])?;
    Ok(missing.len())
}

/// True when the server's point `known` is `point` as a SQL-backed server stores it: such a
/// server keeps +-infinity as +-`f64::MAX` (for every client, the Python one included).
fn same_stored(known: &Metric, point: &Metric) -> bool {
    let clamp = |value: f64| if value.is_infinite() { f64::MAX.copysign(value) } else { value };
    let stored = Metric { value: clamp(point.value), ..point.clone() };
    known.same_point(point) || known.same_point(&stored)
}

fn sync_artifacts(api: &RestApi, record: &RunRecord, remote: &RemoteRun) -> Result<usize> {
    if record.artifacts.is_empty() {
        return Ok(0);
    }
    let present = artifacts::list(api.http(), &remote.artifact_uri)?;
    let mut uploaded = 0;
    for (rel, path) in &record.artifacts {
        let size = std::fs::metadata(path).map_err(|err| TrackingError::io(path, err))?.len();
        if present.get(rel) != Some(&size) {
            artifacts::upload(api.http(), &remote.artifact_uri, rel, path)?;
            uploaded += 1;
        }
    }
    Ok(uploaded)
}

fn sync_status(api: &RestApi, record: &RunRecord, remote: &RemoteRun) -> Result<bool> {
    let meta = &record.meta;
    let Some(end_time) = meta.end_time.filter(|_| meta.status.is_terminal()) else {
        return Ok(false);
    };
    if remote.status == Some(meta.status) && remote.end_time == Some(end_time) {
        return Ok(false);
    }
    api.update_run(&remote.run_id, meta.status, end_time)?;
    Ok(true)
}
