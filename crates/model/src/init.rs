//! Kernel initialisers, named as Keras names them.

use serde::{Deserialize, Serialize};
use tch::nn::Init;

/// How dense kernels are initialised. Biases always start at zero (Keras' default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KernelInit {
    /// Keras' default: uniform in `[-l, l]` with `l = sqrt(6 / (fan_in + fan_out))`.
    #[default]
    GlorotUniform,
    /// PyTorch's default for `nn.Linear` (Kaiming uniform with `a = sqrt(5)`), for comparisons.
    TorchDefault,
}

impl KernelInit {
    /// The tch initialiser for a kernel with these fan-in and fan-out.
    pub fn for_dense(self, fan_in: i64, fan_out: i64) -> Init {
        match self {
            KernelInit::GlorotUniform => {
                let limit = glorot_uniform_limit(fan_in, fan_out);
                Init::Uniform { lo: -limit, up: limit }
            }
            KernelInit::TorchDefault => tch::nn::init::DEFAULT_KAIMING_UNIFORM,
        }
    }

    /// The tch initialiser for a `side x side` convolution kernel from `in_channels` to
    /// `out_channels`. Fans count the receptive field, as Keras counts them.
    pub fn for_conv(self, in_channels: i64, out_channels: i64, side: i64) -> Init {
        self.for_dense(in_channels * side * side, out_channels * side * side)
    }
}

/// Half-width of Keras' glorot-uniform interval.
pub fn glorot_uniform_limit(fan_in: i64, fan_out: i64) -> f64 {
    (6.0 / (fan_in + fan_out) as f64).sqrt()
}
