//! A small convolutional network for 28x28 grayscale images.
//!
//! Each block is a list of `k x k` "same" convolutions, each followed by batch norm and
//! ReLU, except that the block's last convolution is max-pooled 2x2 first: the norm and the
//! ReLU then see a quarter of the values (their batch statistics are those of the pooled
//! map). Each block ends with spatial dropout and halves the feature map
//! (28 -> 14 -> 7 -> 3), so full-resolution work is only the first convolution's. The head:
//! `Flatten -> Dense(d) -> BatchNorm -> ReLU -> Dropout -> Dense(10)`.

use serde::{Deserialize, Serialize};
use tch::{Tensor, nn};

use crate::error::invalid;
use crate::layers::dense;
use crate::{KernelInit, N_CLASSES, Result};

/// Side of the input images, in pixels.
pub const IMAGE_SIDE: i64 = 28;

/// Most blocks the network accepts: four poolings take 28 pixels down to one.
pub const MAX_BLOCKS: usize = 4;

/// Settings of [`Cnn`]. Defaults are `configs/cnn.toml`'s network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CnnConfig {
    /// One list per block: the output channels of each of its convolutions, in order.
    /// Every block ends with a 2x2 max-pool.
    pub blocks: Vec<Vec<i64>>,
    /// Side of the square convolution kernels, odd (zero padding keeps the map's size).
    pub kernel_size: i64,
    /// Dropout rate after each block's pooling, in `[0, 1)`.
    pub block_dropout: f64,
    /// Width of the hidden dense layer of the head; 0 goes straight to the output layer.
    pub dense: i64,
    /// Dropout rate after the hidden dense layer, in `[0, 1)`.
    pub dense_dropout: f64,
    /// Keras' sense: `running = momentum * running + (1 - momentum) * batch`.
    pub batch_norm_momentum: f64,
    /// Added to the variance before the square root.
    pub batch_norm_epsilon: f64,
    /// Kernel initialiser of convolutions and dense layers; dense biases start at zero.
    pub kernel_init: KernelInit,
}

impl Default for CnnConfig {
    fn default() -> Self {
        CnnConfig {
            blocks: vec![vec![32], vec![64]],
            kernel_size: 3,
            block_dropout: 0.0,
            dense: 256,
            dense_dropout: 0.3,
            batch_norm_momentum: 0.9,
            batch_norm_epsilon: 1e-3,
            kernel_init: KernelInit::GlorotUniform,
        }
    }
}

impl CnnConfig {
    /// Checks block layout, sizes and rates; the error names the offending key.
    pub fn validate(&self) -> Result<()> {
        let widths_ok = self.blocks.iter().all(|b| !b.is_empty() && b.iter().all(|&w| w >= 1));
        if self.blocks.is_empty() || self.blocks.len() > MAX_BLOCKS || !widths_ok {
            let expected = "1 to 4 blocks, each a non-empty list of channel counts >= 1";
            return Err(invalid("model.cnn.blocks", &self.blocks, expected));
        }
        let k = self.kernel_size;
        if k < 1 || k % 2 == 0 || k > IMAGE_SIDE {
            return Err(invalid("model.cnn.kernel_size", &k, "an odd size from 1 to 27"));
        }
        for (field, rate) in [
            ("model.cnn.block_dropout", self.block_dropout),
            ("model.cnn.dense_dropout", self.dense_dropout),
        ] {
            if !(0.0..1.0).contains(&rate) {
                return Err(invalid(field, &rate, "a rate in [0, 1)"));
            }
        }
        if self.dense < 0 {
            return Err(invalid("model.cnn.dense", &self.dense, "a width >= 0 (0 = none)"));
        }
        let momentum = self.batch_norm_momentum;
        if !(0.0..1.0).contains(&momentum) {
            let field = "model.cnn.batch_norm_momentum";
            return Err(invalid(field, &momentum, "a Keras momentum in [0, 1)"));
        }
        if self.batch_norm_epsilon.is_nan() || self.batch_norm_epsilon <= 0.0 {
            let field = "model.cnn.batch_norm_epsilon";
            return Err(invalid(field, &self.batch_norm_epsilon, "a positive number"));
        }
        Ok(())
    }

