//! Temperature scaling: one scalar `T` that divides the logits, fitted to minimise the
//! negative log-likelihood on a held-out split (Guo et al., 2017).
//!
//! The NLL is convex in `1 / T`, so it has a single minimum along `ln T` too, and a
//! golden-section search over `ln T` finds it without derivatives. Dividing by `T` keeps
//! the order of the logits, so predictions (the argmax) do not change.

use crate::check;
use crate::error::Result;
use crate::softmax::{log_softmax_row, positive_temperature};

/// The smallest temperature the search considers.
pub const MIN_TEMPERATURE: f64 = 0.05;
/// The largest temperature the search considers.
pub const MAX_TEMPERATURE: f64 = 20.0;

/// Golden-section steps stop once the bracket in `ln T` is narrower than this.
const LN_TOLERANCE: f64 = 1e-7;

/// Mean NLL of `labels` under `softmax(logits / temperature)`, from log-probabilities.
pub fn nll_at_temperature(
    logits: &[f32],
    labels: &[u8],
    n_classes: usize,
    temperature: f64,
) -> Result<f64> {
    check::scores("logits", logits, labels, n_classes)?;
    positive_temperature(temperature)?;
    Ok(mean_nll(logits, labels, n_classes, temperature))
}

/// The temperature in `[MIN_TEMPERATURE, MAX_TEMPERATURE]` with the lowest NLL on
/// `logits`/`labels` (use the validation split, never the test split).
///
/// A result above 1 means the model was over-confident; below 1, under-confident. A result
/// at either end of the range means the optimum lies outside it.
pub fn fit_temperature(logits: &[f32], labels: &[u8], n_classes: usize) -> Result<f64> {
    check::scores("logits", logits, labels, n_classes)?;
    let loss = |ln_t: f64| mean_nll(logits, labels, n_classes, ln_t.exp());
    let ln_t = golden_section_min(loss, MIN_TEMPERATURE.ln(), MAX_TEMPERATURE.ln());
    Ok(ln_t.exp())
}

/// Mean NLL without input checks.
fn mean_nll(logits: &[f32], labels: &[u8], n_classes: usize, temperature: f64) -> f64 {
    let rows = logits.chunks_exact(n_classes).zip(labels);
    let sum: f64 =
        rows.map(|(row, &label)| -log_softmax_row(row, temperature)[usize::from(label)]).sum();
    sum / labels.len() as f64
}

/// Minimiser of a unimodal `f` on `[low, high]` by golden-section search.
fn golden_section_min(f: impl Fn(f64) -> f64, mut low: f64, mut high: f64) -> f64 {
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let mut left = high - ratio * (high - low);
    let mut right = low + ratio * (high - low);
    let (mut f_left, mut f_right) = (f(left), f(right));
    while high - low > LN_TOLERANCE {
        if f_left <= f_right {
            (high, right, f_right) = (right, left, f_left);
            left = high - ratio * (high - low);
            f_left = f(left);
        } else {
            (low, left, f_left) = (left, right, f_right);
            right = low + ratio * (high - low);
            f_right = f(right);
        }
    }
    (low + high) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_section_finds_a_parabola_minimum() {
        let x = golden_section_min(|x| (x - 1.25).powi(2), -3.0, 3.0);
        assert!((x - 1.25).abs() < 1e-6, "found {x}");
    }

    #[test]
    fn coin_flip_logits_run_to_the_top_of_the_range() {
        // One right and one wrong sample with the same logits: the best probability for the
        // predicted class is 1/2, which only T -> infinity reaches, so the fit stops at the
        // top of the range.
        let logits = [2.0, 0.0, 2.0, 0.0];
        let t = fit_temperature(&logits, &[0, 1], 2).unwrap();
        assert!((t - MAX_TEMPERATURE).abs() < 1e-4, "found {t}");
    }

    #[test]
    fn over_confident_logits_get_a_temperature_above_one() {
        // Three of four samples right, but each with probability ~1: the best single
        // probability for "right" is 3/4, reached when e^(10/T) = 3 with two classes:
        // T = 10 / ln 3.
        let logits = [10.0, 0.0, 10.0, 0.0, 10.0, 0.0, 10.0, 0.0];
        let t = fit_temperature(&logits, &[0, 0, 0, 1], 2).unwrap();
        assert!((t - 10.0 / 3f64.ln()).abs() < 1e-5, "found {t}");
    }

    #[test]
    fn nll_at_temperature_one_is_plain_nll() {
        let nll = nll_at_temperature(&[0.0, 3f32.ln()], &[1], 2, 1.0).unwrap();
        assert!((nll - (4.0f64 / 3.0).ln()).abs() < 1e-7);
    }
}
