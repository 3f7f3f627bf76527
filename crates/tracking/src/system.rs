//! The system tags the Python client sets on every run: user, source, run name and git.

use std::path::Path;
use std::process::Command;

/// Tags `mlflow.user`, `mlflow.source.name`, `mlflow.source.type` (`LOCAL`),
/// `mlflow.runName`, and, inside a git work tree, `mlflow.source.git.commit`,
/// `mlflow.source.git.branch` and `mlflow.source.git.repoURL` (credentials removed).
pub fn system_tags(run_name: &str, source_name: &str) -> Vec<(String, String)> {
    let mut tags = vec![
        ("mlflow.user".to_string(), current_user()),
        ("mlflow.source.name".to_string(), source_name.to_string()),
        ("mlflow.source.type".to_string(), "LOCAL".to_string()),
        ("mlflow.runName".to_string(), run_name.to_string()),
    ];
    tags.extend(git_tags(Path::new(".")));
    tags
}

/// The user name the Python client would record (`LOGNAME`, `USER`, `LNAME`, `USERNAME`).
pub fn current_user() -> String {
    ["LOGNAME", "USER", "LNAME", "USERNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|user| !user.is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}

fn git_tags(dir: &Path) -> Vec<(String, String)> {
    let Some(commit) = git(dir, &["rev-parse", "HEAD"]) else { return Vec::new() };
    let mut tags = vec![("mlflow.source.git.commit".to_string(), commit)];
    if let Some(branch) = git(dir, &["rev-parse", "--abbrev-ref", "HEAD"]) {
        tags.push(("mlflow.source.git.branch".to_string(), branch));
    }
    if let Some(url) = git(dir, &["remote", "get-url", "origin"]) {
        tags.push(("mlflow.source.git.repoURL".to_string(), strip_credentials(&url)));
    }
    tags
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).current_dir(dir).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (output.status.success() && !text.is_empty()).then(|| text.to_string())
}

/// `https://user:token@host/x` becomes `https://host/x`; scp-like `git@host:x` is kept.
fn strip_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    if path.is_empty() { format!("{scheme}://{host}") } else { format!("{scheme}://{host}/{path}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_python_client_tags_come_first() {
        let tags = system_tags("mlp-1", "fmnist");
        let keys: Vec<&str> = tags.iter().take(4).map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            ["mlflow.user", "mlflow.source.name", "mlflow.source.type", "mlflow.runName"]
        );
        assert_eq!(tags[2].1, "LOCAL");
        assert_eq!(tags[3].1, "mlp-1");
    }

    #[test]
    fn repo_urls_lose_their_credentials() {
        assert_eq!(
            strip_credentials("https://u:tok@github.com/a/b.git"),
            "https://github.com/a/b.git"
        );
        assert_eq!(strip_credentials("git@github.com:a/b.git"), "git@github.com:a/b.git");
        assert_eq!(strip_credentials("ssh://git@host"), "ssh://host");
    }

    #[test]
    fn git_tags_name_this_work_tree() {
        let tags = git_tags(Path::new(env!("CARGO_MANIFEST_DIR")));
        let commit = tags.iter().find(|(k, _)| k == "mlflow.source.git.commit").expect("a commit");
        assert_eq!(commit.1.len(), 40, "{tags:?}");
        assert!(commit.1.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
