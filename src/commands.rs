//! The subcommands: `models`, `history` and `config`.

use std::io::IsTerminal;
use std::time::SystemTime;

use anyhow::Result;
use reqwest::Method;
use serde_json::{Value, json};

use crate::cli::{Cli, HistoryAction};
use crate::client::Client;
use crate::error::{PROTOCOL, USAGE, fail};
use crate::output::Out;
use crate::settings::{Settings, Source};
use crate::{answer, config, store};

/// `mume models`: the server's model ids, sorted, one a line; `--json` the body as received.
pub(crate) fn models(cli: &Cli, settings: &Settings) -> Result<u8> {
    let client = Client::new(settings)?;
    let mut response = client.send(Method::GET, "/models", None)?;
    let body = answer::read_body(&mut response)?;
    let mut out = Out::stdout();
    if cli.json {
        out.write_line(&String::from_utf8_lossy(&body))?;
        out.flush()?;
        return Ok(0);
    }
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| fail(PROTOCOL, format!("the model list is not valid JSON: {e}")))?;
    let list = value
        .get("data")
        .or_else(|| value.get("models"))
        .and_then(Value::as_array)
        .ok_or_else(|| fail(PROTOCOL, "the model list has no `data` array"))?;
    let mut ids: Vec<&str> = list
        .iter()
        .filter_map(|m| {
            m.get("id")
                .or_else(|| m.get("name"))
                .and_then(Value::as_str)
        })
        .collect();
    ids.sort_unstable();
    for id in ids {
        // The ids are the server's text, bound for a terminal.
        out.write_line(&crate::ui::escape(&crate::redact::redact(id)))?;
    }
    out.flush()?;
    Ok(0)
}

/// `mume history`, `history show ID`, `history rm ID`.
pub(crate) fn history(cli: &Cli, action: Option<&HistoryAction>) -> Result<u8> {
    let mut out = Out::stdout();
    match action {
        None => {
            for (path, modified) in store::list()? {
                // One damaged file must not hide the others.
                let Some(messages) = read_or_warn(&path) else {
                    continue;
                };
                write_entry(&mut out, cli.json, &path, modified, &messages, None)?;
            }
        }
        Some(HistoryAction::Search { text }) => {
            let text = text.join(" ");
            if text.trim().is_empty() {
                return Err(fail(USAGE, "history search needs some text to look for"));
            }
            let needle = text.to_lowercase();
            for (path, modified) in store::list()? {
                let Some(messages) = read_or_warn(&path) else {
                    continue;
                };
                let found = messages
                    .iter()
                    .find_map(|m| text_of(m).lines().find_map(|line| excerpt(line, &needle)));
                if let Some(line) = found {
                    write_entry(&mut out, cli.json, &path, modified, &messages, Some(&line))?;
                }
            }
        }
        Some(HistoryAction::Prune { older_than }) => {
            return prune(cli, older_than, &mut out);
        }
        Some(HistoryAction::Show { id }) => {
            let messages = store::read(&store::find(id)?)?;
            if cli.json {
                let sendable: Vec<Value> = messages.iter().map(store::sendable).collect();
                out.write_line(&serde_json::to_string_pretty(&sendable)?)?;
            } else {
                for (i, m) in messages.iter().enumerate() {
                    if i > 0 {
                        out.write("\n")?;
                    }
                    let role = m["role"].as_str().unwrap_or("?");
                    let header = match m.get("model").and_then(Value::as_str) {
                        Some(model) => format!("## {role} ({})", crate::ui::one_line(model)),
                        None => format!("## {role}"),
                    };
                    out.write_line(&header)?;
                    out.write_line(&text_of(m))?;
                }
            }
        }
        Some(HistoryAction::Rm { id }) => {
            let path = store::find(id)?;
            std::fs::remove_file(&path)
                .map_err(|e| anyhow::anyhow!("removing {}: {e}", path.display()))?;
        }
    }
    out.flush()?;
    Ok(0)
}

/// A conversation's messages, or `None` with a warning: one damaged file must not stop a
/// listing.
fn read_or_warn(path: &std::path::Path) -> Option<Vec<Value>> {
    match store::read(path) {
        Ok(messages) => Some(messages),
        Err(e) => {
            crate::ui::warn(&format!("{e:#}"));
            None
        }
    }
}

