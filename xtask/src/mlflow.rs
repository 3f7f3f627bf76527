//! `mlflow-ui` and `mlflow-sync`: look at the local store in the real MLflow UI, and replay a
//! run of it to a tracking server.
//!
//! The UI is MLflow's own server (`mlflow==3.17.2` from the project's virtual environment) on
//! 127.0.0.1, reading the directory store directly; `MLFLOW_ALLOW_FILE_STORE=true` lets
//! MLflow 3.13+ open such a store. Sync is `fmnist_tracking::sync_run`: idempotent, so it is
//! safe to run again after a partial replay.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// Arguments of `cargo xtask mlflow-ui`.
#[derive(clap::Args, Debug)]
pub struct UiArgs {
    /// The directory store to show.
    #[arg(long, default_value = "mlruns")]
    pub store: PathBuf,
    /// Port on 127.0.0.1.
    #[arg(long, default_value_t = 5000)]
    pub port: u16,
}

/// Arguments of `cargo xtask mlflow-sync`.
#[derive(clap::Args, Debug)]
pub struct SyncArgs {
    /// The run to replay: its folder, or its id in the store.
    #[arg(long)]
    pub run: String,
    /// The tracking server: `http(s)://...` or `databricks` (default: MLFLOW_TRACKING_URI).
    #[arg(long, env = "MLFLOW_TRACKING_URI")]
    pub to: String,
    /// The directory store holding the run (not needed when --run is a folder).
    #[arg(long, default_value = "mlruns")]
    pub store: PathBuf,
}

/// Serves the store in the MLflow UI on 127.0.0.1 until Ctrl-C.
pub fn ui(root: &Path, args: &UiArgs) -> anyhow::Result<()> {
    let store = find_store(root, &args.store)?;
    let python = crate::venv::mlflow_python(root)?;
    eprintln!(
        "xtask: MLflow UI for {} on http://127.0.0.1:{} (Ctrl-C to stop)",
        store.display(),
        args.port
    );
    let status = Command::new(&python)
        .args(["-m", "mlflow", "server", "--host", "127.0.0.1", "--workers", "1"])
        .arg("--port")
        .arg(args.port.to_string())
        .arg("--backend-store-uri")
        .arg(&store)
        .env("MLFLOW_ALLOW_FILE_STORE", "true")
        .env("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")
        .status()
        .with_context(|| format!("cannot start {}", python.display()))?;
    if !status.success() {
        bail!("mlflow server exited with {status}");
    }
    Ok(())
}

/// Replays one run of the store to a server and prints what was sent.
pub fn sync(root: &Path, args: &SyncArgs) -> anyhow::Result<()> {
    let run_dir = Path::new(&args.run);
    // A run folder names its store itself (two levels up); only a run id needs --store.
    let store = if run_dir.join("meta.yaml").is_file() {
        run_dir.join("../..")
    } else {
        find_store(root, &args.store)?
    };
    let report = fmnist_tracking::sync_run(&store, &args.run, &args.to)
        .with_context(|| format!("syncing run {} of {}", args.run, store.display()))?;
    let verb = if report.created { "created" } else { "completed" };
    println!(
        "{verb} run {} (experiment {}): sent {} params, {} metric points, {} tags, {} artifacts{}",
        report.remote_run_id,
        report.remote_experiment_id,
        report.params,
        report.metric_points,
        report.tags,
        report.artifacts,
        if report.status_updated { ", final status" } else { "" },
    );
    if report.is_noop() {
        println!("the server already had everything");
    }
    Ok(())
}

/// The store as given (from the current directory), else the same path under the workspace.
pub(crate) fn find_store(root: &Path, store: &Path) -> anyhow::Result<PathBuf> {
    let candidates = [store.to_path_buf(), root.join(store)];
    for candidate in candidates {
        if candidate.join("0").is_dir() || candidate.join(".trash").is_dir() {
            return std::path::absolute(&candidate)
                .with_context(|| format!("resolving {}", candidate.display()));
        }
    }
    bail!(
        "no MLflow directory store at {} (expected a folder with 0/ or .trash/); \
         `cargo xtask run` creates one",
        store.display()
    )
}
