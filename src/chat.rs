//! One exchange with the model: gather the conversation and the prompt, build the request,
//! send it, and save what came back.
//!
//! The answer is received and written on the main thread. A watcher thread stands by for
//! a signal or the `--max-time` deadline: it saves the partial answer, whatever the main
//! thread is stuck in (a read, a write to a pipe nobody reads), and ends the run.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use reqwest::Method;
use serde_json::{Value, json};
use signal_hook::consts::{SIGALRM, SIGHUP, SIGINT, SIGTERM};

use crate::answer::{self, Answer, Mode, Shared};
use crate::cli::Cli;
use crate::client::Client;
use crate::error::{TEMPORARY, USAGE, fail, is_broken_pipe};
use crate::output::{Extract, Out};
use crate::settings::{Settings, Source};
use crate::{input, request, store, tools, ui};

pub(crate) const CHAT_PATH: &str = "/chat/completions";

/// Where this exchange is saved, and the lines it adds before the answer.
struct Record {
    /// The conversation continued; `None` starts a new one in the store.
    path: Option<PathBuf>,
    /// The system message sent; stored when the conversation's own differs.
    system: Option<Value>,
    lines: Vec<Value>,
}

pub(crate) fn run(cli: &Cli, mut settings: Settings) -> Result<u8> {
    // --max-time bounds the whole run, the wait for stdin too.
    let deadline = settings.deadline;
    let stdin_taken =
        cli.messages.as_deref() == Some("-") || cli.tool_result.iter().any(|r| r.ends_with("=@-"));
    let read_stdin = !cli.no_stdin && !stdin_taken && !std::io::stdin().is_terminal();

    let (conversation, history) = if cli.continue_last {
        let (path, messages) = store::latest()?;
        (Some(path), messages)
    } else if let Some(chat) = &cli.chat {
        let path = store::chat_path(chat)?;
        let messages = store::read(&path)?;
        (Some(path), messages)
    } else {
        (None, Vec::new())
    };
    // A continued conversation keeps its model, unless -m, or -r given again, says otherwise.
    if conversation.is_some()
        && !matches!(settings.model_from, Source::Flag | Source::Role(_))
        && let Some(model) = store::model(&history)
    {
        settings.model = model.to_string();
    }
    let imported = match &cli.messages {
        Some(source) => read_messages(source, cli.max_input, deadline)?,
        None => Vec::new(),
    };

    let mut new_lines = Vec::new();
    if !cli.tool_result.is_empty() {
        if conversation.is_none() {
            return Err(fail(
                USAGE,
                "--tool-result needs -c or --chat: the conversation that called the tool",
            ));
        }
        let is_answer = |m: &&Value| m["role"] == "assistant";
        let last_answer = imported.iter().rev().find(is_answer);
        let last_answer = last_answer.or_else(|| history.iter().rev().find(is_answer));
        new_lines.extend(tool_results(
            last_answer,
            &cli.tool_result,
            cli.max_input,
            deadline,
        )?);
    }

    let stdin = if read_stdin {
        let has_prompt = !cli.words.is_empty() || !cli.files.is_empty();
        input::read_stdin(cli.max_input, has_prompt, deadline)?
            .map(|bytes| input::utf8(bytes, "stdin"))
            .transpose()?
    } else {
        None
    };
    // A prompt of only whitespace says nothing: it is not worth a paid request.
    let stdin_len = stdin.as_ref().map_or(0, |s| s.len() as u64);
    let room = cli.max_input.saturating_sub(stdin_len);
    let files = input::read_files(&cli.files, room, cli.max_input)?;
    let prompt = input::assemble(stdin, &files, &cli.words).filter(|p| !p.trim().is_empty());
    let prompt = match (prompt, settings.role_prompt.as_deref()) {
        (Some(p), role_prompt) => Some(request::with_role_prompt(role_prompt, p)),
        // A role's prompt says what to do with the images it comes with.
        (None, Some(role_prompt)) if !cli.attach.is_empty() => Some(role_prompt.to_string()),
        (None, _) => None,
    };
    if prompt.is_some() || !cli.attach.is_empty() {
        let images = cli.attach.iter().map(|a| tools::attachment(a));
        let images = images.collect::<Result<Vec<_>>>()?;
        new_lines.push(request::user_message(prompt, &images));
    }
    let asks = |m: &Value| matches!(m.get("role").and_then(Value::as_str), Some("user" | "tool"));
    // Given messages say something of their own (an assistant's last line is a prefill).
    if new_lines.is_empty() && imported.is_empty() && !history.last().is_some_and(asks) {
        return Err(fail(
            USAGE,
            "no prompt: give one as words or on stdin, e.g. mume \"write a haiku\" or echo hi | mume",
        ));
    }

    let base = request::Base {
        model: &settings.model,
        system: settings.system.as_deref(),
        system_from_flag: settings.system_replaces(),
        stream: settings.stream,
        fields: &settings.fields,
    };
    let request::Exchange {
        body,
        system,
        lines,
    } = request::build(&base, &history, imported, new_lines);

    if cli.dry_run {
        trace_dry_run(&settings);
        let mut out = Out::stdout();
        out.write_line(&body.to_string())?;
        out.flush()?;
        return Ok(0);
    }

    let record = if settings.save {
        // Known before the request is paid for: an answer with nowhere to go is lost.
        store::check_writable(conversation.as_deref())
            .map_err(|e| anyhow::anyhow!("{e:#} (use --no-save to go without saving)"))?;
        // Given messages were sent, so they belong to the conversation from now on.
        Some(Record {
            path: conversation,
            system,
            lines,
        })
    } else {
        None
    };

    let client = Client::new(&settings)?;
    let mode = Mode {
        json: cli.json,
        extract: if cli.extract {
            Extract::First
        } else if cli.extract_last {
            Extract::Last
        } else {
            Extract::None
        },
        reasoning: cli.reasoning,
        usage: cli.usage,
        model: settings.model.clone(),
        started: Instant::now(),
        // Calls and text must not mix on stdout, whichever source put tools in the request.
        hold: settings.fields.contains_key("tools") || cli.extract || cli.extract_last,
    };
    exchange(client, body, mode, deadline, record, &settings.model)
}

