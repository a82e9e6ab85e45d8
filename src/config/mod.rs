//! The TOML config file: where it lives, what it may hold, and reading it with errors that
//! name the file and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Deserialize;

use crate::error::{CONFIG, fail};

mod roles;

pub(crate) use roles::{RoleFile, find_role, list_roles, parse_role_file, read_role, role_dirs};

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
    pub(crate) reasoning_effort: Option<crate::check::ReasoningEffort>,
    pub(crate) stream: Option<bool>,
    pub(crate) save: Option<bool>,
    pub(crate) render: Option<crate::check::RenderChoice>,
    /// A program that draws the answer instead of the built-in renderer.
    pub(crate) render_command: Option<String>,
    pub(crate) think: Option<crate::check::ThinkChoice>,
    pub(crate) ca_cert: Option<PathBuf>,
    #[serde(default)]
    pub(crate) aliases: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) headers: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) options: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub(crate) roles: BTreeMap<String, Role>,
    /// Folders of role files besides `roles/` beside the config file. Checked here with
    /// the rest of the file; the folders are read before the settings, from the text.
    #[serde(default)]
    #[expect(dead_code, reason = "read from the config's text by settings::World")]
    pub(crate) roles_path: Vec<String>,
}

/// `[roles.NAME]`, or a role file: settings that `-r NAME` applies together.
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
    /// `[roles.NAME.defaults]`: the values of parameters no `-p` gives.
    #[serde(default)]
    pub(crate) defaults: BTreeMap<String, String>,
}

/// Where the config file is, and whether the user named it (then it must exist), from
/// `MUME_CONFIG`, `XDG_CONFIG_HOME` and `HOME` as `env` gives them.
pub(crate) fn path_in(env: impl Fn(&str) -> Option<String>) -> Option<(PathBuf, bool)> {
    if let Some(p) = env("MUME_CONFIG") {
        return Some((PathBuf::from(p), true));
    }
    let dir = env("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some((dir.join("mume").join("config.toml"), false))
}

/// Where the config file is, from this process's environment.
pub(crate) fn path() -> Option<(PathBuf, bool)> {
    path_in(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
}

/// The config file as read from disk: its path and text, and whether others may read it.
#[derive(Debug)]
pub(crate) struct Text {
    pub(crate) path: PathBuf,
    pub(crate) text: String,
    pub(crate) shared: bool,
}

/// Reads the config file at `path`; a missing file at the default place is no file.
pub(crate) fn read(path: Option<(PathBuf, bool)>) -> Result<Option<Text>> {
    let Some((path, named)) = path else {
        return Ok(None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named => return Ok(None),
        Err(e) => {
            return Err(fail(
                CONFIG,
                format!("cannot read config file {}: {e}", path.display()),
            ));
        }
    };
    let shared = readable_by_others(&path);
    Ok(Some(Text { path, text, shared }))
}

/// Parses the config file's text and checks its values; errors name `path` and the line.
pub(crate) fn parse(text: &str, path: &Path) -> Result<ConfigFile> {
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
    check(&file).map_err(|e| fail(CONFIG, format!("bad config file {}: {e}", path.display())))?;
    Ok(file)
}

/// The checks a file that parsed must pass: fields in range, no reserved key among the
/// options, roles checked as the file's own.
fn check(file: &ConfigFile) -> std::result::Result<(), String> {
    check_fields(file.temperature, &file.options)?;
    if let Some(key) = crate::check::RESERVED
        .into_iter()
        .find(|key| file.options.contains_key(*key))
    {
        return Err(format!(
            "`{key}` cannot be set in [options]; use the top-level key"
        ));
    }
    for (name, role) in &file.roles {
        // A name is printed by every listing and completed by the shells: one line, and
        // nothing a terminal would act on.
        if name.chars().any(char::is_control) {
            return Err(format!(
                "role {name:?}: a role's name cannot hold control characters"
            ));
        }
        if name.contains('/') || name.ends_with(".md") {
            return Err(format!(
                "role {}: a role's name cannot hold / or end in .md (-r takes those as a file's path)",
                crate::text::one_line(name)
            ));
        }
        check_role(role).map_err(|e| format!("role {}: {e}", crate::text::one_line(name)))?;
    }
    Ok(())
}

/// A role's fields are checked as the config's own: in range, and `model`, `messages` and
/// `stream` not among its options; its defaults name parameters, and the user's prompt
/// has its place in the role's prompt, not in its system text.
pub(crate) fn check_role(role: &Role) -> std::result::Result<(), String> {
    use crate::template::{INPUT, is_name, names};
    if let Some(name) = role.defaults.keys().find(|name| !is_name(name)) {
        return Err(format!(
            "defaults: {:?} is not a parameter's name (letters, digits, _ and -)",
            crate::text::one_line(name)
        ));
    }
    if role.defaults.contains_key(INPUT) {
        return Err("defaults: {{input}} is the user's prompt; it has no default".into());
    }
    if role
        .system
        .as_deref()
        .is_some_and(|system| names(system).contains(&INPUT))
    {
        return Err(
            "{{input}} is in its system text; the user's prompt goes in the role's prompt (prompt = \"… {{input}} …\")"
                .into(),
        );
    }
    check_fields(role.temperature, &role.options)?;
    match crate::check::RESERVED
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

/// A temperature and request fields, each in its range.
fn check_fields(
    temperature: Option<f64>,
    options: &serde_json::Map<String, serde_json::Value>,
) -> std::result::Result<(), String> {
    let temperature = temperature.map(|t| ("temperature", serde_json::json!(t)));
    for (key, value) in temperature
        .iter()
        .map(|(k, v)| (*k, v))
        .chain(options.iter().map(|(k, v)| (k.as_str(), v)))
    {
        crate::check::check_field(key, value)?;
    }
    Ok(())
}

fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|meta| meta.permissions().mode() & 0o044 != 0)
}

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
