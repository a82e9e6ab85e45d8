//! Reading a successful response, whole or streamed, into stdout and into the `Answer`
//! that the conversation store keeps. The rules of the output contract live here: what
//! goes to stdout, what to stderr, and which endings are failures.

use std::io::{self, BufRead, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::http::Response;
use crate::output::usage::UsageFormat;
use crate::redact;
use anyhow::Result;
use serde_json::Value;

use crate::api::scan;
use crate::api::sse::{self, SseError};
use crate::api::wire::{Calls, Chunk, Completion, choice_zero_of, content_text, error_text};
use crate::error::Broken;
use crate::error::{DECLINED, PROTOCOL, TEMPORARY, code_for_status, fail};
use crate::output::ui;
use crate::output::usage;
use crate::output::{Extract, Out, extract};

/// One SSE event may be this large; larger is a protocol failure, not an out-of-memory.
const EVENT_LIMIT: usize = 16 * 1024 * 1024;
/// A whole (non-streamed) body may be this large.
const BODY_LIMIT: u64 = 256 * 1024 * 1024;

/// How the answer is to be shown.
pub(crate) struct Mode {
    pub(crate) json: bool,
    pub(crate) extract: Extract,
    pub(crate) reasoning: bool,
    /// `--usage`: token counts after the answer, for people or as JSON.
    pub(crate) usage: Option<UsageFormat>,
    /// The model asked, and when the exchange began: for `--usage=json`.
    pub(crate) model: String,
    pub(crate) started: Instant,
    /// Hold text until the answer is complete (tools may be called, or a block extracted).
    pub(crate) hold: bool,
}

impl Mode {
    /// Everything kept, nothing shown until the answer is complete, no extras.
    pub(crate) fn unseen() -> Mode {
        Mode {
            json: false,
            extract: Extract::None,
            reasoning: false,
            usage: None,
            model: String::new(),
            started: Instant::now(),
            hold: true,
        }
    }
}

/// What arrived: kept for the conversation store, and shared so that a signal handler
/// can save a partial answer. The lock is never held while writing to stdout or stderr:
/// a reader that stops reading must not keep a signal from saving.
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
    /// How much of `content` was handed to stdout, when it is written as it arrives: a
    /// run ended by a signal saves that much, what was printed.
    pub(crate) shown: Option<usize>,
    /// Set by the thread that is ending the run: nothing more is taken or printed.
    pub(crate) stopped: bool,
}

pub(crate) type Shared = Arc<Mutex<Answer>>;

/// Reads the response and writes the answer. `first_byte` runs once, before any output.
pub(crate) fn receive(
    response: &mut Response<'_>,
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
    let request_id = crate::http::request_id(response.headers()).map(String::from);
    read_answer(
        &content_type,
        request_id,
        response,
        mode,
        out,
        shared,
        first_byte,
    )
}

/// Reads an answer of this content type from `body`, whole or streamed.
fn read_answer(
    content_type: &str,
    request_id: Option<String>,
    body: &mut impl BufRead,
    mode: &Mode,
    out: &mut Out,
    shared: &Shared,
    first_byte: &mut dyn FnMut(),
) -> Result<()> {
    let mut reader = Reader::new(mode, out, shared);
    reader.request_id = request_id;
    if content_type.starts_with("text/event-stream") {
        reader.live = !mode.json && !mode.hold;
        reader.stream(body, first_byte)?;
    } else if content_type.is_empty() || content_type.contains("json") {
        let body = read_body(body)?;
        first_byte();
        reader.whole(&body)?;
    } else {
        return Err(not_an_answer(content_type));
    }
    reader.finish()
}

fn not_an_answer(content_type: &str) -> anyhow::Error {
    fail(
        PROTOCOL,
        format!(
            "the server answered with {}, not JSON or an event stream",
            ui::one_line(content_type)
        ),
    )
}

/// Waits for the end of the process once the thread that is ending the run (a signal,
/// the deadline) has taken the answer to save: what is printed must not run past what
/// is saved.
fn stop_if_stopped(answer: &Answer) {
    if answer.stopped {
        loop {
            std::thread::park();
        }
    }
}

/// A complete response body of this content type, whole or an event stream, read into an
/// answer with nothing shown (a batch row's).
pub(crate) fn answer_of(content_type: &str, body: &[u8]) -> Result<Answer> {
    let content_type = content_type.to_ascii_lowercase();
    if content_type.starts_with("text/event-stream") {
        let mode = Mode::unseen();
        let mut out = Out::to(Box::new(io::sink()));
        let shared = Shared::default();
        Reader::new(&mode, &mut out, &shared).stream(&mut &body[..], &mut || {})?;
        let answer = shared.lock().unwrap().clone();
        return Ok(answer);
    }
    if content_type.is_empty() || content_type.contains("json") {
        return parse_whole(body);
    }
    Err(not_an_answer(&content_type))
}

