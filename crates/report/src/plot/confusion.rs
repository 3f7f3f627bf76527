//! The confusion-matrix figure: one cell per (true, predicted) pair with its count, shaded
//! by the share of the true class (row-normalised), class names on both axes and a colour
//! bar for the shading.
//!
//! The grid is laid out in pixels rather than on a chart, so long class names can be wrapped
//! under their column and shrunk until they fit.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Area, DrawResult, TEXT_COLOR, bold_style, render_png, text_style};
use crate::confusion::ConfusionMatrix;
use crate::error::{ReportError, Result};

/// Width and height of the confusion-matrix figure, in pixels.
pub const CONFUSION_SIZE: (u32, u32) = (1150, 1060);

/// Left edge of the grid (room for the true-class names).
const GRID_LEFT: i32 = 190;
/// Top edge of the grid (room for the title).
const GRID_TOP: i32 = 120;
/// Side length of the whole grid.
const GRID_SIDE: i32 = 820;
/// Left edge of the colour bar.
const BAR_LEFT: i32 = GRID_LEFT + GRID_SIDE + 40;
/// Cells narrower than this, in pixels, are shaded without text.
const MIN_CELL_FOR_TEXT: i32 = 36;
/// Lightest shade (rate 0).
const LIGHT: (f64, f64, f64) = (247.0, 251.0, 255.0);
/// Darkest shade (rate 1).
const DARK: (f64, f64, f64) = (8.0, 48.0, 107.0);

/// The confusion matrix as PNG bytes; `class_names` label rows and columns.
pub fn plot_confusion_matrix(
    model_name: &str,
    cm: &ConfusionMatrix,
    class_names: &[&str],
) -> Result<Vec<u8>> {
    if class_names.len() != cm.n_classes() {
        let shape = "one name per class of the matrix".to_string();
        let (found, expected) = (class_names.len(), cm.n_classes());
        return Err(ReportError::Length { input: "class_names", found, expected, shape });
    }
    render_png("confusion_matrix.png", CONFUSION_SIZE, |area| {
        area.fill(&WHITE)?;
        draw_titles(area, model_name, cm.total())?;
        draw_cells(area, cm)?;
        draw_class_names(area, class_names)?;
        draw_colour_bar(area)
    })
}

/// Title, subtitle and the two axis descriptions.
fn draw_titles(area: &Area, model_name: &str, total: u64) -> DrawResult {
    let centre = GRID_LEFT + GRID_SIDE / 2;
    let title = format!("{model_name}: confusion matrix on the test set (n = {total})");
    area.draw_text(&title, &centred(bold_style(26.0)), (centre, 30))?;
    let subtitle = "count in each cell; shade = share of the true class (row-normalised)";
    area.draw_text(subtitle, &centred(text_style(16.0)), (centre, 64))?;
    let bottom = GRID_TOP + GRID_SIDE + 80;
    area.draw_text("predicted class", &centred(bold_style(19.0)), (centre, bottom))?;
    let vertical = centred(bold_style(19.0)).transform(FontTransform::Rotate270);
    area.draw_text("true class", &vertical, (28, GRID_TOP + GRID_SIDE / 2))?;
    Ok(())
}

/// Every cell: its shade, count and row share.
fn draw_cells(area: &Area, cm: &ConfusionMatrix) -> DrawResult {
    let n = cm.n_classes();
    let cell = GRID_SIDE / n as i32;
    for actual in 0..n {
        for predicted in 0..n {
            draw_cell(area, cm, (actual, predicted), cell)?;
        }
    }
    let frame = [(GRID_LEFT, GRID_TOP), (GRID_LEFT + cell * n as i32, GRID_TOP + cell * n as i32)];
    area.draw(&Rectangle::new(frame, TEXT_COLOR.stroke_width(1)))?;
    Ok(())
}

/// One cell of side `cell` pixels: shade, then (if there is room) count and row share.
// FIXME: Above about 40 classes the cells are too small for text and the class names
// overlap; such a matrix needs a larger canvas or a view of the most confused classes only.
fn draw_cell(
    area: &Area,
    cm: &ConfusionMatrix,
    (actual, predicted): (usize, usize),
    cell: i32,
) -> DrawResult {
    let rate = cm.row_rate(actual, predicted);
    let (x, y) = (GRID_LEFT + predicted as i32 * cell, GRID_TOP + actual as i32 * cell);
    area.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], shade(rate).filled()))?;
    if cell < MIN_CELL_FOR_TEXT {
        return Ok(());
    }
    let ink = if rate > 0.45 { WHITE } else { TEXT_COLOR };
    let size = (f64::from(cell) * 0.24).clamp(9.0, 20.0);
    let (cx, cy) = (x + cell / 2, y + cell / 2);
    let count = cm.count(actual, predicted).to_string();
    let bold = centred(bold_style(size)).color(&ink);
    area.draw_text(&count, &bold, (cx, cy - (size * 0.35) as i32))?;
    let share = format!("{:.0}%", rate * 100.0);
    let small = centred(text_style(size * 0.7)).color(&ink);
    area.draw_text(&share, &small, (cx, cy + (size * 0.6) as i32))?;
    Ok(())
}

