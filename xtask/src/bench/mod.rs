//! `cargo xtask bench`: our training speed next to PyTorch's and Keras', and against the
//! machine's fp32 peak.
//!
//! One invocation builds the release `fmnist` binary and the `bench_epoch` example, makes
//! sure the two Python environments exist ([`envs`]), then runs every runner
//! ([`runners::Runner`]) at every thread count, repeat after repeat, rotating the order so
//! that load from elsewhere falls on all of them alike. Each measurement is its own process
//! ([`measure`]); the table ([`report`]) shows medians over the repeats with their range,
//! and everything lands in `target/bench/bench.json` and `target/bench/bench.md`.
//!
//! Not part of the tests or CI: it takes minutes and its figures depend on the machine.

mod envs;
mod measure;
mod report;
mod runners;
mod stats;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use serde_json::json;

use self::report::Sample;
use self::runners::{Figures, Plan, Runner, Tools};

/// The four official files the bench reads (it never downloads them).
const DATA_FILES: [&str; 4] = [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
];

/// Arguments of `cargo xtask bench`.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// A short version: 1 thread, 2 epochs per process, a 2-epoch whole run.
    #[arg(long)]
    quick: bool,
    /// Thread counts to pin, comma-separated (default 1,2; with --quick 1).
    #[arg(long, value_delimiter = ',')]
    threads: Option<Vec<u32>>,
    /// Interleaved repeats (default 3).
    #[arg(long)]
    repeats: Option<usize>,
    /// MLP epochs per process, the first left out as warm-up (default 4; with --quick 2).
    #[arg(long)]
    epochs: Option<usize>,
    /// Only these runners (default all), comma-separated.
    #[arg(long, value_delimiter = ',', value_enum)]
    runners: Option<Vec<Runner>>,
    /// Folder with the four official `.gz` files (default: `FASHION_MNIST_MIRROR` when it
    /// is a local folder, else the data cache).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Stop a measurement that runs longer than this many seconds (recorded as skipped).
    #[arg(long, default_value_t = 900)]
    timeout: u64,
}

impl BenchArgs {
    fn plan(&self) -> Plan {
        let quick = self.quick;
        Plan {
            threads: self.threads.clone().unwrap_or(if quick { vec![1] } else { vec![1, 2] }),
            repeats: self.repeats.unwrap_or(3).max(1),
            epochs: self.epochs.unwrap_or(if quick { 2 } else { 4 }).max(1),
            eval_repeats: if quick { 3 } else { 5 },
            cnn_epochs: 2,
            cnn_train_rows: if quick { 1024 } else { 2560 },
            cnn_validation_rows: if quick { 256 } else { 512 },
            run_epochs: quick.then_some(2),
        }
    }
}

/// Builds, sets up, measures, prints and writes the results.
pub fn run(root: &Path, args: &BenchArgs) -> anyhow::Result<()> {
    let plan = args.plan();
    let runners = args.runners.clone().unwrap_or_else(|| Runner::ALL.to_vec());
    let tools = prepare(root, args, &runners)?;
    let loads_start = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let limit = std::time::Duration::from_secs(args.timeout);
    let samples = measure_all(&tools, &plan, &runners, limit)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
    let mut rows = Vec::new();
    for &threads in &plan.threads {
        rows.extend(report::rows_for(&samples, &plan, threads, cores));
    }
    let table = report::markdown_table(&rows);
    let context = context_lines(&samples, &loads_start, cores);
    let markdown = format!("{}\n\n{table}", context.join("\n"));
    println!("{markdown}");
    write_outputs(&tools.out_dir, &plan, &samples, &context, &markdown)
}

