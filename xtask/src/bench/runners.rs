//! The five things the bench times, and the command line that starts each.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use super::measure::Measured;
use super::stats::steady_epoch;

/// One measured program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Runner {
    /// Our MLP, `Trainer::fit` in the `bench_epoch` example.
    #[value(name = "ours-mlp")]
    OursMlp,
    /// `bench/torch_mlp.py`: PyTorch eager, the same loop.
    #[value(name = "pytorch-mlp")]
    Torch,
    /// `bench/keras_mlp.py`: Keras `model.fit`.
    #[value(name = "keras-mlp")]
    Keras,
    /// Our CNN (`configs/cnn.toml`) on a fixed subset of the training rows.
    // FIXME: The CNN is timed for us only; PyTorch and Keras versions of it would give the
    // CNN row ratios too.
    #[value(name = "ours-cnn")]
    OursCnn,
    /// `fmnist run` on the default config: the whole pipeline.
    #[value(name = "ours-run")]
    OursRun,
}

impl Runner {
    /// Every runner, in the order of the first repeat (later repeats rotate it).
    pub const ALL: [Runner; 5] =
        [Runner::OursMlp, Runner::Torch, Runner::Keras, Runner::OursCnn, Runner::OursRun];

    /// Short name used in logs and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Runner::OursMlp => "ours-mlp",
            Runner::Torch => "pytorch-mlp",
            Runner::Keras => "keras-mlp",
            Runner::OursCnn => "ours-cnn",
            Runner::OursRun => "ours-run",
        }
    }
}

/// `runners` rotated left by `repeat`, so no runner always goes first (or last).
pub fn rotated(runners: &[Runner], repeat: usize) -> Vec<Runner> {
    let mut order = runners.to_vec();
    if !order.is_empty() {
        order.rotate_left(repeat % runners.len());
    }
    order
}

/// Sizes of one bench invocation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Plan {
    /// Thread counts, each pinned for every runner.
    pub threads: Vec<u32>,
    /// Interleaved repeats of every runner at every thread count.
    pub repeats: usize,
    /// MLP epochs per process (the first is warm-up and left out of the median).
    pub epochs: usize,
    /// Test-set evaluations timed per MLP process.
    pub eval_repeats: usize,
    /// CNN epochs per process.
    pub cnn_epochs: usize,
    /// Training rows of the CNN subset.
    pub cnn_train_rows: usize,
    /// Validation rows of the CNN subset.
    pub cnn_validation_rows: usize,
    /// `--set train.epochs=N` for the whole run; `None` keeps the default (20).
    pub run_epochs: Option<usize>,
}

/// Where the programs and data are.
#[derive(Debug)]
pub struct Tools {
    /// Workspace root (the working directory of every child).
    pub root: PathBuf,
    /// Folder with the four official `.gz` files.
    pub data: PathBuf,
    /// The release `fmnist` binary.
    pub fmnist: PathBuf,
    /// The release `bench_epoch` example.
    pub bench_epoch: PathBuf,
    /// Python of the PyTorch environment.
    pub torch_python: PathBuf,
    /// Python of the Keras environment.
    pub keras_python: PathBuf,
    /// `target/bench`.
    pub out_dir: PathBuf,
}

/// The command that measures `runner` with `threads` threads in repeat `repeat`.
pub fn command(runner: Runner, tools: &Tools, plan: &Plan, threads: u32, repeat: usize) -> Command {
    let mut command = match runner {
        Runner::OursMlp => {
            let mut command = ours(tools, "mlp", "configs/mlp.toml", threads);
            command.arg("--epochs").arg(plan.epochs.to_string());
            command.arg("--eval-repeats").arg(plan.eval_repeats.to_string());
            command
        }
        Runner::OursCnn => {
            let mut command = ours(tools, "cnn", "configs/cnn.toml", threads);
            command.arg("--epochs").arg(plan.cnn_epochs.to_string());
            command.arg("--train-rows").arg(plan.cnn_train_rows.to_string());
            command.arg("--validation-rows").arg(plan.cnn_validation_rows.to_string());
            command.args(["--eval-repeats", "0"]);
            command
        }
        Runner::Torch => python(tools, plan, &tools.torch_python, "bench/torch_mlp.py", threads),
        Runner::Keras => python(tools, plan, &tools.keras_python, "bench/keras_mlp.py", threads),
        Runner::OursRun => whole_run(tools, plan, threads, repeat),
    };
    let threads = threads.to_string();
    command.current_dir(&tools.root);
    command.env("OMP_NUM_THREADS", &threads).env("MKL_NUM_THREADS", &threads);
    command.env("FASHION_MNIST_MIRROR", &tools.data);
    command
}

fn ours(tools: &Tools, mode: &str, config: &str, threads: u32) -> Command {
    let mut command = Command::new(&tools.bench_epoch);
    command.arg(mode).arg("--data").arg(&tools.data).args(["--config", config]);
    command.arg("--threads").arg(threads.to_string());
    command
}

