//! The MLflow REST API (`/api/2.0/mlflow/...`) as the Python client uses it, over
//! [`HttpClient`]. Ids and param values go out as strings, timestamps and steps as integers.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::batch::{self, metric_value_from_json};
use crate::error::{Result, TrackingError};
use crate::fsutil::percent_encode;
use crate::http::HttpClient;
use crate::types::{Metric, RunStatus};

const API: &str = "/api/2.0/mlflow";

/// A run as the server describes it.
#[derive(Debug, Clone, Default)]
pub struct RemoteRun {
    /// Run id.
    pub run_id: String,
    /// Experiment id.
    pub experiment_id: String,
    /// Where its artifacts live (`mlflow-artifacts:/...` on a server that serves them).
    pub artifact_uri: String,
    /// Lifecycle status.
    pub status: Option<RunStatus>,
    /// End time in ms, when ended.
    pub end_time: Option<i64>,
    /// Params by key.
    pub params: BTreeMap<String, String>,
    /// Tags by key.
    pub tags: BTreeMap<String, String>,
}

/// MLflow's REST endpoints.
#[derive(Debug, Clone)]
pub struct RestApi {
    http: HttpClient,
}

impl RestApi {
    /// Endpoints of the server behind `http`.
    pub fn new(http: HttpClient) -> RestApi {
        RestApi { http }
    }

    /// The HTTP client (for artifact transfers).
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// Id of the experiment `name`, created when missing: `get-by-name`, then `create`, then
    /// `get-by-name` again if a concurrent creator won.
    pub fn experiment_id(&self, name: &str) -> Result<String> {
        if let Some(id) = self.experiment_by_name(name)? {
            return Ok(id);
        }
        match self.http.post_json(&format!("{API}/experiments/create"), &json!({"name": name})) {
            Ok(answer) => string_at(
                &self.url("experiments/create"),
                &parse(&answer.body)?,
                &["experiment_id"],
            ),
            Err(TrackingError::Rejected { code, .. }) if code == "RESOURCE_ALREADY_EXISTS" => {
                self.experiment_by_name(name)?.ok_or_else(|| TrackingError::NotFound {
                    what: format!("experiment {name:?} on {}", self.http.base_url()),
                })
            }
            Err(err) => Err(err),
        }
    }

    fn experiment_by_name(&self, name: &str) -> Result<Option<String>> {
        let query =
            format!("{API}/experiments/get-by-name?experiment_name={}", percent_encode(name, ""));
        let answer = match self.http.get(&query) {
            Err(TrackingError::Rejected { status: 404, .. }) => return Ok(None),
            other => other?,
        };
        let json = parse(&answer.body)?;
        let url = self.url("experiments/get-by-name");
        if string_at(&url, &json, &["experiment", "lifecycle_stage"]).ok().as_deref()
            == Some("deleted")
        {
            return Err(TrackingError::config(format!(
                "experiment {name:?} is deleted on {}; restore it or use another name",
                self.http.base_url()
            )));
        }
        string_at(&url, &json, &["experiment", "experiment_id"]).map(Some)
    }

    /// `runs/create`, tags included.
    pub fn create_run(
        &self,
        experiment_id: &str,
        run_name: &str,
        user: &str,
        start_time: i64,
        tags: &[(String, String)],
    ) -> Result<RemoteRun> {
        let tags: Vec<Value> = tags.iter().map(|(k, v)| json!({"key": k, "value": v})).collect();
        let body = json!({
            "experiment_id": experiment_id, "user_id": user, "run_name": run_name,
            "start_time": start_time, "tags": tags,
        });
        let answer = self.http.post_json(&format!("{API}/runs/create"), &body)?;
        remote_run(&self.url("runs/create"), &parse(&answer.body)?)
    }

    /// `runs/log-metric` for one point.
    pub fn log_metric(&self, run_id: &str, metric: &Metric) -> Result<()> {
        let mut body = batch::metric_json(metric);
        body["run_id"] = json!(run_id);
        self.http.post_json(&format!("{API}/runs/log-metric"), &body).map(drop)
    }

    /// `runs/log-batch`, split at the server's limits.
    pub fn log_batch(
        &self,
        run_id: &str,
        metrics: &[Metric],
        params: &[(String, String)],
        tags: &[(String, String)],
    ) -> Result<()> {
        for chunk in batch::split(metrics, params, tags) {
            self.http.post_json(&format!("{API}/runs/log-batch"), &chunk.body(run_id))?;
        }
        Ok(())
    }

    /// `runs/set-tag`.
    pub fn set_tag(&self, run_id: &str, key: &str, value: &str) -> Result<()> {
        let body = json!({"run_id": run_id, "key": key, "value": value});
        self.http.post_json(&format!("{API}/runs/set-tag"), &body).map(drop)
    }

    /// `runs/update` with the final status and end time.
    pub fn update_run(&self, run_id: &str, status: RunStatus, end_time: i64) -> Result<()> {
        let body = json!({"run_id": run_id, "status": status.name(), "end_time": end_time});
        self.http.post_json(&format!("{API}/runs/update"), &body).map(drop)
    }