/// `--dry-run -v`: the URL and headers the request would go with, on stderr.
pub(crate) fn trace_dry_run(settings: &Settings) {
    if settings.verbose {
        crate::client::trace_request(
            &Method::POST,
            &format!("{}{CHAT_PATH}", settings.base_url),
            &settings.headers,
            settings.key_origin().1 != Source::Default,
            true,
        );
    }
}

/// Receives the answer on this thread, while a watcher thread stands ready to save what
/// arrived and end the process on a signal or at the deadline.
fn exchange(
    client: Client,
    body: Value,
    mode: Mode,
    deadline: Option<Instant>,
    record: Option<Record>,
    model: &str,
) -> Result<u8> {
    let keeper = Arc::new(Keeper {
        record,
        model: model.to_string(),
        answer: Shared::default(),
        saved: Mutex::new(false),
        interrupted: AtomicI32::new(0),
    });
    watch(Arc::clone(&keeper), deadline)?;
    let result = send(&client, &body, &mode, &keeper.answer);
    // The connection and the runtime go with the process; closing them now would only
    // delay its exit.
    let _ = std::mem::ManuallyDrop::new(client);
    match result {
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
    }
}

/// The exchange to save, once: by the receiving thread when the answer is complete or
/// failed, or by the watcher when a signal or the deadline comes first.
struct Keeper {
    record: Option<Record>,
    model: String,
    answer: Shared,
    saved: Mutex<bool>,
    /// The signal that is ending the run (SIGALRM: the deadline), 0 while none is.
    interrupted: AtomicI32,
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
        let mut answer = self.answer.lock().unwrap_or_else(|e| e.into_inner());
        if finish.is_some() && !answer.started {
            return Ok(true);
        }
        if ending {
            // The receiving thread stops at its next event or flush; it may have taken
            // text it has not printed yet, which is left out.
            answer.stopped = true;
            if let Some(end) = answer.shown {
                answer.content.truncate(end);
            }
        }
        let line = store::answer_line(&answer, &self.model, finish);
        let system = record.system.as_ref();
        // Another program may hold the conversation's lock: a signal, or the deadline,
        // still ends the wait.
        let mut wait = || {
            let sig = self.interrupted.load(Ordering::Acquire);
            if sig != 0 {
                ui::warn("the answer was not saved: another program holds the conversation");
                end(sig);
            }
        };
        match &record.path {
            Some(path) => store::append(path, system, &record.lines, &line, &mut wait)?,
            None => drop(store::append_new(system, &record.lines, &line)?),
        }
        Ok(true)
    }
}

