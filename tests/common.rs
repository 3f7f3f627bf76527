//! Helpers shared by the end-to-end tests: run the `fmnist` binary, find the data.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The folder or URL holding the four official files, from `FASHION_MNIST_MIRROR`
/// (`cargo xtask test` and CI set it).
pub fn mirror() -> String {
    match std::env::var("FASHION_MNIST_MIRROR") {
        Ok(value) if !value.trim().is_empty() => value,
        _ => panic!(
            "FASHION_MNIST_MIRROR is not set: point it at a folder with the four official \
             Fashion-MNIST files, or run the tests with `cargo xtask test`"
        ),
    }
}

/// Runs `fmnist run` with `args`, outputs in `out`, tracking into a store below `out`'s
/// parent, one libtorch thread (tests run side by side on two cores).
pub fn run_pipeline(out: &Path, args: &[&str]) -> Output {
    let store = out.parent().unwrap_or(out).join("mlruns");
    Command::new(env!("CARGO_BIN_EXE_fmnist"))
        .arg("run")
        .arg("--out")
        .arg(out)
        .args(["--set", "run.threads=1"])
        .arg("--set")
        .arg(format!("tracking.uri={}", store.display()))
        .args(args)
        .env("FASHION_MNIST_MIRROR", mirror())
        .env_remove("MLFLOW_TRACKING_URI")
        .output()
        .expect("the fmnist binary starts")
}

/// Stderr of a finished command, for assertion messages.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The official test labels, read independently of the pipeline.
pub fn official_test_labels() -> Vec<u8> {
    let folder = PathBuf::from(mirror());
    fmnist_data::read_idx_labels(&folder.join("t10k-labels-idx1-ubyte.gz")).expect("test labels")
}

/// Parses a `PRED_*.dat` file: one integer per line.
pub fn read_predictions(path: &Path) -> Vec<u8> {
    let text = std::fs::read_to_string(path).expect("prediction file");
    text.lines().map(|line| line.trim().parse().expect("an integer label per line")).collect()
}

/// A Python with numpy: `FMNIST_PYTHON` (set by `cargo xtask test`), else the workspace's
/// MLflow virtual environment.
pub fn python() -> PathBuf {
    if let Some(python) = std::env::var_os("FMNIST_PYTHON").filter(|v| !v.is_empty()) {
        return PathBuf::from(python);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/mlflow/bin/python");
    assert!(
        venv.is_file(),
        "no Python with numpy: set FMNIST_PYTHON or run the tests with `cargo xtask test`"
    );
    venv
}
