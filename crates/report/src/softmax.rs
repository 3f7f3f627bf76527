//! Softmax helpers for row-major `n x classes` logit matrices.
//!
//! All arithmetic is done in `f64` with the maximum subtracted first, so large logits neither
//! overflow nor lose the small probabilities that the negative log-likelihood depends on.

use crate::check;
use crate::error::Result;

/// Log-probabilities of one row of logits divided by `temperature`.
pub fn log_softmax_row(row: &[f32], temperature: f64) -> Vec<f64> {
    let scaled: Vec<f64> = row.iter().map(|&x| f64::from(x) / temperature).collect();
    let max = scaled.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let log_sum = scaled.iter().map(|&x| (x - max).exp()).sum::<f64>().ln() + max;
    scaled.iter().map(|&x| x - log_sum).collect()
}

/// Probabilities of one row of logits divided by `temperature`.
fn softmax_row(row: &[f32], temperature: f64) -> Vec<f64> {
    let scaled: Vec<f64> = row.iter().map(|&x| f64::from(x) / temperature).collect();
    let max = scaled.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = scaled.iter().map(|&x| (x - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

/// Probabilities for every row of `logits` (`n x n_classes`, row-major) at `temperature`.
///
/// `temperature = 1.0` is the plain softmax; larger values flatten the distribution. The
/// argmax of each row does not depend on the temperature.
pub fn softmax_rows(logits: &[f32], n_classes: usize, temperature: f64) -> Result<Vec<f64>> {
    check::class_count(n_classes)?;
    check::matrix_len("logits", logits.len(), logits.len() / n_classes, n_classes)?;
    check::finite("logits", logits)?;
    positive_temperature(temperature)?;
    let probs =
        logits.chunks_exact(n_classes).flat_map(|row| softmax_row(row, temperature)).collect();
    Ok(probs)
}

/// The index of the largest value of each row; ties go to the lowest index.
pub fn argmax_rows<T: Copy + PartialOrd>(values: &[T], n_classes: usize) -> Result<Vec<u8>> {
    check::class_count(n_classes)?;
    check::matrix_len("values", values.len(), values.len() / n_classes, n_classes)?;
    Ok(values.chunks_exact(n_classes).map(argmax).collect())
}

/// Index of the first maximum of a non-empty row, as a class label.
fn argmax<T: Copy + PartialOrd>(row: &[T]) -> u8 {
    let mut best = 0;
    for (index, &value) in row.iter().enumerate() {
        if value > row[best] {
            best = index;
        }
    }
    // Rows have at most 256 entries (checked by `class_count`), so the index fits in a u8.
    best as u8
}

/// Checks that a temperature is a finite positive number.
pub(crate) fn positive_temperature(temperature: f64) -> Result<()> {
    if temperature.is_finite() && temperature > 0.0 {
        return Ok(());
    }
    Err(crate::ReportError::Argument {
        input: "temperature",
        found: temperature.to_string(),
        expected: "a finite number above 0".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_of_equal_logits_is_uniform() {
        let probs = softmax_rows(&[3.0, 3.0, 3.0, 3.0], 4, 1.0).unwrap();
        assert_eq!(probs, vec![0.25; 4]);
    }

    #[test]
    fn softmax_matches_hand_computed_values() {
        // exp(0) / (exp(0) + exp(ln 3)) = 1/4.
        let probs = softmax_rows(&[0.0, 3f32.ln()], 2, 1.0).unwrap();
        assert!((probs[0] - 0.25).abs() < 1e-7 && (probs[1] - 0.75).abs() < 1e-7);
    }

    #[test]
    fn temperature_two_halves_the_logits() {
        let hot = softmax_rows(&[0.0, 2.0], 2, 2.0).unwrap();
        let plain = softmax_rows(&[0.0, 1.0], 2, 1.0).unwrap();
        assert!((hot[1] - plain[1]).abs() < 1e-12);
    }

    #[test]
    fn large_logits_do_not_overflow() {
        let probs = softmax_rows(&[1000.0, 0.0], 2, 1.0).unwrap();
        assert_eq!(probs[0], 1.0);
        let log_probs = log_softmax_row(&[1000.0, 0.0], 1.0);
        assert!((log_probs[1] + 1000.0).abs() < 1e-9);
    }

    #[test]
    fn argmax_takes_the_first_of_ties() {
        assert_eq!(argmax_rows(&[1.0, 5.0, 5.0, 2.0, 0.0, 0.0], 3).unwrap(), vec![1, 0]);
    }

    #[test]
    fn ragged_logits_are_an_error() {
        let err = softmax_rows(&[1.0; 7], 2, 1.0).unwrap_err();
        assert_eq!(err.to_string(), "logits has length 7, expected 6 (n x classes = 3 x 2)");
    }

    #[test]
    fn non_positive_temperature_is_an_error() {
        assert!(softmax_rows(&[1.0, 2.0], 2, 0.0).is_err());
    }
}
