//! `mume batch`: one request per row of a JSON Lines file, `--jobs` of them at once on the
//! client's runtime (this thread), each result written as soon as it is its turn in input
//! order, and a run through `--output FILE` resumable after a kill.
//!
//! Memory stays bounded: rows are read as they are needed, and a row starts only while
//! fewer than `4 × jobs` rows are in flight or waiting for their turn, and the waiting
//! results hold less than 256 MiB together.

mod id;
mod outcome;
mod pace;
mod progress;
mod remote;
mod results;
mod resume;
mod rows;

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde_json::{Map, Value};

use crate::check::ThinkChoice;
use crate::error::{BAD_INPUT, CONFIG, PERMISSION, TEMPORARY, UNAVAILABLE, USAGE, exit_code, fail};
use crate::exchange::plan::{self, Base};
use crate::exchange::{CHAT_PATH, params, parts};
use crate::http::retry;
use crate::http::{Client, Failed, Reply, Trouble};
use crate::lifecycle::{self, Deadline};
use crate::output::{Out, ui};
use crate::settings::{Batch as BatchSettings, BatchMode, Settings};
use crate::text::plural;
use pace::{Pace, Reach};
use progress::{Progress, WAITING_BUDGET, Waiting, Writer, watch_signals};
use results::Outcome;
use rows::{Input, Request, Row};

pub(crate) fn run(settings: Settings) -> Result<u8> {
    let args = settings.batch.as_ref().context("no batch settings")?;
    if args.mode != BatchMode::Local {
        return remote::run(&settings, args);
    }
    let max_input = settings.input.max_input;
    let (input, maker) = open_rows(&settings, args)?;
    if settings.request.dry_run {
        return dry_run(input, args, max_input, &maker);
    }
    let output = args.output.as_deref().filter(|p| *p != Path::new("-"));
    let total = input.rows;
    let (out, done) = open_output(output, input.identity, args.raw)?;
    let client = Client::new(&settings.transport)?;
    let writer = Arc::new(Mutex::new(Writer {
        out,
        to: output.map_or("stdout".into(), |p| p.display().to_string()),
        progress: Progress::new(total, output.is_some()),
        waiting: Waiting::default(),
        turn: 0,
        on_screen: output.is_none() && std::io::stdout().is_terminal(),
    }));
    watch_signals(Arc::clone(&writer))?;
    let run = Run {
        client: &client,
        pace: Pace::new(args.rpm),
        reach: Reach::new(args.jobs),
        retries: settings.transport.retries,
        raw: args.raw,
        split_think: settings.output.think.value == ThinkChoice::Split,
    };
    let rows = input.rows(args.text, max_input);
    let work = drive(&run, &maker, rows, &done, args.jobs, &writer);
    let ended = client.block_on(async {
        match settings.transport.deadline.at() {
            Some(deadline) => {
                let deadline = tokio::time::Instant::from_std(deadline);
                tokio::time::timeout_at(deadline, work)
                    .await
                    .unwrap_or_else(|_| Err(Deadline::reached("")))
            }
            None => work.await,
        }
    });
    lifecycle::leave(client);
    let mut writer = writer.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(e) = ended {
        // Rows that finished are paid for: they are written, out of turn, before the end.
        let _ = writer.write_waiting();
        ui::clear_status();
        return Err(e);
    }
    Ok(writer.progress.finish())
}

/// The rows, and what builds each one's body.
fn open_rows<'a>(settings: &'a Settings, args: &BatchSettings) -> Result<(Input, Maker<'a>)> {
    let max_input = settings.input.max_input;
    let deadline = settings.transport.deadline;
    let values = params::read(&settings.request.params, max_input, deadline)?;
    let (file, text) = (args.file.clone(), args.text);
    let input = deadline.bound("reading the rows", move || {
        Input::open(file.as_deref(), text, max_input)
    })?;
    let maker = Maker {
        settings,
        system_from_flag: settings.system_replaces(),
        system: params::system(&settings.request, &values),
        values,
        fields: parts::fields(&settings.request, deadline)?,
        images: parts::attachments(&settings.request.attach, deadline)?,
    };
    Ok((input, maker))
}

