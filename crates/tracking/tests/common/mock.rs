//! A scripted HTTP server on 127.0.0.1 for faults the real MLflow cannot produce on demand:
//! chosen status codes, and a server that accepts connections but never answers.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// One request as the mock received it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`, `PUT`.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Header lines, lower-case names.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Request {
    /// The body as JSON (panics on anything else: only for tests).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// What the mock does with a request.
pub enum Reply {
    /// Answers with this status and JSON body.
    Json(u16, String),
    /// Reads the request and never answers (until the test binary ends or 20 s pass).
    Silent,
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A running mock server.
pub struct Mock {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Mock {
    /// Starts a mock answering each request with `handler`.
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (seen, handler): (_, Arc<Handler>) = (requests.clone(), Arc::new(handler));
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (seen, handler) = (seen.clone(), handler.clone());
                thread::spawn(move || serve(stream, &seen, handler.as_ref()));
            }
        });
        Mock { url, requests }
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// `(method, path without query)` of every request so far.
    pub fn calls(&self) -> Vec<(String, String)> {
        let strip = |path: &str| path.split('?').next().unwrap_or("").to_string();
        self.requests().iter().map(|r| (r.method.clone(), strip(&r.path))).collect()
    }

    /// How many requests went to a path ending with `suffix`.
    pub fn count(&self, suffix: &str) -> usize {
        self.calls().iter().filter(|(_, path)| path.ends_with(suffix)).count()
    }
}

fn serve(stream: TcpStream, seen: &Mutex<Vec<Request>>, handler: &Handler) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    while let Some(request) = read_request(&mut reader) {
        seen.lock().unwrap().push(request.clone());
        match handler(&request) {
            Reply::Json(status, body) => {
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\n\r\n",
                    body.len()
                );
                let mut out = &stream;
                if out
                    .write_all(head.as_bytes())
                    .and_then(|()| out.write_all(body.as_bytes()))
                    .is_err()
                {
                    return;
                }
            }
            Reply::Silent => {
                thread::sleep(Duration::from_secs(20));
                return;
            }
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    reader.read_line(&mut line).ok().filter(|n| *n > 0)?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let Some((name, value)) = header.trim_end().split_once(':') else { break };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap_or(0));
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request { method, path, headers, body })
}

/// An MLflow error body.
pub fn error_body(code: &str, message: &str) -> String {
    serde_json::json!({"error_code": code, "message": message}).to_string()
}
