//! One config seed, one independent stream per purpose.
//!
//! Deriving each use's seed from `(seed, purpose)` means that changing, say, how batches are
//! shuffled does not shift the weights' initialisation or the split.

/// The places a run draws randomness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The stratified train/validation split.
    Split,
    /// Per-epoch shuffling of the training rows.
    Shuffle,
    /// Initial weights.
    Init,
    /// Dropout masks during training.
    Dropout,
    /// Random shifts and flips of training batches (`[train.augment]`).
    Augment,
}

impl Purpose {
    fn tag(self) -> u64 {
        match self {
            Purpose::Split => 1,
            Purpose::Shuffle => 2,
            Purpose::Init => 3,
            Purpose::Dropout => 4,
            Purpose::Augment => 5,
        }
    }
}

/// The seed for `purpose`: SplitMix64's finaliser over the config seed and a purpose tag.
pub fn derive(seed: u64, purpose: Purpose) -> u64 {
    let mut z = seed ^ purpose.tag().wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A derived seed that libtorch's `manual_seed` accepts (an `i64`).
pub fn derive_torch(seed: u64, purpose: Purpose) -> i64 {
    (derive(seed, purpose) >> 1) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_get_distinct_stable_seeds() {
        let all =
            [Purpose::Split, Purpose::Shuffle, Purpose::Init, Purpose::Dropout, Purpose::Augment];
        let seeds: Vec<u64> = all.iter().map(|&p| derive(42, p)).collect();
        for (i, a) in seeds.iter().enumerate() {
            assert!(seeds[i + 1..].iter().all(|b| a != b));
        }
        assert_eq!(derive(42, Purpose::Split), derive(42, Purpose::Split));
        assert_ne!(derive(42, Purpose::Split), derive(43, Purpose::Split));
        assert!(derive_torch(u64::MAX, Purpose::Init) >= 0);
    }
}
