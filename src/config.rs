//! The one config tree of a run: loaded from TOML, overridden by `--set key=value`, saved
//! resolved into the run folder and flattened into MLflow params.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

/// Every setting of a pipeline run. Each section belongs to the crate that uses it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Naming, seeding and where outputs go.
    pub run: RunConfig,
    /// Where the data comes from and how it is split.
    pub data: DataConfig,
    /// The network ([`fmnist_model`]).
    pub model: fmnist_model::ModelConfig,
    /// The fit ([`fmnist_train`]).
    pub train: fmnist_train::TrainConfig,
    /// Where the run is recorded ([`fmnist_tracking`]).
    pub tracking: TrackingConfig,
}

/// The `[run]` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// Prefix of run names; the run folder and MLflow run add the time and an id.
    pub name: String,
    /// The one seed; split, shuffling, initialisation and dropout get streams derived from it.
    pub seed: u64,
    /// Parent folder of run folders (relative to the working directory).
    pub out_dir: PathBuf,
    /// libtorch intra-op threads; 0 keeps libtorch's default (one per core).
    pub threads: usize,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig { name: "mlp".into(), seed: 42, out_dir: "runs".into(), threads: 0 }
    }
}

/// The `[data]` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DataConfig {
    /// An explicit source: a folder holding the four official files, or a pickle file in
    /// either of the reference's layouts (`dbfs:/...` paths are read through `dbfs_root`).
    /// Empty: `FASHION_MNIST_MIRROR`, then the cache, then the official download.
    pub path: String,
    /// Download cache. Empty: the user's cache folder.
    pub cache_dir: String,
    /// Base URL of the official distribution.
    pub base_url: String,
    /// Fraction of the training set held out for validation, stratified by class.
    pub validation_fraction: f64,
    /// Train on a stratified subset of about this many rows of the training split (quick
    /// runs, tests; each class's share is rounded, so 2005 gives 2010); 0 keeps the whole
    /// split. Validation and test sets stay whole.
    pub train_rows: usize,
    /// Where the Databricks file system is mounted: a `dbfs:/x` path is read as
    /// `<dbfs_root>/x`. Databricks clusters mount it at `/dbfs`.
    pub dbfs_root: String,
}

impl Default for DataConfig {
    fn default() -> Self {
        let defaults = fmnist_data::DataOptions::default();
        DataConfig {
            path: String::new(),
            cache_dir: String::new(),
            base_url: defaults.base_url,
            validation_fraction: 0.1,
            train_rows: 0,
            dbfs_root: defaults.dbfs_root.display().to_string(),
        }
    }
}

/// The `[tracking]` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrackingConfig {
    /// Record the run in MLflow at all.
    pub enabled: bool,
    /// Tracking URI. Empty: `MLFLOW_TRACKING_URI`, else the local store `mlruns/`.
    pub uri: String,
    /// MLflow experiment name.
    pub experiment: String,
}

impl Default for TrackingConfig {
    fn default() -> Self {
        TrackingConfig { enabled: true, uri: String::new(), experiment: "fashion-mnist".into() }
    }
}

impl Config {
    /// Reads `path` (or the built-in defaults when `None`) and applies `overrides`, each
    /// `section.key=value` with a TOML value (bare words are taken as strings).
    pub fn load(path: Option<&Path>, overrides: &[String]) -> anyhow::Result<Config> {
        let mut table = match path {
            Some(path) => read_table(path)?,
            None => toml::Table::new(),
        };
        let origin = path.map_or("the default config".to_owned(), |p| p.display().to_string());
        let mut config = from_table(table.clone()).with_context(|| format!("in {origin}"))?;
        // Types are checked after each `--set`, to name the one that broke them; ranges and
        // combinations once all are applied, so their order does not matter.
        for item in overrides {
            apply_override(&mut table, item)?;
            config = from_table(table.clone()).with_context(|| format!("--set {item}"))?;
        }
        let whole = if overrides.is_empty() {
            format!("in {origin}")
        } else {
            format!("in {origin} with the --set overrides")
        };
        config.check().with_context(|| whole)?;
        Ok(config)
    }