/// Data folder, builds and Python environments.
fn prepare(root: &Path, args: &BenchArgs, runners: &[Runner]) -> anyhow::Result<Tools> {
    let data = data_dir(args.data.as_deref())?;
    let libtorch = crate::libtorch::ensure(root)?;
    crate::say("building the release fmnist binary and the bench_epoch example");
    let mut build = crate::pipeline::cargo(root, &libtorch);
    build.args(["build", "--release", "--quiet", "--bin", "fmnist", "--example", "bench_epoch"]);
    crate::pipeline::status(build, "the release build")?;
    let wants = |runner| runners.contains(&runner);
    let torch_python =
        if wants(Runner::Torch) { envs::ensure(root, &envs::TORCH)? } else { PathBuf::new() };
    let keras_python =
        if wants(Runner::Keras) { envs::ensure(root, &envs::KERAS)? } else { PathBuf::new() };
    let out_dir = root.join("target/bench");
    for stale in ["runs", "mlruns"] {
        let _ = std::fs::remove_dir_all(out_dir.join(stale));
    }
    std::fs::create_dir_all(out_dir.join("logs"))?;
    let release = root.join("target/release");
    Ok(Tools {
        root: root.to_path_buf(),
        data,
        fmnist: release.join("fmnist"),
        bench_epoch: release.join("examples/bench_epoch"),
        torch_python,
        keras_python,
        out_dir,
    })
}

/// `--data`, else `FASHION_MNIST_MIRROR` when it is a folder, else the data cache; it must
/// hold the four official files.
fn data_dir(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    let mirror = std::env::var_os("FASHION_MNIST_MIRROR").map(PathBuf::from);
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache")))
        .map(|cache| cache.join("fmnist/fashion-mnist"));
    let candidates: Vec<PathBuf> = match explicit {
        Some(path) => vec![path.to_path_buf()],
        None => mirror.into_iter().chain(cache).collect(),
    };
    for candidate in &candidates {
        if DATA_FILES.iter().all(|file| candidate.join(file).is_file()) {
            return candidate.canonicalize().context("resolving the data folder");
        }
    }
    bail!(
        "the bench reads the four official Fashion-MNIST .gz files from a local folder and never \
         downloads them; none of {candidates:?} holds all four: pass --data DIR or set \
         FASHION_MNIST_MIRROR to such a folder (`cargo xtask run` fills the cache once)"
    )
}

/// Every runner at every thread count, `plan.repeats` times, interleaved.
fn measure_all(
    tools: &Tools,
    plan: &Plan,
    runners: &[Runner],
    limit: std::time::Duration,
) -> anyhow::Result<Vec<Sample>> {
    let mut samples: Vec<Sample> = Vec::new();
    for repeat in 0..plan.repeats {
        for (index, &threads) in plan.threads.iter().enumerate() {
            for runner in runners::rotated(runners, repeat + index) {
                let skipped_before = samples.iter().find(|s| skips(s, runner, threads));
                let sample = match skipped_before {
                    Some(earlier) => Sample { repeat, threads, ..earlier.clone() },
                    None => measure_one(tools, plan, (runner, threads, repeat), limit),
                };
                say_sample(&sample, plan.repeats);
                samples.push(sample);
            }
        }
    }
    Ok(samples)
}

/// Whether `earlier` means `runner` at `threads` need not run again: the program itself
/// said it has nothing to measure (any thread count), or it failed at these threads.
fn skips(earlier: &Sample, runner: Runner, threads: u32) -> bool {
    let Some(reason) = &earlier.figures.skipped else {
        return false;
    };
    earlier.runner == runner && (!reason.starts_with("failed") || earlier.threads == threads)
}

/// One measurement; a failing program is recorded as skipped with its error, so one broken
/// runner does not sink the others.
fn measure_one(
    tools: &Tools,
    plan: &Plan,
    (runner, threads, repeat): (Runner, u32, usize),
    limit: std::time::Duration,
) -> Sample {
    let load_before = measure::load_average();
    let log = tools.out_dir.join(format!("logs/{}-{threads}t-{repeat}.log", runner.name()));
    let command = runners::command(runner, tools, plan, threads, repeat);
    let figures = match measure::run(command, &log, limit) {
        Ok(measured) => runners::figures(&measured),
        Err(error) => Figures { skipped: Some(format!("failed: {error:#}")), ..Figures::default() },
    };
    Sample { runner, threads, repeat, load_before, figures }
}

