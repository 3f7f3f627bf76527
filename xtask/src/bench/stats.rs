//! The arithmetic of the bench: medians, ratios, the MLP's FLOP count and the fp32 peak.
//!
//! Pure functions only, so each is checked by a unit test below.

/// fp32 FLOP per second of one core at peak, in GFLOP/s: 2.6 GHz x 32 FLOP per cycle (two
/// 256-bit FMA pipes, 8 lanes x 2 FLOP each, which is how Zen 4 runs AVX-512).
/// `shared/docs/LIBTORCH.md` quotes ~166 GFLOP/s for the 2-core machines.
pub const PEAK_GFLOPS_PER_CORE: f64 = 83.0;

/// The median of `values` (mean of the middle two for an even count); `None` when empty.
/// NaNs sort last.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let middle = sorted.len() / 2;
    Some(if sorted.len() % 2 == 1 {
        sorted[middle]
    } else {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    })
}

/// The median of a process's per-epoch times, leaving out the first epoch (it pays for
/// warm-up: allocator growth, lazy initialisation, graph tracing in Keras) when there are
/// more.
pub fn steady_epoch(epoch_seconds: &[f64]) -> Option<f64> {
    match epoch_seconds {
        [] => None,
        [only] => Some(*only),
        [_, rest @ ..] => median(rest),
    }
}

/// `ours / theirs` when both exist and `theirs` is positive.
pub fn ratio(ours: Option<f64>, theirs: Option<f64>) -> Option<f64> {
    match (ours, theirs) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

/// Layer widths of a fully connected network, input first and classes last.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseShape {
    /// `[784, 256, 128, 10]` for the baseline.
    pub widths: Vec<u64>,
}

impl DenseShape {
    /// The baseline MLP of `configs/mlp.toml`.
    pub fn baseline() -> DenseShape {
        DenseShape { widths: vec![784, 256, 128, 10] }
    }

    /// Multiply-accumulates of one forward pass of one sample through the dense layers.
    pub fn forward_macs(&self) -> u64 {
        self.widths.windows(2).map(|pair| pair[0] * pair[1]).sum()
    }

    /// FLOP of one training step of one sample through the dense layers: forward (one
    /// matmul per layer), weight gradient (one per layer) and input gradient (one per layer
    /// except the first, whose input needs none). Two FLOP per multiply-accumulate.
    /// Batch norm, activations, dropout, loss and Adam are elementwise and left out.
    pub fn train_flop_per_sample(&self) -> u64 {
        let first = self.widths.first().zip(self.widths.get(1)).map_or(0, |(a, b)| a * b);
        2 * (3 * self.forward_macs() - first)
    }

    /// FLOP of one epoch: a training step for each of `n_train` samples plus a forward pass
    /// for each of `n_validation`.
    pub fn epoch_flop(&self, n_train: u64, n_validation: u64) -> f64 {
        let train = self.train_flop_per_sample() as f64 * n_train as f64;
        train + 2.0 * self.forward_macs() as f64 * n_validation as f64
    }

    /// The same with the rough "training is 3x the forward pass" rule (the first layer's
    /// input gradient counted too), for comparison.
    pub fn epoch_flop_3x_rule(&self, n_train: u64, n_validation: u64) -> f64 {
        let forward = 2.0 * self.forward_macs() as f64;
        3.0 * forward * n_train as f64 + forward * n_validation as f64
    }
}

/// Peak fp32 GFLOP/s with `threads` threads on a machine with `cores` cores.
pub fn peak_gflops(threads: u32, cores: u32, per_core: f64) -> f64 {
    f64::from(threads.clamp(1, cores.max(1))) * per_core
}

/// Achieved share of the peak: `flop` in `seconds` against `peak_gflops`.
pub fn fraction_of_peak(flop: f64, seconds: f64, peak_gflops: f64) -> Option<f64> {
    (seconds > 0.0 && peak_gflops > 0.0).then(|| flop / seconds / (peak_gflops * 1e9))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_even_and_empty_lists() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[7.0]), Some(7.0));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn steady_epoch_leaves_out_the_first_epoch_when_it_can() {
        assert_eq!(steady_epoch(&[9.0, 1.0, 3.0, 2.0]), Some(2.0));
        assert_eq!(steady_epoch(&[9.0, 1.0]), Some(1.0));
        assert_eq!(steady_epoch(&[9.0]), Some(9.0));
        assert_eq!(steady_epoch(&[]), None);
    }

    #[test]
    fn ratio_needs_both_sides_and_a_positive_divisor() {
        assert_eq!(ratio(Some(1.0), Some(4.0)), Some(0.25));
        assert_eq!(ratio(None, Some(4.0)), None);
        assert_eq!(ratio(Some(1.0), Some(0.0)), None);
    }

    #[test]
    fn baseline_mlp_flop_counts_by_hand() {
        let shape = DenseShape::baseline();
        // 784*256 + 256*128 + 128*10
        assert_eq!(shape.forward_macs(), 234_752);
        // 2 * (3 * 234,752 - 784*256)
        assert_eq!(shape.train_flop_per_sample(), 1_007_104);
        let epoch = shape.epoch_flop(54_000, 6_000);
        // 54,000 * 1,007,104 + 6,000 * 469,504: the ~57 GFLOP of LIBTORCH.md.
        assert_eq!(epoch, 57_200_640_000.0);
        let rough = shape.epoch_flop_3x_rule(54_000, 6_000);
        // 469,504 * (3 * 54,000 + 6,000)
        assert_eq!(rough, 78_876_672_000.0);
    }

    #[test]
    fn peak_scales_with_threads_up_to_the_core_count() {
        assert_eq!(peak_gflops(1, 2, 83.0), 83.0);
        assert_eq!(peak_gflops(2, 2, 83.0), 166.0);
        assert_eq!(peak_gflops(4, 2, 83.0), 166.0);
        assert_eq!(peak_gflops(0, 2, 83.0), 83.0);
    }

    #[test]
    fn fraction_of_peak_is_achieved_over_possible() {
        let fraction = fraction_of_peak(83e9, 2.0, 83.0).unwrap();
        assert!((fraction - 0.5).abs() < 1e-12);
        assert_eq!(fraction_of_peak(1.0, 0.0, 83.0), None);
    }
}
