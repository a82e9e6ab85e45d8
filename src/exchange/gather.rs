//! Gathering a request's parts, the I/O of an exchange: the conversation continued, stdin,
//! the `-f` files, `--messages`, `--tool-result` texts, attachments and the request fields
//! read from files. What is gathered is then planned, without I/O, into a body.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Result;
use serde_json::{Map, Value, json};

use crate::check::strip_bom;
use crate::error::{BAD_INPUT, USAGE, fail};
use crate::lifecycle::Deadline;
use crate::settings::{Settings, Target};
use crate::store;

use super::parts::{attachments, fields};

/// Everything an exchange is planned from, read.
#[derive(Debug, Default)]
pub(crate) struct Gathered {
    /// The conversation continued, and its messages; `None` starts a new one.
    pub(crate) conversation: Option<PathBuf>,
    pub(crate) history: Vec<Value>,
    /// `--messages`: sent as given, before the new lines.
    pub(crate) imported: Vec<Value>,
    /// `--tool-result`: tool messages answering the last answer's calls.
    pub(crate) tool_results: Vec<Value>,
    /// stdin, the files and the words; `None` when they say nothing but whitespace.
    pub(crate) prompt: Option<String>,
    /// `-a`: image parts.
    pub(crate) images: Vec<Value>,
    /// The request fields with the ones from files filled in.
    pub(crate) fields: Map<String, Value>,
    /// `-p`: the role's parameters and their values.
    pub(crate) values: super::params::Values,
}

/// Reads every part of a single exchange, in the order their errors are best met: the
/// fields' files, the conversation, `--messages`, tool results, stdin, the `-f` files, the
/// attachments.
pub(crate) fn gather(settings: &Settings) -> Result<Gathered> {
    let input = &settings.input;
    let deadline = settings.transport.deadline;
    let fields = fields(&settings.request, deadline)?;
    let (conversation, history) = match &settings.conversation.target {
        Some(Target::Latest) => {
            let (path, messages) = store::latest()?;
            (Some(path), messages)
        }
        Some(Target::Named(chat)) => {
            let path = store::chat_path(chat)?;
            let messages = store::read(&path)?;
            (Some(path), messages)
        }
        None => (None, Vec::new()),
    };
    let imported = match &input.messages {
        Some(source) => read_messages(source, input.max_input, deadline)?,
        None => Vec::new(),
    };
    let mut tool_results = Vec::new();
    if !input.tool_results.is_empty() {
        if conversation.is_none() {
            return Err(fail(
                USAGE,
                "--tool-result needs -c or --chat: the conversation that called the tool",
            ));
        }
        let is_answer = |m: &&Value| m["role"] == "assistant";
        let last_answer = imported.iter().rev().find(is_answer);
        let last_answer = last_answer.or_else(|| history.iter().rev().find(is_answer));
        tool_results =
            read_tool_results(last_answer, &input.tool_results, input.max_input, deadline)?;
    }
    let stdin = if input.stdin {
        let has_prompt =
            !input.words.is_empty() || !input.files.is_empty() || input.editor.is_some();
        read_stdin(input.max_input, has_prompt, deadline)?
            .map(|bytes| utf8(bytes, "stdin"))
            .transpose()?
    } else {
        None
    };
    let stdin_len = stdin.as_ref().map_or(0, |s| s.len() as u64);
    let room = input.max_input.saturating_sub(stdin_len);
    let files = read_files(&input.files, room, input.max_input, deadline)?;
    let words = super::editor::words(input)?;
    // A prompt of only whitespace says nothing: it is not worth a paid request.
    let prompt = assemble(stdin, &files, &words).filter(|p| !p.trim().is_empty());
    Ok(Gathered {
        conversation,
        history,
        imported,
        tool_results,
        prompt,
        images: attachments(&settings.request.attach, deadline)?,
        fields,
        values: super::params::read(&settings.request.params, input.max_input, deadline)?,
    })
}

/// What a wait for the user's own files is called when `--max-time` cuts it short. Every
/// file a user names is read within the deadline: a FIFO with no writer, or a file on a
/// mount that hangs, cannot outlast it.
pub(crate) const READING_FILES: &str = "reading the files";

/// How long stdin may stay silent, with words given, before the user is told we wait.
const STDIN_WARN_AFTER: Duration = Duration::from_secs(2);

/// Reads stdin to the end, at most `limit` bytes; zero bytes count as no stdin.
/// With `warn` set, a silent stdin gets one warning after two seconds. Past the deadline
/// (`--max-time`) it gives up waiting.
pub(crate) fn read_stdin(limit: u64, warn: bool, deadline: Deadline) -> Result<Option<Vec<u8>>> {
    deadline.bound("waiting for stdin", move || read_all(limit, warn))
}

