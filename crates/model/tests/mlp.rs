//! Shape, size and initialisation of the reference MLP.

use fmnist_model::{KernelInit, MlpConfig, ModelConfig, ModelError, build, glorot_uniform_limit};
use tch::nn;
use tch::{Device, Kind, Tensor};

/// libtorch's generator is global and tests run on parallel threads: every test that seeds
/// or draws holds this lock, so seeds mean the same thing in every run.
static TORCH_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn rng_lock() -> std::sync::MutexGuard<'static, ()> {
    TORCH_RNG.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn trainable_count(vs: &nn::VarStore) -> i64 {
    vs.trainable_variables().iter().map(|t| t.numel() as i64).sum()
}

#[test]
fn reference_mlp_maps_a_batch_to_ten_logits() {
    let _rng = rng_lock();
    let vs = nn::VarStore::new(Device::Cpu);
    let model = build(&ModelConfig::default(), &vs.root()).unwrap();
    let xs = Tensor::rand([7, 784], (Kind::Float, Device::Cpu));
    assert_eq!(model.forward_t(&xs, true).size(), [7, 10]);
    assert_eq!(model.forward_t(&xs, false).size(), [7, 10]);
}

#[test]
fn reference_mlp_has_keras_parameter_count() {
    let _rng = rng_lock();
    // Keras' model.summary() for the reference: 236,682 parameters, 768 of them the
    // non-trainable moving means and variances of the two BatchNorm layers.
    let vs = nn::VarStore::new(Device::Cpu);
    let _model = build(&ModelConfig::default(), &vs.root()).unwrap();
    assert_eq!(trainable_count(&vs), 236_682 - 768);
    let all: i64 = vs.variables().values().map(|t| t.numel() as i64).sum();
    assert_eq!(all, 236_682);
}

#[test]
fn glorot_kernels_stay_inside_their_limit_and_biases_start_at_zero() {
    let _rng = rng_lock();
    tch::manual_seed(1);
    let vs = nn::VarStore::new(Device::Cpu);
    let _model = build(&ModelConfig::default(), &vs.root()).unwrap();
    let vars = vs.variables();
    let kernel = &vars["layer0.dense.weight"];
    let limit = glorot_uniform_limit(784, 256);
    let max_abs = kernel.abs().max().double_value(&[]);
    assert!(max_abs <= limit && max_abs > 0.9 * limit, "max |w| {max_abs}, limit {limit}");
    assert_eq!(vars["layer0.dense.bias"].abs().sum(Kind::Float).double_value(&[]), 0.0);
}

#[test]
fn same_seed_gives_same_weights() {
    let _rng = rng_lock();
    let weights = |seed| {
        tch::manual_seed(seed);
        let vs = nn::VarStore::new(Device::Cpu);
        let _model = build(&ModelConfig::default(), &vs.root()).unwrap();
        vs.variables()["out.weight"].copy()
    };
    assert!(weights(3).equal(&weights(3)));
    assert!(!weights(3).equal(&weights(4)));
}

#[test]
fn eval_mode_is_deterministic_and_train_mode_drops_units() {
    let _rng = rng_lock();
    tch::manual_seed(0);
    let vs = nn::VarStore::new(Device::Cpu);
    let model = build(&ModelConfig::default(), &vs.root()).unwrap();
    let xs = Tensor::rand([64, 784], (Kind::Float, Device::Cpu));
    let eval_a = model.forward_t(&xs, false);
    let eval_b = model.forward_t(&xs, false);
    assert!(eval_a.equal(&eval_b));
    let train_a = model.forward_t(&xs, true);
    let train_b = model.forward_t(&xs, true);
    assert!(!train_a.equal(&train_b), "dropout should differ between two training passes");
}

#[test]
fn invalid_dropout_is_refused_with_the_key_name() {
    let _rng = rng_lock();
    let config = ModelConfig {
        mlp: MlpConfig {
            dropout: 1.5,
            kernel_init: KernelInit::GlorotUniform,
            ..Default::default()
        },
        ..Default::default()
    };
    let vs = nn::VarStore::new(Device::Cpu);
    let error = build(&config, &vs.root()).expect_err("dropout 1.5 must be refused");
    assert!(matches!(error, ModelError::InvalidConfig { field: "model.mlp.dropout", .. }));
    assert!(error.to_string().contains("model.mlp.dropout"), "{error}");
}