/// True-class names left of the rows, predicted-class names (wrapped) under the columns.
fn draw_class_names(area: &Area, names: &[&str]) -> DrawResult {
    let cell = GRID_SIDE / names.len() as i32;
    for (index, name) in names.iter().enumerate() {
        let offset = index as i32 * cell + cell / 2;
        let row_style = fitted(area, name, 16.0, GRID_LEFT - 60)?;
        let right = row_style.pos(Pos::new(HPos::Right, VPos::Center));
        area.draw_text(name, &right, (GRID_LEFT - 10, GRID_TOP + offset))?;
        let lines = wrap(name);
        let widest = lines.iter().copied().max_by_key(|line| line.len()).unwrap_or(name);
        let column_style = centred(fitted(area, widest, 16.0, cell - 6)?);
        for (line_index, line) in lines.iter().enumerate() {
            let y = GRID_TOP + GRID_SIDE + 16 + line_index as i32 * 20;
            area.draw_text(line, &column_style, (GRID_LEFT + offset, y))?;
        }
    }
    Ok(())
}

/// A vertical bar from rate 0 (bottom) to 1 (top) with percentage ticks.
fn draw_colour_bar(area: &Area) -> DrawResult {
    let steps = 100;
    let step_height = GRID_SIDE as f64 / steps as f64;
    for step in 0..steps {
        let rate = 1.0 - (step as f64 + 0.5) / steps as f64;
        let top = GRID_TOP + (step as f64 * step_height) as i32;
        let bottom = GRID_TOP + ((step + 1) as f64 * step_height).ceil() as i32;
        area.draw(&Rectangle::new(
            [(BAR_LEFT, top), (BAR_LEFT + 22, bottom)],
            shade(rate).filled(),
        ))?;
    }
    let frame = [(BAR_LEFT, GRID_TOP), (BAR_LEFT + 22, GRID_TOP + GRID_SIDE)];
    area.draw(&Rectangle::new(frame, TEXT_COLOR.stroke_width(1)))?;
    let label_style = text_style(14.0).pos(Pos::new(HPos::Left, VPos::Center));
    for percent in [0, 25, 50, 75, 100] {
        let y = GRID_TOP + GRID_SIDE - GRID_SIDE * percent / 100;
        area.draw_text(&format!("{percent}%"), &label_style, (BAR_LEFT + 28, y))?;
    }
    Ok(())
}

/// The shade of a row share in `[0, 1]`: white to dark blue.
fn shade(rate: f64) -> RGBColor {
    let t = rate.clamp(0.0, 1.0).powf(0.7);
    let mix = |light: f64, dark: f64| (light + (dark - light) * t).round() as u8;
    RGBColor(mix(LIGHT.0, DARK.0), mix(LIGHT.1, DARK.1), mix(LIGHT.2, DARK.2))
}

/// Splits a name into at most two lines at its middle-most space, `/` or `-`.
fn wrap(name: &str) -> Vec<&str> {
    let middle = name.len() / 2;
    let breaks = name.char_indices().filter(|&(_, c)| matches!(c, ' ' | '/' | '-'));
    let best = breaks.min_by_key(|&(index, _)| index.abs_diff(middle));
    match best {
        Some((index, ' ')) => vec![&name[..index], &name[index + 1..]],
        Some((index, _)) => vec![&name[..=index], &name[index + 1..]],
        None => vec![name],
    }
}

/// The text style of `size`, shrunk until `text` is at most `max_width` pixels wide.
fn fitted(
    area: &Area,
    text: &str,
    size: f64,
    max_width: i32,
) -> Result<TextStyle<'static>, Box<dyn std::error::Error>> {
    let mut size = size;
    while size > 8.0 && area.estimate_text_size(text, &text_style(size))?.0 as i32 > max_width {
        size -= 1.0;
    }
    Ok(text_style(size))
}

/// A style anchored at its centre.
fn centred(style: TextStyle<'static>) -> TextStyle<'static> {
    style.pos(Pos::new(HPos::Center, VPos::Center))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_wrap_at_the_middle_break() {
        assert_eq!(wrap("T-shirt/top"), ["T-shirt/", "top"]);
        assert_eq!(wrap("Ankle boot"), ["Ankle", "boot"]);
        assert_eq!(wrap("Sneaker"), ["Sneaker"]);
    }

    #[test]
    fn shade_runs_from_light_to_dark() {
        assert_eq!(shade(0.0), RGBColor(247, 251, 255));
        assert_eq!(shade(1.0), RGBColor(8, 48, 107));
    }
}
