//! Keras' `ReduceLROnPlateau` and `EarlyStopping` as pure state machines.
//!
//! Both watch a loss (lower is better) once per epoch and know nothing about tensors, so
//! they are tested with scripted loss sequences. They mirror Keras 3's callbacks line for
//! line; see each type for the rule.

use crate::{EarlyStoppingConfig, ReduceLrConfig};

/// Keras' `ReduceLROnPlateau` in `min` mode.
///
/// An epoch improves when `loss < best - min_delta`. After `patience` epochs in a row
/// without improvement the rate is multiplied by `factor` (never below `min_lr`, and only if
/// it is still above `min_lr`), the wait restarts and `cooldown` epochs follow during which
/// no waiting is counted.
#[derive(Debug, Clone)]
pub struct ReduceLrOnPlateau {
    config: ReduceLrConfig,
    best: f64,
    wait: usize,
    cooldown_left: usize,
}

impl ReduceLrOnPlateau {
    /// A schedule with no loss seen yet.
    pub fn new(config: ReduceLrConfig) -> Self {
        ReduceLrOnPlateau { config, best: f64::INFINITY, wait: 0, cooldown_left: 0 }
    }

    /// Feeds the epoch's loss and the rate it was trained with; returns the new rate when
    /// it should change.
    pub fn on_epoch_end(&mut self, loss: f64, lr: f64) -> Option<f64> {
        if !self.config.enabled {
            return None;
        }
        if self.cooldown_left > 0 {
            self.cooldown_left -= 1;
            self.wait = 0;
        }
        if loss < self.best - self.config.min_delta {
            self.best = loss;
            self.wait = 0;
            return None;
        }
        if self.cooldown_left > 0 {
            return None;
        }
        self.wait += 1;
        // Keras compares the current rate with `min_lr` in float32.
        if self.wait < self.config.patience || lr as f32 <= self.config.min_lr as f32 {
            return None;
        }
        self.wait = 0;
        self.cooldown_left = self.config.cooldown;
        Some((lr * self.config.factor).max(self.config.min_lr))
    }
}

/// What [`EarlyStopping`] says after an epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// This epoch is the new best: keep its weights.
    Improved,
    /// No improvement, keep going.
    Continue,
    /// No improvement for `patience` epochs: stop now.
    Stop,
}

/// Keras 3's `EarlyStopping` in `min` mode.
///
/// An epoch improves when `loss + min_delta < best` (the first epoch always does). Every
/// epoch adds one to the wait and an improvement resets it; when the wait reaches
/// `patience` (and this is not the first epoch) training stops.
#[derive(Debug, Clone)]
pub struct EarlyStopping {
    config: EarlyStoppingConfig,
    best: Option<f64>,
    best_epoch: Option<usize>,
    wait: usize,
}

impl EarlyStopping {
    /// A monitor with no loss seen yet.
    pub fn new(config: EarlyStoppingConfig) -> Self {
        EarlyStopping { config, best: None, best_epoch: None, wait: 0 }
    }

    /// Feeds the loss of `epoch` (1-based).
    pub fn on_epoch_end(&mut self, epoch: usize, loss: f64) -> Verdict {
        self.wait += 1;
        let improved = match self.best {
            None => true,
            Some(best) => loss + self.config.min_delta.abs() < best,
        };
        if improved {
            self.best = Some(loss);
            self.best_epoch = Some(epoch);
            self.wait = 0;
            return Verdict::Improved;
        }
        if self.config.enabled && self.wait >= self.config.patience && epoch > 1 {
            Verdict::Stop
        } else {
            Verdict::Continue
        }
    }

    /// The best loss so far.
    pub fn best_loss(&self) -> Option<f64> {
        self.best
    }

    /// The 1-based epoch of the best loss so far.
    pub fn best_epoch(&self) -> Option<usize> {
        self.best_epoch
    }
}
