//! Input checks shared by the metric functions: shapes, label ranges and finiteness.
//!
//! Each check returns a [`ReportError`] naming the input, so callers never panic on bad data.

use crate::error::{ReportError, Result};

/// Checks that `found` equals `n_rows * n_cols` for a row-major matrix called `input`.
pub(crate) fn matrix_len(
    input: &'static str,
    found: usize,
    n_rows: usize,
    n_cols: usize,
) -> Result<()> {
    let expected = n_rows * n_cols;
    if found == expected {
        return Ok(());
    }
    let shape = format!("n x classes = {n_rows} x {n_cols}");
    Err(ReportError::Length { input, found, expected, shape })
}

/// Checks that two parallel arrays have the same length.
pub(crate) fn same_len(input: &'static str, found: usize, expected: usize) -> Result<()> {
    if found == expected {
        return Ok(());
    }
    let shape = "one entry per label".to_string();
    Err(ReportError::Length { input, found, expected, shape })
}

/// Checks that `input` has at least one element.
pub(crate) fn not_empty(input: &'static str, len: usize, item: &'static str) -> Result<()> {
    if len == 0 { Err(ReportError::Empty { input, item }) } else { Ok(()) }
}

/// Checks that every label is below `n_classes`.
pub(crate) fn labels_in_range(input: &'static str, labels: &[u8], n_classes: usize) -> Result<()> {
    match labels.iter().position(|&label| usize::from(label) >= n_classes) {
        None => Ok(()),
        Some(index) => {
            let label = labels[index];
            Err(ReportError::LabelOutOfRange { input, index, label, n_classes })
        }
    }
}

/// Checks that every value is finite.
pub(crate) fn finite<T: Copy + Into<f64>>(input: &'static str, values: &[T]) -> Result<()> {
    match values.iter().position(|&value| !value.into().is_finite()) {
        None => Ok(()),
        Some(index) => {
            let value = values[index].into();
            Err(ReportError::NonFinite { input, index, value })
        }
    }
}

/// Checks that the number of classes is usable with `u8` labels.
pub(crate) fn class_count(n_classes: usize) -> Result<()> {
    if (2..=256).contains(&n_classes) {
        return Ok(());
    }
    Err(ReportError::Argument {
        input: "n_classes",
        found: n_classes.to_string(),
        expected: "2 to 256 classes".to_string(),
    })
}

/// Checks a matrix of per-class scores against its labels: shape, range, finiteness.
pub(crate) fn scores<T: Copy + Into<f64>>(
    input: &'static str,
    values: &[T],
    labels: &[u8],
    n_classes: usize,
) -> Result<()> {
    class_count(n_classes)?;
    not_empty("labels", labels.len(), "label")?;
    matrix_len(input, values.len(), labels.len(), n_classes)?;
    labels_in_range("labels", labels, n_classes)?;
    finite(input, values)
}
