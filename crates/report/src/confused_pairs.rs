//! The most confused class pairs, read off a confusion matrix.
//!
//! A pair is unordered: T-shirt/top taken for Shirt and Shirt taken for T-shirt/top both
//! count towards the same pair, and both directions are kept so a report can show them.

use serde::Serialize;

use crate::confusion::ConfusionMatrix;

/// Two classes and how often each was predicted as the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ConfusedPair {
    /// The lower class index of the pair.
    pub a: usize,
    /// The higher class index of the pair.
    pub b: usize,
    /// Samples of class `a` predicted as `b`.
    pub a_as_b: u64,
    /// Samples of class `b` predicted as `a`.
    pub b_as_a: u64,
}

impl ConfusedPair {
    /// Mistakes between the two classes in either direction.
    pub fn total(&self) -> u64 {
        self.a_as_b + self.b_as_a
    }
}

/// The `k` pairs with the most mistakes between them, most first.
///
/// Pairs with no mistakes are left out, so fewer than `k` may come back. Ties are broken by
/// class index, so the order is deterministic.
pub fn confused_pairs(cm: &ConfusionMatrix, k: usize) -> Vec<ConfusedPair> {
    let mut pairs: Vec<ConfusedPair> = all_pairs(cm).filter(|pair| pair.total() > 0).collect();
    pairs.sort_by(|x, y| y.total().cmp(&x.total()).then((x.a, x.b).cmp(&(y.a, y.b))));
    pairs.truncate(k);
    pairs
}

/// Every unordered pair of distinct classes.
fn all_pairs(cm: &ConfusionMatrix) -> impl Iterator<Item = ConfusedPair> + '_ {
    let n = cm.n_classes();
    (0..n).flat_map(move |a| {
        (a + 1..n).map(move |b| ConfusedPair {
            a,
            b,
            a_as_b: cm.count(a, b),
            b_as_a: cm.count(b, a),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_ranked_by_mistakes_in_both_directions() {
        // 0<->2 has 3 + 4 = 7 mistakes, 0<->1 has 5 + 0 = 5, 1<->2 has 1 + 1 = 2.
        let cm = ConfusionMatrix::from_counts(3, vec![50, 5, 3, 0, 40, 1, 4, 1, 30]).unwrap();
        let pairs = confused_pairs(&cm, 2);
        assert_eq!(
            pairs,
            [
                ConfusedPair { a: 0, b: 2, a_as_b: 3, b_as_a: 4 },
                ConfusedPair { a: 0, b: 1, a_as_b: 5, b_as_a: 0 },
            ]
        );
        assert_eq!(pairs[0].total(), 7);
    }

    #[test]
    fn pairs_without_mistakes_are_left_out_and_ties_go_by_index() {
        let cm = ConfusionMatrix::from_counts(3, vec![9, 1, 0, 0, 9, 1, 0, 0, 9]).unwrap();
        let pairs = confused_pairs(&cm, 10);
        assert_eq!(pairs.iter().map(|p| (p.a, p.b)).collect::<Vec<_>>(), [(0, 1), (1, 2)]);
    }
}
