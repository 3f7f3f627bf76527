//! The two Python environments of the bench, created once and reused: full PyTorch 2.13.0
//! (the CUDA wheel from PyPI, about 2.7 GB to download; it runs on CPU here) and Keras 3
//! on TensorFlow CPU.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, ensure};

/// A virtual environment: where it lives, what goes in, and how to tell it works.
pub struct PythonEnv {
    /// Folder relative to the workspace root (under the ignored `.venv/`).
    pub dir: &'static str,
    /// pip requirements, pinned.
    pub packages: &'static [&'static str],
    /// A Python snippet that exits 0 only when the environment is complete.
    pub check: &'static str,
}

/// PyTorch 2.13.0, the release our libtorch comes from.
pub const TORCH: PythonEnv = PythonEnv {
    dir: ".venv/bench-torch",
    packages: &["torch==2.13.0", "numpy"],
    check: "import numpy, torch; assert torch.__version__.split('+')[0] == '2.13.0'",
};

/// Keras 3.15 on TensorFlow 2.21 (CPU build): the versions `shared/docs/SPEC.md` measured.
pub const KERAS: PythonEnv = PythonEnv {
    dir: ".venv/bench-keras",
    packages: &["tensorflow-cpu==2.21.0", "keras==3.15.1"],
    check: "import keras, numpy, tensorflow; assert keras.__version__ == '3.15.1'",
};

/// The environment's Python, creating or repairing the environment first when needed.
pub fn ensure(root: &Path, env: &PythonEnv) -> anyhow::Result<PathBuf> {
    let venv = root.join(env.dir);
    let python = venv.join("bin/python");
    if works(&python, env.check) {
        return Ok(python);
    }
    if venv.exists() {
        crate::say(&format!("{} is incomplete; recreating it", venv.display()));
        std::fs::remove_dir_all(&venv)?;
    }
    create(&venv, env)?;
    ensure!(
        works(&python, env.check),
        "installed {} into {}, but the check `{}` fails",
        env.packages.join(" "),
        venv.display(),
        env.check
    );
    Ok(python)
}

fn works(python: &Path, check: &str) -> bool {
    python.is_file()
        && Command::new(python)
            .args(["-c", check])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
}

fn create(venv: &Path, env: &PythonEnv) -> anyhow::Result<()> {
    let system = crate::venv::system_python()?;
    let packages = env.packages.join(" ");
    crate::say(&format!("creating {} with {packages} (once; large download)", venv.display()));
    let made = Command::new(&system).args(["-m", "venv"]).arg(venv).status()?;
    ensure!(made.success(), "`{system} -m venv` failed; on Debian install python3-venv");
    let pip = Command::new(venv.join("bin/python"))
        .args(["-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "on"])
        .args(env.packages)
        .status()?;
    if !pip.success() {
        let _ = std::fs::remove_dir_all(venv);
        bail!("pip could not install {packages}; check that PyPI is reachable");
    }
    Ok(())
}
