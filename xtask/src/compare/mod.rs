//! `compare`: one table of the runs in a local MLflow store, side by side.
//!
//! Reads the directory store with `fmnist_tracking::RunRecord` (no server, no MLflow
//! install), keeps the finished runs of one experiment, and shows for each its model, the
//! params that differ between the runs, train / validation / test accuracy, macro F1, ECE,
//! epochs and training time. The table is printed as Markdown and written to
//! `<out>/compare.md` and `<out>/compare.html`.

mod table;

use std::path::{Path, PathBuf};

use anyhow::Context;
use fmnist_tracking::{Backend, RunRecord, RunStatus};

pub use table::Table;

/// Arguments of `cargo xtask compare`.
#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    /// The directory store (default: `MLFLOW_TRACKING_URI` when it names a folder, else
    /// `mlruns`).
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
    /// Only runs of this experiment.
    #[arg(long, default_value = "fashion-mnist")]
    experiment: String,
    /// Also show runs that did not finish (failed, killed, still running).
    #[arg(long)]
    all: bool,
    /// Only the most recent N runs (0: every run).
    #[arg(long, value_name = "N", default_value_t = 0)]
    last: usize,
    /// Folder for `compare.md` and `compare.html`.
    #[arg(long, value_name = "DIR", default_value = "runs")]
    out: PathBuf,
}

/// Prints the table and writes it as Markdown and HTML.
pub fn run(root: &Path, args: &CompareArgs) -> anyhow::Result<()> {
    let store = crate::mlflow::find_store(root, &store_path(args.store.as_deref())?)?;
    let mut records = load_runs(&store, &args.experiment, args.all)?;
    anyhow::ensure!(
        !records.is_empty(),
        "no {}runs of experiment {:?} in {}",
        if args.all { "" } else { "finished " },
        args.experiment,
        store.display()
    );
    if args.last > 0 && records.len() > args.last {
        records.drain(..records.len() - args.last);
    }
    let table = Table::new(&records);
    let markdown = table.markdown();
    print!("{markdown}");
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    for (name, text) in [("compare.md", markdown), ("compare.html", table.html())] {
        let path = args.out.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    crate::say(&format!(
        "{} runs from {}; written to {}/compare.{{md,html}}",
        records.len(),
        store.display(),
        args.out.display()
    ));
    Ok(())
}

/// `--store`, else a local `MLFLOW_TRACKING_URI`, else `mlruns`.
fn store_path(store: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(store) = store {
        return Ok(store.to_path_buf());
    }
    let uri = std::env::var("MLFLOW_TRACKING_URI").unwrap_or_default();
    if uri.trim().is_empty() {
        return Ok(PathBuf::from(fmnist_tracking::DEFAULT_STORE));
    }
    match Backend::from_uri(&uri, &|name| std::env::var(name).ok())? {
        Backend::Local { root } => Ok(root),
        _ => anyhow::bail!(
            "MLFLOW_TRACKING_URI={uri} is a server; compare reads a local store: pass --store DIR \
             (every run is also in the local store, ./mlruns by default)"
        ),
    }
}

/// The active runs of `experiment` in the store at `store`, oldest first; only finished
/// ones unless `all`.
pub fn load_runs(store: &Path, experiment: &str, all: bool) -> anyhow::Result<Vec<RunRecord>> {
    let mut records = Vec::new();
    for experiment_dir in subfolders_with_meta(store)? {
        for run_dir in subfolders_with_meta(&experiment_dir)? {
            let record = RunRecord::load_dir(&run_dir)
                .with_context(|| format!("reading run {}", run_dir.display()))?;
            let finished = record.meta.status == RunStatus::Finished;
            if record.experiment_name == experiment
                && record.meta.lifecycle_stage == "active"
                && (all || finished)
            {
                records.push(record);
            }
        }
    }
    records.sort_by(|a, b| {
        (a.meta.start_time, &a.meta.run_id).cmp(&(b.meta.start_time, &b.meta.run_id))
    });
    Ok(records)
}

/// Folders directly below `dir` that hold a `meta.yaml` (experiments of a store, runs of an
/// experiment), skipping hidden ones such as `.trash`.
fn subfolders_with_meta(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    let mut found = Vec::new();
    for entry in entries {
        let path = entry.with_context(|| format!("cannot list {}", dir.display()))?.path();
        let hidden = path.file_name().is_some_and(|name| name.to_string_lossy().starts_with('.'));
        if !hidden && path.join("meta.yaml").is_file() {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests;
