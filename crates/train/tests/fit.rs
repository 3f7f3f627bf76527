//! The loop on small synthetic problems: it learns, it is reproducible, and it restores the
//! best epoch's weights when training runs to the epoch limit.

use std::sync::atomic::AtomicBool;

use fmnist_train::{
    EarlyStoppingConfig, Examples, History, StopReason, TrainConfig, TrainError, Trainer, evaluate,
};
use tch::nn::{self, Module};
use tch::{Device, Kind, Tensor};

/// Two Gaussian blobs per class in 8 dimensions, labels 0..3.
fn blobs(n: i64, seed: i64) -> (Tensor, Tensor) {
    tch::manual_seed(seed);
    let ys = Tensor::randint(3, [n], (Kind::Int64, Device::Cpu));
    let centres = Tensor::eye(8, (Kind::Float, Device::Cpu)).narrow(0, 0, 3) * 3.0;
    let xs = centres.index_select(0, &ys) + Tensor::randn([n, 8], (Kind::Float, Device::Cpu));
    (xs, ys)
}

/// libtorch's generator is global and tests run on parallel threads: every test that seeds
/// or draws holds this lock, so seeds mean the same thing in every run.
static TORCH_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn rng_lock() -> std::sync::MutexGuard<'static, ()> {
    TORCH_RNG.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn small_config(epochs: usize) -> TrainConfig {
    TrainConfig { epochs, batch_size: 32, ..TrainConfig::default() }
}

fn linear_model(vs: &nn::VarStore) -> impl nn::ModuleT {
    tch::manual_seed(7);
    let layer = nn::linear(vs.root() / "fc", 8, 3, Default::default());
    nn::func_t(move |xs, _train| layer.forward(xs))
}

/// Fits the linear model on fresh blobs (600 training rows, 200 validation rows) with a
/// learning rate of `learning_rate` for `epochs` epochs; returns the fit's result and how
/// many epochs reached the callback.
fn fit_blobs(learning_rate: f64, epochs: usize) -> (fmnist_train::Result<History>, usize) {
    let _rng = rng_lock();
    let (xs, ys) = blobs(600, 1);
    let (vx, vy) = blobs(200, 2);
    let vs = nn::VarStore::new(Device::Cpu);
    let model = linear_model(&vs);
    let config = TrainConfig {
        adam: fmnist_train::AdamConfig { learning_rate, ..Default::default() },
        ..small_config(epochs)
    };
    let trainer = Trainer::new(&model, &vs, &config).shuffle_seed(3);
    let mut seen = 0;
    let result =
        trainer.fit(Examples { xs: &xs, ys: &ys }, Examples { xs: &vx, ys: &vy }, &mut |_| {
            seen += 1;
            Ok(())
        });
    (result, seen)
}

#[test]
fn loss_falls_and_accuracy_rises_on_separable_data() {
    let (result, seen) = fit_blobs(1e-2, 5);
    let history = result.unwrap();
    assert_eq!(seen, 5);
    let first = &history.epochs[0];
    let last = history.epochs.last().unwrap();
    assert!(last.val_loss < first.val_loss, "{history:?}");
    assert!(last.val_accuracy > 0.9, "validation accuracy {}", last.val_accuracy);
    assert_eq!(history.stop_reason, StopReason::EpochLimit);
}

#[test]
fn same_seeds_give_identical_histories_and_weights() {
    let _rng = rng_lock();
    let (xs, ys) = blobs(300, 1);
    let (vx, vy) = blobs(100, 2);
    let run = || {
        let vs = nn::VarStore::new(Device::Cpu);
        let model = linear_model(&vs);
        let config = small_config(3);
        let trainer = Trainer::new(&model, &vs, &config).shuffle_seed(11);
        let history = trainer
            .fit(Examples { xs: &xs, ys: &ys }, Examples { xs: &vx, ys: &vy }, &mut |_| Ok(()))
            .unwrap();
        let losses: Vec<f64> = history.epochs.iter().map(|e| e.train_loss).collect();
        (losses, vs.variables()["fc.weight"].copy())
    };
    let (losses_a, weights_a) = run();
    let (losses_b, weights_b) = run();
    assert_eq!(losses_a, losses_b);
    assert!(weights_a.equal(&weights_b));
}

