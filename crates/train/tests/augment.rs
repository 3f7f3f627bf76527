//! Augmentation: seeded, shape-preserving shifts and mirrors, and only on training batches.

use std::sync::Mutex;

use fmnist_train::{
    AugmentConfig, Augmenter, Examples, Moves, TrainConfig, Trainer, shift_and_flip,
};
use tch::nn::{self, Module};
use tch::{Device, Kind, Tensor};

fn on(max_shift: usize, flip: bool) -> AugmentConfig {
    AugmentConfig { enabled: true, max_shift, flip }
}

fn moves(dy: &[i64], dx: &[i64], flip: &[i64]) -> Moves {
    Moves { dy: Tensor::from_slice(dy), dx: Tensor::from_slice(dx), flip: Tensor::from_slice(flip) }
}

/// `n` flattened 28x28 images, each black with one pixel of value 1 at `(row, col)`.
fn dots(points: &[(i64, i64)]) -> Tensor {
    let xs = Tensor::zeros([points.len() as i64, 28, 28], (Kind::Float, Device::Cpu));
    for (i, &(row, col)) in points.iter().enumerate() {
        let _ = xs.get(i as i64).get(row).get(col).fill_(1.0);
    }
    xs.view([-1, 784])
}

/// Where the single bright pixel of each image is, or `None` when it left the image.
fn positions(xs: &Tensor) -> Vec<Option<(i64, i64)>> {
    let images = xs.view([-1, 784]);
    (0..images.size()[0])
        .map(|i| {
            let image = images.get(i);
            if image.sum(Kind::Float).double_value(&[]) == 0.0 {
                return None;
            }
            let flat = image.argmax(0, false).int64_value(&[]);
            Some((flat / 28, flat % 28))
        })
        .collect()
}

#[test]
fn shifts_move_content_by_the_drawn_offsets_and_keep_the_shape() {
    let xs = dots(&[(10, 10), (10, 10), (0, 27), (5, 5)]);
    let moved = shift_and_flip(&xs, &moves(&[2, -3, 0, 1], &[-1, 4, 1, 0], &[0, 0, 0, 0])).unwrap();
    assert_eq!(moved.size(), [4, 784]);
    // Down 2 and left 1; up 3 and right 4; the corner pixel pushed out on the right;
    // down 1.
    assert_eq!(positions(&moved), [Some((12, 9)), Some((7, 14)), None, Some((6, 5))]);
    // Nothing is created: every image still holds its one pixel (or nothing).
    assert_eq!(moved.sum(Kind::Float).double_value(&[]), 3.0);
}

#[test]
fn flips_mirror_columns_before_shifting() {
    let xs = dots(&[(3, 2), (3, 2), (20, 0)]);
    let moved = shift_and_flip(&xs, &moves(&[0, 0, -1], &[0, 0, 2], &[1, 0, 1])).unwrap();
    // Column c becomes 27 - c; then the third moves up 1 and right 2 (27 + 2 leaves).
    assert_eq!(positions(&moved), [Some((3, 25)), Some((3, 2)), None]);
}

#[test]
fn channels_and_three_dimensional_batches_keep_their_shape() {
    let xs = Tensor::rand([2, 3, 6, 5], (Kind::Float, Device::Cpu));
    let moved = shift_and_flip(&xs, &moves(&[1, 0], &[0, 0], &[0, 1])).unwrap();
    assert_eq!(moved.size(), [2, 3, 6, 5]);
    // First image moved down one row, all channels alike: row 0 is empty, rows shift.
    let first = moved.get(0);
    assert_eq!(first.narrow(1, 0, 1).abs().sum(Kind::Float).double_value(&[]), 0.0);
    assert!(first.narrow(1, 1, 5).equal(&xs.get(0).narrow(1, 0, 5)));
    // Second image mirrored: columns reversed.
    assert!(moved.get(1).equal(&xs.get(1).flip([2])));
    let plain = Tensor::rand([2, 6, 5], (Kind::Float, Device::Cpu));
    let moved = shift_and_flip(&plain, &moves(&[0, 0], &[0, 0], &[0, 0])).unwrap();
    assert!(moved.equal(&plain));
}

#[test]
fn same_seed_same_draws_and_another_seed_other_draws() {
    let draw = |seed| {
        let mut augmenter = Augmenter::new(&on(2, true), seed);
        let first = augmenter.draw(64).unwrap();
        let second = augmenter.draw(64).unwrap();
        Tensor::cat(&[first.dy, first.dx, first.flip, second.dy], 0)
    };
    assert!(draw(7).equal(&draw(7)));
    assert!(!draw(7).equal(&draw(8)));
    let all = draw(7);
    assert_eq!(all.min().int64_value(&[]), -2);
    assert_eq!(all.max().int64_value(&[]), 2);
}

