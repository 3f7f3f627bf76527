//! Calibration scores: expected calibration error with its reliability bins, negative
//! log-likelihood and the Brier score.
//!
//! All three take probabilities as a row-major `n x n_classes` matrix and the true labels.
//! The confidence of a sample is its largest probability; a sample is correct when that
//! class (the first one, on ties) is its label.

use serde::Serialize;

use crate::check;
use crate::error::{ReportError, Result};
use crate::softmax::argmax_rows;

/// The number of equal-width bins the report uses for ECE and the reliability diagram.
pub const ECE_BINS: usize = 15;

/// Probabilities below this are clamped before taking the log, so NLL stays finite.
const MIN_PROBABILITY: f64 = 1e-15;

/// One confidence bin, `(lower, upper]` (the first also holds confidence 0).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ReliabilityBin {
    /// Lower edge of the bin.
    pub lower: f64,
    /// Upper edge of the bin.
    pub upper: f64,
    /// Samples whose confidence falls in the bin.
    pub count: u64,
    /// Mean confidence of those samples; 0 for an empty bin.
    pub mean_confidence: f64,
    /// Share of those samples predicted correctly; 0 for an empty bin.
    pub accuracy: f64,
}

/// Confidence and accuracy per equal-width confidence bin: the data of a reliability diagram.
pub fn reliability_bins(
    probs: &[f64],
    labels: &[u8],
    n_classes: usize,
    n_bins: usize,
) -> Result<Vec<ReliabilityBin>> {
    check::scores("probs", probs, labels, n_classes)?;
    bin_count(n_bins)?;
    let preds = argmax_rows(probs, n_classes)?;
    let mut sums = vec![(0u64, 0.0f64, 0u64); n_bins];
    for ((row, &label), &pred) in probs.chunks_exact(n_classes).zip(labels).zip(&preds) {
        let confidence = row[usize::from(pred)];
        let slot = &mut sums[bin_index(confidence, n_bins)];
        slot.0 += 1;
        slot.1 += confidence;
        slot.2 += u64::from(pred == label);
    }
    Ok(sums.iter().enumerate().map(|(index, &sum)| finish_bin(index, n_bins, sum)).collect())
}

/// Expected calibration error: the count-weighted mean gap between accuracy and confidence
/// over `n_bins` equal-width bins (Guo et al., 2017). 0 is perfectly calibrated.
pub fn ece(probs: &[f64], labels: &[u8], n_classes: usize, n_bins: usize) -> Result<f64> {
    let bins = reliability_bins(probs, labels, n_classes, n_bins)?;
    Ok(ece_from_bins(&bins))
}

/// ECE from already computed bins.
pub fn ece_from_bins(bins: &[ReliabilityBin]) -> f64 {
    let total: u64 = bins.iter().map(|bin| bin.count).sum();
    let gap = |bin: &ReliabilityBin| bin.count as f64 * (bin.accuracy - bin.mean_confidence).abs();
    if total == 0 { 0.0 } else { bins.iter().map(gap).sum::<f64>() / total as f64 }
}

/// Mean negative log of the probability given to the true class (natural log).
pub fn nll(probs: &[f64], labels: &[u8], n_classes: usize) -> Result<f64> {
    check::scores("probs", probs, labels, n_classes)?;
    let rows = probs.chunks_exact(n_classes).zip(labels);
    let sum: f64 =
        rows.map(|(row, &label)| -row[usize::from(label)].max(MIN_PROBABILITY).ln()).sum();
    Ok(sum / labels.len() as f64)
}

/// Multi-class Brier score: the mean over samples of the squared distance between the
/// probability vector and the one-hot label (0 is perfect, 2 the worst).
pub fn brier(probs: &[f64], labels: &[u8], n_classes: usize) -> Result<f64> {
    check::scores("probs", probs, labels, n_classes)?;
    let sum: f64 = probs
        .chunks_exact(n_classes)
        .zip(labels)
        .map(|(row, &label)| sample_brier(row, label))
        .sum();
    Ok(sum / labels.len() as f64)
}

/// Squared distance of one probability row to the one-hot vector of `label`.
fn sample_brier(row: &[f64], label: u8) -> f64 {
    let target = |class: usize| if class == usize::from(label) { 1.0 } else { 0.0 };
    row.iter().enumerate().map(|(class, &p)| (p - target(class)).powi(2)).sum()
}