    /// Range checks serde cannot express.
    fn check(&self) -> anyhow::Result<()> {
        let fraction = self.data.validation_fraction;
        if !(fraction > 0.0 && fraction < 1.0) {
            bail!("data.validation_fraction is {fraction}, expected a fraction in (0, 1)");
        }
        let rows = self.data.train_rows;
        if rows != 0 && rows < fmnist_data::CLASS_NAMES.len() {
            bail!(
                "data.train_rows is {rows}, expected 0 (all rows) or at least 10 (one per class)"
            );
        }
        let threads = self.run.threads;
        if threads > MAX_THREADS {
            bail!(
                "run.threads is {threads}, expected 0 (one per core) or a count up to {MAX_THREADS}"
            );
        }
        let name = &self.run.name;
        let unsafe_char = |c: char| c == '/' || c == '\\' || c.is_control();
        if name.is_empty() || name.starts_with('.') || name.chars().any(unsafe_char) {
            bail!(
                "run.name is {name:?}, expected a folder name: not empty, not starting with '.', \
                 without '/', '\\' or control characters"
            );
        }
        self.model.validate()?;
        self.train.validate()?;
        Ok(())
    }

    /// One line naming the model and its main settings, for reports.
    pub fn essentials(&self) -> String {
        match self.model.kind {
            fmnist_model::ModelKind::Mlp => {
                let mlp = &self.model.mlp;
                format!(
                    "mlp: hidden {:?}, dropout {}, batch norm {}",
                    mlp.hidden, mlp.dropout, mlp.batch_norm
                )
            }
            fmnist_model::ModelKind::Cnn => {
                let cnn = &self.model.cnn;
                format!(
                    "cnn: blocks {:?}, dense {}, dropout {}/{}",
                    cnn.blocks, cnn.dense, cnn.block_dropout, cnn.dense_dropout
                )
            }
        }
    }

    /// The resolved config as TOML, as saved in the run folder.
    pub fn to_toml(&self) -> anyhow::Result<String> {
        Ok(toml::to_string_pretty(self)?)
    }

    /// `(dotted.key, value)` for every setting, as MLflow params. Only the chosen model's
    /// section is included.
    pub fn flatten(&self) -> anyhow::Result<Vec<(String, String)>> {
        let mut value = toml::Value::try_from(self)?;
        if let Some(model) = value.get_mut("model").and_then(toml::Value::as_table_mut) {
            let kind = self.model.kind.name();
            model.retain(|key, _| key == "kind" || key == kind);
        }
        let mut out = Vec::new();
        flatten_into("", &value, &mut out);
        Ok(out)
    }
}

fn read_table(path: &Path) -> anyhow::Result<toml::Table> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config file {}", path.display()))?;
    text.parse::<toml::Table>().with_context(|| format!("{} is not valid TOML", path.display()))
}

fn from_table(table: toml::Table) -> anyhow::Result<Config> {
    let deserializer = toml::Value::Table(table);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        // toml's own message would repeat the key path on a second line.
        let message = plain_types(error.into_inner().message());
        if path == "." {
            anyhow::anyhow!("{message}")
        } else {
            anyhow::anyhow!("`{path}`: {message}")
        }
    })
}

/// More libtorch threads than this is a typo, not a plan (libtorch crashes on huge counts).
const MAX_THREADS: usize = 1024;

