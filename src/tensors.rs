//! Plain data from [`fmnist_data`] to libtorch tensors.

use fmnist_data::{Dataset, IMAGE_PIXELS};
use tch::{Kind, Tensor};

/// Images as a float tensor `[n, 784]` and labels as int64 `[n]`.
#[derive(Debug)]
pub struct TensorSet {
    /// Inputs.
    pub xs: Tensor,
    /// Class indices.
    pub ys: Tensor,
}

impl TensorSet {
    /// Copies a dataset into tensors.
    pub fn from_dataset(data: &Dataset) -> anyhow::Result<TensorSet> {
        let n = data.len() as i64;
        let xs = Tensor::f_from_slice(&data.images)?.f_view([n, IMAGE_PIXELS as i64])?;
        let ys = Tensor::f_from_slice(&data.labels)?.f_to_kind(Kind::Int64)?;
        Ok(TensorSet { xs, ys })
    }

    /// The pair as [`fmnist_train::Examples`].
    pub fn examples(&self) -> fmnist_train::Examples<'_> {
        fmnist_train::Examples { xs: &self.xs, ys: &self.ys }
    }
}