/// One conversation as `history` lists it: id, time, model, turns and its first prompt
/// (or the line that `search` found), one line for people or one JSON object.
fn write_entry(
    out: &mut Out,
    json: bool,
    path: &std::path::Path,
    modified: SystemTime,
    messages: &[Value],
    matched: Option<&str>,
) -> Result<()> {
    let id = path.file_stem().unwrap_or_default().to_string_lossy();
    let model = store::model(messages);
    let turns = messages.iter().filter(|m| m["role"] == "user").count();
    let first = messages.iter().find(|m| m["role"] == "user").map(text_of);
    let time = local_time(modified);
    if json {
        let mut line = json!({
            "id": id,
            "path": path.to_string_lossy(),
            "time": time.as_ref().map(Time::rfc3339),
            "model": model,
            "turns": turns,
            "prompt": first,
        });
        if let Some(matched) = matched {
            line["match"] = json!(matched);
        }
        return Ok(out.write_line(&line.to_string())?);
    }
    let width = prompt_width();
    let shown = matched.map_or_else(|| first.unwrap_or_default(), str::to_string);
    let line = format!(
        "{id}  {}  {}  {turns}  {}",
        time.as_ref().map_or("-".into(), Time::minutes),
        crate::ui::one_line(model.unwrap_or("-")),
        crate::ui::shorten(&crate::ui::one_line(&shown), width)
    );
    Ok(out.write_line(line.trim_end())?)
}

/// The part of `line` around where it holds `needle` (lower case), when it does: from a
/// little before the match, at most 500 characters, `…` where it was cut.
fn excerpt(line: &str, needle: &str) -> Option<String> {
    let lower = line.to_lowercase();
    let at = lower.find(needle)?;
    // Lower-casing may change lengths: count characters, then cut the original there.
    let chars_before = lower[..at].chars().count();
    let start = chars_before.saturating_sub(40);
    let kept: String = line.chars().skip(start).take(500).collect();
    let cut_end = line.chars().count() > start + 500;
    Some(format!(
        "{}{kept}{}",
        if start > 0 { "…" } else { "" },
        if cut_end { "…" } else { "" }
    ))
}

/// `history prune --older-than AGE`: deletes the conversations last written before then
/// and says how many; with `--dry-run`, lists them and deletes nothing.
fn prune(cli: &Cli, older_than: &str, out: &mut Out) -> Result<u8> {
    let age = parse_age(older_than)?;
    let now = jiff::Zoned::now();
    let cutoff = now
        .checked_sub(age)
        .map_err(|_| {
            fail(
                USAGE,
                format!("--older-than {older_than} reaches too far back"),
            )
        })?
        .timestamp();
    let mut count = 0;
    for (path, modified) in store::list()? {
        // A time beyond the calendar's reach is in the future, not old.
        let Ok(written) = jiff::Timestamp::try_from(modified) else {
            continue;
        };
        if written >= cutoff {
            continue;
        }
        count += 1;
        if cli.dry_run {
            let messages = read_or_warn(&path).unwrap_or_default();
            write_entry(out, cli.json, &path, modified, &messages, None)?;
        } else {
            std::fs::remove_file(&path)
                .map_err(|e| anyhow::anyhow!("removing {}: {e}", path.display()))?;
        }
    }
    out.flush()?;
    let conversations = if count == 1 {
        "conversation"
    } else {
        "conversations"
    };
    if cli.dry_run {
        crate::ui::note(&format!(
            "{count} {conversations} would be deleted (--dry-run)"
        ));
    } else if !cli.json {
        out.write_line(&format!("deleted {count} {conversations}"))?;
        out.flush()?;
    } else {
        out.write_line(&json!({"deleted": count}).to_string())?;
        out.flush()?;
    }
    Ok(0)
}

/// An age like `30d`, `12h`, `2w` or `6 months`: a positive span of time.
fn parse_age(text: &str) -> Result<jiff::Span> {
    let bad = || {
        fail(
            USAGE,
            format!(
                "--older-than `{text}` is not an age: give a number and a unit, e.g. 30d, 12h or 2w"
            ),
        )
    };
    let text = text.trim();
    // `m` reads as minutes to jiff and as months to many people: the unit must say which.
    if text.ends_with('m') && text[..text.len() - 1].trim().parse::<u64>().is_ok() {
        return Err(fail(
            USAGE,
            format!(
                "--older-than `{text}` could mean minutes or months: write {0}min or {0}mo",
                text[..text.len() - 1].trim()
            ),
        ));
    }
    let span: jiff::Span = text.parse().map_err(|_| bad())?;
    if !span.is_positive() {
        return Err(bad());
    }
    Ok(span)
}

/// What a message says, as text: content, then any tool calls as JSON lines.
fn text_of(message: &Value) -> String {
    let mut text = match &message["content"] {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .map(|p| match p.get("text").and_then(Value::as_str) {
                Some(t) => t.to_string(),
                None => format!(
                    "[{}]",
                    p.get("type").and_then(Value::as_str).unwrap_or("part")
                ),
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    };
    if let Some(calls) = message.get("tool_calls").and_then(Value::as_array) {
        for call in calls {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&call.to_string());
        }
    }
    text
}

/// Room for the prompt column of a `history` line: the terminal's width less the other
/// columns, found once for the whole listing.
fn prompt_width() -> usize {
    static WIDTH: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *WIDTH.get_or_init(|| {
        terminal_width()
            .unwrap_or(60 + 60)
            .saturating_sub(60)
            .max(20)
    })
}

fn terminal_width() -> Option<usize> {
    if let Some(cols) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        return Some(cols);
    }
    if !std::io::stdout().is_terminal() {
        return None;
    }
    // SAFETY: TIOCGWINSZ fills a winsize struct for a terminal fd and touches nothing else.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(1, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0).then_some(size.ws_col as usize)
}

