//! Reading an answer: the events of a stream, or a whole body, applied to an `Answer` that
//! is data only. Nothing here shows anything; the presenter (`output::present`) and a batch
//! row both read answers through these functions.

use std::borrow::Cow;
use std::io::Read;

use anyhow::Result;
use serde_json::Value;

use crate::api::scan;
use crate::api::sse::{self, SseError};
use crate::api::think::{self, Think};
use crate::api::wire::{Calls, Chunk, Completion, Delta, choice_zero_of, content_text, error_text};
use crate::check::{BODY_LIMIT, EVENT_LIMIT};
use crate::error::{DECLINED, PROTOCOL, TEMPORARY, code_for_status, fail};

/// What arrived of an answer, kept for the conversation store.
#[derive(Debug, Clone, Default)]
pub(crate) struct Answer {
    pub(crate) content: String,
    pub(crate) reasoning: String,
    pub(crate) refusal: String,
    pub(crate) tool_calls: Calls,
    pub(crate) finish_reason: Option<String>,
    pub(crate) usage: Option<Value>,
    /// The model that answered, when the server named it.
    pub(crate) model: Option<String>,
    /// Some part of the answer arrived.
    pub(crate) started: bool,
    /// The content began with `<think>`, which never closed: all of it was reasoning.
    pub(crate) unclosed_think: bool,
}

/// What one event added to the answer, for the presenter to show.
#[derive(Debug, Default)]
pub(crate) struct Added<'a> {
    pub(crate) content: Option<Cow<'a, str>>,
    pub(crate) reasoning: Option<Cow<'a, str>>,
}

/// Applies the events of a stream to an answer.
pub(crate) struct Assembler {
    chunks: scan::Chunks,
    /// The model that answers is named in each chunk; the fast path does not read it, so
    /// when it is wanted the chunks up to the first text are read again for it.
    name_model: bool,
    /// Takes `<think>…</think>` at the start of the content out into the reasoning;
    /// `None` when it is kept (`--think keep`).
    think: Option<Think>,
}

impl Assembler {
    /// An assembler; `split_think`: reasoning inline in the content is taken out of it.
    pub(crate) fn new(name_model: bool, split_think: bool) -> Assembler {
        Assembler {
            chunks: scan::Chunks::default(),
            name_model,
            think: split_think.then(Think::default),
        }
    }

    /// What the content's reasoning splitter still held, at the end of the stream.
    pub(crate) fn finish(&mut self, answer: &mut Answer) -> Added<'static> {
        let Some(think) = &mut self.think else {
            return Added::default();
        };
        answer.unclosed_think = think.unclosed();
        let rest = think.finish();
        answer.content.push_str(&rest.content);
        answer.reasoning.push_str(&rest.reasoning);
        Added {
            content: Some(rest.content).filter(|t| !t.is_empty()),
            reasoning: Some(rest.reasoning).filter(|t| !t.is_empty()),
        }
    }

    /// Applies one event to `answer`; an error event, or a chunk that carries an error or
    /// is no chunk at all, fails.
    pub(crate) fn apply<'d>(
        &mut self,
        event: &sse::Event<'d>,
        answer: &mut Answer,
    ) -> Result<Added<'d>> {
        let data = event.data;
        if event.name.as_deref() == Some("error") {
            let text = serde_json::from_str::<Value>(data)
                .map(|v| error_text(&v).0)
                .unwrap_or_else(|_| crate::text::one_line(data));
            return Err(mid_stream_error(&text));
        }
        let chunk = match self.chunks.read(data) {
            Some(chunk) => chunk,
            None => serde_json::from_str::<Chunk>(data).map_err(|e| {
                fail(
                    PROTOCOL,
                    format!("the server sent an event that is not a chunk: {e}"),
                )
            })?,
        };
        if let Some(error) = chunk.error.as_ref().filter(|e| !e.is_null()) {
            let text = error_text(&serde_json::json!({ "error": error })).0;
            return Err(mid_stream_error(&text));
        }
        if self.name_model && answer.model.is_none() && !answer.started {
            #[derive(serde::Deserialize)]
            struct Named {
                model: Option<String>,
            }
            answer.model = serde_json::from_str::<Named>(data)
                .ok()
                .and_then(|n| n.model)
                .filter(|m| !m.is_empty());
        }
        if let Some(usage) = chunk.usage.filter(|u| !u.is_null()) {
            answer.usage = Some(usage);
        }
        let Some(choice) = chunk.choices else {
            return Ok(Added::default());
        };
        if let Some(reason) = choice.finish_reason {
            answer.finish_reason = Some(reason.into_owned());
        }
        Ok(choice
            .delta
            .map(|delta| take_delta(delta, answer, self.think.as_mut()))
            .unwrap_or_default())
    }
}