/// serde names the expected Rust type (`expected usize`); say what that means in TOML.
fn plain_types(message: &str) -> String {
    let words = [
        ("expected usize", "expected a whole number >= 0"),
        ("expected u64", "expected a whole number >= 0"),
        ("expected u32", "expected a whole number >= 0"),
        ("expected i64", "expected a whole number"),
        ("expected i32", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected a list in square brackets"),
    ];
    let mut message = message.to_owned();
    for (rust, toml) in words {
        if let Some(rest) = message.strip_suffix(rust) {
            message = format!("{rest}{toml}");
        }
    }
    // `expected struct TrainConfig`: a section was given a plain value.
    if let Some(at) = message.find("expected struct ") {
        message.truncate(at);
        message.push_str("expected a table of settings (set its keys one by one: a.b.c=value)");
    }
    message
}

/// Sets `a.b.c=value` in `table`, creating missing tables (unknown keys are then refused
/// when the table is read as a [`Config`]).
fn apply_override(table: &mut toml::Table, item: &str) -> anyhow::Result<()> {
    let Some((key, raw)) = item.split_once('=') else {
        bail!("--set {item}: expected section.key=value");
    };
    let parts: Vec<&str> = key.trim().split('.').collect();
    if parts.iter().any(|part| part.is_empty()) {
        bail!("--set {item}: `{key}` is not a dotted key like train.epochs");
    }
    let mut current = table;
    for part in &parts[..parts.len() - 1] {
        let entry = current.entry(part.to_string()).or_insert_with(|| toml::Table::new().into());
        current = match entry {
            toml::Value::Table(inner) => inner,
            other => bail!("--set {item}: `{part}` holds {}, not a section", other.type_str()),
        };
    }
    current.insert(parts[parts.len() - 1].to_string(), parse_value(raw.trim()));
    Ok(())
}

/// A TOML value, or the raw text as a string when it is not one (`--set data.path=/x`).
fn parse_value(raw: &str) -> toml::Value {
    let document = format!("value = {raw}");
    match document.parse::<toml::Table>() {
        Ok(mut table) => table.remove("value").unwrap_or_else(|| raw.into()),
        Err(_) => toml::Value::String(raw.to_owned()),
    }
}

fn flatten_into(prefix: &str, value: &toml::Value, out: &mut Vec<(String, String)>) {
    match value {
        toml::Value::Table(table) => {
            for (key, inner) in table {
                let mut name = prefix.to_owned();
                if !name.is_empty() {
                    name.push('.');
                }
                let _ = write!(name, "{key}");
                flatten_into(&name, inner, out);
            }
        }
        toml::Value::String(text) => out.push((prefix.to_owned(), text.clone())),
        other => out.push((prefix.to_owned(), other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_file(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("configs").join(name)
    }

    #[test]
    fn the_shipped_mlp_config_equals_the_built_in_defaults() {
        let from_file = Config::load(Some(&config_file("mlp.toml")), &[]).unwrap();
        assert_eq!(from_file, Config::default());
    }

    #[test]
    fn the_shipped_cnn_config_is_the_cnn_defaults_with_augmentation_and_decay() {
        let config = Config::load(Some(&config_file("cnn.toml")), &[]).unwrap();
        assert_eq!(config.model.kind, fmnist_model::ModelKind::Cnn);
        assert_eq!(config.model.cnn, fmnist_model::CnnConfig::default());
        assert!(config.train.augment.enabled && config.train.linear_decay.enabled);
        assert!(!config.train.reduce_lr.enabled);
        assert_eq!(
            (config.data.clone(), config.tracking.clone()),
            (DataConfig::default(), TrackingConfig::default())
        );
        let params = config.flatten().unwrap();
        assert!(params.iter().any(|(k, v)| k == "model.cnn.blocks" && v == "[[32], [64]]"));
        assert!(params.iter().all(|(k, _)| !k.starts_with("model.mlp")), "{params:?}");
    }

    #[test]
    fn overrides_take_toml_values_and_bare_words() {
        let sets = [
            "train.epochs=5".to_owned(),
            "model.mlp.hidden=[64, 32]".to_owned(),
            "data.path=/data/fashion mnist".to_owned(),
        ];
        let config = Config::load(None, &sets).unwrap();
        assert_eq!(config.train.epochs, 5);
        assert_eq!(config.model.mlp.hidden, [64, 32]);
        assert_eq!(config.data.path, "/data/fashion mnist");
    }

    #[test]
    fn flattened_params_name_every_setting_of_the_chosen_model_only() {
        let params = Config::default().flatten().unwrap();
        let get = |key: &str| params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        assert_eq!(get("train.adam.epsilon"), Some("0.0000001"));
        assert_eq!(get("model.mlp.hidden"), Some("[256, 128]"));
        assert_eq!(get("run.seed"), Some("42"));
        assert!(params.iter().all(|(k, _)| !k.starts_with("model.cnn")), "{params:?}");
    }

    #[test]
    fn type_errors_name_toml_types_not_rust_ones() {
        let error = Config::load(None, &["train.epochs=abc".to_owned()]).unwrap_err();
        let text = format!("{error:#}");
        assert!(
            text.ends_with(
                "`train.epochs`: invalid type: string \"abc\", expected a whole number >= 0"
            ),
            "{text}"
        );
        let error = Config::load(None, &["run.seed=-1".to_owned()]).unwrap_err();
        assert!(format!("{error:#}").ends_with("expected a whole number >= 0"), "{error:#}");
        let error = Config::load(None, &["model.mlp.hidden=5".to_owned()]).unwrap_err();
        assert!(format!("{error:#}").ends_with("expected a list in square brackets"));
        let error = Config::load(None, &["train=5".to_owned()]).unwrap_err();
        assert!(format!("{error:#}").contains("expected a table of settings"), "{error:#}");
        assert!(!format!("{error:#}").contains("TrainConfig"), "{error:#}");
        assert_eq!(
            plain_types("invalid type: string \"x\", expected f64"),
            "invalid type: string \"x\", expected a number"
        );
    }

    #[test]
    fn ranges_are_checked_after_all_overrides_whatever_their_order() {
        let decay = "train.linear_decay.enabled=true".to_owned();
        let no_plateau = "train.reduce_lr.enabled=false".to_owned();
        for order in [[&decay, &no_plateau], [&no_plateau, &decay]] {
            let items: Vec<String> = order.into_iter().cloned().collect();
            let config = Config::load(None, &items).unwrap();
            assert!(config.train.linear_decay.enabled && !config.train.reduce_lr.enabled);
        }
        // Alone, the first would be refused: two schedules at once.
        let error = Config::load(None, std::slice::from_ref(&decay)).unwrap_err();
        assert!(format!("{error:#}").contains("with the --set overrides"), "{error:#}");
    }

    #[test]
    fn a_training_subset_needs_a_row_per_class() {
        let error = Config::load(None, &["data.train_rows=1".to_owned()]).unwrap_err();
        assert!(format!("{error:#}").contains("data.train_rows is 1, expected 0"), "{error:#}");
        assert!(Config::load(None, &["data.train_rows=10".to_owned()]).is_ok());
    }

    #[test]
    fn thread_counts_beyond_reason_are_refused() {
        let error = Config::load(None, &["run.threads=100000".to_owned()]).unwrap_err();
        assert!(format!("{error:#}").contains("run.threads is 100000, expected 0"), "{error:#}");
        let ok = Config::load(None, &["run.threads=4".to_owned()]).unwrap();
        assert_eq!(ok.run.threads, 4);
    }

    #[test]
    fn run_names_must_be_one_folder_name() {
        for bad in ["a/b", "", "..", ".hidden", "x\\y", "tab\there"] {
            let item = format!("run.name={bad:?}");
            let error = Config::load(None, std::slice::from_ref(&item)).unwrap_err();
            assert!(format!("{error:#}").contains("run.name is"), "{item}: {error:#}");
        }
        let good = Config::load(None, &["run.name=\"mlp-wide_2\"".to_owned()]).unwrap();
        assert_eq!(good.run.name, "mlp-wide_2");
    }

    #[test]
    fn a_value_inside_a_scalar_is_refused() {
        let table: toml::Table = "[train]\nepochs = 3\n".parse().unwrap();
        let mut table = table;
        let error = apply_override(&mut table, "train.epochs.x=1").unwrap_err();
        assert!(error.to_string().contains("`epochs` holds integer"), "{error}");
    }
}
