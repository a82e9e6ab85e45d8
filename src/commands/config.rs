//! `mume config`: each effective setting, its value and where it came from.

use anyhow::Result;
use serde_json::{Value, json};

use crate::exchange::gather;
use crate::output::Out;
use crate::settings::{Settings, Source};

/// `mume config`: each effective setting, its value and where it came from.
pub(crate) fn run(settings: &Settings) -> Result<u8> {
    let json = settings.output.json;
    let mut out = Out::stdout();
    let file = match &settings.config_path {
        Some(p) => format!("file {}", p.display()),
        None => "file".into(),
    };
    let from = |s: &Source| match s {
        Source::Flag => "flag".to_string(),
        Source::Role(name) => format!("role {name}"),
        Source::Env(name) => format!("env {name}"),
        Source::File => file.clone(),
        Source::Default => "default".to_string(),
    };
    let (key, key_from) = settings.transport.key.origin();
    let mut rows: Vec<(String, Value, String)> = vec![
        (
            "base_url".into(),
            json!(crate::redact::url(&settings.transport.base_url.value)),
            from(&settings.transport.base_url.from),
        ),
        (
            "model".into(),
            json!(settings.request.model.value),
            from(&settings.request.model.from),
        ),
        ("api_key".into(), json!(key), from(&key_from)),
        (
            "stream".into(),
            json!(settings.request.stream.value),
            from(&settings.request.stream.from),
        ),
        (
            "save".into(),
            json!(settings.conversation.save.value),
            from(&settings.conversation.save.from),
        ),
    ];
    if let Some(system) = &settings.request.system.value {
        rows.push((
            "system".into(),
            json!(system),
            from(&settings.request.system.from),
        ));
    }
    if let Some(ca) = &settings.transport.ca_cert.value {
        rows.push((
            "ca_cert".into(),
            json!(ca.display().to_string()),
            from(&settings.transport.ca_cert.from),
        ));
    }
    for (name, value) in &gather::fields(&settings.request)? {
        let source = settings
            .request
            .field_sources
            .get(name)
            .unwrap_or(&Source::Default);
        rows.push((format!("request.{name}"), value.clone(), from(source)));
    }
    for (name, value, source) in &settings.transport.headers {
        let shown = crate::redact::header_value(name, value);
        rows.push((format!("header.{name}"), json!(shown), from(source)));
    }
    let config_file = match (&settings.config_path, &settings.config_place) {
        (Some(p), _) => p.display().to_string(),
        (None, Some(p)) => format!("{} (not found)", p.display()),
        (None, None) => "(none)".into(),
    };
    rows.push(("config_file".into(), json!(config_file), String::new()));
    if json {
        for (name, value, source) in rows {
            let source = Some(source).filter(|s| !s.is_empty());
            let line = json!({"name": name, "value": value, "source": source});
            // A key in a system prompt or an option is still the key.
            out.write_line(&crate::redact::redact(&line.to_string()))?;
        }
        out.flush()?;
        return Ok(0);
    }
    // A table is read on a terminal: one line a setting, no control characters.
    let cells: Vec<String> = rows
        .iter()
        .map(|(_, value, _)| match value {
            Value::String(s) => crate::text::one_line(s),
            other => other.to_string(),
        })
        .collect();
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let w1 = cells
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0)
        .min(50);
    for ((name, _, source), cell) in rows.iter().zip(&cells) {
        let line = format!("{name:w0$}  {cell:w1$}  {source}");
        out.write_line(&crate::redact::redact(line.trim_end()))?;
    }
    out.flush()?;
    Ok(0)
}
