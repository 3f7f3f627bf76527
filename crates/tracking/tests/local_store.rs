//! Runs written to the directory store, read back by the real MLflow Python client.

mod common;

use fmnist_tracking::{RunStatus, Tracker, TrackingError, system_tags};
use serde_json::json;

use common::{assert_sample, curve_hex, local_val_loss, log_sample, read_runs};

#[test]
fn local_runs_read_back_by_the_python_client() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("mlruns");
    let tracker = Tracker::local(&store);
    let experiment = "fashion-mnist";

    let mut finished =
        tracker.start_run(experiment, "mlp-1", &system_tags("mlp-1", "fmnist")).unwrap();
    log_sample(&mut finished, &dir.path().join("run-folder"));
    let mut killed = tracker.start_run(experiment, "mlp-killed", &[]).unwrap();
    killed.log_metric("val_loss", 1.0, 0).unwrap();
    killed.finish(RunStatus::Killed).unwrap();
    let dropped = tracker.start_run(experiment, "mlp-dropped", &[]).unwrap();
    let dropped_id = dropped.run_id().to_string();
    drop(dropped);

    let uri = format!("file://{}", store.display());
    let filter = "params.`model.hidden` = '[256, 128]' and metrics.`train/acc` > 0.84 \
                  and tags.`mlflow.source.type` = 'LOCAL'";
    let seen = read_runs(&json!({
        "uri": uri,
        "runs": [finished.run_id(), killed.run_id(), dropped_id],
        "experiment": experiment,
        "filter": filter,
        "download": [finished.run_id(), "plots/curve.png"],
        "dst": dir.path().join("download"),
    }));

    assert_eq!(seen["experiments"], json!(["Default", "fashion-mnist"]));
    assert_eq!(seen["search"], json!([finished.run_id()]));
    assert_eq!(seen["download_hex"], curve_hex());
    let first = &seen["runs"][finished.run_id()];
    assert_sample(first, &local_val_loss());
    assert_eq!(first["run_name"], "mlp-1");
    assert_eq!(first["tags"]["mlflow.source.name"], "fmnist");
    assert_eq!(first["tags"]["mlflow.runName"], "mlp-1");
    assert_eq!(first["tags"]["fmnist.local_run_id"], finished.run_id());
    assert_eq!(seen["runs"][killed.run_id()]["status"], "KILLED");
    assert_eq!(seen["runs"][&dropped_id]["status"], "FAILED");
    assert!(finished.view_hint().contains("cargo xtask mlflow-ui --store"));
}

#[test]
fn misuse_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let tracker = Tracker::local(dir.path());
    let mut run = tracker.start_run("e", "r", &[]).unwrap();
    let long = "x".repeat(6001);
    let err = run.log_param("notes", &long).unwrap_err();
    assert_eq!(err.to_string(), "param \"notes\" is 6001 characters long, expected at most 6000");
    assert!(!run.local_dir().join("params/notes").exists());

    run.log_param("seed", "1").unwrap();
    run.log_param("seed", "1").unwrap();
    let err = run.log_param("seed", "2").unwrap_err();
    assert!(matches!(err, TrackingError::ParamChanged { ref old, ref new, .. }
            if old == "1" && new == "2"));

    let err = run.log_metric("../escape", 1.0, 0).unwrap_err();
    assert!(matches!(err, TrackingError::InvalidKey { kind: "metric", .. }), "{err}");
    run.finish(RunStatus::Finished).unwrap();
    let err = run.log_metric("loss", 1.0, 0).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("run {} has already ended with status FINISHED", run.run_id())
    );
}
