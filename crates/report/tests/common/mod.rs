//! A synthetic but realistic run: Fashion-MNIST class names, a 20-epoch history with two
//! learning-rate reductions, over-confident logits with the dataset's typical confusions,
//! and simple class-shaped images. Deterministic (seeded), so figures are the same each run.

#![allow(dead_code)]

use fmnist_report::{EpochRecord, IMAGE_PIXELS, IMAGE_SIDE, ReportInput};

/// The Fashion-MNIST classes in label order.
pub const CLASS_NAMES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// Pairs of classes the synthetic model mixes up, as the real one does.
const LOOKALIKES: [(usize, usize, f64); 5] =
    [(0, 6, 2.6), (2, 4, 2.4), (4, 6, 2.0), (7, 9, 1.6), (5, 7, 1.2)];

/// Owned data behind a [`ReportInput`].
pub struct Sample {
    pub history: Vec<EpochRecord>,
    pub best_epoch: usize,
    pub test_labels: Vec<u8>,
    pub test_logits: Vec<f32>,
    pub test_images: Vec<f32>,
    pub val_labels: Vec<u8>,
    pub val_logits: Vec<f32>,
    pub summary: Vec<(String, String)>,
}

impl Sample {
    /// A run with `n_test` test and `n_val` validation samples.
    pub fn new(n_test: usize, n_val: usize) -> Self {
        let mut rng = SplitMix(7);
        let (test_labels, test_logits) = logits(&mut rng, n_test);
        let (val_labels, val_logits) = logits(&mut rng, n_val);
        let test_images = test_labels.iter().flat_map(|&label| image(&mut rng, label)).collect();
        let summary = [
            ("model", "mlp 784-256-128-10, batch norm, dropout 0.2"),
            ("optimiser", "Adam, lr 1e-3, batch 256"),
            ("epochs run", "20 of 20"),
            ("training time", "24.1 s"),
        ];
        Sample {
            history: history(),
            best_epoch: 18,
            test_labels,
            test_logits,
            test_images,
            val_labels,
            val_logits,
            summary: summary.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    /// Borrows the data as a report input for model `model_name`.
    pub fn input<'a>(&'a self, model_name: &'a str) -> ReportInput<'a> {
        ReportInput {
            model_name,
            class_names: &CLASS_NAMES,
            history: &self.history,
            best_epoch: self.best_epoch,
            test_labels: &self.test_labels,
            test_logits: &self.test_logits,
            test_images: &self.test_images,
            val_labels: &self.val_labels,
            val_logits: &self.val_logits,
            summary: &self.summary,
        }
    }
}

/// Twenty epochs: losses fall and flatten, the rate halves after epochs 11 and 16.
fn history() -> Vec<EpochRecord> {
    (1..=20)
        .map(|epoch| {
            let t = epoch as f64;
            let rate = match epoch {
                1..=11 => 1e-3,
                12..=16 => 5e-4,
                _ => 2.5e-4,
            };
            let wobble = if epoch % 3 == 0 && epoch != 18 { 0.006 } else { -0.002 };
            EpochRecord {
                epoch,
                train_loss: 0.26 + 0.34 * (-t / 4.0).exp(),
                train_accuracy: 0.905 - 0.10 * (-t / 4.0).exp(),
                val_loss: 0.30 + 0.16 * (-t / 3.5).exp() + wobble
                    - if epoch == 18 { 0.006 } else { 0.0 },
                val_accuracy: 0.893 - 0.06 * (-t / 3.5).exp() - wobble,
                learning_rate: rate,
                seconds: 1.2,
            }
        })
        .collect()
}

/// Balanced labels and over-confident logits with look-alike confusions.
fn logits(rng: &mut SplitMix, n: usize) -> (Vec<u8>, Vec<f32>) {
    let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
    let logits = labels
        .iter()
        .flat_map(|&label| {
            let mut row: Vec<f64> = (0..10).map(|_| rng.normal() * 1.3).collect();
            row[usize::from(label)] += 3.6;
            for &(a, b, boost) in &LOOKALIKES {
                if usize::from(label) == a {
                    row[b] += boost;
                }
                if usize::from(label) == b {
                    row[a] += boost;
                }
            }
            row.into_iter().map(|x| (x * 1.7) as f32).collect::<Vec<_>>()
        })
        .collect();
    (labels, logits)
}

/// A bright class-dependent silhouette with a little noise, values in [0, 1].
fn image(rng: &mut SplitMix, label: u8) -> Vec<f32> {
    let side = IMAGE_SIDE as f64;
    let (half_width, top, bottom) = match label {
        1 => (5.0, 2.0, 26.0),
        3 => (7.0, 2.0, 26.0),
        5 | 7 | 9 => (11.0, 12.0, 22.0),
        8 => (10.0, 7.0, 23.0),
        _ => (10.0, 3.0, 25.0),
    };
    (0..IMAGE_PIXELS)
        .map(|p| {
            let (row, column) = ((p / IMAGE_SIDE) as f64, (p % IMAGE_SIDE) as f64);
            let inside = (column - side / 2.0).abs() < half_width && row > top && row < bottom;
            let base = if inside { 0.55 + 0.03 * f64::from(label) } else { 0.0 };
            (base + 0.08 * rng.uniform()).min(1.0) as f32
        })
        .collect()
}

/// SplitMix64, enough randomness for fixtures.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal by Box-Muller.
    fn normal(&mut self) -> f64 {
        let u = self.uniform().max(1e-12);
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * self.uniform()).cos()
    }
}
