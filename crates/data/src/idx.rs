//! The IDX format of the MNIST family: a big-endian header (magic, then one `u32` per
//! dimension) followed by unsigned bytes. Files may be gzip-compressed; that is detected from
//! the content (the gzip magic `1f 8b`), not from the file name.

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

use flate2::read::GzDecoder;

use crate::dataset::{Dataset, IMAGE_SIDE};
use crate::error::{DataError, Result};

/// Magic number of an IDX file holding unsigned bytes in 3 dimensions (images).
pub const IDX_IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an IDX file holding unsigned bytes in 1 dimension (labels).
pub const IDX_LABELS_MAGIC: u32 = 0x0000_0801;

/// Refuse to decompress more than this (the largest official file is 47 MB uncompressed).
const MAX_DECOMPRESSED_BYTES: u64 = 1 << 30;
/// The two bytes every gzip stream starts with.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The images of one IDX image file: `count` images of `rows x cols` bytes each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxImages {
    /// Number of images.
    pub count: usize,
    /// Rows per image.
    pub rows: usize,
    /// Columns per image.
    pub cols: usize,
    /// `count * rows * cols` pixels, image after image, row-major, 0-255.
    pub pixels: Vec<u8>,
}

/// Reads an IDX image file (gzip or raw), checking magic, dimensions and size.
pub fn read_idx_images(path: &Path) -> Result<IdxImages> {
    let bytes = std::fs::read(path).map_err(|e| DataError::io("read", path, e))?;
    parse_idx_images(&bytes, path)
}

/// Reads an IDX label file (gzip or raw), checking magic and size.
pub fn read_idx_labels(path: &Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).map_err(|e| DataError::io("read", path, e))?;
    parse_idx_labels(&bytes, path)
}

/// Reads a pair of IDX files into a [`Dataset`]: 28 x 28 images, as many labels as images,
/// labels 0-9. No checksum is checked, so this also reads files other than the official ones.
pub fn read_idx_pair(images: &Path, labels: &Path) -> Result<Dataset> {
    let idx_images = read_idx_images(images)?;
    let idx_labels = read_idx_labels(labels)?;
    dataset_from_idx(idx_images, idx_labels, images, labels)
}

/// Parses the bytes of an IDX image file; `path` is only used in error messages.
pub(crate) fn parse_idx_images(bytes: &[u8], path: &Path) -> Result<IdxImages> {
    let content = decompress_if_gzip(bytes, path)?;
    let dims = parse_header(&content, path, IDX_IMAGES_MAGIC, "ubyte images, 3 dimensions", 3)?;
    let (count, rows, cols) = (dims[0], dims[1], dims[2]);
    let pixels = take_data(content, path, 16, &[count, rows, cols])?;
    Ok(IdxImages { count, rows, cols, pixels })
}

/// Parses the bytes of an IDX label file; `path` is only used in error messages.
pub(crate) fn parse_idx_labels(bytes: &[u8], path: &Path) -> Result<Vec<u8>> {
    let content = decompress_if_gzip(bytes, path)?;
    let dims = parse_header(&content, path, IDX_LABELS_MAGIC, "ubyte labels, 1 dimension", 1)?;
    take_data(content, path, 8, &dims)
}

/// Checks image shape and label count and scales the pixels to `[0, 1]`.
pub(crate) fn dataset_from_idx(
    images: IdxImages,
    labels: Vec<u8>,
    images_path: &Path,
    labels_path: &Path,
) -> Result<Dataset> {
    let images_name = images_path.display().to_string();
    if (images.rows, images.cols) != (IMAGE_SIDE, IMAGE_SIDE) {
        return Err(DataError::ImageShape {
            source_name: images_name,
            found: format!("{} x {} pixels", images.rows, images.cols),
            expected: "28 x 28 pixels".to_owned(),
        });
    }
    let labels_name = labels_path.display().to_string();
    Dataset::from_u8_pixels(&images.pixels, labels, &images_name, &labels_name)
}

