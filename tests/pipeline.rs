//! End to end on the real data with a short budget: the run folder is complete, the
//! predictions are good and equal to what the run reports, and a second run with the same
//! config and seed predicts byte for byte the same.

mod common;

use std::process::Command;

use common::{official_test_labels, python, read_predictions, run_pipeline, stderr};

#[test]
fn short_mlp_run_learns_and_is_reproducible() {
    let temp = tempfile::tempdir().unwrap();
    let first = temp.path().join("first");
    let budget = ["--set", "train.epochs=3"];
    let output = run_pipeline(&first, &budget);
    assert!(output.status.success(), "pipeline failed: {}", stderr(&output));

    for name in
        ["PRED_mlp.dat", "config.toml", "metrics.json", "history.csv", "mlp_weights.safetensors"]
    {
        assert!(first.join(name).is_file(), "{name} missing");
    }
    assert!(!first.join("INCOMPLETE").exists(), "a finished run must drop its INCOMPLETE marker");

    let predictions = read_predictions(&first.join("PRED_mlp.dat"));
    let labels = official_test_labels();
    assert_eq!(predictions.len(), 10_000);
    let correct = predictions.iter().zip(&labels).filter(|(p, l)| p == l).count();
    let accuracy = correct as f64 / labels.len() as f64;
    // Three epochs of the reference MLP reach 0.850-0.866 depending on the seed (about 0.85
    // with this one, seeds 1-6 gave 0.855-0.866); a model that stopped learning would be far
    // below the floor. The Keras reference's 0.846 is what one epoch gives.
    assert!(accuracy >= 0.84, "test accuracy {accuracy} after 3 epochs");

    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(first.join("metrics.json")).unwrap())
            .unwrap();
    assert_eq!(metrics["test"]["accuracy"].as_f64(), Some(accuracy));
    assert_eq!(metrics["epochs_run"].as_u64(), Some(3));
    let history = std::fs::read_to_string(first.join("history.csv")).unwrap();
    assert_eq!(history.lines().count(), 1 + 3);

    check_mlflow_run(&temp.path().join("mlruns"), accuracy);

    let second = temp.path().join("second");
    let output = run_pipeline(&second, &budget);
    assert!(output.status.success(), "second run failed: {}", stderr(&output));
    let a = std::fs::read(first.join("PRED_mlp.dat")).unwrap();
    let b = std::fs::read(second.join("PRED_mlp.dat")).unwrap();
    assert!(a == b, "same config and seed must give byte-identical predictions");
}

/// The real MLflow client finds the run by param, metric and tag, with one validation-loss
/// point per epoch and the run folder's files as artifacts.
fn check_mlflow_run(store: &std::path::Path, accuracy: f64) {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/read_pipeline_run.py");
    let output = Command::new(python()).arg(script).arg(store).output().unwrap();
    assert!(output.status.success(), "MLflow client failed: {}", stderr(&output));
    let run: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(run["runs"], 1);
    assert_eq!(run["status"], "FINISHED");
    assert_eq!(run["test_accuracy"].as_f64(), Some(accuracy));
    assert_eq!(run["val_loss_steps"], serde_json::json!([1, 2, 3]));
    assert_eq!(run["params"]["train.epochs"], "3");
    assert_eq!(run["params"]["model.mlp.hidden"], "[256, 128]");
    assert_eq!(
        run["params"]["data.sha256.t10k-labels-idx1-ubyte.gz"],
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"
    );
    assert!(run["note"].as_str().unwrap().contains("test accuracy"));
    let artifacts = run["artifacts"].as_array().unwrap();
    for name in ["PRED_mlp.dat", "metrics.json", "report.html", "mlp_confusion_matrix.png"] {
        assert!(artifacts.iter().any(|a| a == name), "{name} not among {artifacts:?}");
    }
}
