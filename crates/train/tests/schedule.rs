//! The linear learning-rate decay: its arithmetic, its place in the fit, and its config.

use fmnist_train::{
    Examples, LinearDecay, LinearDecayConfig, ReduceLrConfig, TrainConfig, Trainer,
};
use tch::nn::{self, Module};
use tch::{Device, Kind, Tensor};

#[test]
fn the_rate_falls_in_equal_steps_and_stays_at_the_end() {
    let decay = LinearDecay::new(1e-3, 1e-4, 10);
    assert_eq!(decay.rate(0), 1e-3);
    assert!((decay.rate(5) - 5.5e-4).abs() < 1e-15);
    assert!((decay.rate(10) - 1e-4).abs() < 1e-15);
    assert!((decay.rate(25) - 1e-4).abs() < 1e-15);
    // No steps at all is treated as one, never a division by zero.
    assert_eq!(LinearDecay::new(1.0, 0.0, 0).rate(0), 1.0);
}

fn decaying(epochs: usize) -> TrainConfig {
    TrainConfig {
        epochs,
        batch_size: 25,
        reduce_lr: ReduceLrConfig { enabled: false, ..Default::default() },
        linear_decay: LinearDecayConfig { enabled: true, final_lr: 0.0 },
        ..Default::default()
    }
}

#[test]
fn each_epoch_starts_at_the_rate_of_its_first_step() {
    tch::manual_seed(0);
    let xs = Tensor::randn([100, 4], (Kind::Float, Device::Cpu));
    let ys = Tensor::randint(2, [100], (Kind::Int64, Device::Cpu));
    let vs = nn::VarStore::new(Device::Cpu);
    let layer = nn::linear(vs.root() / "fc", 4, 2, Default::default());
    let model = nn::func_t(move |xs, _| layer.forward(xs));
    let config = decaying(4);
    let history = Trainer::new(&model, &vs, &config)
        .fit(Examples { xs: &xs, ys: &ys }, Examples { xs: &xs, ys: &ys }, &mut |_| Ok(()))
        .unwrap();
    // 4 steps per epoch, 16 in all: epochs start at steps 0, 4, 8 and 12.
    let rates: Vec<f64> = history.epochs.iter().map(|e| e.learning_rate).collect();
    assert_eq!(rates, [1e-3, 7.5e-4, 5e-4, 2.5e-4]);
}

#[test]
fn two_schedules_at_once_or_a_rising_decay_are_refused() {
    let both = TrainConfig { reduce_lr: ReduceLrConfig::default(), ..decaying(3) };
    let error = both.validate().unwrap_err().to_string();
    assert!(error.contains("train.linear_decay.enabled"), "{error}");
    let rising = TrainConfig {
        linear_decay: LinearDecayConfig { enabled: true, final_lr: 0.5 },
        ..decaying(3)
    };
    let error = rising.validate().unwrap_err().to_string();
    assert!(error.contains("train.linear_decay.final_lr") && error.contains("0.5"), "{error}");
    assert!(decaying(3).validate().is_ok());
    assert!(!TrainConfig::default().linear_decay.enabled, "the reference schedule stays default");
}
