//! Copies of a model's variables, to restore the best epoch.

use std::collections::HashMap;

use tch::{Tensor, nn};

/// A deep copy of every variable of a [`nn::VarStore`], trainable or not (batch-norm
/// running statistics included, as Keras' `get_weights` includes them).
#[derive(Debug)]
pub struct Snapshot {
    tensors: HashMap<String, Tensor>,
}

impl Snapshot {
    /// Copies the current values.
    pub fn take(vs: &nn::VarStore) -> Snapshot {
        let tensors = tch::no_grad(|| {
            vs.variables().into_iter().map(|(name, t)| (name, t.detach().copy())).collect()
        });
        Snapshot { tensors }
    }

    /// Writes the copied values back into the same store.
    pub fn restore(&self, vs: &nn::VarStore) {
        tch::no_grad(|| {
            for (name, mut var) in vs.variables() {
                if let Some(saved) = self.tensors.get(&name) {
                    var.copy_(saved);
                }
            }
        });
    }
}
