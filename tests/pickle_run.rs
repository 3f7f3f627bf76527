//! A pickle of the whole dataset, written by the real Python `pickle` and numpy, gives the
//! same predictions as the official IDX files (issue 5's end-to-end promise).

mod common;

use std::path::Path;
use std::process::Command;

use common::{mirror, python, run_pipeline, stderr};

#[test]
fn full_dataset_pickle_predicts_exactly_like_the_idx_files() {
    let temp = tempfile::tempdir().unwrap();
    let pickle = temp.path().join("fashion.pkl");
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/data/tests/fixtures/make_pickles.py");
    let made = Command::new(python())
        .arg(&script)
        .arg("full")
        .arg(mirror())
        .arg(&pickle)
        .output()
        .unwrap();
    assert!(made.status.success(), "fixture script failed: {}", stderr(&made));

    let budget = ["--set", "train.epochs=1"];
    let from_idx = temp.path().join("idx");
    let output = run_pipeline(&from_idx, &budget);
    assert!(output.status.success(), "IDX run failed: {}", stderr(&output));
    let from_pickle = temp.path().join("pickle");
    let mut args = budget.to_vec();
    args.extend(["--data", pickle.to_str().unwrap()]);
    let output = run_pipeline(&from_pickle, &args);
    assert!(output.status.success(), "pickle run failed: {}", stderr(&output));
    assert!(stderr(&output).contains("pickle"), "the log should say the data came from a pickle");

    let a = std::fs::read(from_idx.join("PRED_mlp.dat")).unwrap();
    let b = std::fs::read(from_pickle.join("PRED_mlp.dat")).unwrap();
    assert_eq!(a.len(), b.len());
    assert!(a == b, "the pickle run must predict exactly what the IDX run predicts");
}
