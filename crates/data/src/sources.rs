//! [`load`]: finds the data (explicit path, mirror, cache, download), verifies the official
//! files' sums and parses them.
//!
//! Files read from a local folder (an explicit path or a mirror folder) are verified and used
//! where they are; they are not copied into the cache, because they already are local. Files
//! from an HTTP mirror or the official distribution land in the cache, verified. An explicit
//! path may also be a pickle file (see [`crate::read_pickle`]); it has no official sum, so its
//! own SHA-256 is recorded in the provenance.

use std::path::Path;

use crate::dataset::{FashionMnist, Provenance, SourceFile};
use crate::dbfs::{LocalPath, localize};
use crate::download::{agent_for, download_verified};
use crate::error::{DataError, Result};
use crate::idx::{dataset_from_idx, parse_idx_images, parse_idx_labels};
use crate::official::{OFFICIAL_FILES, OfficialFile, VerifiedFile, read_verified, sha256_hex};
use crate::options::DataOptions;
use crate::pickle::parse_pickle;

/// What a mirror folder must be.
const FOLDER_EXPECTED: &str = "a folder holding the four official Fashion-MNIST files";
/// What an explicit data path must be.
const PATH_EXPECTED: &str =
    "a folder holding the four official Fashion-MNIST files, or a pickle file";

/// Loads the train and test sets from the first source in [`DataOptions`] order: `path` (a
/// folder or a pickle file), then `mirror`, then the files already in `cache_dir`, then a
/// download from `base_url` into `cache_dir`. Every official file's SHA-256 is checked.
pub fn load(opts: &DataOptions) -> Result<FashionMnist> {
    let data = if let Some(path) = &opts.path {
        load_path(path, &opts.dbfs_root)?
    } else if let Some(mirror) = &opts.mirror {
        load_mirror(mirror, opts)?
    } else {
        load_cache_or_download(&opts.base_url, &opts.cache_dir, "official distribution")?
    };
    tracing::info!("Fashion-MNIST loaded from {}", data.provenance.source);
    Ok(data)
}

/// An explicit path: a folder with the four files, or a pickle file.
fn load_path(given: &Path, dbfs_root: &Path) -> Result<FashionMnist> {
    let local = localize(given, dbfs_root)?;
    if local.path.is_dir() {
        load_folder(&local, "data path")
    } else if local.path.is_file() {
        load_pickle(&local)
    } else {
        let (role, problem, expected) = ("data path", "does not exist", PATH_EXPECTED);
        Err(DataError::MissingPath { role, path: given.to_owned(), problem, expected })
    }
}

/// A mirror is an `http(s)://` base URL (downloaded into the cache) or a local folder.
fn load_mirror(mirror: &str, opts: &DataOptions) -> Result<FashionMnist> {
    if is_http(mirror) {
        load_cache_or_download(mirror, &opts.cache_dir, "mirror")
    } else {
        let folder = mirror.strip_prefix("file://").unwrap_or(mirror);
        load_folder(&localize(Path::new(folder), &opts.dbfs_root)?, "mirror folder")
    }
}

