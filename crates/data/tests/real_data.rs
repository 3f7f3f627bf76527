//! The real official files (folder from `FASHION_MNIST_MIRROR`): reference values from the
//! dataset's README, loading through the folder sources, and the stratified split.

mod common;

use std::sync::OnceLock;

use common::real_data_dir;
use fmnist_data::{
    DataOptions, FashionMnist, IMAGE_PIXELS, N_CLASSES, TRAIN_IMAGES, TRAIN_LABELS, load,
    read_idx_images, read_idx_labels, stratified_split,
};

/// The real data loaded once through the mirror-folder source, shared by the tests here.
fn real() -> &'static FashionMnist {
    static DATA: OnceLock<FashionMnist> = OnceLock::new();
    DATA.get_or_init(|| {
        let dir = real_data_dir();
        let opts = DataOptions {
            mirror: Some(dir.display().to_string()),
            base_url: common::unreachable_url(),
            ..DataOptions::default()
        };
        load(&opts).unwrap()
    })
}

fn options_without_network(cache: &std::path::Path) -> DataOptions {
    DataOptions {
        path: None,
        mirror: None,
        cache_dir: cache.to_owned(),
        base_url: common::unreachable_url(),
        dbfs_root: cache.join("dbfs"),
    }
}

#[test]
fn idx_readers_give_the_readme_values() {
    let dir = real_data_dir();
    let images = read_idx_images(&dir.join(TRAIN_IMAGES.name)).unwrap();
    assert_eq!((images.count, images.rows, images.cols), (60_000, 28, 28));
    let labels = read_idx_labels(&dir.join(TRAIN_LABELS.name)).unwrap();
    assert_eq!(labels.len(), 60_000);
    let mean =
        images.pixels.iter().map(|&p| f64::from(p)).sum::<f64>() / images.pixels.len() as f64;
    assert_eq!(format!("{mean:.2}"), "72.94");
}

#[test]
fn loaded_sets_have_the_official_sizes_and_first_labels() {
    let data = real();
    assert_eq!((data.train.len(), data.test.len()), (60_000, 10_000));
    assert_eq!(data.train.images.len(), 60_000 * IMAGE_PIXELS);
    assert_eq!(data.train.labels[..10], [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    assert_eq!(data.test.labels[..10], [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
}

#[test]
fn loaded_pixels_are_scaled_and_keep_the_mean() {
    let data = real();
    let mean = data.train.images.iter().map(|&p| f64::from(p)).sum::<f64>()
        / data.train.images.len() as f64;
    assert_eq!(format!("{:.2}", mean * 255.0), "72.94");
    let test_mean =
        data.test.images.iter().map(|&p| f64::from(p)).sum::<f64>() / data.test.images.len() as f64;
    assert_eq!(format!("{:.2}", test_mean * 255.0), "73.15");
    assert!(data.train.images.iter().all(|&p| (0.0..=1.0).contains(&p)));
    assert_eq!(data.train.images.iter().cloned().fold(0.0, f32::max), 1.0);
}

#[test]
fn provenance_names_the_mirror_folder_and_the_official_sums() {
    let data = real();
    let expected = format!("mirror folder {}", real_data_dir().display());
    assert_eq!(data.provenance.source, expected);
    let names: Vec<&str> = data.provenance.files.iter().map(|f| f.name.as_str()).collect();
    let official: Vec<&str> = fmnist_data::OFFICIAL_FILES.iter().map(|f| f.name).collect();
    assert_eq!(names, official);
    assert_eq!(data.provenance.files[0].sha256, TRAIN_IMAGES.sha256);
}

#[test]
fn explicit_path_wins_over_a_broken_mirror() {
    let cache = tempfile::tempdir().unwrap();
    let opts = DataOptions {
        path: Some(real_data_dir()),
        mirror: Some(common::unreachable_url()),
        ..options_without_network(cache.path())
    };
    let data = load(&opts).unwrap();
    assert!(data.provenance.source.starts_with("data path "), "{}", data.provenance.source);
    assert_eq!(data.test.labels, real().test.labels);
    assert!(common::entries(cache.path()).is_empty(), "a local folder is not copied");
}

#[test]
fn uncompressed_twins_are_accepted_and_checked_against_their_own_sums() {
    let folder = tempfile::tempdir().unwrap();
    for file in fmnist_data::OFFICIAL_FILES {
        let gz = std::fs::read(real_data_dir().join(file.name)).unwrap();
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut raw).unwrap();
        common::write(folder.path(), file.raw_name, &raw);
    }
    let cache = tempfile::tempdir().unwrap();
    let opts = DataOptions {
        path: Some(folder.path().to_owned()),
        ..options_without_network(cache.path())
    };
    let data = load(&opts).unwrap();
    assert_eq!(data.train, real().train);
    assert_eq!(data.provenance.files[3].name, "t10k-labels-idx1-ubyte");
    assert_eq!(data.provenance.files[3].sha256, fmnist_data::TEST_LABELS.raw_sha256);
}

#[test]
fn split_of_the_real_labels_is_exactly_stratified() {
    let labels = &real().train.labels;
    let split = stratified_split(labels, 0.1, 42).unwrap();
    assert_eq!((split.train.len(), split.validation.len()), (54_000, 6_000));
    for class in 0..N_CLASSES as u8 {
        let in_train = split.train.iter().filter(|&&i| labels[i] == class).count();
        let in_validation = split.validation.iter().filter(|&&i| labels[i] == class).count();
        assert_eq!((in_train, in_validation), (5_400, 600), "class {class}");
    }
    let mut all = [split.train.clone(), split.validation.clone()].concat();
    all.sort_unstable();
    assert_eq!(all, (0..60_000).collect::<Vec<_>>());
    assert!(split.train.windows(2).all(|w| w[0] < w[1]));
    assert!(split.validation.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn split_is_deterministic_per_seed_and_differs_between_seeds() {
    let labels = &real().train.labels;
    let first = stratified_split(labels, 0.1, 42).unwrap();
    let again = stratified_split(labels, 0.1, 42).unwrap();
    let other = stratified_split(labels, 0.1, 43).unwrap();
    assert_eq!(first, again);
    assert_ne!(first.validation, other.validation);
    let shared = first.validation.iter().filter(|i| other.validation.binary_search(i).is_ok());
    // Two independent 10% draws share about 10% of their items, not most of them.
    assert!(shared.count() < 1_000);
}
