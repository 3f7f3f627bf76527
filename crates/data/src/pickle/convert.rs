//! Arrays to dataset parts: images (n, 28, 28) or (n, 784) to `f32` pixels in `[0, 1]`, and
//! labels (n,) to class indices, in C (row-major) order whatever the array's storage order.

use std::path::Path;

use super::numpy::{Array, DType, Elements, Kind};
use crate::dataset::{IMAGE_PIXELS, IMAGE_SIDE, N_CLASSES};
use crate::error::{DataError, Result};

/// One of the four items of a pickle (`x_train`, ...), for error messages.
pub(super) struct Item<'p> {
    pub path: &'p Path,
    pub name: &'static str,
}

impl Item<'_> {
    /// `x_train in /data/f.pkl`.
    pub(super) fn source_name(&self) -> String {
        format!("{} in {}", self.name, self.path.display())
    }

    /// A content error about this item.
    pub(super) fn error(&self, detail: String) -> DataError {
        DataError::PickleContent { path: self.path.to_owned(), item: self.name, detail }
    }
}

/// One element, widened.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Number {
    Int(i128),
    Float(f64),
}

/// Pixels in `[0, 1]` from integer (0-255) or float (`[0, 1]`) images.
pub(super) fn images(array: &Array<'_>, item: &Item<'_>) -> Result<Vec<f32>> {
    let (n, three_d) = match array.shape[..] {
        [n, IMAGE_SIDE, IMAGE_SIDE] => (n, true),
        [n, IMAGE_PIXELS] => (n, false),
        _ => {
            let found = format!("{:?}", array.shape);
            return Err(item.error(format!("has shape {found}, expected (n, 28, 28) or (n, 784)")));
        }
    };
    if let Elements::Raw { dtype, fortran: false, bytes } = &array.elements
        && dtype.kind == Kind::UInt
        && dtype.size == 1
    {
        return Ok(bytes.iter().map(|&p| f32::from(p) / 255.0).collect());
    }
    let mut pixels = Vec::with_capacity(n * IMAGE_PIXELS);
    for i in 0..n {
        for p in 0..IMAGE_PIXELS {
            let index = storage_index(array, i, p, n, three_d);
            pixels.push(pixel(element(&array.elements, index), i * IMAGE_PIXELS + p, item)?);
        }
    }
    Ok(pixels)
}

/// Where pixel `p` of image `i` is stored, for C or Fortran order.
fn storage_index(array: &Array<'_>, i: usize, p: usize, n: usize, three_d: bool) -> usize {
    match (&array.elements, three_d) {
        (Elements::Raw { fortran: true, .. }, true) => {
            let (row, col) = (p / IMAGE_SIDE, p % IMAGE_SIDE);
            i + n * (row + IMAGE_SIDE * col)
        }
        (Elements::Raw { fortran: true, .. }, false) => i + n * p,
        _ => i * IMAGE_PIXELS + p,
    }
}

/// One pixel scaled to `[0, 1]`, exactly as the IDX path scales bytes.
fn pixel(number: Number, index: usize, item: &Item<'_>) -> Result<f32> {
    let out_of_range = |value: String, expected| DataError::PixelOutOfRange {
        source_name: item.source_name(),
        index,
        value,
        expected,
    };
    match number {
        Number::Int(v) => match u8::try_from(v) {
            Ok(byte) => Ok(f32::from(byte) / 255.0),
            Err(_) => Err(out_of_range(v.to_string(), "0-255 (integer pixels)")),
        },
        Number::Float(v) if (0.0..=1.0).contains(&v) => Ok(v as f32),
        Number::Float(v) => Err(out_of_range(v.to_string(), "[0, 1] (float pixels)")),
    }
}

/// Class indices from a 1-dimensional integer array.
pub(super) fn labels(array: &Array<'_>, item: &Item<'_>) -> Result<Vec<u8>> {
    let [n] = array.shape[..] else {
        let found = format!("{:?}", array.shape);
        return Err(item.error(format!("has shape {found}, expected (n,)")));
    };
    if let Elements::Raw { dtype, .. } = &array.elements
        && dtype.kind == Kind::Float
    {
        let found = dtype.name();
        return Err(item.error(format!("has dtype {found}, expected an integer dtype")));
    }
    (0..n).map(|i| label(element(&array.elements, i), i, item)).collect()
}

