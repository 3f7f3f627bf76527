//! The real Python (with numpy) that writes pickle fixtures at test time, through
//! `tests/fixtures/make_pickles.py`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Environment variable naming the Python interpreter (`cargo xtask test` sets it).
const PYTHON_ENV: &str = "FMNIST_PYTHON";

/// `FMNIST_PYTHON`, else `<workspace>/.venv/mlflow/bin/python`; it must import numpy (checked
/// once per test binary).
pub fn python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(find_python).clone()
}

fn find_python() -> PathBuf {
    let fallback = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/mlflow/bin/python");
    let python = std::env::var_os(PYTHON_ENV).map(PathBuf::from).unwrap_or(fallback);
    let works = Command::new(&python)
        .args(["-c", "import numpy"])
        .output()
        .is_ok_and(|out| out.status.success());
    assert!(
        works,
        "no Python with numpy at {}: set {PYTHON_ENV} to a Python that can `import numpy` \
         (`cargo xtask test` sets it), or create the workspace venv .venv/mlflow",
        python.display()
    );
    python
}

/// Runs `make_pickles.py` with `args`, failing the test with its output when it fails.
pub fn make_pickles(args: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/make_pickles.py");
    let out = Command::new(python())
        .arg("-W")
        .arg("ignore::DeprecationWarning")
        .arg(&script)
        .args(args)
        .output()
        .expect("start the fixture script");
    assert!(
        out.status.success(),
        "make_pickles.py {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The `(file name, layout)` lines of a fixture folder's `manifest.tsv`.
pub fn manifest(dir: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(dir.join("manifest.tsv")).expect("read manifest.tsv");
    let line = |l: &str| l.split_once('\t').map(|(a, b)| (a.to_owned(), b.to_owned()));
    text.lines().filter_map(line).collect()
}

/// A path as a `&str` argument.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}
