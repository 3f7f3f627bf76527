//! Source resolution and its failures: missing folders and files, checksum mismatches, an HTTP
//! mirror served from 127.0.0.1 (good, corrupt, unreachable) and the cache it fills.

mod common;

use std::path::Path;

use common::{entries, gzip, idx_labels, real_files, serve, unreachable_url, write};
use fmnist_data::{DataError, DataOptions, OFFICIAL_FILES, TRAIN_LABELS, load};

/// Options that can reach no network: the base URL is a closed port on 127.0.0.1.
fn offline(cache: &Path) -> DataOptions {
    DataOptions {
        path: None,
        mirror: None,
        cache_dir: cache.to_owned(),
        base_url: unreachable_url(),
        dbfs_root: cache.join("dbfs"),
    }
}

/// The official file names, sorted like [`entries`] sorts.
fn official_names() -> Vec<String> {
    let mut names: Vec<String> = OFFICIAL_FILES.iter().map(|f| f.name.to_owned()).collect();
    names.sort();
    names
}

#[test]
fn missing_explicit_folder_is_named() {
    let cache = tempfile::tempdir().unwrap();
    let missing = cache.path().join("no-such-folder");
    let opts = DataOptions { path: Some(missing.clone()), ..offline(cache.path()) };
    let err = load(&opts).unwrap_err();
    let expected = format!(
        "data path {} does not exist, expected a folder holding the four official Fashion-MNIST \
         files, or a pickle file",
        missing.display()
    );
    assert_eq!(err.to_string(), expected);
}

#[test]
fn missing_mirror_folder_is_named_as_a_mirror() {
    let cache = tempfile::tempdir().unwrap();
    let opts = DataOptions { mirror: Some("/no/such/mirror".to_owned()), ..offline(cache.path()) };
    let err = load(&opts).unwrap_err();
    let expected = "mirror folder /no/such/mirror does not exist, expected a folder holding the \
                    four official Fashion-MNIST files";
    assert_eq!(err.to_string(), expected);
}

#[test]
fn mirror_that_is_a_file_is_refused() {
    let cache = tempfile::tempdir().unwrap();
    let file = write(cache.path(), "not-a-folder.pkl", b"x");
    let opts = DataOptions { mirror: Some(file.display().to_string()), ..offline(cache.path()) };
    let err = load(&opts).unwrap_err();
    let expected = format!("mirror folder {} is not a folder, expected a folder", file.display());
    assert!(err.to_string().starts_with(&expected), "{err}");
}

#[test]
fn folder_without_the_files_names_the_first_missing_one() {
    let folder = tempfile::tempdir().unwrap();
    let opts = DataOptions { path: Some(folder.path().to_owned()), ..offline(folder.path()) };
    let err = load(&opts).unwrap_err();
    assert!(matches!(err, DataError::MissingFile { name: "train-images-idx3-ubyte.gz", .. }));
    let text = err.to_string();
    let expected =
        format!("train-images-idx3-ubyte.gz is missing from {}", folder.path().display());
    assert!(text.starts_with(&expected), "{text}");
}

#[test]
fn local_file_with_a_wrong_sum_is_refused_with_both_sums() {
    let folder = tempfile::tempdir().unwrap();
    for (name, bytes) in real_files() {
        write(folder.path(), &name, &bytes);
    }
    let fake = gzip(&idx_labels(&[1, 2, 3]));
    let fake_path = write(folder.path(), TRAIN_LABELS.name, &fake);
    let opts = DataOptions { path: Some(folder.path().to_owned()), ..offline(folder.path()) };
    let err = load(&opts).unwrap_err();
    let expected = format!(
        "checksum mismatch for {}: expected sha256 {}, found {}",
        fake_path.display(),
        TRAIN_LABELS.sha256,
        fmnist_data::sha256_hex(&fake)
    );
    assert_eq!(err.to_string(), expected);
}

