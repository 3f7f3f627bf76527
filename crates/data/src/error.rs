//! The one error type of this crate, [`DataError`], and its [`Result`] alias.
//!
//! Every message is lower-case, names the file, URL or field at fault, and says what was found
//! and what was expected, so a binary can print it as it is.

use std::path::PathBuf;

/// The result type of this crate.
pub type Result<T, E = DataError> = std::result::Result<T, E>;

/// Everything that can go wrong while finding, fetching, verifying, parsing or splitting data.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    // --- Files and folders -------------------------------------------------------------------
    /// A file could not be read, written or renamed.
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        /// What was being done, e.g. `read` or `create cache folder`.
        action: &'static str,
        /// The file or folder at fault.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A folder or file that should hold the data is not there.
    #[error("{role} {} {problem}, expected {expected}", path.display())]
    MissingPath {
        /// Where the path came from, e.g. `data path` or `mirror folder`.
        role: &'static str,
        /// The path that was given.
        path: PathBuf,
        /// `does not exist` or `is not a folder`.
        problem: &'static str,
        /// What should be there.
        expected: &'static str,
    },
    /// A `dbfs:/` path (or a path under the DBFS mount) that exists in neither spelling.
    #[error(
        "neither {dbfs_path} nor its local mount {} exists: check the path, and that DBFS is \
         mounted at {} (as on Databricks clusters; elsewhere point `DataOptions::dbfs_root`, \
         `data.dbfs_root` in the fmnist config, at a copy)",
        mount_path.display(), mount_root.display()
    )]
    DbfsMissing {
        /// The `dbfs:/...` spelling.
        dbfs_path: String,
        /// The local-mount spelling.
        mount_path: PathBuf,
        /// The mount root that was used.
        mount_root: PathBuf,
    },
    /// One of the four official files is not in a folder.
    #[error("{name} is missing from {}, expected the official file (or its uncompressed twin) there", folder.display())]
    MissingFile {
        /// The folder searched.
        folder: PathBuf,
        /// The official file name that was expected.
        name: &'static str,
    },
    /// A file's SHA-256 is not the official one.
    #[error("checksum mismatch for {}: expected sha256 {expected}, found {found}", path.display())]
    Checksum {
        /// The file (or the URL it came from).
        path: PathBuf,
        /// The official sum.
        expected: &'static str,
        /// The sum of what was read.
        found: String,
    },

    // --- Network --------------------------------------------------------------------------
    /// A download failed: the host is unreachable, timed out or answered with an error status.
    #[error("could not download {url}: {source}")]
    Download {
        /// The URL requested.
        url: String,
        /// The underlying HTTP error.
        source: Box<ureq::Error>,
    },

    // --- IDX format -----------------------------------------------------------------------
    /// A file starts like gzip but does not decompress.
    #[error("{} is not a valid gzip stream (corrupted or truncated): {source}", path.display())]
    Gzip {
        /// The file at fault.
        path: PathBuf,
        /// The decompression error.
        source: std::io::Error,
    },
    /// An IDX file does not start with the magic number of its kind.
    #[error("wrong magic number in {}: expected {expected:#010x} ({kind}), found {found:#010x}", path.display())]
    IdxMagic {
        /// The file at fault.
        path: PathBuf,
        /// What the file should hold, e.g. `ubyte images, 3 dimensions`.
        kind: &'static str,
        /// The magic number of that kind.
        expected: u32,
        /// The first four bytes, big-endian.
        found: u32,
    },
    /// An IDX file is shorter than its header (or its header promises).
    #[error("{} is truncated: expected {expected} bytes of {part}, found {found}", path.display())]
    IdxTruncated {
        /// The file at fault.
        path: PathBuf,
        /// `header` or `data`.
        part: &'static str,
        /// Bytes the header promises (or the header size).
        expected: usize,
        /// Bytes present.
        found: usize,
    },
    /// An IDX file has bytes after the data its header describes.
    #[error("{} has {extra} bytes after the {expected} data bytes its header describes", path.display())]
    IdxTrailing {
        /// The file at fault.
        path: PathBuf,
        /// Data bytes the header describes.
        expected: usize,
        /// Bytes beyond those.
        extra: usize,
    },

    // --- Dataset contents -----------------------------------------------------------------
    /// Images do not have the Fashion-MNIST shape.
    #[error("{source_name} holds images of {found}, expected {expected}")]
    ImageShape {
        /// The file or field at fault.
        source_name: String,
        /// The shape found, in words.
        found: String,
        /// The shape expected, in words.
        expected: String,
    },
    /// There are not as many labels as images.
    #[error(
        "image/label count mismatch: {images} holds {n_images} images but {labels} holds {n_labels} labels"
    )]
    CountMismatch {
        /// Where the images came from.
        images: String,
        /// Number of images.
        n_images: usize,
        /// Where the labels came from.
        labels: String,
        /// Number of labels.
        n_labels: usize,
    },
    /// A label is not a class index.
    #[error("{source_name}: label {value} at index {index} is outside 0-9")]
    LabelOutOfRange {
        /// The file or field at fault.
        source_name: String,
        /// Position of the label.
        index: usize,
        /// The value found.
        value: i128,
    },
    /// A pixel value is outside the range its type allows.
    #[error("{source_name}: pixel {value} at index {index} is outside {expected}")]
    PixelOutOfRange {
        /// The file or field at fault.
        source_name: String,
        /// Position of the pixel in the flattened images.
        index: usize,
        /// The value found.
        value: String,
        /// The allowed range.
        expected: &'static str,
    },

    // --- Pickle files ---------------------------------------------------------------------
    /// A pickle refers to a Python global outside the allow-list (nothing is executed).
    #[error(
        "{} refers to the Python global {global} at byte {offset}, which is refused: only the \
         globals numpy arrays need are allowed (nothing was executed)",
        path.display()
    )]
    PickleGlobal {
        /// The pickle file.
        path: PathBuf,
        /// Offset of the opcode naming the global.
        offset: usize,
        /// `module.name`.
        global: String,
    },
    /// A pickle file ends before its last pickle is complete.
    #[error(
        "{} is truncated: the pickle opcode at byte {offset} needs more data, but the data ends \
         at byte {len}",
        path.display()
    )]
    PickleTruncated {
        /// The pickle file.
        path: PathBuf,
        /// Offset of the opcode that runs past the end (the end itself when `STOP` is missing).
        offset: usize,
        /// Length of the (decompressed) data.
        len: usize,
    },
    /// Bytes after the last complete pickle that are not another pickle.
    #[error(
        "{} has {extra} bytes of trailing garbage at byte {offset}, after {count} complete \
         pickle(s), expected the end of the file or another pickle",
        path.display()
    )]
    PickleTrailing {
        /// The pickle file.
        path: PathBuf,
        /// Offset of the garbage.
        offset: usize,
        /// How many bytes follow.
        extra: usize,
        /// Complete pickles before it.
        count: usize,
    },
    /// A pickle that cannot be read (unknown or unsupported opcode, broken stack, ...).
    #[error("{} is not a readable pickle at byte {offset}: {detail}", path.display())]
    PickleMalformed {
        /// The pickle file.
        path: PathBuf,
        /// Offset of the problem.
        offset: usize,
        /// What is wrong.
        detail: String,
    },
    /// serde-pickle could not decode the values of a (rewritten) pickle.
    #[error("could not decode the values of {}: {source}", path.display())]
    PickleDecode {
        /// The pickle file.
        path: PathBuf,
        /// The decoder's error.
        source: serde_pickle::Error,
    },
    /// A pickle file is in neither of the two layouts.
    #[error(
        "{} is in neither pickle layout: found {found}, expected one object ((x_train, \
         y_train), (x_test, y_test)) or four consecutive pickles x_train, y_train, x_test, y_test",
        path.display()
    )]
    PickleLayout {
        /// The pickle file.
        path: PathBuf,
        /// What was found instead.
        found: String,
    },
    /// An item of a pickle is not what a Fashion-MNIST array must be.
    #[error("{item} in {} {detail}", path.display())]
    PickleContent {
        /// The pickle file.
        path: PathBuf,
        /// `x_train`, `y_train`, `x_test` or `y_test`.
        item: &'static str,
        /// What was found and what was expected, e.g. `has shape [5, 27, 27], expected ...`.
        detail: String,
    },

    // --- Splitting ------------------------------------------------------------------------
    /// The validation fraction is not strictly between 0 and 1.
    #[error("validation fraction is {found}, expected a number strictly between 0 and 1")]
    ValidationFraction {
        /// The fraction passed.
        found: f64,
    },
}

impl DataError {
    /// An [`DataError::Io`] for `action` on `path`.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        DataError::Io { action, path: path.into(), source }
    }
}
