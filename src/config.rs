//! The TOML config file: where it lives, what it may hold, and reading it with errors that
//! name the file and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Deserialize;

use crate::error::{CONFIG, fail};

/// The config file as written. Unknown keys are errors, so a typo does not pass silently.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigFile {
    pub(crate) model: Option<String>,
    pub(crate) base_url: Option<String>,
    pub(crate) api_key: Option<String>,
    pub(crate) api_key_command: Option<String>,
    pub(crate) system: Option<String>,
    pub(crate) temperature: Option<f64>,
    pub(crate) max_tokens: Option<u64>,
    pub(crate) max_completion_tokens: Option<u64>,
    pub(crate) reasoning_effort: Option<crate::cli::ReasoningEffort>,
    pub(crate) stream: Option<bool>,
    pub(crate) save: Option<bool>,
    pub(crate) ca_cert: Option<PathBuf>,
    #[serde(default)]
    pub(crate) aliases: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) headers: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) options: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub(crate) roles: BTreeMap<String, Role>,
}

/// `[roles.NAME]`: settings that `-r NAME` applies together.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Role {
    pub(crate) system: Option<String>,
    pub(crate) model: Option<String>,
    pub(crate) temperature: Option<f64>,
    pub(crate) max_tokens: Option<u64>,
    /// Text put before the user's prompt, followed by a blank line.
    pub(crate) prompt: Option<String>,
    #[serde(default)]
    pub(crate) options: serde_json::Map<String, serde_json::Value>,
}

/// Where the config file is, and whether the user named it (then it must exist).
pub(crate) fn path() -> Option<(PathBuf, bool)> {
    if let Some(p) = std::env::var_os("MUME_CONFIG").filter(|p| !p.is_empty()) {
        return Some((PathBuf::from(p), true));
    }
    let dir = env_dir("XDG_CONFIG_HOME").or_else(|| home().map(|h| h.join(".config")))?;
    Some((dir.join("mume").join("config.toml"), false))
}

/// Reads the config file; a missing file at the default place is an empty config.
pub(crate) fn load() -> Result<(ConfigFile, Option<PathBuf>)> {
    let Some((path, named)) = path() else {
        return Ok((ConfigFile::default(), None));
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named => {
            return Ok((ConfigFile::default(), None));
        }
        Err(e) => {
            return Err(fail(
                CONFIG,
                format!("cannot read config file {}: {e}", path.display()),
            ));
        }
    };
    let file = parse(&text, &path)?;
    if file.api_key.is_some() {
        warn_if_readable_by_others(&path);
    }
    Ok((file, Some(path)))
}

fn parse(text: &str, path: &Path) -> Result<ConfigFile> {
    // The key is a secret before anything can fail: an error may quote any value.
    if let Ok(table) = toml::from_str::<toml::Table>(text)
        && let Some(key) = table.get("api_key")
    {
        match key {
            toml::Value::String(key) => crate::redact::add_secret(key),
            toml::Value::Integer(key) => crate::redact::add_secret(&key.to_string()),
            _ => {}
        }
    }
    let file: ConfigFile = toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|span| {
                let line = text[..span.start].matches('\n').count() + 1;
                format!(", line {line}")
            })
            .unwrap_or_default();
        fail(
            CONFIG,
            format!(
                "bad config file {}{at}: {}",
                path.display(),
                e.message().trim_end()
            ),
        )
    })?;
    let top_level = file
        .temperature
        .map(|t| ("temperature", serde_json::json!(t)));
    for (key, value) in top_level
        .iter()
        .map(|(k, v)| (*k, v))
        .chain(file.options.iter().map(|(k, v)| (k.as_str(), v)))
    {
        crate::settings::check_field(key, value)
            .map_err(|e| fail(CONFIG, format!("bad config file {}: {e}", path.display())))?;
    }
    for key in ["model", "messages", "stream"] {
        if file.options.contains_key(key) {
            return Err(fail(
                CONFIG,
                format!(
                    "bad config file {}: `{key}` cannot be set in [options]; use the top-level key",
                    path.display()
                ),
            ));
        }
    }
    for (name, role) in &file.roles {
        check_role(role).map_err(|e| {
            fail(
                CONFIG,
                format!(
                    "bad config file {}: role {}: {e}",
                    path.display(),
                    crate::ui::one_line(name)
                ),
            )
        })?;
    }
    Ok(file)
}

/// A role's fields are checked as the config's own: in range, and `model`, `messages` and
/// `stream` not among its options.
fn check_role(role: &Role) -> std::result::Result<(), String> {
    let temperature = role
        .temperature
        .map(|t| ("temperature", serde_json::json!(t)));
    for (key, value) in temperature
        .iter()
        .map(|(k, v)| (*k, v))
        .chain(role.options.iter().map(|(k, v)| (k.as_str(), v)))
    {
        crate::settings::check_field(key, value)?;
    }
    match ["model", "messages", "stream"]
        .into_iter()
        .find(|key| role.options.contains_key(*key))
    {
        Some("model") => {
            Err("`model` cannot be set in its options; use the role's model key".into())
        }
        Some(key) => Err(format!("`{key}` cannot be set in its options")),
        None => Ok(()),
    }
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o044 != 0
    {
        crate::ui::warn(&format!(
            "{} holds api_key and is readable by others (chmod 600 it, or use api_key_command)",
            path.display()
        ));
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

pub(crate) fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// An XDG directory variable, ignored when empty or relative as the XDG spec says.
pub(crate) fn env_dir(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_file() {
        let file = parse(
            r#"
model = "fast"
temperature = 0.5
[aliases]
fast = "openai/gpt-4.1-mini"
[headers]
X-Title = "mume"
[options]
top_k = 40
"#,
            Path::new("c.toml"),
        )
        .unwrap();
        assert_eq!(file.model.as_deref(), Some("fast"));
        assert_eq!(file.aliases["fast"], "openai/gpt-4.1-mini");
        assert_eq!(file.options["top_k"], 40);
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = parse("model = \"a\"\ntemprature = 1\n", Path::new("/x/c.toml")).unwrap_err();
        let text = format!("{err:#}");
        assert!(text.contains("/x/c.toml, line 2"), "{text}");
        assert!(text.contains("temprature"), "{text}");
    }

    #[test]
    fn options_cannot_hold_model() {
        assert!(parse("[options]\nmodel = \"x\"\n", Path::new("c.toml")).is_err());
    }
}
