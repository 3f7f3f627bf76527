//! Layer constructors shared by the architectures.

use tch::nn;

use crate::KernelInit;

/// A dense layer with `init` kernels and zero biases (Keras' default).
pub(crate) fn dense(path: &nn::Path, fan_in: i64, fan_out: i64, init: KernelInit) -> nn::Linear {
    let config = nn::LinearConfig {
        ws_init: init.for_dense(fan_in, fan_out),
        bs_init: Some(nn::Init::Const(0.0)),
        bias: true,
    };
    nn::linear(path, fan_in, fan_out, config)
}
