//! `bench_epoch`: the timing side of `cargo xtask bench`, on our real training loop.
//!
//! Built in release mode and started by `cargo xtask bench` (which pins the thread count and
//! interleaves it with the PyTorch and Keras scripts); it can also be run by hand:
//!
//! ```text
//! cargo run --release --example bench_epoch -- mlp --data DIR --epochs 5 --threads 2
//! cargo run --release --example bench_epoch -- cnn --data DIR --config configs/cnn.toml
//! cargo run --release --example bench_epoch -- profile --data DIR --epochs 3
//! ```
//!
//! `mlp` and `cnn` train with [`fmnist_train::Trainer::fit`], exactly as `fmnist run` does,
//! and time each epoch (training pass plus validation pass) and, for the MLP, the
//! test-set evaluation; after the MLP it also times the epoch's matrix products alone (the
//! floor any loop on these kernels has) and one large product (the BLAS's ceiling).
//! `profile` replays the same loop with a timer around each phase.
//! Each mode ends with one line `BENCH_JSON {...}` on stdout for the bench to read.

mod gemm;
mod profile;
mod setup;
mod variants;

use std::time::Instant;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use fmnist_train::{Trainer, evaluate};
use serde_json::{Value, json};
use tch::{Device, nn};

use crate::setup::{Prepared, TrainRows};

/// Time our training loop.
#[derive(Parser, Debug)]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand, Debug)]
enum Mode {
    /// The baseline MLP: seconds per epoch and per test-set evaluation.
    Mlp(Common),
    /// The CNN of a config on a fixed subset of the training rows: seconds per epoch.
    Cnn(Common),
    /// The MLP loop with a timer around each phase of a batch.
    Profile(Common),
}

/// Options every mode shares.
#[derive(Args, Debug)]
struct Common {
    /// Folder holding the four official `.gz` files.
    #[arg(long)]
    data: std::path::PathBuf,
    /// Config file whose `[model]` and `[train]` sections are used.
    #[arg(long, default_value = "configs/mlp.toml")]
    config: std::path::PathBuf,
    /// Epochs to train (early stopping may not end them sooner at these counts).
    #[arg(long, default_value_t = 5)]
    epochs: usize,
    /// libtorch intra-op threads; 0 leaves libtorch's default.
    #[arg(long, default_value_t = 0)]
    threads: i32,
    /// Test-set evaluations to time (MLP only).
    #[arg(long, default_value_t = 5)]
    eval_repeats: usize,
    /// Use only this many training rows (0: all 54,000); the CNN bench uses a subset.
    #[arg(long, default_value_t = 0)]
    train_rows: usize,
    /// Use only this many validation rows (0: all 6,000).
    #[arg(long, default_value_t = 0)]
    validation_rows: usize,
    /// Which MLP `profile` times: ours as it is, or a what-if variant.
    #[arg(long, value_enum, default_value = "baseline")]
    variant: variants::Variant,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let (kind, common) = match &cli.mode {
        Mode::Mlp(common) => ("mlp", common),
        Mode::Cnn(common) => ("cnn", common),
        Mode::Profile(common) => ("profile", common),
    };
    if common.threads > 0 {
        tch::set_num_threads(common.threads);
    }
    let report = match setup::prepare(common)? {
        Prepared::Skipped(reason) => json!({ "skipped": reason }),
        Prepared::Ready(rows) if kind == "profile" => {
            profile::run(&rows, common.epochs, common.variant)?
        }
        Prepared::Ready(rows) => time_fit(&rows, common)?,
    };
    let mut report = report;
    report["kind"] = json!(kind);
    report["threads"] = json!(tch::get_num_threads());
    report["peak_rss_kb"] = json!(setup::peak_rss_kb());
    println!("BENCH_JSON {report}");
    Ok(())
}

/// Trains with [`Trainer::fit`] and times epochs and test-set evaluations.
fn time_fit(rows: &TrainRows, common: &Common) -> anyhow::Result<Value> {
    let vs = nn::VarStore::new(Device::Cpu);
    tch::manual_seed(1);
    let model = fmnist_model::build(&rows.model, &vs.root()).context("building the model")?;
    let mut train_config = rows.train.clone();
    train_config.epochs = common.epochs;
    let trainer = Trainer::new(&*model, &vs, &train_config).shuffle_seed(2);
    let mut epoch_seconds = Vec::new();
    let history =
        trainer.fit(rows.train_set.examples(), rows.validation_set.examples(), &mut |e| {
            epoch_seconds.push(e.seconds);
            Ok(())
        })?;
    let mut eval_seconds = Vec::new();
    let mut test_accuracy = None;
    for _ in 0..common.eval_repeats {
        let started = Instant::now();
        let test = &rows.test_set;
        let evaluation = evaluate(&*model, &test.xs, &test.ys, train_config.eval_batch_size)?;
        test_accuracy = Some(evaluation.accuracy);
        eval_seconds.push(started.elapsed().as_secs_f64());
    }
    let last = history.epochs.last().context("no epoch ran")?;
    let floor = (rows.model.kind == fmnist_model::ModelKind::Mlp).then(|| {
        let hidden = &rows.model.mlp.hidden;
        let widths: Vec<i64> = [784].iter().chain(hidden).chain(&[10]).copied().collect();
        let seconds = gemm::epoch_floor(
            &widths,
            rows.train_set.len() as i64,
            train_config.batch_size as i64,
            rows.validation_set.len() as i64,
            train_config.eval_batch_size as i64,
            3,
        );
        (seconds, gemm::sgemm_gflops(2048, 3))
    });
    Ok(json!({
        "gemm_epoch_seconds": floor.map(|f| f.0),
        "sgemm_gflops": floor.map(|f| f.1),
        "epoch_seconds": epoch_seconds,
        "eval_seconds": eval_seconds,
        "train_rows": rows.train_set.len(),
        "validation_rows": rows.validation_set.len(),
        "val_accuracy": last.val_accuracy,
        "test_accuracy": test_accuracy,
    }))
}
