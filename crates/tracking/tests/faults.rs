//! Faults the real server cannot produce on demand, injected with a scripted 127.0.0.1 mock:
//! the Python client's call sequence, 400 / 404 / 500 / 429 answers, a refused connection, a
//! server that never answers, and Databricks bearer auth with a token that must never show.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use fmnist_tracking::{Backend, HttpSettings, RunStatus, Secret, Tracker, TrackingError};
use serde_json::json;

use common::logs::{capture_logs, count_warnings};
use common::mock::{Mock, Reply, Request, error_body};
use common::server::free_port;

const RUN_ID: &str = "0123456789abcdef0123456789abcdef";

fn fast_http() -> HttpSettings {
    HttpSettings {
        timeout: Duration::from_millis(400),
        connect_timeout: Duration::from_millis(300),
        max_retries: 2,
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(40),
    }
}

/// What MLflow answers to each endpoint on the happy path.
fn mlflow_like(request: &Request, artifact_uri: &str) -> Reply {
    let path = request.path.split('?').next().unwrap_or("");
    let body = match path.trim_start_matches("/api/2.0/mlflow/") {
        "experiments/get-by-name" => {
            return Reply::Json(404, error_body("RESOURCE_DOES_NOT_EXIST", "no experiment"));
        }
        "experiments/create" => json!({"experiment_id": "7"}),
        "runs/create" => json!({"run": {"info": {
            "run_id": RUN_ID, "experiment_id": "7", "artifact_uri": artifact_uri,
            "status": "RUNNING", "start_time": 1,
        }, "data": {}}}),
        _ => json!({}),
    };
    Reply::Json(200, body.to_string())
}

fn start(mock: &Mock, dir: &std::path::Path) -> fmnist_tracking::Run {
    let backend = Backend::Rest { base_url: mock.url.clone(), token: None };
    let tracker = Tracker::new(backend).with_local_store(dir).with_http_settings(fast_http());
    tracker.start_run("faults", "r1", &fmnist_tracking::system_tags("r1", "fmnist")).unwrap()
}

#[test]
fn the_python_client_call_sequence_is_followed() {
    let mock = Mock::start(|r| mlflow_like(r, "mlflow-artifacts:/7/abc/artifacts"));
    let dir = tempfile::tempdir().unwrap();
    let mut run = start(&mock, dir.path());
    run.log_params(&[("lr".into(), "0.001".into())]).unwrap();
    run.log_metric("val_loss", f64::NAN, 3).unwrap();
    run.set_tag("phase", "fit").unwrap();
    std::fs::write(dir.path().join("PRED_mlp.dat"), "7\n2\n").unwrap();
    run.log_artifact(&dir.path().join("PRED_mlp.dat"), Some("out dir")).unwrap();
    run.finish(RunStatus::Finished).unwrap();

    let calls: Vec<String> = mock.calls().iter().map(|(m, p)| format!("{m} {p}")).collect();
    let api = "/api/2.0/mlflow";
    assert_eq!(
        calls,
        [
            format!("GET {api}/experiments/get-by-name"),
            format!("POST {api}/experiments/create"),
            format!("POST {api}/runs/create"),
            format!("POST {api}/runs/log-batch"),
            format!("POST {api}/runs/log-metric"),
            format!("POST {api}/runs/set-tag"),
            "PUT /api/2.0/mlflow-artifacts/artifacts/7/abc/artifacts/out%20dir/PRED_mlp.dat"
                .to_string(),
            format!("POST {api}/runs/update"),
        ]
    );
    let requests = mock.requests();
    assert!(requests[0].path.ends_with("?experiment_name=faults"));
    let create = requests[2].json();
    assert_eq!(create["experiment_id"], "7");
    assert_eq!(create["run_name"], "r1");
    assert!(create["start_time"].is_i64());
    let tag_keys: Vec<&str> =
        create["tags"].as_array().unwrap().iter().map(|t| t["key"].as_str().unwrap()).collect();
    assert_eq!(
        tag_keys[..4],
        ["mlflow.user", "mlflow.source.name", "mlflow.source.type", "mlflow.runName"]
    );
    assert_eq!(requests[3].json()["params"], json!([{"key": "lr", "value": "0.001"}]));
    let metric = requests[4].json();
    assert_eq!((metric["value"].clone(), metric["step"].clone()), (json!("NaN"), json!(3)));
    assert!(metric["timestamp"].is_i64());
    assert_eq!(requests[4].header("content-type"), Some("application/json"));
    assert_eq!(requests[6].body, b"7\n2\n");
    assert_eq!(requests[7].json()["status"], "FINISHED");
}

