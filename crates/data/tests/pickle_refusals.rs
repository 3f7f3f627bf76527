//! Pickles that must be refused, each with one clear error naming the offending item; the
//! malicious ones are also shown to run their command under Python's own `pickle`, while ours
//! runs nothing. See issue 5.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::python::{arg, make_pickles, python};
use common::{gzip, real_data_dir, unreachable_url, write};
use fmnist_data::{DataError, DataOptions, load, read_pickle};
use tempfile::TempDir;

/// Writes the refusal fixture `name` and returns its folder, path and the error reading it.
fn refused(name: &str) -> (TempDir, PathBuf, DataError) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("{name}.pkl"));
    make_pickles(&["refusal", arg(&real_data_dir()), arg(&file), name]);
    let err = read_pickle(&file).unwrap_err();
    (dir, file, err)
}

/// The message of the refusal of fixture `name`, with its path replaced by `F`.
fn message(name: &str) -> String {
    let (_dir, file, err) = refused(name);
    err.to_string().replace(&file.display().to_string(), "F")
}

/// Writes the malicious fixture `name` (it would `touch` a marker file) and returns its folder,
/// path and marker.
fn malicious(name: &str) -> (TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (file, marker) = (dir.path().join(format!("{name}.pkl")), dir.path().join("ran"));
    make_pickles(&["evil", arg(&file), name, arg(&marker)]);
    (dir, file, marker)
}

/// Our loader refuses `name` naming `global`, and runs nothing; Python's loader, given the very
/// same bytes, runs the command (so the refusal is what kept the marker from appearing).
fn assert_refused_and_inert(name: &str, global: &str) {
    let (dir, file, marker) = malicious(name);
    let opts = DataOptions {
        path: Some(file.clone()),
        cache_dir: dir.path().join("cache"),
        base_url: unreachable_url(),
        ..DataOptions::default()
    };
    let err = load(&opts).unwrap_err();
    assert!(matches!(&err, DataError::PickleGlobal { global: g, .. } if g == global), "{err}");
    let prefix = format!("{} refers to the Python global {global} at byte ", file.display());
    assert!(err.to_string().starts_with(&prefix), "{err}");
    assert!(err.to_string().ends_with("(nothing was executed)"), "{err}");
    assert!(!marker.exists(), "{name}: our loader ran the command");
    python_unpickle(&file);
    assert!(marker.exists(), "{name}: the fixture should run its command under Python");
}

/// Loads `file` with Python's own `pickle` (which executes what the pickle asks for).
fn python_unpickle(file: &Path) {
    let code = "import pickle, sys\ntry:\n    pickle.load(open(sys.argv[1], 'rb'))\nexcept Exception:\n    pass";
    let status = Command::new(python()).args(["-c", code, arg(file)]).status().unwrap();
    assert!(status.success());
}

#[test]
fn os_system_is_refused_and_nothing_runs() {
    assert_refused_and_inert("os-system-p2", "posix.system");
    assert_refused_and_inert("os-system-p4", "posix.system");
}

#[test]
fn builtins_eval_is_refused_and_nothing_runs() {
    assert_refused_and_inert("builtins-eval", "builtins.eval");
}

#[test]
fn malicious_item_inside_a_valid_layout_is_refused() {
    assert_refused_and_inert("inside-layout", "posix.system");
}

#[test]
fn object_array_is_refused() {
    assert_eq!(
        message("object-images"),
        "x_train in F is an object array (dtype object), expected numbers"
    );
}

#[test]
fn unsupported_dtypes_are_refused() {
    let expected = "has dtype c8, expected an integer dtype, float32 or float64";
    assert_eq!(message("complex-images"), format!("x_train in F {expected}"));
    assert_eq!(message("string-labels"), format!("y_train in F {}", expected.replace("c8", "U3")));
    assert_eq!(
        message("float-labels"),
        "y_train in F has dtype float32, expected an integer dtype"
    );
}