#[test]
fn unreachable_mirror_names_the_url_and_leaves_the_cache_empty() {
    let cache = tempfile::tempdir().unwrap();
    let mirror = unreachable_url();
    let opts = DataOptions { mirror: Some(mirror.clone()), ..offline(cache.path()) };
    let err = load(&opts).unwrap_err();
    assert!(matches!(err, DataError::Download { .. }), "{err}");
    let prefix = format!("could not download {mirror}/train-images-idx3-ubyte.gz: ");
    assert!(err.to_string().starts_with(&prefix), "{err}");
    assert!(entries(cache.path()).is_empty());
}

#[test]
fn mirror_missing_a_file_reports_the_http_status() {
    let cache = tempfile::tempdir().unwrap();
    let mut files = real_files();
    files.remove(TRAIN_LABELS.name);
    let opts = DataOptions { mirror: Some(serve(files)), ..offline(cache.path()) };
    let err = load(&opts).unwrap_err();
    assert!(err.to_string().contains("train-labels-idx1-ubyte.gz: http status: 404"), "{err}");
    assert_eq!(entries(cache.path()), vec!["train-images-idx3-ubyte.gz".to_owned()]);
}

#[test]
fn http_mirror_fills_the_cache_which_is_then_used_offline() {
    let cache = tempfile::tempdir().unwrap();
    let mirror = serve(real_files());
    let opts = DataOptions { mirror: Some(mirror.clone()), ..offline(cache.path()) };
    let data = load(&opts).unwrap();
    assert_eq!((data.train.len(), data.test.len()), (60_000, 10_000));
    let expected_source = format!("mirror {mirror}, cached in {}", cache.path().display());
    assert_eq!(data.provenance.source, expected_source);
    assert_eq!(entries(cache.path()), official_names());

    let again = load(&offline(cache.path())).unwrap();
    assert!(again.provenance.source.starts_with("cache "), "{}", again.provenance.source);
    assert_eq!(again.test, data.test);
}

#[test]
fn corrupt_file_on_the_mirror_never_reaches_the_cache() {
    let cache = tempfile::tempdir().unwrap();
    let mut files = real_files();
    let labels = files.get_mut(TRAIN_LABELS.name).unwrap();
    labels[100] ^= 0xff;
    let mirror = serve(files);
    let opts = DataOptions { mirror: Some(mirror.clone()), ..offline(cache.path()) };
    let err = load(&opts).unwrap_err();
    let prefix = format!(
        "checksum mismatch for {mirror}/{}: expected sha256 {}, found ",
        TRAIN_LABELS.name, TRAIN_LABELS.sha256
    );
    assert!(err.to_string().starts_with(&prefix), "{err}");
    // Only the file verified before the corrupt one is kept; no temporary file is left.
    assert_eq!(entries(cache.path()), vec!["train-images-idx3-ubyte.gz".to_owned()]);
}

#[test]
fn corrupt_cached_file_is_fetched_again() {
    let cache = tempfile::tempdir().unwrap();
    let files = real_files();
    for (name, bytes) in &files {
        write(cache.path(), name, bytes);
    }
    write(cache.path(), TRAIN_LABELS.name, b"not the official file");
    let mirror = serve(files);
    let opts = DataOptions { mirror: Some(mirror), ..offline(cache.path()) };
    let data = load(&opts).unwrap();
    assert_eq!(data.train.labels[..3], [9, 0, 0]);
    let repaired = std::fs::read(cache.path().join(TRAIN_LABELS.name)).unwrap();
    assert_eq!(fmnist_data::sha256_hex(&repaired), TRAIN_LABELS.sha256);
}

#[test]
fn empty_cache_and_unreachable_base_url_is_a_download_error() {
    let cache = tempfile::tempdir().unwrap();
    let subfolder = cache.path().join("fmnist");
    let err = load(&offline(&subfolder)).unwrap_err();
    assert!(matches!(err, DataError::Download { .. }), "{err}");
    assert!(entries(&subfolder).is_empty(), "the cache folder is created but stays empty");
}
