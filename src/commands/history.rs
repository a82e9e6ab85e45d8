//! `mume history`: list, search, show, remove and prune the stored conversations.

use std::time::SystemTime;

use anyhow::Result;
use serde_json::{Value, json};

use crate::error::{USAGE, fail};
use crate::output::command::Drawer;
use crate::output::{Out, ui};
use crate::settings::Render;
use crate::store;

/// What `mume history` is asked to do.
pub(crate) enum Action<'a> {
    List,
    /// The conversation, how it is drawn, and whether plain text must be escaped.
    Show(&'a str, Render, bool),
    Rm(&'a str),
    Search(&'a [String]),
    Prune(&'a str),
    Stats {
        since: Option<&'a str>,
        by: Option<super::stats::By>,
    },
}

/// `mume history` and its actions; `--json` prints JSON, `--dry-run` deletes nothing.
pub(crate) fn run(action: Action, json: bool, dry_run: bool) -> Result<u8> {
    let mut out = Out::stdout();
    match action {
        Action::List => {
            for (path, modified) in store::list()? {
                // One damaged file must not hide the others.
                let Some(messages) = read_or_warn(&path) else {
                    continue;
                };
                write_entry(&mut out, json, &path, modified, &messages, None)?;
            }
        }
        Action::Search(text) => {
            let text = text.join(" ");
            if text.trim().is_empty() {
                return Err(fail(USAGE, "history search needs some text to look for"));
            }
            let needle = fold(&text);
            for (path, modified) in store::list()? {
                let Some(messages) = read_or_warn(&path) else {
                    continue;
                };
                let found = messages
                    .iter()
                    .find_map(|m| text_of(m).lines().find_map(|line| excerpt(line, &needle)));
                if let Some(line) = found {
                    write_entry(&mut out, json, &path, modified, &messages, Some(&line))?;
                }
            }
        }
        Action::Prune(older_than) => {
            return prune(older_than, json, dry_run, &mut out);
        }
        Action::Stats { since, by } => {
            let since = since.map(|age| cutoff(age, "--since")).transpose()?;
            return super::stats::stats(since, by, json, &mut out);
        }
        Action::Show(id, render, escape) => show(id, json, (&render, escape), &mut out)?,
        Action::Rm(id) => {
            let path = store::find(id)?;
            std::fs::remove_file(&path)
                .map_err(|e| anyhow::anyhow!("removing {}: {e}", path.display()))?;
        }
    }
    out.flush()?;
    Ok(0)
}

/// `history show ID`: the messages under `## role (model)` headings, or as a JSON array
/// of what a server accepts.
fn show(id: &str, json: bool, (render, escape): (&Render, bool), out: &mut Out) -> Result<()> {
    let path = store::find(id)?;
    let messages = store::read(&path)?;
    if json {
        let sendable: Vec<Value> = messages.iter().map(store::sendable).collect();
        out.write_line(&serde_json::to_string_pretty(&sendable)?)?;
        return Ok(());
    }
    let id = path.file_stem().unwrap_or_default().to_string_lossy();
    let transcript = super::transcript::markdown(&id, &messages);
    // Drawn as an answer is (SPEC §11): by the renderer, by render_command, or as it is.
    // Stored text bound for a terminal cannot act on it; a pipe gets it exactly.
    let raw = |out: &mut Out| out.write(&crate::text::escape_if(escape, &transcript));
    match render {
        Render::Markdown { columns } => {
            let mut renderer = crate::output::render::Renderer::new(*columns);
            let mut drawn = String::new();
            renderer.push(transcript.as_bytes(), &mut drawn);
            renderer.finish(&mut drawn);
            out.write(&drawn)?;
        }
        Render::Command(command) => match Drawer::start(command) {
            Some((drawer, mut pipe)) => {
                pipe.write(&transcript)?;
                pipe.flush()?;
                drop(pipe);
                drawer.finish();
            }
            None => raw(out)?,
        },
        Render::Raw => raw(out)?,
    }
    Ok(())
}

/// A conversation's messages, or `None` with a warning: one damaged file must not stop a
/// listing.
fn read_or_warn(path: &std::path::Path) -> Option<Vec<Value>> {
    match store::read(path) {
        Ok(messages) => Some(messages),
        Err(e) => {
            ui::warn(&format!("{e:#}"));
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
        crate::text::one_line(model.unwrap_or("-")),
        crate::text::shorten(&crate::text::one_line(&shown), width)
    );
    Ok(out.write_line(line.trim_end())?)
}

/// `text` in lower case, a character at a time: the form lines and the needle are compared in.
fn fold(text: &str) -> String {
    text.chars().flat_map(fold_char).collect()
}

/// One character in lower case; a final sigma is a sigma (`ΟΔΟΣ` holds `οδος`), and a
/// dotted capital I an i (`İstanbul` holds `istanbul`).
fn fold_char(c: char) -> impl Iterator<Item = char> {
    let c = if c == 'İ' { 'I' } else { c };
    c.to_lowercase().map(|c| if c == 'ς' { 'σ' } else { c })
}

/// The part of `line` around where it holds `needle` (folded), when it does: from a
/// little before the match, at most 500 characters, `…` where it was cut.
fn excerpt(line: &str, needle: &str) -> Option<String> {
    // Lower case may be longer (`İ` is two characters): each character's place in the
    // folded text is kept, to find where the match starts in the line itself.
    let mut folded = String::with_capacity(line.len());
    let mut starts = Vec::with_capacity(line.len());
    for c in line.chars() {
        starts.push(folded.len());
        folded.extend(fold_char(c));
    }
    let at = folded.find(needle)?;
    let chars_before = starts.partition_point(|&start| start <= at) - 1;
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
fn prune(older_than: &str, json: bool, dry_run: bool, out: &mut Out) -> Result<u8> {
    let cutoff = cutoff(older_than, "--older-than")?;
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
        if dry_run {
            let messages = read_or_warn(&path).unwrap_or_default();
            write_entry(out, json, &path, modified, &messages, None)?;
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
    if dry_run {
        ui::note(&format!(
            "{count} {conversations} would be deleted (--dry-run)"
        ));
    } else if !json {
        out.write_line(&format!("deleted {count} {conversations}"))?;
        out.flush()?;
    } else {
        out.write_line(&json!({"deleted": count}).to_string())?;
        out.flush()?;
    }
    Ok(0)
}

/// The time `age` (given to `flag`) ago.
fn cutoff(age: &str, flag: &str) -> Result<jiff::Timestamp> {
    let span = parse_age(age, flag)?;
    let then = jiff::Zoned::now()
        .checked_sub(span)
        .map_err(|_| fail(USAGE, format!("{flag} {age} reaches too far back")))?;
    Ok(then.timestamp())
}

/// An age like `30d`, `12h`, `2w` or `6 months`: a positive span of time.
fn parse_age(text: &str, flag: &str) -> Result<jiff::Span> {
    let bad = || {
        fail(
            USAGE,
            format!("{flag} `{text}` is not an age: give a number and a unit, e.g. 30d, 12h or 2w"),
        )
    };
    let text = text.trim();
    // `m` reads as minutes to jiff and as months to many people: the unit must say which.
    if text.ends_with('m') && text[..text.len() - 1].trim().parse::<u64>().is_ok() {
        return Err(fail(
            USAGE,
            format!(
                "{flag} `{text}` could mean minutes or months: write {0}min or {0}mo",
                text[..text.len() - 1].trim()
            ),
        ));
    }
    let span: jiff::Span = text.parse().map_err(|_| bad())?;
    if !span.is_positive() {
        return Err(fail(
            USAGE,
            format!("{flag} `{text}` is no time at all: give an age above zero, e.g. 1h"),
        ));
    }
    Ok(span)
}

/// What a message says, as text: content, then any tool calls as JSON lines.
fn text_of(message: &Value) -> String {
    let mut text = super::transcript::text(&message["content"]);
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
    let (terminal_size::Width(cols), _) = terminal_size::terminal_size_of(std::io::stdout())?;
    (cols > 0).then_some(usize::from(cols))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_starts_a_little_before_the_match() {
        let line = format!("{}needle and more", "x".repeat(100));
        let found = excerpt(&line, "needle").unwrap();
        assert_eq!(found, format!("…{}needle and more", "x".repeat(40)));
        assert_eq!(excerpt("short NEEDLE", "needle").unwrap(), "short NEEDLE");
        assert_eq!(excerpt("nothing here", "needle"), None);
        assert_eq!(excerpt("ΟΔΟΣ 1", &fold("οδος")).unwrap(), "ΟΔΟΣ 1");
        assert_eq!(excerpt("İx", &fold("x")).unwrap(), "İx");
        assert_eq!(excerpt("İstanbul", &fold("istanbul")).unwrap(), "İstanbul");
    }

    #[test]
    fn ages_need_a_unit_that_says_what_it_means() {
        assert!(parse_age("30d", "--older-than").is_ok());
        assert!(parse_age("2w", "--older-than").is_ok());
        assert!(parse_age("6 months", "--older-than").is_ok());
        let months_or_minutes = parse_age("5m", "--older-than").unwrap_err().to_string();
        assert!(
            months_or_minutes.contains("5min or 5mo"),
            "{months_or_minutes}"
        );
        assert!(parse_age("soon", "--older-than").is_err());
        assert!(parse_age("0d", "--older-than").is_err());
    }

    #[test]
    fn a_message_as_text_names_its_images_and_calls() {
        let m = json!({"role": "user", "content": [
            {"type": "text", "text": "look"},
            {"type": "image_url", "image_url": {"url": "u"}}
        ]});
        assert_eq!(text_of(&m), "look [image_url]");
        let call = json!({"id": "c", "function": {"name": "f"}});
        let m = json!({"role": "assistant", "content": null, "tool_calls": [call]});
        assert_eq!(text_of(&m), call.to_string());
    }
}