/// Where the results go: stdout, or `--output FILE` opened to resume (its good rows are
/// done), which must not be the rows' own file.
fn open_output(
    output: Option<&Path>,
    input: Option<(u64, u64)>,
    raw: bool,
) -> Result<(Out, HashSet<u64>)> {
    let Some(path) = output else {
        return Ok((Out::stdout(), HashSet::new()));
    };
    if input.is_some_and(|identity| same_file(path, identity)) {
        return Err(fail(
            USAGE,
            "--output is the file the rows come from: choose another file",
        ));
    }
    let resume = resume::resume(path, raw)?;
    if resume.dropped > 0 {
        ui::warn(&format!(
            "{}: trying again {}",
            path.display(),
            plural(resume.dropped, "failed row")
        ));
    }
    Ok((Out::to(Box::new(resume.file)), resume.done))
}

fn same_file(path: &Path, (dev, ino): (u64, u64)) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).is_ok_and(|m| m.dev() == dev && m.ino() == ino)
}

/// Builds each row's request body from the settings every row shares.
struct Maker<'a> {
    settings: &'a Settings,
    system_from_flag: bool,
    /// The system text, the role's parameters filled.
    system: Option<String>,
    /// `-p`: the role's parameters and their values.
    values: params::Values,
    /// The request fields, those from files read once for every row.
    fields: Map<String, Value>,
    /// `-a`: image parts added to every row's user message.
    images: Vec<Value>,
}

impl Maker<'_> {
    /// The body of a row: built as a single request's is, by the same rules, then the
    /// row's own fields over it; a field the row sets to `null` is not sent, whatever the
    /// flags say. A row is never streamed.
    fn body(&self, request: Request) -> Value {
        let system = request.system.as_deref().or(self.system.as_deref());
        let base = Base {
            model: &self.settings.request.model.value,
            system,
            system_from_flag: self.system_from_flag || request.system.is_some(),
            stream: false,
            usage: false,
            fields: &self.fields,
        };
        let role_prompt = self.settings.request.role_prompt.as_deref();
        let new_lines: Vec<Value> =
            plan::user_line(request.prompt, role_prompt, &self.values, &self.images)
                .into_iter()
                .collect();
        let mut body = plan::build(&base, &[], request.messages, new_lines).body;
        let Some(fields) = body.as_object_mut() else {
            return body;
        };
        for (key, value) in request.fields {
            match (key.as_str(), value) {
                (_, Value::Null) => drop(fields.remove(&key)),
                ("model", Value::String(model)) => {
                    fields.insert(key, Value::String(self.settings.alias(model)));
                }
                (_, value) => drop(fields.insert(key, value)),
            }
        }
        body
    }
}

/// `--dry-run`: every row's body, one a line; rows that cannot be sent are named on stderr.
fn dry_run(input: Input, args: &BatchSettings, limit: u64, maker: &Maker) -> Result<u8> {
    crate::exchange::trace_dry_run(&maker.settings.transport);
    let mut out = Out::stdout();
    let mut bad = 0;
    for row in input.rows(args.text, limit) {
        let row = row?;
        match row.request {
            Ok(request) => out.write_line(&maker.body(request).to_string())?,
            Err(message) => {
                bad += 1;
                ui::warn(&format!("line {}: {message}", row.line));
            }
        }
    }
    out.flush()?;
    Ok(if bad > 0 { BAD_INPUT } else { 0 })
}

/// What every row's request shares.
struct Run<'a> {
    client: &'a Client,
    pace: Pace,
    reach: Reach,
    retries: u32,
    raw: bool,
    /// `<think>` taken out of the answers (`--think split`).
    split_think: bool,
}

