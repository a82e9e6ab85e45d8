//! `mume batch`: one request per row of a JSON Lines file, `--jobs` of them at once on the
//! client's runtime (this thread), each result written as soon as it is its turn in input
//! order, and a run through `--output FILE` resumable after a kill.
//!
//! Memory stays bounded: rows are read as they are needed, and a row starts only while
//! fewer than `4 × jobs` rows are in flight or waiting for their turn.

mod pace;
mod results;
mod rows;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde_json::{Map, Value};

use crate::api::assemble;
use crate::error::{BAD_INPUT, CONFIG, PERMISSION, TEMPORARY, UNAVAILABLE, USAGE, exit_code, fail};
use crate::exchange::plan::{self, Base};
use crate::exchange::{CHAT_PATH, gather};
use crate::http::retry;
use crate::http::{Client, Failed, Reply};
use crate::lifecycle::{self, Deadline};
use crate::output::{Out, ui};
use crate::settings::{Batch as BatchSettings, Settings};
use pace::Pace;
use results::Outcome;
use rows::{Input, Request, Row};

pub(crate) fn run(settings: Settings) -> Result<u8> {
    let args = settings.batch.as_ref().context("no batch settings")?;
    let max_input = settings.input.max_input;
    let input = Input::open(args.file.as_deref(), args.text, max_input)?;
    let maker = Maker {
        settings: &settings,
        system_from_flag: settings.system_replaces(),
        fields: gather::fields(&settings.request)?,
        images: gather::attachments(&settings.request.attach)?,
    };
    if settings.request.dry_run {
        return dry_run(input, args, max_input, &maker);
    }
    let output = args.output.as_deref().filter(|p| *p != Path::new("-"));
    if let (Some(output), Some(identity)) = (output, input.identity)
        && same_file(output, identity)
    {
        return Err(fail(
            USAGE,
            "--output is the file the rows come from: choose another file",
        ));
    }
    let total = input.rows;
    let (out, done) = match output {
        Some(path) => {
            let resume = results::resume(path, args.raw)?;
            if resume.dropped > 0 {
                ui::warn(&format!(
                    "{}: trying again {}",
                    path.display(),
                    plural(resume.dropped, "failed row")
                ));
            }
            (Out::to(Box::new(resume.file)), resume.done)
        }
        None => (Out::stdout(), Default::default()),
    };
    let client = Client::new(&settings.transport)?;
    let writer = Arc::new(Mutex::new(Writer {
        out,
        to: output.map_or("stdout".into(), |p| p.display().to_string()),
        progress: Progress::new(total, output.is_some()),
        waiting: BTreeMap::new(),
        turn: 0,
    }));
    watch_signals(Arc::clone(&writer))?;
    let run = Run {
        client: &client,
        pace: Pace::new(args.rpm),
        retries: settings.transport.retries,
        raw: args.raw,
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

fn same_file(path: &Path, (dev, ino): (u64, u64)) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).is_ok_and(|m| m.dev() == dev && m.ino() == ino)
}

/// Builds each row's request body from the settings every row shares.
struct Maker<'a> {
    settings: &'a Settings,
    system_from_flag: bool,
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
        let system = request
            .system
            .as_deref()
            .or(self.settings.request.system.value.as_deref());
        let base = Base {
            model: &self.settings.request.model.value,
            system,
            system_from_flag: self.system_from_flag || request.system.is_some(),
            stream: false,
            usage: false,
            fields: &self.fields,
        };
        let role_prompt = self.settings.request.role_prompt.as_deref();
        let new_lines: Vec<Value> = plan::user_line(request.prompt, role_prompt, &self.images)
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
    retries: u32,
    raw: bool,
}

