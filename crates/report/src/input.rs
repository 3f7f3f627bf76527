//! What the pipeline hands to the report: [`EpochRecord`]s and one [`ReportInput`].
//!
//! Everything is plain data (slices of numbers and names), so the crate needs no tensor
//! library and a caller can build an input by hand. [`ReportInput::validate`] checks every
//! shape before any figure is drawn.

use serde::{Deserialize, Serialize};

use crate::check;
use crate::error::{ReportError, Result};

/// Side of one square image, in pixels.
pub const IMAGE_SIDE: usize = 28;
/// Pixels of one flattened image (`28 x 28`).
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;

/// The numbers of one training epoch.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// Epoch number, 1-based.
    pub epoch: usize,
    /// Mean training loss over the epoch.
    pub train_loss: f64,
    /// Training accuracy in `[0, 1]` (however the pipeline measures it).
    pub train_accuracy: f64,
    /// Validation loss after the epoch.
    pub val_loss: f64,
    /// Validation accuracy after the epoch, in `[0, 1]`.
    pub val_accuracy: f64,
    /// The learning rate the epoch ran with.
    pub learning_rate: f64,
    /// Wall-clock seconds the epoch took.
    pub seconds: f64,
}

/// Everything [`write_report`](crate::write_report) needs, borrowed from the caller.
///
/// Matrices are flat and row-major: `test_logits[i * n_classes + k]` is the logit of class
/// `k` for test sample `i`, and `test_images[i * 784 + p]` is pixel `p` of test image `i`.
#[derive(Clone, Copy, Debug)]
pub struct ReportInput<'a> {
    /// Model name, used as the file prefix (`mlp` gives `mlp_confusion_matrix.png`).
    pub model_name: &'a str,
    /// One name per class, in label order.
    pub class_names: &'a [&'a str],
    /// One record per epoch run, in order.
    pub history: &'a [EpochRecord],
    /// The epoch whose weights were restored (1-based); marked on the curves.
    pub best_epoch: usize,
    /// True test labels.
    pub test_labels: &'a [u8],
    /// Test logits, `n_test x n_classes`.
    pub test_logits: &'a [f32],
    /// Test images in `[0, 1]`, `n_test x 784`, for thumbnails; empty for none.
    pub test_images: &'a [f32],
    /// True validation labels (for the temperature fit).
    pub val_labels: &'a [u8],
    /// Validation logits, `n_val x n_classes`.
    pub val_logits: &'a [f32],
    /// Rows of the summary table: config essentials, accuracies, epochs, time.
    pub summary: &'a [(String, String)],
}

impl ReportInput<'_> {
    /// The number of classes (`class_names.len()`).
    pub fn n_classes(&self) -> usize {
        self.class_names.len()
    }

    /// Whether thumbnails can be drawn (`test_images` is not empty).
    pub fn has_images(&self) -> bool {
        !self.test_images.is_empty()
    }

    /// Checks every shape, label and number; the first problem found is the error.
    pub fn validate(&self) -> Result<()> {
        model_name(self.model_name)?;
        check::class_count(self.n_classes())?;
        history(self.history, self.best_epoch)?;
        check::scores("test_logits", self.test_logits, self.test_labels, self.n_classes())?;
        check::scores("val_logits", self.val_logits, self.val_labels, self.n_classes())?;
        self.images()
    }

    /// Checks that images are absent or one 28 x 28 image per test label, in `[0, 1]`.
    fn images(&self) -> Result<()> {
        if !self.has_images() {
            return Ok(());
        }
        let (found, n) = (self.test_images.len(), self.test_labels.len());
        if found != n * IMAGE_PIXELS {
            let shape = format!("n x pixels = {n} x {IMAGE_PIXELS}, or empty for no thumbnails");
            let expected = n * IMAGE_PIXELS;
            return Err(ReportError::Length { input: "test_images", found, expected, shape });
        }
        check::finite("test_images", self.test_images)
    }
}

/// The epochs that were the first to run with a lower learning rate than the epoch before.
pub fn lr_reduction_epochs(history: &[EpochRecord]) -> Vec<usize> {
    let pairs = history.windows(2);
    pairs.filter(|w| w[1].learning_rate < w[0].learning_rate).map(|w| w[1].epoch).collect()
}

/// Checks that a model name is a usable file prefix.
fn model_name(name: &str) -> Result<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if !name.is_empty() && !name.starts_with('.') && name.chars().all(allowed) {
        return Ok(());
    }
    Err(ReportError::Argument {
        input: "model_name",
        found: format!("{name:?}"),
        expected: "a file prefix of letters, digits, '-', '_' or '.'".to_string(),
    })
}

/// Checks the history: not empty, numbered 1, 2, ..., finite, and containing the best epoch.
fn history(records: &[EpochRecord], best_epoch: usize) -> Result<()> {
    check::not_empty("history", records.len(), "epoch")?;
    for (index, record) in records.iter().enumerate() {
        epoch_number(index, record.epoch)?;
        finite_record(index, record)?;
    }
    if (1..=records.len()).contains(&best_epoch) {
        return Ok(());
    }
    Err(ReportError::Argument {
        input: "best_epoch",
        found: best_epoch.to_string(),
        expected: format!("an epoch of the history, 1 to {}", records.len()),
    })
}

/// Checks that the losses, accuracies and learning rate of record `index` are finite.
fn finite_record(index: usize, record: &EpochRecord) -> Result<()> {
    let values = [
        record.train_loss,
        record.train_accuracy,
        record.val_loss,
        record.val_accuracy,
        record.learning_rate,
    ];
    match values.into_iter().find(|value| !value.is_finite()) {
        None => Ok(()),
        Some(value) => Err(ReportError::NonFinite { input: "history", index, value }),
    }
}

/// Checks that record `index` carries epoch number `index + 1`.
fn epoch_number(index: usize, epoch: usize) -> Result<()> {
    if epoch == index + 1 {
        return Ok(());
    }
    Err(ReportError::Argument {
        input: "history epoch",
        found: format!("{epoch} at position {index}"),
        expected: format!("epochs numbered 1, 2, ... in order ({} there)", index + 1),
    })
}
