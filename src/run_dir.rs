//! The run folder: the unit of output. Files are written atomically, and the folder says
//! whether the run finished.
//!
//! While a run is in progress the folder holds `INCOMPLETE`; `status.json` says `running`.
//! Only when every output is written does `status.json` become `finished` and `INCOMPLETE`
//! go away. A failed or interrupted run keeps `INCOMPLETE`, and `status.json` says
//! `failed` or `killed` with the reason.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;

/// Name of the marker present until a run has written all of its outputs.
pub const INCOMPLETE: &str = "INCOMPLETE";

/// How a run ended, as written in `status.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    /// Still going (or the process died without a word).
    Running,
    /// Every output is written.
    Finished,
    /// Stopped by an error.
    Failed,
    /// Stopped by the user (Ctrl-C).
    Killed,
}

impl RunState {
    /// The name `status.json` uses.
    pub fn name(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Finished => "finished",
            RunState::Failed => "failed",
            RunState::Killed => "killed",
        }
    }
}

/// An open run folder.
#[derive(Debug)]
pub struct RunDir {
    path: PathBuf,
}

impl RunDir {
    /// Creates `path` (it must not hold another run) and marks it incomplete.
    pub fn create(path: &Path) -> anyhow::Result<RunDir> {
        if path.join("status.json").exists() {
            anyhow::bail!(
                "{} already holds a run (status.json exists); choose another --out folder",
                path.display()
            );
        }
        let has_files = std::fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_some());
        if has_files {
            anyhow::bail!(
                "{} is not empty; a run needs a new or empty folder (its files would be \
                 overwritten and uploaded to MLflow), choose another --out folder",
                path.display()
            );
        }
        std::fs::create_dir_all(path)
            .with_context(|| format!("cannot create run folder {}", path.display()))?;
        let dir = RunDir { path: path.to_path_buf() };
        let note = "This run has not finished: its outputs may be missing or partial.\n";
        dir.write(INCOMPLETE, note.as_bytes())?;
        dir.set_state(RunState::Running, None)?;
        Ok(dir)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Path of `name` inside the folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Writes `name` atomically: a temporary file in the folder, then a rename.
    pub fn write(&self, name: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
        let target = self.file(name);
        // Outputs are for sharing: readable by all, like any file the user creates.
        let mut temp = tempfile::Builder::new()
            .permissions(std::fs::Permissions::from_mode(0o644))
            .tempfile_in(&self.path)
            .with_context(|| format!("cannot create a file in {}", self.path.display()))?;
        temp.write_all(bytes).with_context(|| format!("writing {}", target.display()))?;
        temp.persist(&target).with_context(|| format!("writing {}", target.display()))?;
        Ok(target)
    }

    /// Writes `status.json`; for a finished run also removes the `INCOMPLETE` marker.
    pub fn set_state(&self, state: RunState, reason: Option<&str>) -> anyhow::Result<()> {
        let status = serde_json::json!({ "status": state, "reason": reason });
        self.write("status.json", serde_json::to_string_pretty(&status)?.as_bytes())?;
        if state == RunState::Finished {
            std::fs::remove_file(self.file(INCOMPLETE))
                .with_context(|| format!("removing {}", self.file(INCOMPLETE).display()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_names_are_the_status_json_spellings() {
        for state in [RunState::Running, RunState::Finished, RunState::Failed, RunState::Killed] {
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.name()));
        }
    }

    #[test]
    fn a_run_is_marked_incomplete_until_it_finishes() {
        let temp = tempfile::tempdir().unwrap();
        let dir = RunDir::create(&temp.path().join("run")).unwrap();
        assert!(dir.file(INCOMPLETE).exists());
        dir.write("a.txt", b"hello").unwrap();
        assert_eq!(std::fs::read(dir.file("a.txt")).unwrap(), b"hello");
        dir.set_state(RunState::Failed, Some("boom")).unwrap();
        assert!(dir.file(INCOMPLETE).exists());
        let status = std::fs::read_to_string(dir.file("status.json")).unwrap();
        assert!(status.contains("\"failed\"") && status.contains("boom"), "{status}");
        dir.set_state(RunState::Finished, None).unwrap();
        assert!(!dir.file(INCOMPLETE).exists());
        assert!(RunDir::create(dir.path()).is_err(), "a folder holding a run is refused");
        let other = temp.path().join("notes");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(other.join("notes.txt"), "mine").unwrap();
        let error = RunDir::create(&other).unwrap_err();
        assert!(error.to_string().contains("is not empty"), "{error}");
        assert_eq!(std::fs::read_to_string(other.join("notes.txt")).unwrap(), "mine");
        assert!(RunDir::create(&temp.path().join("empty")).is_ok());
    }
}
