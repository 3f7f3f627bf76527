//! From samples to the table: medians per runner and thread count, ratios, share of peak,
//! and the Markdown the bench prints and writes to `target/bench/bench.md`.

use std::fmt::Write;

use super::runners::{Figures, Plan, Runner};
use super::stats::{self, DenseShape};

/// One measurement: a runner at a thread count in one repeat.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Sample {
    /// What ran.
    #[serde(serialize_with = "runner_name")]
    pub runner: Runner,
    /// Threads it was pinned to.
    pub threads: u32,
    /// Which repeat (0-based).
    pub repeat: usize,
    /// 1-minute load average just before it started.
    pub load_before: Option<f64>,
    /// What it measured.
    pub figures: Figures,
}

fn runner_name<S: serde::Serializer>(runner: &Runner, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(runner.name())
}

/// Every value of `figure` that `runner` gave at `threads`, in repeat order.
pub fn values(samples: &[Sample], runner: Runner, threads: u32, figure: &str) -> Vec<f64> {
    samples
        .iter()
        .filter(|s| s.runner == runner && s.threads == threads)
        .filter_map(|s| s.figures.values.get(figure).copied())
        .collect()
}

/// A table cell: the median, then the range when there is more than one value; `-` when
/// there is none. Values are multiplied by `scale` first.
pub fn cell(values: &[f64], scale: f64, decimals: usize) -> String {
    let scaled: Vec<f64> = values.iter().map(|v| v * scale).collect();
    let Some(median) = stats::median(&scaled) else {
        return "-".to_owned();
    };
    if scaled.len() == 1 {
        return format!("{median:.decimals$}");
    }
    let min = scaled.iter().copied().fold(f64::INFINITY, f64::min);
    let max = scaled.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{median:.decimals$} ({min:.decimals$}-{max:.decimals$})")
}

/// A ratio cell, `-` when either side is missing.
pub fn ratio_cell(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "-".to_owned(), |r| format!("{r:.2}x"))
}

/// A row of the table: a label, then ours, PyTorch, Keras, ours/PyTorch, ours/Keras.
pub type Row = [String; 6];

/// The header and rows as a Markdown table.
pub fn markdown_table(rows: &[Row]) -> String {
    let header = ["measure (threads)", "ours", "PyTorch", "Keras", "ours/PyTorch", "ours/Keras"];
    let mut text = format!("| {} |\n", header.join(" | "));
    let _ = writeln!(text, "|{}", " --- |".repeat(header.len()));
    for row in rows {
        let _ = writeln!(text, "| {} |", row.join(" | "));
    }
    text
}

/// The rows of one thread count.
pub fn rows_for(samples: &[Sample], plan: &Plan, threads: u32, cores: u32) -> Vec<Row> {
    let get = |runner: Runner, figure: &str| values(samples, runner, threads, figure);
    let mlp = [Runner::OursMlp, Runner::Torch, Runner::Keras];
    let mut rows = Vec::new();
    let compare = |label: String, figure: &str, scale: f64, decimals: usize| -> Row {
        let [ours, torch, keras] = mlp.map(|runner| get(runner, figure));
        let median = |v: &[f64]| stats::median(v);
        [
            label,
            cell(&ours, scale, decimals),
            cell(&torch, scale, decimals),
            cell(&keras, scale, decimals),
            ratio_cell(stats::ratio(median(&ours), median(&torch))),
            ratio_cell(stats::ratio(median(&ours), median(&keras))),
        ]
    };
    rows.push(compare(format!("MLP epoch, 54k train + 6k val, s ({threads})"), "epoch_s", 1.0, 3));
    rows.push(floor_row(samples, threads));
    rows.push(compare(format!("MLP test-set evaluation, 10k, ms ({threads})"), "eval_s", 1e3, 1));
    rows.push(compare(
        format!("MLP bench process peak RSS, MB ({threads})"),
        "peak_rss_mb",
        1.0,
        0,
    ));
    rows.push(peak_row(samples, threads, cores));
    rows.push(ceiling_row(samples, threads));
    rows.push(single(
        format!(
            "CNN epoch, {} train + {} val rows, s ({threads})",
            plan.cnn_train_rows, plan.cnn_validation_rows
        ),
        cnn_cell(samples, threads),
    ));
    let run_label = match plan.run_epochs {
        Some(epochs) => format!("`fmnist run`, default config but {epochs} epochs"),
        None => "`fmnist run`, default config".to_owned(),
    };
    let run = |figure: &str| get(Runner::OursRun, figure);
    rows.push(single(format!("{run_label}, wall s ({threads})"), cell(&run("wall_s"), 1.0, 1)));
    rows.push(single(
        format!("{run_label}, peak RSS MB ({threads})"),
        cell(&run("peak_rss_mb"), 1.0, 0),
    ));
    rows
}

/// Share of the nominal fp32 peak reached by each framework's median MLP epoch.
fn peak_row(samples: &[Sample], threads: u32, cores: u32) -> Row {
    let peak = stats::peak_gflops(threads, cores, stats::PEAK_GFLOPS_PER_CORE);
    let label = format!("MLP epoch, share of fp32 peak ({peak:.0} GFLOP/s) ({threads})");
    share_row(samples, threads, label, Some(peak))
}

