//! One exchange with the model: gather the conversation and the prompt, build the request,
//! send it, and save what came back.
//!
//! The answer is received and written on the main thread. A watcher thread stands by for
//! a signal or the `--max-time` deadline: it saves the partial answer, whatever the main
//! thread is stuck in (a read, a write to a pipe nobody reads), and ends the run.

mod editor;
pub(crate) mod gather;
pub(crate) mod params;
pub(crate) mod parts;
pub(crate) mod plan;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use anyhow::Result;
use reqwest::Method;
use serde_json::Value;

use crate::error::is_broken_pipe;
use crate::http::Client;
use crate::lifecycle::{self, Deadline, Ending};
use crate::output::Out;
use crate::output::command::Drawer;
use crate::output::present::{self, Body, Mode, Shared, Taken};
use crate::output::{self, ui};
use crate::settings::{Output, Render, Settings, Source, Transport};
use crate::store;

pub(crate) const CHAT_PATH: &str = "/chat/completions";

/// Where this exchange is saved, and the lines it adds before the answer.
struct Record {
    /// The conversation continued; `None` starts a new one in the store.
    path: Option<PathBuf>,
    /// What it held when read, written again should it be removed meanwhile.
    read: Vec<Value>,
    /// The system message sent; stored when the conversation's own differs.
    system: Option<Value>,
    lines: Vec<Value>,
}

/// One exchange: gather its parts, plan the request, send it, show and save the answer.
pub(crate) fn run(settings: Settings) -> Result<u8> {
    let gathered = gather::gather(&settings)?;
    let conversation = gathered.conversation.clone();
    let read = gathered.history.clone();
    let plan::Plan { exchange, model } = plan::plan(&settings, gathered)?;
    let plan::Exchange {
        body,
        system,
        lines,
    } = exchange;
    if settings.request.dry_run {
        trace_dry_run(&settings.transport);
        let mut out = Out::stdout();
        out.write_line(&body.to_string())?;
        out.flush()?;
        return Ok(0);
    }
    let record = if settings.conversation.save.value {
        // Known before the request is paid for: an answer with nowhere to go is lost.
        store::check_writable(conversation.as_deref())
            .map_err(|e| anyhow::anyhow!("{e:#} (use --no-save to go without saving)"))?;
        // Given messages were sent, so they belong to the conversation from now on.
        Some(Record {
            path: conversation,
            read,
            system,
            lines,
        })
    } else {
        None
    };
    let client = Client::new(&settings.transport)?;
    let shown = shown(&settings.output, &body, &model);
    exchange_with(
        client,
        body,
        shown,
        settings.transport.deadline,
        record,
        &model,
    )
}

/// How the answer is shown, from the output settings and the body sent.
fn shown<'a>(output: &'a Output, body: &Value, model: &str) -> Shown<'a> {
    let mut mode = Mode {
        json: output.json,
        extract: output.extract,
        reasoning: output.reasoning,
        usage: output.usage,
        model: model.to_string(),
        started: Instant::now(),
        // Calls and text must not mix on stdout, whichever source put tools in the request.
        hold: body.get("tools").is_some() || output.extract != crate::output::Extract::None,
        split_think: output.think.value == crate::check::ThinkChoice::Split,
        calls_after: false,
        escape: output.escape,
        render: match output.render {
            Render::Markdown { columns } => Some(columns),
            Render::Raw | Render::Command(_) => None,
        },
    };
    let drawer = drawer(&output.render, &mode);
    mode.calls_after = drawer.is_some();
    Shown { mode, drawer }
}

/// The program that draws the answer where mume would: text only, so not when tools may
/// be called.
fn drawer<'a>(render: &'a Render, mode: &Mode) -> Option<&'a str> {
    match render {
        Render::Command(command) if !mode.json && !mode.hold => Some(command),
        _ => None,
    }
}

/// How the answer is shown: the presenter's mode, and the program that draws it, if any.
struct Shown<'a> {
    mode: Mode,
    drawer: Option<&'a str>,
}

/// `--dry-run -v`: the URL and headers the request would go with, on stderr.
pub(crate) fn trace_dry_run(transport: &Transport) {
    if transport.verbose {
        crate::http::trace_request(
            &Method::POST,
            &format!("{}{CHAT_PATH}", transport.base_url.value),
            &transport.headers,
            transport.key.origin().1 != Source::Default,
            true,
        );
    }
}

/// Receives the answer on this thread, while a watcher thread stands ready to save what
/// arrived and end the process on a signal or at the deadline.
fn exchange_with(
    client: Client,
    body: Value,
    shown: Shown,
    deadline: Deadline,
    record: Option<Record>,
    model: &str,
) -> Result<u8> {
    let keeper = Arc::new(Keeper {
        record,
        model: model.to_string(),
        answer: Shared::default(),
        saved: Mutex::new(false),
        interrupted: OnceLock::new(),
        drawing: Mutex::new(None),
    });
    watch(Arc::clone(&keeper), deadline)?;
    let (result, drawer) = send(&client, &body, &shown, &keeper.answer);
    lifecycle::leave(client);
    // From here the run waits for the program drawing the answer, if any: a signal or the
    // deadline that comes while it saves or waits ends the program too.
    let drawing = |id: Option<u32>| *keeper.drawing.lock().unwrap_or_else(|e| e.into_inner()) = id;
    drawing(drawer.as_ref().map(Drawer::id));
    let ended = match result {
        Ok(()) => match keeper.save(None, false) {
            Ok(_) => Ok(0),
            Err(e) => {
                ui::warn(&format!("the answer was not saved: {e:#}"));
                Ok(1)
            }
        },
        Err(e) => {
            let finish = if is_broken_pipe(&e) {
                "interrupted"
            } else {
                "error"
            };
            if let Err(save_error) = keeper.save(Some(finish), false) {
                ui::warn(&format!("the partial answer was not saved: {save_error:#}"));
            }
            Err(e)
        }
    };
    // Saved first: a program that draws slowly, or never ends, cannot cost the answer.
    if let Some(drawer) = drawer {
        let status = drawer.wait();
        drawing(None);
        // The watcher stopped the program and is ending the run: the run ends as it says,
        // the program's end by its signal is no news.
        if let Some(&ending) = keeper.interrupted.get() {
            lifecycle::end(ending);
        }
        status.report();
    }
    if shown.mode.calls_after && ended.is_ok() {
        calls_after(&keeper.answer)?;
    }
    ended
}