/// Adds a chunk's delta to the answer; returns the text it added.
fn take_delta<'d>(delta: Delta<'d>, answer: &mut Answer, think: Option<&mut Think>) -> Added<'d> {
    let content = delta.content.filter(|t| !t.is_empty());
    let (content, inline) = match (content, think) {
        (Some(text), Some(think)) => split_content(text, think),
        (content, _) => (content, None),
    };
    let reasoning = delta
        .reasoning
        .or(delta.reasoning_content)
        .filter(|t| !t.is_empty());
    let reasoning = match (reasoning, inline) {
        (Some(given), Some(inline)) => Some(Cow::Owned(inline + &given)),
        (given, inline) => given.or(inline.map(Cow::Owned)),
    };
    if let Some(text) = &reasoning {
        answer.started = true;
        answer.reasoning.push_str(text);
    }
    if let Some(text) = &content {
        answer.started = true;
        answer.content.push_str(text);
    }
    if let Some(text) = delta.refusal {
        answer.refusal.push_str(&text);
    }
    for call in delta.tool_calls.unwrap_or_default() {
        answer.started = true;
        answer.tool_calls.merge(call);
    }
    Added { content, reasoning }
}

/// A piece of content as content and inline reasoning, each `None` when empty.
fn split_content<'d>(
    text: Cow<'d, str>,
    think: &mut Think,
) -> (Option<Cow<'d, str>>, Option<String>) {
    let (content, reasoning) = match text {
        Cow::Borrowed(text) => {
            let split = think.push(text);
            (split.content, split.reasoning.into_owned())
        }
        Cow::Owned(text) => {
            let split = think.push(&text);
            (
                Cow::Owned(split.content.into_owned()),
                split.reasoning.into_owned(),
            )
        }
    };
    (
        Some(content).filter(|t| !t.is_empty()),
        Some(reasoning).filter(|t| !t.is_empty()),
    )
}

/// The failure of an event the SSE parser could not take.
pub(crate) fn event_error(e: SseError) -> anyhow::Error {
    match e {
        SseError::TooLarge => fail(PROTOCOL, "a stream event is larger than 16 MiB"),
        SseError::NotUtf8 => fail(PROTOCOL, "a stream event is not valid UTF-8"),
    }
}

/// The failure of a stream that ended without `[DONE]` or a finish reason.
pub(crate) fn ended_early(answer: &Answer) -> Result<()> {
    if answer.finish_reason.is_none() {
        return Err(fail(
            TEMPORARY,
            "the stream ended early, with no finish reason and no [DONE]: the answer is incomplete",
        ));
    }
    Ok(())
}

/// A content type that is neither JSON nor an event stream.
pub(crate) fn not_an_answer(content_type: &str) -> anyhow::Error {
    fail(
        PROTOCOL,
        format!(
            "the server answered with {}, not JSON or an event stream",
            crate::text::one_line(content_type)
        ),
    )
}

/// How an answer of this content type is read.
#[derive(Debug, PartialEq)]
pub(crate) enum Kind {
    Stream,
    Whole,
}

/// The kind of answer a content type announces, or the failure of one that is neither.
pub(crate) fn kind(content_type: &str) -> Result<Kind> {
    let lower = content_type.to_ascii_lowercase();
    if lower.starts_with("text/event-stream") {
        Ok(Kind::Stream)
    } else if lower.is_empty() || lower.contains("json") {
        Ok(Kind::Whole)
    } else {
        Err(not_an_answer(&lower))
    }
}

/// A complete response body of this content type, whole or an event stream, read into an
/// answer (a batch row's); `split_think` as for `parse_whole`.
pub(crate) fn answer_of(content_type: &str, body: &[u8], split_think: bool) -> Result<Answer> {
    if kind(content_type)? == Kind::Whole {
        return parse_whole(body, split_think);
    }
    let mut answer = Answer::default();
    let mut assembler = Assembler::new(false, split_think);
    let mut parser = sse::Parser::new(EVENT_LIMIT);
    parser.feed(body);
    let mut done = false;
    while let Some(event) = parser.next() {
        let event = event.map_err(event_error)?;
        if event.data == "[DONE]" {
            done = true;
            break;
        }
        assembler.apply(&event, &mut answer)?;
    }
    assembler.finish(&mut answer);
    if !done {
        ended_early(&answer)?;
    }
    Ok(answer)
}

