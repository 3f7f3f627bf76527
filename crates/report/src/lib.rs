//! Run report: metrics from plain arrays, plots with plotters, HTML and Markdown.
//!
//! This crate turns what a training run leaves behind (its epoch history, the logits of the
//! validation and test splits, the test labels and images) into the files people look at:
//! training curves, a confusion matrix, per-class scores, calibration before and after
//! temperature scaling, one self-contained `report.html` and a short `summary.md`. It has no
//! tensor library and no other workspace crate as a dependency: everything comes in as
//! slices of numbers.
//!
//! # Writing a report
//!
//! Build a [`ReportInput`] from borrowed data and call [`write_report`]:
//!
//! ```no_run
//! use fmnist_report::{EpochRecord, ReportInput, write_report};
//!
//! # fn main() -> Result<(), fmnist_report::ReportError> {
//! let history = vec![EpochRecord {
//!     epoch: 1, train_loss: 0.52, train_accuracy: 0.81, val_loss: 0.41,
//!     val_accuracy: 0.85, learning_rate: 1e-3, seconds: 1.2,
//! }];
//! let names = ["no", "yes"];
//! let (labels, logits) = (vec![0u8, 1], vec![2.0f32, -1.0, 0.5, 1.5]);
//! let summary = vec![("epochs run".to_string(), "1".to_string())];
//! let input = ReportInput {
//!     model_name: "mlp",
//!     class_names: &names,
//!     history: &history,
//!     best_epoch: 1,
//!     test_labels: &labels,
//!     test_logits: &logits,
//!     test_images: &[], // no thumbnails
//!     val_labels: &labels,
//!     val_logits: &logits,
//!     summary: &summary,
//! };
//! let outputs = write_report(&input, "runs/0001".as_ref())?;
//! for (key, value) in &outputs.metrics {
//!     println!("{key} = {value}"); // log these to MLflow
//! }
//! # Ok(())
//! # }
//! ```
//!
//! The run folder then holds `mlp_training_curve.png`, `mlp_training_curve_acc.png`,
//! `mlp_confusion_matrix.png`, `mlp_reliability_diagram.png`, `quality.json`, `summary.md`
//! and, written last, `report.html`. Each file is written atomically (temporary file, then
//! rename), so a `report.html` means the report is complete. [`ReportOutputs`] lists the
//! files, the MLflow metrics (`test_f1_<class>` with the class name made key-safe by
//! [`metric_key_part`], `test_macro_f1`, `test_ece`, `test_ece_temp_scaled`, `temperature`,
//! ...) and the full [`QualityReport`].
//!
//! Bad input is a [`ReportError`] naming the input and what was expected (for example
//! `test_logits has length 195, expected 200 (n x classes = 20 x 10)`), checked by
//! [`ReportInput::validate`] before anything is written.
//!
//! # The pieces, in reading order
//!
//! Every metric is a small pure function, usable on its own:
//!
//! 1. [`softmax_rows`], [`log_softmax_row`] and [`argmax_rows`] turn logits into
//!    probabilities and predictions.
//! 2. [`confusion_matrix`] counts (true, predicted) pairs into a [`ConfusionMatrix`]
//!    (rows are true classes).
//! 3. [`per_class_metrics`] gives precision, recall, F1 and support per class;
//!    [`macro_average`] and [`weighted_average`] summarise them, as scikit-learn does.
//! 4. [`confused_pairs`] ranks unordered class pairs by mistakes in both directions.
//! 5. [`ece`] (over [`reliability_bins`]), [`nll`] and [`brier`] score calibration.
//! 6. [`fit_temperature`] finds the temperature with the lowest validation NLL.
//! 7. [`quality_report`] runs all of them on a [`ReportInput`]; [`quality_metrics`] flattens
//!    the result for MLflow.
//!
//! The figures are public too: [`plot_loss_curve`], [`plot_accuracy_curve`],
//! [`plot_confusion_matrix`], [`plot_reliability_diagram`] and [`thumbnail_png`] return PNG
//! bytes. Their text is drawn in DejaVu Sans, embedded in the binary (see
//! [`register_font`]), so they render the same on a machine without any font installed.

mod atomic;
mod calibration;
mod check;
mod confused_pairs;
mod confusion;
mod error;
mod examples;
mod html;
mod input;
mod markdown;
mod per_class;
mod plot;
mod quality;
mod softmax;
mod temperature;
mod write;

pub use crate::{
    calibration::{ECE_BINS, ReliabilityBin, brier, ece, ece_from_bins, nll, reliability_bins},
    confused_pairs::{ConfusedPair, confused_pairs},
    confusion::{ConfusionMatrix, confusion_matrix},
    error::{ReportError, Result},
    input::{EpochRecord, IMAGE_PIXELS, IMAGE_SIDE, ReportInput, lr_reduction_epochs},
    per_class::{AverageMetrics, ClassMetrics, macro_average, per_class_metrics, weighted_average},
    plot::{
        CONFUSION_SIZE, CURVE_SIZE, FONT_FAMILY, RELIABILITY_SIZE, THUMBNAIL_SCALE,
        plot_accuracy_curve, plot_confusion_matrix, plot_loss_curve, plot_reliability_diagram,
        register_font, thumbnail_png,
    },
    quality::{
        CalibrationReport, CalibrationScores, ClassReport, PairReport, QualityReport, TOP_PAIRS,
        metric_key_part, quality_metrics, quality_report,
    },
    softmax::{argmax_rows, log_softmax_row, softmax_rows},
    temperature::{MAX_TEMPERATURE, MIN_TEMPERATURE, fit_temperature, nll_at_temperature},
    write::{ReportOutputs, write_report},
};
