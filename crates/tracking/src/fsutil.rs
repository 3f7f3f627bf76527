//! File helpers for the directory store: atomic writes, folder walks, `file://` URIs and
//! percent-encoding.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Result, TrackingError};

/// Writes `bytes` to `target` through a temporary file in `tmp_dir` and a rename, so a reader
/// never sees a half-written file. `tmp_dir` must be on the same file system as `target` and
/// must be a place MLflow does not read as data (a run or experiment folder, not `params/`).
pub fn atomic_write(target: &Path, bytes: &[u8], tmp_dir: &Path) -> Result<()> {
    if let Some(parent) = target.parent() {
        create_dir_all(parent)?;
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".fmnist-")
        .suffix(".tmp")
        .tempfile_in(tmp_dir)
        .map_err(|err| TrackingError::io(tmp_dir, err))?;
    tmp.write_all(bytes).map_err(|err| TrackingError::io(tmp.path(), err))?;
    tmp.as_file().sync_all().map_err(|err| TrackingError::io(tmp.path(), err))?;
    make_readable(tmp.path())?;
    tmp.persist(target).map_err(|err| TrackingError::io(target, err.error))?;
    Ok(())
}

/// Gives a file MLflow's usual mode 0644: a temporary file starts as 0600, which would hide
/// the store from an MLflow UI run by another user.
pub fn make_readable(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::Permissions::from_mode(0o644);
        fs::set_permissions(path, mode).map_err(|err| TrackingError::io(path, err))?;
    }
    Ok(())
}

/// `fs::create_dir_all` with the path in the error.
pub fn create_dir_all(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|err| TrackingError::io(dir, err))
}

/// `fs::read_to_string` with the path in the error.
pub fn read_to_string(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|err| TrackingError::io(path, err))
}

/// Every regular file below `dir` as `(relative path with '/', absolute path)`, sorted.
/// Symbolic links to files are followed; links to folders are not (no cycles). Our own
/// temporary files are skipped.
pub fn walk_files(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    walk_into(dir, "", &mut files)?;
    files.sort();
    Ok(files)
}

fn walk_into(dir: &Path, prefix: &str, files: &mut Vec<(String, PathBuf)>) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|err| TrackingError::io(dir, err))?;
    for entry in entries {
        let entry = entry.map_err(|err| TrackingError::io(dir, err))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(".fmnist-") && name.ends_with(".tmp") {
            continue;
        }
        let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let link_type = entry.file_type().map_err(|err| TrackingError::io(&path, err))?;
        if link_type.is_dir() {
            walk_into(&path, &rel, files)?;
        } else if path.is_file() {
            files.push((rel, path));
        }
    }
    Ok(())
}

/// Absolute form of `path` without touching the disk more than needed.
pub fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).map_err(|err| TrackingError::io(path, err))
}

/// `file://` URI of an absolute path, percent-encoded like Python's `Path.as_uri()`.
pub fn file_uri(path: &Path) -> String {
    format!("file://{}", percent_encode(&path.to_string_lossy(), "/"))
}

/// Local path of a `file:` URI (`file:///a/b`, `file:/a/b`, `file:rel`).
pub fn path_from_file_uri(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file:")?;
    let rest = rest.strip_prefix("//localhost").or(rest.strip_prefix("//")).unwrap_or(rest);
    Some(PathBuf::from(percent_decode(rest)))
}

/// Percent-encodes everything but unreserved characters and those in `keep`.
pub fn percent_encode(text: &str, keep: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        let c = char::from(byte);
        if byte.is_ascii_alphanumeric()
            || "-._~".contains(c)
            || (byte.is_ascii() && keep.contains(c))
        {
            out.push(c);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while idx < bytes.len() {
        let hex = bytes.get(idx + 1..idx + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[idx], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                idx += 3;
            }
            (byte, _) => {
                out.push(byte);
                idx += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_round_trip() {
        let path = Path::new("/tmp/my store/mlruns#1");
        let uri = file_uri(path);
        assert_eq!(uri, "file:///tmp/my%20store/mlruns%231");
        assert_eq!(path_from_file_uri(&uri).unwrap(), path);
        assert_eq!(path_from_file_uri("file:rel/x").unwrap(), Path::new("rel/x"));
    }

    #[test]
    fn atomic_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("params/a/b");
        atomic_write(&target, b"v", dir.path()).unwrap();
        atomic_write(&target, b"w", dir.path()).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "w");
        let files: Vec<String> = walk_files(dir.path()).unwrap().into_iter().map(|f| f.0).collect();
        assert_eq!(files, ["params/a/b"]);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&target).unwrap().permissions().mode() & 0o777, 0o644);
        }
    }
}
