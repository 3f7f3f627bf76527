//! Splitting one `runs/log-batch` into requests the server accepts, and the JSON of each item.
//!
//! MLflow's limits per request: 1000 metrics, 100 params, 100 tags, 1000 items in all, and a
//! body under 1 MB. Non-finite metric values go out as the strings `"NaN"`, `"Infinity"` and
//! `"-Infinity"` (a JSON `null` is refused, a bare `NaN` token corrupts the batch).

use serde_json::{Value, json};

use crate::types::Metric;

const MAX_METRICS: usize = 1000;
const MAX_PARAMS: usize = 100;
const MAX_TAGS: usize = 100;
const MAX_ITEMS: usize = 1000;
/// Room left under the server's 1 MB for the run id and JSON punctuation.
const MAX_BODY_BYTES: usize = 900_000;

/// One request's worth of items.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Chunk {
    /// `{"key", "value", "timestamp", "step"}` objects.
    pub metrics: Vec<Value>,
    /// `{"key", "value"}` objects.
    pub params: Vec<Value>,
    /// `{"key", "value"}` objects.
    pub tags: Vec<Value>,
    bytes: usize,
}

impl Chunk {
    fn len(&self) -> usize {
        self.metrics.len() + self.params.len() + self.tags.len()
    }

    /// The `log-batch` body for `run_id`.
    pub fn body(&self, run_id: &str) -> Value {
        json!({"run_id": run_id, "metrics": self.metrics, "params": self.params, "tags": self.tags})
    }
}

/// A metric value as MLflow's JSON reader wants it.
pub fn metric_value_json(value: f64) -> Value {
    if value.is_nan() {
        json!("NaN")
    } else if value.is_infinite() {
        json!(if value > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        json!(value)
    }
}

/// Reads a metric value back: a number, or `"NaN"`, `"Infinity"`, `"-Infinity"`.
pub fn metric_value_from_json(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => match text.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            other => other.parse().ok(),
        },
        _ => None,
    }
}

/// The JSON object of one metric point (timestamp and step as integers).
pub fn metric_json(metric: &Metric) -> Value {
    json!({
        "key": metric.key,
        "value": metric_value_json(metric.value),
        "timestamp": metric.timestamp_ms,
        "step": metric.step,
    })
}

fn pair_json(key: &str, value: &str) -> Value {
    json!({"key": key, "value": value})
}

#[derive(Clone, Copy)]
enum Kind {
    Metric,
    Param,
    Tag,
}

/// Splits params, tags and metrics into chunks within every limit, in that order.
pub fn split(
    metrics: &[Metric],
    params: &[(String, String)],
    tags: &[(String, String)],
) -> Vec<Chunk> {
    let items = params
        .iter()
        .map(|(k, v)| (Kind::Param, pair_json(k, v)))
        .chain(tags.iter().map(|(k, v)| (Kind::Tag, pair_json(k, v))))
        .chain(metrics.iter().map(|m| (Kind::Metric, metric_json(m))));
    let mut chunks = vec![Chunk::default()];
    for (kind, item) in items {
        let size = item.to_string().len() + 1;
        let last = chunks.last_mut().expect("chunks is never empty");
        if !fits(last, kind, size) {
            chunks.push(Chunk::default());
        }
        let last = chunks.last_mut().expect("chunks is never empty");
        last.bytes += size;
        match kind {
            Kind::Metric => last.metrics.push(item),
            Kind::Param => last.params.push(item),
            Kind::Tag => last.tags.push(item),
        }
    }
    chunks.retain(|chunk| chunk.len() > 0);
    chunks
}

fn fits(chunk: &Chunk, kind: Kind, size: usize) -> bool {
    let kind_ok = match kind {
        Kind::Metric => chunk.metrics.len() < MAX_METRICS,
        Kind::Param => chunk.params.len() < MAX_PARAMS,
        Kind::Tag => chunk.tags.len() < MAX_TAGS,
    };
    let empty = chunk.len() == 0;
    kind_ok && chunk.len() < MAX_ITEMS && (empty || chunk.bytes + size <= MAX_BODY_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(n: usize) -> Vec<Metric> {
        (0..n)
            .map(|i| Metric { key: "m".into(), value: 0.5, step: i as i64, timestamp_ms: 1 })
            .collect()
    }

    fn pairs(n: usize, value_len: usize) -> Vec<(String, String)> {
        (0..n).map(|i| (format!("k{i}"), "v".repeat(value_len))).collect()
    }

    #[test]
    fn counts_stay_within_limits() {
        let chunks = split(&points(2500), &pairs(150, 1), &pairs(30, 1));
        let shape: Vec<(usize, usize, usize)> =
            chunks.iter().map(|c| (c.params.len(), c.tags.len(), c.metrics.len())).collect();
        assert_eq!(shape, [(100, 0, 0), (50, 30, 920), (0, 0, 1000), (0, 0, 580)]);
    }

    #[test]
    fn big_values_split_by_bytes() {
        let chunks = split(&[], &[], &pairs(100, 8000));
        assert_eq!(chunks.len(), 1);
        let chunks = split(&[], &pairs(100, 6000), &pairs(100, 8000));
        assert!(chunks.iter().all(|c| c.body("r").to_string().len() < 1_000_000));
        assert_eq!(chunks.iter().map(|c| c.params.len() + c.tags.len()).sum::<usize>(), 200);
    }

    #[test]
    fn non_finite_values_are_strings_and_read_back() {
        let body = metric_json(&Metric {
            key: "k".into(),
            value: f64::NEG_INFINITY,
            step: 2,
            timestamp_ms: 3,
        });
        assert_eq!(body.to_string(), r#"{"key":"k","step":2,"timestamp":3,"value":"-Infinity"}"#);
        assert!(metric_value_from_json(&json!("NaN")).unwrap().is_nan());
        assert_eq!(metric_value_from_json(&json!(0.25)), Some(0.25));
        assert_eq!(metric_value_json(f64::INFINITY), json!("Infinity"));
    }
}
