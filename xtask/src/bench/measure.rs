//! Running one measured child process: wall time, peak resident set, the `BENCH_JSON` line.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::Value;

/// Prefix of the one result line the bench programs print on stdout.
const RESULT_PREFIX: &str = "BENCH_JSON ";

/// How often the child's `VmHWM` is read while it runs.
const POLL: Duration = Duration::from_millis(20);

/// What one child process gave.
#[derive(Debug)]
pub struct Measured {
    /// Its `BENCH_JSON` object, or `Value::Null` when it printed none.
    pub result: Value,
    /// Start to exit, seconds.
    pub wall_seconds: f64,
    /// Largest `VmHWM` seen while it ran, KiB (0 where `/proc` is missing). A peak reached in
    /// the last poll interval before exit can be missed; the programs report their own too.
    pub peak_rss_kb: u64,
}

/// Runs `command` to completion, its stderr into `log`, and fails with the log's tail when
/// it exits unsuccessfully. A child still running after `limit` is killed (on a loaded
/// machine a multi-threaded libtorch process can slow down by an order of magnitude).
pub fn run(mut command: Command, log: &Path, limit: Duration) -> anyhow::Result<Measured> {
    let log_file = File::create(log).with_context(|| format!("creating {}", log.display()))?;
    command.stdout(Stdio::piped()).stderr(Stdio::from(log_file)).stdin(Stdio::null());
    let started = Instant::now();
    let mut child = command.spawn().with_context(|| format!("starting {command:?}"))?;
    let stdout = read_in_background(&mut child);
    let mut peak_rss_kb = 0;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            bail!("timed out after {} s and was stopped; log {}", limit.as_secs(), log.display());
        }
        peak_rss_kb = peak_rss_kb.max(vm_hwm_kb(child.id()));
        thread::sleep(POLL);
    };
    let wall_seconds = started.elapsed().as_secs_f64();
    let stdout = stdout.join().unwrap_or_default();
    if !status.success() {
        let program = command.get_program().to_string_lossy().into_owned();
        bail!("{program} failed ({status}); log {}:\n{}", log.display(), tail(log));
    }
    Ok(Measured { result: result_line(&stdout)?, wall_seconds, peak_rss_kb })
}

fn read_in_background(child: &mut Child) -> thread::JoinHandle<String> {
    let mut stdout = child.stdout.take();
    thread::spawn(move || {
        let mut text = String::new();
        if let Some(pipe) = stdout.as_mut() {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    })
}

/// The JSON object after the last `BENCH_JSON ` prefix; `Null` when there is none.
pub fn result_line(stdout: &str) -> anyhow::Result<Value> {
    let Some(line) = stdout.lines().rev().find_map(|line| line.strip_prefix(RESULT_PREFIX)) else {
        return Ok(Value::Null);
    };
    serde_json::from_str(line)
        .with_context(|| format!("expected a JSON object after {RESULT_PREFIX:?}, found {line}"))
}

/// `VmHWM` of a running process, KiB; 0 when it cannot be read (exited, no `/proc`).
pub fn vm_hwm_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    parse_kb_field(&status, "VmHWM:").unwrap_or(0)
}

/// The value of a `Name:   1234 kB` line of a `/proc` status file.
pub fn parse_kb_field(status: &str, field: &str) -> Option<u64> {
    let rest = status.lines().find_map(|line| line.strip_prefix(field))?;
    rest.trim().trim_end_matches("kB").trim().parse().ok()
}

/// The 1-minute load average, from `/proc/loadavg`.
pub fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_line_takes_the_last_prefixed_line() {
        let stdout = "noise\nBENCH_JSON {\"a\": 1}\nBENCH_JSON {\"a\": 2}\ntrailing\n";
        assert_eq!(result_line(stdout).unwrap()["a"], 2);
        assert_eq!(result_line("nothing here").unwrap(), Value::Null);
        assert!(result_line("BENCH_JSON {oops").is_err());
    }

    #[test]
    fn kb_fields_parse_from_proc_status_text() {
        let status = "Name:\tx\nVmPeak:\t  2000 kB\nVmHWM:\t   1234 kB\n";
        assert_eq!(parse_kb_field(status, "VmHWM:"), Some(1234));
        assert_eq!(parse_kb_field(status, "VmRSS:"), None);
    }
}
