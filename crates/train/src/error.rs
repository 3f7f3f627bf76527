//! The error type of this crate.

/// What can stop a fit.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// A config value is outside what training accepts.
    #[error("train config `{field}` is {found}, expected {expected}")]
    InvalidConfig {
        /// The config key, for example `train.batch_size`.
        field: &'static str,
        /// The value found.
        found: String,
        /// What would have been accepted.
        expected: &'static str,
    },
    /// Inputs and labels disagree, or a split is empty.
    #[error("{what}: found {found}, expected {expected}")]
    BadData {
        /// Which tensor, for example `validation labels`.
        what: &'static str,
        /// What was found.
        found: String,
        /// What was expected.
        expected: String,
    },
    /// A loss stopped being a finite number: the weights blew up.
    #[error(
        "training diverged in epoch {epoch}: the {which} loss is {loss}, expected a finite \
         number (try a lower train.adam.learning_rate)"
    )]
    Diverged {
        /// 1-based epoch whose loss was not finite.
        epoch: usize,
        /// `training` or `validation`.
        which: &'static str,
        /// The loss found.
        loss: f64,
    },
    /// The caller asked to stop (for example on Ctrl-C) during the given epoch.
    #[error("training interrupted during epoch {epoch}")]
    Interrupted {
        /// 1-based epoch that was running.
        epoch: usize,
    },
    /// The per-epoch callback failed (for example, tracking could not record the epoch).
    #[error("after epoch {epoch}: {source}")]
    Callback {
        /// 1-based epoch whose figures were being handed over.
        epoch: usize,
        /// What the callback reported.
        source: BoxError,
    },
    /// libtorch refused an operation.
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
}

/// The error a per-epoch callback may return.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// `Result` with [`TrainError`].
pub type Result<T, E = TrainError> = std::result::Result<T, E>;
