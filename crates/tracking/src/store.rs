//! The directory store (`mlruns/`): experiments and run folders in MLflow's on-disk format.
//!
//! The layout and every rule followed here are described in the team's `MLFLOW.md`: an
//! experiment is a folder named by its id holding `meta.yaml`; a run is a folder named by its
//! 32-hex id inside it. Experiment `0` named `Default` is created with a new store, as MLflow
//! does. See [`crate::store_run::LocalRun`] for what is written inside a run.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Result, TrackingError};
use crate::fsutil::{self, atomic_write, file_uri};
use crate::store_run::LocalRun;
use crate::types::now_ms;
use crate::validate::check_name;
use crate::yaml::{self, Scalar};

const TRASH: &str = ".trash";
const DEFAULT_EXPERIMENT: &str = "Default";

/// A directory store, opened (and created when missing) at an absolute root.
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

/// What a run's folder needs when it is created.
#[derive(Debug, Clone)]
pub struct NewRun<'a> {
    /// 32 lowercase hex characters.
    pub run_id: &'a str,
    /// Run name (`mlflow.runName`).
    pub run_name: &'a str,
    /// `user_id` of the run.
    pub user: &'a str,
    /// Milliseconds since the epoch.
    pub start_time: i64,
    /// Tags written at creation.
    pub tags: &'a [(String, String)],
}

impl LocalStore {
    /// Opens the store at `root` (relative paths are taken from the current directory),
    /// creating it with experiment `0` "Default" and `.trash/` when it does not exist yet.
    pub fn open(root: &Path) -> Result<LocalStore> {
        let store = LocalStore { root: fsutil::absolute(root)? };
        if store.root.exists() && !store.root.is_dir() {
            let found = "this is a file, expected the folder of an MLflow directory store";
            let source = std::io::Error::new(std::io::ErrorKind::NotADirectory, found);
            return Err(TrackingError::Io { path: store.root.clone(), source });
        }
        fsutil::create_dir_all(&store.root.join(TRASH))?;
        let default_dir = store.root.join("0");
        if !default_dir.exists() && !store.root.join(TRASH).join("0").exists() {
            store.write_experiment_meta("0", DEFAULT_EXPERIMENT)?;
        }
        Ok(store)
    }

    /// Opens a store that must already exist (for reading).
    pub fn open_existing(root: &Path) -> Result<LocalStore> {
        if !root.join("0").is_dir() && !root.join(TRASH).is_dir() {
            return Err(TrackingError::NotFound {
                what: format!(
                    "directory store {} (expected a folder with 0/ or .trash/)",
                    root.display()
                ),
            });
        }
        Ok(LocalStore { root: fsutil::absolute(root)? })
    }

    /// The absolute root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Id of the active experiment called `name`, created (with an 18-digit random id, as
    /// MLflow does) when there is none.
    pub fn experiment_id(&self, name: &str) -> Result<String> {
        check_name("experiment name", name)?;
        if let Some(id) = self.find_experiment(name)? {
            return Ok(id);
        }
        if self.is_deleted_experiment(name)? {
            return Err(TrackingError::config(format!(
                "experiment {name:?} is deleted in store {} (it is in {TRASH}/); restore or \
                 purge it, or use another name",
                self.root.display()
            )));
        }
        // FIXME: two processes creating the same new experiment at the same moment can both
        // create it (MLflow's own file store has the same race); a lock file would close it.
        let id = loop {
            let candidate =
                rand::random_range(100_000_000_000_000_000_u64..1_000_000_000_000_000_000);
            if !self.root.join(candidate.to_string()).exists() {
                break candidate.to_string();
            }
        };
        self.write_experiment_meta(&id, name)?;
        Ok(id)
    }

