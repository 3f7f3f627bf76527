//! The error type of this crate.

/// What can go wrong when building a model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// A config value is outside what the architecture accepts.
    #[error("model config `{field}` is {found}, expected {expected}")]
    InvalidConfig {
        /// The config key, for example `model.mlp.dropout`.
        field: &'static str,
        /// The value found.
        found: String,
        /// What would have been accepted.
        expected: &'static str,
    },
}

/// `Result` with [`ModelError`].
pub type Result<T, E = ModelError> = std::result::Result<T, E>;

/// A [`ModelError::InvalidConfig`] for `field`, showing `found` as Debug.
pub(crate) fn invalid(
    field: &'static str,
    found: &dyn std::fmt::Debug,
    expected: &'static str,
) -> ModelError {
    ModelError::InvalidConfig { field, found: format!("{found:?}"), expected }
}
