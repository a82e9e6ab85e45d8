//! Resolves flags, environment and config file into one checked `Settings` value, with the
//! precedence of the contract: `-o`, then dedicated flags, then environment, then the
//! config's `[options]`, then its other keys, then defaults.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::io::Read;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::{Map, Value, json};

use crate::cli::Cli;
use crate::config::{self, ConfigFile};
use crate::error::{CONFIG, PERMISSION, TEMPORARY, USAGE, fail};

pub(crate) const DEFAULT_BASE_URL: &str = "https://mume.ai/api/v1";
pub(crate) const DEFAULT_MODEL: &str = "openai/gpt-4.1-mini";

/// Where a setting's value came from, for `mume config` and for hints in errors.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Source {
    Flag,
    Env(&'static str),
    File,
    Default,
}

#[derive(Debug)]
pub(crate) struct Settings {
    pub(crate) base_url: String,
    pub(crate) base_url_from: Source,
    pub(crate) model: String,
    pub(crate) model_from: Source,
    pub(crate) system: Option<String>,
    /// Request fields other than model, messages and stream, precedence applied.
    pub(crate) fields: Map<String, Value>,
    /// Where each of `fields` came from.
    pub(crate) field_sources: BTreeMap<String, Source>,
    pub(crate) system_from: Source,
    pub(crate) stream: bool,
    pub(crate) stream_from: Source,
    pub(crate) save: bool,
    pub(crate) save_from: Source,
    pub(crate) headers: Vec<(String, String, Source)>,
    pub(crate) ca_cert: Option<PathBuf>,
    pub(crate) ca_cert_from: Source,
    pub(crate) config_path: Option<PathBuf>,
    /// When `--max-time`, counted from the start of the run, is up; `None` for no limit
    /// (also for a limit too far away for the clock).
    pub(crate) deadline: Option<Instant>,
    config: ConfigFile,
}

/// The API key and where it came from.
pub(crate) struct Key {
    pub(crate) value: String,
    pub(crate) from: &'static str,
}

impl Settings {
    pub(crate) fn resolve(cli: &Cli) -> Result<Settings> {
        // Known as a secret before anything can fail: an error may quote what it was given.
        if let Some(key) = env("MUME_API_KEY") {
            crate::redact::add_secret(&key);
        }
        let deadline = cli
            .max_time
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .and_then(|d| Instant::now().checked_add(d));
        let (config, config_path) = config::load()?;

        let (base, base_url_from) = pick(
            cli.base_url.clone(),
            "MUME_BASE_URL",
            config.base_url.clone(),
            DEFAULT_BASE_URL,
        );
        let base_url = check_base_url(&base)?;
        add_url_secrets(&base_url);

        let (model, model_from) = pick(
            cli.model.clone(),
            "MUME_MODEL",
            config.model.clone(),
            DEFAULT_MODEL,
        );
        let model = config.aliases.get(&model).cloned().unwrap_or(model);

        let (stream, stream_from) = if cli.stream || cli.no_stream {
            (cli.stream, Source::Flag)
        } else if let Some(s) = config.stream {
            (s, Source::File)
        } else {
            (
                std::io::stdout().is_terminal() && !cli.json,
                Source::Default,
            )
        };

        let (save, save_from) = if cli.no_save {
            (false, Source::Flag)
        } else if env("MUME_NO_SAVE").is_some_and(|v| v != "0") {
            (false, Source::Env("MUME_NO_SAVE"))
        } else if let Some(s) = config.save {
            (s, Source::File)
        } else {
            (true, Source::Default)
        };

        let mut headers: Vec<(String, String, Source)> = Vec::new();
        for (name, value) in &config.headers {
            check_header(name, value).map_err(|e| {
                let file = config_path.as_deref().unwrap_or(std::path::Path::new("?"));
                fail(CONFIG, format!("bad config file {}: {e}", file.display()))
            })?;
            headers.push((name.clone(), value.clone(), Source::File));
        }
        for h in &cli.headers {
            // The text may hold a key, so errors name the header, never its value.
            let (name, value) = h.split_once(':').ok_or_else(|| {
                fail(
                    USAGE,
                    "bad -H value: expected 'Name: value' (no `:` found)".to_string(),
                )
            })?;
            let (name, value) = (name.trim(), value.trim());
            check_header(name, value).map_err(|e| fail(USAGE, format!("bad -H: {e}")))?;
            headers.retain(|(n, _, _)| !n.eq_ignore_ascii_case(name));
            headers.push((name.to_string(), value.to_string(), Source::Flag));
        }

        let Fields {
            values: fields,
            sources: field_sources,
        } = request_fields(cli, &config, stream)?;
        let (system, system_from) = flag_or_file(cli.system.as_ref(), config.system.as_ref());
        let (ca_cert, ca_cert_from) = flag_or_file(cli.cacert.as_ref(), config.ca_cert.as_ref());
        let settings = Settings {
            base_url,
            base_url_from,
            model,
            model_from,
            system,
            system_from,
            fields,
            field_sources,
            stream,
            stream_from,
            save,
            save_from,
            headers,
            ca_cert,
            ca_cert_from,
            config_path,
            deadline,
            config,
        };
        settings.add_key_secret();
        Ok(settings)
    }

