//! Thumbnails of single test images: a 28 x 28 grayscale image scaled up by pixel
//! repetition and encoded as a grayscale PNG.

use super::encode_png;
use crate::error::{ReportError, Result};
use crate::input::{IMAGE_PIXELS, IMAGE_SIDE};

/// How many screen pixels one image pixel becomes in a thumbnail.
pub const THUMBNAIL_SCALE: usize = 4;

/// One image (784 values in `[0, 1]`, row-major) as a PNG `28 * scale` pixels wide.
pub fn thumbnail_png(image: &[f32], scale: usize) -> Result<Vec<u8>> {
    if image.len() != IMAGE_PIXELS {
        let shape = format!("one {IMAGE_SIDE} x {IMAGE_SIDE} image");
        let (found, expected) = (image.len(), IMAGE_PIXELS);
        return Err(ReportError::Length { input: "image", found, expected, shape });
    }
    let scale = scale.max(1);
    let side = IMAGE_SIDE * scale;
    let pixels: Vec<u8> = (0..side * side)
        .map(|index| {
            let (row, column) = (index / side / scale, index % side / scale);
            to_byte(image[row * IMAGE_SIDE + column])
        })
        .collect();
    encode_png("thumbnail", (side as u32, side as u32), &pixels, png::ColorType::Grayscale)
}

/// A value in `[0, 1]` as a byte (values outside are clamped).
fn to_byte(value: f32) -> u8 {
    (value.clamp(0.0, 1.0) * 255.0).round() as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbnail_decodes_to_the_scaled_image() {
        let mut image = vec![0.0f32; IMAGE_PIXELS];
        image[IMAGE_SIDE + 2] = 1.0; // row 1, column 2
        let bytes = thumbnail_png(&image, 2).unwrap();
        let mut reader = png::Decoder::new(bytes.as_slice()).read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((info.width, info.height), (56, 56));
        // Image pixel (1, 2) covers rows 2-3 and columns 4-5 of the thumbnail.
        assert_eq!(pixels[2 * 56 + 4], 255);
        assert_eq!(pixels[3 * 56 + 5], 255);
        assert_eq!(pixels[2 * 56 + 6], 0);
        assert_eq!(pixels.iter().filter(|&&p| p == 255).count(), 4);
    }

    #[test]
    fn wrong_size_is_an_error() {
        assert!(thumbnail_png(&[0.5; 10], 3).is_err());
    }
}
