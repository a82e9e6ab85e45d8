//! Reading a successful response, whole or streamed, into stdout and into the `Answer`
//! that the conversation store keeps. The rules of the output contract live here: what
//! goes to stdout, what to stderr, and which endings are failures.

use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex};

use anyhow::Result;
use reqwest::blocking::Response;
use serde_json::Value;

use crate::error::{DECLINED, PROTOCOL, TEMPORARY, code_for_status, fail, fail_retryable};
use crate::output::{Extract, Out, ToolCall, extract};
use crate::response::{Chunk, Completion, content_text, error_text, merge_call};
use crate::sse::{self, SseError};
use crate::ui;

/// One SSE event may be this large; larger is a protocol failure, not an out-of-memory.
const EVENT_LIMIT: usize = 16 * 1024 * 1024;
/// A whole (non-streamed) body may be this large.
const BODY_LIMIT: u64 = 256 * 1024 * 1024;

/// How the answer is to be shown.
pub(crate) struct Mode {
    pub(crate) json: bool,
    pub(crate) extract: Extract,
    pub(crate) reasoning: bool,
    pub(crate) usage: bool,
    /// Hold text until the answer is complete (tools may be called, or a block extracted).
    pub(crate) hold: bool,
}

/// What arrived: kept for the conversation store, and shared so that a signal handler
/// can save a partial answer. The lock is never held while writing to stdout or stderr:
/// a reader that stops reading must not keep a signal from saving.
#[derive(Debug, Clone, Default)]
pub(crate) struct Answer {
    pub(crate) content: String,
    pub(crate) reasoning: String,
    pub(crate) refusal: String,
    pub(crate) tool_calls: Vec<ToolCall>,
    pub(crate) finish_reason: Option<String>,
    pub(crate) usage: Option<Value>,
    /// Some part of the answer arrived.
    pub(crate) started: bool,
}

pub(crate) type Shared = Arc<Mutex<Answer>>;

/// Reads the response and writes the answer. `first_byte` runs once, before any output.
pub(crate) fn receive(
    response: &mut Response,
    mode: &Mode,
    out: &mut Out,
    shared: &Shared,
    first_byte: &mut dyn FnMut(),
) -> Result<()> {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut reader = Reader {
        mode,
        out,
        shared,
        live: false,
        in_reasoning: false,
    };
    if content_type.starts_with("text/event-stream") {
        reader.live = !mode.json && !mode.hold;
        reader.stream(response, first_byte)?;
    } else if content_type.is_empty() || content_type.contains("json") {
        let body = read_body(response)?;
        first_byte();
        reader.whole(&body)?;
    } else {
        return Err(fail(
            PROTOCOL,
            format!(
                "the server answered with {}, not JSON or an event stream",
                ui::one_line(&content_type)
            ),
        ));
    }
    reader.finish()
}

pub(crate) fn read_body(response: &mut Response) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    response
        .take(BODY_LIMIT + 1)
        .read_to_end(&mut body)
        .map_err(read_error)?;
    if body.len() as u64 > BODY_LIMIT {
        return Err(fail(PROTOCOL, "the response body is larger than 256 MiB"));
    }
    Ok(body)
}

fn read_error(e: io::Error) -> anyhow::Error {
    if e.kind() == io::ErrorKind::TimedOut {
        fail(TEMPORARY, "no data from the server within --timeout")
    } else {
        fail_retryable(format!(
            "the connection broke: {}",
            ui::one_line(&e.to_string())
        ))
    }
}

struct Reader<'a> {
    mode: &'a Mode,
    out: &'a mut Out,
    shared: &'a Shared,
    /// Content is written to stdout as it arrives.
    live: bool,
    /// Reasoning text is open on stderr and wants a newline before anything else.
    in_reasoning: bool,
}

