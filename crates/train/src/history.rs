//! What a fit reports: one [`EpochStats`] per epoch and how training ended.

use serde::{Deserialize, Serialize};

/// Figures of one epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochStats {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean training loss over the epoch's batches (dropout active, weights changing).
    pub train_loss: f64,
    /// Mean training accuracy over the epoch's batches, measured the same way.
    pub train_accuracy: f64,
    /// Validation loss at the end of the epoch, eval mode.
    pub val_loss: f64,
    /// Validation accuracy at the end of the epoch, eval mode.
    pub val_accuracy: f64,
    /// Learning rate used during the epoch.
    pub learning_rate: f64,
    /// Wall time of the epoch, validation included.
    pub seconds: f64,
}

/// Why training ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// All configured epochs ran.
    EpochLimit,
    /// Early stopping fired.
    EarlyStopping,
}

impl StopReason {
    /// The name serde writes (`epoch_limit`, `early_stopping`), for logs.
    pub fn name(self) -> &'static str {
        match self {
            StopReason::EpochLimit => "epoch_limit",
            StopReason::EarlyStopping => "early_stopping",
        }
    }
}

/// The outcome of [`crate::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// One entry per epoch run.
    pub epochs: Vec<EpochStats>,
    /// 1-based epoch with the lowest validation loss.
    pub best_epoch: usize,
    /// Whether the weights of `best_epoch` were restored at the end.
    pub restored_best: bool,
    /// Why training ended.
    pub stop_reason: StopReason,
}

impl History {
    /// Number of epochs run.
    pub fn epochs_run(&self) -> usize {
        self.epochs.len()
    }

    /// 1-based epochs after which the learning rate was cut.
    // FIXME: Under `[train.linear_decay]` every epoch counts as a cut, so the report lists
    // them all and draws a marker per epoch on the curves; it should tell a schedule from
    // plateau cuts.
    pub fn lr_reductions(&self) -> Vec<usize> {
        let rates = self.epochs.windows(2);
        rates
            .filter(|pair| pair[1].learning_rate < pair[0].learning_rate)
            .map(|p| p[0].epoch)
            .collect()
    }
}
