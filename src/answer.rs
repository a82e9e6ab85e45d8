//! Reading a successful response, whole or streamed, into stdout and into the `Answer`
//! that the conversation store keeps. The rules of the output contract live here: what
//! goes to stdout, what to stderr, and which endings are failures.

use std::borrow::Cow;
use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex};

use anyhow::Result;
use reqwest::blocking::Response;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{DECLINED, PROTOCOL, TEMPORARY, code_for_status, fail};
use crate::output::{Extract, FunctionCall, Out, ToolCall, extract};
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
/// can save a partial answer.
#[derive(Debug, Default)]
pub(crate) struct Answer {
    pub(crate) content: String,
    pub(crate) reasoning: String,
    pub(crate) refusal: String,
    pub(crate) tool_calls: Vec<ToolCall>,
    pub(crate) finish_reason: Option<String>,
    pub(crate) usage: Option<Value>,
    pub(crate) model: Option<String>,
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
        fail(
            TEMPORARY,
            format!("the connection broke: {}", ui::one_line(&e.to_string())),
        )
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

#[derive(Deserialize)]
struct Chunk<'a> {
    /// Only the first choice is shown; the others are skipped without being kept.
    #[serde(borrow, default, deserialize_with = "first_choice")]
    choices: Option<ChunkChoice<'a>>,
    #[serde(default)]
    usage: Option<Value>,
    #[serde(borrow, default)]
    model: Option<Cow<'a, str>>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct ChunkChoice<'a> {
    #[serde(borrow, default)]
    delta: Option<Delta<'a>>,
    #[serde(borrow, default)]
    finish_reason: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
struct Delta<'a> {
    #[serde(borrow, default)]
    content: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    reasoning: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    reasoning_content: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    refusal: Option<Cow<'a, str>>,
    #[serde(default)]
    tool_calls: Option<Vec<CallDelta>>,
}

#[derive(Deserialize)]
struct CallDelta {
    #[serde(default)]
    index: usize,
    id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    function: Option<FunctionDelta>,
}

#[derive(Deserialize)]
struct FunctionDelta {
    name: Option<String>,
    arguments: Option<String>,
}

#[derive(Deserialize)]
struct Completion {
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Value>,
    #[serde(default)]
    model: Option<String>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    message: Option<Message>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    content: Option<Value>,
    #[serde(default)]
    reasoning: Option<String>,
    #[serde(default)]
    reasoning_content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<ToolCall>>,
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
            return Err(fail(
                TEMPORARY,
                format!("the server sent an error mid-stream: {text}"),
            ));
        }
        let chunk: Chunk = serde_json::from_str(event.data).map_err(|e| {
            fail(
                PROTOCOL,
                format!("the server sent an event that is not a chunk: {e}"),
            )
        })?;
        if let Some(error) = chunk.error.as_ref().filter(|e| !e.is_null()) {
            let text = error_text(&serde_json::json!({ "error": error })).0;
            return Err(fail(
                TEMPORARY,
                format!("the server sent an error mid-stream: {text}"),
            ));
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
        if answer.model.is_none() {
            answer.model = chunk.model.map(Cow::into_owned);
        }
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
        if let Some(text) = delta
            .reasoning
            .or(delta.reasoning_content)
            .filter(|t| !t.is_empty())
        {
            answer.started = true;
            answer.reasoning.push_str(&text);
            if self.mode.reasoning && !self.mode.json {
                self.reasoning(&text);
            }
        }
        if let Some(text) = delta.content.filter(|t| !t.is_empty()) {
            answer.started = true;
            answer.content.push_str(&text);
            if self.live {
                self.end_reasoning();
                self.out.write(&text)?;
            }
        }
        if let Some(text) = delta.refusal {
            answer.refusal.push_str(&text);
        }
        for call in delta.tool_calls.unwrap_or_default() {
            answer.started = true;
            merge_call(&mut answer.tool_calls, call);
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
        answer.model = completion.model;
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
        let answer = self.shared.lock().unwrap();
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

/// Deserializes a list of choices into its first element, with no allocation for the list.
fn first_choice<'de, D>(deserializer: D) -> Result<Option<ChunkChoice<'de>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct First;

    impl<'de> serde::de::Visitor<'de> for First {
        type Value = Option<ChunkChoice<'de>>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of choices")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let first = seq.next_element()?;
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(first)
        }

        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    deserializer.deserialize_any(First)
}

/// Assembles streamed tool-call fragments by index. Some servers repeat the id and name in
/// every fragment, so those are taken once; arguments are concatenated.
fn merge_call(calls: &mut Vec<ToolCall>, delta: CallDelta) {
    while calls.len() <= delta.index {
        calls.push(ToolCall {
            kind: "function".into(),
            ..ToolCall::default()
        });
    }
    let call = &mut calls[delta.index];
    if let Some(id) = delta.id.filter(|s| !s.is_empty())
        && call.id.is_empty()
    {
        call.id = id;
    }
    if let Some(kind) = delta.kind.filter(|s| !s.is_empty()) {
        call.kind = kind;
    }
    if let Some(FunctionDelta { name, arguments }) = delta.function {
        if let Some(name) = name.filter(|s| !s.is_empty())
            && call.function.name.is_empty()
        {
            call.function = FunctionCall {
                name,
                arguments: std::mem::take(&mut call.function.arguments),
            };
        }
        if let Some(arguments) = arguments {
            call.function.arguments.push_str(&arguments);
        }
    }
}

/// Message content as text: a string, or the text parts of a list of parts.
fn content_text(content: Option<Value>) -> String {
    match content {
        Some(Value::String(s)) => s,
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect(),
        _ => String::new(),
    }
}

/// The human text of an error body (OpenAI, OpenRouter, FastAPI and plain forms), on one
/// line, and the error's code or type.
pub(crate) fn error_text(body: &Value) -> (String, String) {
    let error = body.get("error").unwrap_or(body);
    let kind = ["code", "type"]
        .iter()
        .find_map(|k| error.get(k).and_then(Value::as_str))
        .unwrap_or("")
        .to_string();
    let mut text = match error {
        Value::String(s) => s.clone(),
        _ => error
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| body.get("detail").map(detail_text))
            .unwrap_or_else(|| {
                if error.is_object() {
                    error.to_string()
                } else {
                    String::new()
                }
            }),
    };
    if let Some(raw) = error.pointer("/metadata/raw").and_then(Value::as_str) {
        let raw: String = raw.chars().take(200).collect();
        text.push_str(&format!(" ({raw})"));
    }
    if let Some(provider) = error
        .pointer("/metadata/provider_name")
        .and_then(Value::as_str)
    {
        text.push_str(&format!(" [provider {provider}]"));
    }
    (ui::one_line(&text), kind)
}

/// FastAPI's `detail`: a string, or a list of `{loc, msg}`.
fn detail_text(detail: &Value) -> String {
    match detail {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                let loc: Vec<String> = item
                    .get("loc")
                    .and_then(Value::as_array)
                    .map(|l| {
                        l.iter()
                            .map(|p| p.as_str().map_or(p.to_string(), str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                let msg = item.get("msg").and_then(Value::as_str).unwrap_or("invalid");
                if loc.is_empty() {
                    msg.to_string()
                } else {
                    format!("{}: {msg}", loc.join("."))
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn delta(v: Value) -> CallDelta {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn calls_merge_by_index_without_repeating_names() {
        let mut calls = Vec::new();
        for v in [
            json!({"index":0,"id":"a","type":"function","function":{"name":"f","arguments":""}}),
            json!({"index":1,"id":"b","type":"function","function":{"name":"g","arguments":"{\"y"}}),
            json!({"index":0,"id":"a","function":{"name":"f","arguments":"{\"x\":"}}),
            json!({"index":1,"function":{"arguments":"\":2}"}}),
            json!({"index":0,"function":{"arguments":"1}"}}),
        ] {
            merge_call(&mut calls, delta(v));
        }
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].id, "a");
        assert_eq!(calls[0].function.name, "f");
        assert_eq!(calls[0].function.arguments, "{\"x\":1}");
        assert_eq!(calls[1].function.arguments, "{\"y\":2}");
    }

    #[test]
    fn error_texts() {
        let (t, k) = error_text(&json!({"error":{"message":"quota","code":"insufficient_quota"}}));
        assert_eq!((t.as_str(), k.as_str()), ("quota", "insufficient_quota"));
        let (t, _) = error_text(
            &json!({"error":{"code":502,"message":"down","metadata":{"provider_name":"X","raw":"boom"}}}),
        );
        assert_eq!(t, "down (boom) [provider X]");
        let (t, _) = error_text(&json!({"detail":"Not Found"}));
        assert_eq!(t, "Not Found");
        let (t, _) =
            error_text(&json!({"detail":[{"loc":["body","model"],"msg":"field required"}]}));
        assert_eq!(t, "body.model: field required");
        let (t, _) = error_text(&json!({"error":"plain\u{1b}[2J"}));
        assert_eq!(t, "plain\\u{1b}[2J");
    }

    #[test]
    fn content_parts_join() {
        let v = json!([{"type":"text","text":"a"},{"type":"text","text":"b"}]);
        assert_eq!(content_text(Some(v)), "ab");
        assert_eq!(content_text(None), "");
    }
}
