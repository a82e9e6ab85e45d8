//! The result lines of a batch, in mume's form or the OpenAI Batch API's (`--raw`), and the
//! output file a run resumes: the rows it holds a good result for are done.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{Map, Value, json};

use super::rows::key_hash;
use crate::answer::Answer;
use crate::client::Reply;
use crate::error::{USAGE, fail};

/// How one row ended.
pub(crate) enum Outcome {
    Answered {
        reply: Reply,
        answer: Answer,
    },
    Failed {
        /// The exit code a single request would have ended with.
        code: u8,
        message: String,
        /// The failing response, when there was one.
        reply: Option<Reply>,
    },
}

impl Outcome {
    pub(crate) fn failed(code: u8, message: String) -> Outcome {
        Outcome::Failed {
            code,
            message,
            reply: None,
        }
    }

    pub(crate) fn ok(&self) -> bool {
        matches!(self, Outcome::Answered { .. })
    }
}

/// The result line for a row.
pub(crate) fn line(id: &Value, line: usize, outcome: &Outcome, model: &str, raw: bool) -> Value {
    if raw {
        return raw_line(id, line, outcome);
    }
    match outcome {
        Outcome::Answered { reply, answer } => {
            let mut result = Map::new();
            result.insert("id".into(), id.clone());
            result.insert("line".into(), json!(line));
            result.insert("ok".into(), json!(true));
            result.insert("content".into(), json!(answer.content));
            result.insert("finish_reason".into(), json!(answer.finish_reason));
            // The model that answered, as the server names it.
            let answered_by = serde_json::from_slice::<Value>(&reply.body)
                .ok()
                .and_then(|body| body.get("model").and_then(Value::as_str).map(String::from))
                .unwrap_or_else(|| model.to_string());
            result.insert("model".into(), json!(answered_by));
            result.insert("usage".into(), answer.usage.clone().unwrap_or(Value::Null));
            if !answer.tool_calls.list.is_empty() {
                result.insert("tool_calls".into(), json!(answer.tool_calls.list));
            }
            if !answer.reasoning.is_empty() {
                result.insert("reasoning".into(), json!(answer.reasoning));
            }
            Value::Object(result)
        }
        Outcome::Failed {
            code,
            message,
            reply,
        } => json!({
            "id": id,
            "line": line,
            "ok": false,
            "error": {
                "exit": code,
                "status": reply.as_ref().map(|r| r.status),
                "message": message,
            },
        }),
    }
}

/// The Batch API's output line: the whole response, and an error for a row that failed.
fn raw_line(id: &Value, line: usize, outcome: &Outcome) -> Value {
    let (reply, error) = match outcome {
        Outcome::Answered { reply, .. } => (Some(reply), Value::Null),
        Outcome::Failed {
            code,
            message,
            reply,
        } => {
            let error = json!({"code": error_code(*code), "message": message, "exit": code});
            (reply.as_ref(), error)
        }
    };
    let response = reply.map(|reply| {
        let body = serde_json::from_slice::<Value>(&reply.body)
            .unwrap_or_else(|_| json!(String::from_utf8_lossy(&reply.body)));
        json!({
            "status_code": reply.status,
            "request_id": reply.request_id,
            "body": body,
        })
    });
    json!({
        "id": format!("batch_req_{line}"),
        "custom_id": super::rows::key(id),
        "response": response,
        "error": error,
    })
}

/// A name for the kind of failure, where the Batch API has a string code.
fn error_code(code: u8) -> &'static str {
    use crate::error::*;
    match code {
        DECLINED => "declined",
        REJECTED => "rejected",
        BAD_INPUT => "bad_input",
        TEMPORARY => "temporary",
        PROTOCOL => "protocol",
        PERMISSION => "permission",
        _ => "failed",
    }
}

/// The output file of a resumable run.
pub(crate) struct Resume {
    /// The rows that have a good result in it, by id.
    pub(crate) done: HashSet<u64>,
    /// Failed results dropped from it, to be tried again.
    pub(crate) dropped: usize,
    pub(crate) file: File,
}

/// Opens `path` for a run: the good results it holds are kept and their rows are done; the
/// failed ones, and a last line cut short by a kill, are dropped (the file is rewritten
/// without them, atomically) and their rows are sent again. A file that is not a batch
/// output of the same form (`raw`) is refused, untouched.
pub(crate) fn resume(path: &Path, raw: bool) -> Result<Resume> {
    let mut done = HashSet::new();
    let mut dropped = 0;
    let untidy = each_result(path, raw, &mut |_, id| {
        match id {
            Some(id) => drop(done.insert(key_hash(id))),
            None => dropped += 1,
        }
        Ok(())
    })?;
    if untidy || dropped > 0 || cut_short(path) {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        let mut temp = tempfile::NamedTempFile::new_in(dir.unwrap_or(Path::new(".")))
            .with_context(|| format!("rewriting {}", path.display()))?;
        let mut kept = io::BufWriter::new(temp.as_file_mut());
        each_result(path, raw, &mut |text, id| {
            if id.is_some() {
                writeln!(kept, "{text}")?;
            }
            Ok(())
        })?;
        kept.flush()?;
        drop(kept);
        temp.as_file().sync_all()?;
        temp.persist(path)
            .with_context(|| format!("rewriting {}", path.display()))?;
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(Resume {
        done,
        dropped,
        file,
    })
}

/// The file does not end its last line: a kill came in the middle of a write.
fn cut_short(path: &Path) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = File::open(path) else {
        return false;
    };
    let mut last = [0u8];
    file.seek(SeekFrom::End(-1)).is_ok() && file.read_exact(&mut last).is_ok() && last[0] != b'\n'
}