fn python(tools: &Tools, plan: &Plan, python: &PathBuf, script: &str, threads: u32) -> Command {
    let mut command = Command::new(python);
    command.arg(script).arg("--data").arg(&tools.data);
    command.arg("--threads").arg(threads.to_string());
    command.arg("--epochs").arg(plan.epochs.to_string());
    command.arg("--eval-repeats").arg(plan.eval_repeats.to_string());
    command
}

/// `fmnist run` on the default config, into a throwaway folder and MLflow store.
fn whole_run(tools: &Tools, plan: &Plan, threads: u32, repeat: usize) -> Command {
    let mut command = Command::new(&tools.fmnist);
    command.arg("run").arg("--data").arg(&tools.data);
    command.arg("--out").arg(tools.out_dir.join(format!("runs/run-{threads}t-{repeat}")));
    command.arg("--set").arg(format!("run.threads={threads}"));
    let store = tools.out_dir.join("mlruns");
    command.arg("--set").arg(format!("tracking.uri=\"{}\"", store.display()));
    if let Some(epochs) = plan.run_epochs {
        command.arg("--set").arg(format!("train.epochs={epochs}"));
    }
    command
}

/// Figures of one measurement, by name, plus why it was skipped (if it was).
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Figures {
    /// `epoch_s`, `first_epoch_s`, `eval_s`, `wall_s`, `peak_rss_mb`, `val_accuracy`, and
    /// for our MLP `gemm_epoch_s` (the epoch's matrix products alone) and `sgemm_gflops`.
    pub values: BTreeMap<String, f64>,
    /// Set when the program reported `skipped`.
    pub skipped: Option<String>,
    /// Library versions the program reported.
    pub version: Option<String>,
}

/// Reads the figures out of a measured process.
pub fn figures(measured: &Measured) -> Figures {
    let result = &measured.result;
    let mut figures = Figures {
        skipped: result["skipped"].as_str().map(str::to_owned),
        version: result["version"].as_str().map(str::to_owned),
        ..Figures::default()
    };
    if figures.skipped.is_some() {
        // A skipped program measured nothing: its wall time and memory say nothing either.
        return figures;
    }
    let values = &mut figures.values;
    values.insert("wall_s".into(), measured.wall_seconds);
    let self_reported = result["peak_rss_kb"].as_u64().unwrap_or(0);
    let peak_kb = measured.peak_rss_kb.max(self_reported);
    values.insert("peak_rss_mb".into(), peak_kb as f64 / 1024.0);
    let epochs = numbers(&result["epoch_seconds"]);
    if let Some(steady) = steady_epoch(&epochs) {
        values.insert("epoch_s".into(), steady);
        values.insert("first_epoch_s".into(), epochs[0]);
    }
    if let Some(eval) = super::stats::median(&numbers(&result["eval_seconds"])) {
        values.insert("eval_s".into(), eval);
    }
    let named = [
        ("val_accuracy", "val_accuracy"),
        ("gemm_epoch_seconds", "gemm_epoch_s"),
        ("sgemm_gflops", "sgemm_gflops"),
    ];
    for (reported, figure) in named {
        if let Some(value) = result[reported].as_f64() {
            values.insert(figure.into(), value);
        }
    }
    figures
}

fn numbers(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_moves_the_first_runner_to_the_back() {
        let order = rotated(&Runner::ALL, 1);
        assert_eq!(order.first(), Some(&Runner::Torch));
        assert_eq!(order.last(), Some(&Runner::OursMlp));
        assert_eq!(rotated(&Runner::ALL, 5), Runner::ALL.to_vec());
        assert!(rotated(&[], 3).is_empty());
    }

    #[test]
    fn figures_take_the_steady_epoch_and_the_larger_peak() {
        let result = serde_json::json!({
            "epoch_seconds": [2.0, 1.0, 3.0, 1.2],
            "eval_seconds": [0.03, 0.02, 0.04],
            "peak_rss_kb": 2048,
            "gemm_epoch_seconds": 0.5,
            "sgemm_gflops": 97.5,
        });
        let measured = Measured { result, wall_seconds: 9.0, peak_rss_kb: 1024 };
        let figures = figures(&measured);
        assert_eq!(figures.values["epoch_s"], 1.2);
        assert_eq!(figures.values["first_epoch_s"], 2.0);
        assert_eq!(figures.values["eval_s"], 0.03);
        assert_eq!(figures.values["peak_rss_mb"], 2.0);
        assert_eq!(figures.values["gemm_epoch_s"], 0.5);
        assert_eq!(figures.values["sgemm_gflops"], 97.5);
        assert!(!figures.values.contains_key("val_accuracy"));
        assert_eq!(figures.skipped, None);
    }

    #[test]
    fn figures_carry_a_skip_reason() {
        let result = serde_json::json!({ "skipped": "no cnn" });
        let figures = figures(&Measured { result, wall_seconds: 1.0, peak_rss_kb: 0 });
        assert_eq!(figures.skipped.as_deref(), Some("no cnn"));
        assert!(figures.values.is_empty(), "{:?}", figures.values);
    }
}
