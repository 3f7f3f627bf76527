//! Training curves: train vs validation loss, and train vs validation accuracy, per epoch.
//!
//! Both mark the best (restored) epoch with a green line and a ring on the validation
//! curve, and every learning-rate reduction with a dashed grey line labelled with the new
//! rate, so a plateau can be read against the schedule.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::{
    Area, BEST_COLOR, DrawResult, GRID_COLOR, LR_COLOR, TRAIN_COLOR, VAL_COLOR, bold_style,
    render_png, text_style,
};
use crate::error::Result;
use crate::input::{EpochRecord, lr_reduction_epochs};

/// Width and height of a curve figure, in pixels.
pub const CURVE_SIZE: (u32, u32) = (1000, 600);

/// What differs between the loss and the accuracy figure.
struct CurveSpec<'a> {
    file: &'a str,
    title: String,
    y_label: &'a str,
    train: Vec<(f64, f64)>,
    val: Vec<(f64, f64)>,
    legend_position: SeriesLabelPosition,
}

/// Train vs validation loss per epoch, as PNG bytes titled after `model_name`.
pub fn plot_loss_curve(
    model_name: &str,
    history: &[EpochRecord],
    best_epoch: usize,
) -> Result<Vec<u8>> {
    let spec = CurveSpec {
        file: "training_curve.png",
        title: format!("{model_name}: training vs validation loss"),
        y_label: "loss (cross-entropy)",
        train: points(history, |record| record.train_loss),
        val: points(history, |record| record.val_loss),
        legend_position: SeriesLabelPosition::UpperRight,
    };
    draw_curves(&spec, history, best_epoch)
}

/// Train vs validation accuracy per epoch, as PNG bytes titled after `model_name`.
pub fn plot_accuracy_curve(
    model_name: &str,
    history: &[EpochRecord],
    best_epoch: usize,
) -> Result<Vec<u8>> {
    let spec = CurveSpec {
        file: "training_curve_acc.png",
        title: format!("{model_name}: training vs validation accuracy"),
        y_label: "accuracy",
        train: points(history, |record| record.train_accuracy),
        val: points(history, |record| record.val_accuracy),
        legend_position: SeriesLabelPosition::LowerRight,
    };
    draw_curves(&spec, history, best_epoch)
}

/// (epoch, value) points of one column of the history.
fn points(history: &[EpochRecord], value: fn(&EpochRecord) -> f64) -> Vec<(f64, f64)> {
    history.iter().map(|record| (record.epoch as f64, value(record))).collect()
}

/// Renders one curve figure.
fn draw_curves(spec: &CurveSpec, history: &[EpochRecord], best_epoch: usize) -> Result<Vec<u8>> {
    render_png(spec.file, CURVE_SIZE, |area| {
        area.fill(&WHITE)?;
        draw_chart(area, spec, history, best_epoch)
    })
}

/// Axes, both curves, the markers and the legend.
fn draw_chart(area: &Area, spec: &CurveSpec, history: &[EpochRecord], best: usize) -> DrawResult {
    let legend_on_top = matches!(spec.legend_position, SeriesLabelPosition::UpperRight);
    let (y_low, y_high) = y_range(&spec.train, &spec.val, legend_on_top);
    let decimals = tick_decimals(y_high - y_low);
    let x_high = history.len() as f64 + 0.5;
    let mut chart = ChartBuilder::on(area)
        .caption(&spec.title, bold_style(26.0))
        .margin(18)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(0.5..x_high, y_low..y_high)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID_COLOR)
        .x_labels(history.len().min(25) + 1)
        .x_label_formatter(&|x| integer_label(*x))
        .y_labels(8)
        .y_label_formatter(&|y| format!("{y:.decimals$}"))
        .x_desc("epoch")
        .y_desc(spec.y_label)
        .label_style(text_style(15.0))
        .axis_desc_style(text_style(18.0))
        .draw()?;
    draw_lr_markers(&mut chart, history, (y_low, y_high))?;
    draw_best_marker(&mut chart, spec, best, (y_low, y_high))?;
    for (data, color, name) in
        [(&spec.train, TRAIN_COLOR, "train"), (&spec.val, VAL_COLOR, "validation")]
    {
        draw_series(&mut chart, data, color, name)?;
    }
    chart
        .configure_series_labels()
        .position(spec.legend_position.clone())
        .background_style(WHITE.mix(0.9))
        .border_style(GRID_COLOR)
        .label_font(text_style(15.0))
        .draw()?;
    Ok(())
}

/// The chart both curve figures draw on: epochs against values.
type Chart<'a> = ChartContext<'a, BitMapBackend<'a>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// One curve with a dot per epoch.
fn draw_series<'a>(
    chart: &mut Chart<'a>,
    data: &[(f64, f64)],
    color: RGBColor,
    name: &str,
) -> DrawResult {
    let line = LineSeries::new(data.iter().copied(), color.stroke_width(3));
    chart
        .draw_series(line)?
        .label(name)
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], color.stroke_width(3)));
    chart.draw_series(data.iter().map(|&point| Circle::new(point, 4, color.filled())))?;
    Ok(())
}

