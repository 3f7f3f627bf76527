//! Where an MLP epoch goes: the loop of `fmnist_train::Trainer::fit`, replayed step by step
//! with a timer around each phase of a batch.
//!
//! libtorch runs CPU ops eagerly and synchronously, so wall time between two calls is the
//! time of the ops between them. The phases mirror `crates/train/src/fit.rs`; keep them in
//! step when that loop changes.

use std::time::Instant;

use anyhow::Context;
use fmnist_train::{Adam, evaluate};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde_json::{Value, json};
use tch::nn::{self, ModuleT};
use tch::{Device, Kind, Tensor};

use crate::setup::TrainRows;
use crate::variants::{LocalMlp, Variant};

/// The phases of one batch, then the per-epoch ones, in loop order.
const PHASES: [&str; 8] = [
    "shuffle",
    "slice batch (index_select)",
    "forward + loss",
    "backward",
    "Adam step (zeroes gradients)",
    "host reads (loss, accuracy)",
    "validation pass",
    "other",
];

/// Seconds spent in each of [`PHASES`], summed over epochs.
#[derive(Default)]
struct Clock {
    seconds: [f64; PHASES.len()],
    mark: Option<Instant>,
}

impl Clock {
    fn start(&mut self) {
        self.mark = Some(Instant::now());
    }

    /// Charges the time since the last mark to `phase` and sets a new mark.
    fn lap(&mut self, phase: usize) {
        let now = Instant::now();
        if let Some(mark) = self.mark {
            self.seconds[phase] += (now - mark).as_secs_f64();
        }
        self.mark = Some(now);
    }
}

/// Trains the config's model for `epochs` epochs and returns seconds per epoch by phase.
pub fn run(rows: &TrainRows, epochs: usize, variant: Variant) -> anyhow::Result<Value> {
    let vs = nn::VarStore::new(Device::Cpu);
    tch::manual_seed(1);
    let model: Box<dyn ModuleT> = match variant {
        Variant::Baseline => {
            fmnist_model::build(&rows.model, &vs.root()).context("building the model")?
        }
        local => Box::new(LocalMlp::new(&vs.root(), local)),
    };
    let mut optimizer = Adam::new(&vs, &rows.train.adam)?;
    let mut rng = StdRng::seed_from_u64(2);
    let mut clock = Clock::default();
    let mut epoch_seconds = Vec::new();
    for _ in 0..epochs {
        let started = Instant::now();
        one_epoch(rows, &*model, &mut optimizer, &mut rng, &mut clock)?;
        epoch_seconds.push(started.elapsed().as_secs_f64());
    }
    let total: f64 = epoch_seconds.iter().sum();
    let accounted: f64 = clock.seconds.iter().sum();
    clock.seconds[PHASES.len() - 1] += (total - accounted).max(0.0);
    let per_epoch: Vec<Value> = PHASES
        .iter()
        .zip(clock.seconds)
        .map(|(name, seconds)| json!({ "phase": name, "seconds": seconds / epochs as f64 }))
        .collect();
    print_breakdown(&per_epoch, total / epochs as f64);
    Ok(json!({ "epoch_seconds": epoch_seconds, "phases": per_epoch }))
}

fn one_epoch(
    rows: &TrainRows,
    model: &dyn ModuleT,
    optimizer: &mut Adam,
    rng: &mut StdRng,
    clock: &mut Clock,
) -> anyhow::Result<()> {
    let train = &rows.train_set;
    let n = train.len() as i64;
    let batch = rows.train.batch_size as i64;
    clock.start();
    let mut order: Vec<i64> = (0..n).collect();
    order.shuffle(rng);
    let order = Tensor::from_slice(&order);
    clock.lap(0);
    let (mut loss_sum, mut correct_sum) = (0.0, 0.0);
    for start in (0..n).step_by(batch as usize) {
        let len = batch.min(n - start);
        let batch_rows = order.narrow(0, start, len);
        let xs = train.xs.f_index_select(0, &batch_rows)?;
        let ys = train.ys.f_index_select(0, &batch_rows)?;
        clock.lap(1);
        let logits = model.forward_t(&xs, true);
        let loss =
            logits.f_cross_entropy_loss(&ys, None::<&Tensor>, tch::Reduction::Mean, -100, 0.0)?;
        clock.lap(2);
        loss.f_backward()?;
        clock.lap(3);
        optimizer.step()?;
        clock.lap(4);
        loss_sum += loss.f_double_value(&[])? * len as f64;
        correct_sum += tch::no_grad(|| accuracy(&logits, &ys))? * len as f64;
        clock.lap(5);
    }
    let validation = &rows.validation_set;
    evaluate(model, &validation.xs, &validation.ys, rows.train.eval_batch_size)?;
    clock.lap(6);
    std::hint::black_box((loss_sum, correct_sum));
    Ok(())
}

fn accuracy(logits: &Tensor, ys: &Tensor) -> anyhow::Result<f64> {
    let correct = logits.f_argmax(-1, false)?.f_eq_tensor(ys)?.f_to_kind(Kind::Double)?;
    Ok(correct.f_mean(Kind::Double)?.f_double_value(&[])?)
}

/// A human-readable breakdown on stderr (stdout carries the JSON line).
fn print_breakdown(phases: &[Value], epoch: f64) {
    eprintln!("{:<30} {:>10} {:>7}", "phase", "ms/epoch", "share");
    for phase in phases {
        let seconds = phase["seconds"].as_f64().unwrap_or(0.0);
        let name = phase["phase"].as_str().unwrap_or("?");
        eprintln!("{name:<30} {:>10.1} {:>6.1}%", seconds * 1e3, 100.0 * seconds / epoch);
    }
    eprintln!("{:<30} {:>10.1}", "epoch", epoch * 1e3);
}
