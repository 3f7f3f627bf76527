//! Helpers shared by the integration tests: the MLflow Python, the read-back script, and a
//! run with known content.

// Each test binary uses only some of these helpers.
#![allow(dead_code)]

pub mod logs;
pub mod mock;
pub mod proxy;
pub mod server;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use fmnist_tracking::{Metric, Run, RunStatus};
use serde_json::{Value, json};

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Python that has `mlflow` installed: `FMNIST_MLFLOW_PYTHON`, else the workspace venv.
pub fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let candidate = std::env::var_os("FMNIST_MLFLOW_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join(".venv/mlflow/bin/python"));
        let works = Command::new(&candidate)
            .args(["-c", "import mlflow"])
            .output()
            .is_ok_and(|out| out.status.success());
        assert!(
            works,
            "no Python with mlflow at {} (set FMNIST_MLFLOW_PYTHON); run the tests with \
             `cargo xtask test`, which installs mlflow==3.17.2 into .venv/mlflow",
            candidate.display()
        );
        candidate
    })
}

/// Runs `tests/py/read_runs.py` with `spec` and returns its JSON answer.
pub fn read_runs(spec: &Value) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/read_runs.py");
    let output = Command::new(python())
        .arg(script)
        .arg(spec.to_string())
        .env("MLFLOW_ALLOW_FILE_STORE", "true")
        .env("GIT_PYTHON_REFRESH", "quiet")
        .output()
        .expect("python starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "read_runs.py failed:\n{stderr}");
    serde_json::from_str(stdout.lines().last().unwrap_or(""))
        .unwrap_or_else(|err| panic!("read_runs.py printed no JSON ({err}):\n{stdout}\n{stderr}"))
}

/// `read_runs` for one run, no search, no download.
pub fn read_run(uri: &str, experiment: &str, run_id: &str) -> Value {
    read_runs(&json!({"uri": uri, "runs": [run_id], "experiment": experiment}))
}

/// The artifact files every sample run logs: relative path and bytes.
pub fn sample_artifacts() -> Vec<(&'static str, Vec<u8>)> {
    let predictions: String = (0..100).map(|i| format!("{}\n", i % 10)).collect();
    vec![
        ("PRED_mlp.dat", predictions.into_bytes()),
        ("plots/curve.png", (0..=255u8).chain([0x89, b'P', b'N', b'G']).collect()),
        ("config resolved.toml", b"[model]\nhidden = [256, 128]\n".to_vec()),
    ]
}

/// Writes [`sample_artifacts`] under `dir`.
pub fn write_sample_artifacts(dir: &Path) {
    for (rel, bytes) in sample_artifacts() {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// Values of `val_loss`, steps 0 to 5: finite ones and every non-finite kind.
pub const VAL_LOSS: [f64; 6] = [0.5, 0.25, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e-7];
/// How Python's repr prints [`VAL_LOSS`].
pub const VAL_LOSS_REPR: [&str; 6] = ["0.5", "0.25", "nan", "inf", "-inf", "1e-07"];

/// Logs the sample content: 3 params, `val_loss` one point at a time (6 points), `train/acc`
/// in a batch (6 points), a note tag, the sample artifacts; then ends the run FINISHED.
pub fn log_sample(run: &mut Run, artifact_dir: &Path) {
    run.log_params(&[
        ("model.hidden".into(), "[256, 128]".into()),
        ("optimizer".into(), "adam".into()),
        ("data/sha256".into(), "ab".repeat(32)),
    ])
    .unwrap();
    for (step, value) in VAL_LOSS.iter().enumerate() {
        run.log_metric("val_loss", *value, step as i64).unwrap();
    }
    let acc: Vec<Metric> =
        (0..6).map(|step| Metric::new("train/acc", 0.8 + step as f64 / 100.0, step)).collect();
    run.log_metrics(&acc).unwrap();
    run.set_tags(&[("mlflow.note.content".into(), "# MLP\n\nbaseline, *seed 1*".into())]).unwrap();
    write_sample_artifacts(artifact_dir);
    assert_eq!(run.log_artifacts(artifact_dir).unwrap(), 3);
    run.finish(RunStatus::Finished).unwrap();
}

/// [`VAL_LOSS_REPR`] as owned strings.
pub fn local_val_loss() -> Vec<String> {
    VAL_LOSS_REPR.iter().map(|repr| repr.to_string()).collect()
}

/// Checks what the Python client read back for a run logged by [`log_sample`]; `val_loss` is
/// how the store spells the `val_loss` values (a SQL-backed server clamps infinities).
pub fn assert_sample(seen: &Value, val_loss: &[String]) {
    assert_eq!(seen["status"], "FINISHED");
    assert!(seen["end_time"].as_i64().unwrap() >= seen["start_time"].as_i64().unwrap());
    assert_eq!(seen["params"]["model.hidden"], "[256, 128]");
    assert_eq!(seen["params"]["data/sha256"], "ab".repeat(32));
    assert_eq!(seen["params"].as_object().unwrap().len(), 3);
    assert_eq!(seen["tags"]["mlflow.note.content"], "# MLP\n\nbaseline, *seed 1*");
    let loss: Vec<(i64, String)> = seen["history"]["val_loss"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_i64().unwrap(), p[1].as_str().unwrap().to_string()))
        .collect();
    let expected: Vec<(i64, String)> =
        val_loss.iter().enumerate().map(|(i, v)| (i as i64, v.clone())).collect();
    assert_eq!(loss, expected);
    let acc: Vec<&str> = seen["history"]["train/acc"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[1].as_str().unwrap())
        .collect();
    let expected_acc = ["0.8", "0.81", "0.8200000000000001", "0.8300000000000001"];
    assert_eq!(acc[..4], expected_acc);
    assert_eq!(acc[4..], ["0.8400000000000001", "0.8500000000000001"]);
    let artifacts: Vec<(String, u64)> = seen["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a[0].as_str().unwrap().to_string(), a[1].as_u64().unwrap()))
        .collect();
    let mut expected: Vec<(String, u64)> =
        sample_artifacts().into_iter().map(|(p, b)| (p.to_string(), b.len() as u64)).collect();
    expected.sort();
    assert_eq!(artifacts, expected);
}

/// Hex of the sample `plots/curve.png`.
pub fn curve_hex() -> String {
    let bytes = &sample_artifacts()[1].1;
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
