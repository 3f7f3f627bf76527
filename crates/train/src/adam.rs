//! Adam with Keras' update rule, one memory pass per variable on the CPU.
//!
//! Keras 3 updates each variable `p` with gradient `g` at step `t` (1-based) as
//!
//! ```text
//! m     += (g - m) * (1 - beta1)
//! v     += (g * g - v) * (1 - beta2)
//! alpha  = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
//! p     -= (m * alpha) / (sqrt(v) + epsilon)
//! ```
//!
//! which differs from PyTorch's Adam (and tch's `nn::Adam`) only in where `epsilon` enters:
//! Keras adds it to `sqrt(v)` before the bias correction, PyTorch after. The two steps differ
//! by about `epsilon * sqrt(1 - beta2^t) / |g|` relative: negligible for gradients far above
//! epsilon, and fading as `t` grows.
//!
//! libtorch's C++ Adam makes eight passes over each variable per step (plus one to zero the
//! gradient), and the fused kernel libtorch has (`_fused_adam_`) has no tch binding. With one
//! thread that was about 11 % of a baseline-MLP epoch. [`Adam::step`] reads each gradient
//! once, updates both moments and the variable in the same loop, and zeroes the gradient on
//! the way out. Tensors off the CPU, or in a layout the loop cannot take, go through the same
//! formula written with tch ops instead.

use tch::{Device, Kind, Tensor, nn};

use crate::{AdamConfig, Result};

/// One trainable variable with its first and second moment estimates.
struct Slot {
    var: Tensor,
    m: Tensor,
    v: Tensor,
}

/// Adam over every trainable variable of a [`nn::VarStore`], Keras' update rule.
///
/// [`Adam::step`] consumes the gradients: each is zero afterwards, so the next
/// `backward()` starts clean. Gradients present when the optimiser is built are zeroed too.
///
/// Two rules for callers, as for any in-place update of the variables (the CPU fast path
/// writes their memory directly):
/// - no other thread may use the store's tensors during a step;
/// - step only after the backward pass has released its graph: the direct writes do not
///   bump libtorch's version counters, so a graph that saved a variable and is used later
///   would not notice the change (the usual `loss.backward()` then `step()` is fine).
pub struct Adam {
    slots: Vec<Slot>,
    learning_rate: f64,
    beta1: f64,
    beta2: f64,
    epsilon: f64,
    steps: i32,
}

impl std::fmt::Debug for Adam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Adam")
            .field("variables", &self.slots.len())
            .field("learning_rate", &self.learning_rate)
            .field("steps", &self.steps)
            .finish()
    }
}

impl Adam {
    /// Zeroed moments for each trainable variable of `vs` (in the store's order).
    pub fn new(vs: &nn::VarStore, config: &AdamConfig) -> Result<Adam> {
        let slots = tch::no_grad(|| {
            vs.trainable_variables()
                .into_iter()
                .map(|mut var| {
                    var.zero_grad();
                    let m = var.f_zeros_like()?;
                    let v = var.f_zeros_like()?;
                    Ok(Slot { var, m, v })
                })
                .collect::<Result<Vec<_>>>()
        })?;
        Ok(Adam {
            slots,
            learning_rate: config.learning_rate,
            beta1: config.beta1,
            beta2: config.beta2,
            epsilon: config.epsilon,
            steps: 0,
        })
    }

    /// The rate the next step will use.
    pub fn learning_rate(&self) -> f64 {
        self.learning_rate
    }

    /// Sets the rate for the following steps.
    pub fn set_learning_rate(&mut self, learning_rate: f64) {
        self.learning_rate = learning_rate;
    }

    /// Steps taken so far.
    pub fn steps(&self) -> i32 {
        self.steps
    }

    /// Back-propagates `loss`, then [`Adam::step`]s.
    pub fn backward_step(&mut self, loss: &Tensor) -> Result<()> {
        loss.f_backward()?;
        self.step()
    }

    /// Applies one update from the current gradients and zeroes them. A variable without a
    /// gradient (not reached by the last backward pass) is left as it is.
    pub fn step(&mut self) -> Result<()> {
        self.steps += 1;
        let t = f64::from(self.steps);
        let alpha =
            self.learning_rate * (1.0 - self.beta2.powf(t)).sqrt() / (1.0 - self.beta1.powf(t));
        let rule =
            Rule { keep1: 1.0 - self.beta1, keep2: 1.0 - self.beta2, alpha, epsilon: self.epsilon };
        tch::no_grad(|| {
            for slot in &mut self.slots {
                let mut grad = slot.var.grad();
                if !grad.defined() {
                    continue;
                }
                if !host::update(&rule, slot, &grad) {
                    rule.apply_with_ops(slot, &grad)?;
                    _ = grad.f_zero_()?;
                }
            }
            Ok(())
        })
    }
}

