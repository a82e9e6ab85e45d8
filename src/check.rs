//! The rules every layer shares: the range of a request field, what a header may hold,
//! what a base URL must look like, the keys only mume sets, and the flag values that are
//! numbers with units. Pure functions of their arguments.

use anyhow::Result;
use serde_json::Value;

use crate::error::{CONFIG, USAGE, fail};

/// The body keys mume sets itself: `-o`, `[options]` and a role's options cannot.
pub(crate) const RESERVED: [&str; 3] = ["model", "messages", "stream"];

/// How much of a server's answer is read, at most; beyond these, a body is a protocol
/// failure rather than an out-of-memory.
///
/// | what | limit |
/// |---|---|
/// | one event of a stream | 16 MiB |
/// | a whole answer | 256 MiB |
/// | a batch row's answer (many are held at once) | 16 MiB |
/// | an error body (enough for any message) | 64 KiB |
pub(crate) const EVENT_LIMIT: usize = 16 * 1024 * 1024;
pub(crate) const BODY_LIMIT: u64 = 256 * 1024 * 1024;
pub(crate) const ROW_BODY_LIMIT: u64 = 16 * 1024 * 1024;
pub(crate) const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// Whether a path given for a file names stdin: `-`, or the files that are it.
pub(crate) fn names_stdin(path: &str) -> bool {
    matches!(path, "-" | "/dev/stdin" | "/dev/fd/0")
}

/// Text without the byte-order mark some editors start a file with.
pub(crate) fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

pub(crate) fn check_base_url(raw: &str) -> Result<String> {
    let base = raw.strip_suffix('/').unwrap_or(raw);
    let shown = crate::redact::url(raw);
    let url = reqwest::Url::parse(base)
        .map_err(|e| fail(CONFIG, format!("bad base URL `{shown}`: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(fail(
            CONFIG,
            format!("bad base URL `{shown}`: the scheme must be http or https"),
        ));
    }
    if base.ends_with("/chat/completions") {
        let stem = shown
            .trim_end_matches('/')
            .trim_end_matches("/chat/completions");
        return Err(fail(
            CONFIG,
            format!("bad base URL `{shown}`: drop `/chat/completions` (try `{stem}`)"),
        ));
    }
    Ok(base.to_string())
}

/// A header reqwest would refuse only when sending, and then as a connection error: a name
/// with spaces, a value with CR or LF. The message names the header, never its value.
pub(crate) fn check_header(name: &str, value: &str) -> std::result::Result<(), String> {
    use reqwest::header::{HeaderName, HeaderValue};
    if HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(format!(
            "`{}` is not a valid header name",
            crate::text::one_line(name)
        ));
    }
    if HeaderValue::from_str(value).is_err() {
        return Err(format!(
            "the value of header `{name}` holds a character a header cannot carry (a line break or another control character)"
        ));
    }
    Ok(())
}

/// The one range check of request fields, wherever they come from (`-t`, `--top-p`, `-o`,
/// the config file): a server may accept an out-of-range value silently, or reject it only
/// after the prompt has been sent.
pub(crate) fn check_field(key: &str, value: &Value) -> std::result::Result<(), String> {
    let (low, high) = match key {
        "temperature" => (0.0, 2.0),
        "top_p" => (0.0, 1.0),
        _ => return Ok(()),
    };
    match value.as_f64() {
        Some(v) if (low..=high).contains(&v) => Ok(()),
        Some(_) => Err(format!("{key} {value} is outside {low} to {high}")),
        None => Err(format!(
            "{key} must be a number from {low} to {high}, not {value}"
        )),
    }
}

pub(crate) fn is_loopback_url(url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(url) else {
        return false;
    };
    url.host_str().is_some_and(|host| {
        host.eq_ignore_ascii_case("localhost")
            || host
                .trim_matches(['[', ']'])
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    })
}

/// `-o KEY=VALUE`: VALUE as JSON where it parses, else as a string.
pub(crate) fn parse_option(option: &str) -> Result<(String, Value)> {
    let (key, raw) = option
        .split_once('=')
        .ok_or_else(|| fail(USAGE, format!("bad option `{option}`: expected KEY=VALUE")))?;
    let key = key.trim();
    match key {
        "" => Err(fail(
            USAGE,
            format!("bad option `{option}`: the key is empty"),
        )),
        key if RESERVED.contains(&key) => Err(fail(
            USAGE,
            format!("-o cannot set `{key}`: use the dedicated flag"),
        )),
        _ => {
            let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.into()));
            check_field(key, &value)
                .map_err(|e| fail(USAGE, format!("bad option -o {key}: {e}")))?;
            Ok((key.to_string(), value))
        }
    }
}

/// The shells `mume shell-init` has a snippet for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum InitShell {
    Bash,
    Zsh,
    Fish,
}

/// `--render`: when a text answer on stdout is drawn as Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RenderChoice {
    /// On a terminal only.
    Auto,
    /// Into a pipe too (for `less -R`).
    Always,
    /// Never: the answer's bytes as they came.
    Never,
}

