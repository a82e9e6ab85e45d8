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
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde_json::Value;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use crate::answer;
use crate::chat::CHAT_PATH;
use crate::cli::{Batch, Cli};
use crate::client::{Client, Reply};
use crate::error::{BAD_INPUT, CONFIG, PERMISSION, TEMPORARY, UNAVAILABLE, USAGE, exit_code, fail};
use crate::output::Out;
use crate::request::{self, Base};
use crate::retry;
use crate::settings::Settings;
use crate::{tools, ui};
use pace::Pace;
use results::Outcome;
use rows::{Input, Request, Row};

/// Held while a result line is written, so that a signal never ends the run in the middle
/// of one.
static WRITING: Mutex<()> = Mutex::new(());

pub(crate) fn run(cli: &Cli, args: &Batch, settings: Settings) -> Result<u8> {
    refuse_single_request_flags(cli)?;
    let input = Input::open(args.file.as_deref(), args.text, cli.max_input)?;
    let images = cli
        .attach
        .iter()
        .map(|a| tools::attachment(a))
        .collect::<Result<Vec<_>>>()?;
    let maker = Maker {
        settings: &settings,
        system_from_flag: cli.system.is_some(),
        images,
    };
    if cli.dry_run {
        return dry_run(input, args, cli.max_input, &maker);
    }
    if let (Some(output), Some(identity)) = (&args.output, input.identity)
        && same_file(output, identity)
    {
        return Err(fail(
            USAGE,
            "--output is the input file: choose another file",
        ));
    }
    let total = input.rows;
    let (out, done) = match &args.output {
        Some(path) => {
            let resume = results::resume(path, args.raw)?;
            if resume.dropped > 0 {
                ui::warn(&format!(
                    "{} failed rows in {} are tried again",
                    resume.dropped,
                    path.display()
                ));
            }
            (Out::to(Box::new(resume.file)), resume.done)
        }
        None => (Out::stdout(), Default::default()),
    };
    let client = Client::new(&settings)?;
    watch_signals()?;
    let run = Run {
        client: &client,
        pace: Pace::new(args.rpm),
        retries: settings.retries,
        model: &settings.model,
        raw: args.raw,
    };
    let mut writer = Writer {
        out,
        progress: Progress::new(total, args.output.is_some()),
    };
    let rows = input.rows(args.text, cli.max_input);
    let jobs = usize::from(args.jobs);
    let work = drive(&run, &maker, rows, &done, jobs, &mut writer);
    let ended = client.block_on(async {
        match settings.deadline {
            Some(deadline) => {
                let deadline = tokio::time::Instant::from_std(deadline);
                tokio::time::timeout_at(deadline, work)
                    .await
                    .unwrap_or_else(|_| Err(fail(TEMPORARY, "gave up: --max-time reached")))
            }
            None => work.await,
        }
    });
    ui::clear_status();
    // The connections and the runtime go with the process.
    std::mem::forget(client);
    ended?;
    Ok(writer.progress.finish())
}

/// The flags of a single exchange that a batch cannot honour.
fn refuse_single_request_flags(cli: &Cli) -> Result<()> {
    let given = [
        (cli.stream, "--stream"),
        (cli.continue_last, "-c"),
        (cli.chat.is_some(), "--chat"),
        (!cli.tool_result.is_empty(), "--tool-result"),
        (cli.messages.is_some(), "--messages"),
    ];
    match given.iter().find(|(on, _)| *on) {
        Some((_, flag)) => Err(fail(
            USAGE,
            format!(
                "{flag} cannot be used with batch: rows are sent whole and never saved as conversations"
            ),
        )),
        None => Ok(()),
    }
}

fn same_file(path: &Path, (dev, ino): (u64, u64)) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).is_ok_and(|m| m.dev() == dev && m.ino() == ino)
}

/// Builds each row's request body from the settings every row shares.
struct Maker<'a> {
    settings: &'a Settings,
    system_from_flag: bool,
    /// `-a`: image parts added to every row's user message.
    images: Vec<Value>,
}

impl Maker<'_> {
    /// The body of a row: built as a single request's is, then the row's own fields over it.
    fn body(&self, request: Request) -> Value {
        let base = Base {
            model: &self.settings.model,
            system: self.settings.system.as_deref(),
            system_from_flag: self.system_from_flag,
            stream: false,
            fields: &self.settings.fields,
        };
        let mut new_lines = Vec::new();
        if request.prompt.is_some() || !self.images.is_empty() {
            new_lines.push(request::user_message(request.prompt, &self.images));
        }
        let mut body = request::build(&base, &[], request.messages, new_lines).body;
        for (key, value) in request.fields {
            let value = match (key.as_str(), value) {
                ("model", Value::String(model)) => Value::String(self.settings.alias(model)),
                (_, value) => value,
            };
            body[key] = value;
        }
        body
    }
}

/// `--dry-run`: every row's body, one a line; rows that cannot be sent are named on stderr.
fn dry_run(input: Input, args: &Batch, limit: u64, maker: &Maker) -> Result<u8> {
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
    model: &'a str,
    raw: bool,
}

