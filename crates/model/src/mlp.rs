//! The reference multilayer perceptron.
//!
//! `Input(784) -> [Dense(h) -> BatchNorm -> ReLU -> Dropout(p)] per hidden size -> Dense(10)`.

use serde::{Deserialize, Serialize};
use tch::{Tensor, nn};

use crate::error::invalid;
use crate::layers::dense;
use crate::{INPUT_FEATURES, KernelInit, N_CLASSES, Result};

/// Settings of [`Mlp`]. Defaults are the reference network with Keras' defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MlpConfig {
    /// Width of each hidden layer, in order.
    pub hidden: Vec<i64>,
    /// Dropout rate after each hidden layer, in `[0, 1)`.
    pub dropout: f64,
    /// Batch normalisation after each hidden dense layer.
    pub batch_norm: bool,
    /// Keras' sense: `running = momentum * running + (1 - momentum) * batch`. Keras: 0.99.
    pub batch_norm_momentum: f64,
    /// Added to the variance before the square root. Keras: 1e-3 (PyTorch uses 1e-5).
    pub batch_norm_epsilon: f64,
    /// Kernel initialiser of the dense layers; biases start at zero.
    pub kernel_init: KernelInit,
}

impl Default for MlpConfig {
    fn default() -> Self {
        MlpConfig {
            hidden: vec![256, 128],
            dropout: 0.2,
            batch_norm: true,
            batch_norm_momentum: 0.99,
            batch_norm_epsilon: 1e-3,
            kernel_init: KernelInit::GlorotUniform,
        }
    }
}

impl MlpConfig {
    /// Checks widths and rates; the error names the offending key.
    pub fn validate(&self) -> Result<()> {
        if self.hidden.is_empty() || self.hidden.iter().any(|&width| width < 1) {
            return Err(invalid("model.mlp.hidden", &self.hidden, "one or more widths >= 1"));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(invalid("model.mlp.dropout", &self.dropout, "a rate in [0, 1)"));
        }
        if !(0.0..1.0).contains(&self.batch_norm_momentum) {
            let expected = "a Keras momentum in [0, 1)";
            return Err(invalid(
                "model.mlp.batch_norm_momentum",
                &self.batch_norm_momentum,
                expected,
            ));
        }
        if self.batch_norm_epsilon <= 0.0 {
            let expected = "a positive number";
            return Err(invalid(
                "model.mlp.batch_norm_epsilon",
                &self.batch_norm_epsilon,
                expected,
            ));
        }
        Ok(())
    }
}

/// One hidden block: dense, optional batch norm, ReLU, dropout.
#[derive(Debug)]
struct Block {
    dense: nn::Linear,
    norm: Option<nn::BatchNorm>,
}

/// The reference MLP. Variables are named `layer{i}.dense.*` and `layer{i}.norm.*`, and the
/// output layer under `out`.
#[derive(Debug)]
pub struct Mlp {
    blocks: Vec<Block>,
    out: nn::Linear,
    dropout: f64,
}

impl Mlp {
    /// Creates the network's variables under `path`.
    pub fn new(path: &nn::Path, config: &MlpConfig) -> Result<Mlp> {
        config.validate()?;
        let mut blocks = Vec::with_capacity(config.hidden.len());
        let mut fan_in = INPUT_FEATURES;
        for (index, &width) in config.hidden.iter().enumerate() {
            let scope = path / format!("layer{index}");
            let dense = dense(&(&scope / "dense"), fan_in, width, config.kernel_init);
            let norm = config.batch_norm.then(|| batch_norm(&(&scope / "norm"), width, config));
            blocks.push(Block { dense, norm });
            fan_in = width;
        }
        let out = dense(&(path / "out"), fan_in, N_CLASSES, config.kernel_init);
        Ok(Mlp { blocks, out, dropout: config.dropout })
    }
}

fn batch_norm(path: &nn::Path, width: i64, config: &MlpConfig) -> nn::BatchNorm {
    let norm_config = nn::BatchNormConfig {
        eps: config.batch_norm_epsilon,
        // libtorch weighs the new batch by `momentum`; Keras weighs the old average.
        momentum: 1.0 - config.batch_norm_momentum,
        ..Default::default()
    };
    nn::batch_norm1d(path, width, norm_config)
}

impl nn::ModuleT for Mlp {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        let mut xs = xs.view([-1, INPUT_FEATURES]);
        for block in &self.blocks {
            xs = xs.apply(&block.dense);
            if let Some(norm) = &block.norm {
                xs = xs.apply_t(norm, train);
            }
            xs = crate::dropout(&xs.relu(), self.dropout, train);
        }
        xs.apply(&self.out)
    }
}
