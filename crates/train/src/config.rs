//! The `[train]` section of a config.

use serde::{Deserialize, Serialize};

use crate::{AugmentConfig, LinearDecayConfig, Result, TrainError};

/// Everything a fit needs besides the model and the data. Defaults are the reference's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainConfig {
    /// Upper bound on epochs; early stopping may end sooner.
    pub epochs: usize,
    /// Rows per optimisation step. The last batch of an epoch may be smaller.
    pub batch_size: usize,
    /// Rows per forward pass when evaluating (memory only; results do not depend on it).
    pub eval_batch_size: usize,
    /// The optimiser.
    pub adam: AdamConfig,
    /// Learning-rate schedule on the validation loss.
    pub reduce_lr: ReduceLrConfig,
    /// Early stopping on the validation loss.
    pub early_stopping: EarlyStoppingConfig,
    /// Step-by-step linear decay of the learning rate (instead of `reduce_lr`).
    pub linear_decay: LinearDecayConfig,
    /// Augmentation of training batches (off by default).
    pub augment: AugmentConfig,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 20,
            batch_size: 256,
            eval_batch_size: 4096,
            adam: AdamConfig::default(),
            reduce_lr: ReduceLrConfig::default(),
            early_stopping: EarlyStoppingConfig::default(),
            linear_decay: LinearDecayConfig::default(),
            augment: AugmentConfig::default(),
        }
    }
}

/// Adam. Keras' defaults, which differ from PyTorch's in `epsilon` (1e-7, not 1e-8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdamConfig {
    /// Initial learning rate.
    pub learning_rate: f64,
    /// Decay of the first-moment estimate.
    pub beta1: f64,
    /// Decay of the second-moment estimate.
    pub beta2: f64,
    /// Added to the denominator for stability.
    pub epsilon: f64,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig { learning_rate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }
    }
}

/// Keras' `ReduceLROnPlateau` watching the validation loss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReduceLrConfig {
    /// Off: the learning rate stays constant.
    pub enabled: bool,
    /// New rate = old rate x factor.
    pub factor: f64,
    /// Epochs without improvement before a cut.
    pub patience: usize,
    /// The rate never goes below this.
    pub min_lr: f64,
    /// An improvement must beat the best loss by more than this (absolute). Keras: 1e-4.
    pub min_delta: f64,
    /// Epochs after a cut during which waiting is suspended. Keras: 0.
    pub cooldown: usize,
}

impl Default for ReduceLrConfig {
    fn default() -> Self {
        ReduceLrConfig {
            enabled: true,
            factor: 0.5,
            patience: 2,
            min_lr: 1e-6,
            min_delta: 1e-4,
            cooldown: 0,
        }
    }
}

/// Keras' `EarlyStopping` watching the validation loss, always restoring the best weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EarlyStoppingConfig {
    /// Off: train for all `epochs` (the best weights are still restored when
    /// `restore_best_weights` is on).
    pub enabled: bool,
    /// Epochs without improvement before stopping.
    pub patience: usize,
    /// An improvement must beat the best loss by more than this. Keras: 0.
    pub min_delta: f64,
    /// Restore the weights of the best epoch when training ends, however it ends.
    pub restore_best_weights: bool,
}

impl Default for EarlyStoppingConfig {
    fn default() -> Self {
        EarlyStoppingConfig {
            enabled: true,
            patience: 5,
            min_delta: 0.0,
            restore_best_weights: true,
        }
    }
}

impl TrainConfig {
    /// Checks ranges that serde cannot express.
    pub fn validate(&self) -> Result<()> {
        check(self.epochs >= 1, "train.epochs", self.epochs, "at least 1")?;
        check(self.batch_size >= 1, "train.batch_size", self.batch_size, "at least 1")?;
        let eval = self.eval_batch_size;
        check(eval >= 1, "train.eval_batch_size", eval, "at least 1")?;
        let lr = self.adam.learning_rate;
        check(lr > 0.0 && lr.is_finite(), "train.adam.learning_rate", lr, "a positive number")?;
        let eps = self.adam.epsilon;
        check(eps > 0.0 && eps.is_finite(), "train.adam.epsilon", eps, "a positive number")?;
        let beta1 = self.adam.beta1;
        check((0.0..1.0).contains(&beta1), "train.adam.beta1", beta1, "in [0, 1)")?;
        let beta2 = self.adam.beta2;
        check((0.0..1.0).contains(&beta2), "train.adam.beta2", beta2, "in [0, 1)")?;
        let factor = self.reduce_lr.factor;
        check(factor > 0.0 && factor < 1.0, "train.reduce_lr.factor", factor, "in (0, 1)")?;
        let min_lr = self.reduce_lr.min_lr;
        check(min_lr >= 0.0, "train.reduce_lr.min_lr", min_lr, "zero or more")?;
        let decay = &self.linear_decay;
        let both = decay.enabled && self.reduce_lr.enabled;
        let found = "true while train.reduce_lr.enabled is true";
        check(!both, "train.linear_decay.enabled", found, "one schedule at a time")?;
        let final_lr = decay.final_lr;
        let in_range = (0.0..=lr).contains(&final_lr);
        check(in_range, "train.linear_decay.final_lr", final_lr, "in [0, adam.learning_rate]")?;
        Ok(())
    }
}

fn check(
    ok: bool,
    field: &'static str,
    found: impl ToString,
    expected: &'static str,
) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(TrainError::InvalidConfig { field, found: found.to_string(), expected })
    }
}
