//! Inverted dropout whose mask is drawn quickly, for the CPU.
//!
//! libtorch's CPU dropout draws its Bernoulli mask one element at a time from the global
//! mt19937 generator, on one thread (its vectorised MKL path is switched on for Intel CPUs
//! only). On the project's AMD EPYC machines that was about 15 % of a baseline-MLP epoch with
//! one thread, and a larger share with two, since it does not parallelise (measured with
//! `cargo run --release --example bench_epoch -- profile --variant ...`).
//!
//! [`dropout`] draws one 64-bit seed per call from libtorch's global generator and expands
//! it with xoshiro256++ into the mask, so `tch::manual_seed` still fixes every mask and the
//! masks do not depend on the thread count. Off the CPU it defers to libtorch's dropout.

use rand::rngs::SmallRng;
use rand::{RngCore, SeedableRng};
use tch::{Device, Kind, Tensor};

/// `xs` with each element zeroed with probability `p` and the others scaled by
/// `1 / (1 - p)` when `train`; `xs` itself otherwise. `p` must be in `[0, 1)`.
pub fn dropout(xs: &Tensor, p: f64, train: bool) -> Tensor {
    if !train || p <= 0.0 || xs.device() != Device::Cpu || xs.kind() != Kind::Float {
        return xs.dropout(p, train);
    }
    let seed = Tensor::randint(i64::MAX, [1], (Kind::Int64, Device::Cpu)).int64_value(&[]);
    let mask = keep_mask(xs.numel(), p, seed as u64);
    xs * Tensor::from_slice(&mask).view(xs.size().as_slice())
}

/// `n` values, each `1 / (1 - p)` (kept) or 0 (dropped), from a xoshiro256++ stream; an
/// element is kept when its 32 random bits fall below `(1 - p) * 2^32`.
fn keep_mask(n: usize, p: f64, seed: u64) -> Vec<f32> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let keep_below = ((1.0 - p) * 4_294_967_296.0) as u64;
    let scale = (1.0 / (1.0 - p)) as f32;
    let mut mask = vec![0f32; n + n % 2];
    for pair in mask.chunks_exact_mut(2) {
        let bits = rng.next_u64();
        pair[0] = scale * f32::from(u8::from((bits & 0xffff_ffff) < keep_below));
        pair[1] = scale * f32::from(u8::from((bits >> 32) < keep_below));
    }
    mask.truncate(n);
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_drop_about_p_and_scale_the_rest() {
        let mask = keep_mask(100_001, 0.2, 7);
        assert_eq!(mask.len(), 100_001);
        let dropped = mask.iter().filter(|&&m| m == 0.0).count() as f64 / mask.len() as f64;
        assert!((dropped - 0.2).abs() < 0.01, "dropped share {dropped}");
        assert!(mask.iter().all(|&m| m == 0.0 || (m - 1.25).abs() < 1e-6));
    }

    #[test]
    fn eval_mode_and_zero_rate_leave_the_input_alone() {
        let xs = Tensor::ones([4, 8], (Kind::Float, Device::Cpu));
        assert!(dropout(&xs, 0.5, false).equal(&xs));
        assert!(dropout(&xs, 0.0, true).equal(&xs));
    }

    #[test]
    fn the_libtorch_seed_fixes_the_masks_and_gradients_follow_them() {
        let xs = Tensor::ones([64, 32], (Kind::Float, Device::Cpu)).set_requires_grad(true);
        tch::manual_seed(3);
        let first = dropout(&xs, 0.2, true);
        let second = dropout(&xs, 0.2, true);
        tch::manual_seed(3);
        let again = dropout(&xs, 0.2, true);
        assert!(first.equal(&again));
        assert!(!first.equal(&second));
        first.sum(Kind::Float).backward();
        assert!(xs.grad().equal(&first.detach()));
    }
}