/// Sends the rows, `jobs` at once, and writes each result when its turn comes.
async fn drive(
    run: &Run<'_>,
    maker: &Maker<'_>,
    mut rows: impl Iterator<Item = std::io::Result<Row>>,
    done: &std::collections::HashSet<u64>,
    jobs: usize,
    writer: &mut Writer,
) -> Result<()> {
    let window = 4 * jobs;
    let mut in_flight = FuturesUnordered::new();
    // Finished rows waiting for the rows before them, by their place in the run.
    let mut waiting: BTreeMap<usize, (Value, usize, Outcome)> = BTreeMap::new();
    let (mut next, mut turn) = (0, 0);
    let mut rows_left = true;
    loop {
        while rows_left && in_flight.len() < jobs && in_flight.len() + waiting.len() < window {
            let Some(row) = rows.next() else {
                rows_left = false;
                break;
            };
            let row = row.context("reading the rows")?;
            if done.contains(&rows::key_hash(&row.id)) {
                writer.progress.skipped += 1;
                continue;
            }
            let place = next;
            next += 1;
            match row.request {
                Ok(request) => {
                    let body = serde_json::to_vec(&maker.body(request))?;
                    let (id, line) = (row.id, row.line);
                    in_flight.push(async move {
                        let outcome = send_row(run, line, &body).await;
                        (place, id, line, outcome)
                    });
                }
                Err(message) => {
                    let outcome = Outcome::failed(BAD_INPUT, message);
                    waiting.insert(place, (row.id, row.line, outcome));
                }
            }
        }
        while let Some((id, line, outcome)) = waiting.remove(&turn) {
            writer.write(run, &id, line, &outcome)?;
            turn += 1;
        }
        if in_flight.is_empty() && !rows_left {
            return Ok(());
        }
        // The progress line is redrawn while the requests are out.
        let finished = tokio::time::timeout(Duration::from_millis(100), in_flight.next()).await;
        if let Ok(Some((place, id, line, outcome))) = finished {
            waiting.insert(place, (id, line, outcome?));
        }
        writer.progress.draw();
    }
}

/// Sends one row, trying again as `retry` says; `Err` for a failure every row would share,
/// which ends the run.
async fn send_row(run: &Run<'_>, line: usize, body: &[u8]) -> Result<Outcome> {
    let mut attempt = 0;
    loop {
        run.pace.ready().await;
        let failed = match run.client.attempt(CHAT_PATH, body).await {
            Ok(reply) => return Ok(judge(reply)),
            Err(failed) => failed,
        };
        let code = exit_code(&failed.error);
        if matches!(code, PERMISSION | CONFIG | UNAVAILABLE) {
            return Err(failed.error);
        }
        if let Some(wait) = retry::pause_for_all(&failed.trouble) {
            run.pace.pause(wait);
        }
        let Some(wait) = retry::next_wait(&failed.trouble, attempt, run.retries, retry::jitter())
        else {
            return Ok(Outcome::Failed {
                code,
                message: format!("{:#}", failed.error),
                reply: failed.reply,
            });
        };
        attempt += 1;
        ui::warn(&format!(
            "line {line}: {}; retrying in {:.1} s ({attempt} of {})",
            failed.error,
            wait.as_secs_f64(),
            run.retries
        ));
        tokio::time::sleep(wait).await;
    }
}

/// A successful response read as an answer, or the row's failure when it is none.
fn judge(reply: Reply) -> Outcome {
    let read = answer::parse_whole(&reply.body).and_then(|a| answer::ending(&a).map(|()| a));
    match read {
        Ok(answer) => Outcome::Answered { reply, answer },
        Err(e) => Outcome::Failed {
            code: exit_code(&e),
            message: format!("{e:#}"),
            reply: Some(reply),
        },
    }
}

/// Where results go, and the count of them on a terminal's stderr.
struct Writer {
    out: Out,
    progress: Progress,
}

impl Writer {
    fn write(&mut self, run: &Run, id: &Value, line: usize, outcome: &Outcome) -> Result<()> {
        let result = results::line(id, line, outcome, run.model, run.raw);
        let text = serde_json::to_string(&result)?;
        let _writing = WRITING.lock().unwrap_or_else(|e| e.into_inner());
        self.out.write_line(&text)?;
        self.out.flush()?;
        if outcome.ok() {
            self.progress.ok += 1;
        } else {
            self.progress.failed += 1;
        }
        Ok(())
    }
}

/// On a signal, the status line is erased and the run dies by that signal, never in the
/// middle of a result line: the results written stay, and a rerun resumes after them.
fn watch_signals() -> Result<()> {
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
        .context("setting up signal handling")?;
    std::thread::spawn(move || {
        let Some(sig) = signals.forever().next() else {
            return;
        };
        let _writing = WRITING.lock();
        ui::clear_status();
        let _ = signal_hook::low_level::emulate_default_handler(sig);
        std::process::exit(128 + sig);
    });
    Ok(())
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
            "{sent} rows: {} ok, {} failed in {:.1} s",
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
                "{} of {sent} rows failed; their errors are in the results{rerun}",
                self.failed
            ));
        }
        if self.failed > 0 { TEMPORARY } else { 0 }
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