/// The decompressed content when `bytes` is gzip, else `bytes` itself.
pub(crate) fn decompress_if_gzip<'a>(bytes: &'a [u8], path: &Path) -> Result<Cow<'a, [u8]>> {
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Ok(Cow::Borrowed(bytes));
    }
    let mut content = Vec::with_capacity(bytes.len() * 2);
    GzDecoder::new(bytes)
        .take(MAX_DECOMPRESSED_BYTES)
        .read_to_end(&mut content)
        .map_err(|source| DataError::Gzip { path: path.to_owned(), source })?;
    Ok(Cow::Owned(content))
}

/// Checks the magic number (as soon as there are four bytes, so a wrong kind of file is named
/// as such even when it is short) and returns the `n_dims` dimensions that follow it.
fn parse_header(
    content: &[u8],
    path: &Path,
    magic: u32,
    kind: &'static str,
    n_dims: usize,
) -> Result<Vec<usize>> {
    let header_len = 4 * (1 + n_dims);
    let words: Vec<u32> = content[..header_len.min(content.len())]
        .chunks_exact(4)
        .map(|w| u32::from_be_bytes([w[0], w[1], w[2], w[3]]))
        .collect();
    if let Some(&found) = words.first().filter(|&&found| found != magic) {
        return Err(DataError::IdxMagic { path: path.to_owned(), kind, expected: magic, found });
    }
    if content.len() < header_len {
        let (path, found) = (path.to_owned(), content.len());
        return Err(DataError::IdxTruncated { path, part: "header", expected: header_len, found });
    }
    Ok(words[1..].iter().map(|&d| d as usize).collect())
}

/// Strips the header and checks that the data is exactly as long as `dims` say.
fn take_data(
    content: Cow<'_, [u8]>,
    path: &Path,
    header_len: usize,
    dims: &[usize],
) -> Result<Vec<u8>> {
    let expected = dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    let found = content.len() - header_len;
    let path = path.to_owned();
    match expected {
        None => Err(DataError::IdxTruncated { path, part: "data", expected: usize::MAX, found }),
        Some(expected) if found < expected => {
            Err(DataError::IdxTruncated { path, part: "data", expected, found })
        }
        Some(expected) if found > expected => {
            Err(DataError::IdxTrailing { path, expected, extra: found - expected })
        }
        Some(_) => {
            let mut data = content.into_owned();
            data.drain(..header_len);
            Ok(data)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(words: &[u32]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_be_bytes()).collect()
    }

    #[test]
    fn raw_labels_parse() {
        let mut bytes = header(&[IDX_LABELS_MAGIC, 3]);
        bytes.extend([7, 0, 9]);
        assert_eq!(parse_idx_labels(&bytes, Path::new("l")).unwrap(), vec![7, 0, 9]);
    }

    #[test]
    fn raw_images_parse_with_dims() {
        let mut bytes = header(&[IDX_IMAGES_MAGIC, 2, 1, 3]);
        bytes.extend([1, 2, 3, 4, 5, 6]);
        let images = parse_idx_images(&bytes, Path::new("i")).unwrap();
        assert_eq!((images.count, images.rows, images.cols), (2, 1, 3));
        assert_eq!(images.pixels, vec![1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn short_header_is_truncated() {
        let err = parse_idx_labels(&[0, 0, 8], Path::new("l")).unwrap_err();
        assert_eq!(err.to_string(), "l is truncated: expected 8 bytes of header, found 3");
    }

    #[test]
    fn overflowing_dims_are_refused() {
        let bytes = header(&[IDX_IMAGES_MAGIC, u32::MAX, u32::MAX, u32::MAX]);
        let err = parse_idx_images(&bytes, Path::new("i")).unwrap_err();
        assert!(matches!(err, DataError::IdxTruncated { part: "data", found: 0, .. }), "{err}");
    }

    #[test]
    fn non_square_images_are_refused_for_a_dataset() {
        let images = IdxImages { count: 1, rows: 2, cols: 2, pixels: vec![0; 4] };
        let err = dataset_from_idx(images, vec![1], Path::new("i"), Path::new("l")).unwrap_err();
        assert_eq!(err.to_string(), "i holds images of 2 x 2 pixels, expected 28 x 28 pixels");
    }
}
