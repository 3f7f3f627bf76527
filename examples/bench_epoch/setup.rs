//! Data and configs for the bench: the official files, split and turned into tensors, and
//! the `[model]` / `[train]` sections of a config file.

use std::path::Path;

use anyhow::Context;
use fmnist_data::{DataOptions, Dataset, IMAGE_PIXELS};
use fmnist_model::ModelConfig;
use fmnist_train::{Examples, TrainConfig};
use tch::{Kind, Tensor};

use crate::Common;

/// Seed of the train/validation split (speed does not depend on which rows are held out).
const SPLIT_SEED: u64 = 42;

/// Images as a float tensor `[n, 784]` and labels as int64 `[n]`.
pub struct TensorSet {
    pub xs: Tensor,
    pub ys: Tensor,
}

impl TensorSet {
    fn new(data: &Dataset) -> anyhow::Result<TensorSet> {
        let n = data.len() as i64;
        let xs = Tensor::f_from_slice(&data.images)?.f_view([n, IMAGE_PIXELS as i64])?;
        let ys = Tensor::f_from_slice(&data.labels)?.f_to_kind(Kind::Int64)?;
        Ok(TensorSet { xs, ys })
    }

    pub fn examples(&self) -> Examples<'_> {
        Examples { xs: &self.xs, ys: &self.ys }
    }

    pub fn len(&self) -> usize {
        self.ys.size()[0] as usize
    }
}

/// Everything a timed fit needs.
pub struct TrainRows {
    pub model: ModelConfig,
    pub train: TrainConfig,
    pub train_set: TensorSet,
    pub validation_set: TensorSet,
    pub test_set: TensorSet,
}

/// What [`prepare`] found: ready to time, or a reason to skip (a model kind this build of
/// `fmnist-model` does not know, or a missing config file).
pub enum Prepared {
    Ready(Box<TrainRows>),
    Skipped(String),
}

/// Reads the config and the data, splits and subsets the rows.
pub fn prepare(common: &Common) -> anyhow::Result<Prepared> {
    let (model, train) = match read_config(&common.config) {
        Ok(sections) => sections,
        Err(error) => return Ok(Prepared::Skipped(format!("{error:#}"))),
    };
    let options = DataOptions { path: Some(common.data.clone()), ..DataOptions::default() };
    let data = fmnist_data::load(&options).with_context(|| {
        format!("loading the four official files from {}", common.data.display())
    })?;
    let split = fmnist_data::stratified_split(&data.train.labels, 0.1, SPLIT_SEED)?;
    let train_rows = first(&split.train, common.train_rows);
    let validation_rows = first(&split.validation, common.validation_rows);
    Ok(Prepared::Ready(Box::new(TrainRows {
        model,
        train,
        train_set: TensorSet::new(&data.train.select(train_rows))?,
        validation_set: TensorSet::new(&data.train.select(validation_rows))?,
        test_set: TensorSet::new(&data.test)?,
    })))
}

/// The first `limit` indices (all of them when `limit` is 0 or too large).
fn first(indices: &[usize], limit: usize) -> &[usize] {
    if limit == 0 { indices } else { &indices[..limit.min(indices.len())] }
}

/// The `[model]` and `[train]` sections of a config file (defaults where absent); an error
/// when the file is missing or names a model kind this build does not know.
fn read_config(path: &Path) -> anyhow::Result<(ModelConfig, TrainConfig)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("config {} not found", path.display()))?;
    let mut table: toml::Table =
        toml::from_str(&text).with_context(|| format!("{} is not TOML", path.display()))?;
    let model: ModelConfig = match table.remove("model") {
        Some(value) => value.try_into().with_context(|| {
            format!("the [model] section of {} does not fit this build", path.display())
        })?,
        None => ModelConfig::default(),
    };
    let train: TrainConfig = match table.remove("train") {
        Some(value) => value.try_into().with_context(|| {
            format!("the [train] section of {} does not fit this build", path.display())
        })?,
        None => TrainConfig::default(),
    };
    model.validate()?;
    Ok((model, train))
}

/// This process's peak resident set (`VmHWM`), in KiB; 0 where `/proc` does not say.
pub fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
