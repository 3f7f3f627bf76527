//! Fashion-MNIST from the reference's pickle files, read without executing anything.
//!
//! Two layouts are accepted (and detected): one object `((x_train, y_train), (x_test,
//! y_test))`, or four consecutive pickles `x_train`, `y_train`, `x_test`, `y_test` in one file.
//! The file may be gzip-compressed. Items are numpy arrays (numpy 1.x or 2.x, protocols 2-5,
//! C or Fortran order, either byte order; uint8 or other integer images with values 0-255 or
//! float32/float64 images in `[0, 1]`; labels of any integer dtype) or nested lists of ints.
//!
//! The pipeline: [`rewrite`] cuts the file into pickles and rewrites each into plain data,
//! refusing any global outside the numpy allow-list; serde-pickle decodes the values; [`numpy`]
//! interprets arrays; [`convert`] turns them into pixels and labels.

mod convert;
mod numpy;
mod opcodes;
mod rewrite;
mod shadow;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::Path;

use serde_pickle::{DeOptions, Value};

use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use crate::idx::decompress_if_gzip;
use convert::Item;

/// How the four arrays were laid out in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickleLayout {
    /// One pickled object `((x_train, y_train), (x_test, y_test))`.
    OneObject,
    /// Four pickles one after another: `x_train`, `y_train`, `x_test`, `y_test`.
    FourPickles,
}

impl fmt::Display for PickleLayout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PickleLayout::OneObject => "one object ((x_train, y_train), (x_test, y_test))",
            PickleLayout::FourPickles => "four consecutive pickles",
        })
    }
}

/// What a pickle file held.
#[derive(Debug, Clone, PartialEq)]
pub struct PickleData {
    /// Training images and labels.
    pub train: Dataset,
    /// Test images and labels, in the file's order.
    pub test: Dataset,
    /// The layout that was found.
    pub layout: PickleLayout,
}

/// Reads a pickle file (plain or gzip) holding Fashion-MNIST in either layout. Nothing in the
/// file is executed: globals other than those numpy arrays need are refused. The path is used
/// as it is; [`crate::load`] is what maps `dbfs:/` paths.
pub fn read_pickle(path: &Path) -> Result<PickleData> {
    let bytes = std::fs::read(path).map_err(|e| DataError::io("read", path, e))?;
    parse_pickle(&bytes, path)
}

/// Parses the bytes of a pickle file; `path` is only used in messages.
pub(crate) fn parse_pickle(bytes: &[u8], path: &Path) -> Result<PickleData> {
    let content = decompress_if_gzip(bytes, path)?;
    if content.is_empty() {
        let detail = "the file is empty".to_owned();
        return Err(DataError::PickleMalformed { path: path.to_owned(), offset: 0, detail });
    }
    let values = decode(&rewrite::rewrite_all(&content, path)?, path)?;
    drop(content);
    let (layout, [x_train, y_train, x_test, y_test]) = split_layout(values, path)?;
    let train = dataset(&x_train, &y_train, path, ["x_train", "y_train"])?;
    let test = dataset(&x_test, &y_test, path, ["x_test", "y_test"])?;
    Ok(PickleData { train, test, layout })
}

/// Decodes each rewritten pickle with serde-pickle.
fn decode(pickles: &[Vec<u8>], path: &Path) -> Result<Vec<Value>> {
    let decode_one = |pickle: &Vec<u8>| {
        serde_pickle::value_from_slice(pickle, DeOptions::new())
            .map_err(|source| DataError::PickleDecode { path: path.to_owned(), source })
    };
    pickles.iter().map(decode_one).collect()
}

/// The four items, in the order `x_train`, `y_train`, `x_test`, `y_test`.
fn split_layout(mut values: Vec<Value>, path: &Path) -> Result<(PickleLayout, [Value; 4])> {
    let layout_error = |found: String| DataError::PickleLayout { path: path.to_owned(), found };
    if values.len() == 4 {
        let items = <[Value; 4]>::try_from(values)
            .map_err(|v| layout_error(format!("{} pickles", v.len())))?;
        return Ok((PickleLayout::FourPickles, items));
    }
    let (Some(single), true) = (values.pop(), values.is_empty()) else {
        return Err(layout_error(format!("{} pickles", values.len() + 1)));
    };
    let described = numpy::describe(&single);
    match pairs(single) {
        Some(items) => Ok((PickleLayout::OneObject, items)),
        None => Err(layout_error(format!("one pickle holding {described}"))),
    }
}

/// `[a, b, c, d]` from `((a, b), (c, d))` (tuples or lists).
fn pairs(value: Value) -> Option<[Value; 4]> {
    let [train, test] = <[Value; 2]>::try_from(sequence(value)?).ok()?;
    let [a, b] = <[Value; 2]>::try_from(sequence(train)?).ok()?;
    let [c, d] = <[Value; 2]>::try_from(sequence(test)?).ok()?;
    Some([a, b, c, d])
}

fn sequence(value: Value) -> Option<Vec<Value>> {
    match value {
        Value::Tuple(items) | Value::List(items) => Some(items),
        _ => None,
    }
}

/// One images/labels pair as a [`Dataset`].
fn dataset(
    images: &Value,
    labels: &Value,
    path: &Path,
    names: [&'static str; 2],
) -> Result<Dataset> {
    let image_item = Item { path, name: names[0] };
    let label_item = Item { path, name: names[1] };
    let image_array = numpy::array(images).map_err(|detail| image_item.error(detail))?;
    let pixels = convert::images(&image_array, &image_item)?;
    let label_array = numpy::array(labels).map_err(|detail| label_item.error(detail))?;
    let labels = convert::labels(&label_array, &label_item)?;
    Dataset::from_f32_pixels(pixels, labels, &image_item.source_name(), &label_item.source_name())
}
