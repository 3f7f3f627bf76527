//! Helpers shared by the integration tests: the real-data folder, IDX fixture builders and a
//! tiny HTTP server on 127.0.0.1 standing in for a mirror.
#![allow(dead_code)] // Each test binary uses a different subset of these helpers.

pub mod python;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flate2::Compression;
use flate2::write::GzEncoder;
use fmnist_data::{IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, OFFICIAL_FILES};

/// The folder with the four official files, from `FASHION_MNIST_MIRROR` (required). A relative
/// value is tried from the crate folder (where cargo runs tests), then from the workspace root.
pub fn real_data_dir() -> PathBuf {
    let Ok(value) = std::env::var("FASHION_MNIST_MIRROR") else {
        panic!(
            "FASHION_MNIST_MIRROR is not set: these tests need the folder holding the four \
             official Fashion-MNIST .gz files (`cargo xtask test` sets it)"
        );
    };
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let candidates = [PathBuf::from(&value), workspace.join(&value)];
    let found = candidates.into_iter().find(|dir| dir.is_dir());
    found.unwrap_or_else(|| panic!("FASHION_MNIST_MIRROR={value} is not a folder; tests need one"))
}

/// The bytes of the official files, keyed by file name.
pub fn real_files() -> HashMap<String, Vec<u8>> {
    let dir = real_data_dir();
    let read = |name: &str| std::fs::read(dir.join(name)).expect("read an official file");
    OFFICIAL_FILES.iter().map(|f| (f.name.to_owned(), read(f.name))).collect()
}

/// Gzip-compresses `bytes`.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// An IDX image file (uncompressed) of `n` images of `side x side`, pixel `i` = `i % 251`.
pub fn idx_images(n: u32, side: u32) -> Vec<u8> {
    let mut bytes = words(&[IDX_IMAGES_MAGIC, n, side, side]);
    bytes.extend((0..n * side * side).map(|i| (i % 251) as u8));
    bytes
}

/// An IDX label file (uncompressed) holding `labels`.
pub fn idx_labels(labels: &[u8]) -> Vec<u8> {
    let mut bytes = words(&[IDX_LABELS_MAGIC, labels.len() as u32]);
    bytes.extend_from_slice(labels);
    bytes
}

/// Big-endian `u32` words.
pub fn words(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The names of the entries of `dir`, sorted (empty when `dir` does not exist).
pub fn entries(dir: &Path) -> Vec<String> {
    let Ok(read_dir) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<String> =
        read_dir.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// A URL on 127.0.0.1 where nothing listens (a port that was just free).
pub fn unreachable_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/fmnist")
}

/// Serves `files` under `/fmnist/<name>` on 127.0.0.1 from a background thread, for the rest of
/// the test process; unknown paths get 404. Returns the base URL.
pub fn serve(files: HashMap<String, Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/fmnist", listener.local_addr().unwrap());
    let files = Arc::new(files);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let files = Arc::clone(&files);
            std::thread::spawn(move || answer(stream, &files));
        }
    });
    base
}

/// Answers one request on `stream`.
fn answer(mut stream: TcpStream, files: &HashMap<String, Vec<u8>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
        header.clear();
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("");
    let body = path.strip_prefix("/fmnist/").and_then(|name| files.get(name));
    let (status, body) = match body {
        Some(body) => ("200 OK", body.as_slice()),
        None => ("404 Not Found", b"not found".as_slice()),
    };
    let head =
        format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body));
}
