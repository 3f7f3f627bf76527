//! Bad input on the command line and in configs: one clear error naming the key or file,
//! a non-zero exit, no panic, and no run folder that looks finished.

mod common;

use std::process::Command;

use common::{run_pipeline, stderr};

fn assert_refused(output: &std::process::Output, needles: &[&str]) {
    let text = stderr(output);
    assert_eq!(output.status.code(), Some(1), "expected exit 1, got {:?}: {text}", output.status);
    assert!(!text.contains("panicked"), "panic instead of an error: {text}");
    for needle in needles {
        assert!(text.contains(needle), "error should mention {needle:?}: {text}");
    }
}

#[test]
fn unknown_config_key_is_refused_by_name() {
    let temp = tempfile::tempdir().unwrap();
    let output = run_pipeline(&temp.path().join("run"), &["--set", "train.epoks=3"]);
    assert_refused(&output, &["train.epoks", "unknown field `epoks`", "epochs"]);
    assert!(!temp.path().join("run").exists(), "no run folder for a config that does not load");
}

#[test]
fn set_value_of_the_wrong_type_names_the_key_and_the_type() {
    let temp = tempfile::tempdir().unwrap();
    let output = run_pipeline(&temp.path().join("run"), &["--set", "train.batch_size=large"]);
    assert_refused(&output, &["train.batch_size", "invalid type", "string \"large\""]);
}

#[test]
fn out_of_range_value_is_refused() {
    let temp = tempfile::tempdir().unwrap();
    let output = run_pipeline(&temp.path().join("run"), &["--set", "data.validation_fraction=1.5"]);
    assert_refused(&output, &["data.validation_fraction", "1.5"]);
}

#[test]
fn config_file_errors_name_the_file() {
    let temp = tempfile::tempdir().unwrap();
    let config = temp.path().join("bad.toml");
    std::fs::write(&config, "[train]\nepochs = \"many\"\n").unwrap();
    let output = run_pipeline(&temp.path().join("run"), &["--config", config.to_str().unwrap()]);
    assert_refused(&output, &["bad.toml", "train.epochs"]);
    let missing = temp.path().join("missing.toml");
    let output = run_pipeline(&temp.path().join("run"), &["--config", missing.to_str().unwrap()]);
    assert_refused(&output, &["missing.toml"]);
}

#[test]
fn missing_data_folder_fails_and_leaves_the_run_marked_failed() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("run");
    let nowhere = temp.path().join("no-such-folder");
    let output = run_pipeline(&out, &["--data", nowhere.to_str().unwrap()]);
    assert_refused(&output, &["no-such-folder"]);
    assert!(out.join("INCOMPLETE").exists(), "a failed run keeps its INCOMPLETE marker");
    let status = std::fs::read_to_string(out.join("status.json")).unwrap();
    assert!(status.contains("\"failed\""), "{status}");
    assert!(!out.join("PRED_mlp.dat").exists());
}

#[test]
fn help_lists_the_run_options() {
    let output =
        Command::new(env!("CARGO_BIN_EXE_fmnist")).args(["run", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    for option in ["--config", "--set", "--data", "--out"] {
        assert!(text.contains(option), "{option} missing from help: {text}");
    }
}

#[test]
fn an_empty_data_argument_is_refused_instead_of_falling_back_to_a_download() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("run");
    let output = run_pipeline(&out, &["--data", ""]);
    let text = stderr(&output);
    // A usage error, as clap reports them: exit 2.
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("--data"), "{text}");
    assert!(!text.contains("downloading"), "{text}");
    assert!(!out.exists(), "no run folder for a refused command line");
}

#[test]
fn absurd_thread_counts_are_refused_before_libtorch_sees_them() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("run");
    let output = run_pipeline(&out, &["--set", "run.threads=2147483648"]);
    assert_refused(&output, &["run.threads is 2147483648"]);
    assert!(!out.exists(), "no run folder for a config that does not load");
}