/// A whole body, at most `BODY_LIMIT` bytes.
pub(crate) fn read_body(body: &mut impl Read) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    body.take(BODY_LIMIT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| crate::error::broken(&e, false))?;
    if bytes.len() as u64 > BODY_LIMIT {
        return Err(fail(PROTOCOL, "the response body is larger than 256 MiB"));
    }
    Ok(bytes)
}

/// A whole (non-streamed) response body as an answer, or the failure it reports;
/// `split_think`: reasoning inline at the start of the content (`<think>…</think>`) is
/// taken out into the reasoning.
pub(crate) fn parse_whole(body: &[u8], split_think: bool) -> Result<Answer> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    // An answer is read straight into its fields; anything else (an error, a body that is
    // no completion, a key given twice) is read again as a value, to say what it is.
    let completion = match serde_json::from_slice::<Completion>(body) {
        Ok(completion) if completion.error.is_none() => completion,
        _ => read_as_value(body)?,
    };
    let mut answer = Answer {
        usage: completion.usage.filter(|u| !u.is_null()),
        model: completion
            .model
            .as_ref()
            .and_then(Value::as_str)
            .map(String::from),
        ..Answer::default()
    };
    let choice = choice_zero_of(completion.choices)
        .ok_or_else(|| fail(PROTOCOL, "the server's answer has no choices"))?;
    answer.finish_reason = choice.finish_reason;
    if let Some(message) = choice.message {
        answer.content = content_text(message.content).ok_or_else(|| {
            fail(
                PROTOCOL,
                "the server's answer has a message content that is neither text nor a list of parts",
            )
        })?;
        answer.reasoning = message
            .reasoning
            .or(message.reasoning_content)
            .unwrap_or_default();
        answer.refusal = message.refusal.unwrap_or_default();
        answer.tool_calls.list = message.tool_calls.unwrap_or_default();
        answer.started = true;
    }
    if split_think {
        let (content, inline, unclosed) = think::split_whole(&answer.content);
        if !inline.is_empty() || unclosed {
            answer.content = content;
            answer.reasoning = inline + &answer.reasoning;
            answer.unclosed_think = unclosed;
        }
    }
    Ok(answer)
}

/// A whole body read as a value: the server's error it carries, or the completion it is.
fn read_as_value(body: &[u8]) -> Result<Completion> {
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
    serde_json::from_value(value).map_err(|e| {
        fail(
            PROTOCOL,
            format!("the server's answer is not a chat completion: {e}"),
        )
    })
}

/// The failure a complete answer ends in: filtered, ended by an error, or refused.
pub(crate) fn ending(answer: &Answer) -> Result<()> {
    match answer.finish_reason.as_deref() {
        Some("content_filter") => Err(fail(
            DECLINED,
            "the model declined: its answer was filtered (content_filter)",
        )),
        Some("error") => Err(fail(
            TEMPORARY,
            "the server ended the answer with an error (finish_reason: error)",
        )),
        _ if !answer.refusal.is_empty() => Err(fail(DECLINED, "the model declined to answer")),
        _ => Ok(()),
    }
}

