//! The four official Fashion-MNIST files, their SHA-256 sums, and checksum helpers.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{DataError, Result};

/// The official distribution (the Zalando Research bucket the Fashion-MNIST README links to).
pub const OFFICIAL_BASE_URL: &str = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

/// One of the four official files: its gzip name and sum, and those of its uncompressed twin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficialFile {
    /// Name of the gzip file, e.g. `train-images-idx3-ubyte.gz`.
    pub name: &'static str,
    /// SHA-256 of the gzip file.
    pub sha256: &'static str,
    /// Name of the uncompressed file, e.g. `train-images-idx3-ubyte`.
    pub raw_name: &'static str,
    /// SHA-256 of the uncompressed file.
    pub raw_sha256: &'static str,
}

/// Training images (60,000).
pub const TRAIN_IMAGES: OfficialFile = OfficialFile {
    name: "train-images-idx3-ubyte.gz",
    sha256: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    raw_name: "train-images-idx3-ubyte",
    raw_sha256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
};
/// Training labels (60,000).
pub const TRAIN_LABELS: OfficialFile = OfficialFile {
    name: "train-labels-idx1-ubyte.gz",
    sha256: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    raw_name: "train-labels-idx1-ubyte",
    raw_sha256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
};
/// Test images (10,000).
pub const TEST_IMAGES: OfficialFile = OfficialFile {
    name: "t10k-images-idx3-ubyte.gz",
    sha256: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    raw_name: "t10k-images-idx3-ubyte",
    raw_sha256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
};
/// Test labels (10,000).
pub const TEST_LABELS: OfficialFile = OfficialFile {
    name: "t10k-labels-idx1-ubyte.gz",
    sha256: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    raw_name: "t10k-labels-idx1-ubyte",
    raw_sha256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
};

/// The four files, in the order train images, train labels, test images, test labels.
pub const OFFICIAL_FILES: [OfficialFile; 4] =
    [TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS];

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// A file of a folder, read and checked against its official sum.
pub(crate) struct VerifiedFile {
    /// Where it was read.
    pub path: PathBuf,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Its SHA-256 (equal to the official one).
    pub sha256: String,
}

/// Reads `file` from `folder` (the gzip name, else the uncompressed one) and checks its sum.
pub(crate) fn read_verified(folder: &Path, file: &OfficialFile) -> Result<VerifiedFile> {
    let gz_path = folder.join(file.name);
    let raw_path = folder.join(file.raw_name);
    let (path, expected) = if gz_path.is_file() {
        (gz_path, file.sha256)
    } else if raw_path.is_file() {
        (raw_path, file.raw_sha256)
    } else {
        return Err(DataError::MissingFile { folder: folder.to_owned(), name: file.name });
    };
    let bytes = std::fs::read(&path).map_err(|e| DataError::io("read", &path, e))?;
    let sha256 = check_sum(&bytes, expected, &path)?;
    Ok(VerifiedFile { path, bytes, sha256 })
}

/// The sum of `bytes` when it is `expected`, else a checksum error naming `path`.
pub(crate) fn check_sum(bytes: &[u8], expected: &'static str, path: &Path) -> Result<String> {
    let found = sha256_hex(bytes);
    if found == expected {
        Ok(found)
    } else {
        Err(DataError::Checksum { path: path.to_owned(), expected, found })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_input() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn wrong_sum_names_file_and_both_sums() {
        let err = check_sum(b"abc", TRAIN_LABELS.sha256, Path::new("x.gz")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("checksum mismatch for x.gz: expected sha256 a04f1713"), "{msg}");
        assert!(
            msg.ends_with("found ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
    }
}
