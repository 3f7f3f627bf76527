//! The self-contained `report.html`: every image is a base64 `data:` URI, the style sheet
//! is inline, and there is no script and no external reference, so the page opens offline.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::examples::{Example, PairExamples};
use crate::input::{ReportInput, lr_reduction_epochs};
use crate::quality::{ClassReport, QualityReport};
use crate::write::{Figure, Figures};

/// The inline style sheet.
const STYLE: &str = include_str!("report.css");

/// The whole page.
pub(crate) fn render_html(
    input: &ReportInput,
    quality: &QualityReport,
    figures: &Figures,
    examples: &[PairExamples],
) -> String {
    let name = escape(input.model_name);
    let body = [
        header(input, quality),
        summary_section(input, quality),
        curves_section(input, figures),
        confusion_section(figures),
        per_class_section(quality),
        confused_section(quality, examples),
        calibration_section(quality, figures),
    ]
    .concat();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{name}: run report</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n\
         {body}<footer>Written by fmnist-report. Every image is embedded in this file; \
         the page needs no network.</footer>\n</main>\n</body>\n</html>\n"
    )
}

/// Title, headline numbers and the table of contents.
fn header(input: &ReportInput, quality: &QualityReport) -> String {
    let calibration = &quality.calibration;
    format!(
        "<header>\n<h1>Run report: {}</h1>\n<p class=\"lead\">Test accuracy <b>{}</b> · \
         macro F1 <b>{:.4}</b> · ECE <b>{:.4}</b> → <b>{:.4}</b> after temperature scaling \
         (T = {:.3})</p>\n\
         <nav><a href=\"#summary\">Summary</a><a href=\"#curves\">Training curves</a>\
         <a href=\"#confusion\">Confusion matrix</a><a href=\"#per-class\">Per-class quality</a>\
         <a href=\"#confused\">Confused pairs</a><a href=\"#calibration\">Calibration</a></nav>\n\
         </header>\n",
        escape(input.model_name),
        percent(quality.accuracy),
        quality.macro_avg.f1,
        calibration.before.ece,
        calibration.after.ece,
        calibration.temperature,
    )
}

/// The caller's summary rows, then the report's own headline numbers.
fn summary_section(input: &ReportInput, quality: &QualityReport) -> String {
    let own = [
        ("test samples", quality.n_test.to_string()),
        ("test accuracy (argmax of the logits)", percent(quality.accuracy)),
        (
            "macro F1 / weighted F1",
            format!("{:.4} / {:.4}", quality.macro_avg.f1, quality.weighted_avg.f1),
        ),
        ("temperature (fitted on validation)", format!("{:.4}", quality.calibration.temperature)),
    ];
    let given = input.summary.iter().map(|(key, value)| (key.as_str(), value.clone()));
    let rows: String = given
        .chain(own)
        .map(|(key, value)| {
            format!("<tr><th>{}</th><td>{}</td></tr>\n", escape(key), escape(&value))
        })
        .collect();
    section("summary", "Summary", "", &format!("<table class=\"summary\">\n{rows}</table>\n"))
}

/// Loss and accuracy curves, with a sentence on the schedule.
fn curves_section(input: &ReportInput, figures: &Figures) -> String {
    let drops = lr_reduction_epochs(input.history);
    let schedule = if drops.is_empty() {
        "The learning rate was never reduced.".to_string()
    } else {
        let list: Vec<String> = drops.iter().map(|epoch| epoch.to_string()).collect();
        format!("Epochs run with a reduced learning rate from: {} (dashed lines).", list.join(", "))
    };
    let intro = format!(
        "{} epochs run; the weights of epoch {} (best validation loss, green line) were \
         restored. {}",
        input.history.len(),
        input.best_epoch,
        schedule
    );
    let images = [image(&figures.loss), image(&figures.accuracy)].concat();
    section("curves", "Training curves", &intro, &images)
}

/// The confusion matrix figure.
fn confusion_section(figures: &Figures) -> String {
    let intro = "Rows are true classes, columns predictions; each cell shows its count, and its \
                 shade the share of the true class.";
    section("confusion", "Confusion matrix (test set)", intro, &image(&figures.confusion))
}

/// Precision, recall, F1 and support per class, then the averages.
fn per_class_section(quality: &QualityReport) -> String {
    let rows: String = quality.classes.iter().map(class_row).collect();
    let average =
        |label: &str, metrics| class_row(&ClassReport { name: label.to_string(), metrics });
    let foot = [
        average("macro average", quality.macro_avg),
        average("weighted average", quality.weighted_avg),
    ]
    .concat();
    let table = format!(
        "<table class=\"numbers\">\n<thead><tr><th>class</th><th>precision</th><th>recall</th>\
         <th>F1</th><th>support</th></tr></thead>\n<tbody>\n{rows}</tbody>\n\
         <tfoot>\n{foot}</tfoot>\n</table>\n"
    );
    section("per-class", "Per-class quality (test set)", "", &table)
}

/// One table row of [`per_class_section`], with a bar under the F1 value.
fn class_row(class: &ClassReport) -> String {
    let m = &class.metrics;
    format!(
        "<tr><th>{}</th><td>{:.4}</td><td>{:.4}</td>\
         <td class=\"bar\" style=\"--v:{:.1}%\">{:.4}</td>\
         <td>{}</td></tr>\n",
        escape(&class.name),
        m.precision,
        m.recall,
        m.f1 * 100.0,
        m.f1,
        m.support
    )
}

