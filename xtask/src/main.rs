//! `cargo xtask`: the project's workflows as one small program (the cargo-xtask convention).
//!
//! It builds without libtorch, so it can fetch libtorch before anything links it:
//!
//! - `run`: the whole pipeline on a config (default: the baseline MLP);
//! - `test`: formatting, lints and every test of the workspace;
//! - `setup`: only the one-time set-up (libtorch, the MLflow virtual environment);
//! - `mlflow-ui`, `mlflow-sync`: look at runs in MLflow, replay a run to a server;
//! - `compare`: one table of the runs in the local store (model, differing params, scores);
//! - `bench`: our training speed next to PyTorch's and Keras' (not part of the tests).
//!
//! Every command does its own set-up, so each works on a fresh clone.

mod bench;
mod checksum;
mod compare;
mod libtorch;
mod mlflow;
mod pipeline;
mod venv;

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Fashion-MNIST with libtorch and MLflow: workflows"
)]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand, Debug)]
enum Task {
    /// Train, evaluate and track a model (release build). Arguments go to the pipeline;
    /// `cargo xtask run --help` lists them.
    Run(pipeline::RunArgs),
    /// Check formatting and lints, then run every test (sets up libtorch and MLflow first).
    Test(pipeline::TestArgs),
    /// Set up libtorch and the MLflow virtual environment, nothing else.
    Setup,
    /// Open the local MLflow store in the real MLflow UI on 127.0.0.1.
    MlflowUi(mlflow::UiArgs),
    /// Replay a run from the local store to a tracking server, without duplicates.
    MlflowSync(mlflow::SyncArgs),
    /// One table of the runs in the local MLflow store, printed and written as Markdown
    /// and HTML.
    Compare(compare::CompareArgs),
    /// Time our training next to PyTorch and Keras (minutes; writes target/bench/).
    Bench(bench::BenchArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let root = workspace_root();
    let result = match cli.command {
        Task::Run(args) => pipeline::run(&root, &args),
        Task::Test(args) => pipeline::test(&root, &args),
        Task::Setup => setup(&root),
        Task::MlflowUi(args) => mlflow::ui(&root, &args),
        Task::MlflowSync(args) => mlflow::sync(&root, &args),
        Task::Compare(args) => compare::run(&root, &args),
        Task::Bench(args) => bench::run(&root, &args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn setup(root: &Path) -> anyhow::Result<()> {
    let libtorch = libtorch::ensure(root)?;
    let python = venv::mlflow_python(root)?;
    say(&format!("libtorch: {}", libtorch.display()));
    say(&format!("MLflow python: {}", python.display()));
    Ok(())
}

/// The workspace root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// One progress line of a workflow, on stderr so stdout stays for results.
pub fn say(message: &str) {
    eprintln!("xtask: {message}");
}