/// The epoch's matrix products alone, measured in our bench process, against the other
/// frameworks' whole epochs: the best ratio any loop on libtorch's fp32 matmul could reach.
fn floor_row(samples: &[Sample], threads: u32) -> Row {
    let floor = values(samples, Runner::OursMlp, threads, "gemm_epoch_s");
    let epoch = |runner| stats::median(&values(samples, runner, threads, "epoch_s"));
    [
        format!("MLP epoch, its matrix products alone (floor), s ({threads})"),
        cell(&floor, 1.0, 3),
        "-".to_owned(),
        "-".to_owned(),
        ratio_cell(stats::ratio(stats::median(&floor), epoch(Runner::Torch))),
        ratio_cell(stats::ratio(stats::median(&floor), epoch(Runner::Keras))),
    ]
}

/// Share of the measured BLAS ceiling (a 2048^3 product) reached by each framework's median
/// MLP epoch; the ceiling itself is in the label.
fn ceiling_row(samples: &[Sample], threads: u32) -> Row {
    let ceiling = stats::median(&values(samples, Runner::OursMlp, threads, "sgemm_gflops"));
    let measured = match ceiling {
        Some(gflops) => format!("{gflops:.0} GFLOP/s measured"),
        None => "not measured".to_owned(),
    };
    let label = format!("MLP epoch, share of a 2048^3 sgemm's rate ({measured}) ({threads})");
    share_row(samples, threads, label, ceiling)
}

/// A row of each framework's median MLP epoch as a share of `peak_gflops` (`-` where
/// either is missing).
fn share_row(samples: &[Sample], threads: u32, label: String, peak_gflops: Option<f64>) -> Row {
    let flop = DenseShape::baseline().epoch_flop(54_000, 6_000);
    let share = |runner| {
        let epoch = stats::median(&values(samples, runner, threads, "epoch_s"));
        epoch
            .zip(peak_gflops)
            .and_then(|(seconds, peak)| stats::fraction_of_peak(flop, seconds, peak))
            .map_or_else(|| "-".to_owned(), |f| format!("{:.0} %", 100.0 * f))
    };
    [
        label,
        share(Runner::OursMlp),
        share(Runner::Torch),
        share(Runner::Keras),
        "-".to_owned(),
        "-".to_owned(),
    ]
}

fn cnn_cell(samples: &[Sample], threads: u32) -> String {
    let skipped = samples
        .iter()
        .find(|s| s.runner == Runner::OursCnn && s.threads == threads)
        .and_then(|s| s.figures.skipped.clone());
    match skipped {
        Some(reason) => format!("skipped: {}", short(&reason)),
        None => cell(&values(samples, Runner::OursCnn, threads, "epoch_s"), 1.0, 3),
    }
}

/// The first line of `reason`, at most 100 characters, safe inside a Markdown table.
fn short(reason: &str) -> String {
    let line = reason.lines().next().unwrap_or_default().replace('|', "/");
    line.chars().take(100).collect()
}

fn single(label: String, ours: String) -> Row {
    [label, ours, "-".into(), "-".into(), "-".into(), "-".into()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_show_median_and_range() {
        assert_eq!(cell(&[0.7, 0.5, 0.6], 1.0, 2), "0.60 (0.50-0.70)");
        assert_eq!(cell(&[0.02], 1e3, 1), "20.0");
        assert_eq!(cell(&[], 1.0, 2), "-");
        assert_eq!(ratio_cell(Some(0.8)), "0.80x");
        assert_eq!(ratio_cell(None), "-");
    }

    #[test]
    fn markdown_table_has_header_rule_and_rows() {
        let row: Row = ["a".into(), "1".into(), "2".into(), "3".into(), "4".into(), "5".into()];
        let table = markdown_table(&[row]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("| measure (threads) | ours |"));
        assert_eq!(lines[1], "| --- | --- | --- | --- | --- | --- |");
        assert_eq!(lines[2], "| a | 1 | 2 | 3 | 4 | 5 |");
    }

    fn sample(runner: Runner, epoch_s: f64) -> Sample {
        let mut figures = Figures::default();
        figures.values.insert("epoch_s".into(), epoch_s);
        if runner == Runner::OursMlp {
            figures.values.insert("gemm_epoch_s".into(), 0.3);
            figures.values.insert("sgemm_gflops".into(), 57.2 / 0.6 / 0.8);
        }
        Sample { runner, threads: 2, repeat: 0, load_before: None, figures }
    }

    #[test]
    fn rows_compare_medians_across_runners() {
        let samples = [
            sample(Runner::OursMlp, 0.5),
            sample(Runner::OursMlp, 0.7),
            sample(Runner::OursMlp, 0.6),
            sample(Runner::Torch, 0.75),
            sample(Runner::Keras, 1.2),
        ];
        let plan = Plan {
            threads: vec![2],
            repeats: 3,
            epochs: 3,
            eval_repeats: 1,
            cnn_epochs: 1,
            cnn_train_rows: 1,
            cnn_validation_rows: 1,
            run_epochs: None,
        };
        let rows = rows_for(&samples, &plan, 2, 2);
        assert_eq!(rows[0][1], "0.600 (0.500-0.700)");
        assert_eq!(rows[0][4], "0.80x");
        assert_eq!(rows[0][5], "0.50x");
        // The floor: 0.3 s against PyTorch's 0.75 s and Keras' 1.2 s.
        assert_eq!(rows[1][1], "0.300 (0.300-0.300)");
        assert_eq!(rows[1][4], "0.40x");
        assert_eq!(rows[1][5], "0.25x");
        // 57.2 GFLOP in 0.6 s against 166 GFLOP/s.
        assert_eq!(rows[4][1], "57 %");
        // ... and against the measured ceiling, set so that ours reaches 80 %.
        assert!(rows[5][0].contains("119 GFLOP/s measured"), "{}", rows[5][0]);
        assert_eq!(rows[5][1], "80 %");
        assert_eq!(rows[5][3], "40 %");
    }
}
