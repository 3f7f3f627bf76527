//! The comparison table: rows from run records, the params that tell runs apart, and the
//! Markdown and HTML renderings.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use fmnist_tracking::{RunRecord, RunStatus};

/// Params that never describe the experiment itself: where things were, which machine,
/// which commit, checksums of the (verified, official) data, or memory-only settings.
const NOT_COMPARED: [&str; 10] = [
    "model.kind",
    "run.name",
    "run.out_dir",
    "data.path",
    "data.cache_dir",
    "data.base_url",
    "data.source",
    "data.sha256.",
    "code.",
    "tracking.",
];

/// Params whose value only moves memory use, never a result.
const MEMORY_ONLY: &str = "train.eval_batch_size";

/// One run, as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// MLflow run name.
    pub run: String,
    /// `model.kind`.
    pub model: String,
    /// How the run ended.
    pub status: RunStatus,
    /// `key=value` for each param that differs between the compared runs.
    pub differing: Vec<(String, String)>,
    /// Final train, validation and test accuracy, macro F1 and ECE on the test set.
    pub scores: [Option<f64>; 5],
    /// Epochs run.
    pub epochs: Option<f64>,
    /// Seconds in the training loop.
    pub training_seconds: Option<f64>,
}

/// Metric keys behind [`Row::scores`], in column order.
const SCORE_METRICS: [&str; 5] =
    ["final_train_accuracy", "final_val_accuracy", "test_accuracy", "test_macro_f1", "test_ece"];

const HEADERS: [&str; 10] = [
    "run",
    "model",
    "params that differ",
    "train acc",
    "val acc",
    "test acc",
    "macro F1",
    "ECE",
    "epochs",
    "training time",
];

/// Rows for a set of runs, in the order given.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// One per run.
    pub rows: Vec<Row>,
}

impl Table {
    /// Builds the rows; a param is shown when two runs that both have it disagree on it.
    pub fn new(records: &[RunRecord]) -> Table {
        let keys = differing_keys(records);
        let rows = records
            .iter()
            .map(|record| {
                let differing = keys
                    .iter()
                    .filter_map(|key| record.params.get(key).map(|v| (key.clone(), v.clone())))
                    .collect();
                Row {
                    run: record.meta.run_name.clone(),
                    model: record.params.get("model.kind").cloned().unwrap_or_default(),
                    status: record.meta.status,
                    differing,
                    scores: SCORE_METRICS.map(|key| last_value(record, key)),
                    epochs: last_value(record, "epochs_run"),
                    training_seconds: last_value(record, "training_seconds"),
                }
            })
            .collect();
        Table { rows }
    }

    /// The cells of each row as text, headers first; a status column appears only when some
    /// run did not finish.
    fn cells(&self) -> Vec<Vec<String>> {
        let with_status = self.rows.iter().any(|row| row.status != RunStatus::Finished);
        let mut headers: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
        if with_status {
            headers.insert(1, "status".into());
        }
        let mut lines = vec![headers];
        for row in &self.rows {
            let mut cells = vec![row.run.clone(), row.model.clone(), params_cell(&row.differing)];
            cells.extend(row.scores.iter().map(|score| number(*score, 4)));
            cells.push(number(row.epochs, 0));
            cells.push(row.training_seconds.map_or("-".into(), |s| format!("{s:.0} s")));
            if with_status {
                cells.insert(1, row.status.name().to_lowercase());
            }
            lines.push(cells);
        }
        lines
    }

    /// A GitHub-flavoured Markdown table.
    pub fn markdown(&self) -> String {
        let lines = self.cells();
        let mut text = String::new();
        for (index, cells) in lines.iter().enumerate() {
            let escaped: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
            let _ = writeln!(text, "| {} |", escaped.join(" | "));
            if index == 0 {
                let _ = writeln!(text, "|{}", " --- |".repeat(cells.len()));
            }
        }
        text
    }

    /// A standalone HTML page holding the table.
    pub fn html(&self) -> String {
        let lines = self.cells();
        // Run, (status,) model and params are text; the rest are numbers.
        let text_columns = lines[0].len() - 7;
        let mut text = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
             <title>Runs compared</title>\n<style>body{{font-family:sans-serif}}\
             table{{border-collapse:collapse}}th,td{{border:1px solid #ccc;padding:4px 8px}}\
             td{{text-align:right}}td:nth-child(-n+{text_columns}){{text-align:left}}</style>\
             </head>\n<body>\n<h1>Runs compared</h1>\n<table>\n",
        );
        for (index, cells) in lines.iter().enumerate() {
            let tag = if index == 0 { "th" } else { "td" };
            text.push_str("<tr>");
            for cell in cells {
                let _ = write!(text, "<{tag}>{}</{tag}>", escape_html(cell));
            }
            text.push_str("</tr>\n");
        }
        text.push_str("</table>\n</body>\n</html>\n");
        text
    }
}

/// Keys of params that at least two runs both have with different values.
fn differing_keys(records: &[RunRecord]) -> BTreeSet<String> {
    let mut values: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for record in records {
        for (key, value) in &record.params {
            values.entry(key.as_str()).or_default().insert(value.as_str());
        }
    }
    values
        .into_iter()
        .filter(|(key, seen)| seen.len() > 1 && compared(key))
        .map(|(key, _)| key.to_owned())
        .collect()
}

fn compared(key: &str) -> bool {
    key != MEMORY_ONLY
        && !NOT_COMPARED
            .iter()
            .any(|skip| if skip.ends_with('.') { key.starts_with(skip) } else { key == *skip })
}

/// The value of the metric's point with the highest step (the last logged among equals).
fn last_value(record: &RunRecord, key: &str) -> Option<f64> {
    let points = record.metrics.iter().filter(|m| m.key == key);
    points
        .fold(None, |best: Option<&fmnist_tracking::Metric>, m| match best {
            Some(b) if b.step > m.step => Some(b),
            _ => Some(m),
        })
        .map(|m| m.value)
}

fn params_cell(differing: &[(String, String)]) -> String {
    if differing.is_empty() {
        return "-".into();
    }
    let parts: Vec<String> = differing.iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.join(", ")
}

fn number(value: Option<f64>, decimals: usize) -> String {
    value.map_or("-".into(), |v| format!("{v:.decimals$}"))
}

pub(super) fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