/// The scalars of one step.
struct Rule {
    /// `1 - beta1`: how far `m` moves towards the gradient.
    keep1: f64,
    /// `1 - beta2`: how far `v` moves towards the squared gradient.
    keep2: f64,
    /// The bias-corrected step size.
    alpha: f64,
    epsilon: f64,
}

impl Rule {
    /// The update with tch ops, for any device and layout.
    fn apply_with_ops(&self, slot: &mut Slot, grad: &Tensor) -> Result<()> {
        _ = slot.m.f_add_(&grad.f_sub(&slot.m)?.f_mul_scalar(self.keep1)?)?;
        _ = slot.v.f_add_(&grad.f_square()?.f_sub(&slot.v)?.f_mul_scalar(self.keep2)?)?;
        let denominator = slot.v.f_sqrt()?.f_add_scalar(self.epsilon)?;
        let update = slot.m.f_mul_scalar(self.alpha)?.f_div(&denominator)?;
        _ = slot.var.f_sub_(&update)?;
        Ok(())
    }

    /// The update over plain slices, zeroing `grad` as it goes: one pass, `f32` arithmetic
    /// in Keras' order.
    fn apply(&self, var: &mut [f32], grad: &mut [f32], m: &mut [f32], v: &mut [f32]) {
        let (keep1, keep2) = (self.keep1 as f32, self.keep2 as f32);
        let (alpha, epsilon) = (self.alpha as f32, self.epsilon as f32);
        let rows = var.iter_mut().zip(grad.iter_mut()).zip(m.iter_mut()).zip(v.iter_mut());
        for (((p, g), m), v) in rows {
            let g = std::mem::take(g);
            *m += (g - *m) * keep1;
            *v += (g * g - *v) * keep2;
            *p -= (*m * alpha) / (v.sqrt() + epsilon);
        }
    }
}

/// The CPU fast path: the four tensors of a slot seen as `f32` slices.
mod host {
    #![allow(unsafe_code)]

    use super::*;