    /// True when the base URL points at this machine: no key needed, no proxy used.
    pub(crate) fn is_loopback(&self) -> bool {
        is_loopback_url(&self.base_url)
    }

    /// Finds the API key: `MUME_API_KEY`, then `api_key_command`, then `api_key`.
    /// `None` only for a loopback base URL; elsewhere a missing key is an error.
    pub(crate) fn key(&self) -> Result<Option<Key>> {
        let (value, from) = match self.key_source() {
            KeySource::Env(value) => (value, "MUME_API_KEY"),
            KeySource::Command(command) => {
                (run_key_command(command, self.deadline)?, "api_key_command")
            }
            KeySource::File(value) => (value.to_string(), "api_key in the config file"),
            KeySource::None if self.is_loopback() => return Ok(None),
            KeySource::None => {
                let file = config::path()
                    .map(|(p, _)| p.display().to_string())
                    .unwrap_or_else(|| "the config file".into());
                return Err(fail(
                    PERMISSION,
                    format!(
                        "no API key for {}: set MUME_API_KEY, or api_key_command or api_key in {file}",
                        crate::redact::url(&self.base_url)
                    ),
                ));
            }
        };
        // A line break would end the header early: say so rather than send no key.
        if reqwest::header::HeaderValue::from_str(&format!("Bearer {value}")).is_err() {
            return Err(fail(
                CONFIG,
                format!(
                    "the API key from {from} holds a character a header cannot carry (a line break?)"
                ),
            ));
        }
        Ok(Some(Key { value, from }))
    }

    /// Makes the key known to `ui` as a secret when it can be had without running
    /// anything, so that `mume config` and `--dry-run -v` hide it too.
    fn add_key_secret(&self) {
        match self.key_source() {
            KeySource::Env(value) => crate::redact::add_secret(&value),
            KeySource::File(value) => crate::redact::add_secret(value),
            KeySource::Command(_) | KeySource::None => {}
        }
    }

    /// Describes where the key would come from, without running anything.
    pub(crate) fn key_origin(&self) -> (&'static str, Source) {
        match self.key_source() {
            KeySource::Env(_) => ("set", Source::Env("MUME_API_KEY")),
            KeySource::Command(_) => ("from api_key_command", Source::File),
            KeySource::File(_) => ("set", Source::File),
            KeySource::None => ("none", Source::Default),
        }
    }

    /// The first place that holds a key, in the contract's order.
    fn key_source(&self) -> KeySource<'_> {
        if let Some(value) = env("MUME_API_KEY") {
            KeySource::Env(value)
        } else if let Some(command) = &self.config.api_key_command {
            KeySource::Command(command)
        } else if let Some(value) = &self.config.api_key {
            KeySource::File(value)
        } else {
            KeySource::None
        }
    }
}