/// One label, checked to be a class index.
fn label(number: Number, index: usize, item: &Item<'_>) -> Result<u8> {
    match number {
        Number::Int(v) if (0..N_CLASSES as i128).contains(&v) => Ok(v as u8),
        Number::Int(value) => {
            Err(DataError::LabelOutOfRange { source_name: item.source_name(), index, value })
        }
        Number::Float(value) => {
            Err(item.error(format!("holds the float label {value}, expected integers")))
        }
    }
}

/// Element `index` (in storage order).
fn element(elements: &Elements<'_>, index: usize) -> Number {
    match elements {
        Elements::Ints(ints) => Number::Int(i128::from(ints[index])),
        Elements::Raw { dtype, bytes, .. } => match dtype.kind {
            Kind::Float => Number::Float(raw_float(bytes, dtype, index)),
            Kind::Int | Kind::UInt => Number::Int(raw_int(bytes, dtype, index).unwrap_or(0)),
        },
    }
}

/// Integer element `index` of a raw buffer (`None` past its end).
pub(super) fn raw_int(bytes: &[u8], dtype: &DType, index: usize) -> Option<i128> {
    let word = raw_word(bytes, dtype, index)?;
    let bits = 8 * dtype.size as u32;
    Some(match dtype.kind {
        Kind::Int => i128::from((word << (64 - bits)) as i64 >> (64 - bits)),
        _ => i128::from(word),
    })
}

/// Float element `index` of a raw float32 or float64 buffer.
fn raw_float(bytes: &[u8], dtype: &DType, index: usize) -> f64 {
    let word = raw_word(bytes, dtype, index).unwrap_or(0);
    match dtype.size {
        4 => f64::from(f32::from_bits(word as u32)),
        _ => f64::from_bits(word),
    }
}

/// The `dtype.size` bytes of element `index` as an unsigned word, in the buffer's byte order.
fn raw_word(bytes: &[u8], dtype: &DType, index: usize) -> Option<u64> {
    let chunk = bytes.get(index * dtype.size..(index + 1) * dtype.size)?;
    let fold = |acc: u64, &b: &u8| (acc << 8) | u64::from(b);
    Some(if dtype.big_endian {
        chunk.iter().fold(0, fold)
    } else {
        chunk.iter().rev().fold(0, fold)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dtype(kind: Kind, size: usize, big_endian: bool) -> DType {
        DType { kind, size, big_endian }
    }

    #[test]
    fn integers_of_every_width_and_order_decode() {
        assert_eq!(raw_int(&[0xfe, 0xff], &dtype(Kind::Int, 2, false), 0), Some(-2));
        assert_eq!(raw_int(&[0xff, 0xfe], &dtype(Kind::Int, 2, true), 0), Some(-2));
        assert_eq!(raw_int(&[0, 0, 0, 7], &dtype(Kind::UInt, 4, true), 0), Some(7));
        assert_eq!(raw_int(&[0xff; 8], &dtype(Kind::UInt, 8, false), 0), Some(u64::MAX.into()));
        assert_eq!(raw_int(&[1, 2], &dtype(Kind::UInt, 1, false), 1), Some(2));
        assert_eq!(raw_int(&[1, 2], &dtype(Kind::UInt, 1, false), 2), None);
    }

    #[test]
    fn floats_decode_in_both_orders() {
        let half = 0.5f32.to_bits();
        assert_eq!(raw_float(&half.to_le_bytes(), &dtype(Kind::Float, 4, false), 0), 0.5);
        assert_eq!(raw_float(&half.to_be_bytes(), &dtype(Kind::Float, 4, true), 0), 0.5);
        let third = (1.0f64 / 3.0).to_be_bytes();
        assert_eq!(raw_float(&third, &dtype(Kind::Float, 8, true), 0), 1.0 / 3.0);
    }

    #[test]
    fn fortran_order_is_read_back_in_row_major_order() {
        // Two 28x28 images stored column-major: element (i, r, c) at i + 2 * (r + 28 * c).
        let mut bytes = vec![0u8; 2 * IMAGE_PIXELS];
        bytes[1 + 2 * (3 + 28 * 5)] = 255; // image 1, row 3, column 5
        let raw = Elements::Raw {
            dtype: dtype(Kind::UInt, 1, false),
            fortran: true,
            bytes: bytes.into(),
        };
        let array = Array { shape: vec![2, 28, 28], elements: raw };
        let item = Item { path: Path::new("f.pkl"), name: "x_train" };
        let pixels = images(&array, &item).unwrap();
        let lit: Vec<usize> = (0..pixels.len()).filter(|&k| pixels[k] > 0.0).collect();
        assert_eq!(lit, vec![IMAGE_PIXELS + 3 * 28 + 5]);
    }
}