fn say_sample(sample: &Sample, repeats: usize) {
    let figures = &sample.figures;
    let shown: Vec<String> = ["epoch_s", "eval_s", "wall_s", "peak_rss_mb"]
        .iter()
        .filter_map(|name| figures.values.get(*name).map(|v| format!("{name} {v:.3}")))
        .collect();
    let what = match &figures.skipped {
        Some(reason) => format!("skipped ({})", reason.lines().next().unwrap_or("")),
        None => shown.join(", "),
    };
    let load = sample.load_before.map_or_else(String::new, |l| format!(" [load {l:.2}]"));
    crate::say(&format!(
        "repeat {}/{repeats}, {} threads, {}: {what}{load}",
        sample.repeat + 1,
        sample.threads,
        sample.runner.name()
    ));
}

/// What the reader needs to judge the figures: machine, load, versions, FLOP and peak.
fn context_lines(samples: &[Sample], loads_start: &str, cores: u32) -> Vec<String> {
    let loads: Vec<f64> = samples.iter().filter_map(|s| s.load_before).collect();
    let load_range = match (
        stats::median(&loads),
        loads.iter().copied().reduce(f64::min),
        loads.iter().copied().reduce(f64::max),
    ) {
        (Some(median), Some(min), Some(max)) => format!("{median:.2} (range {min:.2}-{max:.2})"),
        _ => "unknown".to_owned(),
    };
    let shape = stats::DenseShape::baseline();
    let versions: Vec<String> = Runner::ALL
        .iter()
        .filter_map(|&runner| {
            let sample = samples.iter().find(|s| s.runner == runner)?;
            Some(format!("{}: {}", runner.name(), sample.figures.version.as_deref()?))
        })
        .collect();
    vec![
        format!("# cargo xtask bench ({})", cpu_model()),
        String::new(),
        format!("- cores: {cores}; load average at start: {}", loads_start.trim()),
        format!("- 1-minute load before each measurement: median {load_range}; the machine is shared, so read ranges, not just medians"),
        format!(
            "- MLP epoch = 54,000-row training pass + 6,000-row validation pass = {:.1} GFLOP (dense layers; the rough 3x-forward rule says {:.1})",
            shape.epoch_flop(54_000, 6_000) / 1e9,
            shape.epoch_flop_3x_rule(54_000, 6_000) / 1e9
        ),
        format!("- fp32 peak assumed: {:.0} GFLOP/s per core (2.6 GHz nominal x 32 FLOP/cycle, AVX-512 on two 256-bit FMA pipes); the CPU boosts above its nominal clock, so the measured rate of one 2048^3 product (in the sgemm share row's label) is the truer ceiling", stats::PEAK_GFLOPS_PER_CORE),
        "- floor row: the epoch's matrix products alone (forward, weight and input gradients at batch 256, then the validation forward pass), timed with libtorch in our bench process, operands warm in cache, best of 3; its ratio columns are the best a loop on libtorch's fp32 kernels could show against the others' whole epochs".to_owned(),
        "- epoch times: median over repeats of each process's median epoch after the first (warm-up); evaluation: forward + loss + accuracy over the 10,000 test images in chunks of 4,096".to_owned(),
        format!("- versions: {}", if versions.is_empty() { "-".to_owned() } else { versions.join("; ") }),
    ]
}

fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    info.lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']).trim().to_owned())
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

fn write_outputs(
    out_dir: &Path,
    plan: &Plan,
    samples: &[Sample],
    context: &[String],
    markdown: &str,
) -> anyhow::Result<()> {
    let unix_seconds = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let document = json!({
        "finished_unix_seconds": unix_seconds,
        "plan": plan,
        "context": context,
        "samples": samples,
    });
    let json_path = out_dir.join("bench.json");
    std::fs::write(&json_path, serde_json::to_string_pretty(&document)?)
        .with_context(|| format!("writing {}", json_path.display()))?;
    let md_path = out_dir.join("bench.md");
    std::fs::write(&md_path, markdown).with_context(|| format!("writing {}", md_path.display()))?;
    crate::say(&format!("wrote {} and {}", json_path.display(), md_path.display()));
    Ok(())
}
