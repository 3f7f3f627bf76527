//! One line for an error and its causes.

/// The error and its causes joined by `": "`, leaving out a cause whose text is already part
/// of the line. Some libraries put their source's message into their own (as `thiserror`
/// formats with `{source}` do) and also return it as the source; printing the whole chain
/// would then say the same thing twice.
pub fn describe(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if text.is_empty() || line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("could not download {url}: {source}")]
    struct Download {
        url: &'static str,
        source: std::io::Error,
    }

    #[test]
    fn a_cause_embedded_in_its_parent_is_said_once() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        let error = anyhow::Error::new(Download { url: "http://127.0.0.1:9/x.gz", source: io })
            .context("loading the training images");
        assert_eq!(
            describe(&error),
            "loading the training images: could not download http://127.0.0.1:9/x.gz: \
             connection refused"
        );
        // anyhow's own chain format repeats the cause.
        assert!(format!("{error:#}").ends_with("connection refused: connection refused"));
    }

    #[test]
    fn causes_not_in_the_message_are_kept() {
        let error = anyhow::anyhow!("disk full").context("writing metrics.json");
        assert_eq!(describe(&error), "writing metrics.json: disk full");
    }
}
