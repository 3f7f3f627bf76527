//! What-if variants of the baseline MLP for `profile --variant`, to measure a change before
//! making it in `fmnist-model`.
//!
//! [`LocalMlp`] is the reference network built from tch layers here (same shapes, Keras
//! initialisation and batch norm settings as `fmnist_model::Mlp`), with the dropout
//! implementation as a parameter.

use tch::Tensor;
use tch::nn::{self, ModuleT};

/// How dropout masks are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Variant {
    /// `fmnist_model::Mlp` as it is.
    Baseline,
    /// [`LocalMlp`] with libtorch's own dropout (a serial mt19937 Bernoulli draw on AMD CPUs).
    LibtorchDropout,
    /// [`LocalMlp`] with `fmnist_model::dropout` (xoshiro masks seeded from libtorch).
    FastDropout,
    /// [`LocalMlp`] without dropout: the floor for any dropout implementation.
    NoDropout,
}

/// The reference MLP with a chosen dropout.
pub struct LocalMlp {
    layers: Vec<(nn::Linear, nn::BatchNorm)>,
    out: nn::Linear,
    variant: Variant,
}

impl LocalMlp {
    pub fn new(path: &nn::Path, variant: Variant) -> LocalMlp {
        let mut layers = Vec::new();
        let mut fan_in = 784;
        for (index, width) in [256, 128].into_iter().enumerate() {
            let scope = path / format!("layer{index}");
            let dense = dense(&(&scope / "dense"), fan_in, width);
            let config = nn::BatchNormConfig { eps: 1e-3, momentum: 0.01, ..Default::default() };
            layers.push((dense, nn::batch_norm1d(&(&scope / "norm"), width, config)));
            fan_in = width;
        }
        LocalMlp { layers, out: dense(&(path / "out"), fan_in, 10), variant }
    }
}

fn dense(path: &nn::Path, fan_in: i64, fan_out: i64) -> nn::Linear {
    let limit = (6.0 / (fan_in + fan_out) as f64).sqrt();
    let config = nn::LinearConfig {
        ws_init: nn::Init::Uniform { lo: -limit, up: limit },
        bs_init: Some(nn::Init::Const(0.0)),
        bias: true,
    };
    nn::linear(path, fan_in, fan_out, config)
}

impl std::fmt::Debug for LocalMlp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LocalMlp({:?})", self.variant)
    }
}

impl ModuleT for LocalMlp {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        let mut xs = xs.shallow_clone();
        for (dense, norm) in &self.layers {
            xs = xs.apply(dense).apply_t(norm, train).relu();
            xs = match self.variant {
                Variant::FastDropout => fmnist_model::dropout(&xs, 0.2, train),
                Variant::NoDropout => xs,
                _ => xs.dropout(0.2, train),
            };
        }
        xs.apply(&self.out)
    }
}
