//! Conversations as JSON Lines files, one OpenAI message a line, in the store folder or at
//! any path. Appends happen under an exclusive lock and in one write, so concurrent mume
//! processes never interleave; a torn line is skipped with a warning, never fatal.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
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
        return Ok(PathBuf::from(arg));
    }
    if arg.is_empty() || arg.starts_with('.') {
        return Err(fail(USAGE, format!("bad conversation name `{arg}`")));
    }
    Ok(dir()?.join(format!("{arg}.jsonl")))
}

/// A sortable, time-based id for a new conversation; `salt` varies it between attempts.
fn new_id(salt: u32) -> String {
    let now = jiff::Timestamp::now();
    let noise =
        now.subsec_nanosecond() as u32 ^ std::process::id() ^ salt.wrapping_mul(0x9E37_79B9);
    format!("{}-{:04x}", now.strftime("%Y%m%d-%H%M%S"), noise & 0xffff)
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
    let matches: Vec<&PathBuf> = all
        .iter()
        .map(|(p, _)| p)
        .filter(|p| stem(p).is_some_and(|s| s.starts_with(id)))
        .collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(fail(
            USAGE,
            format!("no conversation `{id}` (see `mume history`)"),
        )),
        _ => Err(fail(
            USAGE,
            format!(
                "`{id}` matches {} conversations: give more of the id",
                matches.len()
            ),
        )),
    }
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

fn parse(bytes: &[u8], path: &Path) -> Result<Vec<Value>> {
    let lines: Vec<(usize, &[u8])> = bytes
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .enumerate()
        .filter(|(_, line)| !line.is_empty())
        .collect();
    let mut messages = Vec::with_capacity(lines.len());
    for (n, &(i, line)) in lines.iter().enumerate() {
        let parsed = serde_json::from_slice::<Value>(line);
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

/// Appends one exchange to a conversation as one unit: `system` (when the conversation's
/// own system message differs from it), then `lines`, then `last`, the answer.
///
/// Other mume processes may write the same file at once. The exchange is written under an
/// exclusive lock, into the file that is at `path` at that moment (another process may have
/// removed or replaced it since it was opened), and a failed write is undone, so the file
/// is either as it was or holds the whole exchange. A new file appears with its first
/// exchange in it, never empty. Folders are made 0700 and files 0600.
///
/// While another process holds the lock, `wait` is called every few milliseconds, so that
/// the caller can end the run meanwhile (`--max-time`, a signal).
pub(crate) fn append(
    path: &Path,
    system: Option<&Value>,
    lines: &[Value],
    last: &impl Serialize,
    wait: &mut dyn FnMut(),
) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_dir(parent)?;
    }
    let shown = path.display();
    // Each round loses only to another process creating or replacing the file meanwhile.
    for _ in 0..16 {
        let mut file = match OpenOptions::new().read(true).append(true).open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let write = |file: &File| write_exchange(file, system, lines, last, false);
                if create_with(path, write).with_context(|| format!("writing {shown}"))? {
                    return Ok(());
                }
                continue;
            }
            Err(e) => return Err(e).with_context(|| format!("opening {shown}")),
        };
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {
                    wait();
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("locking {shown}"));
                }
            }
        }
        if !still_at(&file, path) {
            continue;
        }
        let len = file.metadata()?.len();
        let system = match system {
            Some(wanted) if len > 0 => {
                let mut bytes = Vec::new();
                file.seek(SeekFrom::Start(0))?;
                file.read_to_end(&mut bytes)
                    .with_context(|| format!("reading {shown}"))?;
                let held = parse(&bytes, path)?;
                let current = held.iter().rev().find(|m| m["role"] == "system");
                current
                    .is_none_or(|m| sendable(m) != sendable(wanted))
                    .then_some(wanted)
            }
            other => other,
        };
        let torn = !ends_in_newline(&mut file, len)?;
        if let Err(e) = write_exchange(&file, system, lines, last, torn) {
            // Undo a partial write (a full disk): a torn line would be skipped, but the
            // file must stay as it was.
            let _ = file.set_len(len);
            return Err(e).with_context(|| format!("writing {shown}"));
        }
        return Ok(());
    }
    Err(anyhow::anyhow!(
        "writing {shown}: the file keeps being replaced by another program"
    ))
}

/// Saves the first exchange of a new conversation in the store under a fresh id, and
/// returns its path. An id another run took at the same moment is passed over, so two
/// conversations never mix.
pub(crate) fn append_new(
    system: Option<&Value>,
    lines: &[Value],
    last: &impl Serialize,
) -> Result<PathBuf> {
    append_new_in(&dir()?, system, lines, last)
}

fn append_new_in(
    dir: &Path,
    system: Option<&Value>,
    lines: &[Value],
    last: &impl Serialize,
) -> Result<PathBuf> {
    create_private_dir(dir)?;
    let write = |file: &File| write_exchange(file, system, lines, last, false);
    for salt in 0..16 {
        let path = dir.join(format!("{}.jsonl", new_id(salt)));
        if create_with(&path, write).with_context(|| format!("writing {}", path.display()))? {
            return Ok(path);
        }
    }
    Err(anyhow::anyhow!(
        "writing in {}: no free conversation id",
        dir.display()
    ))
}