#[test]
fn wrong_shapes_are_refused() {
    let images = "x_train in F has shape [20, 27, 27], expected (n, 28, 28) or (n, 784)";
    assert_eq!(message("images-27x27"), images);
    assert_eq!(message("labels-2d"), "y_train in F has shape [20, 1], expected (n,)");
}

#[test]
fn image_label_count_mismatch_is_refused() {
    let expected =
        "image/label count mismatch: x_test in F holds 10 images but y_test in F holds 9 labels";
    assert_eq!(message("count-mismatch"), expected);
}

#[test]
fn labels_outside_0_to_9_are_refused() {
    assert_eq!(message("label-10"), "y_train in F: label 10 at index 3 is outside 0-9");
    assert_eq!(message("label-negative"), "y_test in F: label -1 at index 7 is outside 0-9");
}

#[test]
fn pixels_outside_their_range_are_refused() {
    // Image 0, row 1, column 2 is flat index 30; image 1's first pixel is index 784.
    let float = "x_train in F: pixel 1.5 at index 30 is outside [0, 1] (float pixels)";
    assert_eq!(message("pixel-1.5"), float);
    let nan = "x_test in F: pixel NaN at index 784 is outside [0, 1] (float pixels)";
    assert_eq!(message("pixel-nan"), nan);
    let int = "x_train in F: pixel 300 at index 5 is outside 0-255 (integer pixels)";
    assert_eq!(message("pixel-300"), int);
}

#[test]
fn truncated_files_are_refused() {
    let (_dir, _file, err) = refused("truncated");
    assert!(matches!(err, DataError::PickleTruncated { .. }), "{err}");
    let (_dir, file, err) = refused("truncated-four");
    let len = std::fs::metadata(&file).unwrap().len();
    assert!(err.to_string().ends_with(&format!("but the data ends at byte {len}")), "{err}");
}

#[test]
fn truncated_gzip_pickle_is_a_gzip_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.pkl");
    make_pickles(&["small", arg(&real_data_dir()), arg(&file), "4", "2"]);
    let zipped = gzip(&std::fs::read(&file).unwrap());
    let cut = write(dir.path(), "small.pkl.gz", &zipped[..zipped.len() / 2]);
    let err = read_pickle(&cut).unwrap_err();
    assert!(matches!(err, DataError::Gzip { .. }), "{err}");
}

#[test]
fn trailing_garbage_is_refused() {
    let (_dir, file, err) = refused("trailing-garbage");
    let len = std::fs::metadata(&file).unwrap().len() as usize;
    let expected = format!(
        "F has 8 bytes of trailing garbage at byte {}, after 1 complete pickle(s), expected the \
         end of the file or another pickle",
        len - 8
    );
    assert_eq!(err.to_string().replace(&file.display().to_string(), "F"), expected);
}

#[test]
fn files_in_neither_layout_are_refused() {
    let expected = |found: &str| {
        format!(
            "F is in neither pickle layout: found {found}, expected one object ((x_train, \
             y_train), (x_test, y_test)) or four consecutive pickles x_train, y_train, x_test, \
             y_test"
        )
    };
    assert_eq!(message("three-pickles"), expected("3 pickles"));
    assert_eq!(message("dict"), expected("one pickle holding a dict"));
    assert_eq!(
        message("lone-array"),
        expected("one pickle holding a numpy array of shape [20, 28, 28]")
    );
}

#[test]
fn old_protocols_and_non_pickles_are_refused() {
    let not_a_pickle =
        "F is not a readable pickle at byte 0: not a pickle of protocol 2 to 5 (no PROTO opcode)";
    assert_eq!(message("protocol-1"), not_a_pickle);
    let dir = tempfile::tempdir().unwrap();
    let idx = real_data_dir().join("t10k-labels-idx1-ubyte.gz");
    let err = read_pickle(&idx).unwrap_err().to_string();
    assert_eq!(err.replace(&idx.display().to_string(), "F"), not_a_pickle);
    let empty = write(dir.path(), "empty.pkl", b"");
    let err = read_pickle(&empty).unwrap_err().to_string();
    assert!(err.ends_with("is not a readable pickle at byte 0: the file is empty"), "{err}");
}
