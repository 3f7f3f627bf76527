//! Which model to build, as plain serde data.

use serde::{Deserialize, Serialize};

use crate::{CnnConfig, MlpConfig, Result};

/// The architectures this crate can build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// The reference two-hidden-layer perceptron, [`crate::Mlp`].
    #[default]
    Mlp,
    /// The small convolutional network, [`crate::Cnn`].
    Cnn,
}

impl ModelKind {
    /// Short lower-case name, used as the prefix of a run's artifacts (`PRED_mlp.dat`).
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Mlp => "mlp",
            ModelKind::Cnn => "cnn",
        }
    }
}

/// The `[model]` section of a config: the chosen `kind` and one section per architecture.
///
/// Only the section of the chosen kind is used; the others keep their defaults.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelConfig {
    /// Which architecture to build.
    pub kind: ModelKind,
    /// Settings of [`crate::Mlp`], used when `kind = "mlp"`.
    pub mlp: MlpConfig,
    /// Settings of [`crate::Cnn`], used when `kind = "cnn"`.
    pub cnn: CnnConfig,
}

impl ModelConfig {
    /// Checks the chosen architecture's settings (ranges serde cannot express).
    pub fn validate(&self) -> Result<()> {
        match self.kind {
            ModelKind::Mlp => self.mlp.validate(),
            ModelKind::Cnn => self.cnn.validate(),
        }
    }
}
