//! Pickle files written at test time by the real Python `pickle` and numpy, from the official
//! IDX files: every layout, protocol, order, byte order and dtype we support must read back
//! exactly the IDX data. Also `dbfs:/` paths, through a temporary folder standing in for /dbfs.
//! See issue 5.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::python::{arg, make_pickles, manifest};
use common::{real_data_dir, unreachable_url};
use fmnist_data::{
    DataError, DataOptions, Dataset, PickleLayout, TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES,
    TRAIN_LABELS, load, read_idx_pair, read_pickle, sha256_hex,
};

/// The official train and test sets read through the IDX path, once.
fn idx() -> &'static (Dataset, Dataset) {
    static DATA: OnceLock<(Dataset, Dataset)> = OnceLock::new();
    DATA.get_or_init(|| {
        let dir = real_data_dir();
        let pair = |images: &str, labels: &str| {
            read_idx_pair(&dir.join(images), &dir.join(labels)).unwrap()
        };
        (pair(TRAIN_IMAGES.name, TRAIN_LABELS.name), pair(TEST_IMAGES.name, TEST_LABELS.name))
    })
}

/// The first `n` items of `data`.
fn head(data: &Dataset, n: usize) -> Dataset {
    data.select(&(0..n).collect::<Vec<_>>())
}

/// Whether two datasets hold the same labels and the same pixel bits.
fn same_bits(a: &Dataset, b: &Dataset) -> bool {
    a.labels == b.labels
        && a.images.iter().map(|p| p.to_bits()).eq(b.images.iter().map(|p| p.to_bits()))
}

/// Options with `path` set that cannot touch the network or a real cache.
fn path_options(path: PathBuf, scratch: &Path) -> DataOptions {
    DataOptions {
        path: Some(path),
        mirror: None,
        cache_dir: scratch.join("cache"),
        base_url: unreachable_url(),
        dbfs_root: scratch.join("dbfs"),
    }
}

/// Reads every fixture of a manifest folder; returns one line per mismatch or error.
fn mismatches(dir: &Path, n_train: usize, n_test: usize) -> Vec<String> {
    let (train, test) = idx();
    let (train, test) = (head(train, n_train), head(test, n_test));
    let mut failures = Vec::new();
    for (name, layout) in manifest(dir) {
        let expected_layout =
            if layout == "one" { PickleLayout::OneObject } else { PickleLayout::FourPickles };
        match read_pickle(&dir.join(&name)) {
            Err(err) => failures.push(format!("{name}: {err}")),
            Ok(data) if data.layout != expected_layout => {
                failures.push(format!("{name}: layout {:?}", data.layout))
            }
            Ok(data) if !same_bits(&data.train, &train) => failures.push(format!("{name}: train")),
            Ok(data) if !same_bits(&data.test, &test) => failures.push(format!("{name}: test")),
            Ok(_) => {}
        }
    }
    failures
}

#[test]
fn every_layout_protocol_order_and_byte_order_reads_like_idx() {
    // 2 layouts x protocols 2-5 x C/Fortran x little/big endian x uint8/float32 images
    // x int64/uint8 labels.
    let dir = tempfile::tempdir().unwrap();
    make_pickles(&["matrix", arg(&real_data_dir()), arg(dir.path()), "24", "12"]);
    assert_eq!(manifest(dir.path()).len(), 128);
    assert_eq!(mismatches(dir.path(), 24, 12), Vec::<String>::new());
}

#[test]
fn other_dtypes_shapes_lists_gzip_and_numpy1_names_read_like_idx() {
    let dir = tempfile::tempdir().unwrap();
    make_pickles(&["extras", arg(&real_data_dir()), arg(dir.path()), "24", "12"]);
    assert_eq!(manifest(dir.path()).len(), 12);
    assert_eq!(mismatches(dir.path(), 24, 12), Vec::<String>::new());
}

#[test]
fn full_dataset_pickle_loads_bit_for_bit_like_the_idx_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fashion.pkl");
    make_pickles(&["full", arg(&real_data_dir()), arg(&file)]);
    let data = load(&path_options(file.clone(), dir.path())).unwrap();
    let (train, test) = idx();
    assert!(same_bits(&data.train, train));
    assert!(same_bits(&data.test, test));
    let source = format!(
        "pickle {} (layout: one object ((x_train, y_train), (x_test, y_test)))",
        file.display()
    );
    assert_eq!(data.provenance.source, source);
    let sha256 = sha256_hex(&std::fs::read(&file).unwrap());
    assert_eq!(data.provenance.files.len(), 1);
    assert_eq!(data.provenance.files[0].name, "fashion.pkl");
    assert_eq!(data.provenance.files[0].sha256, sha256);
}

#[test]
fn dbfs_pickle_path_is_read_through_the_mount_root() {
    let scratch = tempfile::tempdir().unwrap();
    let mount = scratch.path().join("dbfs");
    std::fs::create_dir_all(mount.join("team")).unwrap();
    let file = mount.join("team/small.pkl");
    make_pickles(&["small", arg(&real_data_dir()), arg(&file), "10", "5"]);

    let opts = path_options(PathBuf::from("dbfs:/team/small.pkl"), scratch.path());
    let data = load(&opts).unwrap();
    assert_eq!(data.test.labels, [9, 2, 1, 1, 6]);
    let expected = format!("pickle dbfs:/team/small.pkl (read through {})", file.display());
    assert!(data.provenance.source.starts_with(&expected), "{}", data.provenance.source);

    let as_mounted = load(&path_options(file.clone(), scratch.path())).unwrap();
    assert_eq!(as_mounted.train, data.train);
}

#[test]
fn dbfs_folder_works_as_data_path_and_as_mirror() {
    let scratch = tempfile::tempdir().unwrap();
    let mount = scratch.path().join("dbfs");
    std::fs::create_dir_all(mount.join("datasets")).unwrap();
    std::os::unix::fs::symlink(real_data_dir(), mount.join("datasets/fashion")).unwrap();

    let data =
        load(&path_options(PathBuf::from("dbfs:/datasets/fashion"), scratch.path())).unwrap();
    assert_eq!((data.train.len(), data.test.len()), (60_000, 10_000));
    assert!(data.provenance.source.starts_with("data path dbfs:/datasets/fashion (read through "));

    let opts = DataOptions {
        path: None,
        mirror: Some("dbfs:/datasets/fashion".to_owned()),
        ..path_options(PathBuf::new(), scratch.path())
    };
    let source = load(&opts).unwrap().provenance.source;
    assert!(source.starts_with("mirror folder dbfs:/datasets/fashion (read through "), "{source}");
}

#[test]
fn missing_dbfs_path_names_both_spellings_and_what_to_check() {
    let scratch = tempfile::tempdir().unwrap();
    let err = load(&path_options(PathBuf::from("dbfs:/nope/f.pkl"), scratch.path())).unwrap_err();
    assert!(matches!(err, DataError::DbfsMissing { .. }), "{err}");
    let mount = scratch.path().join("dbfs/nope/f.pkl");
    let expected = format!(
        "neither dbfs:/nope/f.pkl nor its local mount {} exists: check the path, and that DBFS \
         is mounted at {} (as on Databricks clusters; elsewhere point `DataOptions::dbfs_root`, \
         `data.dbfs_root` in the fmnist config, at a copy)",
        mount.display(),
        scratch.path().join("dbfs").display()
    );
    assert_eq!(err.to_string(), expected);

    let err = load(&path_options(mount, scratch.path())).unwrap_err();
    assert!(err.to_string().starts_with("neither dbfs:/nope/f.pkl nor its local mount"), "{err}");
}
