//! HTTP for the REST backends: one [`HttpClient`] with timeouts, bearer auth, and retries with
//! exponential backoff on connection errors, timeouts, 429 and 5xx.
//!
//! A 4xx other than 429 is returned at once as [`TrackingError::Rejected`]; retrying cannot fix
//! it. When retries run out the error is [`TrackingError::Unreachable`], which callers treat as
//! an outage.

use std::time::Duration;

use ureq::Agent;
use ureq::http::{Method, Request};

use crate::backend::Secret;
use crate::error::{Result, TrackingError};

/// Timeouts and retry policy. [`HttpSettings::default`] suits a training run; tests shrink
/// everything so that fault injection takes seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpSettings {
    /// Limit for one whole request (connect, send, answer).
    pub timeout: Duration,
    /// Limit for opening the connection.
    pub connect_timeout: Duration,
    /// Retries after the first attempt (so `max_retries + 1` requests at most).
    pub max_retries: u32,
    /// Wait before the first retry; doubled for each next one, with random jitter.
    pub backoff_base: Duration,
    /// Longest wait between two attempts.
    pub backoff_max: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_retries: 4,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(8),
        }
    }
}

impl HttpSettings {
    /// Defaults, overridden by MLflow's own variables when set: `MLFLOW_HTTP_REQUEST_TIMEOUT`
    /// (seconds), `MLFLOW_HTTP_REQUEST_MAX_RETRIES`, `MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR`
    /// (seconds before the first retry).
    pub fn from_env() -> HttpSettings {
        let var = |name: &str| std::env::var(name).ok().and_then(|v| v.trim().parse::<f64>().ok());
        let mut settings = HttpSettings::default();
        if let Some(secs) = var("MLFLOW_HTTP_REQUEST_TIMEOUT").filter(|s| *s > 0.0) {
            settings.timeout = Duration::from_secs_f64(secs);
        }
        if let Some(retries) = var("MLFLOW_HTTP_REQUEST_MAX_RETRIES").filter(|r| *r >= 0.0) {
            settings.max_retries = retries as u32;
        }
        if let Some(secs) = var("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR").filter(|s| *s >= 0.0) {
            settings.backoff_base = Duration::from_secs_f64(secs);
        }
        settings
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let doubled = self.backoff_base.saturating_mul(2u32.saturating_pow(attempt));
        let capped = doubled.min(self.backoff_max);
        capped.mul_f64(rand::random_range(0.5..=1.0))
    }
}

/// A successful (2xx) answer.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Body text.
    pub body: String,
}

/// An HTTP client bound to one server.
#[derive(Debug, Clone)]
pub struct HttpClient {
    agent: Agent,
    base_url: String,
    token: Option<Secret>,
    settings: HttpSettings,
}

impl HttpClient {
    /// A client for `base_url` (no trailing `/`).
    pub fn new(base_url: &str, token: Option<Secret>, settings: HttpSettings) -> HttpClient {
        let mut config = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(settings.timeout))
            .timeout_connect(Some(settings.connect_timeout))
            .user_agent(concat!("fmnist-tracking/", env!("CARGO_PKG_VERSION")));
        if is_loopback(base_url) {
            config = config.proxy(None);
        }
        let agent = config.build().new_agent();
        HttpClient { agent, base_url: base_url.to_string(), token, settings }
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `GET <base><path_and_query>`.
    pub fn get(&self, path_and_query: &str) -> Result<Answer> {
        self.send(Method::GET, path_and_query, None, Vec::new())
    }

    /// `POST` of a JSON body.
    pub fn post_json(&self, path: &str, body: &serde_json::Value) -> Result<Answer> {
        self.send(Method::POST, path, Some("application/json"), body.to_string().into_bytes())
    }

    /// `PUT` of raw bytes.
    pub fn put_bytes(&self, path: &str, bytes: Vec<u8>) -> Result<Answer> {
        self.send(Method::PUT, path, Some("application/octet-stream"), bytes)
    }

