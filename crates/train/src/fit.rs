//! The training loop.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use tch::nn;
use tch::{Kind, Tensor};

use crate::error::BoxError;
use crate::eval::{accuracy, cross_entropy, evaluate};
use crate::{
    Adam, Augmenter, EarlyStopping, EpochStats, History, LinearDecay, ReduceLrOnPlateau, Result,
    Snapshot, StopReason, TrainConfig, TrainError, Verdict,
};

/// Rows of one split as tensors: `xs` of shape `[n, ...]` (float) and `ys` of shape `[n]`
/// (int64 class indices).
#[derive(Debug, Clone, Copy)]
pub struct Examples<'a> {
    /// Inputs, one row per example.
    pub xs: &'a Tensor,
    /// Class indices, int64.
    pub ys: &'a Tensor,
}

impl<'a> Examples<'a> {
    /// Checks that inputs and labels agree and returns the number of rows.
    fn rows(&self, what: &'static str) -> Result<i64> {
        let n_xs = self.xs.size().first().copied().unwrap_or(0);
        let ys_shape = self.ys.size();
        if ys_shape.len() != 1 || ys_shape[0] != n_xs || n_xs == 0 {
            let found = format!("inputs {:?} and labels {ys_shape:?}", self.xs.size());
            let expected = "n >= 1 input rows and n labels".to_owned();
            return Err(TrainError::BadData { what, found, expected });
        }
        if self.ys.kind() != Kind::Int64 {
            let found = format!("{:?}", self.ys.kind());
            return Err(TrainError::BadData { what, found, expected: "Int64 labels".into() });
        }
        Ok(n_xs)
    }
}

/// A model, its variables and a [`TrainConfig`], ready to [`Trainer::fit`].
pub struct Trainer<'a> {
    model: &'a dyn nn::ModuleT,
    vs: &'a nn::VarStore,
    config: &'a TrainConfig,
    shuffle_seed: u64,
    augment_seed: u64,
    interrupt: Option<&'a AtomicBool>,
}

impl<'a> Trainer<'a> {
    /// A trainer with shuffle and augmentation seeds 0 and no interrupt flag.
    pub fn new(model: &'a dyn nn::ModuleT, vs: &'a nn::VarStore, config: &'a TrainConfig) -> Self {
        Trainer { model, vs, config, shuffle_seed: 0, augment_seed: 0, interrupt: None }
    }

    /// Seed of the per-epoch shuffling (dropout uses libtorch's global generator, seed it
    /// with [`tch::manual_seed`]).
    pub fn shuffle_seed(mut self, seed: u64) -> Self {
        self.shuffle_seed = seed;
        self
    }

    /// Seed of the augmentation draws (used only when `config.augment.enabled`).
    pub fn augment_seed(mut self, seed: u64) -> Self {
        self.augment_seed = seed;
        self
    }

    /// A flag checked before every batch; once set, [`Trainer::fit`] returns
    /// [`TrainError::Interrupted`].
    pub fn interrupt(mut self, flag: &'a AtomicBool) -> Self {
        self.interrupt = Some(flag);
        self
    }

