//! Run report: metrics from plain arrays, plots with plotters, HTML and Markdown.

mod atomic;
mod calibration;
mod check;
mod confused_pairs;
mod confusion;
mod error;
mod examples;
mod html;
mod input;
mod markdown;
mod per_class;
mod plot;
mod quality;
mod softmax;
mod temperature;
mod write;

pub use crate::{
    calibration::{ECE_BINS, ReliabilityBin, brier, ece, ece_from_bins, nll, reliability_bins},
    confused_pairs::{ConfusedPair, confused_pairs},
    confusion::{ConfusionMatrix, confusion_matrix},
    error::{ReportError, Result},
    input::{EpochRecord, IMAGE_PIXELS, IMAGE_SIDE, ReportInput, lr_reduction_epochs},
    per_class::{AverageMetrics, ClassMetrics, macro_average, per_class_metrics, weighted_average},
    plot::{
        CONFUSION_SIZE, CURVE_SIZE, FONT_FAMILY, RELIABILITY_SIZE, THUMBNAIL_SCALE,
        plot_accuracy_curve, plot_confusion_matrix, plot_loss_curve, plot_reliability_diagram,
        register_font, thumbnail_png,
    },
    quality::{
        CalibrationReport, CalibrationScores, ClassReport, PairReport, QualityReport, TOP_PAIRS,
        metric_key_part, quality_metrics, quality_report,
    },
    softmax::{argmax_rows, log_softmax_row, softmax_rows},
    temperature::{MAX_TEMPERATURE, MIN_TEMPERATURE, fit_temperature, nll_at_temperature},
    write::{ReportOutputs, write_report},
};