#[test]
fn a_400_is_an_error_and_not_retried() {
    let mock = Mock::start(|r| {
        if r.path.ends_with("runs/log-batch") {
            return Reply::Json(400, error_body("INVALID_PARAMETER_VALUE", "param lr changed"));
        }
        mlflow_like(r, "mlflow-artifacts:/7/abc/artifacts")
    });
    let dir = tempfile::tempdir().unwrap();
    let mut run = start(&mock, dir.path());
    let err = run.log_params(&[("lr".into(), "0.1".into())]).unwrap_err();
    let expected = format!(
        "{}/api/2.0/mlflow/runs/log-batch answered 400 INVALID_PARAMETER_VALUE: param lr changed",
        mock.url
    );
    assert_eq!(err.to_string(), expected);
    assert_eq!(mock.count("runs/log-batch"), 1);
    run.log_metric("loss", 1.0, 0).unwrap();
    assert_eq!(mock.count("runs/log-metric"), 1, "the run stays online after a 400");
    assert_eq!(run.offline_reason(), None);
    run.finish(RunStatus::Failed).unwrap();
}

#[test]
fn a_404_for_the_run_is_an_error() {
    let mock = Mock::start(|r| {
        if r.path.ends_with("runs/log-metric") {
            return Reply::Json(404, error_body("RESOURCE_DOES_NOT_EXIST", "Run 'x' not found"));
        }
        mlflow_like(r, "mlflow-artifacts:/7/abc/artifacts")
    });
    let dir = tempfile::tempdir().unwrap();
    let mut run = start(&mock, dir.path());
    let err = run.log_metric("loss", 1.0, 0).unwrap_err();
    assert!(
        matches!(&err, TrackingError::Rejected { status: 404, code, .. }
            if code == "RESOURCE_DOES_NOT_EXIST"),
        "{err}"
    );
    assert_eq!(mock.count("runs/log-metric"), 1);
    run.finish(RunStatus::Finished).unwrap();
}

#[test]
fn a_429_or_500_then_success_is_retried() {
    let failures = AtomicUsize::new(0);
    let mock = Mock::start(move |r| {
        if r.path.ends_with("runs/log-batch") {
            match failures.fetch_add(1, Ordering::SeqCst) {
                0 => return Reply::Json(429, error_body("REQUEST_LIMIT_EXCEEDED", "slow down")),
                1 => return Reply::Json(503, "busy".into()),
                _ => {}
            }
        }
        mlflow_like(r, "mlflow-artifacts:/7/abc/artifacts")
    });
    let dir = tempfile::tempdir().unwrap();
    let mut run = start(&mock, dir.path());
    run.log_params(&[("lr".into(), "0.1".into())]).unwrap();
    assert_eq!(mock.count("runs/log-batch"), 3);
    assert_eq!(run.offline_reason(), None);
    run.finish(RunStatus::Finished).unwrap();
}

#[test]
fn a_500_that_persists_sends_the_run_offline_with_one_warning() {
    let mock = Mock::start(|r| {
        if r.path.ends_with("runs/log-batch") {
            return Reply::Json(500, error_body("INTERNAL_ERROR", "database is locked"));
        }
        mlflow_like(r, "mlflow-artifacts:/7/abc/artifacts")
    });
    let dir = tempfile::tempdir().unwrap();
    let mut run = start(&mock, dir.path());
    let ((), logs) = capture_logs(|| {
        run.log_params(&[("lr".into(), "0.1".into())]).unwrap();
        run.log_metric("loss", 0.5, 0).unwrap();
        run.set_tags(&[("a".into(), "b".into())]).unwrap();
        run.finish(RunStatus::Finished).unwrap();
    });
    assert_eq!(mock.count("runs/log-batch"), 3, "1 attempt + 2 retries, then offline");
    assert_eq!(mock.count("runs/log-metric") + mock.count("runs/update"), 0);
    assert_eq!(count_warnings(&logs), 1, "{logs}");
    assert!(logs.contains("unreachable after 3 attempts: status 500"), "{logs}");
    let meta = std::fs::read_to_string(run.local_dir().join("meta.yaml")).unwrap();
    assert!(meta.contains("\nstatus: 3\n"), "{meta}");
    assert_eq!(std::fs::read_to_string(run.local_dir().join("params/lr")).unwrap(), "0.1");
    assert!(run.view_hint().contains(&format!("--run {} --to {}", run.local_run_id(), mock.url)));
}

