//! Training and evaluation of [`tch`] classifiers, with Keras' callback semantics.
//!
//! Read in this order:
//!
//! 1. [`TrainConfig`]: every knob of a fit, plain serde data with the reference's defaults
//!    (Adam 1e-3 with Keras' epsilon 1e-7, batch 256, at most 20 epochs).
//! 2. [`ReduceLrOnPlateau`] and [`EarlyStopping`]: the two callbacks as small pure state
//!    machines fed one validation loss per epoch. They follow Keras 3 exactly (including
//!    `min_delta` and `cooldown`), except that the best weights are restored whenever
//!    training ends, also at the epoch limit.
//! 3. [`Trainer`]: the loop. Each epoch reshuffles the training rows with a seeded ChaCha
//!    generator, slices batches out of one tensor, steps Adam, then evaluates on the
//!    validation rows in eval mode. It reports an [`EpochStats`] per epoch to a callback and
//!    returns the [`History`].
//! 4. [`evaluate`] and [`predict_logits`]: chunked, no-grad, eval-mode passes.
//! 5. [`Augmenter`]: optional random shifts and mirroring of training batches
//!    ([`AugmentConfig`], `[train.augment]`), seeded on its own ([`Trainer::augment_seed`]);
//!    validation and evaluation never see it.
//! 6. [`LinearDecay`]: optionally, a learning rate falling linearly step by step over the
//!    whole fit ([`LinearDecayConfig`], `[train.linear_decay]`) instead of plateau cuts.
//!
//! The training loss and accuracy of an epoch are running averages over its batches with
//! dropout active, as Keras reports them; evaluate the final model for clean numbers.

mod adam;
mod augment;
mod callbacks;
mod config;
mod error;
mod eval;
mod fit;
mod history;
mod schedule;
mod snapshot;

pub use adam::Adam;
pub use augment::{AugmentConfig, Augmenter, Moves, shift_and_flip};
pub use callbacks::{EarlyStopping, ReduceLrOnPlateau, Verdict};
pub use config::{AdamConfig, EarlyStoppingConfig, ReduceLrConfig, TrainConfig};
pub use error::{BoxError, Result, TrainError};
pub use eval::{Evaluation, evaluate, predict_logits};
pub use fit::{Examples, Trainer};
pub use history::{EpochStats, History, StopReason};
pub use schedule::{LinearDecay, LinearDecayConfig};
pub use snapshot::Snapshot;