/// A dashed grey line at every epoch that started with a reduced learning rate.
fn draw_lr_markers<'a>(
    chart: &mut Chart<'a>,
    history: &[EpochRecord],
    (low, high): (f64, f64),
) -> DrawResult {
    let epochs = lr_reduction_epochs(history);
    let style = LR_COLOR.stroke_width(2);
    for &epoch in &epochs {
        let x = epoch as f64;
        chart.draw_series(DashedLineSeries::new([(x, low), (x, high)], 8, 6, style))?;
    }
    if epochs.is_empty() {
        return Ok(());
    }
    // An empty series carries the legend entry, which lists every reduction with its rate.
    chart
        .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
        .label(lr_legend(history, &epochs))
        .legend(move |(x, y)| {
            EmptyElement::at((x, y))
                + PathElement::new([(0, 0), (9, 0)], style)
                + PathElement::new([(15, 0), (24, 0)], style)
        });
    Ok(())
}

/// "learning rate reduced at epoch 12 (5e-4), 17 (2.5e-4)", shortened after four entries.
fn lr_legend(history: &[EpochRecord], epochs: &[usize]) -> String {
    let mut parts: Vec<String> = epochs
        .iter()
        .take(4)
        .map(|&epoch| format!("{epoch} ({})", short_rate(history[epoch - 1].learning_rate)))
        .collect();
    if epochs.len() > 4 {
        parts.push(format!("and {} more", epochs.len() - 4));
    }
    let noun = if epochs.len() == 1 { "epoch" } else { "epochs" };
    format!("learning rate reduced from {noun} {}", parts.join(", "))
}

/// A green line at the best epoch and a ring around its validation point.
fn draw_best_marker<'a>(
    chart: &mut Chart<'a>,
    spec: &CurveSpec,
    best: usize,
    (low, high): (f64, f64),
) -> DrawResult {
    let x = best as f64;
    let style = BEST_COLOR.stroke_width(2);
    chart
        .draw_series(LineSeries::new([(x, low), (x, high)], style))?
        .label(format!("best epoch {best} (restored)"))
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], style));
    let point = spec.val[best - 1];
    chart.draw_series([Circle::new(point, 10, BEST_COLOR.stroke_width(3))])?;
    Ok(())
}

/// The y range of both curves with a margin; the side the legend sits on gets room for it.
fn y_range(train: &[(f64, f64)], val: &[(f64, f64)], legend_on_top: bool) -> (f64, f64) {
    let values = || train.iter().chain(val).map(|&(_, y)| y);
    let low = values().fold(f64::INFINITY, f64::min);
    let high = values().fold(f64::NEG_INFINITY, f64::max);
    // A flat curve still gets a readable range: 5% of its value, at least 1e-3.
    let span = (high - low).max(0.05 * high.abs()).max(1e-3);
    let (below, above) = if legend_on_top { (0.06, 0.36) } else { (0.36, 0.06) };
    (low - below * span, high + above * span)
}

/// Decimals that keep about eight y ticks over `span` distinct.
fn tick_decimals(span: f64) -> usize {
    let step = span / 8.0;
    (-step.log10()).ceil().clamp(1.0, 6.0) as usize
}

/// Tick label for whole epochs; blank between them.
fn integer_label(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 { format!("{x:.0}") } else { String::new() }
}

/// A learning rate in short scientific form, e.g. `5e-4` or `1.25e-4`.
fn short_rate(rate: f64) -> String {
    let text = format!("{rate:e}");
    match text.split_once('e') {
        Some((mantissa, exponent)) if mantissa.len() > 5 => {
            format!("{:.2}e{exponent}", mantissa.parse::<f64>().unwrap_or(rate))
        }
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_print_short() {
        assert_eq!(short_rate(0.0005), "5e-4");
        assert_eq!(short_rate(0.000125), "1.25e-4");
        assert_eq!(short_rate(1.0 / 3.0 * 1e-3), "3.33e-4");
    }

    #[test]
    fn tick_decimals_follow_the_span() {
        assert_eq!(tick_decimals(0.4), 2);
        assert_eq!(tick_decimals(0.04), 3);
        assert_eq!(tick_decimals(40.0), 1);
    }

    #[test]
    fn lr_legend_lists_epochs_and_rates() {
        let record = |epoch, learning_rate| EpochRecord {
            epoch,
            train_loss: 1.0,
            train_accuracy: 0.5,
            val_loss: 1.0,
            val_accuracy: 0.5,
            learning_rate,
            seconds: 1.0,
        };
        let history = [record(1, 1e-3), record(2, 5e-4), record(3, 5e-4), record(4, 2.5e-4)];
        assert_eq!(
            lr_legend(&history, &[2, 4]),
            "learning rate reduced from epochs 2 (5e-4), 4 (2.5e-4)"
        );
    }

    #[test]
    fn only_whole_epochs_get_labels() {
        assert_eq!(integer_label(3.0), "3");
        assert_eq!(integer_label(2.5), "");
    }
}
