//! One run, start to finish: config, data, training, evaluation, artifacts, tracking.
//!
//! The order is the contract of a run folder: it is created and marked `INCOMPLETE` first,
//! every output is written atomically, and only when all of them exist is it marked
//! finished; then the folder is logged to MLflow and the MLflow run ended.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::Context;
use fmnist_data::{CLASS_NAMES, DataOptions, FashionMnist};
use fmnist_tracking::RunStatus;
use fmnist_train::{History, TrainError, Trainer, evaluate, predict_logits};
use tch::{Device, Kind, Tensor, nn};

use crate::cli::RunArgs;
use crate::config::Config;
use crate::error_text::describe;
use crate::outputs::{MetricsSummary, SplitMetrics, history_csv, predictions_file};
use crate::recorder::Recorder;
use crate::run_dir::{RunDir, RunState};
use crate::seeds::{self, Purpose};
use crate::tensors::TensorSet;

/// The error a run ends with when the user pressed Ctrl-C.
#[derive(Debug, thiserror::Error)]
#[error("stopped by Ctrl-C; the run folder is marked killed")]
pub struct Interrupted;

/// Runs the pipeline; returns the final metrics.
pub fn run(args: &RunArgs) -> anyhow::Result<MetricsSummary> {
    let started = Instant::now();
    let mut config = Config::load(args.config.as_deref(), &args.overrides)?;
    if let Some(data) = &args.data {
        config.data.path = data.clone();
    }
    let run_name = run_name(&config);
    let out = args.out.clone().unwrap_or_else(|| config.run.out_dir.join(&run_name));
    let dir = RunDir::create(&out)?;
    let mut recorder = match Recorder::start(&config, &run_name) {
        Ok(recorder) => recorder,
        Err(error) => {
            dir.set_state(RunState::Failed, Some(&describe(&error)))?;
            return Err(error);
        }
    };
    tracing::info!(folder = %out.display(), "run started");
    let interrupt = interrupt_flag();
    let result = execute(&config, &dir, &mut recorder, &interrupt);
    let (state, status) = match &result {
        Ok(_) => (RunState::Finished, RunStatus::Finished),
        Err(error) if is_interrupt(error) => (RunState::Killed, RunStatus::Killed),
        Err(_) => (RunState::Failed, RunStatus::Failed),
    };
    let reason = result.as_ref().err().map(describe);
    dir.set_state(state, reason.as_deref())?;
    let logged = match state {
        RunState::Finished => recorder.log_folder(dir.path()),
        _ => Ok(()),
    };
    let status = if logged.is_err() { RunStatus::Failed } else { status };
    let view_hint = recorder.finish(status);
    match (&result, &logged) {
        (Ok(summary), Ok(())) => {
            let seconds = started.elapsed().as_secs_f64();
            tracing::info!(total_seconds = format_args!("{seconds:.1}"), "run finished");
            println!("test accuracy {:.4}; outputs in {}", summary.test.accuracy, out.display());
        }
        _ => eprintln!("run folder: {} ({})", out.display(), state.name()),
    }
    if let Some(hint) = view_hint {
        tracing::info!("{hint}");
    }
    match result {
        Err(error) if error.downcast_ref::<Interrupted>().is_some() => Err(error),
        Err(error) if state == RunState::Killed => Err(error.context(Interrupted)),
        Err(error) => Err(error),
        Ok(summary) => {
            logged.map(|()| summary).context("the run finished but MLflow did not get its files")
        }
    }
}

fn is_interrupt(error: &anyhow::Error) -> bool {
    error.downcast_ref::<Interrupted>().is_some()
        || matches!(error.downcast_ref::<TrainError>(), Some(TrainError::Interrupted { .. }))
}

/// Ends the run as killed when Ctrl-C came after training (evaluation, outputs, report).
fn stop_if_interrupted(interrupt: &AtomicBool) -> anyhow::Result<()> {
    if interrupt.load(Ordering::SeqCst) { Err(Interrupted.into()) } else { Ok(()) }
}

/// `<name>-<yyyymmdd-hhmmss>-<8 hex>`: sortable by time, unique across machines.
fn run_name(config: &Config) -> String {
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let id: u32 = rand::random();
    format!("{}-{stamp}-{id:08x}", config.run.name)
}

/// Set by Ctrl-C; the run stops at the next batch or step and is marked killed. Exiting
/// from the handler instead would leave the run folder and the MLflow run marked running
/// (and exiting while libtorch works can crash), so a second Ctrl-C only repeats the note.
fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let handler_flag = Arc::clone(&flag);
    let installed = ctrlc::set_handler(move || {
        if handler_flag.swap(true, Ordering::SeqCst) {
            eprintln!("\nalready stopping: the run is being marked killed");
        } else {
            eprintln!("\nstopping at the next batch or step; the run will be marked killed");
        }
    });
    if let Err(error) = installed {
        tracing::warn!(%error, "cannot catch Ctrl-C; an interrupted run will look failed");
    }
    flag
}

