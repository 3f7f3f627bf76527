//! Runs sent to a real `mlflow server` (one for this test binary) and read back by the real
//! Python client: live logging, batches over the server's limits, an outage mid-run followed
//! by sync, and replaying a local run twice.

mod common;

use std::time::Duration;

use fmnist_tracking::{
    Backend, HttpSettings, Metric, RunRecord, RunStatus, Tracker, sync_run_to, system_tags,
};
use serde_json::{Value, json};

use common::logs::{capture_logs, count_warnings};
use common::proxy::Proxy;
use common::server::server;
use common::{assert_sample, curve_hex, log_sample, read_run, read_runs};

fn fast_http() -> HttpSettings {
    HttpSettings {
        timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(1),
        max_retries: 1,
        backoff_base: Duration::from_millis(20),
        backoff_max: Duration::from_millis(50),
    }
}

fn rest(url: &str) -> Backend {
    Backend::Rest { base_url: url.to_string(), token: None }
}

fn tracker_for(url: &str, store: &std::path::Path) -> Tracker {
    Tracker::new(rest(url)).with_local_store(store).with_http_settings(fast_http())
}

#[test]
fn rest_runs_read_back_by_the_python_client() {
    let url = &server().url;
    let dir = tempfile::tempdir().unwrap();
    let tracker = tracker_for(url, &dir.path().join("mlruns"));
    let mut run =
        tracker.start_run("rest-live", "mlp-rest", &system_tags("mlp-rest", "fmnist")).unwrap();
    log_sample(&mut run, &dir.path().join("run-folder"));
    assert_eq!(run.offline_reason(), None);
    assert!(run.view_hint().starts_with(&format!("view the run at {url}/#/experiments/")));

    let filter = "params.optimizer = 'adam' and metrics.`train/acc` > 0.84 \
                  and tags.`mlflow.source.type` = 'LOCAL'";
    let seen = read_runs(&json!({
        "uri": url, "runs": [run.run_id()], "experiment": "rest-live", "filter": filter,
        "download": [run.run_id(), "plots/curve.png"], "dst": dir.path().join("download"),
    }));
    assert_eq!(seen["search"], json!([run.run_id()]));
    assert_eq!(seen["download_hex"], curve_hex());
    let remote = &seen["runs"][run.run_id()];
    assert_sample(remote, &server_val_loss());
    assert_eq!(remote["run_name"], "mlp-rest");
    assert_eq!(remote["tags"]["fmnist.local_run_id"], run.local_run_id());

    // The local copy holds the same run.
    let local = read_run(
        &format!("file://{}", dir.path().join("mlruns").display()),
        "rest-live",
        run.local_run_id(),
    );
    assert_same_run(&local["runs"][run.local_run_id()], remote);
}

#[test]
fn batches_over_the_server_limits_arrive_whole() {
    let url = &server().url;
    let dir = tempfile::tempdir().unwrap();
    let tracker = tracker_for(url, dir.path());
    let mut run = tracker.start_run("rest-batches", "big", &[]).unwrap();
    let params: Vec<(String, String)> =
        (0..250).map(|i| (format!("p{i:03}"), "v".repeat(6000))).collect();
    run.log_params(&params).unwrap();
    let tags: Vec<(String, String)> =
        (0..120).map(|i| (format!("t{i:03}"), "w".repeat(8000))).collect();
    run.set_tags(&tags).unwrap();
    let points: Vec<Metric> =
        (0..2500).map(|i| Metric::new("batch_loss", 1.0 / (1.0 + i as f64), i)).collect();
    run.log_metrics(&points).unwrap();
    run.finish(RunStatus::Finished).unwrap();

    let seen = read_run(url, "rest-batches", run.run_id());
    let remote = &seen["runs"][run.run_id()];
    assert_eq!(remote["params"].as_object().unwrap().len(), 250);
    assert_eq!(remote["params"]["p249"].as_str().unwrap().len(), 6000);
    assert_eq!(remote["tags"]["t119"].as_str().unwrap().len(), 8000);
    let history = remote["history"]["batch_loss"].as_array().unwrap();
    assert_eq!(history.len(), 2500);
    assert_eq!(history[2499][0], 2499);
    assert_eq!(history[3][1], "0.25");
}

