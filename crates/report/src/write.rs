//! [`write_report`]: the whole report of one run, written into a run folder.
//!
//! Order matters: the figures, `quality.json` and `summary.md` are written first and
//! `report.html` last, each atomically, so a folder with a `report.html` holds a complete
//! report.

use std::path::{Path, PathBuf};

use crate::atomic::write_atomic;
use crate::error::{ReportError, Result};
use crate::examples::pair_examples;
use crate::html::render_html;
use crate::input::ReportInput;
use crate::markdown::render_markdown;
use crate::plot::{
    plot_accuracy_curve, plot_confusion_matrix, plot_loss_curve, plot_reliability_diagram,
};
use crate::quality::{QualityReport, quality_metrics, quality_report};

/// What [`write_report`] produced.
#[derive(Clone, Debug)]
pub struct ReportOutputs {
    /// Every file written, in the order written (`report.html` last).
    pub files: Vec<PathBuf>,
    /// MLflow-ready metrics: per-class F1 (`test_f1_<class>`), macro and weighted F1,
    /// ECE/NLL/Brier before and after temperature scaling, and the temperature.
    pub metrics: Vec<(String, f64)>,
    /// All the numbers behind the report.
    pub quality: QualityReport,
}

/// One rendered figure.
pub(crate) struct Figure {
    /// What it shows, for the `alt` text.
    pub title: String,
    /// Its file name in the run folder.
    pub file_name: String,
    /// The PNG bytes.
    pub png: Vec<u8>,
}

/// The four figures of a report.
pub(crate) struct Figures {
    pub loss: Figure,
    pub accuracy: Figure,
    pub confusion: Figure,
    pub reliability: Figure,
}

/// Computes the quality numbers of `input` and writes the report into `out_dir` (created
/// if missing): `<model>_training_curve.png`, `<model>_training_curve_acc.png`,
/// `<model>_confusion_matrix.png`, `<model>_reliability_diagram.png`, `quality.json`,
/// `summary.md` and, last, `report.html`.
pub fn write_report(input: &ReportInput, out_dir: &Path) -> Result<ReportOutputs> {
    let quality = quality_report(input)?;
    let metrics = quality_metrics(&quality);
    std::fs::create_dir_all(out_dir)
        .map_err(|source| ReportError::Io { path: out_dir.to_path_buf(), source })?;
    let figures = render_figures(input, &quality)?;
    let mut files = Vec::new();
    for figure in [&figures.loss, &figures.accuracy, &figures.confusion, &figures.reliability] {
        files.push(write_file(out_dir, &figure.file_name, &figure.png)?);
    }
    let json = quality_json(input, &quality, &metrics)?;
    files.push(write_file(out_dir, "quality.json", json.as_bytes())?);
    let mut names: Vec<String> = files.iter().map(|path| file_name(path)).collect();
    names.extend(["summary.md".to_string(), "report.html".to_string()]);
    files.push(write_file(
        out_dir,
        "summary.md",
        render_markdown(input, &quality, &names).as_bytes(),
    )?);
    let examples = pair_examples(input, &quality.confused_pairs)?;
    let html = render_html(input, &quality, &figures, &examples);
    files.push(write_file(out_dir, "report.html", html.as_bytes())?);
    tracing::info!(dir = %out_dir.display(), files = files.len(), "report written");
    Ok(ReportOutputs { files, metrics, quality })
}

/// Draws the four figures.
fn render_figures(input: &ReportInput, quality: &QualityReport) -> Result<Figures> {
    let (model, history, best) = (input.model_name, input.history, input.best_epoch);
    let figure = |suffix: &str, title: &str, png| Figure {
        title: format!("{model}: {title}"),
        file_name: format!("{model}_{suffix}.png"),
        png,
    };
    Ok(Figures {
        loss: figure(
            "training_curve",
            "training vs validation loss",
            plot_loss_curve(model, history, best)?,
        ),
        accuracy: figure(
            "training_curve_acc",
            "training vs validation accuracy",
            plot_accuracy_curve(model, history, best)?,
        ),
        confusion: figure(
            "confusion_matrix",
            "confusion matrix on the test set",
            plot_confusion_matrix(model, &quality.confusion_matrix, input.class_names)?,
        ),
        reliability: figure(
            "reliability_diagram",
            "reliability diagram before and after temperature scaling",
            plot_reliability_diagram(model, &quality.calibration)?,
        ),
    })
}

/// `quality.json`: the model name, the flat metrics and the full quality report.
fn quality_json(
    input: &ReportInput,
    quality: &QualityReport,
    metrics: &[(String, f64)],
) -> Result<String> {
    let metrics: serde_json::Map<String, serde_json::Value> =
        metrics.iter().map(|(key, value)| (key.clone(), serde_json::json!(value))).collect();
    let document = serde_json::json!({
        "model": input.model_name,
        "class_names": input.class_names,
        "metrics": metrics,
        "quality": quality,
    });
    Ok(serde_json::to_string_pretty(&document)?)
}

/// Writes one file of the report atomically and returns its path.
fn write_file(out_dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    let path = out_dir.join(name);
    write_atomic(&path, bytes)?;
    Ok(path)
}

/// The file name of a path, as text.
fn file_name(path: &Path) -> String {
    path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default()
}
