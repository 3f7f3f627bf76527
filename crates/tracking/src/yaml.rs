//! The flat `key: scalar` YAML of MLflow's `meta.yaml` files, written and read.
//!
//! Only what those files hold is supported: one mapping of scalars (strings, integers,
//! `null`, `[]`). Writing quotes a string whenever YAML could read it as anything else, the
//! way PyYAML does for `experiment_id: '0'`; keys are written in alphabetical order, which
//! reproduces MLflow's own files.

use std::collections::BTreeMap;

/// One scalar value of a `meta.yaml` entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// A string (quoted when needed).
    Str(String),
    /// An integer.
    Int(i64),
    /// `null`.
    Null,
    /// `[]`, the empty list MLflow writes for the legacy `tags` key.
    EmptyList,
}

/// Writes a mapping, keys in alphabetical order, one per line.
pub fn write(entries: &BTreeMap<&str, Scalar>) -> String {
    let mut out = String::new();
    for (key, value) in entries {
        out.push_str(key);
        out.push_str(": ");
        out.push_str(&scalar_text(value));
        out.push('\n');
    }
    out
}

fn scalar_text(value: &Scalar) -> String {
    match value {
        Scalar::Str(text) => string_text(text),
        Scalar::Int(number) => number.to_string(),
        Scalar::Null => "null".to_string(),
        Scalar::EmptyList => "[]".to_string(),
    }
}

fn string_text(text: &str) -> String {
    if text.chars().any(|c| c.is_control() || !c.is_ascii()) {
        return double_quoted(text);
    }
    if needs_quotes(text) {
        return format!("'{}'", text.replace('\'', "''"));
    }
    text.to_string()
}

/// True when a plain scalar would be read back as something else than this string.
fn needs_quotes(text: &str) -> bool {
    const SPECIAL_WORDS: [&str; 12] =
        ["null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", "=", "<<"];
    let Some(first) = text.chars().next() else { return true };
    let lower = text.to_ascii_lowercase();
    first.is_ascii_digit()
        || "-+.?:,[]{}#&*!|>'\"%@` ".contains(first)
        || text.ends_with(' ')
        || text.ends_with(':')
        || text.contains(": ")
        || text.contains(" #")
        || SPECIAL_WORDS.contains(&lower.as_str())
}

fn double_quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_ascii() && !c.is_control() => out.push(c),
            c if u32::from(c) <= 0xFFFF => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push_str(&format!("\\U{:08X}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// Reads a flat mapping. Indented lines continue the previous value (PyYAML folds long
/// scalars that way). Returns the first problem found as a readable reason.
pub fn read(text: &str) -> Result<BTreeMap<String, Scalar>, String> {
    let mut raw: Vec<(String, String)> = Vec::new();
    for (line_idx, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            let Some((_, value)) = raw.last_mut() else {
                return Err(format!("line {}: indented line before any key", line_idx + 1));
            };
            join_continuation(value, line.trim());
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(format!("line {}: expected `key: value`, found {line:?}", line_idx + 1));
        };
        raw.push((key.trim().to_string(), value.trim().to_string()));
    }
    raw.into_iter().map(|(key, value)| Ok((key, parse_scalar(&value)?))).collect()
}

fn join_continuation(value: &mut String, next: &str) {
    if value.starts_with('"') && value.ends_with('\\') {
        value.pop();
    } else {
        value.push(' ');
    }
    value.push_str(next);
}

fn parse_scalar(text: &str) -> Result<Scalar, String> {
    if let Some(inner) = text.strip_prefix('\'').and_then(|rest| rest.strip_suffix('\'')) {
        return Ok(Scalar::Str(inner.replace("''", "'")));
    }
    if let Some(inner) = text.strip_prefix('"').and_then(|rest| rest.strip_suffix('"')) {
        return unescape(inner).map(Scalar::Str);
    }
    Ok(match text {
        "" | "null" | "~" | "Null" | "NULL" => Scalar::Null,
        "[]" => Scalar::EmptyList,
        _ => match text.parse::<i64>() {
            Ok(number) => Scalar::Int(number),
            Err(_) => Scalar::Str(text.to_string()),
        },
    })
}

fn unescape(inner: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let escaped = chars.next().ok_or("dangling backslash in a quoted value")?;
        let width = match escaped {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            other => {
                out.push(simple_escape(other)?);
                continue;
            }
        };
        let hex: String = chars.by_ref().take(width).collect();
        let code =
            u32::from_str_radix(&hex, 16).map_err(|_| format!("bad escape \\{escaped}{hex}"))?;
        out.push(char::from_u32(code).ok_or(format!("bad code point {code:#x}"))?);
    }
    Ok(out)
}

fn simple_escape(c: char) -> Result<char, String> {
    Ok(match c {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        '0' => '\0',
        '"' | '\\' | '/' | ' ' => c,
        other => return Err(format!("unknown escape \\{other}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_like_pyyaml() {
        let entries = BTreeMap::from([
            ("name", Scalar::Str("Default".into())),
            ("experiment_id", Scalar::Str("0".into())),
            ("end_time", Scalar::Null),
            ("source_name", Scalar::Str(String::new())),
            ("status", Scalar::Int(3)),
            ("tags", Scalar::EmptyList),
        ]);
        let expected = "end_time: null\nexperiment_id: '0'\nname: Default\nsource_name: ''\n\
                        status: 3\ntags: []\n";
        assert_eq!(write(&entries), expected);
    }

    #[test]
    fn strings_round_trip() {
        let tricky =
            ["fashion mnist: test", "it's", "yes", "-x", "é\"\\\n", "a #b", "🙂", "plain", "3"];
        for text in tricky {
            let entries = BTreeMap::from([("name", Scalar::Str(text.to_string()))]);
            let back = read(&write(&entries)).unwrap();
            assert_eq!(back["name"], Scalar::Str(text.to_string()), "{text:?}");
        }
    }

    #[test]
    fn reads_folded_lines() {
        let text = "name: a long\n  experiment name\nid: \"x\\\n  y\"\n";
        let back = read(text).unwrap();
        assert_eq!(back["name"], Scalar::Str("a long experiment name".into()));
        assert_eq!(back["id"], Scalar::Str("xy".into()));
    }

    #[test]
    fn garbage_is_reported_with_its_line() {
        assert_eq!(
            read("ok: 1\nnot yaml\n").unwrap_err(),
            "line 2: expected `key: value`, found \"not yaml\""
        );
    }
}