/// Everything between an open run folder and a complete one.
fn execute(
    config: &Config,
    dir: &RunDir,
    recorder: &mut Recorder,
    interrupt: &AtomicBool,
) -> anyhow::Result<MetricsSummary> {
    dir.write("config.toml", config.to_toml()?.as_bytes())?;
    // FIXME: `threads = 0` means one libtorch thread per core, and libtorch's per-op OpenMP
    // fork-join slows down sharply when another process takes a core: `cargo xtask run`
    // chooses passive OpenMP waiting only when the CPUs are busy as it starts, and nothing
    // adapts the thread count to load that arrives during a run.
    if config.run.threads > 0 {
        tch::set_num_threads(config.run.threads as i32);
    }
    let data = load_data(config)?;
    recorder.log_data(&data.provenance)?;
    let splits = Splits::new(config, &data)?;

    let vs = nn::VarStore::new(Device::Cpu);
    tch::manual_seed(seeds::derive_torch(config.run.seed, Purpose::Init));
    let model = fmnist_model::build(&config.model, &vs.root())?;
    tch::manual_seed(seeds::derive_torch(config.run.seed, Purpose::Dropout));
    let trainer = Trainer::new(&*model, &vs, &config.train)
        .shuffle_seed(seeds::derive(config.run.seed, Purpose::Shuffle))
        .augment_seed(seeds::derive(config.run.seed, Purpose::Augment))
        .interrupt(interrupt);
    let history = trainer.fit(splits.train.examples(), splits.validation.examples(), &mut |e| {
        log_epoch(e);
        recorder.log_epoch(e).map_err(Into::into)
    })?;
    tracing::info!(
        epochs = history.epochs_run(),
        best_epoch = history.best_epoch,
        stop = %history.stop_reason.name(),
        "training done"
    );
    stop_if_interrupted(interrupt)?;

    let model_name = config.model.kind.name();
    let chunk = config.train.eval_batch_size;
    let test_logits = predict_logits(&*model, &splits.test.xs, chunk)?;
    let predictions = argmax_labels(&test_logits)?;
    dir.write(&format!("PRED_{model_name}.dat"), predictions_file(&predictions).as_bytes())?;
    let figures = [
        split_metrics(&*model, &splits.train, chunk)?,
        split_metrics(&*model, &splits.validation, chunk)?,
        split_metrics(&*model, &splits.test, chunk)?,
    ];
    let summary = MetricsSummary::new(model_name, &history, figures);
    write_outputs(dir, &vs, model_name, &history, &summary)?;
    stop_if_interrupted(interrupt)?;
    let val_logits = predict_logits(&*model, &splits.validation.xs, chunk)?;
    let quality =
        write_report(config, dir, &summary, &history, &splits, &test_logits, &val_logits)?;
    recorder.log_summary(&summary, &quality)?;
    Ok(summary)
}

/// The three splits as plain data (for the report) and as tensors (for libtorch).
struct Splits {
    validation_labels: Vec<u8>,
    test_data: fmnist_data::Dataset,
    train: TensorSet,
    validation: TensorSet,
    test: TensorSet,
}

impl Splits {
    fn new(config: &Config, data: &FashionMnist) -> anyhow::Result<Splits> {
        let seed = seeds::derive(config.run.seed, Purpose::Split);
        let split = fmnist_data::stratified_split(
            &data.train.labels,
            config.data.validation_fraction,
            seed,
        )?;
        let validation_data = data.train.select(&split.validation);
        let train_rows = subset(&data.train.labels, &split.train, config.data.train_rows, seed)?;
        let splits = Splits {
            train: TensorSet::from_dataset(&data.train.select(&train_rows))?,
            validation: TensorSet::from_dataset(&validation_data)?,
            test: TensorSet::from_dataset(&data.test)?,
            validation_labels: validation_data.labels,
            test_data: data.test.clone(),
        };
        tracing::info!(
            train = train_rows.len(),
            validation = split.validation.len(),
            test = data.test.len(),
            "data ready"
        );
        Ok(splits)
    }
}

/// `rows` of the training indices `train`, stratified by class (`data.train_rows`); all of
/// them when `rows` is 0 or not below their number.
fn subset(labels: &[u8], train: &[usize], rows: usize, seed: u64) -> anyhow::Result<Vec<usize>> {
    if rows == 0 || rows >= train.len() {
        return Ok(train.to_vec());
    }
    let train_labels: Vec<u8> = train.iter().map(|&index| labels[index]).collect();
    let picked =
        fmnist_data::stratified_split(&train_labels, rows as f64 / train.len() as f64, seed)?;
    Ok(picked.validation.iter().map(|&position| train[position]).collect())
}

