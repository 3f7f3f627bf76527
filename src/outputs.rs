//! The files a run writes besides plots and reports: predictions, history, metrics.

use std::fmt::Write as _;

use fmnist_train::{EpochStats, History};
use serde::Serialize;

/// `PRED_<model>.dat`: one predicted label per line, in test-set order.
pub fn predictions_file(predictions: &[u8]) -> String {
    let mut text = String::with_capacity(predictions.len() * 2);
    for label in predictions {
        let _ = writeln!(text, "{label}");
    }
    text
}

/// `history.csv`: one row per epoch.
pub fn history_csv(epochs: &[EpochStats]) -> String {
    let mut text = String::from(
        "epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds\n",
    );
    for e in epochs {
        let _ = writeln!(
            text,
            "{},{},{},{},{},{},{:.4}",
            e.epoch,
            e.train_loss,
            e.train_accuracy,
            e.val_loss,
            e.val_accuracy,
            e.learning_rate,
            e.seconds
        );
    }
    text
}

/// Loss and accuracy of the final model on one split (eval mode).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SplitMetrics {
    /// Mean cross-entropy.
    pub loss: f64,
    /// Fraction correct.
    pub accuracy: f64,
    /// Number of examples.
    pub examples: usize,
}

/// `metrics.json`: the final figures of a run.
#[derive(Debug, Clone, Serialize)]
pub struct MetricsSummary {
    /// Model kind, e.g. `mlp`.
    pub model: String,
    /// Final model on the training split, eval mode (no dropout). Higher than the running
    /// per-epoch training accuracy in `history.csv`, which is measured with dropout on.
    pub train: SplitMetrics,
    /// Final model on the validation split.
    pub validation: SplitMetrics,
    /// Final model on the test set (equals the accuracy of `PRED_<model>.dat`).
    pub test: SplitMetrics,
    /// Epochs run.
    pub epochs_run: usize,
    /// 1-based epoch whose weights the model holds.
    pub best_epoch: usize,
    /// Whether the best epoch's weights were restored.
    pub restored_best: bool,
    /// `epoch_limit` or `early_stopping`.
    pub stop_reason: fmnist_train::StopReason,
    /// Epochs after which the learning rate was cut.
    pub lr_reductions: Vec<usize>,
    /// Seconds spent in the training loop (validation passes included).
    pub training_seconds: f64,
    /// Mean seconds per epoch.
    pub seconds_per_epoch: f64,
}

impl MetricsSummary {
    /// Puts the pieces together.
    pub fn new(model: &str, history: &History, splits: [SplitMetrics; 3]) -> MetricsSummary {
        let training_seconds: f64 = history.epochs.iter().map(|e| e.seconds).sum();
        let [train, validation, test] = splits;
        MetricsSummary {
            model: model.to_owned(),
            train,
            validation,
            test,
            epochs_run: history.epochs_run(),
            best_epoch: history.best_epoch,
            restored_best: history.restored_best,
            stop_reason: history.stop_reason,
            lr_reductions: history.lr_reductions(),
            training_seconds,
            seconds_per_epoch: training_seconds / history.epochs_run().max(1) as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predictions_are_one_integer_per_line() {
        assert_eq!(predictions_file(&[9, 0, 3]), "9\n0\n3\n");
    }

    #[test]
    fn history_has_a_header_and_a_row_per_epoch() {
        let e = EpochStats {
            epoch: 1,
            train_loss: 0.5,
            train_accuracy: 0.8,
            val_loss: 0.4,
            val_accuracy: 0.85,
            learning_rate: 0.001,
            seconds: 1.23456,
        };
        let csv = history_csv(&[e]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1], "1,0.5,0.8,0.4,0.85,0.001,1.2346");
    }
}