/// The bin of a confidence: the first bin whose upper edge `(i + 1) / n_bins` is not below it.
fn bin_index(confidence: f64, n_bins: usize) -> usize {
    let upper = |index: usize| (index + 1) as f64 / n_bins as f64;
    let guess = ((confidence * n_bins as f64).ceil() as usize).saturating_sub(1).min(n_bins - 1);
    if confidence > upper(guess) && guess + 1 < n_bins {
        guess + 1
    } else if guess > 0 && confidence <= upper(guess - 1) {
        guess - 1
    } else {
        guess
    }
}

/// Turns the sums of one bin into means.
fn finish_bin(
    index: usize,
    n_bins: usize,
    (count, confidence, correct): (u64, f64, u64),
) -> ReliabilityBin {
    let mean = |sum: f64| if count == 0 { 0.0 } else { sum / count as f64 };
    ReliabilityBin {
        lower: index as f64 / n_bins as f64,
        upper: (index + 1) as f64 / n_bins as f64,
        count,
        mean_confidence: mean(confidence),
        accuracy: mean(correct as f64),
    }
}

/// Checks the number of bins.
fn bin_count(n_bins: usize) -> Result<()> {
    if n_bins > 0 {
        return Ok(());
    }
    let expected = "at least 1 bin".to_string();
    Err(ReportError::Argument { input: "n_bins", found: n_bins.to_string(), expected })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(found: f64, expected: f64) {
        assert!((found - expected).abs() < 1e-12, "found {found}, expected {expected}");
    }

    #[test]
    fn ece_matches_hand_computation_with_two_bins() {
        // Two bins, [0, 0.5] and (0.5, 1]. Confidences: 0.9 correct, 0.8 wrong, 0.6 correct,
        // and 0.5 (a tie, predicted class 0) wrong.
        let probs = [0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.5, 0.5];
        let labels = [0, 0, 0, 1];
        // Bin (0.5, 1]: three samples, confidence (0.9 + 0.8 + 0.6) / 3, accuracy 2/3.
        // Bin [0, 0.5]: the tie alone, accuracy 0, gap 0.5.
        let high_gap = ((0.9 + 0.8 + 0.6) / 3.0 - 2.0 / 3.0f64).abs();
        close(ece(&probs, &labels, 2, 2).unwrap(), (3.0 * high_gap + 0.5) / 4.0);
    }

    #[test]
    fn perfectly_confident_and_correct_has_zero_scores() {
        let probs = [1.0, 0.0, 0.0, 1.0];
        close(ece(&probs, &[0, 1], 2, ECE_BINS).unwrap(), 0.0);
        close(nll(&probs, &[0, 1], 2).unwrap(), 0.0);
        close(brier(&probs, &[0, 1], 2).unwrap(), 0.0);
    }

    #[test]
    fn nll_and_brier_match_hand_computation() {
        let probs = [0.5, 0.25, 0.25, 0.1, 0.1, 0.8];
        let labels = [0, 2];
        close(nll(&probs, &labels, 3).unwrap(), -(0.5f64.ln() + 0.8f64.ln()) / 2.0);
        // (0.25 + 0.0625 + 0.0625) and (0.01 + 0.01 + 0.04).
        close(brier(&probs, &labels, 3).unwrap(), (0.375 + 0.06) / 2.0);
    }

    #[test]
    fn bin_edges_belong_to_the_lower_bin() {
        assert_eq!(bin_index(0.5, 2), 0);
        assert_eq!(bin_index(0.500001, 2), 1);
        assert_eq!(bin_index(0.0, 15), 0);
        assert_eq!(bin_index(1.0, 15), 14);
        assert_eq!(bin_index(2.0 / 15.0, 15), 1);
    }

    #[test]
    fn bins_report_counts_and_means() {
        let probs = [0.9, 0.1, 0.3, 0.7];
        let bins = reliability_bins(&probs, &[0, 0], 2, 10).unwrap();
        assert_eq!(bins.len(), 10);
        assert_eq!((bins[8].count, bins[6].count), (1, 1));
        close(bins[8].accuracy, 1.0);
        close(bins[6].accuracy, 0.0);
        close(bins[6].mean_confidence, 0.7);
    }

    #[test]
    fn zero_bins_is_an_error() {
        let err = ece(&[0.5, 0.5], &[0], 2, 0).unwrap_err();
        assert_eq!(err.to_string(), "n_bins is 0, expected at least 1 bin");
    }
}