fn read_all(limit: u64, warn: bool) -> Result<Option<Vec<u8>>> {
    let (first_byte, waited) = mpsc::channel::<()>();
    if warn {
        std::thread::spawn(move || {
            if waited.recv_timeout(STDIN_WARN_AFTER) == Err(mpsc::RecvTimeoutError::Timeout) {
                crate::output::ui::warn("waiting for stdin (use --no-stdin or </dev/null)");
            }
        });
    }
    let mut stdin = io::stdin().lock();
    let mut data = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match stdin.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(anyhow::Error::new(e).context("reading stdin")),
        };
        let _ = first_byte.send(());
        if (data.len() + n) as u64 > limit {
            return Err(fail(
                BAD_INPUT,
                format!(
                    "stdin is larger than the input limit of {limit} bytes (raise it with --max-input)"
                ),
            ));
        }
        data.extend_from_slice(&chunk[..n]);
    }
    Ok((!data.is_empty()).then_some(data))
}

/// Checks that input bytes are UTF-8, naming the first bad byte's offset.
pub(crate) fn utf8(bytes: Vec<u8>, what: &str) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        fail(
            BAD_INPUT,
            format!("{what} is not valid UTF-8 (bad byte at offset {at}); nothing was sent"),
        )
    })
}

/// A file given with `-f`: the path as given, and its text.
pub(crate) struct PromptFile {
    pub(crate) path: String,
    pub(crate) text: String,
}

/// Reads the `-f` files, at most `room` bytes in all (what `--max-input` leaves after
/// stdin). A missing or unreadable file or a folder is a usage error; a file that is not
/// UTF-8, or more than there is room for, is bad input.
pub(crate) fn read_files(
    paths: &[PathBuf],
    room: u64,
    limit: u64,
    deadline: Deadline,
) -> Result<Vec<PromptFile>> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let paths = paths.to_vec();
    deadline.bound(READING_FILES, move || read_each(&paths, room, limit))
}

/// A file the user names, read whole when it holds at most `max` bytes; `None` when it
/// holds more. `what` names it in errors: one that cannot be read is a usage error, and
/// a folder one that says `folder`.
pub(crate) fn read_at_most(
    path: &Path,
    max: u64,
    what: &str,
    folder: &str,
) -> Result<Option<Vec<u8>>> {
    let unreadable = |e: io::Error| fail(USAGE, format!("cannot read {what}: {e}"));
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    if file.metadata().map_err(unreadable)?.is_dir() {
        return Err(fail(USAGE, folder.to_string()));
    }
    let mut bytes = Vec::new();
    (&mut file)
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

fn read_each(paths: &[PathBuf], room: u64, limit: u64) -> Result<Vec<PromptFile>> {
    let mut left = room;
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let shown = crate::text::one_line(&path.display().to_string());
        let folder = format!("-f {shown} is a folder: give its files one by one");
        let Some(bytes) = read_at_most(path, left, &format!("-f {shown}"), &folder)? else {
            return Err(fail(
                BAD_INPUT,
                format!(
                    "-f {shown}: the files and stdin are larger than the input limit of {limit} bytes (raise it with --max-input)"
                ),
            ));
        };
        left -= bytes.len() as u64;
        let text = utf8(bytes, &format!("-f {shown}"))?;
        files.push(PromptFile {
            path: path.display().to_string(),
            text,
        });
    }
    Ok(files)
}

/// The fence for a file's text: three backticks, or one more than the longest run of
/// three or more in the text, so that the text can never close it.
fn fence(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(if longest >= 3 { longest + 1 } else { 3 })
}

/// Joins the prompt's parts with exactly a blank line between them: stdin, each `-f` file
/// fenced under its path (its text less one trailing newline), then the words.
pub(crate) fn assemble(
    stdin: Option<String>,
    files: &[PromptFile],
    words: &[String],
) -> Option<String> {
    let mut parts: Vec<String> = Vec::with_capacity(files.len() + 2);
    parts.extend(stdin);
    for file in files {
        let text = crate::text::without_line_break(&file.text);
        let fence = fence(&file.text);
        parts.push(format!("{fence}{}\n{text}\n{fence}", file.path));
    }
    if !words.is_empty() {
        parts.push(words.join(" "));
    }
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// Reads `--messages FILE|-`: a JSON array, or JSON Lines.
fn read_messages(source: &str, limit: u64, deadline: Deadline) -> Result<Vec<Value>> {
    let (bytes, name) = if source == "-" {
        let bytes = read_stdin(limit, false, deadline)?.unwrap_or_default();
        (bytes, "stdin".to_string())
    } else {
        let path = source.to_string();
        let bytes = deadline.bound(READING_FILES, move || {
            std::fs::read(&path)
                .map_err(|e| fail(USAGE, format!("cannot read --messages file {path}: {e}")))
        })?;
        (bytes, source.to_string())
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| fail(USAGE, format!("--messages {name} is not valid UTF-8")))?;
    // Editors on Windows start files with a byte-order mark; it is not part of the JSON.
    let text = strip_bom(&text);
    let trimmed = text.trim_start();
    let messages: Vec<Value> = if trimmed.starts_with('[') {
        serde_json::from_str(trimmed).map_err(|e| {
            fail(
                USAGE,
                format!("--messages {name} is not a valid JSON array: {e}"),
            )
        })?
    } else {
        let mut messages = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let value = serde_json::from_str(line)
                .map_err(|e| fail(USAGE, format!("--messages {name}, line {}: {e}", i + 1)))?;
            messages.push(value);
        }
        messages
    };
    for (i, m) in messages.iter().enumerate() {
        if !m.get("role").is_some_and(Value::is_string) {
            return Err(fail(
                USAGE,
                format!("--messages {name}: message {} has no \"role\"", i + 1),
            ));
        }
    }
    Ok(messages)
}