#[test]
fn a_refused_connection_at_start_runs_locally() {
    let url = format!("http://127.0.0.1:{}", free_port());
    let dir = tempfile::tempdir().unwrap();
    let tracker = Tracker::new(Backend::Rest { base_url: url.clone(), token: None })
        .with_local_store(dir.path())
        .with_http_settings(fast_http());
    let started = Instant::now();
    let (run, logs) = capture_logs(|| {
        let mut run = tracker.start_run("faults", "refused", &[]).unwrap();
        run.log_metric("loss", 0.5, 0).unwrap();
        run.finish(RunStatus::Killed).unwrap();
        run
    });
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(count_warnings(&logs), 1, "{logs}");
    assert_eq!(run.run_id(), run.local_run_id());
    assert!(run.offline_reason().unwrap().contains("unreachable after 3 attempts"));
    let metric = std::fs::read_to_string(run.local_dir().join("metrics/loss")).unwrap();
    assert!(metric.ends_with(" 0.5 0\n"), "{metric}");
}

#[test]
fn a_server_that_never_answers_times_out() {
    let mock = Mock::start(|_| Reply::Silent);
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut run = start(&mock, dir.path());
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(1200) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );
    assert_eq!(mock.count("experiments/get-by-name"), 3);
    assert!(run.offline_reason().unwrap().contains("timed out"), "{:?}", run.offline_reason());
    run.finish(RunStatus::Finished).unwrap();
}

#[test]
fn databricks_gets_the_token_and_nothing_shows_it() {
    const TOKEN: &str = "dapi-0123-TOP-SECRET";
    let mock = Mock::start(|r| {
        if r.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
            return Reply::Json(401, error_body("UNAUTHENTICATED", "bad token"));
        }
        if r.path.ends_with("runs/set-tag") {
            return Reply::Json(403, error_body("PERMISSION_DENIED", "no write access"));
        }
        mlflow_like(r, "dbfs:/databricks/mlflow-tracking/7/abc/artifacts")
    });
    let dir = tempfile::tempdir().unwrap();
    let backend = Backend::Databricks { host: mock.url.clone(), token: Secret::new(TOKEN) };
    let tracker =
        Tracker::new(backend).with_local_store(dir.path()).with_http_settings(fast_http());
    let (shown, logs) = capture_logs(|| {
        let mut run = tracker.start_run("/Users/me/faults", "db", &[]).unwrap();
        run.log_metric("loss", 0.5, 0).unwrap();
        let err = run.set_tag("a", "b").unwrap_err();
        std::fs::write(dir.path().join("weights.bin"), [1u8, 2, 3]).unwrap();
        run.log_artifact(&dir.path().join("weights.bin"), None).unwrap();
        run.finish(RunStatus::Finished).unwrap();
        format!("{err} {err:?} {tracker:?} {run:?} {}", run.view_hint())
    });
    assert!(shown.contains("403 PERMISSION_DENIED"), "{shown}");
    assert!(logs.contains("artifacts are kept only in the local store"), "{logs}");
    assert_eq!(mock.calls().iter().filter(|(m, _)| m == "PUT").count(), 0);
    assert!(mock.requests().iter().all(|r| r.header("authorization").is_some()));
    assert!(!shown.contains(TOKEN) && !logs.contains(TOKEN), "token leaked");
    for (_, path) in walk(dir.path()) {
        let bytes = std::fs::read(&path).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains(TOKEN), "token in {}", path.display());
    }
}

fn walk(dir: &std::path::Path) -> Vec<(String, std::path::PathBuf)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.path().is_dir() {
            files.extend(walk(&entry.path()));
        } else {
            files.push((entry.file_name().to_string_lossy().into_owned(), entry.path()));
        }
    }
    files
}