    fn send(
        &self,
        method: Method,
        path: &str,
        kind: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Answer> {
        let url = format!("{}{path}", self.base_url);
        let mut attempt = 0;
        loop {
            let failure = match self.attempt(&method, &url, kind, &body) {
                Ok(answer) if answer.status < 300 => return Ok(answer),
                Ok(answer) if answer.status == 429 || answer.status >= 500 => {
                    format!("status {} {}", answer.status, first_chars(&answer.body))
                }
                Ok(answer) => return Err(rejected(&url, &answer)),
                Err(err) => describe_transport(&err),
            };
            if attempt >= self.settings.max_retries {
                return Err(TrackingError::Unreachable {
                    url,
                    attempts: attempt + 1,
                    reason: failure,
                });
            }
            let wait = self.settings.backoff(attempt);
            tracing::debug!(%url, attempt, ?wait, %failure, "retrying MLflow request");
            std::thread::sleep(wait);
            attempt += 1;
        }
    }

    fn attempt(
        &self,
        method: &Method,
        url: &str,
        kind: Option<&str>,
        body: &[u8],
    ) -> std::result::Result<Answer, ureq::Error> {
        let mut request = Request::builder().method(method.clone()).uri(url);
        if let Some(kind) = kind {
            request = request.header("Content-Type", kind);
        }
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {}", token.expose()));
        }
        let request = request.body(body)?;
        let mut response = self.agent.run(request)?;
        let status = response.status().as_u16();
        let body = response.body_mut().with_config().limit(64 * 1024 * 1024).read_to_string()?;
        Ok(Answer { status, body })
    }
}

fn rejected(url: &str, answer: &Answer) -> TrackingError {
    let parsed: Option<serde_json::Value> = serde_json::from_str(&answer.body).ok();
    let field = |name: &str| {
        parsed.as_ref().and_then(|json| json.get(name)).and_then(|v| v.as_str()).map(str::to_string)
    };
    TrackingError::Rejected {
        url: url.to_string(),
        status: answer.status,
        code: field("error_code").unwrap_or_else(|| "-".into()),
        message: field("message").unwrap_or_else(|| first_chars(&answer.body)),
    }
}

fn describe_transport(err: &ureq::Error) -> String {
    match err {
        ureq::Error::Timeout(which) => format!("timed out ({which:?})"),
        other => other.to_string(),
    }
}

fn first_chars(text: &str) -> String {
    let trimmed: String = text.trim().chars().take(200).collect();
    if trimmed.is_empty() { "(empty body)".into() } else { trimmed }
}

fn is_loopback(base_url: &str) -> bool {
    let rest = base_url.split_once("://").map_or(base_url, |(_, rest)| rest);
    let host = rest.split('/').next().unwrap_or("");
    ["127.", "localhost", "[::1]"].iter().any(|prefix| host.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_caps() {
        let settings = HttpSettings {
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_millis(300),
            ..HttpSettings::default()
        };
        let first = settings.backoff(0);
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        let second = settings.backoff(1);
        assert!(second >= Duration::from_millis(100) && second <= Duration::from_millis(200));
        assert!(settings.backoff(10) <= Duration::from_millis(300));
    }

    #[test]
    fn error_bodies_become_mlflow_codes() {
        let answer = Answer {
            status: 400,
            body: r#"{"error_code":"INVALID_PARAMETER_VALUE","message":"bad key"}"#.into(),
        };
        let err = rejected("http://127.0.0.1:1/api", &answer);
        assert_eq!(
            err.to_string(),
            "http://127.0.0.1:1/api answered 400 INVALID_PARAMETER_VALUE: bad key"
        );
        let plain = rejected("u", &Answer { status: 404, body: "<html>nope</html>".into() });
        assert_eq!(plain.to_string(), "u answered 404 -: <html>nope</html>");
    }

    #[test]
    fn loopback_hosts_skip_proxies() {
        assert!(is_loopback("http://127.0.0.1:5000"));
        assert!(is_loopback("http://localhost"));
        assert!(!is_loopback("https://mlflow.example.com"));
    }
}
