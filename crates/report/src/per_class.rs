//! Per-class precision, recall, F1 and support, and their macro and weighted averages.
//!
//! Definitions follow scikit-learn's `precision_recall_fscore_support`: a ratio with a zero
//! denominator counts as 0 (its `zero_division=0`), the macro average is the plain mean over
//! classes and the weighted average weights each class by its support.

use serde::Serialize;

use crate::confusion::{ConfusionMatrix, ratio};

/// The scores of one class.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ClassMetrics {
    /// Of the samples predicted as this class, the share that truly are.
    pub precision: f64,
    /// Of the samples of this class, the share predicted as it.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Samples of this class.
    pub support: u64,
}

/// An average of [`ClassMetrics`] over classes; `support` is the total.
pub type AverageMetrics = ClassMetrics;

/// Precision, recall, F1 and support of every class of `cm`, in class order.
pub fn per_class_metrics(cm: &ConfusionMatrix) -> Vec<ClassMetrics> {
    (0..cm.n_classes()).map(|class| class_metrics(cm, class)).collect()
}

/// Scores of one class.
fn class_metrics(cm: &ConfusionMatrix, class: usize) -> ClassMetrics {
    let hits = cm.count(class, class);
    let support = cm.row_total(class);
    let precision = ratio(hits, cm.column_total(class));
    let recall = ratio(hits, support);
    ClassMetrics { precision, recall, f1: f1(precision, recall), support }
}

/// Harmonic mean; 0 when both are 0.
fn f1(precision: f64, recall: f64) -> f64 {
    let sum = precision + recall;
    if sum == 0.0 { 0.0 } else { 2.0 * precision * recall / sum }
}

/// Unweighted mean over classes (every class counts the same).
pub fn macro_average(classes: &[ClassMetrics]) -> AverageMetrics {
    average(classes, |_| 1.0)
}

/// Mean over classes weighted by support (large classes count more).
pub fn weighted_average(classes: &[ClassMetrics]) -> AverageMetrics {
    average(classes, |class| class.support as f64)
}

/// Weighted mean of each score; all zeros when the weights sum to 0.
fn average(classes: &[ClassMetrics], weight: impl Fn(&ClassMetrics) -> f64) -> AverageMetrics {
    let total_weight: f64 = classes.iter().map(&weight).sum();
    let mean = |score: fn(&ClassMetrics) -> f64| {
        let sum: f64 = classes.iter().map(|class| weight(class) * score(class)).sum();
        if total_weight == 0.0 { 0.0 } else { sum / total_weight }
    };
    ClassMetrics {
        precision: mean(|class| class.precision),
        recall: mean(|class| class.recall),
        f1: mean(|class| class.f1),
        support: classes.iter().map(|class| class.support).sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(found: f64, expected: f64) {
        assert!((found - expected).abs() < 1e-12, "found {found}, expected {expected}");
    }

    /// Rows = true class:
    ///
    /// ```text
    ///          pred 0  pred 1  pred 2
    /// true 0      5       1       0      support 6
    /// true 1      2       3       1      support 6
    /// true 2      0       0       4      support 4
    /// ```
    fn worked_example() -> ConfusionMatrix {
        ConfusionMatrix::from_counts(3, vec![5, 1, 0, 2, 3, 1, 0, 0, 4]).unwrap()
    }

    #[test]
    fn per_class_scores_match_hand_computation() {
        let classes = per_class_metrics(&worked_example());
        // Class 0: precision 5/7, recall 5/6, F1 = 2*5 / (7 + 6) = 10/13.
        close(classes[0].precision, 5.0 / 7.0);
        close(classes[0].recall, 5.0 / 6.0);
        close(classes[0].f1, 10.0 / 13.0);
        // Class 1: precision 3/4, recall 3/6, F1 = 2*3 / (4 + 6) = 0.6.
        close(classes[1].precision, 0.75);
        close(classes[1].recall, 0.5);
        close(classes[1].f1, 0.6);
        // Class 2: precision 4/5, recall 4/4, F1 = 2*4 / (5 + 4) = 8/9.
        close(classes[2].f1, 8.0 / 9.0);
        assert_eq!(classes.iter().map(|class| class.support).collect::<Vec<_>>(), [6, 6, 4]);
    }

    #[test]
    fn averages_match_hand_computation() {
        let classes = per_class_metrics(&worked_example());
        let macro_avg = macro_average(&classes);
        close(macro_avg.f1, (10.0 / 13.0 + 0.6 + 8.0 / 9.0) / 3.0);
        close(macro_avg.recall, (5.0 / 6.0 + 0.5 + 1.0) / 3.0);
        let weighted = weighted_average(&classes);
        // Weighted recall equals accuracy: (5 + 3 + 4) / 16.
        close(weighted.recall, 12.0 / 16.0);
        close(weighted.f1, (6.0 * 10.0 / 13.0 + 6.0 * 0.6 + 4.0 * 8.0 / 9.0) / 16.0);
        assert_eq!(weighted.support, 16);
    }

    #[test]
    fn never_predicted_class_scores_zero_not_nan() {
        // Class 1 is never predicted and has no samples either.
        let cm = ConfusionMatrix::from_counts(2, vec![4, 0, 0, 0]).unwrap();
        let classes = per_class_metrics(&cm);
        assert_eq!(classes[1], ClassMetrics { precision: 0.0, recall: 0.0, f1: 0.0, support: 0 });
        close(classes[0].f1, 1.0);
    }
}
