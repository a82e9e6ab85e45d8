//! Showing an answer as it is read: the text on stdout (as it arrives, or held until the
//! end), reasoning on stderr, tool calls as JSON lines, `--json` events as received, the
//! usage line, and the endings that are not plain success. The answer itself is assembled
//! by `api::assemble`; this module decides only what reaches the terminal.

use std::io::{self, BufRead, IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Result;

use crate::api::assemble::{self, Added, Answer, Assembler, Kind};
use crate::api::sse;
use crate::check::EVENT_LIMIT;
use crate::output::render::Renderer;
use crate::output::usage::{self, UsageFormat};
use crate::output::{Extract, Out, extract, ui};
use crate::redact;

/// How the answer is to be shown.
#[derive(Clone)]
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
    /// Draw text as Markdown, rules at most this wide (never `--json` or an extract).
    pub(crate) render: Option<usize>,
    /// Reasoning inline at the start of the content (`<think>`) is taken out of it.
    pub(crate) split_think: bool,
    /// Tool calls are not written here: the text goes to a program that draws it, and the
    /// calls to stdout once it is done (`calls_after`).
    pub(crate) calls_after: bool,
    /// Text written as it came has its control characters escaped: it goes to a terminal.
    pub(crate) escape: bool,
}

/// The answer as it is taken, and how much of it was shown: shared with the thread that
/// may end the run (a signal, the deadline) and save it. The lock is never held while
/// writing to stdout or stderr: a reader that stops reading must not keep a signal from
/// saving.
#[derive(Debug, Default)]
pub(crate) struct Taken {
    pub(crate) answer: Answer,
    /// How much of the content was handed to stdout, when it is written as it arrives:
    /// a run ended by a signal saves that much, what was printed.
    pub(crate) shown: Option<usize>,
    /// Set by the thread that is ending the run: nothing more is taken or printed.
    pub(crate) stopped: bool,
}

pub(crate) type Shared = Arc<Mutex<Taken>>;

/// The response's parts the presenter reads: its content type, its request id, its body.
pub(crate) struct Body<'a, B> {
    pub(crate) content_type: &'a str,
    pub(crate) request_id: Option<String>,
    pub(crate) body: &'a mut B,
}

/// Reads the answer from `response` into `shared` and shows it. `first_byte` runs once,
/// before any output.
pub(crate) fn receive<B: BufRead>(
    response: Body<'_, B>,
    mode: &Mode,
    out: &mut Out,
    shared: &Shared,
    first_byte: &mut dyn FnMut(),
) -> Result<()> {
    let mut presenter = Presenter::new(mode, out, shared);
    presenter.request_id = response.request_id;
    match assemble::kind(response.content_type)? {
        Kind::Stream => {
            presenter.live = !mode.json && !mode.hold;
            presenter.stream(response.body, first_byte)?;
        }
        Kind::Whole => {
            let body = assemble::read_body(response.body)?;
            first_byte();
            presenter.whole(&body)?;
        }
    }
    presenter.finish()
}

/// Waits for the end of the process once the thread that is ending the run (a signal,
/// the deadline) has taken the answer to save: what is printed must not run past what
/// is saved.
fn stop_if_stopped(taken: &Taken) {
    if taken.stopped {
        loop {
            std::thread::park();
        }
    }
}

struct Presenter<'a> {
    mode: &'a Mode,
    out: &'a mut Out,
    shared: &'a Shared,
    assembler: Assembler,
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
    /// Draws the text as Markdown on its way to stdout.
    renderer: Option<Renderer>,
    /// What the renderer drew of the latest piece; kept to be written into again.
    drawing: String,
    /// Stdout is a terminal, whose width may change while the answer is drawn.
    on_terminal: bool,
}

