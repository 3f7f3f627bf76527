//! The in-memory data types: [`Dataset`], [`FashionMnist`] and where the data came from
//! ([`Provenance`]), plus the class names and image constants.

use crate::error::{DataError, Result};

/// Number of classes.
pub const N_CLASSES: usize = 10;
/// Side of a square image, in pixels.
pub const IMAGE_SIDE: usize = 28;
/// Pixels in one image (28 x 28), the length of one flattened row of [`Dataset::images`].
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;
/// Class names, indexed by label.
pub const CLASS_NAMES: [&str; N_CLASSES] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// `n` images as `f32` in `[0, 1]`, row-major `n x 784`, and their labels `0..=9`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Pixels, image after image, each image row after row.
    pub images: Vec<f32>,
    /// One label per image.
    pub labels: Vec<u8>,
}

impl Dataset {
    /// Builds a dataset from raw 0-255 pixels (`n x 784`) and labels, scaling pixels to `[0, 1]`.
    ///
    /// `images_name` and `labels_name` say where the two came from, for error messages.
    pub fn from_u8_pixels(
        pixels: &[u8],
        labels: Vec<u8>,
        images_name: &str,
        labels_name: &str,
    ) -> Result<Self> {
        let images = pixels.iter().map(|&p| f32::from(p) / 255.0).collect();
        Self::from_f32_pixels(images, labels, images_name, labels_name)
    }

    /// Builds a dataset from pixels already in `[0, 1]` (`n x 784`) and labels, checking the
    /// pixel count, the label count and the label range (pixel values are not checked).
    pub fn from_f32_pixels(
        images: Vec<f32>,
        labels: Vec<u8>,
        images_name: &str,
        labels_name: &str,
    ) -> Result<Self> {
        if !images.len().is_multiple_of(IMAGE_PIXELS) {
            return Err(DataError::ImageShape {
                source_name: images_name.to_owned(),
                found: format!("{} pixels in all, not a multiple of 784", images.len()),
                expected: "n x 28 x 28 pixels".to_owned(),
            });
        }
        let n_images = images.len() / IMAGE_PIXELS;
        if n_images != labels.len() {
            return Err(DataError::CountMismatch {
                images: images_name.to_owned(),
                n_images,
                labels: labels_name.to_owned(),
                n_labels: labels.len(),
            });
        }
        check_labels(&labels, labels_name)?;
        Ok(Dataset { images, labels })
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The 784 pixels of image `i`.
    ///
    /// # Panics
    ///
    /// When `i >= self.len()`, like slice indexing.
    pub fn image(&self, i: usize) -> &[f32] {
        &self.images[i * IMAGE_PIXELS..(i + 1) * IMAGE_PIXELS]
    }

    /// A new dataset holding the images at `indices`, in that order.
    ///
    /// # Panics
    ///
    /// When an index is out of range, like slice indexing.
    pub fn select(&self, indices: &[usize]) -> Dataset {
        let mut images = Vec::with_capacity(indices.len() * IMAGE_PIXELS);
        for &i in indices {
            images.extend_from_slice(self.image(i));
        }
        let labels = indices.iter().map(|&i| self.labels[i]).collect();
        Dataset { images, labels }
    }
}

/// Fails on the first label that is not a class index.
fn check_labels(labels: &[u8], labels_name: &str) -> Result<()> {
    match labels.iter().position(|&l| usize::from(l) >= N_CLASSES) {
        Some(index) => Err(DataError::LabelOutOfRange {
            source_name: labels_name.to_owned(),
            index,
            value: i128::from(labels[index]),
        }),
        None => Ok(()),
    }
}

/// The official train and test sets, and where they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct FashionMnist {
    /// The 60,000 training images (split it with [`crate::stratified_split`]).
    pub train: Dataset,
    /// The 10,000 test images, in the official order.
    pub test: Dataset,
    /// Where the data came from.
    pub provenance: Provenance,
}

/// Where the data came from, for logs and MLflow params.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// Human-readable source, e.g. `mirror folder /data/fmnist` or `cache /home/me/.cache/...`.
    pub source: String,
    /// Every file that was read, with its SHA-256.
    pub files: Vec<SourceFile>,
}

/// One file that was read, and its SHA-256 (lower-case hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// File name, without its folder.
    pub name: String,
    /// SHA-256 of the file's bytes as stored (compressed if it was compressed).
    pub sha256: String,
}

impl Provenance {
    /// Flat `(key, value)` pairs for run parameters: `data.source` and one
    /// `data.sha256.<file name>` per file.
    pub fn params(&self) -> Vec<(String, String)> {
        let mut params = vec![("data.source".to_owned(), self.source.clone())];
        for file in &self.files {
            params.push((format!("data.sha256.{}", file.name), file.sha256.clone()));
        }
        params
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_images() -> Dataset {
        let mut pixels = vec![0u8; 2 * IMAGE_PIXELS];
        pixels[IMAGE_PIXELS] = 255;
        pixels[IMAGE_PIXELS + 1] = 51;
        Dataset::from_u8_pixels(&pixels, vec![3, 9], "imgs", "labs").unwrap()
    }

    #[test]
    fn pixels_are_scaled_to_unit_range() {
        let data = two_images();
        assert_eq!(data.len(), 2);
        assert_eq!(data.image(1)[0], 1.0);
        assert_eq!(data.image(1)[1], 0.2);
        assert_eq!(data.image(0).iter().sum::<f32>(), 0.0);
    }

    #[test]
    fn select_reorders_images_and_labels() {
        let data = two_images();
        let picked = data.select(&[1, 0, 1]);
        assert_eq!(picked.labels, vec![9, 3, 9]);
        assert_eq!(picked.image(0), data.image(1));
        assert_eq!(picked.image(1), data.image(0));
        assert!(data.select(&[]).is_empty());
    }

    #[test]
    fn count_mismatch_names_both_sources() {
        let err = Dataset::from_u8_pixels(&[0; IMAGE_PIXELS], vec![1, 2], "imgs", "labs");
        let msg = err.unwrap_err().to_string();
        assert_eq!(msg, "image/label count mismatch: imgs holds 1 images but labs holds 2 labels");
    }

    #[test]
    fn label_ten_is_refused() {
        let err = Dataset::from_u8_pixels(&[0; IMAGE_PIXELS], vec![10], "imgs", "labs");
        assert_eq!(err.unwrap_err().to_string(), "labs: label 10 at index 0 is outside 0-9");
    }

    #[test]
    fn params_list_source_then_files() {
        let provenance = Provenance {
            source: "cache /c".to_owned(),
            files: vec![SourceFile { name: "a.gz".to_owned(), sha256: "ff".to_owned() }],
        };
        let params = provenance.params();
        assert_eq!(params[0], ("data.source".to_owned(), "cache /c".to_owned()));
        assert_eq!(params[1], ("data.sha256.a.gz".to_owned(), "ff".to_owned()));
    }
}