#[test]
fn outage_mid_run_then_sync_loses_nothing() {
    let url = &server().url;
    let proxy = Proxy::start(url.trim_start_matches("http://"));
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("mlruns");
    let tracker = tracker_for(&proxy.url, &store);
    let mut run = tracker.start_run("rest-outage", "cut", &system_tags("cut", "fmnist")).unwrap();
    run.log_params(&[("seed".into(), "7".into())]).unwrap();
    for epoch in 0..3 {
        run.log_metric("loss", 1.0 / f64::from(epoch + 1), i64::from(epoch)).unwrap();
    }
    let remote_id = run.run_id().to_string();
    proxy.cut();
    let ((), logs) = capture_logs(|| {
        for epoch in 3..10 {
            run.log_metric("loss", 1.0 / f64::from(epoch + 1), i64::from(epoch)).unwrap();
        }
        run.log_params(&[("late".into(), "yes".into())]).unwrap();
        log_sample(&mut run, &dir.path().join("run-folder"));
    });
    assert_eq!(count_warnings(&logs), 1, "{logs}");
    assert!(logs.contains("unreachable"), "{logs}");
    assert!(run.offline_reason().is_some());
    assert!(run.view_hint().contains(&format!(
        "mlflow-sync --store {} --run {}",
        store.display(),
        run.local_run_id()
    )));

    let before = read_run(url, "rest-outage", &remote_id);
    assert_eq!(before["runs"][&remote_id]["status"], "RUNNING");
    assert_eq!(before["runs"][&remote_id]["history"]["loss"].as_array().unwrap().len(), 3);

    let report = sync_run_to(&store, run.local_run_id(), &rest(url), &fast_http()).unwrap();
    assert_eq!(report.remote_run_id, remote_id);
    assert!(!report.created);
    assert_eq!((report.params, report.metric_points, report.artifacts), (4, 7 + 12, 3));
    assert_eq!(report.tags, 1, "only mlflow.note.content was set during the outage");
    assert!(report.status_updated);
    let again =
        sync_run_to(&store, run.local_dir().to_str().unwrap(), &rest(url), &fast_http()).unwrap();
    assert!(again.is_noop(), "{again:?}");

    let local = read_run(&format!("file://{}", store.display()), "rest-outage", run.local_run_id());
    let remote = read_run(url, "rest-outage", &remote_id);
    assert_same_run(&local["runs"][run.local_run_id()], &remote["runs"][&remote_id]);
    assert_eq!(remote["runs"][&remote_id]["history"]["loss"].as_array().unwrap().len(), 10);
}

#[test]
fn local_run_synced_twice_is_sent_once() {
    let url = &server().url;
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("mlruns");
    let mut run = Tracker::local(&store)
        .start_run("rest-sync", "offline", &system_tags("offline", "fmnist"))
        .unwrap();
    log_sample(&mut run, &dir.path().join("run-folder"));
    let n_tags = RunRecord::load(&store, run.run_id()).unwrap().tags.len();

    let first = sync_run_to(&store, run.run_id(), &rest(url), &fast_http()).unwrap();
    assert!(first.created);
    assert_eq!((first.params, first.metric_points, first.artifacts), (3, 12, 3));
    assert_eq!(first.tags, n_tags);
    assert!(first.status_updated);
    let second = sync_run_to(&store, run.run_id(), &rest(url), &fast_http()).unwrap();
    assert!(second.is_noop(), "{second:?}");
    assert_eq!(second.remote_run_id, first.remote_run_id);

    let remote = read_run(url, "rest-sync", &first.remote_run_id);
    let seen = &remote["runs"][&first.remote_run_id];
    assert_sample(seen, &server_val_loss());
    let local = read_run(&format!("file://{}", store.display()), "rest-sync", run.run_id());
    assert_same_run(&local["runs"][run.run_id()], seen);
}

/// How the SQL-backed server stores +-infinity (for the Python client too): as +-f64::MAX.
const SERVER_INF: &str = "1.7976931348623157e+308";

fn as_server_stores(repr: &str) -> String {
    match repr {
        "inf" => SERVER_INF.to_string(),
        "-inf" => format!("-{SERVER_INF}"),
        other => other.to_string(),
    }
}

/// `val_loss` as the server reads it back: the infinities clamped, everything else as logged.
fn server_val_loss() -> Vec<String> {
    common::VAL_LOSS_REPR.iter().map(|repr| as_server_stores(repr)).collect()
}

/// A local history with its infinities clamped the way the server stores them.
fn history_as_server_stores(history: &Value) -> Value {
    let mut history = history.clone();
    for points in history.as_object_mut().unwrap().values_mut() {
        for point in points.as_array_mut().unwrap() {
            point[1] = json!(as_server_stores(point[1].as_str().unwrap()));
        }
    }
    history
}

/// Equal params, tags, metric histories (step, value, timestamp), artifacts, status, times.
fn assert_same_run(local: &Value, remote: &Value) {
    for field in ["params", "artifacts", "status", "start_time", "end_time", "run_name"] {
        assert_eq!(local[field], remote[field], "{field} differs");
    }
    assert_eq!(history_as_server_stores(&local["history"]), remote["history"]);
    let remote_tags = remote["tags"].as_object().unwrap();
    for (key, value) in local["tags"].as_object().unwrap() {
        assert_eq!(remote_tags.get(key), Some(value), "tag {key} differs");
    }
}
