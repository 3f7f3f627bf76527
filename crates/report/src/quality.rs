//! The quality numbers of one run, gathered in a [`QualityReport`], and their flat form as
//! MLflow metrics.
//!
//! Everything here is computed from the test split, except the temperature, which is fitted
//! on the validation split and then applied to the test logits.

use serde::Serialize;

use crate::calibration::{ECE_BINS, ReliabilityBin, brier, ece_from_bins, nll, reliability_bins};
use crate::confused_pairs::{ConfusedPair, confused_pairs};
use crate::confusion::{ConfusionMatrix, confusion_matrix};
use crate::error::Result;
use crate::input::ReportInput;
use crate::per_class::{
    AverageMetrics, ClassMetrics, macro_average, per_class_metrics, weighted_average,
};
use crate::softmax::{argmax_rows, softmax_rows};
use crate::temperature::{fit_temperature, nll_at_temperature};

/// How many confused pairs the report lists.
pub const TOP_PAIRS: usize = 5;

/// Per-class scores with the class name.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassReport {
    /// Class name.
    pub name: String,
    /// Its scores.
    #[serde(flatten)]
    pub metrics: ClassMetrics,
}

/// A confused pair with class names.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PairReport {
    /// Name of class `pair.a`.
    pub a_name: String,
    /// Name of class `pair.b`.
    pub b_name: String,
    /// Indices and counts.
    #[serde(flatten)]
    pub pair: ConfusedPair,
}

/// Calibration scores of one set of probabilities.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CalibrationScores {
    /// Expected calibration error over [`ECE_BINS`] bins.
    pub ece: f64,
    /// Mean negative log-likelihood.
    pub nll: f64,
    /// Multi-class Brier score.
    pub brier: f64,
    /// The reliability bins behind the ECE.
    pub bins: Vec<ReliabilityBin>,
}

/// Calibration before and after temperature scaling.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CalibrationReport {
    /// Temperature fitted on the validation split.
    pub temperature: f64,
    /// Validation NLL at temperature 1.
    pub val_nll_before: f64,
    /// Validation NLL at the fitted temperature.
    pub val_nll_after: f64,
    /// Test scores of the raw softmax.
    pub before: CalibrationScores,
    /// Test scores after dividing the logits by the temperature.
    pub after: CalibrationScores,
}

/// Every quality number of a run on the test split.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QualityReport {
    /// Test samples.
    pub n_test: usize,
    /// Test accuracy of the argmax predictions.
    pub accuracy: f64,
    /// One entry per class, in label order.
    pub classes: Vec<ClassReport>,
    /// Unweighted mean over classes.
    pub macro_avg: AverageMetrics,
    /// Support-weighted mean over classes.
    pub weighted_avg: AverageMetrics,
    /// The [`TOP_PAIRS`] most confused pairs, most first.
    pub confused_pairs: Vec<PairReport>,
    /// Test confusion matrix, rows = true class.
    pub confusion_matrix: ConfusionMatrix,
    /// Calibration before and after temperature scaling.
    pub calibration: CalibrationReport,
}

/// Computes the [`QualityReport`] of a validated input.
pub fn quality_report(input: &ReportInput) -> Result<QualityReport> {
    input.validate()?;
    let n_classes = input.n_classes();
    let preds = argmax_rows(input.test_logits, n_classes)?;
    let cm = confusion_matrix(input.test_labels, &preds, n_classes)?;
    let per_class = per_class_metrics(&cm);
    Ok(QualityReport {
        n_test: input.test_labels.len(),
        accuracy: cm.accuracy(),
        classes: name_classes(input.class_names, &per_class),
        macro_avg: macro_average(&per_class),
        weighted_avg: weighted_average(&per_class),
        confused_pairs: name_pairs(input.class_names, confused_pairs(&cm, TOP_PAIRS)),
        confusion_matrix: cm,
        calibration: calibration_report(input)?,
    })
}

/// Pairs each class's scores with its name.
fn name_classes(names: &[&str], per_class: &[ClassMetrics]) -> Vec<ClassReport> {
    let named = names.iter().zip(per_class);
    named.map(|(name, &metrics)| ClassReport { name: name.to_string(), metrics }).collect()
}

/// Adds class names to confused pairs.
fn name_pairs(names: &[&str], pairs: Vec<ConfusedPair>) -> Vec<PairReport> {
    let named = |pair: ConfusedPair| PairReport {
        a_name: names[pair.a].to_string(),
        b_name: names[pair.b].to_string(),
        pair,
    };
    pairs.into_iter().map(named).collect()
}

/// Fits the temperature on validation logits and scores the test split before and after.
fn calibration_report(input: &ReportInput) -> Result<CalibrationReport> {
    let n_classes = input.n_classes();
    let (val_logits, val_labels) = (input.val_logits, input.val_labels);
    let temperature = fit_temperature(val_logits, val_labels, n_classes)?;
    Ok(CalibrationReport {
        temperature,
        val_nll_before: nll_at_temperature(val_logits, val_labels, n_classes, 1.0)?,
        val_nll_after: nll_at_temperature(val_logits, val_labels, n_classes, temperature)?,
        before: test_scores(input, 1.0)?,
        after: test_scores(input, temperature)?,
    })
}

/// Calibration scores of the test split at one temperature.
fn test_scores(input: &ReportInput, temperature: f64) -> Result<CalibrationScores> {
    let (labels, n_classes) = (input.test_labels, input.n_classes());
    let probs = softmax_rows(input.test_logits, n_classes, temperature)?;
    let bins = reliability_bins(&probs, labels, n_classes, ECE_BINS)?;
    Ok(CalibrationScores {
        ece: ece_from_bins(&bins),
        nll: nll(&probs, labels, n_classes)?,
        brier: brier(&probs, labels, n_classes)?,
        bins,
    })
}

/// The report's numbers as MLflow metrics: per-class and averaged F1, calibration before
/// and after temperature scaling, and the temperature.
pub fn quality_metrics(quality: &QualityReport) -> Vec<(String, f64)> {
    let per_class = quality
        .classes
        .iter()
        .map(|class| (format!("test_f1_{}", metric_key_part(&class.name)), class.metrics.f1));
    let (before, after) = (&quality.calibration.before, &quality.calibration.after);
    let fixed = [
        ("test_macro_f1", quality.macro_avg.f1),
        ("test_weighted_f1", quality.weighted_avg.f1),
        ("test_ece", before.ece),
        ("test_nll", before.nll),
        ("test_brier", before.brier),
        ("test_ece_temp_scaled", after.ece),
        ("test_nll_temp_scaled", after.nll),
        ("test_brier_temp_scaled", after.brier),
        ("temperature", quality.calibration.temperature),
    ];
    per_class.chain(fixed.into_iter().map(|(key, value)| (key.to_string(), value))).collect()
}

/// A class name made safe for an MLflow metric key: anything but ASCII letters, digits,
/// `-` and `.` becomes `_` (`T-shirt/top` gives `T-shirt_top`).
pub fn metric_key_part(name: &str) -> String {
    let keep = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.');
    name.chars().map(|c| if keep(c) { c } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_become_safe_metric_keys() {
        assert_eq!(metric_key_part("T-shirt/top"), "T-shirt_top");
        assert_eq!(metric_key_part("Ankle boot"), "Ankle_boot");
        assert_eq!(metric_key_part("Pull\u{e9}"), "Pull_");
    }
}