/// The confused-pairs table and thumbnails of their mistakes.
fn confused_section(quality: &QualityReport, examples: &[PairExamples]) -> String {
    let errors = quality.n_test as u64 - quality.confusion_matrix.correct();
    let rows: String = quality
        .confused_pairs
        .iter()
        .enumerate()
        .map(|(rank, pair)| {
            format!(
                "<tr><td>{}</td><th>{} ↔ {}</th><td>{}</td><td>{}</td><td>{}</td>\
                 <td>{}</td></tr>\n",
                rank + 1,
                escape(&pair.a_name),
                escape(&pair.b_name),
                pair.pair.a_as_b,
                pair.pair.b_as_a,
                pair.pair.total(),
                percent(pair.pair.total() as f64 / errors.max(1) as f64)
            )
        })
        .collect();
    let table = format!(
        "<table class=\"numbers\">\n<thead><tr><th>#</th><th>pair (A ↔ B)</th>\
         <th>A taken for B</th>\
         <th>B taken for A</th><th>total</th><th>share of all {errors} errors</th></tr></thead>\n\
         <tbody>\n{rows}</tbody>\n</table>\n"
    );
    let thumbs: String = quality
        .confused_pairs
        .iter()
        .zip(examples)
        .map(|(pair, ex)| {
            let a_as_b = thumb_row(&pair.a_name, &pair.b_name, &ex.a_as_b);
            let b_as_a = thumb_row(&pair.b_name, &pair.a_name, &ex.b_as_a);
            format!(
                "<h3>{} ↔ {}</h3>\n{a_as_b}{b_as_a}",
                escape(&pair.a_name),
                escape(&pair.b_name)
            )
        })
        .collect();
    let intro = "Pairs of classes the model mixes up most, counted in both directions; below, \
                 the most confident mistakes of the top pairs (test-set index and the probability \
                 given to the wrong class).";
    section("confused", "Most confused pairs", intro, &(table + &thumbs))
}

/// Thumbnails of one direction of a pair.
fn thumb_row(actual: &str, predicted: &str, examples: &[Example]) -> String {
    let label = format!("{} taken for {}", escape(actual), escape(predicted));
    if examples.is_empty() {
        return format!("<p class=\"direction\">{label}: no such mistakes.</p>\n");
    }
    let items: String = examples
        .iter()
        .map(|ex| {
            format!(
                "<figure class=\"thumb\"><img src=\"{}\" alt=\"test image {} ({label})\">\
                 <figcaption>#{} · p = {:.2}</figcaption></figure>",
                data_uri(&ex.png),
                ex.index,
                ex.index,
                ex.confidence
            )
        })
        .collect();
    format!("<p class=\"direction\">{label}</p>\n<div class=\"thumbs\">{items}</div>\n")
}

/// Scores before and after temperature scaling, and the reliability diagram.
fn calibration_section(quality: &QualityReport, figures: &Figures) -> String {
    let c = &quality.calibration;
    let row = |name: &str, before: f64, after: f64| {
        format!("<tr><th>{name}</th><td>{before:.4}</td><td>{after:.4}</td></tr>\n")
    };
    let rows = [
        row("expected calibration error (15 bins)", c.before.ece, c.after.ece),
        row("negative log-likelihood", c.before.nll, c.after.nll),
        row("Brier score", c.before.brier, c.after.brier),
        row("validation NLL (the fitted objective)", c.val_nll_before, c.val_nll_after),
    ]
    .concat();
    let table = format!(
        "<table class=\"numbers\">\n<thead><tr><th>test set</th><th>before (T = 1)</th>\
         <th>after (T = {:.3})</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n",
        c.temperature
    );
    let intro = "Temperature scaling divides the logits by one number T, fitted to minimise the \
                 negative log-likelihood on the validation split. T above 1 means the raw model \
                 was over-confident. Predictions (the argmax) do not change, so accuracy and the \
                 tables above are the same before and after; lower is better for all three scores.";
    section("calibration", "Calibration", intro, &(table + &image(&figures.reliability)))
}

/// A section with an anchor, a heading, an optional intro paragraph and content.
fn section(id: &str, title: &str, intro: &str, content: &str) -> String {
    let intro =
        if intro.is_empty() { String::new() } else { format!("<p>{}</p>\n", escape(intro)) };
    format!("<section id=\"{id}\">\n<h2>{title}</h2>\n{intro}{content}</section>\n")
}

/// A figure with its file name as caption.
fn image(figure: &Figure) -> String {
    format!(
        "<figure><img src=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>\n",
        data_uri(&figure.png),
        escape(&figure.title),
        escape(&figure.file_name)
    )
}

/// PNG bytes as a `data:` URI.
fn data_uri(png: &[u8]) -> String {
    format!("data:image/png;base64,{}", STANDARD.encode(png))
}

/// A share as a percentage with two decimals.
fn percent(share: f64) -> String {
    format!("{:.2}%", share * 100.0)
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_characters() {
        assert_eq!(
            escape("<a href=\"x\">T&C's</a>"),
            "&lt;a href=&quot;x&quot;&gt;T&amp;C&#39;s&lt;/a&gt;"
        );
    }

    #[test]
    fn data_uri_is_base64_png() {
        assert_eq!(data_uri(&[0x89, b'P', b'N', b'G']), "data:image/png;base64,iVBORw==");
    }
}