/// Starts the watcher: on SIGINT, SIGTERM or SIGHUP it saves what arrived, marked as
/// interrupted, and dies by that signal; at the deadline (a SIGALRM raised by a sleeper)
/// likewise, with exit 75.
fn watch(keeper: Arc<Keeper>, deadline: Option<Instant>) -> Result<()> {
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP, SIGALRM])
        .context("setting up signal handling")?;
    if let Some(deadline) = deadline {
        std::thread::spawn(move || {
            std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
            let _ = signal_hook::low_level::raise(SIGALRM);
        });
    }
    std::thread::spawn(move || {
        let Some(sig) = signals.forever().next() else {
            return;
        };
        keeper.interrupted.store(sig, Ordering::Release);
        let ended_here = keeper.save(Some("interrupted"), true);
        if sig == SIGALRM && matches!(ended_here, Ok(false)) {
            // The answer was complete and saved first: the run ends on its own.
            return;
        }
        end(sig);
    });
    Ok(())
}

/// Ends the process for `sig`: by the signal itself, so that the shell sees it, or for
/// the deadline with the error line and exit 75.
fn end(sig: i32) -> ! {
    if sig == SIGALRM {
        // Stderr may be stuck (a reader that does not read it, the main thread holding
        // its lock): the error line gets a moment, the deadline is kept regardless.
        let (said, told) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            ui::error("gave up: --max-time reached");
            let _ = said.send(());
        });
        let _ = told.recv_timeout(Duration::from_millis(100));
        std::process::exit(i32::from(TEMPORARY));
    }
    let _ = signal_hook::low_level::emulate_default_handler(sig);
    std::process::exit(128 + sig);
}

/// The request, the response, stdout.
fn send(client: &Client, body: &Value, mode: &Mode, answer: &Shared) -> Result<()> {
    let mut spinner = ui::Spinner::start();
    let bytes = serde_json::to_vec(body)?;
    let mut out = Out::stdout();
    let result = client.send_with(
        Method::POST,
        CHAT_PATH,
        Some(&bytes),
        &mut |mut response| {
            // A new attempt starts from nothing: it is made only when nothing was shown or kept.
            *answer.lock().unwrap_or_else(|p| p.into_inner()) = Answer::default();
            answer::receive(&mut response, mode, &mut out, answer, &mut || {
                spinner.stop()
            })
        },
    );
    spinner.stop();
    result
}

/// Reads `--messages FILE|-`: a JSON array, or JSON Lines.
fn read_messages(source: &str, limit: u64, deadline: Option<Instant>) -> Result<Vec<Value>> {
    let (bytes, name) = if source == "-" {
        let bytes = input::read_stdin(limit, false, deadline)?.unwrap_or_default();
        (bytes, "stdin".to_string())
    } else {
        let bytes = std::fs::read(source)
            .map_err(|e| fail(USAGE, format!("cannot read --messages file {source}: {e}")))?;
        (bytes, source.to_string())
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| fail(USAGE, format!("--messages {name} is not valid UTF-8")))?;
    // Editors on Windows start files with a byte-order mark; it is not part of the JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
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

/// `--tool-result CALL_ID=TEXT|@FILE|@-`: tool messages answering the last assistant
/// message's calls.
fn tool_results(
    last: Option<&Value>,
    results: &[String],
    limit: u64,
    deadline: Option<Instant>,
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
        let content = match text.strip_prefix('@') {
            Some("-") => {
                let bytes = input::read_stdin(limit, false, deadline)?.unwrap_or_default();
                input::utf8(bytes, "stdin")?
            }
            Some(file) => std::fs::read_to_string(file)
                .map_err(|e| fail(USAGE, format!("cannot read tool result file {file}: {e}")))?,
            None => text.to_string(),
        };
        lines.push(json!({"role": "tool", "tool_call_id": id, "content": content}));
    }
    Ok(lines)
}
