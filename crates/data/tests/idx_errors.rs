//! IDX parsing on fixtures built at test time: gzip detection by content, and one clear error
//! for each kind of bad file.

mod common;

use common::{gzip, idx_images, idx_labels, words, write};
use fmnist_data::{DataError, IDX_LABELS_MAGIC, read_idx_images, read_idx_labels, read_idx_pair};

#[test]
fn gzip_is_detected_by_content_not_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let gz_without_suffix = write(dir.path(), "labels", &gzip(&idx_labels(&[4, 2])));
    let raw_with_suffix = write(dir.path(), "labels.gz", &idx_labels(&[5]));
    assert_eq!(read_idx_labels(&gz_without_suffix).unwrap(), vec![4, 2]);
    assert_eq!(read_idx_labels(&raw_with_suffix).unwrap(), vec![5]);
}

#[test]
fn gzip_images_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "images.gz", &gzip(&idx_images(3, 28)));
    let images = read_idx_images(&path).unwrap();
    assert_eq!((images.count, images.rows, images.cols), (3, 28, 28));
    assert_eq!(images.pixels.len(), 3 * 784);
    assert_eq!(images.pixels[300], (300 % 251) as u8);
}

#[test]
fn corrupted_gzip_is_one_gzip_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = gzip(&idx_images(2, 28));
    let middle = bytes.len() / 2;
    bytes[middle..middle + 8].copy_from_slice(b"garbage!");
    let path = write(dir.path(), "images.gz", &bytes);
    let err = read_idx_images(&path).unwrap_err();
    assert!(matches!(err, DataError::Gzip { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("images.gz is not a valid gzip stream"), "{msg}");
}

#[test]
fn gzip_cut_short_is_a_gzip_error() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = gzip(&idx_images(2, 28));
    let path = write(dir.path(), "images.gz", &bytes[..bytes.len() - 20]);
    let err = read_idx_images(&path).unwrap_err();
    assert!(matches!(err, DataError::Gzip { .. }), "{err}");
}

#[test]
fn truncated_idx_data_says_how_many_bytes_were_expected() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = idx_images(2, 28);
    let path = write(dir.path(), "images.gz", &gzip(&bytes[..bytes.len() - 10]));
    let err = read_idx_images(&path).unwrap_err();
    let expected =
        format!("{} is truncated: expected 1568 bytes of data, found 1558", path.display());
    assert_eq!(err.to_string(), expected);
}

#[test]
fn truncated_idx_header_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "labels", &words(&[IDX_LABELS_MAGIC]));
    let err = read_idx_labels(&path).unwrap_err();
    assert!(matches!(err, DataError::IdxTruncated { part: "header", expected: 8, found: 4, .. }));
}

#[test]
fn trailing_bytes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = idx_labels(&[1, 2, 3]);
    bytes.push(0);
    let path = write(dir.path(), "labels", &bytes);
    let err = read_idx_labels(&path).unwrap_err();
    assert!(matches!(err, DataError::IdxTrailing { expected: 3, extra: 1, .. }), "{err}");
}

#[test]
fn wrong_magic_names_both_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let labels_file = write(dir.path(), "swapped.gz", &gzip(&idx_labels(&[1, 2])));
    let err = read_idx_images(&labels_file).unwrap_err();
    let expected = format!(
        "wrong magic number in {}: expected 0x00000803 (ubyte images, 3 dimensions), \
         found 0x00000801",
        labels_file.display()
    );
    assert_eq!(err.to_string(), expected);
}

#[test]
fn image_label_count_mismatch_names_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let images = write(dir.path(), "images", &idx_images(3, 28));
    let labels = write(dir.path(), "labels", &idx_labels(&[1, 2]));
    let err = read_idx_pair(&images, &labels).unwrap_err();
    let expected = format!(
        "image/label count mismatch: {} holds 3 images but {} holds 2 labels",
        images.display(),
        labels.display()
    );
    assert_eq!(err.to_string(), expected);
}

#[test]
fn pair_of_good_files_becomes_a_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let images = write(dir.path(), "images", &idx_images(2, 28));
    let labels = write(dir.path(), "labels", &gzip(&idx_labels(&[9, 0])));
    let data = read_idx_pair(&images, &labels).unwrap();
    assert_eq!(data.labels, vec![9, 0]);
    assert_eq!(data.image(1)[0], f32::from((784 % 251) as u8) / 255.0);
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope");
    let err = read_idx_labels(&path).unwrap_err();
    assert!(err.to_string().starts_with(&format!("could not read {}: ", path.display())));
}
