//! The one error type of this crate, [`ReportError`], and its [`Result`] alias.
//!
//! Messages are lower-case, name the input or file at fault and say what was found and what
//! was expected, so a caller can print them as they are.

use std::path::PathBuf;

/// Everything that can go wrong while computing metrics or writing a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A flat array does not have the length its shape implies.
    #[error("{input} has length {found}, expected {expected} ({shape})")]
    Length {
        /// The input at fault, e.g. `test_logits`.
        input: &'static str,
        /// The length that was passed.
        found: usize,
        /// The length the shape implies.
        expected: usize,
        /// The shape in words, e.g. `n x classes = 100 x 10`.
        shape: String,
    },
    /// An input that needs at least one element is empty.
    #[error("{input} is empty, expected at least one {item}")]
    Empty {
        /// The input at fault.
        input: &'static str,
        /// What one element is, e.g. `epoch`.
        item: &'static str,
    },
    /// A label is not a valid class index.
    #[error("{input}[{index}] is {label}, expected a class index below {n_classes}")]
    LabelOutOfRange {
        /// The input at fault.
        input: &'static str,
        /// Position of the bad label.
        index: usize,
        /// The label found there.
        label: u8,
        /// The number of classes.
        n_classes: usize,
    },
    /// A number that must be finite is NaN or infinite.
    #[error("{input}[{index}] is {value}, expected a finite number")]
    NonFinite {
        /// The input at fault.
        input: &'static str,
        /// Position of the bad value.
        index: usize,
        /// The value found there.
        value: f64,
    },
    /// A scalar argument is outside the range the computation accepts.
    #[error("{input} is {found}, expected {expected}")]
    Argument {
        /// The argument at fault, e.g. `n_bins`.
        input: &'static str,
        /// The value passed, rendered as text.
        found: String,
        /// What is accepted.
        expected: String,
    },
    /// Drawing a figure failed inside plotters.
    #[error("drawing {file} failed: {message}")]
    Plot {
        /// The file being drawn.
        file: String,
        /// What plotters reported.
        message: String,
    },
    /// The embedded font could not be parsed.
    #[error("registering the embedded font {family:?} failed: the font bytes are not a valid font")]
    Font {
        /// The family name it was to be registered under.
        family: &'static str,
    },
    /// Encoding a PNG failed.
    #[error("encoding {file} as png failed: {source}")]
    Png {
        /// The file being encoded.
        file: String,
        /// What the png crate reported.
        source: png::EncodingError,
    },
    /// Reading or writing a file failed.
    #[error("writing {path} failed: {source}")]
    Io {
        /// The file or directory at fault.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Serialising the quality numbers to JSON failed.
    #[error("serialising quality.json failed: {0}")]
    Json(#[from] serde_json::Error),
}

/// `Result` with [`ReportError`] as the default error.
pub type Result<T, E = ReportError> = std::result::Result<T, E>;