/// Calls `each` with every result line of the file at `path` and its id when the row
/// succeeded (`None`: it failed), reading one line at a time. True when the file also holds
/// lines that are no result: blank ones, or a last line that a kill cut short.
fn each_result(
    path: &Path,
    raw: bool,
    each: &mut dyn FnMut(&str, Option<&Value>) -> Result<()>,
) -> Result<bool> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
    };
    let mut untidy = false;
    let mut lines = BufReader::new(file).lines().enumerate().peekable();
    while let Some((i, text)) = lines.next() {
        let text = text.with_context(|| format!("reading {}", path.display()))?;
        if text.trim().is_empty() {
            untidy = true;
            continue;
        }
        match read_result(&text, raw) {
            Ok(id) => each(&text, id.as_ref())?,
            Err(_) if lines.peek().is_none() => untidy = true,
            Err(why) => {
                return Err(fail(
                    USAGE,
                    format!(
                        "--output {} line {}: {why}; choose another file, or move this one away",
                        path.display(),
                        i + 1
                    ),
                ));
            }
        }
    }
    Ok(untidy)
}

/// A result line's id when the row succeeded, `None` when it failed; `Err` when the line
/// is not a result of this form.
fn read_result(text: &str, raw: bool) -> Result<Option<Value>, String> {
    let value: Value = serde_json::from_str(text).map_err(|_| "not a JSON line".to_string())?;
    let is_raw = value.get("custom_id").is_some() && value.get("response").is_some();
    let is_ours = value.get("ok").is_some_and(Value::is_boolean) && value.get("id").is_some();
    match (is_raw, is_ours) {
        (true, _) if !raw => Err("it holds --raw results; add --raw".into()),
        (_, true) if raw => Err("it holds results without --raw; drop --raw".into()),
        (true, _) => {
            let ok = value["error"].is_null()
                && value["response"]["status_code"]
                    .as_u64()
                    .is_some_and(|s| (200..300).contains(&s));
            Ok(ok.then(|| value["custom_id"].clone()))
        }
        (_, true) => Ok((value["ok"] == true).then(|| value["id"].clone())),
        _ => Err("not a mume batch result".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_read_in_their_own_form_only() {
        let ours = r#"{"id":"a","line":1,"ok":true,"content":"x"}"#;
        let failed = r#"{"id":"b","line":2,"ok":false,"error":{"exit":75}}"#;
        let raw = r#"{"id":"batch_req_1","custom_id":"a","response":{"status_code":200,"body":{}},"error":null}"#;
        let raw_failed = r#"{"id":"batch_req_2","custom_id":"b","response":{"status_code":500,"body":{}},"error":{"code":"temporary"}}"#;
        assert_eq!(read_result(ours, false), Ok(Some(json!("a"))));
        assert_eq!(read_result(failed, false), Ok(None));
        assert_eq!(read_result(raw, true), Ok(Some(json!("a"))));
        assert_eq!(read_result(raw_failed, true), Ok(None));
        assert!(read_result(ours, true).unwrap_err().contains("drop --raw"));
        assert!(read_result(raw, false).unwrap_err().contains("add --raw"));
        assert!(read_result(r#"{"role":"user"}"#, false).is_err());
        assert!(read_result("{", false).is_err());
    }

    #[test]
    fn failed_lines_carry_the_exit_code_and_status() {
        let reply = Reply {
            status: 400,
            request_id: Some("req-1".into()),
            body: br#"{"error":{"message":"bad"}}"#.to_vec(),
        };
        let outcome = Outcome::Failed {
            code: 64,
            message: "HTTP 400".into(),
            reply: Some(reply),
        };
        let ours = line(&json!("a"), 3, &outcome, "m", false);
        assert_eq!(
            ours,
            json!({"id": "a", "line": 3, "ok": false,
                   "error": {"exit": 64, "status": 400, "message": "HTTP 400"}})
        );
        let raw = line(&json!(3), 3, &outcome, "m", true);
        assert_eq!(raw["custom_id"], "3");
        assert_eq!(raw["response"]["status_code"], 400);
        assert_eq!(raw["response"]["request_id"], "req-1");
        assert_eq!(raw["response"]["body"]["error"]["message"], "bad");
        assert_eq!(raw["error"]["code"], "rejected");
    }
}
