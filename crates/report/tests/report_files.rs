//! The files `write_report` writes: every PNG decodes at its size with visible content and a
//! rendered title, `report.html` embeds every image and references nothing outside itself,
//! and the JSON and Markdown carry the numbers.

mod common;

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::Sample;
use fmnist_report::{
    CONFUSION_SIZE, CURVE_SIZE, RELIABILITY_SIZE, ReportOutputs, plot_loss_curve, write_report,
};

/// Rows of the title band: every figure draws its title, and nothing else, above row 44.
const TITLE_ROWS: std::ops::Range<usize> = 4..44;

/// A decoded RGB image.
struct Image {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

impl Image {
    fn decode(bytes: &[u8]) -> Image {
        let mut reader = png::Decoder::new(bytes).read_info().expect("png header");
        let mut rgb = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut rgb).expect("png data");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        Image { width: info.width as usize, height: info.height as usize, rgb }
    }

    /// Whether pixel (x, y) is dark, as text is on the white background.
    fn ink(&self, x: usize, y: usize) -> bool {
        let p = &self.rgb[(y * self.width + x) * 3..][..3];
        (u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2])) < 3 * 110
    }

    /// Share of pixels that are not white.
    fn coloured_share(&self) -> f64 {
        let coloured = self.rgb.chunks_exact(3).filter(|p| p.iter().any(|&c| c < 245)).count();
        coloured as f64 / (self.width * self.height) as f64
    }

    /// Whether the title band holds text: many dark pixels spread over many columns, with
    /// many ink/background alternations along the rows, as glyphs make and a blank band or
    /// a solid bar does not.
    fn has_title_text(&self) -> bool {
        let mut ink_pixels = 0;
        let mut columns = vec![false; self.width];
        let mut transitions = 0;
        for y in TITLE_ROWS {
            for (x, column) in columns.iter_mut().enumerate() {
                let ink = self.ink(x, y);
                ink_pixels += usize::from(ink);
                *column |= ink;
                transitions += usize::from(x > 0 && ink != self.ink(x - 1, y));
            }
        }
        let wide = columns.iter().filter(|&&c| c).count();
        ink_pixels > 300 && wide > 150 && transitions > 400
    }

    /// The same image with the title band painted white.
    fn without_title(mut self) -> Image {
        for y in TITLE_ROWS {
            self.rgb[y * self.width * 3..(y + 1) * self.width * 3].fill(255);
        }
        self
    }
}

fn write_sample(dir: &Path) -> ReportOutputs {
    let sample = Sample::new(2_000, 1_000);
    write_report(&sample.input("mlp"), dir).expect("report written")
}

#[test]
fn every_png_decodes_at_its_size_with_content_and_a_title() {
    let dir = tempfile::tempdir().unwrap();
    write_sample(dir.path());
    let expected = [
        ("mlp_training_curve.png", CURVE_SIZE),
        ("mlp_training_curve_acc.png", CURVE_SIZE),
        ("mlp_confusion_matrix.png", CONFUSION_SIZE),
        ("mlp_reliability_diagram.png", RELIABILITY_SIZE),
    ];
    for (name, (width, height)) in expected {
        let image = Image::decode(&std::fs::read(dir.path().join(name)).unwrap());
        assert_eq!((image.width, image.height), (width as usize, height as usize), "{name}");
        let share = image.coloured_share();
        assert!(share > 0.03, "{name} is nearly blank: {share:.4} of pixels coloured");
        assert!(image.has_title_text(), "{name} has no text in its title band");
    }
}

#[test]
fn title_check_fails_without_title_text() {
    let sample = Sample::new(100, 100);
    let bytes = plot_loss_curve("mlp", &sample.history, sample.best_epoch).unwrap();
    let image = Image::decode(&bytes);
    assert!(image.has_title_text());
    assert!(!image.without_title().has_title_text());
}

#[test]
fn html_embeds_every_image_and_references_nothing_outside() {
    let dir = tempfile::tempdir().unwrap();
    let outputs = write_sample(dir.path());
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(!html.to_lowercase().contains("<script"));
    for png in outputs.files.iter().filter(|path| path.extension().is_some_and(|e| e == "png")) {
        let encoded = STANDARD.encode(std::fs::read(png).unwrap());
        assert!(html.contains(&format!("data:image/png;base64,{encoded}")), "{png:?} not embedded");
    }
    // Four figures plus thumbnails of mistakes (4 per direction, both directions, 3 pairs).
    let images = html.matches("<img src=\"data:image/png;base64,").count();
    assert_eq!(images, 4 + 3 * 2 * 4);
    let src_count = html.matches("src=").count();
    assert_eq!(src_count, images, "every src is an embedded image");
    for section in ["summary", "curves", "confusion", "per-class", "confused", "calibration"] {
        assert!(html.contains(&format!("<section id=\"{section}\">")), "{section} missing");
    }
}