impl<'a> Presenter<'a> {
    fn new(mode: &'a Mode, out: &'a mut Out, shared: &'a Shared) -> Presenter<'a> {
        Presenter {
            mode,
            out,
            shared,
            assembler: Assembler::new(mode.usage == Some(UsageFormat::Json), mode.split_think),
            live: false,
            in_reasoning: false,
            redactor: redact::Redactor::default(),
            request_id: None,
            first_token: None,
            renderer: mode
                .render
                .filter(|_| !mode.json && mode.extract == Extract::None)
                .map(Renderer::new),
            drawing: String::new(),
            on_terminal: mode.render.is_some() && io::stdout().is_terminal(),
        }
    }

    /// Rules are drawn as wide as the terminal is now (it may have been resized).
    fn follow_width(&mut self) {
        if let Some(renderer) = self.renderer.as_mut().filter(|_| self.on_terminal)
            && let Some((width, _)) = terminal_size::terminal_size_of(io::stdout())
        {
            renderer.set_columns(usize::from(width.0));
        }
    }

    /// Writes text to stdout, drawn when it is; marks what was taken as shown first when
    /// the write may reach stdout before the next flush.
    fn write_text(&mut self, text: &str) -> Result<()> {
        let text = match &mut self.renderer {
            Some(renderer) => {
                self.drawing.clear();
                renderer.push(text.as_bytes(), &mut self.drawing);
                self.drawing.as_str()
            }
            None if self.mode.escape => {
                self.drawing.clear();
                self.drawing.push_str(&crate::text::escape(text));
                self.drawing.as_str()
            }
            None => text,
        };
        if self.out.spills(text.len()) {
            self.showing();
        }
        self.out.write(text)?;
        Ok(())
    }

    /// What the renderer still holds, at the end of the text.
    fn drawn_rest(&mut self) -> String {
        let mut rest = String::new();
        if let Some(renderer) = &mut self.renderer {
            renderer.finish(&mut rest);
        }
        rest
    }

    fn lock(&self) -> std::sync::MutexGuard<'a, Taken> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
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
                    let shown = self.out.wrote || self.lock().answer.started;
                    return Err(crate::error::broken(&e, shown));
                }
            };
            if first {
                first = false;
                first_byte();
            }
            parser.feed(piece);
            let n = piece.len();
            body.consume(n);
            self.follow_width();
            while let Some(event) = parser.next() {
                let event = event.map_err(assemble::event_error)?;
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
        assemble::ended_early(&self.lock().answer)
    }

    /// Takes one event into the answer, then shows what it added.
    fn event(&mut self, event: &sse::Event) -> Result<()> {
        let mut taken = self.lock();
        stop_if_stopped(&taken);
        let added = self.assembler.apply(event, &mut taken.answer)?;
        if taken.answer.started && self.first_token.is_none() {
            self.first_token = Some(Instant::now());
        }
        drop(taken);
        if self.mode.json {
            if event.data.contains('\n') {
                let value: serde_json::Value = serde_json::from_str(event.data)?;
                self.out.write_line(&value.to_string())?;
            } else {
                self.out.write(event.data)?;
                self.out.write("\n")?;
            }
        }
        self.show(added)
    }

    /// Shows what an event added: reasoning on stderr, text on stdout when it goes there
    /// as it arrives.
    fn show(&mut self, added: Added) -> Result<()> {
        if let Some(text) = added
            .reasoning
            .filter(|_| self.mode.reasoning && !self.mode.json)
        {
            self.reasoning(&text);
        }
        if let Some(text) = added.content.filter(|_| self.live) {
            self.end_reasoning();
            self.write_text(&text)?;
        }
        Ok(())
    }

    /// Marks all the text taken so far as shown, just before it may reach stdout; waits
    /// for the end instead when the run is being ended.
    fn showing(&self) {
        let mut taken = self.lock();
        stop_if_stopped(&taken);
        taken.shown = Some(taken.answer.content.len());
    }

    fn whole(&mut self, body: &[u8]) -> Result<()> {
        let parsed = assemble::parse_whole(body, self.mode.split_think)?;
        let reasoning = (self.mode.reasoning && !self.mode.json).then(|| parsed.reasoning.clone());
        self.lock().answer = parsed;
        if self.mode.json {
            let text = String::from_utf8_lossy(body);
            self.out.write_line(&text)?;
        } else if let Some(reasoning) = reasoning {
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
        let _ = write!(ui::stderr(), "{}", ui::dim(&crate::text::escape(&shown)));
    }

    fn end_reasoning(&mut self) {
        let rest = self.redactor.finish();
        if !rest.is_empty() {
            let _ = write!(ui::stderr(), "{}", ui::dim(&crate::text::escape(&rest)));
        }
        if std::mem::take(&mut self.in_reasoning) {
            let _ = writeln!(ui::stderr());
        }
    }

    /// Writes what was held back, then reports the endings that are not plain success.
    fn finish(mut self) -> Result<()> {
        let rest = {
            let mut taken = self.lock();
            self.assembler.finish(&mut taken.answer)
        };
        self.show(rest)?;
        self.end_reasoning();
        // A copy, once per answer, so that no write below holds the lock.
        let answer = self.lock().answer.clone();
        if !self.mode.json {
            self.text(&answer)?;
        }
        self.out.flush()?;
        self.usage(&answer);
        if answer.unclosed_think && !self.mode.json {
            ui::warn(
                "the answer's <think> never closed: it was all reasoning, with no content (--think keep shows it as it came)",
            )
        }
        if answer.finish_reason.as_deref() == Some("length") {
            ui::warn("the answer was cut short at the token limit (finish_reason: length)")
        }
        if !answer.refusal.is_empty() {
            ui::note(&crate::text::escape(&answer.refusal));
        }
        assemble::ending(&answer)
    }

    /// The text not shown yet: tool calls as JSON lines (any text beside them on stderr),
    /// or the held text, whole or its extracted block.
    fn text(&mut self, answer: &Answer) -> Result<()> {
        if !answer.tool_calls.list.is_empty() {
            // Text already shown keeps what the renderer held of it.
            if self.live {
                let rest = self.drawn_rest();
                self.out.write(&rest)?;
            }
            if !self.live && !answer.content.is_empty() {
                ui::note(crate::text::escape(answer.content.trim_end_matches('\n')).as_ref());
            }
            self.out.end_line()?;
            if !self.mode.calls_after {
                for call in &answer.tool_calls.list {
                    self.out.write_line(&serde_json::to_string(call)?)?;
                }
            }
        } else if self.live {
            let rest = self.drawn_rest();
            self.out.write(&rest)?;
            self.out.end_line()?;
        } else {
            let content = crate::text::escape_if(self.mode.escape, &answer.content);
            if self.mode.extract == Extract::Command {
                return crate::output::cmd::print(self.out, &content);
            }
            if self.renderer.is_some() {
                self.write_text(&answer.content)?;
                let rest = self.drawn_rest();
                self.out.write_line(&rest)?;
            } else {
                self.out.write_line(extract(&content, self.mode.extract))?;
            }
        }
        Ok(())
    }

    /// `--usage`: the token counts on stderr, for people or as a JSON line.
    fn usage(&self, answer: &Answer) {
        match (self.mode.usage, &answer.usage) {
            (Some(UsageFormat::Json), _) => {
                let timing = usage::Timing {
                    started: self.mode.started,
                    first_token: self.first_token,
                };
                let line = usage::json_line(
                    answer,
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
    }
}