impl Reader<'_> {
    fn stream(&mut self, response: &mut Response, first_byte: &mut dyn FnMut()) -> Result<()> {
        let mut parser = sse::Parser::new(EVENT_LIMIT);
        let mut buf = vec![0u8; 64 * 1024];
        let mut first = true;
        loop {
            let n = match response.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(read_error(e)),
            };
            if first {
                first = false;
                first_byte();
            }
            parser.feed(&buf[..n]);
            while let Some(event) = parser.next() {
                let event = event.map_err(|e| match e {
                    SseError::TooLarge => fail(PROTOCOL, "a stream event is larger than 16 MiB"),
                    SseError::NotUtf8 => fail(PROTOCOL, "a stream event is not valid UTF-8"),
                })?;
                if event.data == "[DONE]" {
                    return Ok(());
                }
                self.event(&event)?;
            }
            self.out.flush()?;
        }
        if first {
            first_byte();
        }
        if self.shared.lock().unwrap().finish_reason.is_none() {
            return Err(fail(
                TEMPORARY,
                "the stream ended early, with no finish reason and no [DONE]: the answer is incomplete",
            ));
        }
        Ok(())
    }

    fn event(&mut self, event: &sse::Event) -> Result<()> {
        if event.name.as_deref() == Some("error") {
            let text = serde_json::from_str::<Value>(event.data)
                .map(|v| error_text(&v).0)
                .unwrap_or_else(|_| ui::one_line(event.data));
            return Err(mid_stream_error(&text));
        }
        let chunk: Chunk = serde_json::from_str(event.data).map_err(|e| {
            fail(
                PROTOCOL,
                format!("the server sent an event that is not a chunk: {e}"),
            )
        })?;
        if let Some(error) = chunk.error.as_ref().filter(|e| !e.is_null()) {
            let text = error_text(&serde_json::json!({ "error": error })).0;
            return Err(mid_stream_error(&text));
        }
        if self.mode.json {
            if event.data.contains('\n') {
                let value: Value = serde_json::from_str(event.data)?;
                self.out.write_line(&value.to_string())?;
            } else {
                self.out.write(event.data)?;
                self.out.write("\n")?;
            }
        }
        let mut answer = self.shared.lock().unwrap();
        if let Some(usage) = chunk.usage.filter(|u| !u.is_null()) {
            answer.usage = Some(usage);
        }
        let Some(choice) = chunk.choices else {
            return Ok(());
        };
        if let Some(reason) = choice.finish_reason {
            answer.finish_reason = Some(reason.into_owned());
        }
        let Some(delta) = choice.delta else {
            return Ok(());
        };
        let reasoning = delta
            .reasoning
            .or(delta.reasoning_content)
            .filter(|t| !t.is_empty());
        if let Some(text) = &reasoning {
            answer.started = true;
            answer.reasoning.push_str(text);
        }
        let content = delta.content.filter(|t| !t.is_empty());
        if let Some(text) = &content {
            answer.started = true;
            answer.content.push_str(text);
        }
        if let Some(text) = delta.refusal {
            answer.refusal.push_str(&text);
        }
        for call in delta.tool_calls.unwrap_or_default() {
            answer.started = true;
            merge_call(&mut answer.tool_calls, call);
        }
        drop(answer);
        if let Some(text) = reasoning.filter(|_| self.mode.reasoning && !self.mode.json) {
            self.reasoning(&text);
        }
        if let Some(text) = content.filter(|_| self.live) {
            self.end_reasoning();
            self.out.write(&text)?;
        }
        Ok(())
    }

    fn whole(&mut self, body: &[u8]) -> Result<()> {
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            fail(
                PROTOCOL,
                format!("the server's answer is not valid JSON: {e}"),
            )
        })?;
        if let Some(error) = value.get("error").filter(|e| !e.is_null()) {
            let code = error
                .get("code")
                .and_then(Value::as_u64)
                .filter(|c| (400..600).contains(c))
                .map_or(TEMPORARY, |c| code_for_status(c as u16));
            let text = error_text(&value).0;
            return Err(fail(
                code,
                format!("the server answered with an error: {text}"),
            ));
        }
        let completion: Completion = serde_json::from_value(value).map_err(|e| {
            fail(
                PROTOCOL,
                format!("the server's answer is not a chat completion: {e}"),
            )
        })?;
        let mut answer = self.shared.lock().unwrap();
        answer.usage = completion.usage.filter(|u| !u.is_null());
        let choice = completion
            .choices
            .into_iter()
            .next()
            .ok_or_else(|| fail(PROTOCOL, "the server's answer has no choices"))?;
        answer.finish_reason = choice.finish_reason;
        if let Some(message) = choice.message {
            answer.content = content_text(message.content);
            answer.reasoning = message
                .reasoning
                .or(message.reasoning_content)
                .unwrap_or_default();
            answer.refusal = message.refusal.unwrap_or_default();
            answer.tool_calls = message.tool_calls.unwrap_or_default();
            answer.started = true;
        }
        drop(answer);
        if self.mode.json {
            let text = String::from_utf8_lossy(body);
            self.out.write_line(&text)?;
        } else if self.mode.reasoning {
            let reasoning = self.shared.lock().unwrap().reasoning.clone();
            self.reasoning(&reasoning);
        }
        Ok(())
    }

    fn reasoning(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.in_reasoning = !text.ends_with('\n');
        let mut err = io::stderr().lock();
        let _ = write!(err, "{}", ui::dim(&ui::redact(&ui::escape(text))));
    }

    fn end_reasoning(&mut self) {
        if std::mem::take(&mut self.in_reasoning) {
            let _ = writeln!(io::stderr());
        }
    }

    /// Writes what was held back, then reports the endings that are not plain success.
    fn finish(mut self) -> Result<()> {
        self.end_reasoning();
        // A copy, once per answer, so that no write below holds the lock.
        let answer = self.shared.lock().unwrap().clone();
        if !self.mode.json {
            if !answer.tool_calls.is_empty() {
                if !self.live && !answer.content.is_empty() {
                    ui::note(ui::escape(answer.content.trim_end_matches('\n')).as_ref());
                }
                self.out.end_line()?;
                for call in &answer.tool_calls {
                    self.out.write_line(&serde_json::to_string(call)?)?;
                }
            } else if self.live {
                self.out.end_line()?;
            } else {
                self.out
                    .write_line(extract(&answer.content, self.mode.extract))?;
            }
        }
        self.out.flush()?;
        if self.mode.usage
            && let Some(usage) = &answer.usage
        {
            ui::note(&usage_line(usage));
        }
        match answer.finish_reason.as_deref() {
            Some("length") => {
                ui::warn("the answer was cut short at the token limit (finish_reason: length)")
            }
            Some("content_filter") => {
                return Err(fail(
                    DECLINED,
                    "the model declined: its answer was filtered (content_filter)",
                ));
            }
            Some("error") => {
                return Err(fail(
                    TEMPORARY,
                    "the server ended the answer with an error (finish_reason: error)",
                ));
            }
            _ => {}
        }
        if !answer.refusal.is_empty() {
            ui::note(&ui::escape(&answer.refusal));
            return Err(fail(DECLINED, "the model declined to answer"));
        }
        Ok(())
    }
}

/// An error the server reported inside a stream: temporary, and not retried.
fn mid_stream_error(text: &str) -> anyhow::Error {
    fail(
        TEMPORARY,
        format!("the server sent an error mid-stream: {text}"),
    )
}

fn usage_line(usage: &Value) -> String {
    let n = |k: &str| {
        usage
            .get(k)
            .and_then(Value::as_u64)
            .map_or("?".into(), |v| v.to_string())
    };
    format!(
        "tokens: {} prompt, {} completion, {} total",
        n("prompt_tokens"),
        n("completion_tokens"),
        n("total_tokens")
    )
}
