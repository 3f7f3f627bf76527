//! `summary.md`: the headline numbers as Markdown tables, for terminals and CI logs.

use crate::input::ReportInput;
use crate::quality::QualityReport;

/// The whole summary.
pub(crate) fn render_markdown(
    input: &ReportInput,
    quality: &QualityReport,
    files: &[String],
) -> String {
    [
        format!("# Run report: {}\n\n", input.model_name),
        summary_table(input, quality),
        per_class_table(quality),
        pairs_table(quality),
        calibration_table(quality),
        file_list(files),
    ]
    .concat()
}

/// The caller's rows and the report's headline numbers.
fn summary_table(input: &ReportInput, quality: &QualityReport) -> String {
    let own = [
        ("test accuracy (argmax)".to_string(), format!("{:.4}", quality.accuracy)),
        ("macro F1".to_string(), format!("{:.4}", quality.macro_avg.f1)),
        ("weighted F1".to_string(), format!("{:.4}", quality.weighted_avg.f1)),
    ];
    let rows: String = input
        .summary
        .iter()
        .cloned()
        .chain(own)
        .map(|(key, value)| format!("| {} | {} |\n", cell(&key), cell(&value)))
        .collect();
    format!("| item | value |\n| --- | --- |\n{rows}\n")
}

/// Per-class scores and both averages.
fn per_class_table(quality: &QualityReport) -> String {
    let row = |name: &str, m: &crate::ClassMetrics| {
        format!(
            "| {} | {:.4} | {:.4} | {:.4} | {} |\n",
            cell(name),
            m.precision,
            m.recall,
            m.f1,
            m.support
        )
    };
    let classes: String =
        quality.classes.iter().map(|class| row(&class.name, &class.metrics)).collect();
    format!(
        "## Per-class quality (test set)\n\n| class | precision | recall | F1 | support |\n\
         | --- | ---: | ---: | ---: | ---: |\n{classes}{}{}\n",
        row("**macro average**", &quality.macro_avg),
        row("**weighted average**", &quality.weighted_avg)
    )
}

/// The most confused pairs with counts in both directions.
fn pairs_table(quality: &QualityReport) -> String {
    let rows: String = quality
        .confused_pairs
        .iter()
        .map(|p| {
            let pair = &p.pair;
            format!(
                "| {} ↔ {} | {} | {} | {} |\n",
                cell(&p.a_name),
                cell(&p.b_name),
                pair.a_as_b,
                pair.b_as_a,
                pair.total()
            )
        })
        .collect();
    format!(
        "## Most confused pairs\n\n| pair (A ↔ B) | A taken for B | B taken for A | total |\n\
         | --- | ---: | ---: | ---: |\n{rows}\n"
    )
}

/// Calibration before and after temperature scaling.
fn calibration_table(quality: &QualityReport) -> String {
    let c = &quality.calibration;
    format!(
        "## Calibration (test set)\n\nTemperature fitted on validation: T = {:.4}.\n\n\
         | score | before (T = 1) | after |\n| --- | ---: | ---: |\n\
         | ECE (15 bins) | {:.4} | {:.4} |\n| NLL | {:.4} | {:.4} |\n| Brier | {:.4} | {:.4} |\n\n",
        c.temperature,
        c.before.ece,
        c.after.ece,
        c.before.nll,
        c.after.nll,
        c.before.brier,
        c.after.brier
    )
}

/// The files of the report.
fn file_list(files: &[String]) -> String {
    let items: String = files.iter().map(|file| format!("- `{file}`\n")).collect();
    format!("## Files\n\n{items}")
}

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