enum KeySource<'a> {
    Env(String),
    Command(&'a str),
    File(&'a str),
    None,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn pick(
    flag: Option<String>,
    env_name: &'static str,
    file: Option<String>,
    default: &str,
) -> (String, Source) {
    if let Some(v) = flag {
        (v, Source::Flag)
    } else if let Some(v) = env(env_name) {
        (v, Source::Env(env_name))
    } else if let Some(v) = file {
        (v, Source::File)
    } else {
        (default.to_string(), Source::Default)
    }
}

/// A setting that only a flag or the config file can give.
fn flag_or_file<T: Clone>(flag: Option<&T>, file: Option<&T>) -> (Option<T>, Source) {
    match (flag, file) {
        (Some(v), _) => (Some(v.clone()), Source::Flag),
        (None, Some(v)) => (Some(v.clone()), Source::File),
        (None, None) => (None, Source::Default),
    }
}

fn check_base_url(raw: &str) -> Result<String> {
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

/// A password in the base URL is a secret like the key: errors that quote the URL in
/// their own words (reqwest's, a proxy's) must not show it.
fn add_url_secrets(base_url: &str) {
    let Ok(url) = reqwest::Url::parse(base_url) else {
        return;
    };
    if url.username().is_empty() && url.password().is_none() {
        return;
    }
    let both = format!("{}:{}", url.username(), url.password().unwrap_or(""));
    for part in [url.username(), url.password().unwrap_or(""), &both] {
        crate::redact::add_secret(part);
        if let Ok(decoded) = std::str::from_utf8(&percent_decode(part)) {
            crate::redact::add_secret(decoded);
        }
    }
}

/// `%XX` escapes decoded; anything else kept as it is.
fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// A header reqwest would refuse only when sending, and then as a connection error: a name
/// with spaces, a value with CR or LF. The message names the header, never its value.
fn check_header(name: &str, value: &str) -> std::result::Result<(), String> {
    use reqwest::header::{HeaderName, HeaderValue};
    if HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(format!(
            "`{}` is not a valid header name",
            crate::ui::one_line(name)
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

/// Runs `api_key_command` and returns its output, the key. Past `deadline` the command is
/// killed: a `pass` waiting for a passphrase nobody will type must not hang a cron job.
fn run_key_command(command: &str, deadline: Option<Instant>) -> Result<String> {
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(CONFIG, format!("cannot run api_key_command: {e}")))?;
    let (Some(mut stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(fail(CONFIG, "cannot run api_key_command: no pipes"));
    };
    let (done, output) = mpsc::channel();
    std::thread::spawn(move || {
        let errors = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = stderr.read_to_end(&mut bytes);
            bytes
        });
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        let _ = done.send((out, errors.join().unwrap_or_default()));
    });
    let received = match deadline {
        None => output.recv().ok(),
        Some(deadline) => output
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .ok(),
    };
    let Some((out, errors)) = received else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(fail(
            TEMPORARY,
            "gave up: --max-time reached while api_key_command was running (it was stopped)",
        ));
    };
    let status = child
        .wait()
        .map_err(|e| fail(CONFIG, format!("cannot run api_key_command: {e}")))?;
    if !status.success() {
        let stderr = String::from_utf8_lossy(&errors);
        return Err(fail(
            CONFIG,
            format!(
                "api_key_command failed ({status}): {}",
                crate::ui::one_line(&stderr)
            ),
        ));
    }
    let key = String::from_utf8(out)
        .map_err(|_| fail(CONFIG, "api_key_command printed bytes that are not UTF-8"))?;
    let key = key.trim_end_matches(['\n', '\r']).to_string();
    if key.is_empty() {
        return Err(fail(CONFIG, "api_key_command printed no key"));
    }
    Ok(key)
}

/// Request fields and where each came from.
struct Fields {
    values: Map<String, Value>,
    sources: BTreeMap<String, Source>,
}

impl Fields {
    fn set(&mut self, key: &str, value: Value, source: Source) {
        self.values.insert(key.to_string(), value);
        self.sources.insert(key.to_string(), source);
    }
}

/// Merges the request fields in precedence order, lowest first, so later inserts win.
fn request_fields(cli: &Cli, config: &ConfigFile, stream: bool) -> Result<Fields> {
    let mut fields = Fields {
        values: Map::new(),
        sources: BTreeMap::new(),
    };
    if let Some(t) = config.temperature {
        fields.set("temperature", json!(t), Source::File);
    }
    if let Some(n) = config.max_tokens {
        fields.set("max_tokens", json!(n), Source::File);
    }
    for (key, value) in &config.options {
        fields.set(key, value.clone(), Source::File);
    }

    let flag = |fields: &mut Fields, key: &str, value: Value| fields.set(key, value, Source::Flag);
    if let Some(t) = cli.temperature {
        flag(&mut fields, "temperature", json!(t));
    }
    if let Some(p) = cli.top_p {
        flag(&mut fields, "top_p", json!(p));
    }
    if let Some(n) = cli.max_tokens {
        flag(&mut fields, "max_tokens", json!(n));
    }
    if !cli.stop.is_empty() {
        flag(&mut fields, "stop", json!(cli.stop));
    }
    if let Some(s) = cli.seed {
        flag(&mut fields, "seed", json!(s));
    }
    if let Some(path) = &cli.tools {
        flag(&mut fields, "tools", crate::tools::read_tools(path)?);
    }
    if let Some(choice) = &cli.tool_choice {
        flag(
            &mut fields,
            "tool_choice",
            crate::tools::tool_choice(choice),
        );
    }
    if let Some(schema) = &cli.schema {
        flag(
            &mut fields,
            "response_format",
            crate::tools::response_format(schema)?,
        );
    }
    if cli.usage && stream {
        flag(
            &mut fields,
            "stream_options",
            json!({"include_usage": true}),
        );
    }
    for option in &cli.options {
        let (key, value) = parse_option(option)?;
        flag(&mut fields, &key, value);
    }
    Ok(fields)
}

fn parse_option(option: &str) -> Result<(String, Value)> {
    let (key, raw) = option
        .split_once('=')
        .ok_or_else(|| fail(USAGE, format!("bad option `{option}`: expected KEY=VALUE")))?;
    let key = key.trim();
    match key {
        "" => Err(fail(
            USAGE,
            format!("bad option `{option}`: the key is empty"),
        )),
        "model" | "messages" | "stream" => Err(fail(
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn percent_decoding() {
        assert_eq!(percent_decode("p%40ss%2"), b"p@ss%2");
        assert_eq!(percent_decode("plain"), b"plain");
    }

    #[test]
    fn loopback() {
        assert!(is_loopback_url("http://localhost:8080/v1"));
        assert!(is_loopback_url("http://127.0.0.2/v1"));
        assert!(is_loopback_url("http://[::1]:80/v1"));
        assert!(!is_loopback_url("https://mume.ai/api/v1"));
        assert!(!is_loopback_url("http://10.0.0.1/v1"));
    }
}
