//! Shape, size, validation and train/eval behaviour of the CNN.

use fmnist_model::{CnnConfig, ModelConfig, ModelError, ModelKind, build};
use tch::nn;
use tch::{Device, Kind, Tensor};

/// libtorch's generator is global and tests run on parallel threads: every test that seeds
/// or draws holds this lock, so seeds mean the same thing in every run.
static TORCH_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn rng_lock() -> std::sync::MutexGuard<'static, ()> {
    TORCH_RNG.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn cnn(config: CnnConfig) -> ModelConfig {
    ModelConfig { kind: ModelKind::Cnn, cnn: config, ..Default::default() }
}

/// A narrow network whose size is easy to count by hand.
fn small() -> CnnConfig {
    CnnConfig { blocks: vec![vec![8], vec![16, 16]], dense: 32, ..Default::default() }
}

fn count(tensors: &[Tensor]) -> i64 {
    tensors.iter().map(|t| t.numel() as i64).sum()
}

#[test]
fn the_cnn_is_named_cnn_for_its_artifacts() {
    assert_eq!(ModelKind::Cnn.name(), "cnn");
}

#[test]
fn flattened_images_become_ten_logits_for_any_depth() {
    let _rng = rng_lock();
    let xs = Tensor::rand([7, 784], (Kind::Float, Device::Cpu));
    let depths = [vec![vec![4]], vec![vec![4], vec![8]], vec![vec![4], vec![8], vec![8]]];
    for blocks in depths.into_iter().chain([vec![vec![4]; 4]]) {
        let vs = nn::VarStore::new(Device::Cpu);
        let config = CnnConfig { blocks: blocks.clone(), dense: 16, ..Default::default() };
        let model = build(&cnn(config), &vs.root()).unwrap();
        assert_eq!(model.forward_t(&xs, true).size(), [7, 10], "{blocks:?}");
        assert_eq!(model.forward_t(&xs, false).size(), [7, 10], "{blocks:?}");
    }
}

#[test]
fn parameter_count_matches_the_layers() {
    let _rng = rng_lock();
    let vs = nn::VarStore::new(Device::Cpu);
    let _model = build(&cnn(small()), &vs.root()).unwrap();
    // Convolutions have no bias (batch norm follows): 1*8*9 + 8*16*9 + 16*16*9 = 3,528.
    // Batch-norm scales and shifts: 2 * (8 + 16 + 16) + 2 * 32 = 144.
    // Head: 16 channels * 7 * 7 = 784 inputs -> 32: 784*32 + 32 = 25,120; out: 32*10 + 10 = 330.
    assert_eq!(count(&vs.trainable_variables()), 3_528 + 144 + 25_120 + 330);
    // Running means and variances: 2 * (8 + 16 + 16 + 32) = 144 more.
    let all: Vec<Tensor> = vs.variables().into_values().collect();
    assert_eq!(count(&all), 29_122 + 144);
    assert_eq!(small().flat_features(), 784);
    // Too many blocks is refused by `validate`; the size is then 0, not a panic.
    assert_eq!(CnnConfig { blocks: vec![vec![4]; 70], ..small() }.flat_features(), 0);
}

#[test]
fn no_hidden_dense_layer_goes_straight_to_the_output() {
    let _rng = rng_lock();
    let vs = nn::VarStore::new(Device::Cpu);
    let config = CnnConfig { dense: 0, ..small() };
    let model = build(&cnn(config), &vs.root()).unwrap();
    let vars = vs.variables();
    assert_eq!(vars["out.weight"].size(), [10, 784]);
    assert!(!vars.contains_key("head.dense.weight"));
    let xs = Tensor::rand([3, 784], (Kind::Float, Device::Cpu));
    assert_eq!(model.forward_t(&xs, false).size(), [3, 10]);
}

#[test]
fn eval_is_deterministic_and_training_passes_drop_differently() {
    let _rng = rng_lock();
    tch::manual_seed(0);
    let vs = nn::VarStore::new(Device::Cpu);
    let config = CnnConfig { block_dropout: 0.3, dense_dropout: 0.3, ..small() };
    let model = build(&cnn(config), &vs.root()).unwrap();
    let xs = Tensor::rand([16, 784], (Kind::Float, Device::Cpu));
    assert!(model.forward_t(&xs, false).equal(&model.forward_t(&xs, false)));
    assert!(!model.forward_t(&xs, true).equal(&model.forward_t(&xs, true)));
}