/// Sends the rows, `jobs` at once, and writes each result when its turn comes.
async fn drive(
    run: &Run<'_>,
    maker: &Maker<'_>,
    mut rows: impl Iterator<Item = std::io::Result<Row>>,
    done: &std::collections::HashSet<u64>,
    jobs: usize,
    writer: &Mutex<Writer>,
) -> Result<()> {
    let window = 4 * jobs;
    let mut in_flight = FuturesUnordered::new();
    let mut next = 0;
    let mut rows_left = true;
    let lock = || writer.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        while rows_left && in_flight.len() < jobs && in_flight.len() + lock().waiting.len() < window
        {
            let Some(row) = rows.next() else {
                rows_left = false;
                break;
            };
            let row = row.context("reading the rows")?;
            if done.contains(&rows::key_hash(&row.id)) {
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
        Ok(reply) => return judge(reply),
        Err(failed) => failed,
    };
    let code = exit_code(&failed.error);
    if shared_by_every_row(code) {
        return Err(failed.error);
    }
    Ok(Outcome::Failed {
        code,
        message: format!("{:#}", failed.error),
        reply: failed.reply,
    })
}

/// No key, a refused key, a bad configuration, TLS: no row can succeed.
fn shared_by_every_row(code: u8) -> bool {
    matches!(code, PERMISSION | CONFIG | UNAVAILABLE)
}

/// A successful response read as an answer, or the row's failure when it is none.
fn judge(reply: Reply) -> Result<Outcome> {
    let read = assemble::answer_of(&reply.content_type, &reply.body)
        .and_then(|a| assemble::ending(&a).map(|()| a));
    match read {
        Ok(answer) => Ok(Outcome::Answered {
            reply,
            answer: Box::new(answer),
        }),
        // A 200 that carries a 401 refuses every row as the status would.
        Err(e) if shared_by_every_row(exit_code(&e)) => Err(e),
        Err(e) => Ok(Outcome::Failed {
            code: exit_code(&e),
            message: format!("{e:#}"),
            reply: Some(reply),
        }),
    }
}

/// Where results go, the finished rows waiting for their turn, and the count of them on a
/// terminal's stderr. Shared with the signal watcher, which writes the waiting rows before
/// the run dies.
struct Writer {
    out: Out,
    /// The output's name, for messages.
    to: String,
    progress: Progress,
    /// Result lines of finished rows waiting for the rows before them, by place.
    waiting: BTreeMap<usize, String>,
    /// The place of the next row to write.
    turn: usize,
}

impl Writer {
    /// Takes the result of the row at `place`, and writes every result whose turn it is.
    fn finished(&mut self, place: usize, result: Value, ok: bool) -> Result<()> {
        if ok {
            self.progress.ok += 1;
        } else {
            self.progress.failed += 1;
        }
        self.waiting.insert(place, result.to_string());
        while let Some(text) = self.waiting.remove(&self.turn) {
            self.write(&text)?;
            self.turn += 1;
        }
        Ok(())
    }

    fn write(&mut self, text: &str) -> Result<()> {
        self.out
            .write_line(text)
            .and_then(|()| self.out.flush())
            .with_context(|| format!("writing results to {}", self.to))
    }

    /// Writes the rows still waiting for an earlier one, out of turn: the run is ending,
    /// and they were paid for. Each result names its line.
    fn write_waiting(&mut self) -> Result<()> {
        for text in std::mem::take(&mut self.waiting).into_values() {
            self.write(&text)?;
        }
        Ok(())
    }
}

/// On a signal, the finished rows still waiting are written, the status line is erased,
/// and the run dies by that signal, never in the middle of a result line. (The deadline is
/// the run's own to keep: its requests stop where they are.)
fn watch_signals(writer: Arc<Mutex<Writer>>) -> Result<()> {
    lifecycle::watch(Deadline::default(), move |_| {
        // A writer stuck on a full pipe holds the lock: the signal ends the run regardless.
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(1) {
            if let Ok(mut writer) = writer.try_lock() {
                let _ = writer.write_waiting();
                ui::clear_status();
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    })
}

/// The status line: rows done of all, failed rows, rows a second, time left.
struct Progress {
    total: usize,
    ok: usize,
    failed: usize,
    /// Rows with a good result from an earlier run.
    skipped: usize,
    started: Instant,
    drawn: Option<Instant>,
    /// Results go to `--output`: a rerun tries the failed rows again.
    resumable: bool,
}

impl Progress {
    fn new(total: usize, resumable: bool) -> Progress {
        Progress {
            total,
            ok: 0,
            failed: 0,
            skipped: 0,
            started: Instant::now(),
            drawn: None,
            resumable,
        }
    }

    /// Redraws the line, at most ten times a second.
    fn draw(&mut self) {
        if self
            .drawn
            .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.drawn = Some(Instant::now());
        let sent = self.ok + self.failed;
        let done = sent + self.skipped;
        let elapsed = self.started.elapsed().as_secs_f64();
        let rate = if elapsed > 0.0 {
            sent as f64 / elapsed
        } else {
            0.0
        };
        let mut line = format!("{done}/{} rows", self.total);
        if self.failed > 0 {
            line.push_str(&format!(", {} failed", self.failed));
        }
        if sent > 0 {
            line.push_str(&format!(", {rate:.1} rows/s"));
            let left = self.total.saturating_sub(done) as f64 / rate;
            line.push_str(&format!(", {} left", duration(left)));
        }
        ui::status(&line);
    }

    /// The summary, and the exit code: 75 when a row failed.
    fn finish(&self) -> u8 {
        ui::clear_status();
        let sent = self.ok + self.failed;
        let mut summary = format!(
            "{}: {} ok, {} failed in {:.1} s",
            plural(sent, "row"),
            self.ok,
            self.failed,
            self.started.elapsed().as_secs_f64()
        );
        if self.skipped > 0 {
            summary.push_str(&format!(" ({} done before)", self.skipped));
        }
        if std::io::stderr().is_terminal() && !ui::quiet() {
            ui::note(&summary);
        } else if self.failed > 0 {
            let rerun = if self.resumable {
                " (a rerun with the same --output tries them again)"
            } else {
                ""
            };
            ui::warn(&format!(
                "{} of {} failed; their errors are in the results{rerun}",
                self.failed,
                plural(sent, "row")
            ));
        }
        if self.failed > 0 { TEMPORARY } else { 0 }
    }
}

/// `1 row`, `2 rows`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Seconds as `42 s`, `3 min 20 s` or `2 h 5 min`.
fn duration(secs: f64) -> String {
    let secs = secs.round() as u64;
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, secs / 60 % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(duration(4.4), "4 s");
        assert_eq!(duration(200.0), "3 min 20 s");
        assert_eq!(duration(7500.0), "2 h 5 min");
    }
}
