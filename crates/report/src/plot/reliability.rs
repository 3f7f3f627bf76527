//! The reliability diagram: accuracy against confidence per bin, before and after
//! temperature scaling, side by side, each over a histogram of how many samples fall in
//! each bin.
//!
//! A calibrated model's bars touch the diagonal; red boxes show the gap that the expected
//! calibration error averages (weighted by the bin counts shown underneath).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    Area, DrawResult, GRID_COLOR, TEXT_COLOR, TRAIN_COLOR, bold_style, render_png, text_style,
};
use crate::calibration::ReliabilityBin;
use crate::error::Result;
use crate::quality::{CalibrationReport, CalibrationScores};

/// Width and height of the reliability diagram, in pixels.
pub const RELIABILITY_SIZE: (u32, u32) = (1400, 800);

/// Colour of the gap boxes.
const GAP_COLOR: RGBColor = RGBColor(214, 39, 40);
/// Colour of the histogram bars.
const COUNT_COLOR: RGBColor = RGBColor(140, 140, 140);

/// Before/after reliability diagrams of `calibration` as PNG bytes.
pub fn plot_reliability_diagram(
    model_name: &str,
    calibration: &CalibrationReport,
) -> Result<Vec<u8>> {
    render_png("reliability_diagram.png", RELIABILITY_SIZE, |area| {
        area.fill(&WHITE)?;
        let n_bins = calibration.before.bins.len();
        let title = format!("{model_name}: reliability on the test set ({n_bins} confidence bins)");
        let body = area.margin(12, 0, 0, 0).titled(&title, bold_style(26.0))?;
        let panels = body.split_evenly((1, 2));
        let t = calibration.temperature;
        draw_panel(&panels[0], "before: softmax of the logits (T = 1)", &calibration.before)?;
        let after_title = format!("after: temperature T = {t:.3} fitted on validation");
        draw_panel(&panels[1], &after_title, &calibration.after)
    })
}

/// One panel: reliability chart on top, bin histogram below, scores in the caption.
fn draw_panel(area: &Area, title: &str, scores: &CalibrationScores) -> DrawResult {
    let area = area.margin(8, 8, 14, 14);
    let caption =
        format!("ECE {:.4}   NLL {:.4}   Brier {:.4}", scores.ece, scores.nll, scores.brier);
    let (top, bottom) = area.split_vertically(area.dim_in_pixel().1 * 72 / 100);
    draw_reliability(&top, title, &caption, &scores.bins)?;
    draw_histogram(&bottom, &scores.bins)
}

/// Accuracy bars, gap boxes and the diagonal.
fn draw_reliability(
    area: &DrawingArea<BitMapBackend, Shift>,
    title: &str,
    caption: &str,
    bins: &[ReliabilityBin],
) -> DrawResult {
    let area = area.titled(title, bold_style(21.0))?;
    let area = area.titled(caption, text_style(18.0))?;
    let mut chart = ChartBuilder::on(&area)
        .margin_right(10)
        .x_label_area_size(40)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..1.0, 0.0..1.0)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID_COLOR)
        .x_labels(11)
        .y_labels(11)
        .x_label_formatter(&|x| format!("{x:.1}"))
        .y_label_formatter(&|y| format!("{y:.1}"))
        .y_desc("accuracy in bin")
        .label_style(text_style(16.0))
        .axis_desc_style(text_style(18.0))
        .draw()?;
    let filled: Vec<&ReliabilityBin> = bins.iter().filter(|bin| bin.count > 0).collect();
    let bar = |bin: &&ReliabilityBin| {
        Rectangle::new(
            [(bin.lower, 0.0), (bin.upper, bin.accuracy)],
            TRAIN_COLOR.mix(0.85).filled(),
        )
    };
    chart
        .draw_series(filled.iter().map(bar))?
        .label("accuracy of the bin")
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], TRAIN_COLOR.filled()));
    let gap = |bin: &&ReliabilityBin| {
        Rectangle::new(
            [(bin.lower, bin.accuracy), (bin.upper, bin.mean_confidence)],
            GAP_COLOR.mix(0.3).filled(),
        )
    };
    chart.draw_series(filled.iter().map(gap))?.label("gap to mean confidence").legend(|(x, y)| {
        Rectangle::new([(x, y - 6), (x + 20, y + 6)], GAP_COLOR.mix(0.3).filled())
    });
    let frames = filled.iter().map(|bin| {
        Rectangle::new(
            [(bin.lower, bin.accuracy), (bin.upper, bin.mean_confidence)],
            GAP_COLOR.stroke_width(1),
        )
    });
    chart.draw_series(frames)?;
    let diagonal =
        DashedLineSeries::new([(0.0, 0.0), (1.0, 1.0)], 8, 6, TEXT_COLOR.stroke_width(2));
    chart
        .draw_series(diagonal)?
        .label("perfect calibration")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], TEXT_COLOR.stroke_width(2)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(GRID_COLOR)
        .label_font(text_style(16.0))
        .draw()?;
    Ok(())
}

/// Share of samples per bin, on a log scale so sparse low-confidence bins stay visible.
fn draw_histogram(area: &Area, bins: &[ReliabilityBin]) -> DrawResult {
    let total: u64 = bins.iter().map(|bin| bin.count).sum::<u64>().max(1);
    let share = |bin: &ReliabilityBin| bin.count as f64 / total as f64;
    // Low enough that a bin holding a single sample still shows a bar.
    let floor = (0.5 / total as f64).min(1e-3);
    let mut chart = ChartBuilder::on(area)
        .margin_top(6)
        .margin_right(10)
        .x_label_area_size(46)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..1.0, (floor..1.0).log_scale())?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID_COLOR)
        .x_labels(11)
        .y_labels(5)
        .x_label_formatter(&|x| format!("{x:.1}"))
        .y_label_formatter(&|y| percent_label(*y))
        .x_desc("confidence (largest predicted probability)")
        .y_desc("samples")
        .label_style(text_style(16.0))
        .axis_desc_style(text_style(18.0))
        .draw()?;
    let bars = bins.iter().filter(|bin| bin.count > 0).map(|bin| {
        Rectangle::new([(bin.lower, floor), (bin.upper, share(bin))], COUNT_COLOR.filled())
    });
    chart.draw_series(bars)?;
    Ok(())
}

/// A share as a percentage with as many decimals as small shares need.
fn percent_label(share: f64) -> String {
    let percent = share * 100.0;
    let decimals = if percent >= 1.0 {
        0
    } else if percent >= 0.1 {
        1
    } else {
        2
    };
    format!("{percent:.decimals$}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_shares_keep_their_digits() {
        assert_eq!(percent_label(1.0), "100%");
        assert_eq!(percent_label(0.001), "0.1%");
        assert_eq!(percent_label(1e-4), "0.01%");
    }
}
