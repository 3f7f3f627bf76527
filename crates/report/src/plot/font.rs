//! The embedded font: DejaVu Sans, from the `dejavu` crate, registered with plotters'
//! `ab_glyph` text renderer.
//!
//! Plotters' `ab_glyph` backend knows no system fonts: a family must be registered before
//! text is drawn, or drawing fails with "font unavailable". Registration is global to the
//! process and done once, on first use. DejaVu's licence (Bitstream Vera terms plus public
//! domain changes) allows embedding and redistribution; the crate ships its `LICENSE` file.

use std::sync::OnceLock;

use plotters::style::FontStyle;

use crate::error::{ReportError, Result};

/// The family name figures draw their text with.
pub const FONT_FAMILY: &str = "DejaVu Sans";

/// Whether registration succeeded, decided on first use.
static REGISTERED: OnceLock<bool> = OnceLock::new();

/// Registers DejaVu Sans (regular and bold) under [`FONT_FAMILY`]; later calls do nothing.
///
/// Every function that draws calls this itself; call it only to fail early.
pub fn register_font() -> Result<()> {
    if *REGISTERED.get_or_init(register_both) {
        Ok(())
    } else {
        Err(ReportError::Font { family: FONT_FAMILY })
    }
}

/// Registers the regular and the bold face; false if either is rejected.
// FIXME: plotters' ab_glyph renderer places each glyph at a whole pixel, so letter spacing
// looks slightly uneven at small sizes; smoothing it needs a change inside plotters.
fn register_both() -> bool {
    let regular =
        plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, dejavu::sans::regular());
    let bold = plotters::style::register_font(FONT_FAMILY, FontStyle::Bold, dejavu::sans::bold());
    regular.is_ok() && bold.is_ok()
}
