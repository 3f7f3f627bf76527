//! Writes the report of a synthetic run, to look at the figures and the page:
//!
//! ```text
//! cargo run -p fmnist-report --example sample_report -- target/sample-report
//! ```

#[path = "../tests/common/mod.rs"]
mod common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = std::env::args().nth(1).unwrap_or_else(|| "sample-report".to_string());
    let sample = common::Sample::new(10_000, 6_000);
    let outputs = fmnist_report::write_report(&sample.input("mlp"), out_dir.as_ref())?;
    for file in &outputs.files {
        println!("wrote {}", file.display());
    }
    for (key, value) in &outputs.metrics {
        println!("{key} = {value:.4}");
    }
    Ok(())
}
