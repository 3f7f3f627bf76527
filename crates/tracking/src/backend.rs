//! Which backend a tracking URI means: [`Backend`], resolved from `MLFLOW_TRACKING_URI`, the
//! config, or the default `mlruns` folder. Tokens are held in [`Secret`], which never prints.

use std::path::PathBuf;

use crate::error::{Result, TrackingError};
use crate::fsutil::path_from_file_uri;

/// An access token. Its `Debug` and `Display` print `***`, so it cannot leak into logs or
/// error messages by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Secret {
        Secret(token.into())
    }

    /// The token itself, for the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Where runs go.
#[derive(Debug, Clone, PartialEq)]
pub enum Backend {
    /// A directory store (`mlruns/` by default).
    Local {
        /// Root folder of the store.
        root: PathBuf,
    },
    /// An MLflow tracking server (`http://` or `https://`), optionally with a bearer token
    /// (`MLFLOW_TRACKING_TOKEN`).
    Rest {
        /// Base URL without a trailing `/`.
        base_url: String,
        /// Bearer token, if any.
        token: Option<Secret>,
    },
    /// A Databricks workspace (`databricks`), from `DATABRICKS_HOST` and `DATABRICKS_TOKEN`.
    Databricks {
        /// Workspace URL without a trailing `/`.
        host: String,
        /// Personal access token.
        token: Secret,
    },
}

/// The store used when nothing is configured.
pub const DEFAULT_STORE: &str = "mlruns";

impl Backend {
    /// Resolves a tracking URI. `env` looks up environment variables (tokens and hosts);
    /// passing a closure keeps this testable without touching the process environment.
    pub fn from_uri(uri: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Backend> {
        let uri = uri.trim();
        if uri == "databricks" || uri.starts_with("databricks://") {
            return databricks(uri, env);
        }
        if uri.starts_with("http://") || uri.starts_with("https://") {
            return rest(uri, env);
        }
        if uri.starts_with("file:") {
            let root = path_from_file_uri(uri)
                .ok_or_else(|| TrackingError::config(format!("cannot read file URI {uri:?}")))?;
            return Ok(Backend::Local { root });
        }
        if let Some((scheme, _)) = uri.split_once("://").or_else(|| uri.split_once(":///")) {
            return Err(TrackingError::config(format!(
                "tracking URI scheme {scheme:?} is not supported, expected a folder, file:, \
                 http(s):// or databricks (for a database store run `mlflow server` on it)"
            )));
        }
        if uri.is_empty() {
            return Err(TrackingError::config("empty tracking URI, expected a folder or URL"));
        }
        Ok(Backend::Local { root: PathBuf::from(uri) })
    }

    /// The URI to show to people: no token, ever.
    pub fn display_uri(&self) -> String {
        match self {
            Backend::Local { root } => root.display().to_string(),
            Backend::Rest { base_url, .. } => base_url.clone(),
            Backend::Databricks { host, .. } => format!("databricks ({host})"),
        }
    }

    /// The URI to give to `mlflow-sync --to` to reach this backend again.
    pub fn sync_uri(&self) -> String {
        match self {
            Backend::Local { root } => root.display().to_string(),
            Backend::Rest { base_url, .. } => base_url.clone(),
            Backend::Databricks { .. } => "databricks".to_string(),
        }
    }
}

/// Picks the tracking URI: `env_uri` (from `MLFLOW_TRACKING_URI`) when set and non-empty,
/// else the config's, else [`DEFAULT_STORE`].
pub fn choose_uri(env_uri: Option<String>, config_uri: Option<&str>) -> String {
    let non_empty = |uri: &str| !uri.trim().is_empty();
    env_uri
        .filter(|uri| non_empty(uri))
        .or(config_uri.filter(|uri| non_empty(uri)).map(str::to_string))
        .unwrap_or_else(|| DEFAULT_STORE.to_string())
}

fn rest(uri: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Backend> {
    let (_, rest) = uri.split_once("://").unwrap_or(("", uri));
    let authority = rest.split('/').next().unwrap_or("");
    if authority.contains('@') {
        return Err(TrackingError::config(
            "credentials inside the tracking URI are not accepted (they would end up in logs); \
             put a bearer token in MLFLOW_TRACKING_TOKEN instead",
        ));
    }
    if authority.is_empty() {
        return Err(TrackingError::config(format!("tracking URI {uri:?} has no host")));
    }
    let token = env("MLFLOW_TRACKING_TOKEN").filter(|t| !t.is_empty()).map(Secret::new);
    Ok(Backend::Rest { base_url: uri.trim_end_matches('/').to_string(), token })
}

fn databricks(uri: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Backend> {
    if uri != "databricks" {
        return Err(TrackingError::config(
            "Databricks CLI profiles (databricks://<profile>) are not supported, expected \
             `databricks` with DATABRICKS_HOST and DATABRICKS_TOKEN set",
        ));
    }
    let host = env("DATABRICKS_HOST").filter(|h| !h.trim().is_empty()).ok_or_else(|| {
        TrackingError::config("tracking URI `databricks` needs DATABRICKS_HOST, which is not set")
    })?;
    let token = env("DATABRICKS_TOKEN").filter(|t| !t.is_empty()).ok_or_else(|| {
        TrackingError::config("tracking URI `databricks` needs DATABRICKS_TOKEN, which is not set")
    })?;
    let host = host.trim().trim_end_matches('/');
    let host = if host.contains("://") { host.to_string() } else { format!("https://{host}") };
    Ok(Backend::Databricks { host, token: Secret::new(token) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn env_beats_config_beats_default() {
        assert_eq!(choose_uri(Some("http://a".into()), Some("b")), "http://a");
        assert_eq!(choose_uri(Some(" ".into()), Some("b")), "b");
        assert_eq!(choose_uri(None, None), "mlruns");
    }

    #[test]
    fn uris_map_to_backends() {
        let local = Backend::from_uri("mlruns", &no_env).unwrap();
        assert_eq!(local, Backend::Local { root: "mlruns".into() });
        let file = Backend::from_uri("file:///tmp/m%20r", &no_env).unwrap();
        assert_eq!(file, Backend::Local { root: "/tmp/m r".into() });
        let rest = Backend::from_uri("http://127.0.0.1:5000/", &no_env).unwrap();
        assert_eq!(rest, Backend::Rest { base_url: "http://127.0.0.1:5000".into(), token: None });
        assert!(Backend::from_uri("sqlite:///mlflow.db", &no_env).is_err());
        assert!(Backend::from_uri("http://user:pw@host", &no_env).is_err());
    }

    #[test]
    fn databricks_needs_host_and_token_and_hides_the_token() {
        let env = |name: &str| match name {
            "DATABRICKS_HOST" => Some("adb-1.example.net/".to_string()),
            "DATABRICKS_TOKEN" => Some("dapi-very-secret".to_string()),
            _ => None,
        };
        let backend = Backend::from_uri("databricks", &env).unwrap();
        let shown = format!("{backend:?} {}", backend.display_uri());
        assert!(!shown.contains("dapi-very-secret"), "{shown}");
        assert!(shown.contains("https://adb-1.example.net"));
        let err = Backend::from_uri("databricks", &no_env).unwrap_err();
        assert!(err.to_string().contains("DATABRICKS_HOST"));
    }
}
