//! Databricks paths: `dbfs:/path` is read through the local DBFS mount (`/dbfs/path` on a
//! cluster; the mount root is configurable), and `/dbfs/path` works as it is.

use std::path::{Path, PathBuf};

use crate::error::{DataError, Result};

/// The scheme of Databricks file system paths.
const DBFS_SCHEME: &str = "dbfs:/";

/// A user-given path made local: the path to open, and how to name it in logs and provenance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LocalPath {
    /// The path to open.
    pub path: PathBuf,
    /// The given spelling, plus the local mount when it was mapped.
    pub shown: String,
}

/// Maps `given` through the DBFS mount at `mount_root` when it is a `dbfs:/` path. A `dbfs:/`
/// path, or one under `mount_root`, that does not exist is an error naming both spellings;
/// other paths are returned as they are (their caller reports them missing).
pub(crate) fn localize(given: &Path, mount_root: &Path) -> Result<LocalPath> {
    let text = given.to_string_lossy();
    if let Some(rest) = text.strip_prefix(DBFS_SCHEME) {
        let mount_path = mount_root.join(rest.trim_start_matches('/'));
        let dbfs_path = format!("{DBFS_SCHEME}{}", rest.trim_start_matches('/'));
        require(&dbfs_path, &mount_path, mount_root)?;
        tracing::info!("{dbfs_path} is read through the local mount {}", mount_path.display());
        let shown = format!("{dbfs_path} (read through {})", mount_path.display());
        return Ok(LocalPath { path: mount_path, shown });
    }
    if let Ok(rest) = given.strip_prefix(mount_root) {
        let dbfs_path = format!("{DBFS_SCHEME}{}", rest.display());
        require(&dbfs_path, given, mount_root)?;
    }
    Ok(LocalPath { path: given.to_owned(), shown: given.display().to_string() })
}

/// An error naming both spellings when `mount_path` does not exist.
fn require(dbfs_path: &str, mount_path: &Path, mount_root: &Path) -> Result<()> {
    if mount_path.exists() {
        return Ok(());
    }
    Err(DataError::DbfsMissing {
        dbfs_path: dbfs_path.to_owned(),
        mount_path: mount_path.to_owned(),
        mount_root: mount_root.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dbfs_paths_map_under_the_mount_root() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("data")).unwrap();
        std::fs::write(root.path().join("data/f.pkl"), b"x").unwrap();
        let local = localize(Path::new("dbfs:/data/f.pkl"), root.path()).unwrap();
        assert_eq!(local.path, root.path().join("data/f.pkl"));
        let expected = format!("dbfs:/data/f.pkl (read through {})", local.path.display());
        assert_eq!(local.shown, expected);
    }

    #[test]
    fn mount_paths_and_plain_paths_pass_through() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("f.pkl"), b"x").unwrap();
        let mounted = root.path().join("f.pkl");
        assert_eq!(localize(&mounted, root.path()).unwrap().path, mounted);
        let elsewhere = Path::new("/no/such/plain/path");
        assert_eq!(localize(elsewhere, root.path()).unwrap().path, elsewhere);
    }

    #[test]
    fn missing_dbfs_path_names_both_spellings() {
        let root = tempfile::tempdir().unwrap();
        for given in [PathBuf::from("dbfs:/x/f.pkl"), root.path().join("x/f.pkl")] {
            let err = localize(&given, root.path()).unwrap_err().to_string();
            let mount = root.path().join("x/f.pkl");
            let expected =
                format!("neither dbfs:/x/f.pkl nor its local mount {} exists", mount.display());
            assert!(err.starts_with(&expected), "{err}");
            assert!(err.contains(&format!("mounted at {}", root.path().display())), "{err}");
        }
    }
}
