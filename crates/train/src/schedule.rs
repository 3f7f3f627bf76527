//! A learning rate that falls linearly, step by step, over the whole fit.
//!
//! With a fixed epoch budget this usually ends better than waiting for plateaus: the rate
//! is large while the loss falls fast and small for the last epochs. It replaces
//! [`crate::ReduceLrOnPlateau`] (the config refuses both at once).

use serde::{Deserialize, Serialize};

/// The `[train.linear_decay]` section. Off by default (the reference waits for plateaus).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LinearDecayConfig {
    /// Decay the rate from `adam.learning_rate` to `final_lr`.
    pub enabled: bool,
    /// The rate the last step of the last epoch would reach.
    pub final_lr: f64,
}

impl Default for LinearDecayConfig {
    fn default() -> Self {
        LinearDecayConfig { enabled: false, final_lr: 0.0 }
    }
}

/// The rate of each optimisation step: `start + (end - start) * step / total_steps`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearDecay {
    start: f64,
    end: f64,
    total_steps: u64,
}

impl LinearDecay {
    /// A decay from `start` to `end` over `total_steps` steps (at least one).
    pub fn new(start: f64, end: f64, total_steps: u64) -> LinearDecay {
        LinearDecay { start, end, total_steps: total_steps.max(1) }
    }

    /// The rate of 0-based step `step`; `end` from `total_steps` on.
    pub fn rate(&self, step: u64) -> f64 {
        let done = step.min(self.total_steps) as f64 / self.total_steps as f64;
        self.start + (self.end - self.start) * done
    }
}