pub(crate) fn read_body(body: &mut impl Read) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    body.take(BODY_LIMIT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| read_error(&e, false))?;
    if bytes.len() as u64 > BODY_LIMIT {
        return Err(fail(PROTOCOL, "the response body is larger than 256 MiB"));
    }
    Ok(bytes)
}

/// A failed read of the body: the server silent for `--timeout` (the body reader says for
/// how long) or a broken connection, either tried again unless some of the answer was
/// `shown` already (a timeout before the body is retried, SPEC §6).
fn read_error(e: &io::Error, shown: bool) -> anyhow::Error {
    if e.kind() == io::ErrorKind::TimedOut {
        return anyhow::Error::new(Broken {
            message: e.to_string(),
            shown,
        });
    }
    // reqwest's own words ("error decoding response body") hide the cause.
    let mut cause: &dyn std::error::Error = e;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    anyhow::Error::new(Broken {
        message: format!("the connection broke: {}", ui::one_line(&cause.to_string())),
        shown,
    })
}

struct Reader<'a> {
    mode: &'a Mode,
    out: &'a mut Out,
    shared: &'a Shared,
    /// Content is written to stdout as it arrives.
    live: bool,
    /// Reasoning text is open on stderr and wants a newline before anything else.
    in_reasoning: bool,
    /// Reasoning arrives in pieces; a key split between two must not show.
    redactor: redact::Redactor,
    /// The server's id for the request, for `--usage=json`.
    request_id: Option<String>,
    /// When the first text or call of a streamed answer arrived.
    first_token: Option<Instant>,
    chunks: scan::Chunks,
}