    /// `runs/get`; `None` when the server does not know the run.
    pub fn get_run(&self, run_id: &str) -> Result<Option<RemoteRun>> {
        let answer = match self.http.get(&format!("{API}/runs/get?run_id={run_id}")) {
            Err(TrackingError::Rejected { status: 404, .. }) => return Ok(None),
            other => other?,
        };
        remote_run(&self.url("runs/get"), &parse(&answer.body)?).map(Some)
    }

    /// The active run of experiment `experiment_id` whose tag `key` is `value`, if any.
    pub fn find_run_by_tag(
        &self,
        experiment_id: &str,
        key: &str,
        value: &str,
    ) -> Result<Option<RemoteRun>> {
        let filter = format!("tags.`{key}` = '{}'", value.replace('\'', "\\'"));
        let body = json!({"experiment_ids": [experiment_id], "filter": filter, "max_results": 2});
        let answer = self.http.post_json(&format!("{API}/runs/search"), &body)?;
        let json = parse(&answer.body)?;
        let Some(first) = json.get("runs").and_then(Value::as_array).and_then(|runs| runs.first())
        else {
            return Ok(None);
        };
        remote_run(&self.url("runs/search"), &json!({"run": first})).map(Some)
    }

    /// Every point of metric `key`, following pages.
    pub fn metric_history(&self, run_id: &str, key: &str) -> Result<Vec<Metric>> {
        let mut points = Vec::new();
        let mut page_token = String::new();
        loop {
            let mut query = format!(
                "{API}/metrics/get-history?run_id={run_id}&metric_key={}&max_results=25000",
                percent_encode(key, "")
            );
            if !page_token.is_empty() {
                query.push_str(&format!("&page_token={}", percent_encode(&page_token, "")));
            }
            let json = parse(&self.http.get(&query)?.body)?;
            let items = json.get("metrics").and_then(Value::as_array).cloned().unwrap_or_default();
            for item in &items {
                points.push(metric_from_json(&self.url("metrics/get-history"), key, item)?);
            }
            page_token =
                json.get("next_page_token").and_then(Value::as_str).unwrap_or("").to_string();
            if page_token.is_empty() || items.is_empty() {
                return Ok(points);
            }
        }
    }

    fn url(&self, endpoint: &str) -> String {
        format!("{}{API}/{endpoint}", self.http.base_url())
    }
}

pub(crate) fn parse(body: &str) -> Result<Value> {
    serde_json::from_str(body).map_err(|err| TrackingError::BadResponse {
        url: "the tracking server".into(),
        reason: format!("expected JSON, {err}"),
    })
}

/// The string at `path` in `json` (MLflow sends some integers as strings and vice versa).
pub(crate) fn string_at(url: &str, json: &Value, path: &[&str]) -> Result<String> {
    let found = path.iter().try_fold(json, |node, key| node.get(key));
    match found {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(Value::Number(number)) => Ok(number.to_string()),
        _ => Err(TrackingError::BadResponse {
            url: url.to_string(),
            reason: format!("expected a string at `{}`", path.join(".")),
        }),
    }
}

fn remote_run(url: &str, json: &Value) -> Result<RemoteRun> {
    let info = |key: &str| string_at(url, json, &["run", "info", key]);
    let pairs = |kind: &str| -> BTreeMap<String, String> {
        let items = json.pointer(&format!("/run/data/{kind}")).and_then(Value::as_array);
        items
            .into_iter()
            .flatten()
            .filter_map(|item| {
                Some((
                    item.get("key")?.as_str()?.to_string(),
                    item.get("value")?.as_str()?.to_string(),
                ))
            })
            .collect()
    };
    Ok(RemoteRun {
        run_id: info("run_id")?,
        experiment_id: info("experiment_id")?,
        artifact_uri: info("artifact_uri").unwrap_or_default(),
        status: info("status").ok().and_then(|name| RunStatus::from_name(&name)),
        end_time: info("end_time").ok().and_then(|time| time.parse().ok()),
        params: pairs("params"),
        tags: pairs("tags"),
    })
}

fn metric_from_json(url: &str, key: &str, item: &Value) -> Result<Metric> {
    let int =
        |name: &str| string_at(url, item, &[name]).ok().and_then(|text| text.parse::<i64>().ok());
    let value = item.get("value").and_then(metric_value_from_json);
    match (value, int("timestamp")) {
        (Some(value), Some(timestamp_ms)) => {
            Ok(Metric { key: key.to_string(), value, step: int("step").unwrap_or(0), timestamp_ms })
        }
        _ => Err(TrackingError::BadResponse {
            url: url.to_string(),
            reason: format!("expected a metric point with value and timestamp, found {item}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    /// Sync compares the server's metric values with the local ones bit for bit. Without
    /// serde_json's `float_roundtrip` feature about one decimal in ten parsed one ulp off,
    /// and a second sync re-sent points the server already had.
    #[test]
    fn metric_values_parse_exactly_as_written() {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            // Shortest round-trip spellings of f64 losses have up to 17 significant digits.
            let text = format!("0.{:017}", state % 100_000_000_000_000_000);
            let from_json: f64 = serde_json::from_str(&text).unwrap();
            assert_eq!(from_json.to_bits(), text.parse::<f64>().unwrap().to_bits(), "{text}");
        }
    }
}
