//! SHA-256 of downloaded files.

use std::fs::File;
use std::io;
use std::path::Path;

use anyhow::{Context, ensure};
use sha2::{Digest, Sha256};

/// Hex SHA-256 of a file, streamed.
pub fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let mut file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher).with_context(|| format!("reading {}", path.display()))?;
    Ok(hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect())
}

/// Fails unless `path` hashes to `expected` (lower-case hex).
pub fn verify_sha256(path: &Path, expected: &str) -> anyhow::Result<()> {
    let found = sha256_file(path)?;
    ensure!(
        found == expected,
        "{} has SHA-256 {found}, expected {expected}; delete it and run again",
        path.display()
    );
    Ok(())
}
