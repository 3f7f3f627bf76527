//! `run` and `test`: cargo invocations with libtorch (and, for tests, MLflow) set up first.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, ensure};

/// Arguments of `cargo xtask run`, passed unchanged to the pipeline binary.
#[derive(clap::Args, Debug)]
#[command(disable_help_flag = true)]
pub struct RunArgs {
    /// Pipeline arguments, for example `--config configs/mlp.toml --set train.epochs=5`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<OsString>,
}

/// Arguments of `cargo xtask test`.
#[derive(clap::Args, Debug)]
pub struct TestArgs {
    /// Skip `cargo fmt --check` and `cargo clippy`.
    #[arg(long)]
    no_lint: bool,
    /// Extra arguments for `cargo test` (after `--`), for example a test name filter.
    #[arg(last = true)]
    cargo_args: Vec<OsString>,
}

/// Builds the pipeline in release mode and runs it.
pub fn run(root: &Path, args: &RunArgs) -> anyhow::Result<()> {
    let libtorch = crate::libtorch::ensure(root)?;
    let mut cargo = cargo(root, &libtorch);
    // Relative paths in the arguments, and the default `runs/` and `mlruns/`, mean the
    // caller's working directory, as for any command-line tool.
    if let Ok(cwd) = std::env::current_dir() {
        cargo.current_dir(cwd);
    }
    // libgomp's idle threads spin by default; when another process holds a core, a
    // 2-thread CNN step then took 15x longer (1.3 s instead of 0.08 s). Waiting passively
    // avoids that. A value the caller set wins.
    if std::env::var_os("OMP_WAIT_POLICY").is_none() {
        cargo.env("OMP_WAIT_POLICY", "PASSIVE");
    }
    cargo.arg("run").arg("--manifest-path").arg(root.join("Cargo.toml"));
    cargo.args(["--release", "--bin", "fmnist", "--", "run"]).args(&args.args);
    let status = cargo.status().context("starting cargo to build and run the pipeline")?;
    if !status.success() {
        // The pipeline (or cargo) has said what went wrong; keep its exit code, 130 on Ctrl-C.
        std::process::exit(status.code().unwrap_or(1));
    }
    Ok(())
}

/// Lints and tests the whole workspace.
pub fn test(root: &Path, args: &TestArgs) -> anyhow::Result<()> {
    let libtorch = crate::libtorch::ensure(root)?;
    let python = crate::venv::mlflow_python(root)?;
    if !args.no_lint {
        crate::say("cargo fmt --check");
        let mut fmt = cargo(root, &libtorch);
        fmt.args(["fmt", "--all", "--check"]);
        status(fmt, "cargo fmt --check (run `cargo fmt --all` to fix)")?;
        crate::say("cargo clippy");
        let mut clippy = cargo(root, &libtorch);
        clippy.args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]);
        status(clippy, "cargo clippy")?;
    }
    crate::say("cargo test");
    let mut test = cargo(root, &libtorch);
    test.args(["test", "--workspace"]).args(&args.cargo_args);
    test.env("FMNIST_MLFLOW_PYTHON", &python).env("FMNIST_PYTHON", &python);
    if let Some(mirror) = absolute_mirror(root)? {
        test.env("FASHION_MNIST_MIRROR", mirror);
    }
    status(test, "cargo test")
}

/// A cargo command in the workspace root that builds against `libtorch`.
pub(crate) fn cargo(root: &Path, libtorch: &Path) -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(program);
    command.current_dir(root).env("LIBTORCH", libtorch);
    command
}

/// `FASHION_MNIST_MIRROR` with a relative folder made absolute, since tests run in their
/// own package folders. URLs pass through unchanged.
fn absolute_mirror(root: &Path) -> anyhow::Result<Option<OsString>> {
    let Some(value) = std::env::var_os("FASHION_MNIST_MIRROR").filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let text = value.to_string_lossy();
    if text.starts_with("http://") || text.starts_with("https://") {
        return Ok(Some(value));
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| root.to_path_buf());
    let path = cwd.join(PathBuf::from(&value));
    let absolute = path.canonicalize().with_context(|| {
        format!("FASHION_MNIST_MIRROR={} does not name an existing folder", text)
    })?;
    Ok(Some(absolute.into_os_string()))
}

/// Runs `command`; an error naming `what` unless it exits successfully.
pub(crate) fn status(mut command: Command, what: &str) -> anyhow::Result<()> {
    let status = command.status().with_context(|| format!("starting {what}"))?;
    ensure!(status.success(), "{what} failed ({status})");
    Ok(())
}
