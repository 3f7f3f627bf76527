//! [`DataOptions`]: where [`crate::load`] looks for the data, in which order.

use std::path::PathBuf;

use crate::official::OFFICIAL_BASE_URL;

/// Environment variable naming a mirror: a local folder or an `http(s)://` base URL holding the
/// four official files.
pub const MIRROR_ENV: &str = "FASHION_MNIST_MIRROR";
/// Where Databricks clusters mount DBFS.
pub const DEFAULT_DBFS_ROOT: &str = "/dbfs";

/// Where to find the data. [`crate::load`] tries, in order: `path`, `mirror`, the files already
/// in `cache_dir`, and finally a download from `base_url` into `cache_dir`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataOptions {
    /// An explicit folder holding the four official files, or a pickle file (see
    /// [`crate::read_pickle`]); `dbfs:/` paths are accepted. Wins over everything else.
    pub path: Option<PathBuf>,
    /// A local folder (`dbfs:/` accepted) or an `http(s)://` base URL holding the four
    /// official files.
    pub mirror: Option<String>,
    /// Where downloaded files are kept (only verified files ever land here).
    pub cache_dir: PathBuf,
    /// Base URL of the official distribution, used when nothing else has the data.
    pub base_url: String,
    /// Where the Databricks file system is mounted: `dbfs:/x` is read as `<dbfs_root>/x`.
    pub dbfs_root: PathBuf,
}

impl Default for DataOptions {
    /// No path, no mirror, the user's cache folder (`<cache>/fmnist/fashion-mnist`, or
    /// `.cache/fmnist/fashion-mnist` when the system has none), the official base URL and the
    /// Databricks mount `/dbfs`.
    fn default() -> Self {
        let cache_root = dirs::cache_dir().unwrap_or_else(|| PathBuf::from(".cache"));
        DataOptions {
            path: None,
            mirror: None,
            cache_dir: cache_root.join("fmnist").join("fashion-mnist"),
            base_url: OFFICIAL_BASE_URL.to_owned(),
            dbfs_root: PathBuf::from(DEFAULT_DBFS_ROOT),
        }
    }
}

impl DataOptions {
    /// Fills `mirror` from [`MIRROR_ENV`] when that is set and not empty.
    pub fn with_env(self) -> Self {
        self.with_mirror_from(std::env::var(MIRROR_ENV).ok())
    }

    /// Fills `mirror` from `value` when that is `Some` and not blank.
    fn with_mirror_from(mut self, value: Option<String>) -> Self {
        if let Some(mirror) = value.filter(|v| !v.trim().is_empty()) {
            self.mirror = Some(mirror);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_points_at_the_official_files_and_a_cache_subfolder() {
        let opts = DataOptions::default();
        assert_eq!(opts.base_url, OFFICIAL_BASE_URL);
        assert!(opts.cache_dir.ends_with("fmnist/fashion-mnist"));
        assert_eq!((opts.path, opts.mirror), (None, None));
        assert_eq!(opts.dbfs_root, PathBuf::from("/dbfs"));
    }

    #[test]
    fn blank_mirror_value_is_ignored() {
        let opts = DataOptions::default().with_mirror_from(Some("  ".to_owned()));
        assert_eq!(opts.mirror, None);
        let opts = DataOptions::default().with_mirror_from(Some("/m".to_owned()));
        assert_eq!(opts.mirror.as_deref(), Some("/m"));
    }
}
