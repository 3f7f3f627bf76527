//! [`stratified_split`]: a seeded train/validation split that keeps every class's share.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::error::{DataError, Result};

/// Indices into the original training set, each list sorted ascending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Indices kept for training.
    pub train: Vec<usize>,
    /// Indices held out for validation.
    pub validation: Vec<usize>,
}

/// Splits `labels` so that each class gives `round(class size * validation_fraction)` of its
/// items to validation and the rest to training (60,000 official labels and 0.1 give
/// 54,000 / 6,000, exactly 5,400 / 600 per class).
///
/// The items of a class are chosen by shuffling that class's indices with a ChaCha8 generator
/// seeded with `seed` (classes in ascending label order, one generator for all), so a seed
/// always gives the same split and different seeds give different ones.
pub fn stratified_split(labels: &[u8], validation_fraction: f64, seed: u64) -> Result<Split> {
    if !(validation_fraction > 0.0 && validation_fraction < 1.0) {
        return Err(DataError::ValidationFraction { found: validation_fraction });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut split = Split { train: Vec::new(), validation: Vec::new() };
    for mut members in indices_by_label(labels) {
        members.shuffle(&mut rng);
        let n_validation = (members.len() as f64 * validation_fraction).round() as usize;
        split.validation.extend_from_slice(&members[..n_validation]);
        split.train.extend_from_slice(&members[n_validation..]);
    }
    split.train.sort_unstable();
    split.validation.sort_unstable();
    Ok(split)
}

/// The indices of each label value that occurs, in ascending label order.
fn indices_by_label(labels: &[u8]) -> Vec<Vec<usize>> {
    let mut by_label: Vec<Vec<usize>> = vec![Vec::new(); 256];
    for (i, &label) in labels.iter().enumerate() {
        by_label[usize::from(label)].push(i);
    }
    by_label.retain(|members| !members.is_empty());
    by_label
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fraction_outside_open_unit_interval_is_refused() {
        for bad in [0.0, 1.0, -0.1, f64::NAN] {
            let err = stratified_split(&[0, 1], bad, 0).unwrap_err();
            assert!(matches!(err, DataError::ValidationFraction { .. }), "{bad}: {err}");
        }
    }

    #[test]
    fn small_classes_round_to_nearest() {
        // Class 0 has 4 items (0.25 * 4 = 1), class 7 has 6 (0.25 * 6 = 1.5, rounds to 2).
        let labels = [0, 7, 0, 7, 7, 0, 7, 7, 0, 7];
        let split = stratified_split(&labels, 0.25, 3).unwrap();
        let count = |idx: &[usize], class| idx.iter().filter(|&&i| labels[i] == class).count();
        assert_eq!((count(&split.validation, 0), count(&split.validation, 7)), (1, 2));
        assert_eq!((count(&split.train, 0), count(&split.train, 7)), (3, 4));
    }

    #[test]
    fn halves_partition_the_indices() {
        let labels: Vec<u8> = (0..100).map(|i| (i % 10) as u8).collect();
        let split = stratified_split(&labels, 0.2, 11).unwrap();
        let mut all = [split.train.clone(), split.validation.clone()].concat();
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
        assert!(split.validation.windows(2).all(|w| w[0] < w[1]));
    }
}