fn load_data(config: &Config) -> anyhow::Result<FashionMnist> {
    let mut options = DataOptions::default().with_env();
    if !config.data.path.is_empty() {
        options.path = Some(config.data.path.clone().into());
    }
    if !config.data.cache_dir.is_empty() {
        options.cache_dir = config.data.cache_dir.clone().into();
    }
    options.base_url = config.data.base_url.clone();
    options.dbfs_root = config.data.dbfs_root.clone().into();
    let data = fmnist_data::load(&options)?;
    tracing::info!(source = %data.provenance.source, "data loaded");
    Ok(data)
}

fn log_epoch(e: &fmnist_train::EpochStats) {
    tracing::info!(
        epoch = e.epoch,
        train_loss = format_args!("{:.4}", e.train_loss),
        train_acc = format_args!("{:.4}", e.train_accuracy),
        val_loss = format_args!("{:.4}", e.val_loss),
        val_acc = format_args!("{:.4}", e.val_accuracy),
        lr = format_args!("{:.3e}", e.learning_rate),
        seconds = format_args!("{:.2}", e.seconds),
        "epoch"
    );
}

fn split_metrics(
    model: &dyn nn::ModuleT,
    set: &TensorSet,
    chunk: usize,
) -> anyhow::Result<SplitMetrics> {
    let evaluation = evaluate(model, &set.xs, &set.ys, chunk)?;
    let examples = set.ys.size()[0] as usize;
    Ok(SplitMetrics { loss: evaluation.loss, accuracy: evaluation.accuracy, examples })
}

fn argmax_labels(logits: &Tensor) -> anyhow::Result<Vec<u8>> {
    let labels = logits.f_argmax(-1, false)?.f_to_kind(Kind::Uint8)?;
    Ok(Vec::<u8>::try_from(&labels)?)
}

fn write_outputs(
    dir: &RunDir,
    vs: &nn::VarStore,
    model_name: &str,
    history: &History,
    summary: &MetricsSummary,
) -> anyhow::Result<()> {
    dir.write("history.csv", history_csv(&history.epochs).as_bytes())?;
    dir.write("metrics.json", serde_json::to_string_pretty(summary)?.as_bytes())?;
    // tch picks the format from the extension, so the temporary name keeps it.
    let weights = dir.file(&format!("{model_name}_weights.safetensors"));
    let temp = dir.file(&format!(".{model_name}_weights.partial.safetensors"));
    vs.save(&temp).with_context(|| format!("saving weights to {}", temp.display()))?;
    std::fs::rename(&temp, &weights).with_context(|| format!("writing {}", weights.display()))?;
    Ok(())
}

/// Plots, quality figures, `report.html` and `summary.md`; returns the metrics for MLflow.
fn write_report(
    config: &Config,
    dir: &RunDir,
    summary: &MetricsSummary,
    history: &History,
    splits: &Splits,
    test_logits: &Tensor,
    val_logits: &Tensor,
) -> anyhow::Result<Vec<(String, f64)>> {
    let records: Vec<fmnist_report::EpochRecord> = history
        .epochs
        .iter()
        .map(|e| fmnist_report::EpochRecord {
            epoch: e.epoch,
            train_loss: e.train_loss,
            train_accuracy: e.train_accuracy,
            val_loss: e.val_loss,
            val_accuracy: e.val_accuracy,
            learning_rate: e.learning_rate,
            seconds: e.seconds,
        })
        .collect();
    let test_logits = Vec::<f32>::try_from(&test_logits.flatten(0, -1))?;
    let val_logits = Vec::<f32>::try_from(&val_logits.flatten(0, -1))?;
    let table = summary_table(config, summary);
    let input = fmnist_report::ReportInput {
        model_name: &summary.model,
        class_names: &CLASS_NAMES,
        history: &records,
        best_epoch: history.best_epoch,
        test_labels: &splits.test_data.labels,
        test_logits: &test_logits,
        test_images: &splits.test_data.images,
        val_labels: &splits.validation_labels,
        val_logits: &val_logits,
        summary: &table,
    };
    let outputs = fmnist_report::write_report(&input, dir.path())?;
    Ok(outputs.metrics)
}

/// The rows of the report's summary table: the config essentials, then the results.
fn summary_table(config: &Config, summary: &MetricsSummary) -> Vec<(String, String)> {
    let pct = |x: f64| format!("{:.2} %", 100.0 * x);
    let adam = &config.train.adam;
    vec![
        ("model".into(), config.essentials()),
        (
            "optimiser".into(),
            format!("Adam, lr {}, batch {}", adam.learning_rate, config.train.batch_size),
        ),
        ("seed".into(), config.run.seed.to_string()),
        ("test accuracy".into(), pct(summary.test.accuracy)),
        ("validation accuracy".into(), pct(summary.validation.accuracy)),
        ("train accuracy (eval mode)".into(), pct(summary.train.accuracy)),
        ("epochs run / best".into(), format!("{} / {}", summary.epochs_run, summary.best_epoch)),
        ("learning-rate cuts after epochs".into(), format!("{:?}", summary.lr_reductions)),
        (
            "training time".into(),
            format!("{:.1} s ({:.2} s/epoch)", summary.training_seconds, summary.seconds_per_epoch),
        ),
    ]
}
