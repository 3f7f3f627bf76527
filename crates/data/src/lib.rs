//! Fashion-MNIST for the `fmnist` workspace, in plain Rust types: find the official files,
//! verify them, parse them and split them. No libtorch here; turning a [`Dataset`] into a
//! tensor is the caller's business.
//!
//! # Reading order
//!
//! 1. [`load`] with [`DataOptions`] gives a [`FashionMnist`]: the official train and test sets
//!    plus a [`Provenance`] (where the data came from, with the SHA-256 of every file).
//! 2. [`Dataset`] holds `n` images as `f32` in `[0, 1]` (row-major `n x 784`) and their labels;
//!    [`CLASS_NAMES`] names the labels.
//! 3. [`stratified_split`] turns the training labels into a seeded [`Split`] (train and
//!    validation indices); [`Dataset::select`] applies it.
//! 4. [`read_idx_images`] and [`read_idx_labels`] are the IDX parsers underneath, usable on
//!    their own (gzip or raw files); [`read_idx_pair`] reads any image/label pair.
//! 5. [`read_pickle`] reads the reference pipeline's pickle files (both layouts, see
//!    [`PickleLayout`]) without executing anything; [`load`] uses it when `path` is a file.
//! 6. [`DataError`] is the one error type.
//!
//! # Where the data comes from
//!
//! [`load`] takes the first of: an explicit `path` (a folder with the four official files, or
//! a pickle file); a `mirror` (a local folder, or an `http(s)://` base URL holding the four
//! files; filled from `FASHION_MNIST_MIRROR` by [`DataOptions::with_env`]); the verified files
//! already in `cache_dir`; a download from the official distribution into `cache_dir`. Every
//! official file's SHA-256 must equal the official one ([`OFFICIAL_FILES`]). Downloads go to a
//! temporary file in the cache folder and are renamed only once verified, so the cache never
//! holds a partial or wrong file. Local folders are read in place, not copied into the cache.
//! Paths spelled `dbfs:/x` (Databricks) are read through the local mount
//! `<DataOptions::dbfs_root>/x` (`/dbfs/x` by default).
//!
//! # Pickle files
//!
//! A pickle is untrusted input: Python's loader may run any code it names. [`read_pickle`]
//! cuts the file into opcodes, refuses every global except the few numpy arrays need (such as
//! `numpy.dtype`; `os.system` is refused before anything else happens), rewrites calls into
//! plain tuples, lets serde-pickle decode the values, and interprets numpy's dtype, shape,
//! order and raw bytes itself. Nothing is ever called.
//!
//! # Example
//!
//! ```no_run
//! use fmnist_data::{CLASS_NAMES, DataOptions, load, stratified_split};
//!
//! let data = load(&DataOptions::default().with_env())?;
//! let split = stratified_split(&data.train.labels, 0.1, 42)?;
//! let (train, validation) = (data.train.select(&split.train), data.train.select(&split.validation));
//! println!("{} train, {} validation, {} test", train.len(), validation.len(), data.test.len());
//! println!("first test image is a {}", CLASS_NAMES[usize::from(data.test.labels[0])]);
//! println!("source: {}", data.provenance.source);
//! # Ok::<(), fmnist_data::DataError>(())
//! ```
//!
//! Splitting is pure and needs no files:
//!
//! ```
//! let labels = [0u8, 1, 0, 1, 0, 1, 0, 1, 0, 1];
//! let split = fmnist_data::stratified_split(&labels, 0.2, 7)?;
//! assert_eq!((split.train.len(), split.validation.len()), (8, 2));
//! # Ok::<(), fmnist_data::DataError>(())
//! ```

mod dataset;
mod dbfs;
mod download;
mod error;
mod idx;
mod official;
mod options;
mod pickle;
mod sources;
mod split;

pub use crate::dataset::{
    CLASS_NAMES, Dataset, FashionMnist, IMAGE_PIXELS, IMAGE_SIDE, N_CLASSES, Provenance, SourceFile,
};
pub use crate::error::{DataError, Result};
pub use crate::idx::{
    IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, IdxImages, read_idx_images, read_idx_labels, read_idx_pair,
};
pub use crate::official::{
    OFFICIAL_BASE_URL, OFFICIAL_FILES, OfficialFile, TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES,
    TRAIN_LABELS, sha256_hex,
};
pub use crate::options::{DEFAULT_DBFS_ROOT, DataOptions, MIRROR_ENV};
pub use crate::pickle::{PickleData, PickleLayout, read_pickle};
pub use crate::sources::load;
pub use crate::split::{Split, stratified_split};
