//! Python environments the workflows need: the system `python3` (for pip) and a virtual
//! environment with MLflow 3.17.2 for the MLflow UI and the tests that check our runs with
//! the real MLflow client and server.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail, ensure};

/// The MLflow release our formats were checked against (`shared/docs/MLFLOW.md`).
pub const MLFLOW_VERSION: &str = "3.17.2";

/// Folder, relative to the workspace root, of the MLflow virtual environment.
pub const MLFLOW_VENV: &str = ".venv/mlflow";

/// The system Python with pip, or an error that says what to install.
pub fn system_python() -> anyhow::Result<String> {
    for candidate in ["python3", "python"] {
        let works = Command::new(candidate)
            .args(["-m", "pip", "--version"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if works {
            return Ok(candidate.to_owned());
        }
    }
    bail!(
        "python3 with pip was not found on PATH; it is needed to fetch libtorch and MLflow from \
         PyPI (Debian: apt-get install python3 python3-pip python3-venv)"
    )
}

/// Python of the MLflow virtual environment, creating or repairing it when needed.
pub fn mlflow_python(root: &Path) -> anyhow::Result<PathBuf> {
    let venv = root.join(MLFLOW_VENV);
    let python = venv.join("bin/python");
    if has_mlflow(&python) {
        return Ok(python);
    }
    if venv.exists() {
        crate::say(&format!("{} is incomplete; recreating it", venv.display()));
        fs::remove_dir_all(&venv).with_context(|| format!("removing {}", venv.display()))?;
    }
    create(&venv)?;
    ensure!(
        has_mlflow(&python),
        "installed mlflow=={MLFLOW_VERSION} into {}, but it does not import",
        venv.display()
    );
    Ok(python)
}

fn has_mlflow(python: &Path) -> bool {
    let check = format!("import mlflow, numpy; assert mlflow.__version__ == '{MLFLOW_VERSION}'");
    python.is_file()
        && Command::new(python)
            .args(["-c", &check])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
}

fn create(venv: &Path) -> anyhow::Result<()> {
    let system = system_python()?;
    crate::say(&format!("creating {} with mlflow=={MLFLOW_VERSION} (once)", venv.display()));
    let made = Command::new(&system).args(["-m", "venv"]).arg(venv).status()?;
    ensure!(made.success(), "`{system} -m venv` failed; on Debian install python3-venv");
    let pip = Command::new(venv.join("bin/python"))
        .args(["-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "on"])
        .arg(format!("mlflow=={MLFLOW_VERSION}"))
        .status()?;
    if !pip.success() {
        let _ = fs::remove_dir_all(venv);
        bail!("pip could not install mlflow=={MLFLOW_VERSION}; check that PyPI is reachable");
    }
    Ok(())
}
