//! Misclassified test images for the most confused pairs, shown in the HTML report.
//!
//! For each direction of a pair (A taken for B, B taken for A) the most confident mistakes
//! are picked: they show what the model "sees" in the other class most clearly.

use crate::error::Result;
use crate::input::{IMAGE_PIXELS, ReportInput};
use crate::plot::{THUMBNAIL_SCALE, thumbnail_png};
use crate::quality::PairReport;
use crate::softmax::softmax_rows;

/// How many pairs get thumbnails.
pub(crate) const PAIRS_WITH_EXAMPLES: usize = 3;
/// How many thumbnails per direction of a pair.
pub(crate) const EXAMPLES_PER_DIRECTION: usize = 4;

/// One misclassified test image.
pub(crate) struct Example {
    /// Index in the test set.
    pub index: usize,
    /// Probability given to the (wrong) predicted class.
    pub confidence: f64,
    /// The thumbnail as PNG bytes.
    pub png: Vec<u8>,
}

/// The examples of one pair, both directions.
pub(crate) struct PairExamples {
    /// Samples of class `a` predicted as `b`.
    pub a_as_b: Vec<Example>,
    /// Samples of class `b` predicted as `a`.
    pub b_as_a: Vec<Example>,
}

/// Thumbnails for the first [`PAIRS_WITH_EXAMPLES`] pairs; empty without images.
pub(crate) fn pair_examples(
    input: &ReportInput,
    pairs: &[PairReport],
) -> Result<Vec<PairExamples>> {
    if !input.has_images() {
        return Ok(Vec::new());
    }
    let probs = softmax_rows(input.test_logits, input.n_classes(), 1.0)?;
    let mistakes = |actual, predicted| pick(input, &probs, actual, predicted);
    let pairs = pairs.iter().take(PAIRS_WITH_EXAMPLES);
    pairs
        .map(|pair| {
            let (a, b) = (pair.pair.a, pair.pair.b);
            Ok(PairExamples { a_as_b: mistakes(a, b)?, b_as_a: mistakes(b, a)? })
        })
        .collect()
}

/// The most confident samples of class `actual` predicted as `predicted`.
fn pick(
    input: &ReportInput,
    probs: &[f64],
    actual: usize,
    predicted: usize,
) -> Result<Vec<Example>> {
    let n_classes = input.n_classes();
    let row = |index: usize| &probs[index * n_classes..(index + 1) * n_classes];
    let mut found: Vec<(usize, f64)> = (0..input.test_labels.len())
        .filter(|&index| usize::from(input.test_labels[index]) == actual)
        .filter(|&index| argmax(row(index)) == predicted)
        .map(|index| (index, row(index)[predicted]))
        .collect();
    found.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    found.truncate(EXAMPLES_PER_DIRECTION);
    found.into_iter().map(|(index, confidence)| example(input, index, confidence)).collect()
}

/// Builds the thumbnail of test image `index`.
fn example(input: &ReportInput, index: usize, confidence: f64) -> Result<Example> {
    let image = &input.test_images[index * IMAGE_PIXELS..(index + 1) * IMAGE_PIXELS];
    Ok(Example { index, confidence, png: thumbnail_png(image, THUMBNAIL_SCALE)? })
}

/// Index of the first largest probability.
fn argmax(row: &[f64]) -> usize {
    (0..row.len()).fold(0, |best, index| if row[index] > row[best] { index } else { best })
}
