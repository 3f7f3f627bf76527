//! One real `mlflow server` per test binary, on a free 127.0.0.1 port.
//!
//! `tests/py/serve.sh` runs it in its own process group and stops that group as soon as its
//! standard input closes. The pipe's writing end lives in this process, so the server goes
//! away when the test binary exits for any reason (passing, failing, killed).

use std::io::Read;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::python;

/// A running server.
pub struct MlflowServer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// Keeps the server alive; closing it stops the server.
    _stdin: Mutex<ChildStdin>,
    _child: Mutex<Child>,
}

/// The server of this test binary, started on first use.
pub fn server() -> &'static MlflowServer {
    static SERVER: OnceLock<MlflowServer> = OnceLock::new();
    SERVER.get_or_init(start)
}

fn start() -> MlflowServer {
    let port = free_port();
    let dir: PathBuf = tempfile::Builder::new().prefix("mlflow-server-").tempdir().unwrap().keep();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/serve.sh");
    let mut child = Command::new("sh")
        .arg(script)
        .arg(python())
        .arg(port.to_string())
        .arg(&dir)
        .stdin(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("sh starts");
    let stdin = child.stdin.take().unwrap();
    let url = format!("http://127.0.0.1:{port}");
    wait_until_healthy(&url, &dir.join("server.log"), &mut child);
    MlflowServer { url, _stdin: Mutex::new(stdin), _child: Mutex::new(child) }
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_until_healthy(url: &str, log: &Path, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(120);
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(2)))
        .proxy(None)
        .build()
        .new_agent();
    while Instant::now() < deadline {
        if let Ok(mut answer) = agent.get(&format!("{url}/health")).call()
            && answer.body_mut().read_to_string().is_ok_and(|body| body.trim() == "OK")
        {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("mlflow server wrapper exited ({status}):\n{}", read_log(log));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    panic!("mlflow server at {url} not healthy after 120 s:\n{}", read_log(log));
}

fn read_log(log: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut file) = std::fs::File::open(log) {
        let _ = file.read_to_string(&mut text);
    }
    text
}