/// A tool result's text: as given, a file's (`@FILE`) or stdin's (`@-`).
fn tool_result_text(text: &str, limit: u64, deadline: Deadline) -> Result<String> {
    match text.strip_prefix('@') {
        Some("-") => {
            let bytes = read_stdin(limit, false, deadline)?.unwrap_or_default();
            utf8(bytes, "stdin")
        }
        Some(file) => {
            let file = file.to_string();
            deadline.bound(READING_FILES, move || {
                std::fs::read_to_string(&file)
                    .map_err(|e| fail(USAGE, format!("cannot read tool result file {file}: {e}")))
            })
        }
        None => Ok(text.to_string()),
    }
}

/// `--tool-result CALL_ID=TEXT|@FILE|@-`: tool messages answering the last assistant
/// message's calls.
fn read_tool_results(
    last: Option<&Value>,
    results: &[String],
    limit: u64,
    deadline: Deadline,
) -> Result<Vec<Value>> {
    let ids: Vec<&str> = last
        .and_then(|m| m.get("tool_calls"))
        .and_then(Value::as_array)
        .map(|calls| {
            calls
                .iter()
                .filter_map(|c| c.get("id").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let mut lines = Vec::new();
    for result in results {
        // A server chooses the ids, `=` included: a known id followed by `=` is taken whole.
        let known = ids.iter().filter_map(|id| {
            let text = result.strip_prefix(id)?.strip_prefix('=')?;
            Some((*id, text))
        });
        let split = known.max_by_key(|(id, _)| id.len());
        let (id, text) = split.or_else(|| result.split_once('=')).ok_or_else(|| {
            fail(
                USAGE,
                format!("bad --tool-result `{result}`: expected CALL_ID=TEXT"),
            )
        })?;
        if id.is_empty() {
            return Err(fail(
                USAGE,
                format!("bad --tool-result `{result}`: the CALL_ID is empty"),
            ));
        }
        if !ids.contains(&id) {
            let known = if ids.is_empty() {
                "none".to_string()
            } else {
                ids.join(", ")
            };
            return Err(fail(
                USAGE,
                format!("--tool-result {id}: not a call of the last answer (its calls: {known})"),
            ));
        }
        let content = tool_result_text(text, limit, deadline)?;
        lines.push(json!({"role": "tool", "tool_call_id": id, "content": content}));
    }
    Ok(lines)
}
#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn words_are_joined_with_spaces() {
        assert_eq!(
            assemble(None, &[], &words(&["a", "b  c"])).unwrap(),
            "a b  c"
        );
    }

    #[test]
    fn stdin_then_blank_line_then_words() {
        let p = assemble(Some("code\n".into()), &[], &words(&["review"])).unwrap();
        assert_eq!(p, "code\n\n\nreview");
        let p = assemble(Some("  x".into()), &[], &[]).unwrap();
        assert_eq!(p, "  x");
    }

    #[test]
    fn neither_is_none() {
        assert_eq!(assemble(None, &[], &[]), None);
    }

    #[test]
    fn files_come_fenced_between_stdin_and_words() {
        let files = [
            PromptFile {
                path: "a.rs".into(),
                text: "fn a() {}\n\n".into(),
            },
            PromptFile {
                path: "b.txt".into(),
                text: "no newline".into(),
            },
        ];
        let p = assemble(Some("in\n".into()), &files, &words(&["explain"])).unwrap();
        assert_eq!(
            p,
            "in\n\n\n```a.rs\nfn a() {}\n\n```\n\n```b.txt\nno newline\n```\n\nexplain"
        );
    }

    #[test]
    fn bad_utf8_names_the_offset() {
        let err = utf8(b"ab\xffc".to_vec(), "stdin").unwrap_err();
        assert!(format!("{err}").contains("offset 2"));
    }
}
