//! Resolves flags, environment and config file into one checked `Settings` value, with the
//! precedence of the contract: `-o`, then dedicated flags, then environment, then the
//! config's `[options]`, then its other keys, then defaults.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::{Map, Value, json};

use crate::cli::Cli;
use crate::config::{self, ConfigFile, Role};

mod key;

use crate::error::{CONFIG, USAGE, fail};
pub(crate) use key::Key;
use key::add_url_secrets;

pub(crate) const DEFAULT_BASE_URL: &str = "https://mume.ai/api/v1";
pub(crate) const DEFAULT_MODEL: &str = "openai/gpt-4.1-mini";

/// Where a setting's value came from, for `mume config` and for hints in errors.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Source {
    Flag,
    /// `-r NAME`: the config's `[roles.NAME]`.
    Role(String),
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
    /// `--retries`: how often a failed request is tried again.
    pub(crate) retries: u32,
    /// `--timeout`: how long the server may send nothing.
    pub(crate) idle: Duration,
    /// `-v`: trace requests and responses on stderr.
    pub(crate) verbose: bool,
    /// The role's text put before the user's prompt (`-r`).
    pub(crate) role_prompt: Option<String>,
    config: ConfigFile,
}

impl Settings {
    /// The system text replaces a continued conversation's own: it was given for this
    /// run, by `-s` or by `-r`.
    pub(crate) fn system_replaces(&self) -> bool {
        matches!(self.system_from, Source::Flag | Source::Role(_))
    }

    /// The config file's roles, by name.
    pub(crate) fn roles(&self) -> &BTreeMap<String, Role> {
        &self.config.roles
    }

    /// A model name with the config's aliases expanded.
    pub(crate) fn alias(&self, model: String) -> String {
        self.config.aliases.get(&model).cloned().unwrap_or(model)
    }

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

        let role = role(cli, &config)?;
        let role_source = || Source::Role(cli.role.clone().unwrap_or_default());
        let (model, model_from) = match (&cli.model, role.and_then(|r| r.model.as_ref())) {
            (None, Some(model)) => (model.clone(), role_source()),
            _ => pick(
                cli.model.clone(),
                "MUME_MODEL",
                config.model.clone(),
                DEFAULT_MODEL,
            ),
        };
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
        } = request_fields(cli, &config, role, stream)?;
        let (system, system_from) = match (&cli.system, role.and_then(|r| r.system.as_ref())) {
            (None, Some(system)) => (Some(system.clone()), role_source()),
            _ => flag_or_file(cli.system.as_ref(), config.system.as_ref()),
        };
        let role_prompt = role.and_then(|r| r.prompt.clone());
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
            retries: cli.retries,
            idle: Duration::from_secs_f64(cli.timeout),
            verbose: cli.verbose,
            role_prompt,
            config,
        };
        settings.add_key_secret();
        Ok(settings)
    }

    /// True when the base URL points at this machine: no key needed, no proxy used.
    pub(crate) fn is_loopback(&self) -> bool {
        is_loopback_url(&self.base_url)
    }
}

/// The role `-r` names, or a usage error that lists the known ones.
fn role<'a>(cli: &Cli, config: &'a ConfigFile) -> Result<Option<&'a Role>> {
    let Some(name) = &cli.role else {
        return Ok(None);
    };
    let Some(role) = config.roles.get(name) else {
        let known: Vec<String> = config
            .roles
            .keys()
            .map(|k| crate::ui::one_line(k))
            .collect();
        let known = if known.is_empty() {
            "none: add [roles.NAME] tables to the config file".to_string()
        } else {
            known.join(", ")
        };
        return Err(fail(
            USAGE,
            format!(
                "no role `{}` in the config file (known roles: {known})",
                crate::ui::one_line(name)
            ),
        ));
    };
    Ok(Some(role))
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
fn request_fields(
    cli: &Cli,
    config: &ConfigFile,
    role: Option<&Role>,
    stream: bool,
) -> Result<Fields> {
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
    if let Some(n) = config.max_completion_tokens {
        fields.set("max_completion_tokens", json!(n), Source::File);
    }
    if let Some(effort) = config.reasoning_effort {
        fields.set("reasoning_effort", json!(effort.as_str()), Source::File);
    }
    for (key, value) in &config.options {
        fields.set(key, value.clone(), Source::File);
    }

    if let Some(role) = role {
        let from = || Source::Role(cli.role.clone().unwrap_or_default());
        if let Some(t) = role.temperature {
            fields.set("temperature", json!(t), from());
        }
        if let Some(n) = role.max_tokens {
            fields.set("max_tokens", json!(n), from());
        }
        for (key, value) in &role.options {
            fields.set(key, value.clone(), from());
        }
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
    if let Some(n) = cli.max_completion_tokens {
        flag(&mut fields, "max_completion_tokens", json!(n));
    }
    if let Some(effort) = cli.reasoning_effort {
        flag(&mut fields, "reasoning_effort", json!(effort.as_str()));
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
    if cli.usage.is_some() && stream {
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
    fn loopback() {
        assert!(is_loopback_url("http://localhost:8080/v1"));
        assert!(is_loopback_url("http://127.0.0.2/v1"));
        assert!(is_loopback_url("http://[::1]:80/v1"));
        assert!(!is_loopback_url("https://mume.ai/api/v1"));
        assert!(!is_loopback_url("http://10.0.0.1/v1"));
    }
}