/// A moment in the local time zone.
struct Time(jiff::Zoned);

impl Time {
    /// `2026-11-25 21:13`, for people.
    fn minutes(&self) -> String {
        self.0.strftime("%Y-%m-%d %H:%M").to_string()
    }

    /// `2026-11-25T21:13:16+01:00`, for programs.
    fn rfc3339(&self) -> String {
        self.0.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }
}

fn local_time(time: SystemTime) -> Option<Time> {
    // Found once: the system's zone is read from its files.
    static ZONE: std::sync::OnceLock<jiff::tz::TimeZone> = std::sync::OnceLock::new();
    let zone = ZONE.get_or_init(jiff::tz::TimeZone::system);
    let at = jiff::Timestamp::try_from(time).ok()?;
    Some(Time(at.to_zoned(zone.clone())))
}

/// `mume config path`: where the config file is read from, whether or not it exists.
pub(crate) fn config_path() -> Result<u8> {
    let path = config::path()
        .map(|(p, _)| p.display().to_string())
        .ok_or_else(|| anyhow::anyhow!("no config file path: HOME is not set"))?;
    let mut out = Out::stdout();
    out.write_line(&path)?;
    out.flush()?;
    Ok(0)
}

/// `mume roles`: each role of the config file, its model and the first line of its system
/// text; with `--json`, the whole role, one object a line.
pub(crate) fn roles(settings: &Settings, json: bool, names: bool) -> Result<u8> {
    let mut out = Out::stdout();
    let roles = settings.roles();
    if names {
        for name in roles.keys() {
            out.write_line(name)?;
        }
        out.flush()?;
        return Ok(0);
    }
    if json {
        for (name, role) in roles {
            let line = json!({
                "name": name,
                "model": role.model,
                "system": role.system,
                "temperature": role.temperature,
                "max_tokens": role.max_tokens,
                "prompt": role.prompt,
                "options": role.options,
            });
            out.write_line(&crate::redact::redact(&line.to_string()))?;
        }
        out.flush()?;
        return Ok(0);
    }
    if roles.is_empty() {
        crate::ui::warn(
            "no roles: add [roles.NAME] tables to the config file (see mume config path)",
        );
        return Ok(0);
    }
    let w0 = roles.keys().map(|n| n.chars().count()).max().unwrap_or(0);
    let models: Vec<String> = roles
        .values()
        .map(|r| crate::ui::one_line(r.model.as_deref().unwrap_or("-")))
        .collect();
    let w1 = models.iter().map(|m| m.chars().count()).max().unwrap_or(0);
    for ((name, role), model) in roles.iter().zip(&models) {
        let system = role.system.as_deref().unwrap_or("");
        let first = crate::ui::shorten(
            &crate::ui::one_line(system.lines().next().unwrap_or("")),
            60,
        );
        let line = format!("{:w0$}  {model:w1$}  {first}", crate::ui::one_line(name));
        out.write_line(&crate::redact::redact(line.trim_end()))?;
    }
    out.flush()?;
    Ok(0)
}

/// `mume config`: each effective setting, its value and where it came from.
pub(crate) fn config(settings: &Settings, json: bool) -> Result<u8> {
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
    let (key, key_from) = settings.key_origin();
    let mut rows: Vec<(String, Value, String)> = vec![
        (
            "base_url".into(),
            json!(crate::redact::url(&settings.base_url)),
            from(&settings.base_url_from),
        ),
        (
            "model".into(),
            json!(settings.model),
            from(&settings.model_from),
        ),
        ("api_key".into(), json!(key), from(&key_from)),
        (
            "stream".into(),
            json!(settings.stream),
            from(&settings.stream_from),
        ),
        (
            "save".into(),
            json!(settings.save),
            from(&settings.save_from),
        ),
    ];
    if let Some(system) = &settings.system {
        rows.push(("system".into(), json!(system), from(&settings.system_from)));
    }
    if let Some(ca) = &settings.ca_cert {
        rows.push((
            "ca_cert".into(),
            json!(ca.display().to_string()),
            from(&settings.ca_cert_from),
        ));
    }
    for (name, value) in &settings.fields {
        let source = settings.field_sources.get(name).unwrap_or(&Source::Default);
        rows.push((format!("request.{name}"), value.clone(), from(source)));
    }
    for (name, value, source) in &settings.headers {
        let shown = crate::redact::header_value(name, value);
        rows.push((format!("header.{name}"), json!(shown), from(source)));
    }
    let config_file = match &settings.config_path {
        Some(p) => p.display().to_string(),
        None => config::path().map_or("(none)".into(), |(p, _)| {
            format!("{} (not found)", p.display())
        }),
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
            Value::String(s) => crate::ui::one_line(s),
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