#[test]
fn draws_cover_the_range_and_flip_only_when_asked() {
    let mut augmenter = Augmenter::new(&on(3, false), 1);
    let drawn = augmenter.draw(4000).unwrap();
    let counts = (drawn.dx.shallow_clone() + 3).bincount::<Tensor>(None, 7);
    let counts = Vec::<i64>::try_from(&counts).unwrap();
    assert!(counts.iter().all(|&c| (450..=700).contains(&c)), "{counts:?}");
    assert_eq!(drawn.flip.abs().sum(Kind::Int64).int64_value(&[]), 0);
    let mut augmenter = Augmenter::new(&on(0, true), 1);
    let drawn = augmenter.draw(4000).unwrap();
    let flips = drawn.flip.sum(Kind::Int64).int64_value(&[]);
    assert!((1800..=2200).contains(&flips), "{flips} flips of 4000");
    assert_eq!(drawn.dy.abs().sum(Kind::Int64).int64_value(&[]), 0);
}

#[test]
fn disabled_augmentation_returns_the_batch_unchanged() {
    let xs = Tensor::rand([8, 784], (Kind::Float, Device::Cpu));
    let mut augmenter = Augmenter::new(&AugmentConfig::default(), 3);
    assert!(!AugmentConfig::default().enabled, "augmentation is opt-in");
    assert!(augmenter.apply(&xs).unwrap().equal(&xs));
    let mut augmenter = Augmenter::new(&on(2, true), 3);
    let moved = augmenter.apply(&xs).unwrap();
    assert_eq!(moved.size(), [8, 784]);
    assert!(!moved.equal(&xs));
}

#[test]
fn shifts_as_large_as_the_image_and_odd_shapes_are_refused() {
    let mut augmenter = Augmenter::new(&on(28, false), 3);
    let error = augmenter.apply(&Tensor::rand([2, 784], (Kind::Float, Device::Cpu))).unwrap_err();
    assert!(error.to_string().contains("train.augment.max_shift"), "{error}");
    let mut augmenter = Augmenter::new(&on(1, false), 3);
    let error = augmenter.apply(&Tensor::rand([2, 783], (Kind::Float, Device::Cpu))).unwrap_err();
    assert!(error.to_string().contains("[2, 783]"), "{error}");
    assert!(augmenter.draw(-1).is_err());
    let error = Augmenter::new(&on(usize::MAX, true), 3).draw(4).unwrap_err();
    assert!(error.to_string().contains("train.augment.max_shift"), "{error}");
}

/// A linear model over 784 pixels that records the input of every forward pass and whether
/// it was a training pass.
#[derive(Debug)]
struct Recording {
    layer: nn::Linear,
    seen: Mutex<Vec<(bool, Tensor)>>,
}

impl nn::ModuleT for Recording {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        self.seen.lock().unwrap().push((train, xs.detach().copy()));
        self.layer.forward(xs)
    }
}

#[test]
fn training_batches_are_augmented_and_validation_never_is() {
    let (xs, ys) = (
        Tensor::rand([64, 784], (Kind::Float, Device::Cpu)),
        Tensor::zeros([64], (Kind::Int64, Device::Cpu)),
    );
    let (vx, vy) = (
        Tensor::rand([32, 784], (Kind::Float, Device::Cpu)),
        Tensor::zeros([32], (Kind::Int64, Device::Cpu)),
    );
    let vs = nn::VarStore::new(Device::Cpu);
    let model = Recording {
        layer: nn::linear(vs.root() / "fc", 784, 10, Default::default()),
        seen: Mutex::new(Vec::new()),
    };
    let config =
        TrainConfig { epochs: 2, batch_size: 64, augment: on(2, true), ..Default::default() };
    let trainer = Trainer::new(&model, &vs, &config).shuffle_seed(1).augment_seed(2);
    trainer
        .fit(Examples { xs: &xs, ys: &ys }, Examples { xs: &vx, ys: &vy }, &mut |_| Ok(()))
        .unwrap();
    let seen = model.seen.lock().unwrap();
    let (training, evaluation): (Vec<_>, Vec<_>) = seen.iter().partition(|(train, _)| *train);
    assert_eq!((training.len(), evaluation.len()), (2, 2));
    for (_, batch) in &evaluation {
        assert!(batch.equal(&vx), "validation rows reach the model untouched");
    }
    // A training batch is all 64 rows in some order: augmented, its pixel total differs
    // from the plain rows' total (zeros shifted in, edges shifted out).
    let plain_total = xs.sum(Kind::Double).double_value(&[]);
    for (_, batch) in &training {
        let total = batch.sum(Kind::Double).double_value(&[]);
        assert!((total - plain_total).abs() > 1.0, "augmented total {total} vs {plain_total}");
    }
}