impl RenderChoice {
    pub(crate) fn parse(text: &str) -> Option<RenderChoice> {
        match text {
            "auto" => Some(RenderChoice::Auto),
            "always" => Some(RenderChoice::Always),
            "never" => Some(RenderChoice::Never),
            _ => None,
        }
    }
}

/// `--think`: what is done with reasoning written inside the content (`<think>…</think>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ThinkChoice {
    /// Taken out of the content into the reasoning.
    Split,
    /// Left in the content.
    Keep,
}

/// `reasoning_effort`, as the API names its levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ReasoningEffort {
    Minimal,
    Low,
    Medium,
    High,
}

impl ReasoningEffort {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ReasoningEffort::Minimal => "minimal",
            ReasoningEffort::Low => "low",
            ReasoningEffort::Medium => "medium",
            ReasoningEffort::High => "high",
        }
    }
}

/// Longer than any run: a limit beyond it is no limit. Larger values would overflow
/// `Duration` or `Instant` where the callers turn seconds into a deadline.
pub(crate) const MAX_SECONDS: f64 = 100.0 * 365.25 * 24.0 * 3600.0;

/// A positive number of seconds, at most `MAX_SECONDS` (`1e20` means no limit).
pub(crate) fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && !v.is_nan() => Ok(v.min(MAX_SECONDS)),
        _ => Err(format!("`{s}` is not a positive number of seconds")),
    }
}

/// Parses a byte count with an optional K, M or G suffix (powers of 1024).
pub(crate) fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => t.split_at(i),
        None => (t, ""),
    };
    let shift = match unit.to_ascii_uppercase().trim_end_matches(['B', 'I']) {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        _ => return Err(format!("`{s}` is not a size (try 512K, 16M or 1G)")),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a size (try 512K, 16M or 1G)"))?;
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("`{s}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn options_parse_json_else_string() {
        assert_eq!(
            parse_option("top_k=40").unwrap(),
            ("top_k".into(), json!(40))
        );
        assert_eq!(
            parse_option("x=hello").unwrap(),
            ("x".into(), json!("hello"))
        );
        assert_eq!(parse_option("x={\"a\":1}").unwrap().1, json!({"a": 1}));
        assert_eq!(parse_option("x=a=b").unwrap().1, json!("a=b"));
        assert!(parse_option("model=x").is_err());
        assert!(parse_option("novalue").is_err());
    }

    #[test]
    fn base_urls() {
        assert_eq!(check_base_url("http://h/v1/").unwrap(), "http://h/v1");
        assert!(check_base_url("http://h/v1/chat/completions").is_err());
        assert!(check_base_url("ftp://h").is_err());
        assert!(check_base_url("not a url").is_err());
    }

    #[test]
    fn fields_are_range_checked() {
        assert!(check_field("temperature", &json!(2)).is_ok());
        assert!(check_field("temperature", &json!(0.0)).is_ok());
        assert!(check_field("temperature", &json!(2.01)).is_err());
        assert!(check_field("temperature", &json!("hot")).is_err());
        assert!(check_field("top_p", &json!(1)).is_ok());
        assert!(check_field("top_p", &json!(-0.1)).is_err());
        assert!(check_field("top_k", &json!(400)).is_ok());
        assert!(parse_option("temperature=9").is_err());
        assert!(parse_option("top_p=0.5").is_ok());
    }

    #[test]
    fn headers_are_checked() {
        assert!(check_header("X-Title", "mume").is_ok());
        assert!(check_header("Bad Name", "x").is_err());
        assert!(check_header("X", "a\r\nInjected: 1").is_err());
        let e = check_header("X-Api-Key", "secret\n").unwrap_err();
        assert!(e.contains("X-Api-Key") && !e.contains("secret"), "{e}");
    }

    #[test]
    fn loopback() {
        assert!(is_loopback_url("http://localhost:8080/v1"));
        assert!(is_loopback_url("http://127.0.0.2/v1"));
        assert!(is_loopback_url("http://[::1]:80/v1"));
        assert!(!is_loopback_url("https://mume.ai/api/v1"));
        assert!(!is_loopback_url("http://10.0.0.1/v1"));
    }
    #[test]
    fn sizes() {
        assert_eq!(parse_size("100"), Ok(100));
        assert_eq!(parse_size("16M"), Ok(16 << 20));
        assert_eq!(parse_size("2k"), Ok(2048));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert!(parse_size("12X").is_err());
        assert!(parse_size("").is_err());
    }

    #[test]
    fn seconds_too_large_for_the_clock_mean_no_limit() {
        assert_eq!(parse_seconds("1.5"), Ok(1.5));
        assert_eq!(parse_seconds("1e20"), Ok(MAX_SECONDS));
        assert_eq!(parse_seconds("inf"), Ok(MAX_SECONDS));
        assert!(parse_seconds("0").is_err());
        assert!(parse_seconds("NaN").is_err());
        let far = std::time::Duration::from_secs_f64(MAX_SECONDS);
        assert!(std::time::Instant::now().checked_add(far).is_some());
    }
}
