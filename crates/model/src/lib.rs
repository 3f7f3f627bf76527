//! Network definitions on [`tch`] for Fashion-MNIST classifiers.
//!
//! Start with [`ModelConfig`]: it names the architecture (`kind`) and holds one config
//! section per architecture; [`build`] turns it into a [`tch::nn::ModuleT`] under a
//! [`tch::nn::Path`]. Every model takes a batch of flattened images, shape `[n, 784]` with
//! values in `[0, 1]`, and returns logits of shape `[n, 10]` (softmax is left to the loss and
//! to the caller, which is numerically safer and what cross-entropy on logits expects).
//!
//! The baseline is [`Mlp`], the reference Keras network. Where the reference's architecture
//! line is silent, Keras' defaults are used and named in [`MlpConfig`]: glorot-uniform
//! kernels with zero biases, batch normalisation with Keras momentum 0.99 and epsilon 1e-3.
//!
//! [`Cnn`] ([`CnnConfig`], `kind = "cnn"`) is a small convolutional network: blocks of 3x3
//! convolutions with batch norm, ReLU and max-pooling, then a dense head. It views its input
//! channels-last, which oneDNN runs much faster on CPU than the usual NCHW.
//!
//! The crate does no I/O; saving and loading weights is the caller's business
//! (`VarStore::save` writes safetensors).
//!
//! ```no_run
//! use fmnist_model::{ModelConfig, build};
//! use tch::{Device, Kind, Tensor, nn};
//!
//! let vs = nn::VarStore::new(Device::Cpu);
//! let model = build(&ModelConfig::default(), &vs.root()).unwrap();
//! let xs = Tensor::zeros([32, 784], (Kind::Float, Device::Cpu));
//! let logits = tch::nn::ModuleT::forward_t(&*model, &xs, false);
//! assert_eq!(logits.size(), [32, 10]);
//! ```

mod cnn;
mod config;
mod dropout;
mod error;
mod init;
mod layers;
mod mlp;

pub use cnn::{Cnn, CnnConfig, IMAGE_SIDE, MAX_BLOCKS};
pub use config::{ModelConfig, ModelKind};
pub use dropout::dropout;
pub use error::{ModelError, Result};
pub use init::{KernelInit, glorot_uniform_limit};
pub use mlp::{Mlp, MlpConfig};

use tch::nn;

/// Number of input features: a 28x28 image, flattened.
pub const INPUT_FEATURES: i64 = 784;

/// Number of classes in Fashion-MNIST.
pub const N_CLASSES: i64 = 10;

/// Builds the model `config` names, creating its variables under `path`.
///
/// Variables are initialised from libtorch's global generator: seed it with
/// [`tch::manual_seed`] first for reproducible weights.
pub fn build(config: &ModelConfig, path: &nn::Path) -> Result<Box<dyn nn::ModuleT>> {
    match config.kind {
        ModelKind::Mlp => Ok(Box::new(Mlp::new(path, &config.mlp)?)),
        ModelKind::Cnn => Ok(Box::new(Cnn::new(path, &config.cnn)?)),
    }
}