#[test]
fn best_weights_are_restored_at_the_epoch_limit() {
    let _rng = rng_lock();
    // Validation labels are rotated: the better the model learns the training labels, the
    // worse its validation loss, so the best epoch is an early one.
    let (xs, ys) = blobs(600, 1);
    let (vx, vy) = blobs(200, 2);
    let wrong = (&vy + 1).remainder(3);
    let vs = nn::VarStore::new(Device::Cpu);
    let model = linear_model(&vs);
    let stopping = EarlyStoppingConfig { patience: 50, ..Default::default() };
    let config = TrainConfig { early_stopping: stopping, ..small_config(6) };
    let trainer = Trainer::new(&model, &vs, &config).shuffle_seed(5);
    let validation = Examples { xs: &vx, ys: &wrong };
    let history = trainer.fit(Examples { xs: &xs, ys: &ys }, validation, &mut |_| Ok(())).unwrap();
    assert_eq!(history.stop_reason, StopReason::EpochLimit);
    assert_eq!(history.epochs_run(), 6);
    assert!(history.best_epoch < 6, "best epoch {}", history.best_epoch);
    assert!(history.restored_best);
    let best = &history.epochs[history.best_epoch - 1];
    let now = evaluate(&model, &vx, &wrong, 4096).unwrap();
    assert_eq!(now.loss, best.val_loss);
    assert_ne!(now.loss, history.epochs.last().unwrap().val_loss);
}

#[test]
fn an_interrupt_flag_stops_the_fit_with_a_typed_error() {
    let _rng = rng_lock();
    let (xs, ys) = blobs(100, 1);
    let vs = nn::VarStore::new(Device::Cpu);
    let model = linear_model(&vs);
    let flag = AtomicBool::new(true);
    let config = small_config(3);
    let trainer = Trainer::new(&model, &vs, &config).interrupt(&flag);
    let data = Examples { xs: &xs, ys: &ys };
    let error = trainer.fit(data, data, &mut |_| Ok(())).unwrap_err();
    assert!(matches!(error, TrainError::Interrupted { epoch: 1 }), "{error}");
}

#[test]
fn mismatched_labels_are_refused() {
    let _rng = rng_lock();
    let (xs, ys) = blobs(100, 1);
    let short = ys.narrow(0, 0, 99);
    let vs = nn::VarStore::new(Device::Cpu);
    let model = linear_model(&vs);
    let config = small_config(1);
    let trainer = Trainer::new(&model, &vs, &config);
    let error = trainer
        .fit(Examples { xs: &xs, ys: &short }, Examples { xs: &xs, ys: &ys }, &mut |_| Ok(()))
        .unwrap_err();
    assert!(error.to_string().contains("training split"), "{error}");
}

#[test]
fn a_failing_callback_ends_the_fit_with_its_error() {
    let _rng = rng_lock();
    let (xs, ys) = blobs(100, 1);
    let vs = nn::VarStore::new(Device::Cpu);
    let model = linear_model(&vs);
    let config = small_config(3);
    let trainer = Trainer::new(&model, &vs, &config);
    let data = Examples { xs: &xs, ys: &ys };
    let error = trainer.fit(data, data, &mut |_| Err("disk full".into())).unwrap_err();
    assert!(matches!(error, TrainError::Callback { epoch: 1, .. }), "{error}");
    assert_eq!(error.to_string(), "after epoch 1: disk full");
}

#[test]
fn a_blown_up_loss_ends_the_fit_with_a_typed_error() {
    // Each Adam step moves a weight by about the learning rate: 19 steps of 1e38 overflow f32.
    let (result, seen) = fit_blobs(1e38, 3);
    let error = result.unwrap_err();
    assert!(matches!(error, TrainError::Diverged { epoch: 1, .. }), "{error:?}");
    assert_eq!(seen, 0, "a diverged epoch must not be reported as a result");
    assert!(error.to_string().contains("train.adam.learning_rate"), "{error}");
}

#[test]
fn adam_settings_outside_their_ranges_are_refused() {
    let with = |adam: fmnist_train::AdamConfig| TrainConfig { adam, ..TrainConfig::default() };
    let base = fmnist_train::AdamConfig::default();
    let cases = [
        ("train.adam.beta1", fmnist_train::AdamConfig { beta1: 1.0, ..base.clone() }),
        ("train.adam.beta2", fmnist_train::AdamConfig { beta2: 1.5, ..base.clone() }),
        ("train.adam.epsilon", fmnist_train::AdamConfig { epsilon: f64::INFINITY, ..base.clone() }),
    ];
    for (field, adam) in cases {
        let error = with(adam).validate().unwrap_err();
        assert!(error.to_string().contains(field), "{field}: {error}");
    }
    assert!(with(base).validate().is_ok());
}

#[test]
fn stop_reason_names_are_the_serialised_spellings() {
    for reason in [StopReason::EpochLimit, StopReason::EarlyStopping] {
        let json = serde_json::to_string(&reason).unwrap();
        assert_eq!(json, format!("\"{}\"", reason.name()));
    }
}