/// Sends the rows, `jobs` at once, and writes each result when its turn comes.
async fn drive(
    run: &Run<'_>,
    maker: &Maker<'_>,
    mut rows: impl Iterator<Item = std::io::Result<Row>>,
    done: &HashSet<u64>,
    jobs: usize,
    writer: &Mutex<Writer>,
) -> Result<()> {
    let window = 4 * jobs;
    let mut in_flight = FuturesUnordered::new();
    let mut next = 0;
    let mut rows_left = true;
    let lock = || writer.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        while rows_left
            && in_flight.len() < jobs
            && lock().waiting.room(in_flight.len(), window, WAITING_BUDGET)
        {
            let Some(row) = rows.next() else {
                rows_left = false;
                break;
            };
            let row = row.context("reading the rows")?;
            if done.contains(&row.id.hash()) {
                lock().progress.skipped += 1;
                continue;
            }
            let place = next;
            next += 1;
            match row.request {
                Ok(request) => {
                    let body = maker.body(request);
                    let model = body["model"].as_str().unwrap_or_default().to_string();
                    let body = serde_json::to_vec(&body)?;
                    in_flight.push(async move {
                        let outcome = send_row(run, row.line, &body).await;
                        (place, row.id, row.line, model, outcome)
                    });
                }
                Err(message) => {
                    let outcome = Outcome::failed(BAD_INPUT, message);
                    let result = results::line(&row.id, row.line, &outcome, "", run.raw);
                    lock().finished(place, result, false)?;
                }
            }
        }
        if in_flight.is_empty() && !rows_left {
            return Ok(());
        }
        // The progress line is redrawn while the requests are out.
        let finished = tokio::time::timeout(Duration::from_millis(100), in_flight.next()).await;
        if let Ok(Some((place, id, line, model, outcome))) = finished {
            let outcome = outcome?;
            let result = results::line(&id, line, &outcome, &model, run.raw);
            lock().finished(place, result, outcome.ok())?;
        }
        lock().progress.draw();
    }
}

/// Sends one row, trying again as `retry` says; `Err` for a failure every row would share,
/// which ends the run.
async fn send_row(run: &Run<'_>, line: usize, body: &[u8]) -> Result<Outcome> {
    let attempt = || async {
        run.pace.ready().await;
        run.client.attempt(CHAT_PATH, body).await
    };
    let give_up = |failed: &Failed| {
        if shared_by_every_row(exit_code(&failed.error)) {
            return true;
        }
        if let Some(wait) = retry::pause_for_all(&failed.trouble) {
            run.pace.pause(wait);
        }
        false
    };
    let label = format!("line {line}: ");
    let failed = match retry::run(run.retries, &label, attempt, give_up, tokio::time::sleep).await {
        Ok(reply) => {
            let outcome = judge(reply, run.split_think)?;
            run.reach.row_ended(outcome.ok(), true);
            return Ok(outcome);
        }
        Err(failed) => failed,
    };
    let code = exit_code(&failed.error);
    if shared_by_every_row(code) || wrong_path(&failed) {
        return Err(failed.error);
    }
    let connected = !matches!(failed.trouble, Trouble::NoConnection);
    if run.reach.row_ended(false, connected) {
        let message = format!(
            "gave up: {} rows in a row could not connect, and none has succeeded ({:#}); the rows not sent have no result",
            run.reach.limit, failed.error
        );
        return Err(fail(TEMPORARY, message));
    }
    Ok(Outcome::Failed {
        code,
        message: format!("{:#}", failed.error),
        reply: failed.reply,
    })
}

/// A 404 that is not JSON: the base URL's path is wrong, for every row.
fn wrong_path(failed: &Failed) -> bool {
    failed.reply.as_ref().is_some_and(|reply| {
        reply.status == 404 && serde_json::from_slice::<serde::de::IgnoredAny>(&reply.body).is_err()
    })
}

/// No key, a refused key, a bad configuration, TLS: no row can succeed.
fn shared_by_every_row(code: u8) -> bool {
    matches!(code, PERMISSION | CONFIG | UNAVAILABLE)
}

/// A successful response read as an answer, or the row's failure when it is none; `Err`
/// for a failure every row would share (a 200 that carries a 401).
fn judge(reply: Reply, split_think: bool) -> Result<Outcome> {
    let outcome = Outcome::of(reply, split_think);
    match outcome {
        Outcome::Failed { code, message, .. } if shared_by_every_row(code) => {
            Err(fail(code, message))
        }
        outcome => Ok(outcome),
    }
}
