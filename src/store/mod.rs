//! Conversations as JSON Lines files, one OpenAI message a line, in the store folder or at
//! any path: finding them, reading them (a torn line is skipped with a warning, never
//! fatal), and the lines an answer adds. Writing is `append`'s.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::api::assemble::Answer;
use crate::api::wire::ToolCall;
use crate::config;
use crate::error::{CONFIG, USAGE, fail};

/// The fields of a message that are sent back to a server; anything else mume recorded.
const MESSAGE_FIELDS: [&str; 5] = ["role", "content", "tool_calls", "tool_call_id", "name"];

/// The store folder: `$XDG_DATA_HOME/mume`, else `~/.local/share/mume`.
pub(crate) fn dir() -> Result<PathBuf> {
    let base = config::env_dir("XDG_DATA_HOME")
        .or_else(|| config::home().map(|h| h.join(".local").join("share")))
        .context("cannot find the conversation store: set HOME or XDG_DATA_HOME")?;
    Ok(base.join("mume").join("chats"))
}

/// The file for `--chat NAME|PATH`: a path when it has a `/` or ends in `.jsonl`.
pub(crate) fn chat_path(arg: &str) -> Result<PathBuf> {
    if arg.contains('/') || arg.ends_with(".jsonl") {
        let path = PathBuf::from(arg);
        if arg.ends_with('/') || path.is_dir() {
            return Err(fail(
                USAGE,
                format!(
                    "--chat {}: a folder is not a conversation; name a file in it (e.g. {}/chat.jsonl)",
                    crate::text::one_line(arg),
                    crate::text::one_line(arg.trim_end_matches('/'))
                ),
            ));
        }
        return Ok(path);
    }
    if arg.is_empty() || arg.starts_with('.') {
        return Err(fail(USAGE, format!("bad conversation name `{arg}`")));
    }
    let named = dir()?.join(format!("{arg}.jsonl"));
    if named.exists() {
        return Ok(named);
    }
    // The start of one stored conversation's id continues that one; of none, a new
    // conversation takes the name.
    Ok(by_prefix(arg)?.unwrap_or(named))
}

/// The stored conversation whose id starts with `prefix`: `None` when none does, a usage
/// error listing them when several do.
fn by_prefix(prefix: &str) -> Result<Option<PathBuf>> {
    let stem = |p: &Path| p.file_stem().map(|s| s.to_string_lossy().into_owned());
    let matches: Vec<PathBuf> = list()?
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| stem(p).is_some_and(|s| s.starts_with(prefix)))
        .collect();
    match matches.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        several => {
            let shown = 10;
            let mut ids: Vec<String> = several.iter().take(shown).filter_map(|p| stem(p)).collect();
            if several.len() > shown {
                ids.push(format!("and {} more", several.len() - shown));
            }
            Err(fail(
                USAGE,
                format!(
                    "`{prefix}` is the start of {} conversations ({}): give more of the id",
                    several.len(),
                    crate::text::one_line(&ids.join(", "))
                ),
            ))
        }
    }
}

/// The conversation written most recently that holds a complete exchange, for `-c`, with
/// its messages. Files that are empty, hold no answer yet, or are not conversations are
/// passed over.
pub(crate) fn latest() -> Result<(PathBuf, Vec<Value>)> {
    for (path, _) in list()? {
        match read(&path) {
            Ok(messages) if messages.iter().any(|m| m["role"] == "assistant") => {
                return Ok((path, messages));
            }
            Ok(_) => {}
            Err(e) => crate::output::ui::warn(&format!("{e:#}")),
        }
    }
    Err(fail(
        USAGE,
        "no conversation to continue yet: start one without -c",
    ))
}

/// Every conversation in the store, newest first.
pub(crate) fn list() -> Result<Vec<(PathBuf, SystemTime)>> {
    let dir = dir()?;
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
    };
    let mut found: Vec<(PathBuf, SystemTime)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .filter_map(|p| {
            let meta = fs::metadata(&p).ok().filter(fs::Metadata::is_file)?;
            let modified = meta.modified().ok()?;
            Some((p, modified))
        })
        .collect();
    found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
    Ok(found)
}

/// Finds a stored conversation by id or unique id prefix.
pub(crate) fn find(id: &str) -> Result<PathBuf> {
    if id.trim().is_empty() {
        return Err(fail(
            USAGE,
            "an empty conversation id names nothing (see `mume history`)",
        ));
    }
    let all = list()?;
    let stem = |p: &Path| p.file_stem().map(|s| s.to_string_lossy().into_owned());
    if let Some((p, _)) = all.iter().find(|(p, _)| stem(p).as_deref() == Some(id)) {
        return Ok(p.clone());
    }
    by_prefix(id)?.ok_or_else(|| {
        fail(
            USAGE,
            format!("no conversation `{id}` (see `mume history`)"),
        )
    })
}

/// Reads a conversation; a missing file is an empty one. A line cut short by a crash or a
/// full disk (whatever its bytes) is skipped with a warning; a file that is not JSON Lines
/// messages at all is refused, so that mume never writes into it.
pub(crate) fn read(path: &Path) -> Result<Vec<Value>> {
    let cannot = |e: &dyn std::fmt::Display| {
        fail(
            CONFIG,
            format!("cannot read conversation {}: {e}", path.display()),
        )
    };
    match fs::metadata(path) {
        // A FIFO or a device would block or never end.
        Ok(meta) if !meta.is_file() => return Err(cannot(&"not a regular file")),
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if fs::symlink_metadata(path).is_ok() {
                return Err(cannot(&"a link to a file that does not exist"));
            }
            return Ok(Vec::new());
        }
        Err(e) => return Err(cannot(&e)),
    }
    let bytes = fs::read(path).map_err(|e| cannot(&e))?;
    parse(&bytes, path)
}