#[test]
fn files_are_written_with_html_last_and_no_leftovers() {
    let dir = tempfile::tempdir().unwrap();
    let outputs = write_sample(dir.path());
    let names: Vec<String> = outputs
        .files
        .iter()
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "mlp_training_curve.png",
            "mlp_training_curve_acc.png",
            "mlp_confusion_matrix.png",
            "mlp_reliability_diagram.png",
            "quality.json",
            "summary.md",
            "report.html",
        ]
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), names.len(), "no temporary files");
}

#[test]
fn quality_json_and_summary_carry_the_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let outputs = write_sample(dir.path());
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("quality.json")).unwrap()).unwrap();
    let accuracy = json["quality"]["accuracy"].as_f64().unwrap();
    assert!((accuracy - outputs.quality.accuracy).abs() < 1e-12);
    assert_eq!(json["quality"]["classes"].as_array().unwrap().len(), 10);
    for (key, value) in &outputs.metrics {
        let found = json["metrics"][key].as_f64().unwrap();
        assert!((found - value).abs() < 1e-12, "{key}: {found} vs {value}");
    }
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(summary.contains("| T-shirt/top |"));
    assert!(summary.contains(&format!("T = {:.4}", outputs.quality.calibration.temperature)));
    let top = &outputs.quality.confused_pairs[0];
    assert!(summary.contains(&format!("| {} ↔ {} |", top.a_name, top.b_name)));
}

#[test]
fn metrics_have_mlflow_safe_keys_and_the_expected_names() {
    let dir = tempfile::tempdir().unwrap();
    let outputs = write_sample(dir.path());
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_-. :/".contains(c);
    for (key, value) in &outputs.metrics {
        assert!(key.chars().all(allowed), "{key}");
        assert!(value.is_finite(), "{key} = {value}");
    }
    let keys: Vec<&str> = outputs.metrics.iter().map(|(key, _)| key.as_str()).collect();
    for key in ["test_f1_T-shirt_top", "test_f1_Ankle_boot", "test_macro_f1", "test_ece"] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
    assert!(keys.contains(&"test_ece_temp_scaled") && keys.contains(&"temperature"));
    assert_eq!(keys.len(), 10 + 9);
}

#[test]
fn report_without_images_has_no_thumbnails() {
    let dir = tempfile::tempdir().unwrap();
    let sample = Sample::new(500, 200);
    let input = fmnist_report::ReportInput { test_images: &[], ..sample.input("cnn") };
    write_report(&input, dir.path()).unwrap();
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert_eq!(html.matches("<img ").count(), 4);
    assert!(dir.path().join("cnn_confusion_matrix.png").exists());
}

#[test]
fn one_epoch_two_class_report_renders() {
    let dir = tempfile::tempdir().unwrap();
    let history = [fmnist_report::EpochRecord {
        epoch: 1,
        train_loss: 0.7,
        train_accuracy: 0.6,
        val_loss: 0.7,
        val_accuracy: 0.6,
        learning_rate: 1e-3,
        seconds: 0.1,
    }];
    let (labels, logits) = ([0u8, 1, 1], [1.0f32, 0.0, 0.0, 2.0, 0.5, 0.0]);
    let input = fmnist_report::ReportInput {
        model_name: "tiny",
        class_names: &["no", "yes"],
        history: &history,
        best_epoch: 1,
        test_labels: &labels,
        test_logits: &logits,
        test_images: &[],
        val_labels: &labels,
        val_logits: &logits,
        summary: &[],
    };
    let outputs = write_report(&input, dir.path()).unwrap();
    assert_eq!(outputs.quality.confusion_matrix.counts(), &[1, 0, 1, 1]);
    let confusion = std::fs::read(dir.path().join("tiny_confusion_matrix.png")).unwrap();
    assert!(Image::decode(&confusion).has_title_text());
    let curve = std::fs::read(dir.path().join("tiny_training_curve.png")).unwrap();
    assert!(Image::decode(&curve).has_title_text());
}
