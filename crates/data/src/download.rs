//! Downloads into the cache folder that never leave a partial or unverified file behind: each
//! file streams into a temporary file in the same folder while it is hashed, and is renamed to
//! its final name only when the sum is the official one. On any error the temporary file is
//! deleted (it is a [`tempfile::NamedTempFile`]).

use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;
use ureq::Agent;

use crate::error::{DataError, Result};
use crate::official::OfficialFile;

/// Longest wait for a TCP connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Longest wait for the response headers, and for any single read of the body (a stall).
const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Size of one read from the network.
const CHUNK_BYTES: usize = 64 * 1024;

/// The URL of `name` under the base URL `base` (with or without a trailing slash).
pub(crate) fn file_url(base: &str, name: &str) -> String {
    format!("{}/{name}", base.trim_end_matches('/'))
}

/// An HTTP agent with timeouts; it uses the proxy from the environment except for loopback
/// hosts, which no proxy can reach on our behalf.
pub(crate) fn agent_for(base: &str) -> Agent {
    let mut config = Agent::config_builder()
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_recv_response(Some(READ_TIMEOUT))
        .timeout_per_read(Some(READ_TIMEOUT));
    if is_loopback(base) {
        config = config.proxy(None);
    }
    config.build().into()
}

/// Whether the host of `url` is this machine.
fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = if authority.starts_with('[') {
        authority.split(']').next().unwrap_or(authority).trim_start_matches('[')
    } else {
        authority.split(':').next().unwrap_or(authority)
    };
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Downloads `file` from `base` into `cache_dir`, verified, under its official name.
pub(crate) fn download_verified(
    agent: &Agent,
    base: &str,
    file: &OfficialFile,
    cache_dir: &Path,
) -> Result<()> {
    let url = file_url(base, file.name);
    tracing::info!("downloading {url}");
    let mut temp = tempfile::Builder::new()
        .prefix(".download-")
        .suffix(".part")
        // A shared cache: readable by everyone, like any downloaded file.
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .tempfile_in(cache_dir)
        .map_err(|e| DataError::io("create a temporary file in", cache_dir, e))?;
    let found = stream_to(agent, &url, &mut temp)?;
    if found != file.sha256 {
        let path = url.into();
        return Err(DataError::Checksum { path, expected: file.sha256, found });
    }
    let target = cache_dir.join(file.name);
    temp.persist(&target).map_err(|e| DataError::io("move into place", &target, e.error))?;
    Ok(())
}

/// Streams the body of `url` into `temp`, returning the SHA-256 of what was written.
fn stream_to(agent: &Agent, url: &str, temp: &mut NamedTempFile) -> Result<String> {
    let download_error =
        |source: ureq::Error| DataError::Download { url: url.to_owned(), source: Box::new(source) };
    let response = agent.get(url).call().map_err(download_error)?;
    let mut body = response.into_body().into_reader();
    let mut hasher = Sha256::new();
    let mut chunk = vec![0u8; CHUNK_BYTES];
    loop {
        let n = body.read(&mut chunk).map_err(|e| download_error(e.into()))?;
        if n == 0 {
            break;
        }
        hasher.update(&chunk[..n]);
        temp.write_all(&chunk[..n]).map_err(|e| DataError::io("write", temp.path(), e))?;
    }
    temp.as_file().sync_all().map_err(|e| DataError::io("flush", temp.path(), e))?;
    Ok(format!("{:x}", hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_url_joins_with_one_slash() {
        assert_eq!(file_url("http://h/d/", "a.gz"), "http://h/d/a.gz");
        assert_eq!(file_url("http://h/d", "a.gz"), "http://h/d/a.gz");
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        assert!(is_loopback("http://127.0.0.1:8080/x"));
        assert!(is_loopback("http://localhost/x"));
        assert!(is_loopback("http://[::1]:9/x"));
        assert!(!is_loopback("http://example.org/x"));
        assert!(!is_loopback("https://127.0.0.1.example.org/x"));
    }
}