/// The roles of the Chat Completions API; a line with another is not a chat message.
const ROLES: [&str; 6] = [
    "system",
    "developer",
    "user",
    "assistant",
    "tool",
    "function",
];

/// One stored line as JSON. A byte that is not UTF-8 (a file edited in another encoding)
/// spoils one character, not the message: it is read as U+FFFD, and said so.
fn parse_line(line: &[u8], number: usize, path: &Path) -> serde_json::Result<Value> {
    let parsed = serde_json::from_slice::<Value>(line);
    let Err(bad) = std::str::from_utf8(line) else {
        return parsed;
    };
    if parsed.is_ok() {
        return parsed;
    }
    let lossy = serde_json::from_str::<Value>(&String::from_utf8_lossy(line));
    if lossy.is_ok() {
        crate::output::ui::warn(&format!(
            "line {number} of {} is not valid UTF-8 (a bad byte at offset {}); read with U+FFFD in its place",
            path.display(),
            bad.valid_up_to()
        ));
        return lossy;
    }
    parsed
}

fn parse(bytes: &[u8], path: &Path) -> Result<Vec<Value>> {
    let lines: Vec<(usize, &[u8])> = bytes
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .enumerate()
        .filter(|(_, line)| !line.is_empty())
        .collect();
    let mut messages = Vec::with_capacity(lines.len());
    for (n, &(i, line)) in lines.iter().enumerate() {
        let parsed = parse_line(line, i + 1, path);
        let is_message = |v: &Value| {
            let role = v.get("role").and_then(Value::as_str);
            role.is_some_and(|r| ROLES.contains(&r))
        };
        // What a crash or a full disk leaves does not parse: the last line cut short
        // (whatever its bytes), zeros where a write never landed, or a cut message an
        // older mume went on after.
        let torn = parsed.is_err()
            && (n + 1 == lines.len()
                || line.iter().all(|&b| b == 0)
                || line.starts_with(b"{\"role\""));
        match parsed {
            Ok(message) if is_message(&message) => {
                messages.push(message);
                continue;
            }
            _ if torn => {}
            _ => {
                return Err(fail(
                    CONFIG,
                    format!(
                        "{} is not a conversation: line {} is not a chat message (mume writes only to JSON Lines files of chat messages)",
                        path.display(),
                        i + 1
                    ),
                ));
            }
        }
        crate::output::ui::warn(&format!(
            "skipping line {} of {}: an incomplete message (cut short by a crash or a full disk?)",
            i + 1,
            path.display()
        ));
    }
    if messages.is_empty() && !lines.is_empty() && lines.iter().all(|(_, l)| !l.starts_with(b"{")) {
        return Err(fail(
            CONFIG,
            format!(
                "{} is not a conversation: it holds no chat message",
                path.display()
            ),
        ));
    }
    Ok(messages)
}

/// The model a conversation last asked for, as its assistant lines record it.
pub(crate) fn model(messages: &[Value]) -> Option<&str> {
    messages
        .iter()
        .rev()
        .find_map(|m| m.get("model").and_then(Value::as_str))
}

/// A message with only the fields a server accepts.
pub(crate) fn sendable(message: &Value) -> Value {
    let Some(obj) = message.as_object() else {
        return message.clone();
    };
    let kept: Map<String, Value> = obj
        .iter()
        .filter(|(k, _)| MESSAGE_FIELDS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Value::Object(kept)
}

/// The assistant line an answer adds: the message, and what mume records about it.
/// It borrows the answer, so saving a long answer does not copy it.
#[derive(Serialize)]
pub(crate) struct AnswerLine<'a> {
    role: &'static str,
    content: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tool_calls: &'a [ToolCall],
    model: &'a str,
    time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    finish_reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<&'a Value>,
    #[serde(skip_serializing_if = "str::is_empty")]
    reasoning: &'a str,
}

/// `model` is the model asked for, which a continued conversation asks for again (a
/// server may report a dated variant of it); `ended` overrides the server's finish
/// reason (`interrupted`, `error`).
pub(crate) fn answer_line<'a>(
    answer: &'a Answer,
    model: &'a str,
    ended: Option<&'a str>,
) -> AnswerLine<'a> {
    let calls_only = answer.content.is_empty() && !answer.tool_calls.list.is_empty();
    AnswerLine {
        role: "assistant",
        content: (!calls_only).then_some(answer.content.as_str()),
        tool_calls: &answer.tool_calls.list,
        model,
        time: timestamp(),
        finish_reason: ended.or(answer.finish_reason.as_deref()),
        usage: answer.usage.as_ref(),
        reasoning: &answer.reasoning,
    }
}

/// Now as RFC 3339 in UTC, to the second.
pub(crate) fn timestamp() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

mod append;

pub(crate) use append::{append, append_new, check_writable, ends_in_newline, still_at};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_are_utc_to_the_second() {
        let t = timestamp();
        assert_eq!(t.len(), "2026-11-18T11:06:40Z".len(), "{t}");
        assert!(t.parse::<jiff::Timestamp>().is_ok(), "{t}");
    }

    #[test]
    fn sendable_drops_recorded_fields() {
        let line = json!({"role":"assistant","content":"x","model":"m","usage":{},"time":"t"});
        assert_eq!(sendable(&line), json!({"role":"assistant","content":"x"}));
    }

    #[test]
    fn text_that_is_not_messages_is_not_a_conversation() {
        let path = Path::new("notes.md");
        assert!(parse(b"# Notes\n\nbuy milk\n", path).is_err());
        assert!(parse(b"{\"a\":1}\n", path).is_err());
        assert!(parse(b"\n  \n", path).unwrap().is_empty());
    }
}