#[test]
fn same_seed_gives_same_weights() {
    let _rng = rng_lock();
    let weights = |seed| {
        tch::manual_seed(seed);
        let vs = nn::VarStore::new(Device::Cpu);
        let _model = build(&cnn(small()), &vs.root()).unwrap();
        vs.variables()["block1.conv1.conv.weight"].copy()
    };
    assert!(weights(3).equal(&weights(3)));
    assert!(!weights(3).equal(&weights(4)));
}

#[test]
fn eval_forward_equals_plain_nchw_layers_in_order() {
    // The network runs channels-last internally; in eval mode it must compute exactly
    // conv -> batch norm (running statistics) -> ReLU per unit, with the block's 2x2
    // max-pool right after its last conv, then a row-major flatten and the output layer,
    // as spelled out here in plain NCHW ops.
    let _rng = rng_lock();
    tch::manual_seed(9);
    let vs = nn::VarStore::new(Device::Cpu);
    let config = CnnConfig { dense: 0, batch_norm_epsilon: 1e-3, ..small() };
    let model = build(&cnn(config.clone()), &vs.root()).unwrap();
    let vars = vs.variables();
    let xs = Tensor::rand([5, 784], (Kind::Float, Device::Cpu));
    let mut ys = xs.view([5, 1, 28, 28]);
    for (b, widths) in config.blocks.iter().enumerate() {
        for c in 0..widths.len() {
            let var = |name: &str| &vars[&format!("block{b}.conv{c}.{name}")];
            let no_bias: Option<&Tensor> = None;
            ys = ys.conv2d(var("conv.weight"), no_bias, [1, 1], [1, 1], [1, 1], 1);
            if c == widths.len() - 1 {
                ys = ys.max_pool2d_default(2);
            }
            // Fresh running statistics (mean 0, variance 1) would hide a mix-up: make them
            // distinct per channel first.
            let channels = widths[c];
            let mut mean = var("norm.running_mean").shallow_clone();
            let mut variance = var("norm.running_var").shallow_clone();
            let ramp = Tensor::arange(channels, (Kind::Float, Device::Cpu)) / channels as f64;
            tch::no_grad(|| {
                mean.copy_(&(&ramp - 0.5));
                variance.copy_(&(&ramp + 0.5));
            });
            let scale = var("norm.weight") / (&variance + 1e-3).sqrt();
            let shift = var("norm.bias") - &mean * &scale;
            ys = (ys * scale.view([1, -1, 1, 1]) + shift.view([1, -1, 1, 1])).relu();
        }
    }
    let expected = ys.flatten(1, -1).linear(&vars["out.weight"], Some(&vars["out.bias"]));
    let logits = model.forward_t(&xs, false);
    assert!(logits.allclose(&expected, 1e-4, 1e-5, false), "{logits} vs {expected}");
}

#[test]
fn invalid_settings_are_refused_with_the_key_name() {
    let _rng = rng_lock();
    let cases = [
        (CnnConfig { blocks: vec![], ..small() }, "model.cnn.blocks"),
        (CnnConfig { blocks: vec![vec![4]; 5], ..small() }, "model.cnn.blocks"),
        (CnnConfig { blocks: vec![vec![4], vec![]], ..small() }, "model.cnn.blocks"),
        (CnnConfig { blocks: vec![vec![4, 0]], ..small() }, "model.cnn.blocks"),
        (CnnConfig { kernel_size: 4, ..small() }, "model.cnn.kernel_size"),
        (CnnConfig { block_dropout: 1.0, ..small() }, "model.cnn.block_dropout"),
        (CnnConfig { dense_dropout: -0.1, ..small() }, "model.cnn.dense_dropout"),
        (CnnConfig { dense: -1, ..small() }, "model.cnn.dense"),
        (CnnConfig { batch_norm_momentum: 1.0, ..small() }, "model.cnn.batch_norm_momentum"),
        (CnnConfig { batch_norm_epsilon: 0.0, ..small() }, "model.cnn.batch_norm_epsilon"),
        (CnnConfig { batch_norm_epsilon: f64::NAN, ..small() }, "model.cnn.batch_norm_epsilon"),
    ];
    for (config, key) in cases {
        let vs = nn::VarStore::new(Device::Cpu);
        let error = build(&cnn(config.clone()), &vs.root()).expect_err(key);
        assert!(
            matches!(error, ModelError::InvalidConfig { field, .. } if field == key),
            "{error}"
        );
        assert!(error.to_string().contains(key), "{error}");
        assert!(cnn(config).validate().is_err());
    }
}

#[test]
fn an_mlp_config_ignores_a_bad_cnn_section() {
    let config = ModelConfig {
        kind: ModelKind::Mlp,
        cnn: CnnConfig { blocks: vec![], ..small() },
        ..Default::default()
    };
    assert!(config.validate().is_ok());
}