/// Writes the exchange's lines to `file` through a buffer: a long answer is serialized
/// straight into the file, not first into memory whole.
fn write_exchange(
    file: &File,
    system: Option<&Value>,
    lines: &[Value],
    last: &impl Serialize,
    torn: bool,
) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(64 * 1024, file);
    if torn {
        out.write_all(b"\n")?;
    }
    for line in system.into_iter().chain(lines) {
        serde_json::to_writer(&mut out, line)?;
        out.write_all(b"\n")?;
    }
    serde_json::to_writer(&mut out, last)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Creates `path` holding what `write` writes, all at once: written to a file of our own
/// first, then linked into place. False when another process created `path` first.
fn create_with(path: &Path, write: impl Fn(&File) -> io::Result<()>) -> io::Result<bool> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let (own, file) = own_file(path, &options)?;
    let written = write(&file);
    drop(file);
    let linked = written.map(|()| fs::hard_link(&own, path));
    let _ = fs::remove_file(&own);
    match linked? {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        // A file system without hard links: create in place, and take it back on failure.
        Err(_) => {
            let file = match options.open(path) {
                Ok(file) => file,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
                Err(e) => return Err(e),
            };
            write(&file).inspect_err(|_| {
                let _ = fs::remove_file(path);
            })?;
            Ok(true)
        }
    }
}

/// A new file of our own beside `path`, under a name nobody can guess or have made ready
/// (`create_new` also refuses a link planted under that name).
fn own_file(path: &Path, options: &OpenOptions) -> io::Result<(PathBuf, File)> {
    use std::hash::{BuildHasher, RandomState};
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut last = None;
    for _ in 0..8 {
        let noise = RandomState::new().hash_one(SystemTime::now());
        let own = path.with_file_name(format!(".{name}.{}-{noise:016x}.tmp", std::process::id()));
        match options.open(&own) {
            Ok(file) => return Ok((own, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free name")))
}

/// Fails unless a conversation can be written at `path` (`None`: a new one in the store),
/// so that an answer is not paid for and then lost for want of a place to keep it.
pub(crate) fn check_writable(path: Option<&Path>) -> Result<()> {
    let target = match path {
        Some(path) => path.to_path_buf(),
        None => dir()?.join("new.jsonl"),
    };
    let shown = target.display();
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_dir(parent)?;
    }
    if path.is_some() && target.exists() {
        OpenOptions::new()
            .append(true)
            .open(&target)
            .with_context(|| format!("cannot write to {shown}"))?;
        return Ok(());
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    let (own, _) = own_file(&target, &options).with_context(|| format!("cannot create {shown}"))?;
    let _ = fs::remove_file(own);
    Ok(())
}

/// True when `file` is still the file at `path`: not removed, not replaced.
pub(crate) fn still_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(held), Ok(named)) => held.dev() == named.dev() && held.ino() == named.ino(),
        _ => false,
    }
}

/// The file of length `len` ends its last line (an empty file does).
pub(crate) fn ends_in_newline(file: &mut File, len: u64) -> Result<bool> {
    if len == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))
}

/// Now as RFC 3339 in UTC, to the second.
pub(crate) fn timestamp() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

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
    fn append_repairs_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("c.jsonl");
        let user = json!({"role": "user", "content": "a"});
        append(
            &path,
            None,
            &[user],
            &json!({"role": "assistant", "content": "b"}),
            &mut || {},
        )
        .unwrap();
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"role\":\"assist\xe2\x82").unwrap();
        append(
            &path,
            None,
            &[],
            &json!({"role": "user", "content": "c"}),
            &mut || {},
        )
        .unwrap();
        let messages = read(&path).unwrap();
        assert_eq!(messages.len(), 3, "the torn line is skipped, the rest kept");
        assert_eq!(messages[2]["content"], "c");
    }

    #[test]
    fn the_system_message_is_written_only_when_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        let terse = json!({"role": "system", "content": "terse"});
        let verbose = json!({"role": "system", "content": "verbose"});
        let answer = json!({"role": "assistant", "content": "ok"});
        for system in [&terse, &terse, &verbose, &verbose] {
            append(&path, Some(system), &[], &answer, &mut || {}).unwrap();
        }
        let systems: Vec<Value> = read(&path)
            .unwrap()
            .into_iter()
            .filter(|m| m["role"] == "system")
            .collect();
        assert_eq!(systems, [terse, verbose]);
        assert!(
            fs::read_dir(dir.path()).unwrap().count() == 1,
            "no file of our own is left beside the conversation"
        );
    }

    #[test]
    fn new_conversations_never_share_a_file() {
        // Far more than 2^8 new conversations in the same second: their 16-bit ids collide.
        let dir = tempfile::tempdir().unwrap();
        let answer = json!({"role": "assistant", "content": "ok"});
        for _ in 0..2000 {
            append_new_in(dir.path(), None, &[], &answer).unwrap();
        }
        for entry in fs::read_dir(dir.path()).unwrap() {
            assert_eq!(read(&entry.unwrap().path()).unwrap().len(), 1);
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2000);
    }

    #[test]
    fn text_that_is_not_messages_is_not_a_conversation() {
        let path = Path::new("notes.md");
        assert!(parse(b"# Notes\n\nbuy milk\n", path).is_err());
        assert!(parse(b"{\"a\":1}\n", path).is_err());
        assert!(parse(b"\n  \n", path).unwrap().is_empty());
    }
}