    /// Values per example entering the head: channels x side x side after the last pooling.
    pub fn flat_features(&self) -> i64 {
        let side = u32::try_from(self.blocks.len())
            .ok()
            .and_then(|blocks| IMAGE_SIDE.checked_shr(blocks))
            .unwrap_or(0);
        let channels = self.blocks.last().and_then(|b| b.last()).copied().unwrap_or(1);
        channels * side * side
    }

    fn norm_config(&self) -> nn::BatchNormConfig {
        nn::BatchNormConfig {
            eps: self.batch_norm_epsilon,
            // libtorch weighs the new batch by `momentum`; Keras weighs the old average.
            momentum: 1.0 - self.batch_norm_momentum,
            ..Default::default()
        }
    }
}

/// Convolution (no bias: the batch norm after it has one) and its batch norm.
#[derive(Debug)]
struct ConvUnit {
    conv: nn::Conv2D,
    norm: nn::BatchNorm,
}

/// The network. Variables are named `block{b}.conv{c}.{conv,norm}.*`, `head.dense.*`,
/// `head.norm.*` and `out.*`.
#[derive(Debug)]
pub struct Cnn {
    blocks: Vec<Vec<ConvUnit>>,
    head: Option<(nn::Linear, nn::BatchNorm)>,
    out: nn::Linear,
    block_dropout: f64,
    dense_dropout: f64,
}

impl Cnn {
    /// Creates the network's variables under `path`.
    pub fn new(path: &nn::Path, config: &CnnConfig) -> Result<Cnn> {
        config.validate()?;
        let mut in_channels = 1;
        let mut blocks = Vec::with_capacity(config.blocks.len());
        for (b, widths) in config.blocks.iter().enumerate() {
            let mut units = Vec::with_capacity(widths.len());
            for (c, &width) in widths.iter().enumerate() {
                let scope = path / format!("block{b}") / format!("conv{c}");
                units.push(conv_unit(&scope, in_channels, width, config));
                in_channels = width;
            }
            blocks.push(units);
        }
        let mut fan_in = config.flat_features();
        let head = (config.dense > 0).then(|| {
            let scope = path / "head";
            let dense = dense(&(&scope / "dense"), fan_in, config.dense, config.kernel_init);
            fan_in = config.dense;
            (dense, nn::batch_norm1d(&scope / "norm", config.dense, config.norm_config()))
        });
        let out = dense(&(path / "out"), fan_in, N_CLASSES, config.kernel_init);
        let (block_dropout, dense_dropout) = (config.block_dropout, config.dense_dropout);
        Ok(Cnn { blocks, head, out, block_dropout, dense_dropout })
    }
}

fn conv_unit(path: &nn::Path, in_channels: i64, width: i64, config: &CnnConfig) -> ConvUnit {
    let k = config.kernel_size;
    let conv_config = nn::ConvConfig {
        padding: k / 2,
        bias: false,
        ws_init: config.kernel_init.for_conv(in_channels, width, k),
        ..Default::default()
    };
    ConvUnit {
        conv: nn::conv2d(path / "conv", in_channels, width, k, conv_config),
        norm: nn::batch_norm2d(path / "norm", width, config.norm_config()),
    }
}

impl nn::ModuleT for Cnn {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        // A channels-last view of the same memory (free for one channel): oneDNN then keeps
        // every feature map channels-last, which is several times faster on CPU than NCHW
        // with its reorders around each convolution.
        let mut xs = xs.view([-1, IMAGE_SIDE, IMAGE_SIDE, 1]).permute([0, 3, 1, 2]);
        for units in &self.blocks {
            let last = units.len() - 1;
            for (index, unit) in units.iter().enumerate() {
                xs = xs.apply(&unit.conv);
                if index == last {
                    // Pooling before the norm and the ReLU hands them a quarter of the values.
                    xs = xs.max_pool2d_default(2);
                }
                xs = xs.apply_t(&unit.norm, train).relu();
            }
            // Whole feature maps are dropped (spatial dropout): one draw per channel.
            xs = xs.feature_dropout(self.block_dropout, train);
        }
        xs = xs.flatten(1, -1);
        if let Some((dense, norm)) = &self.head {
            xs = xs.apply(dense).apply_t(norm, train).relu().dropout(self.dense_dropout, train);
        }
        xs.apply(&self.out)
    }
}
