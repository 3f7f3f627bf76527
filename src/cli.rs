//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Train, evaluate and track Fashion-MNIST classifiers with libtorch and MLflow.
#[derive(Parser, Debug)]
#[command(name = "fmnist", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Train a model, evaluate it, write the run folder and record the run in MLflow.
    Run(RunArgs),
}

/// Arguments of `fmnist run`.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Config file (TOML). Without it the built-in defaults are used, which equal
    /// `configs/mlp.toml`.
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Override one config value, e.g. `--set train.epochs=5`; repeatable. The value is
    /// TOML (`[512, 256]`, `0.3`, `true`); bare words are strings.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// Data source, overriding `data.path`: a folder with the four official files, or a
    /// pickle file (`.pkl`, `.pkl.gz`) in either of the reference's layouts; `dbfs:/...` is
    /// read through the Databricks mount `/dbfs/...`.
    #[arg(long, value_name = "PATH", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub data: Option<String>,
    /// Put this run's outputs exactly here (default: a new folder under `run.out_dir`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}
