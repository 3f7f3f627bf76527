//! The confusion matrix: counts of (true class, predicted class) pairs.
//!
//! Rows are true classes and columns are predictions, the convention of scikit-learn, so
//! `count(actual, predicted)` reads like the sentence "actual was predicted as predicted".

use serde::Serialize;

use crate::check;
use crate::error::{ReportError, Result};

/// A square matrix of counts, `n_classes x n_classes`, rows = true class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConfusionMatrix {
    n_classes: usize,
    counts: Vec<u64>,
}

impl ConfusionMatrix {
    /// Builds a matrix from row-major counts (`counts[actual * n_classes + predicted]`).
    pub fn from_counts(n_classes: usize, counts: Vec<u64>) -> Result<Self> {
        check::class_count(n_classes)?;
        if counts.len() != n_classes * n_classes {
            let shape = format!("classes x classes = {n_classes} x {n_classes}");
            let (found, expected) = (counts.len(), n_classes * n_classes);
            return Err(ReportError::Length { input: "counts", found, expected, shape });
        }
        Ok(Self { n_classes, counts })
    }

    /// The number of classes (rows and columns).
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// How many samples of class `actual` were predicted as `predicted`.
    pub fn count(&self, actual: usize, predicted: usize) -> u64 {
        self.counts[actual * self.n_classes + predicted]
    }

    /// The counts of one true class, indexed by predicted class.
    pub fn row(&self, actual: usize) -> &[u64] {
        &self.counts[actual * self.n_classes..(actual + 1) * self.n_classes]
    }

    /// Samples whose true class is `actual` (the class's support).
    pub fn row_total(&self, actual: usize) -> u64 {
        self.row(actual).iter().sum()
    }

    /// Samples predicted as `predicted`.
    pub fn column_total(&self, predicted: usize) -> u64 {
        (0..self.n_classes).map(|actual| self.count(actual, predicted)).sum()
    }

    /// All samples.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Samples on the diagonal (predicted correctly).
    pub fn correct(&self) -> u64 {
        (0..self.n_classes).map(|class| self.count(class, class)).sum()
    }

    /// Fraction predicted correctly; 0 for an empty matrix.
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct(), self.total())
    }

    /// Share of class `actual` predicted as `predicted` (the row-normalised rate).
    pub fn row_rate(&self, actual: usize, predicted: usize) -> f64 {
        ratio(self.count(actual, predicted), self.row_total(actual))
    }

    /// The counts in row-major order.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }
}

/// Counts each (label, prediction) pair over `n_classes` classes.
pub fn confusion_matrix(labels: &[u8], preds: &[u8], n_classes: usize) -> Result<ConfusionMatrix> {
    check::class_count(n_classes)?;
    check::same_len("preds", preds.len(), labels.len())?;
    check::labels_in_range("labels", labels, n_classes)?;
    check::labels_in_range("preds", preds, n_classes)?;
    let mut counts = vec![0u64; n_classes * n_classes];
    for (&actual, &predicted) in labels.iter().zip(preds) {
        counts[usize::from(actual) * n_classes + usize::from(predicted)] += 1;
    }
    Ok(ConfusionMatrix { n_classes, counts })
}

/// `numerator / denominator`, or 0 when the denominator is 0 (scikit-learn's zero_division=0).
pub(crate) fn ratio(numerator: u64, denominator: u64) -> f64 {
    if denominator == 0 { 0.0 } else { numerator as f64 / denominator as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_pairs_by_row_of_true_class() {
        let cm = confusion_matrix(&[0, 0, 1, 2, 2, 2], &[0, 1, 1, 2, 0, 2], 3).unwrap();
        assert_eq!(cm.counts(), &[1, 1, 0, 0, 1, 0, 1, 0, 2]);
        assert_eq!(cm.row_total(2), 3);
        assert_eq!(cm.column_total(0), 2);
        assert_eq!(cm.correct(), 4);
        assert!((cm.accuracy() - 4.0 / 6.0).abs() < 1e-12);
        assert!((cm.row_rate(2, 0) - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn prediction_out_of_range_is_an_error() {
        let err = confusion_matrix(&[0, 1], &[0, 3], 3).unwrap_err();
        assert_eq!(err.to_string(), "preds[1] is 3, expected a class index below 3");
    }

    #[test]
    fn length_mismatch_is_an_error() {
        let err = confusion_matrix(&[0, 1, 1], &[0, 1], 2).unwrap_err();
        assert_eq!(err.to_string(), "preds has length 2, expected 3 (one entry per label)");
    }

    #[test]
    fn empty_rows_have_zero_rates() {
        let cm = ConfusionMatrix::from_counts(2, vec![3, 1, 0, 0]).unwrap();
        assert_eq!(cm.row_rate(1, 1), 0.0);
        assert!(ConfusionMatrix::from_counts(2, vec![1, 2, 3]).is_err());
    }
}