    /// Id of the active experiment called `name`, if any.
    pub fn find_experiment(&self, name: &str) -> Result<Option<String>> {
        for (id, meta) in self.experiments_in(&self.root)? {
            if meta_str(&meta, "name") == Some(name)
                && meta_str(&meta, "lifecycle_stage") != Some("deleted")
            {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    fn is_deleted_experiment(&self, name: &str) -> Result<bool> {
        let deleted = self.experiments_in(&self.root.join(TRASH))?;
        Ok(deleted.iter().any(|(_, meta)| meta_str(meta, "name") == Some(name)))
    }

    fn experiments_in(&self, dir: &Path) -> Result<Vec<(String, BTreeMap<String, Scalar>)>> {
        let mut found = Vec::new();
        let Ok(entries) = fs::read_dir(dir) else { return Ok(found) };
        for entry in entries.flatten() {
            let meta_path = entry.path().join("meta.yaml");
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == TRASH || !meta_path.is_file() {
                continue;
            }
            found.push((name, read_meta(&meta_path)?));
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(found)
    }

    fn write_experiment_meta(&self, id: &str, name: &str) -> Result<()> {
        let dir = self.root.join(id);
        fsutil::create_dir_all(&dir)?;
        let now = now_ms();
        let entries = BTreeMap::from([
            ("artifact_location", Scalar::Str(file_uri(&dir))),
            ("creation_time", Scalar::Int(now)),
            ("experiment_id", Scalar::Str(id.to_string())),
            ("last_update_time", Scalar::Int(now)),
            ("lifecycle_stage", Scalar::Str("active".into())),
            ("name", Scalar::Str(name.to_string())),
        ]);
        atomic_write(&dir.join("meta.yaml"), yaml::write(&entries).as_bytes(), &dir)
    }

    /// Creates a run folder in experiment `experiment_id`, status RUNNING.
    pub fn create_run(&self, experiment_id: &str, new_run: &NewRun<'_>) -> Result<LocalRun> {
        let dir = self.root.join(experiment_id).join(new_run.run_id);
        if dir.exists() {
            return Err(TrackingError::bad_store(&dir, "a run folder with this id already exists"));
        }
        LocalRun::create(dir, experiment_id, new_run)
    }

    /// Folder of run `run_id`, searched in every active experiment.
    pub fn find_run(&self, run_id: &str) -> Result<PathBuf> {
        for (experiment_id, _) in self.experiments_in(&self.root)? {
            let dir = self.root.join(experiment_id).join(run_id);
            if dir.join("meta.yaml").is_file() {
                return Ok(dir);
            }
        }
        Err(TrackingError::NotFound {
            what: format!("run {run_id} in store {}", self.root.display()),
        })
    }
}

/// Reads a `meta.yaml`.
pub(crate) fn read_meta(path: &Path) -> Result<BTreeMap<String, Scalar>> {
    let text = fsutil::read_to_string(path)?;
    yaml::read(&text).map_err(|reason| TrackingError::bad_store(path, reason))
}

/// String value of `key`, if it is one.
pub(crate) fn meta_str<'a>(meta: &'a BTreeMap<String, Scalar>, key: &str) -> Option<&'a str> {
    match meta.get(key) {
        Some(Scalar::Str(text)) => Some(text),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_store_has_default_experiment_like_mlflow() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(&dir.path().join("mlruns")).unwrap();
        let meta = fs::read_to_string(store.root().join("0/meta.yaml")).unwrap();
        let uri = file_uri(&store.root().join("0"));
        assert!(meta.starts_with(&format!("artifact_location: {uri}\ncreation_time: ")), "{meta}");
        assert!(meta.contains("\nexperiment_id: '0'\n"));
        assert!(meta.ends_with("lifecycle_stage: active\nname: Default\n"));
        assert!(store.root().join(".trash").is_dir());
        assert_eq!(store.experiment_id("Default").unwrap(), "0");
    }

    #[test]
    fn a_file_where_the_store_should_be_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("mlruns");
        fs::write(&file, "not a store").unwrap();
        let error = LocalStore::open(&file).unwrap_err();
        let text = error.to_string();
        assert!(text.starts_with(&format!("cannot access {}: this is a file", file.display())));
        assert!(text.contains("MLflow directory store"), "{text}");
        assert_eq!(fs::read_to_string(&file).unwrap(), "not a store", "the file is untouched");
    }

    #[test]
    fn experiments_are_found_again_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(dir.path()).unwrap();
        let id = store.experiment_id("fashion mnist: mlp").unwrap();
        assert_eq!(id.len(), 18);
        assert!(id.chars().all(|c| c.is_ascii_digit()));
        let reopened = LocalStore::open(dir.path()).unwrap();
        assert_eq!(reopened.experiment_id("fashion mnist: mlp").unwrap(), id);
        let meta = fs::read_to_string(dir.path().join(&id).join("meta.yaml")).unwrap();
        assert!(meta.contains(&format!("experiment_id: '{id}'\n")), "{meta}");
        assert!(meta.ends_with("name: 'fashion mnist: mlp'\n"), "{meta}");
    }

    #[test]
    fn deleted_experiment_name_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(dir.path()).unwrap();
        let id = store.experiment_id("old").unwrap();
        fs::rename(dir.path().join(&id), dir.path().join(".trash").join(&id)).unwrap();
        let err = store.experiment_id("old").unwrap_err();
        assert!(err.to_string().contains("experiment \"old\" is deleted"), "{err}");
    }
}