/// An error the server reported inside a stream: temporary, and not retried.
fn mid_stream_error(text: &str) -> anyhow::Error {
    fail(
        TEMPORARY,
        format!("the server sent an error mid-stream: {text}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// A tool-call fragment: index, id, name, arguments, each maybe absent.
    type Fragment = (Option<u64>, Option<String>, Option<String>, Option<String>);

    #[derive(Debug, Clone)]
    enum Event {
        Text(String),
        Calls(Vec<Fragment>),
        Finish(String),
        Junk(Vec<u8>),
    }

    fn event() -> impl Strategy<Value = Event> {
        let index = prop_oneof![
            Just(None),
            (0u64..4).prop_map(Some),
            Just(Some(4_000_000_000)),
            any::<u64>().prop_map(Some),
        ];
        let id = prop_oneof![
            Just(None),
            Just(Some(String::new())),
            "[abc]".prop_map(Some)
        ];
        let call = (
            index,
            id,
            proptest::option::of("[fg]?"),
            proptest::option::of("[{}\":1 ]{0,6}"),
        );
        prop_oneof![
            4 => "[a-z é\n]{0,8}".prop_map(Event::Text),
            4 => proptest::collection::vec(call, 1..4).prop_map(Event::Calls),
            1 => "stop|length|tool_calls".prop_map(Event::Finish),
            1 => proptest::collection::vec(any::<u8>(), 0..12).prop_map(Event::Junk),
        ]
    }

    fn sse(events: &[Event], done: bool) -> Vec<u8> {
        let mut body = Vec::new();
        for event in events {
            let data = match event {
                Event::Text(text) => json!({"choices":[{"index":0,"delta":{"content":text}}]}),
                Event::Calls(calls) => {
                    let calls: Vec<Value> = calls
                        .iter()
                        .map(|(index, id, name, arguments)| {
                            let mut call = json!({"function": {}});
                            if let Some(index) = index {
                                call["index"] = json!(index);
                            }
                            if let Some(id) = id {
                                call["id"] = json!(id);
                            }
                            if let Some(name) = name {
                                call["function"]["name"] = json!(name);
                            }
                            if let Some(arguments) = arguments {
                                call["function"]["arguments"] = json!(arguments);
                            }
                            call
                        })
                        .collect();
                    json!({"choices":[{"index":0,"delta":{"tool_calls":calls}}]})
                }
                Event::Finish(reason) => {
                    json!({"choices":[{"index":0,"delta":{},"finish_reason":reason}]})
                }
                Event::Junk(bytes) => {
                    body.extend_from_slice(b"data: ");
                    body.extend_from_slice(bytes);
                    body.extend_from_slice(b"\n\n");
                    continue;
                }
            };
            body.extend_from_slice(format!("data: {data}\n\n").as_bytes());
        }
        if done {
            body.extend_from_slice(b"data: [DONE]\n\n");
        }
        body
    }

    /// Feeds `body` to the parser in pieces of the given sizes, as a network would, and
    /// applies every event to an answer (reasoning inline in the content left in it: that
    /// is `think`'s to test).
    fn assemble(body: &[u8], sizes: &[usize]) -> (Answer, Result<()>) {
        let mut answer = Answer::default();
        let mut assembler = Assembler::new(true, false);
        let mut parser = sse::Parser::new(EVENT_LIMIT);
        let mut rest = body;
        let mut next = 0;
        let result = (|| {
            while !rest.is_empty() {
                let n = sizes[next % sizes.len()].min(rest.len());
                next += 1;
                parser.feed(&rest[..n]);
                rest = &rest[n..];
                while let Some(event) = parser.next() {
                    let event = event.map_err(event_error)?;
                    if event.data == "[DONE]" {
                        return Ok(());
                    }
                    assembler.apply(&event, &mut answer)?;
                }
            }
            ended_early(&answer)
        })();
        (answer, result)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Whatever a server streams and however the network splits it: no panic, the text
        /// is what the text events said in order, every call a function object, and the
        /// answer a line the store can write.
        #[test]
        fn stream_assembly_survives_anything(
            events in proptest::collection::vec(event(), 0..24),
            done: bool,
            sizes in proptest::collection::vec(1usize..64, 1..6),
        ) {
            let body = sse(&events, done);
            let (answer, result) = assemble(&body, &sizes);
            let line = crate::store::answer_line(&answer, "m", None);
            prop_assert!(serde_json::to_string(&line).is_ok());
            if result.is_ok() {
                let said: String = events.iter().filter_map(|e| match e {
                    Event::Text(text) => Some(text.as_str()),
                    _ => None,
                }).collect();
                prop_assert_eq!(&answer.content, &said);
                for call in &answer.tool_calls.list {
                    let value = serde_json::to_value(call).unwrap();
                    prop_assert!(value["function"].is_object(), "{}", value);
                }
            }
        }

        /// Bytes that are not a stream at all fail cleanly.
        #[test]
        fn random_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512), size in 1usize..32) {
            let _ = assemble(&body, &[size]);
        }
    }

    #[test]
    fn a_stream_and_a_whole_body_read_the_same() {
        let stream = sse(
            &[Event::Text("hi".into()), Event::Finish("stop".into())],
            true,
        );
        let streamed = answer_of("text/event-stream; charset=utf-8", &stream, true).unwrap();
        let whole = br#"{"choices":[{"message":{"content":"hi"},"finish_reason":"stop"}]}"#;
        let whole = answer_of("application/json", whole, true).unwrap();
        assert_eq!(
            (streamed.content, streamed.finish_reason),
            (whole.content, whole.finish_reason)
        );
        assert!(answer_of("text/html", b"<html>", true).is_err());
        let early = sse(&[Event::Text("cut".into())], false);
        assert!(answer_of("text/event-stream", &early, true).is_err());
    }
}
