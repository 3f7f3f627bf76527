//! `fmnist`: train, evaluate and track a Fashion-MNIST classifier from one config.
//!
//! Usually started through `cargo xtask run`, which sets up libtorch first. The pipeline
//! itself lives in [`pipeline`]; this file parses the command line, installs the log
//! subscriber and turns the outcome into an exit code.

mod cli;
mod config;
mod error_text;
mod outputs;
mod pipeline;
mod recorder;
mod run_dir;
mod seeds;
mod tensors;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    install_subscriber();
    match cli.command {
        cli::Command::Run(args) => match pipeline::run(&args) {
            Ok(_) => ExitCode::SUCCESS,
            Err(error) => report(&error),
        },
    }
}

/// Logs go to stderr, coloured only on a terminal; `RUST_LOG` sets the level (default `info`).
fn install_subscriber() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::stderr().is_terminal();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .init();
}

fn report(error: &anyhow::Error) -> ExitCode {
    if error.downcast_ref::<pipeline::Interrupted>().is_some() {
        eprintln!("interrupted: {}", error_text::describe(error));
        return ExitCode::from(130);
    }
    eprintln!("error: {}", error_text::describe(error));
    ExitCode::FAILURE
}