/// Stands ready to save what arrived and end the run on a signal or at the deadline.
fn watch(watcher: Arc<Keeper>, deadline: Deadline) -> Result<()> {
    lifecycle::watch(deadline, move |ending| {
        let _ = watcher.interrupted.set(ending);
        let ended_here = watcher.save(Some("interrupted"), true);
        // The program drawing the answer, if the run still waits for it, is asked to end
        // with the run (`sh -c`'s process: a pipeline's other programs are not reached).
        let drawing = *watcher.drawing.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(program) = drawing {
            output::command::stop(program);
        }
        // At the deadline, an answer complete and saved first ends the run on its own,
        // unless the run is still waiting for the program that draws it.
        ending != Ending::Deadline || !matches!(ended_here, Ok(false)) || drawing.is_some()
    })
}

/// The exchange to save, once: by the receiving thread when the answer is complete or
/// failed, or by the watcher when a signal or the deadline comes first.
struct Keeper {
    record: Option<Record>,
    model: String,
    answer: Shared,
    saved: Mutex<bool>,
    /// How the run is ending, once the watcher has begun to end it.
    interrupted: OnceLock<Ending>,
    /// The answer is saved, and the run waits for the program drawing it: its process id.
    drawing: Mutex<Option<u32>>,
}

impl Keeper {
    /// Saves the exchange with `finish` as its ending (`None`: the server's), unless it
    /// was saved already; true when this call is the one that ended it (also without a
    /// record to write). A partial answer of which nothing arrived is not saved. `ending`:
    /// the watcher is ending the run, and the receiving thread is stopped.
    fn save(&self, finish: Option<&str>, ending: bool) -> Result<bool> {
        let mut saved = self.saved.lock().unwrap_or_else(|e| e.into_inner());
        if std::mem::replace(&mut *saved, true) {
            return Ok(false);
        }
        let Some(record) = self.record.as_ref() else {
            return Ok(true);
        };
        let mut taken = self.answer.lock().unwrap_or_else(|e| e.into_inner());
        if finish.is_some() && !taken.answer.started {
            return Ok(true);
        }
        if ending {
            // The receiving thread stops at its next event or flush; it may have taken
            // text it has not printed yet, which is left out.
            taken.stopped = true;
            if let Some(end) = taken.shown {
                taken.answer.content.truncate(end);
            }
        }
        let line = store::answer_line(&taken.answer, &self.model, finish);
        let system = record.system.as_ref();
        // Another program may hold the conversation's lock: a signal, or the deadline,
        // still ends the wait.
        let mut wait = || {
            if let Some(&ending) = self.interrupted.get() {
                ui::warn("the answer was not saved: another program holds the conversation");
                lifecycle::end(ending);
            }
        };
        match &record.path {
            Some(path) => {
                store::append(path, &record.read, system, &record.lines, &line, &mut wait)?
            }
            None => drop(store::append_new(system, &record.lines, &line)?),
        }
        Ok(true)
    }
}

/// The request, the response, stdout; the program drawing the answer, still to wait for.
fn send(
    client: &Client,
    body: &Value,
    shown: &Shown,
    answer: &Shared,
) -> (Result<()>, Option<Drawer>) {
    let mut spinner = ui::Spinner::start();
    let bytes = match serde_json::to_vec(body) {
        Ok(bytes) => bytes,
        Err(e) => return (Err(e.into()), None),
    };
    let drawing;
    let (mode, drawer, mut out) = match shown.drawer.and_then(Drawer::start) {
        Some((drawer, out)) => {
            // The program gets the bytes as they came: escaping is its business.
            drawing = Mode {
                escape: false,
                ..shown.mode.clone()
            };
            (&drawing, Some(drawer), out)
        }
        None => (&shown.mode, None, Out::stdout()),
    };
    let result = client.send_with(
        Method::POST,
        CHAT_PATH,
        Some(&bytes),
        &mut |mut response| {
            // A new attempt starts from nothing: it is made only when nothing was shown or kept.
            *answer.lock().unwrap_or_else(|p| p.into_inner()) = Taken::default();
            let content_type = crate::http::header(response.headers(), "content-type")
                .unwrap_or("")
                .to_string();
            let body = Body {
                content_type: &content_type,
                request_id: crate::http::request_id(response.headers()).map(String::from),
                body: &mut response,
            };
            present::receive(body, mode, &mut out, answer, &mut || spinner.stop())
        },
    );
    spinner.stop();
    // The program's pipe closes here: it sees the end of the answer.
    drop(out);
    (result, drawer)
}

/// Tool calls nobody asked for, from a server that sent them anyway while a program drew
/// the text: written to stdout as JSON lines, after what it drew.
fn calls_after(answer: &Shared) -> Result<()> {
    let calls = answer
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .answer
        .tool_calls
        .list
        .clone();
    let mut out = Out::stdout();
    for call in &calls {
        out.write_line(&serde_json::to_string(call)?)?;
    }
    out.flush()?;
    Ok(())
}
