//! The arithmetic floor of an MLP epoch on this machine, measured with the same kernels.
//!
//! [`epoch_floor`] runs only the matrix products an epoch of the MLP needs (forward, weight
//! gradient and input gradient of every dense layer at the training batch size, then the
//! validation forward pass in evaluation chunks), on random data of the right shapes. No
//! loop built on libtorch's fp32 matmul can finish an epoch faster, whatever it does around
//! the products. [`sgemm_gflops`] is the rate of one large square product: the ceiling the
//! BLAS reaches on this CPU with the current thread count, to set against the nominal peak.

use std::time::Instant;

use tch::{Device, Kind, Tensor};

/// Seconds for the matrix products of one epoch: `train_rows` rows in batches of `batch`,
/// then `validation_rows` rows in chunks of `eval_chunk`, through dense layers of `widths`
/// (input first). Best of `repeats`, since the products are deterministic and anything
/// slower is interference. The operands are allocated once and reused, so they are warm in
/// cache: if anything, the floor comes out low.
pub fn epoch_floor(
    widths: &[i64],
    train_rows: i64,
    batch: i64,
    validation_rows: i64,
    eval_chunk: i64,
    repeats: usize,
) -> f64 {
    let mut steps = vec![batch; (train_rows / batch) as usize];
    steps.extend((train_rows % batch > 0).then_some(train_rows % batch));
    let eval_chunk = eval_chunk.max(1);
    let mut chunks = vec![eval_chunk; (validation_rows / eval_chunk) as usize];
    chunks.extend((validation_rows % eval_chunk > 0).then_some(validation_rows % eval_chunk));
    let operands = |rows: i64| Operands::new(widths, rows);
    let (train_full, train_last) = (operands(batch), operands(train_rows % batch));
    let (eval_full, eval_last) = (operands(eval_chunk), operands(validation_rows % eval_chunk));
    let timed = || {
        let started = Instant::now();
        for &rows in &steps {
            if rows == batch { train_full.train_step() } else { train_last.train_step() }
        }
        for &rows in &chunks {
            if rows == eval_chunk { eval_full.forward() } else { eval_last.forward() }
        }
        started.elapsed().as_secs_f64()
    };
    (0..repeats.max(1)).map(|_| timed()).fold(f64::INFINITY, f64::min)
}

/// Per dense layer: an input batch, the weight, the bias and an output gradient.
struct Operands {
    layers: Vec<[Tensor; 4]>,
}

impl Operands {
    fn new(widths: &[i64], rows: i64) -> Operands {
        let filled = |shape: &[i64]| Tensor::rand(shape, (Kind::Float, Device::Cpu));
        let layers = widths
            .windows(2)
            .map(|pair| {
                let (fan_in, fan_out) = (pair[0], pair[1]);
                let rows = rows.max(1);
                [
                    filled(&[rows, fan_in]),
                    filled(&[fan_out, fan_in]),
                    filled(&[fan_out]),
                    filled(&[rows, fan_out]),
                ]
            })
            .collect();
        Operands { layers }
    }

    /// Forward, weight-gradient and input-gradient products of one batch (the first layer's
    /// input needs no gradient), as `Linear` and its backward pass compute them.
    fn train_step(&self) {
        for (index, [x, w, b, grad_out]) in self.layers.iter().enumerate() {
            let _forward = b.addmm(x, &w.tr());
            let _grad_w = grad_out.tr().mm(x);
            if index > 0 {
                let _grad_x = grad_out.mm(w);
            }
        }
    }

    fn forward(&self) {
        for [x, w, b, _] in &self.layers {
            let _forward = b.addmm(x, &w.tr());
        }
    }
}

/// GFLOP/s of a `size` x `size` x `size` fp32 product, best of `repeats`.
pub fn sgemm_gflops(size: i64, repeats: usize) -> f64 {
    let a = Tensor::rand([size, size], (Kind::Float, Device::Cpu));
    let b = Tensor::rand([size, size], (Kind::Float, Device::Cpu));
    let _warm = a.mm(&b);
    let best = (0..repeats.max(1))
        .map(|_| {
            let started = Instant::now();
            let _product = a.mm(&b);
            started.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    2.0 * (size as f64).powi(3) / best / 1e9
}
