//! A TCP relay on 127.0.0.1 in front of the real server, which a test can cut to simulate an
//! outage: open connections are shut down and new ones are refused.

use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

/// A running relay.
pub struct Proxy {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    addr: SocketAddr,
    cut: Arc<AtomicBool>,
    streams: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    /// Relays 127.0.0.1:<new port> to `target` (`host:port`).
    pub fn start(target: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let cut = Arc::new(AtomicBool::new(false));
        let streams = Arc::new(Mutex::new(Vec::new()));
        let (cut_flag, open) = (cut.clone(), streams.clone());
        let target = target.to_string();
        thread::spawn(move || {
            for client in listener.incoming() {
                if cut_flag.load(Ordering::SeqCst) {
                    return; // drops the listener: later connections are refused
                }
                let Ok(client) = client else { continue };
                let Ok(upstream) = TcpStream::connect(&target) else { continue };
                relay(client, upstream, &open);
            }
        });
        Proxy { url: format!("http://{addr}"), addr, cut, streams }
    }

    /// Cuts every connection and refuses new ones from now on.
    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wakes the accept loop so it can stop
        for stream in self.streams.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

fn relay(client: TcpStream, upstream: TcpStream, open: &Arc<Mutex<Vec<TcpStream>>>) {
    {
        let mut open = open.lock().unwrap();
        open.push(client.try_clone().unwrap());
        open.push(upstream.try_clone().unwrap());
    }
    pipe(client.try_clone().unwrap(), upstream.try_clone().unwrap());
    pipe(upstream, client);
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    thread::spawn(move || {
        let _ = io::copy(&mut from, &mut to);
        let _ = to.shutdown(Shutdown::Write);
    });
}
