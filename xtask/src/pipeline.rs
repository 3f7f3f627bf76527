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
    if std::env::var_os("OMP_WAIT_POLICY").is_none() && cpus_already_busy() {
        crate::say(
            "other processes keep the CPUs busy: OpenMP threads will sleep when idle (OMP_WAIT_POLICY=PASSIVE)",
        );
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

/// Whether other processes keep at least [`BUSY_CORES`] cores busy right now.
///
/// libgomp's idle threads spin a while before sleeping. On an idle machine that is the fast
/// choice (figures from the 2-core AMD EPYC machines): a default MLP run took about 14 s,
/// against 23 s with `OMP_WAIT_POLICY=PASSIVE`. When other processes keep the cores busy,
/// spinning threads take time from the threads with work: three MLP epochs took 17.8 s
/// against 7.3 s passive, and a 2-thread CNN step up to 15x longer. So `run` asks for passive waiting only when the CPUs are busy as it starts (it
/// cannot follow load that arrives later).
fn cpus_already_busy() -> bool {
    let read = || std::fs::read_to_string("/proc/stat").ok();
    let Some(first) = read() else {
        return false;
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    let Some(second) = read() else {
        return false;
    };
    let (Some(before), Some(after)) = (cpu_times(&first), cpu_times(&second)) else {
        return false;
    };
    let cpus = cpu_count(&second) as f64;
    busy_share(before, after).is_some_and(|share| share * cpus >= BUSY_CORES)
}

/// CPUs listed in `/proc/stat` (the `cpuN` lines), the cores its first line sums over.
fn cpu_count(stat: &str) -> usize {
    let numbered = |line: &&str| {
        line.strip_prefix("cpu")
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c.is_ascii_digit())
    };
    stat.lines().filter(numbered).count().max(1)
}

/// Other processes using this many cores' worth of time (summed over all cores) count as
/// busy: 20 % of the 2-core machines the figures above come from.
const BUSY_CORES: f64 = 0.4;

/// `(busy, total)` jiffies of all CPUs from `/proc/stat`'s first line; idle and iowait count
/// as not busy.
fn cpu_times(stat: &str) -> Option<(u64, u64)> {
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let fields: Vec<u64> =
        line.split_whitespace().map(str::parse).collect::<Result<_, _>>().ok()?;
    let total: u64 = fields.iter().take(8).sum();
    let idle = fields.get(3)? + fields.get(4).copied().unwrap_or(0);
    Some((total - idle, total))
}

/// The busy share of the time between two [`cpu_times`] samples.
fn busy_share(before: (u64, u64), after: (u64, u64)) -> Option<f64> {
    let total = after.1.checked_sub(before.1)?;
    let busy = after.0.checked_sub(before.0)?;
    (total > 0).then(|| busy as f64 / total as f64)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_times_count_idle_and_iowait_as_not_busy() {
        let stat = "cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 50 2 25 400 20 1 1 0 0 0\n";
        // total = 100+5+50+800+40+3+2+0; idle = 800 + 40
        assert_eq!(cpu_times(stat), Some((160, 1000)));
        assert_eq!(cpu_times("intr 1 2 3\n"), None);
        assert_eq!(cpu_count(stat), 1);
        assert_eq!(cpu_count("cpu  1 2\ncpu0 1\ncpu1 1\ncpu12 1\nintr 5\n"), 3);
        assert_eq!(cpu_times("cpu  1 x 3\n"), None);
    }

    #[test]
    fn busy_share_is_busy_time_over_elapsed_time() {
        assert_eq!(busy_share((160, 1000), (210, 1200)), Some(0.25));
        assert_eq!(busy_share((160, 1000), (160, 1000)), None);
        assert_eq!(busy_share((160, 1000), (100, 900)), None);
    }
}
