//! `mume config`: each effective setting, its value and where it came from. The rows are
//! built from the settings alone; printing them is a table or JSON lines.

use anyhow::Result;
use serde_json::{Map, Value, json};

use crate::exchange::params::{self, Values};
use crate::exchange::parts;
use crate::output::Out;
use crate::redact::redact;
use crate::settings::{Settings, Source};
use crate::template::fill;

/// One setting: its name, its value, and where it came from (empty for none).
type Row = (String, Value, String);

/// `mume config`: each effective setting, its value and where it came from.
pub(crate) fn run(settings: &Settings) -> Result<u8> {
    let deadline = settings.transport.deadline;
    let values = params::read(&settings.request.params, settings.input.max_input, deadline)?;
    let rows = rows(
        settings,
        &parts::fields(&settings.request, deadline)?,
        &values,
    );
    let mut out = Out::stdout();
    if settings.output.json {
        for (name, value, source) in rows {
            let source = Some(source).filter(|s| !s.is_empty());
            let line = json!({"name": name, "value": value, "source": source});
            // A key in a system prompt or an option is still the key.
            out.write_line(&redact(&line.to_string()))?;
        }
    } else {
        for line in table(&rows) {
            out.write_line(&redact(&line))?;
        }
    }
    out.flush()?;
    Ok(0)
}

/// The rows of `mume config`, the request fields as gathered (`fields`), the role's text
/// filled with `values`.
fn rows(settings: &Settings, fields: &Map<String, Value>, values: &Values) -> Vec<Row> {
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
    let row = |name: &str, value: Value, source: &Source| (name.to_string(), value, from(source));
    let transport = &settings.transport;
    let request = &settings.request;
    let save = &settings.conversation.save;
    let (key, key_from) = transport.key.origin();
    let base_url = crate::redact::url(&transport.base_url.value);
    let (render, think) = (&settings.output.render_choice, &settings.output.think);
    let lower = |choice: &dyn std::fmt::Debug| json!(format!("{choice:?}").to_lowercase());
    let mut rows = vec![
        row("base_url", json!(base_url), &transport.base_url.from),
        row("model", json!(request.model.value), &request.model.from),
        row("api_key", json!(key), &key_from),
        row("stream", json!(request.stream.value), &request.stream.from),
        row("save", json!(save.value), &save.from),
        row("render", lower(&render.value), &render.from),
        row("think", lower(&think.value), &think.from),
    ];
    if let Some(command) = &settings.output.render_command {
        rows.push(row("render_command", json!(command.value), &command.from));
    }
    if let Some(system) = params::system(request, values) {
        rows.push(row("system", json!(system), &request.system.from));
    }
    if let (Some(prompt), Some(role)) = (&request.role_prompt, &settings.role) {
        let prompt = fill(prompt, |name| values.get(name).map(String::as_str));
        let from = Source::Role(role.name.clone());
        rows.push(row("prompt", json!(prompt), &from));
    }
    if let Some(ca) = &transport.ca_cert.value {
        let ca = json!(ca.display().to_string());
        rows.push(row("ca_cert", ca, &transport.ca_cert.from));
    }
    for (name, value) in fields {
        let source = request.field_sources.get(name).unwrap_or(&Source::Default);
        rows.push(row(&format!("request.{name}"), value.clone(), source));
    }
    for (name, value, source) in &transport.headers {
        let value = json!(crate::redact::header_value(name, value));
        rows.push(row(&format!("header.{name}"), value, source));
    }
    let config_file = match (&settings.config_path, &settings.config_place) {
        (Some(p), _) => p.display().to_string(),
        (None, Some(p)) => format!("{} (not found)", p.display()),
        (None, None) => "(none)".into(),
    };
    rows.push(("config_file".into(), json!(config_file), String::new()));
    rows
}

/// The rows as a table for a terminal: one line a setting, no control characters.
fn table(rows: &[Row]) -> Vec<String> {
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
    rows.iter()
        .zip(&cells)
        .map(|((name, _, source), cell)| {
            format!("{name:w0$}  {cell:w1$}  {source}")
                .trim_end()
                .to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::World;

    fn settings(args: &str, env: &[(&'static str, &str)]) -> Settings {
        let world = World {
            env: env.iter().map(|(k, v)| (*k, v.to_string())).collect(),
            config_place: Some("/home/u/.config/mume/config.toml".into()),
            ..World::default()
        };
        crate::settings::from_args(args, &world).unwrap()
    }

    #[test]
    fn each_setting_says_where_it_came_from() {
        let s = settings(
            "-m m -t 0.5 -H X-Title:mume config",
            &[("MUME_API_KEY", "sk-config-test-key")],
        );
        let fields = parts::fields(&s.request, Default::default()).unwrap();
        let rows = rows(&s, &fields, &Values::new());
        let find = |name: &str| rows.iter().find(|r| r.0 == name).cloned().unwrap();
        assert_eq!(find("model"), ("model".into(), json!("m"), "flag".into()));
        assert_eq!(
            find("api_key"),
            ("api_key".into(), json!("set"), "env MUME_API_KEY".into())
        );
        assert_eq!(find("save").2, "default");
        assert_eq!(find("request.temperature").1, json!(0.5));
        assert_eq!(find("header.X-Title").1, json!("mume"));
        assert_eq!(
            rows.last().unwrap().1,
            json!("/home/u/.config/mume/config.toml (not found)")
        );
    }

    #[test]
    fn the_table_lines_up_and_folds_what_a_value_holds() {
        let rows = vec![
            ("a".into(), json!("x\ny"), "flag".into()),
            ("long_name".into(), json!(true), String::new()),
        ];
        assert_eq!(table(&rows), ["a          x y   flag", "long_name  true"]);
    }
}