/// Whether `location` is an HTTP or HTTPS URL.
fn is_http(location: &str) -> bool {
    let lower = location.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Reads and verifies the four files of a local folder.
fn load_folder(folder: &LocalPath, role: &'static str) -> Result<FashionMnist> {
    if !folder.path.is_dir() {
        let problem = if folder.path.exists() { "is not a folder" } else { "does not exist" };
        let path = folder.path.clone();
        return Err(DataError::MissingPath { role, path, problem, expected: FOLDER_EXPECTED });
    }
    assemble(read_all(&folder.path)?, format!("{role} {}", folder.shown))
}

/// Reads a pickle file in either layout.
fn load_pickle(file: &LocalPath) -> Result<FashionMnist> {
    let bytes = std::fs::read(&file.path).map_err(|e| DataError::io("read", &file.path, e))?;
    let sha256 = sha256_hex(&bytes);
    let data = parse_pickle(&bytes, &file.path)?;
    tracing::info!("pickle {} has the layout: {}", file.shown, data.layout);
    let name = file.path.file_name().map(|n| n.to_string_lossy().into_owned());
    let provenance = Provenance {
        source: format!("pickle {} (layout: {})", file.shown, data.layout),
        files: vec![SourceFile { name: name.unwrap_or_default(), sha256 }],
    };
    Ok(FashionMnist { train: data.train, test: data.test, provenance })
}

/// Uses the verified files of `cache_dir`, downloading from `base` those that are missing.
fn load_cache_or_download(base: &str, cache_dir: &Path, origin: &str) -> Result<FashionMnist> {
    std::fs::create_dir_all(cache_dir)
        .map_err(|e| DataError::io("create cache folder", cache_dir, e))?;
    let cached = OFFICIAL_FILES.map(|f| read_cached(cache_dir, &f));
    if let [Some(a), Some(b), Some(c), Some(d)] = cached {
        let source = format!("cache {} ({origin} {base} not contacted)", cache_dir.display());
        return assemble([a, b, c, d], source);
    }
    let agent = agent_for(base);
    for (file, _) in OFFICIAL_FILES.iter().zip(&cached).filter(|(_, c)| c.is_none()) {
        download_verified(&agent, base, file, cache_dir)?;
    }
    assemble(read_all(cache_dir)?, format!("{origin} {base}, cached in {}", cache_dir.display()))
}

/// Reads and verifies the four files of `folder`, in [`OFFICIAL_FILES`] order.
fn read_all(folder: &Path) -> Result<[VerifiedFile; 4]> {
    let [a, b, c, d] = OFFICIAL_FILES;
    Ok([
        read_verified(folder, &a)?,
        read_verified(folder, &b)?,
        read_verified(folder, &c)?,
        read_verified(folder, &d)?,
    ])
}

/// The cached copy of `file` when it is present and has the official sum.
fn read_cached(cache_dir: &Path, file: &OfficialFile) -> Option<VerifiedFile> {
    let path = cache_dir.join(file.name);
    let bytes = std::fs::read(&path).ok()?;
    let sha256 = sha256_hex(&bytes);
    if sha256 != file.sha256 {
        tracing::warn!("{} in the cache has the wrong sum; fetching it again", path.display());
        return None;
    }
    Some(VerifiedFile { path, bytes, sha256 })
}

/// Parses the four verified files (in [`OFFICIAL_FILES`] order) into a [`FashionMnist`].
fn assemble(files: [VerifiedFile; 4], source: String) -> Result<FashionMnist> {
    let [train_images, train_labels, test_images, test_labels] = &files;
    let train = dataset_from_files(train_images, train_labels)?;
    let test = dataset_from_files(test_images, test_labels)?;
    let files = files.iter().map(source_file).collect();
    Ok(FashionMnist { train, test, provenance: Provenance { source, files } })
}

/// Parses one images/labels pair.
fn dataset_from_files(images: &VerifiedFile, labels: &VerifiedFile) -> Result<crate::Dataset> {
    let idx_images = parse_idx_images(&images.bytes, &images.path)?;
    let idx_labels = parse_idx_labels(&labels.bytes, &labels.path)?;
    dataset_from_idx(idx_images, idx_labels, &images.path, &labels.path)
}

/// The name and sum of a verified file.
fn source_file(file: &VerifiedFile) -> SourceFile {
    let name = file.path.file_name().map(|n| n.to_string_lossy().into_owned());
    SourceFile { name: name.unwrap_or_default(), sha256: file.sha256.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_and_https_are_urls_and_paths_are_not() {
        assert!(is_http("http://127.0.0.1:1/"));
        assert!(is_http("HTTPS://mirror.example/fmnist"));
        assert!(!is_http("/data/fashion-mnist"));
        assert!(!is_http("file:///data"));
    }
}
