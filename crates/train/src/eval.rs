//! Evaluation passes: eval mode, no gradients, in chunks.

use tch::{Kind, Tensor, nn};

use crate::Result;

/// Mean cross-entropy and accuracy over a set of rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// Mean cross-entropy on logits.
    pub loss: f64,
    /// Fraction of rows whose argmax equals the label.
    pub accuracy: f64,
}

/// Logits for every row of `xs`, computed `chunk` rows at a time in eval mode.
pub fn predict_logits(model: &dyn nn::ModuleT, xs: &Tensor, chunk: usize) -> Result<Tensor> {
    let n = xs.size().first().copied().unwrap_or(0);
    let chunk = chunk.max(1) as i64;
    let parts: Vec<Tensor> = tch::no_grad(|| {
        (0..n)
            .step_by(chunk as usize)
            .map(|start| {
                let len = chunk.min(n - start);
                model.forward_t(&xs.narrow(0, start, len), false)
            })
            .collect()
    });
    Ok(Tensor::f_cat(&parts, 0)?)
}

/// Loss and accuracy of `model` on `(xs, ys)`; `ys` holds int64 class indices.
pub fn evaluate(
    model: &dyn nn::ModuleT,
    xs: &Tensor,
    ys: &Tensor,
    chunk: usize,
) -> Result<Evaluation> {
    let logits = predict_logits(model, xs, chunk)?;
    Ok(Evaluation { loss: mean_loss(&logits, ys)?, accuracy: accuracy(&logits, ys)? })
}

pub(crate) fn mean_loss(logits: &Tensor, ys: &Tensor) -> Result<f64> {
    Ok(cross_entropy(logits, ys)?.f_double_value(&[])?)
}

/// Mean sparse categorical cross-entropy on logits (the fallible twin of tch's
/// `cross_entropy_for_logits`, so a label out of range is an error, not a panic).
pub(crate) fn cross_entropy(logits: &Tensor, ys: &Tensor) -> Result<Tensor> {
    let none: Option<&Tensor> = None;
    Ok(logits.f_cross_entropy_loss(ys, none, tch::Reduction::Mean, -100, 0.0)?)
}

pub(crate) fn accuracy(logits: &Tensor, ys: &Tensor) -> Result<f64> {
    let correct = logits.f_argmax(-1, false)?.f_eq_tensor(ys)?.f_to_kind(Kind::Double)?;
    Ok(correct.f_mean(Kind::Double)?.f_double_value(&[])?)
}