    /// Trains until the epoch limit or early stopping, then restores the best weights
    /// (when configured). `on_epoch` sees each epoch's figures as soon as they exist; an
    /// error from it ends the fit with [`TrainError::Callback`].
    pub fn fit(
        &self,
        train: Examples,
        validation: Examples,
        on_epoch: &mut dyn FnMut(&EpochStats) -> std::result::Result<(), BoxError>,
    ) -> Result<History> {
        self.config.validate()?;
        let n_train = train.rows("training split")?;
        validation.rows("validation split")?;
        let adam = &self.config.adam;
        let mut optimizer = Adam::new(self.vs, adam)?;
        let mut rng = ChaCha8Rng::seed_from_u64(self.shuffle_seed);
        let mut augmenter = Augmenter::new(&self.config.augment, self.augment_seed);
        let batch = self.config.batch_size as u64;
        let steps_per_epoch = (n_train as u64).div_ceil(batch);
        let decay = self.config.linear_decay.enabled.then(|| {
            let total = steps_per_epoch * self.config.epochs as u64;
            LinearDecay::new(adam.learning_rate, self.config.linear_decay.final_lr, total)
        });
        let mut schedule = ReduceLrOnPlateau::new(self.config.reduce_lr.clone());
        let mut stopping = EarlyStopping::new(self.config.early_stopping.clone());
        let mut best: Option<Snapshot> = None;
        let mut lr = adam.learning_rate;
        let mut epochs = Vec::new();
        let mut stop_reason = StopReason::EpochLimit;
        for epoch in 1..=self.config.epochs {
            let started = Instant::now();
            let order = shuffled(n_train, &mut rng);
            let first_step = (epoch as u64 - 1) * steps_per_epoch;
            let steps = Steps { optimizer: &mut optimizer, decay: decay.as_ref(), first_step };
            if let Some(decay) = &decay {
                lr = decay.rate(first_step);
            }
            let (train_loss, train_accuracy) =
                self.one_epoch(epoch, steps, &mut augmenter, train, &order)?;
            let val =
                evaluate(self.model, validation.xs, validation.ys, self.config.eval_batch_size)?;
            for (which, loss) in [("training", train_loss), ("validation", val.loss)] {
                if !loss.is_finite() {
                    return Err(TrainError::Diverged { epoch, which, loss });
                }
            }
            let stats = EpochStats {
                epoch,
                train_loss,
                train_accuracy,
                val_loss: val.loss,
                val_accuracy: val.accuracy,
                learning_rate: lr,
                seconds: started.elapsed().as_secs_f64(),
            };
            on_epoch(&stats).map_err(|source| TrainError::Callback { epoch, source })?;
            epochs.push(stats);
            if let Some(new_lr) = schedule.on_epoch_end(val.loss, lr) {
                tracing::info!(
                    epoch,
                    from = lr,
                    to = new_lr,
                    "validation loss plateaued: learning rate cut"
                );
                lr = new_lr;
                optimizer.set_learning_rate(lr);
            }
            match stopping.on_epoch_end(epoch, val.loss) {
                Verdict::Improved => best = Some(Snapshot::take(self.vs)),
                Verdict::Continue => {}
                Verdict::Stop => {
                    stop_reason = StopReason::EarlyStopping;
                    break;
                }
            }
        }
        let best_epoch = stopping.best_epoch().unwrap_or(epochs.len());
        let restore = self.config.early_stopping.restore_best_weights;
        let restored_best = match (&best, restore) {
            (Some(snapshot), true) => {
                snapshot.restore(self.vs);
                true
            }
            _ => false,
        };
        Ok(History { epochs, best_epoch, restored_best, stop_reason })
    }

    /// One pass over the training rows in `order` (each batch through `augmenter`); returns
    /// the running mean loss and accuracy.
    fn one_epoch(
        &self,
        epoch: usize,
        steps: Steps,
        augmenter: &mut Augmenter,
        train: Examples,
        order: &Tensor,
    ) -> Result<(f64, f64)> {
        let n = order.size()[0];
        let batch = self.config.batch_size as i64;
        let progress = progress_bar(epoch, self.config.epochs, ((n + batch - 1) / batch) as u64);
        let (mut loss_sum, mut correct_sum) = (0.0, 0.0);
        for start in (0..n).step_by(batch as usize) {
            if self.interrupt.is_some_and(|flag| flag.load(Ordering::Relaxed)) {
                progress.finish_and_clear();
                return Err(TrainError::Interrupted { epoch });
            }
            let len = batch.min(n - start);
            let rows = order.narrow(0, start, len);
            let xs = augmenter.apply(&train.xs.f_index_select(0, &rows)?)?;
            let ys = train.ys.f_index_select(0, &rows)?;
            if let Some(decay) = steps.decay {
                let step = steps.first_step + (start / batch) as u64;
                steps.optimizer.set_learning_rate(decay.rate(step));
            }
            let logits = self.model.forward_t(&xs, true);
            let loss = cross_entropy(&logits, &ys)?;
            steps.optimizer.backward_step(&loss)?;
            loss_sum += loss.f_double_value(&[])? * len as f64;
            correct_sum += tch::no_grad(|| accuracy(&logits, &ys))? * len as f64;
            progress.inc(1);
        }
        progress.finish_and_clear();
        Ok((loss_sum / n as f64, correct_sum / n as f64))
    }
}

/// The optimiser of an epoch, with the learning-rate decay (if any) and the global index
/// of the epoch's first step.
struct Steps<'a> {
    optimizer: &'a mut Adam,
    decay: Option<&'a LinearDecay>,
    first_step: u64,
}

/// A fresh permutation of `0..n` as an int64 tensor.
fn shuffled(n: i64, rng: &mut ChaCha8Rng) -> Tensor {
    let mut order: Vec<i64> = (0..n).collect();
    order.shuffle(rng);
    Tensor::from_slice(&order)
}

/// A per-epoch bar over batches. indicatif hides it when stderr is not a terminal.
fn progress_bar(epoch: usize, epochs: usize, batches: u64) -> ProgressBar {
    let bar = ProgressBar::new(batches);
    let template = "epoch {prefix} [{bar:30}] {pos}/{len} batches {elapsed_precise} eta {eta}";
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(format!("{epoch}/{epochs}"));
    bar
}
