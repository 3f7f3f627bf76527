//! [`Tracker`]: the configured backend, and the place where runs start.

use std::path::{Path, PathBuf};

use crate::backend::{Backend, DEFAULT_STORE, choose_uri};
use crate::error::Result;
use crate::http::{HttpClient, HttpSettings};
use crate::rest::RestApi;
use crate::run::{Remote, Run};
use crate::store::{LocalStore, NewRun};
use crate::system::current_user;
use crate::types::{new_run_id, now_ms};
use crate::validate::{check_name, check_tag};

/// Tag set on every run (locally and on the server) to the id of its local-store copy; sync
/// finds the server's copy of a run by it, which is what makes replay idempotent.
pub const LOCAL_RUN_TAG: &str = "fmnist.local_run_id";

/// A configured tracking backend. Cheap to clone; holds no connection.
#[derive(Debug, Clone)]
pub struct Tracker {
    backend: Backend,
    local_root: PathBuf,
    http: HttpSettings,
}

impl Tracker {
    /// The backend named by `MLFLOW_TRACKING_URI` if set, else by `config_uri`, else the
    /// directory store `mlruns` in the current directory. HTTP settings come from MLflow's
    /// `MLFLOW_HTTP_REQUEST_*` variables (see [`HttpSettings::from_env`]).
    pub fn from_env_or(config_uri: Option<&str>) -> Result<Tracker> {
        let uri = choose_uri(std::env::var("MLFLOW_TRACKING_URI").ok(), config_uri);
        let env = |name: &str| std::env::var(name).ok();
        let backend = Backend::from_uri(&uri, &env)?;
        Ok(Tracker::new(backend).with_http_settings(HttpSettings::from_env()))
    }

    /// A tracker for `backend`. Remote runs keep their local copy in `mlruns`.
    pub fn new(backend: Backend) -> Tracker {
        let local_root = match &backend {
            Backend::Local { root } => root.clone(),
            _ => PathBuf::from(DEFAULT_STORE),
        };
        Tracker { backend, local_root, http: HttpSettings::default() }
    }

    /// A tracker writing only to the directory store at `root`.
    pub fn local(root: impl Into<PathBuf>) -> Tracker {
        Tracker::new(Backend::Local { root: root.into() })
    }

    /// Uses `root` as the directory store (for a remote backend: where each run's local copy
    /// goes, which is what an outage falls back to and what sync replays).
    pub fn with_local_store(mut self, root: impl Into<PathBuf>) -> Tracker {
        self.local_root = root.into();
        if let Backend::Local { root } = &mut self.backend {
            root.clone_from(&self.local_root);
        }
        self
    }

    /// Replaces the timeouts and retry policy of the REST backends.
    pub fn with_http_settings(mut self, http: HttpSettings) -> Tracker {
        self.http = http;
        self
    }

    /// The backend.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The directory store used by (or alongside) the backend.
    pub fn local_store(&self) -> &Path {
        &self.local_root
    }

    /// Starts run `run_name` in experiment `experiment` (created when missing) with `tags`
    /// (typically [`crate::system_tags`]). The run is written to the local store first; with a
    /// remote backend it is then created on the server. A server that cannot be reached does
    /// not stop the run: it goes on locally, with one warning, and can be synced later.
    pub fn start_run(
        &self,
        experiment: &str,
        run_name: &str,
        tags: &[(String, String)],
    ) -> Result<Run> {
        check_name("experiment name", experiment)?;
        check_name("run name", run_name)?;
        let run_id = new_run_id();
        let tags = creation_tags(tags, run_name, &run_id);
        for (key, value) in &tags {
            check_tag(key, value)?;
        }
        let user = tags
            .iter()
            .find(|(k, _)| k == "mlflow.user")
            .map_or_else(current_user, |t| t.1.clone());
        let start_time = now_ms();
        let store = LocalStore::open(&self.local_root)?;
        let new_run = NewRun { run_id: &run_id, run_name, user: &user, start_time, tags: &tags };
        let local = store.create_run(&store.experiment_id(experiment)?, &new_run)?;
        let mut run = Run::new(local, store.root().to_path_buf(), self.backend.clone());
        if let Some(api) = self.rest_api() {
            let created = api
                .experiment_id(experiment)
                .and_then(|id| api.create_run(&id, run_name, &user, start_time, &tags));
            match created {
                Ok(remote_run) => run.attach(Remote::new(api, remote_run)),
                Err(err) if err.is_outage() => run.go_offline(&err),
                Err(err) => return Err(run.fail_with(err)),
            }
        }
        Ok(run)
    }

    /// The REST client of a remote backend, `None` for the directory store.
    pub(crate) fn rest_api(&self) -> Option<RestApi> {
        rest_api(&self.backend, &self.http)
    }
}

pub(crate) fn rest_api(backend: &Backend, http: &HttpSettings) -> Option<RestApi> {
    let (base_url, token) = match backend {
        Backend::Local { .. } => return None,
        Backend::Rest { base_url, token } => (base_url, token.clone()),
        Backend::Databricks { host, token } => (host, Some(token.clone())),
    };
    Some(RestApi::new(HttpClient::new(base_url, token, http.clone())))
}

fn creation_tags(tags: &[(String, String)], run_name: &str, run_id: &str) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> =
        tags.iter().filter(|(k, _)| k != LOCAL_RUN_TAG).cloned().collect();
    if !all.iter().any(|(k, _)| k == "mlflow.runName") {
        all.push(("mlflow.runName".into(), run_name.into()));
    }
    all.push((LOCAL_RUN_TAG.into(), run_id.into()));
    all
}

impl From<Backend> for Tracker {
    fn from(backend: Backend) -> Tracker {
        Tracker::new(backend)
    }
}