    /// Runs [`Rule::apply`] on the slot's memory (zeroing `grad`) when every tensor is a
    /// contiguous `f32` CPU tensor of the same length and no two of them overlap; returns
    /// false (and touches nothing) otherwise.
    pub(super) fn update(rule: &Rule, slot: &mut Slot, grad: &Tensor) -> bool {
        let tensors = [&slot.var, grad, &slot.m, &slot.v];
        let n = slot.var.numel();
        let eligible = tensors.iter().all(|t| {
            t.device() == Device::Cpu
                && !t.is_sparse()
                && t.kind() == Kind::Float
                && t.is_contiguous()
                && t.numel() == n
        });
        if !eligible || n == 0 {
            return false;
        }
        let ranges = tensors.map(|t| {
            let start = t.data_ptr() as usize;
            start..start + n * std::mem::size_of::<f32>()
        });
        for (i, a) in ranges.iter().enumerate() {
            for b in &ranges[i + 1..] {
                if a.start < b.end && b.start < a.end {
                    return false;
                }
            }
        }
        let [var, grad, m, v] = tensors.map(|t| t.data_ptr().cast::<f32>());
        // SAFETY: each pointer is the start of a contiguous CPU buffer of `n` f32 values
        // (checked above; `data_ptr` includes the storage offset, and libtorch's allocations
        // are aligned for f32), owned by a tensor that outlives this call. The four byte
        // ranges are disjoint (checked above), so the four exclusive slices do not alias.
        // CPU ops in libtorch are synchronous, so none of this thread's is still running on
        // them; other threads must leave the store alone during a step (the rule in
        // [`Adam`]'s docs, which this code cannot check).
        let (var, grad, m, v) = unsafe {
            (
                std::slice::from_raw_parts_mut(var, n),
                std::slice::from_raw_parts_mut(grad, n),
                std::slice::from_raw_parts_mut(m, n),
                std::slice::from_raw_parts_mut(v, n),
            )
        };
        rule.apply(var, grad, m, v);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keras' Adam in f64 on plain vectors: the reference the optimiser must follow.
    fn keras_reference(p: &mut [f64], grads: &[Vec<f64>], config: &AdamConfig) {
        let (mut m, mut v) = (vec![0.0; p.len()], vec![0.0; p.len()]);
        for (step, g) in grads.iter().enumerate() {
            let t = (step + 1) as f64;
            let alpha = config.learning_rate * (1.0 - config.beta2.powf(t)).sqrt()
                / (1.0 - config.beta1.powf(t));
            for i in 0..p.len() {
                m[i] += (g[i] - m[i]) * (1.0 - config.beta1);
                v[i] += (g[i] * g[i] - v[i]) * (1.0 - config.beta2);
                p[i] -= m[i] * alpha / (v[i].sqrt() + config.epsilon);
            }
        }
    }

    /// Sets `var`'s gradient to `values` by back-propagating `sum(var * values)`.
    fn set_grad(var: &Tensor, values: &[f64]) {
        let values = Tensor::from_slice(values).to_kind(Kind::Float).view(var.size().as_slice());
        (var * values).sum(Kind::Float).backward();
    }

    fn grads(steps: usize, n: usize) -> Vec<Vec<f64>> {
        (0..steps)
            .map(|s| (0..n).map(|i| ((s * 7 + i * 3) % 11) as f64 / 5.0 - 1.0).collect())
            .collect()
    }

    #[test]
    fn the_fused_cpu_path_follows_keras_update_rule() {
        let config = AdamConfig { learning_rate: 0.01, epsilon: 1e-3, ..AdamConfig::default() };
        let vs = nn::VarStore::new(Device::Cpu);
        let start: Vec<f64> = (0..12).map(|i| i as f64 / 10.0 - 0.5).collect();
        let init = Tensor::from_slice(&start).to_kind(Kind::Float).view([3, 4]);
        let var = vs.root().var_copy("w", &init);
        let mut adam = Adam::new(&vs, &config).unwrap();
        let steps = grads(5, 12);
        for g in &steps {
            set_grad(&var, g);
            adam.step().unwrap();
            let leftover = var.grad().abs().sum(Kind::Float).double_value(&[]);
            assert_eq!(leftover, 0.0, "step() must zero the gradient");
        }
        let got = Vec::<f64>::try_from(var.to_kind(Kind::Double).flatten(0, -1)).unwrap();
        let mut want = start.clone();
        keras_reference(&mut want, &steps, &config);
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-6, "got {g}, Keras' rule gives {w}");
        }
        // Steps of up to 0.01 each moved the variables (the reference agreeing with an
        // optimiser that did nothing would prove nothing).
        let moved: f64 = got.iter().zip(&start).map(|(g, s)| (g - s).abs()).sum();
        assert!(moved > 0.1, "total movement {moved}");
    }

    #[test]
    fn the_tch_ops_path_takes_strided_tensors_and_gives_the_same_result() {
        let config = AdamConfig { learning_rate: 0.01, epsilon: 1e-3, ..AdamConfig::default() };
        let start: Vec<f64> = (0..12).map(|i| i as f64 / 10.0 - 0.5).collect();
        // Transposed views are not contiguous, so the fast path must decline them.
        let var = Tensor::from_slice(&start).to_kind(Kind::Float).view([4, 3]).tr();
        let zeros = || Tensor::zeros([4, 3], (Kind::Float, Device::Cpu)).tr();
        let mut slot = Slot { var, m: zeros(), v: zeros() };
        let steps = grads(5, 12);
        for (t, g) in steps.iter().enumerate() {
            let grad = Tensor::from_slice(g).to_kind(Kind::Float).view([4, 3]).tr();
            let t = t as i32 + 1;
            let alpha = config.learning_rate * (1.0 - config.beta2.powi(t)).sqrt()
                / (1.0 - config.beta1.powi(t));
            let rule = Rule {
                keep1: 1.0 - config.beta1,
                keep2: 1.0 - config.beta2,
                alpha,
                epsilon: config.epsilon,
            };
            assert!(!host::update(&rule, &mut slot, &grad));
            rule.apply_with_ops(&mut slot, &grad).unwrap();
        }
        let flat = slot.var.tr().contiguous().to_kind(Kind::Double).flatten(0, -1);
        let got = Vec::<f64>::try_from(flat).unwrap();
        let mut want = start;
        keras_reference(&mut want, &steps, &config);
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-6, "got {g}, Keras' rule gives {w}");
        }
    }

    #[test]
    fn variables_without_a_gradient_stay_put_and_the_rate_can_change() {
        let vs = nn::VarStore::new(Device::Cpu);
        let used = vs.root().var_copy("used", &Tensor::from_slice(&[1.0f32, 2.0]));
        let unused = vs.root().var_copy("unused", &Tensor::from_slice(&[3.0f32]));
        let mut adam = Adam::new(&vs, &AdamConfig::default()).unwrap();
        adam.set_learning_rate(0.5);
        assert_eq!(adam.learning_rate(), 0.5);
        adam.backward_step(&used.sum(Kind::Float)).unwrap();
        assert_eq!(adam.steps(), 1);
        // First Keras step with g = 1: m = 0.1, v = 0.001, alpha = 0.5 * sqrt(0.001) / 0.1,
        // so the update is 0.5 * sqrt(0.001) / (sqrt(0.001) + 1e-7), just under 0.5.
        let moved = Vec::<f32>::try_from(&used).unwrap();
        let step = 0.5 * 0.001f64.sqrt() / (0.001f64.sqrt() + 1e-7);
        assert!((f64::from(moved[0]) - (1.0 - step)).abs() < 1e-6, "{moved:?}");
        assert!((f64::from(moved[1]) - (2.0 - step)).abs() < 1e-6, "{moved:?}");
        assert_eq!(Vec::<f32>::try_from(&unused).unwrap(), vec![3.0]);
    }
}