impl<'a> Reader<'a> {
    fn new(mode: &'a Mode, out: &'a mut Out, shared: &'a Shared) -> Reader<'a> {
        Reader {
            mode,
            out,
            shared,
            live: false,
            in_reasoning: false,
            redactor: redact::Redactor::default(),
            request_id: None,
            first_token: None,
            chunks: scan::Chunks::default(),
        }
    }

    fn stream(&mut self, body: &mut impl BufRead, first_byte: &mut dyn FnMut()) -> Result<()> {
        let mut parser = sse::Parser::new(EVENT_LIMIT);
        let mut first = true;
        loop {
            let piece = match body.fill_buf() {
                Ok([]) => break,
                Ok(piece) => piece,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let shown = self.out.wrote || self.shared.lock().unwrap().started;
                    return Err(read_error(&e, shown));
                }
            };
            if first {
                first = false;
                first_byte();
            }
            parser.feed(piece);
            let n = piece.len();
            body.consume(n);
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
            if self.live {
                self.showing();
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
        let chunk = match self.chunks.read(event.data) {
            Some(chunk) => chunk,
            None => serde_json::from_str::<Chunk>(event.data).map_err(|e| {
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
        stop_if_stopped(&answer);
        // The model that answers is named in each chunk; the fast path does not read it,
        // so for `--usage=json` the chunks up to the first text are read again for it.
        if answer.model.is_none()
            && self.first_token.is_none()
            && self.mode.usage == Some(UsageFormat::Json)
        {
            #[derive(serde::Deserialize)]
            struct Named {
                model: Option<String>,
            }
            answer.model = serde_json::from_str::<Named>(event.data)
                .ok()
                .and_then(|n| n.model)
                .filter(|m| !m.is_empty());
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
            answer.tool_calls.merge(call);
        }
        if answer.started && self.first_token.is_none() {
            self.first_token = Some(Instant::now());
        }
        drop(answer);
        if let Some(text) = reasoning.filter(|_| self.mode.reasoning && !self.mode.json) {
            self.reasoning(&text);
        }
        if let Some(text) = content.filter(|_| self.live) {
            self.end_reasoning();
            if self.out.spills(text.len()) {
                self.showing();
            }
            self.out.write(&text)?;
        }
        Ok(())
    }

    /// Marks all the text taken so far as shown, just before it may reach stdout; waits
    /// for the end instead when the run is being ended.
    fn showing(&self) {
        let mut answer = self.shared.lock().unwrap();
        stop_if_stopped(&answer);
        answer.shown = Some(answer.content.len());
    }

    fn whole(&mut self, body: &[u8]) -> Result<()> {
        let parsed = parse_whole(body)?;
        *self.shared.lock().unwrap() = parsed;
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
        let shown = self.redactor.push(text);
        let _ = write!(ui::stderr(), "{}", ui::dim(&ui::escape(&shown)));
    }

    fn end_reasoning(&mut self) {
        let rest = self.redactor.finish();
        if !rest.is_empty() {
            let _ = write!(ui::stderr(), "{}", ui::dim(&ui::escape(&rest)));
        }
        if std::mem::take(&mut self.in_reasoning) {
            let _ = writeln!(ui::stderr());
        }
    }

    /// Writes what was held back, then reports the endings that are not plain success.
    fn finish(mut self) -> Result<()> {
        self.end_reasoning();
        // A copy, once per answer, so that no write below holds the lock.
        let answer = self.shared.lock().unwrap().clone();
        if !self.mode.json {
            if !answer.tool_calls.list.is_empty() {
                if !self.live && !answer.content.is_empty() {
                    ui::note(ui::escape(answer.content.trim_end_matches('\n')).as_ref());
                }
                self.out.end_line()?;
                for call in &answer.tool_calls.list {
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
        match (self.mode.usage, &answer.usage) {
            (Some(UsageFormat::Json), _) => {
                let timing = usage::Timing {
                    started: self.mode.started,
                    first_token: self.first_token,
                };
                let line = usage::json_line(
                    &answer,
                    &self.mode.model,
                    self.request_id.as_deref(),
                    &timing,
                );
                ui::note(&line.to_string())
            }
            (Some(UsageFormat::Text), Some(usage)) => ui::note(&usage::text_line(usage)),
            (Some(UsageFormat::Text), None) => {
                ui::warn("the server reported no token usage for this answer")
            }
            (None, _) => {}
        }
        if answer.finish_reason.as_deref() == Some("length") {
            ui::warn("the answer was cut short at the token limit (finish_reason: length)")
        }
        if !answer.refusal.is_empty() {
            ui::note(&ui::escape(&answer.refusal));
        }
        ending(&answer)
    }
}

/// A whole (non-streamed) response body as an answer, or the failure it reports.
pub(crate) fn parse_whole(body: &[u8]) -> Result<Answer> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
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
        answer.content = content_text(message.content);
        answer.reasoning = message
            .reasoning
            .or(message.reasoning_content)
            .unwrap_or_default();
        answer.refusal = message.refusal.unwrap_or_default();
        answer.tool_calls.list = message.tool_calls.unwrap_or_default();
        answer.started = true;
    }
    Ok(answer)
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

    /// stdout for a test: a buffer shared with the test.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A body handed out in pieces of the given sizes, as a network would (through a
    /// `BufReader`, whose every fill is one read).
    struct Pieces<'a> {
        data: &'a [u8],
        sizes: Vec<usize>,
        next: usize,
    }

    impl Read for Pieces<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let size = self.sizes[self.next % self.sizes.len()];
            self.next += 1;
            let n = size.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

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

    fn mode() -> Mode {
        Mode::unseen()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Whatever a server streams and however the network splits it: no panic, stdout
        /// no larger than a small multiple of what arrived (a call printed as JSON costs at
        /// most ~70 bytes more than the 10 bytes of input that make one), and tool calls as
        /// lines of JSON.
        #[test]
        fn stream_assembly_survives_anything(
            events in proptest::collection::vec(event(), 0..24),
            done: bool,
            sizes in proptest::collection::vec(1usize..64, 1..6),
        ) {
            let body = sse(&events, done);
            let sink = Sink::default();
            let mut out = Out::to(Box::new(sink.clone()));
            let shared = Shared::default();
            let mut pieces = io::BufReader::new(Pieces { data: &body, sizes, next: 0 });
            let result = read_answer("text/event-stream", None, &mut pieces, &mode(), &mut out, &shared, &mut || {});
            let printed = sink.0.lock().unwrap().clone();
            prop_assert!(printed.len() <= 8 * body.len() + 64, "{} bytes out of {}", printed.len(), body.len());
            let answer = shared.lock().unwrap().clone();
            let line = crate::store::answer_line(&answer, "m", None);
            prop_assert!(serde_json::to_string(&line).is_ok());
            if result.is_ok() && !answer.tool_calls.list.is_empty() {
                let text = String::from_utf8(printed).unwrap();
                prop_assert_eq!(text.lines().count(), answer.tool_calls.list.len());
                for line in text.lines() {
                    let call: Value = serde_json::from_str(line).unwrap();
                    prop_assert!(call["function"].is_object(), "{}", line);
                }
            }
        }

        /// Bytes that are not a stream at all fail cleanly.
        #[test]
        fn random_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512), size in 1usize..32) {
            let mut out = Out::to(Box::new(Sink::default()));
            let mut pieces = io::BufReader::new(Pieces { data: &body, sizes: vec![size], next: 0 });
            let _ = read_answer("text/event-stream", None, &mut pieces, &mode(), &mut out, &Shared::default(), &mut || {});
        }
    }
}
