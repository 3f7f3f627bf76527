//! Figures: plotters draws into an in-memory RGB buffer and the png crate encodes it, so no
//! image library is pulled in and a file is only written once it is complete.
//!
//! Every figure uses the font embedded by [`font`], never a system font.

mod confusion;
mod curves;
mod font;
mod reliability;
mod thumbnail;

use std::error::Error;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{ReportError, Result};

pub use confusion::{CONFUSION_SIZE, plot_confusion_matrix};
pub use curves::{CURVE_SIZE, plot_accuracy_curve, plot_loss_curve};
pub use font::{FONT_FAMILY, register_font};
pub use reliability::{RELIABILITY_SIZE, plot_reliability_diagram};
pub use thumbnail::{THUMBNAIL_SCALE, thumbnail_png};

/// The drawing area every figure draws on.
pub(crate) type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// What a drawing closure returns; plotters' errors are boxed and turned into
/// [`ReportError::Plot`] by [`render_png`].
pub(crate) type DrawResult = std::result::Result<(), Box<dyn Error>>;

/// Colour of training curves.
pub(crate) const TRAIN_COLOR: RGBColor = RGBColor(31, 119, 180);
/// Colour of validation curves.
pub(crate) const VAL_COLOR: RGBColor = RGBColor(230, 110, 20);
/// Colour of the best-epoch marker.
pub(crate) const BEST_COLOR: RGBColor = RGBColor(30, 150, 60);
/// Colour of learning-rate markers.
pub(crate) const LR_COLOR: RGBColor = RGBColor(120, 120, 120);
/// Colour of text.
pub(crate) const TEXT_COLOR: RGBColor = RGBColor(25, 25, 25);
/// Colour of grid lines.
pub(crate) const GRID_COLOR: RGBColor = RGBColor(225, 225, 225);

/// Draws a figure of `size` pixels on white and returns it encoded as PNG.
pub(crate) fn render_png(
    file: &str,
    size: (u32, u32),
    draw: impl FnOnce(&Area) -> DrawResult,
) -> Result<Vec<u8>> {
    register_font()?;
    let mut rgb = vec![255u8; size.0 as usize * size.1 as usize * 3];
    {
        let area = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
        draw(&area).and_then(|()| Ok(area.present()?)).map_err(|err| ReportError::Plot {
            file: file.to_string(),
            message: err.to_string(),
        })?;
    }
    encode_png(file, size, &rgb, png::ColorType::Rgb)
}

/// Encodes 8-bit pixels (`Rgb` or `Grayscale`) as PNG bytes.
pub(crate) fn encode_png(
    file: &str,
    (width, height): (u32, u32),
    pixels: &[u8],
    color: png::ColorType,
) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let png_error = |source| ReportError::Png { file: file.to_string(), source };
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer.write_image_data(pixels).map_err(png_error)?;
    writer.finish().map_err(png_error)?;
    Ok(bytes)
}

/// A text style in the embedded font.
pub(crate) fn text_style(size: f64) -> TextStyle<'static> {
    (FONT_FAMILY, size).into_font().color(&TEXT_COLOR)
}

/// A bold text style in the embedded font.
pub(crate) fn bold_style(size: f64) -> TextStyle<'static> {
    (FONT_FAMILY, size, FontStyle::Bold).into_font().color(&TEXT_COLOR)
}
