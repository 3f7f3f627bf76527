//! `compare` on a store written by `fmnist_tracking`, as the pipeline writes it.

use std::path::Path;

use fmnist_tracking::{Metric, RunStatus, Tracker};

use super::{Table, load_runs};

fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// One run with the pipeline's summary metrics (`test_accuracy` logged twice to check that
/// the last step wins) and the given params.
fn record_run(
    store: &Path,
    experiment: &str,
    name: &str,
    extra: &[(&str, &str)],
    scores: [f64; 5],
    status: RunStatus,
) {
    let tracker = Tracker::local(store);
    let mut run = tracker.start_run(experiment, name, &[]).unwrap();
    let mut all = params(&[
        ("data.sha256.t10k-labels-idx1-ubyte.gz", name),
        ("code.git_commit", name),
        ("train.eval_batch_size", name),
        ("run.seed", "42"),
    ]);
    all.extend(params(extra));
    run.log_params(&all).unwrap();
    let keys = ["final_train_accuracy", "final_val_accuracy", "test_accuracy"];
    let mut metrics: Vec<Metric> =
        keys.iter().zip(scores).map(|(key, value)| Metric::new(*key, value, 12)).collect();
    metrics.push(Metric::new("test_accuracy", 0.5, 3));
    metrics.push(Metric::new("test_macro_f1", scores[3], 12));
    metrics.push(Metric::new("test_ece", scores[4], 12));
    metrics.push(Metric::new("epochs_run", 12.0, 12));
    metrics.push(Metric::new("training_seconds", 301.4, 12));
    run.log_metrics(&metrics).unwrap();
    run.finish(status).unwrap();
    // Distinct start times keep the order of the table the order of the runs.
    std::thread::sleep(std::time::Duration::from_millis(3));
}

fn store_with_three_runs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path();
    let mlp = [("model.kind", "mlp"), ("model.mlp.dropout", "0.2"), ("train.epochs", "20")];
    record_run(
        store,
        "fmnist",
        "mlp-1",
        &mlp,
        [0.93, 0.89, 0.885, 0.884, 0.021],
        RunStatus::Finished,
    );
    let cnn = [("model.kind", "cnn"), ("model.cnn.blocks", "[[32], [64]]"), ("train.epochs", "15")];
    record_run(
        store,
        "fmnist",
        "cnn-1",
        &cnn,
        [0.96, 0.94, 0.931, 0.93, 0.012],
        RunStatus::Finished,
    );
    let broken = [("model.kind", "cnn"), ("model.cnn.blocks", "[[8]]"), ("train.epochs", "1")];
    record_run(store, "fmnist", "cnn-2", &broken, [0.1; 5], RunStatus::Failed);
    record_run(store, "other", "mlp-x", &mlp, [0.1; 5], RunStatus::Finished);
    dir
}

#[test]
fn finished_runs_of_the_experiment_in_start_order() {
    let dir = store_with_three_runs();
    let names = |all| -> Vec<String> {
        let records = load_runs(dir.path(), "fmnist", all).unwrap();
        records.iter().map(|r| r.meta.run_name.clone()).collect()
    };
    assert_eq!(names(false), ["mlp-1", "cnn-1"]);
    assert_eq!(names(true), ["mlp-1", "cnn-1", "cnn-2"]);
}

#[test]
fn rows_show_the_model_the_differing_params_and_the_last_scores() {
    let dir = store_with_three_runs();
    let table = Table::new(&load_runs(dir.path(), "fmnist", false).unwrap());
    let [mlp, cnn] = &table.rows[..] else { panic!("two rows expected: {table:?}") };
    assert_eq!((mlp.model.as_str(), cnn.model.as_str()), ("mlp", "cnn"));
    // Same seed everywhere; checksums, commits and memory-only settings are not compared;
    // a model section only one run has is summed up by the model column.
    let epochs = [("train.epochs".to_string(), "20".to_string())];
    assert_eq!(mlp.differing, epochs);
    assert_eq!(cnn.differing, [("train.epochs".to_string(), "15".to_string())]);
    assert_eq!(cnn.scores, [Some(0.96), Some(0.94), Some(0.931), Some(0.93), Some(0.012)]);
    assert_eq!((cnn.epochs, cnn.training_seconds), (Some(12.0), Some(301.4)));
}

#[test]
fn markdown_has_a_header_a_rule_and_a_line_per_run() {
    let dir = store_with_three_runs();
    let markdown = Table::new(&load_runs(dir.path(), "fmnist", false).unwrap()).markdown();
    let lines: Vec<&str> = markdown.lines().collect();
    assert_eq!(lines.len(), 4, "{markdown}");
    assert_eq!(
        lines[0],
        "| run | model | params that differ | train acc | val acc | test acc | macro F1 | ECE \
         | epochs | training time |"
    );
    assert_eq!(lines[1], format!("|{}", " --- |".repeat(10)));
    assert_eq!(
        lines[3],
        "| cnn-1 | cnn | train.epochs=15 | 0.9600 | 0.9400 | 0.9310 | 0.9300 | 0.0120 | 12 \
         | 301 s |"
    );
}

#[test]
fn unfinished_runs_add_a_status_column_and_html_is_escaped() {
    let dir = store_with_three_runs();
    let table = Table::new(&load_runs(dir.path(), "fmnist", true).unwrap());
    let markdown = table.markdown();
    assert!(markdown.starts_with("| run | status | model |"), "{markdown}");
    assert!(markdown.contains("| cnn-2 | failed | cnn |"), "{markdown}");
    let html = table.html();
    assert!(html.contains("<th>status</th>"), "{html}");
    assert!(html.contains("td:nth-child(-n+4){text-align:left}"), "{html}");
    // The differing params hold `[[32], [64]]` only for cnn-1; quotes and brackets survive,
    // angle brackets would be escaped.
    assert!(html.contains("<td>model.cnn.blocks=[[32], [64]], train.epochs=15</td>"), "{html}");
    assert_eq!(super::table::escape_html("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
}

#[test]
fn a_folder_without_runs_gives_an_empty_list() {
    let dir = tempfile::tempdir().unwrap();
    assert!(load_runs(dir.path(), "fmnist", true).unwrap().is_empty());
    assert!(load_runs(&dir.path().join("missing"), "fmnist", true).is_err());
}
