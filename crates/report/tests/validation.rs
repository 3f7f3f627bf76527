//! Bad inputs are errors that name the input and say what was expected, never panics, and
//! a failed call writes nothing.

mod common;

use common::Sample;
use fmnist_report::{EpochRecord, ReportInput, write_report};

/// Runs `write_report` on a broken input and returns the error message; checks that the
/// output folder stayed empty.
fn error_of(input: ReportInput) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let message = write_report(&input, &out).unwrap_err().to_string();
    assert!(!out.exists(), "nothing is written for a bad input");
    message
}

#[test]
fn logits_of_the_wrong_length_are_rejected() {
    let sample = Sample::new(20, 20);
    let input = ReportInput { test_logits: &sample.test_logits[..195], ..sample.input("mlp") };
    assert_eq!(error_of(input), "test_logits has length 195, expected 200 (n x classes = 20 x 10)");
}

#[test]
fn labels_out_of_range_are_rejected() {
    let sample = Sample::new(20, 20);
    let mut labels = sample.val_labels.clone();
    labels[7] = 10;
    let input = ReportInput { val_labels: &labels, ..sample.input("mlp") };
    assert_eq!(error_of(input), "labels[7] is 10, expected a class index below 10");
}

#[test]
fn empty_history_is_rejected() {
    let sample = Sample::new(20, 20);
    let input = ReportInput { history: &[], ..sample.input("mlp") };
    assert_eq!(error_of(input), "history is empty, expected at least one epoch");
}

#[test]
fn best_epoch_outside_the_history_is_rejected() {
    let sample = Sample::new(20, 20);
    let input = ReportInput { best_epoch: 21, ..sample.input("mlp") };
    assert_eq!(error_of(input), "best_epoch is 21, expected an epoch of the history, 1 to 20");
}

#[test]
fn misnumbered_history_is_rejected() {
    let sample = Sample::new(20, 20);
    let mut history: Vec<EpochRecord> = sample.history.clone();
    history[3].epoch = 7;
    let input = ReportInput { history: &history, ..sample.input("mlp") };
    assert!(error_of(input).starts_with("history epoch is 7 at position 3"));
}

#[test]
fn nan_logits_and_nan_losses_are_rejected() {
    let sample = Sample::new(20, 20);
    let mut logits = sample.test_logits.clone();
    logits[5] = f32::NAN;
    let input = ReportInput { test_logits: &logits, ..sample.input("mlp") };
    assert_eq!(error_of(input), "test_logits[5] is NaN, expected a finite number");
    let mut history = sample.history.clone();
    history[2].val_loss = f64::INFINITY;
    let input = ReportInput { history: &history, ..sample.input("mlp") };
    assert_eq!(error_of(input), "history[2] is inf, expected a finite number");
}

#[test]
fn images_of_the_wrong_length_are_rejected() {
    let sample = Sample::new(20, 20);
    let input = ReportInput { test_images: &sample.test_images[..784], ..sample.input("mlp") };
    assert!(error_of(input).starts_with("test_images has length 784, expected 15680"));
}

#[test]
fn unsafe_model_names_are_rejected() {
    let sample = Sample::new(20, 20);
    let input = ReportInput { model_name: "../mlp", ..sample.input("mlp") };
    assert!(error_of(input).starts_with("model_name is \"../mlp\", expected a file prefix"));
}

#[test]
fn class_names_must_match_the_logits() {
    let sample = Sample::new(20, 20);
    let names = ["a", "b", "c"];
    let input = ReportInput { class_names: &names, ..sample.input("mlp") };
    assert_eq!(error_of(input), "test_logits has length 200, expected 60 (n x classes = 20 x 3)");
}
