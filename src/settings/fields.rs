//! The request fields other than model, messages and stream, merged in the contract's
//! precedence: the config's top-level keys, its `[options]`, the role, the dedicated flags,
//! then `-o`. Fields whose value is a file's (`--tools`, `--schema FILE`) keep their place
//! here and are filled when the request is gathered.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;
use serde_json::{Map, Value, json};

use super::Source;
use crate::check::parse_option;
use crate::cli::Cli;
use crate::config::{ConfigFile, Role};

/// A field whose value is read from a file when the request is gathered.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldFile {
    /// `--tools FILE`: a JSON array of tools.
    Tools(PathBuf),
    /// `--schema FILE|JSON`: a JSON Schema for `response_format`.
    Schema(String),
}

/// Request fields, where each came from, and the ones still to be read from a file.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    /// In precedence order applied; a field still to be read holds `null` at its place.
    pub(crate) values: Map<String, Value>,
    pub(crate) sources: BTreeMap<String, Source>,
    /// Fields whose value is a file's, by key.
    pub(crate) files: Vec<(String, FieldFile)>,
}

impl Fields {
    fn set(&mut self, key: &str, value: Value, source: Source) {
        self.values.insert(key.to_string(), value);
        self.sources.insert(key.to_string(), source);
        self.files.retain(|(k, _)| k != key);
    }

    fn set_file(&mut self, key: &str, file: FieldFile) {
        self.set(key, Value::Null, Source::Flag);
        self.files.push((key.to_string(), file));
    }
}

/// Merges the request fields in precedence order, lowest first, so later inserts win.
pub(super) fn merge(cli: &Cli, config: &ConfigFile, role: Option<(&str, &Role)>) -> Result<Fields> {
    let mut fields = Fields::default();
    from_file(&mut fields, config, role);
    from_flags(&mut fields, cli)?;
    Ok(fields)
}

/// The config's top-level fields, its `[options]`, then the role's.
fn from_file(fields: &mut Fields, config: &ConfigFile, role: Option<(&str, &Role)>) {
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

    if let Some((name, role)) = role {
        let from = || Source::Role(name.to_string());
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
}

/// The dedicated flags, then `-o`.
fn from_flags(fields: &mut Fields, cli: &Cli) -> Result<()> {
    let flags = [
        ("temperature", cli.temperature.map(|t| json!(t))),
        ("top_p", cli.top_p.map(|p| json!(p))),
        ("max_tokens", cli.max_tokens.map(|n| json!(n))),
        (
            "max_completion_tokens",
            cli.max_completion_tokens.map(|n| json!(n)),
        ),
        (
            "reasoning_effort",
            cli.reasoning_effort.map(|e| json!(e.as_str())),
        ),
        (
            "stop",
            Some(json!(cli.stop)).filter(|_| !cli.stop.is_empty()),
        ),
        ("seed", cli.seed.map(|s| json!(s))),
    ];
    for (key, value) in flags {
        if let Some(value) = value {
            fields.set(key, value, Source::Flag);
        }
    }
    if let Some(path) = &cli.tools {
        fields.set_file("tools", FieldFile::Tools(path.clone()));
    }
    if let Some(choice) = &cli.tool_choice {
        fields.set("tool_choice", tool_choice(choice), Source::Flag);
    }
    if let Some(schema) = &cli.schema {
        fields.set_file("response_format", FieldFile::Schema(schema.clone()));
    }
    for option in &cli.options {
        let (key, value) = parse_option(option)?;
        fields.set(&key, value, Source::Flag);
    }
    Ok(())
}

/// `--tool-choice`: the three keywords as strings, anything else names a function.
fn tool_choice(choice: &str) -> Value {
    match choice {
        "auto" | "none" | "required" => json!(choice),
        name => json!({"type": "function", "function": {"name": name}}),
    }
}
