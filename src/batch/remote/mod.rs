//! Provider batches: the rows of `mume batch` run on the server's own Batch API. The rows,
//! their bodies, the result lines and the resume rules are those of a local run; only where
//! the requests run changes. A job is submitted in parts (`submit`), looked at (`status`),
//! read back in input order (`fetch`), cancelled and listed; its state stays on this
//! machine (`job`).

mod api;
mod fetch;
mod job;
mod lines;
mod status;
mod submit;

use std::path::Path;

use anyhow::Result;
use serde_json::Value;

use super::open_rows;
use crate::error::fail;
use crate::http::Client;
use crate::output::{Out, ui};
use crate::settings::{Batch as BatchSettings, BatchMode, Settings};
use crate::text::plural;
use job::Job;

/// The most rows and bytes of request lines a provider batch gets.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) rows: usize,
    pub(crate) bytes: u64,
}

/// Runs what `args.mode` asks of the Batch API.
pub(crate) fn run(settings: &Settings, args: &BatchSettings) -> Result<u8> {
    match &args.mode {
        BatchMode::Local => Err(anyhow::anyhow!("a local batch has no job")),
        BatchMode::Submit {
            wait,
            max_rows,
            max_bytes,
        } => {
            let limits = Limits {
                rows: *max_rows,
                bytes: *max_bytes,
            };
            submit(settings, args, limits, *wait)
        }
        BatchMode::Status { job, wait } => status(settings, job.as_deref(), *wait),
        BatchMode::Fetch { job, wait } => fetch(settings, args, job.as_deref(), *wait),
        BatchMode::Cancel { job } => cancel(settings, job),
        BatchMode::List { remote } => list(settings, *remote),
    }
}

/// `mume batch FILE --submit [--wait]`.
fn submit(settings: &Settings, args: &BatchSettings, limits: Limits, wait: bool) -> Result<u8> {
    let (input, maker) = open_rows(settings, args)?;
    let rows = input.rows(args.text, settings.input.max_input);
    if settings.request.dry_run {
        crate::exchange::trace_dry_run(&settings.transport);
        return submit::dry_run(rows, &maker);
    }
    let client = Client::new(&settings.transport)?;
    let output = args.output.as_deref().filter(|p| *p != Path::new("-"));
    let submitted = submit::submit(&client, rows, &maker, output, args.raw, limits)?;
    let mut job = submitted.job;
    if job.parts.is_empty() {
        return Ok(0);
    }
    submit::print_id(&job.id)?;
    let sent: usize = job.parts.iter().map(|part| part.rows).sum();
    let mut also = Vec::new();
    if submitted.skipped > 0 {
        also.push(format!("{} done before", submitted.skipped));
    }
    if job.rows > sent {
        let bad = plural(job.rows - sent, "row");
        also.push(format!("{bad} that cannot be sent, failed at fetch"));
    }
    let also = match also.is_empty() {
        true => String::new(),
        false => format!(" ({})", also.join("; ")),
    };
    ui::note(&format!(
        "{} as {}{also}: job {}",
        plural(sent, "row"),
        plural(job.parts.len(), "batch"),
        job.id
    ));
    if !wait {
        return Ok(0);
    }
    status::wait(&client, &mut job, settings.transport.deadline)?;
    let output = job.output.clone();
    let shape = fetch::Shape {
        raw: job.raw,
        split_think: split_think(settings, &job),
    };
    fetch::fetch(&client, &job, output.as_deref(), shape)
}

/// `mume batch status [JOB] [--wait]`.
fn status(settings: &Settings, name: Option<&str>, wait: bool) -> Result<u8> {
    let mut job = named(name)?;
    let client = Client::new(&settings.transport)?;
    match wait {
        true => status::wait(&client, &mut job, settings.transport.deadline)?,
        false => drop(status::refresh(&client, &mut job, true)?),
    }
    status::show(&job, settings.output.json)?;
    Ok(0)
}

/// `mume batch fetch [JOB] [--output FILE] [--raw] [--wait]`.
fn fetch(settings: &Settings, args: &BatchSettings, name: Option<&str>, wait: bool) -> Result<u8> {
    let mut job = named(name)?;
    let client = Client::new(&settings.transport)?;
    match wait {
        true => status::wait(&client, &mut job, settings.transport.deadline)?,
        false => drop(status::refresh(&client, &mut job, true)?),
    }
    let output = args.output.clone().or_else(|| job.output.clone());
    let output = output.filter(|p| p != Path::new("-"));
    let shape = fetch::Shape {
        raw: args.raw || job.raw,
        split_think: split_think(settings, &job),
    };
    fetch::fetch(&client, &job, output.as_deref(), shape)
}

/// Whether `<think>` is taken out of the answers: as `--think` says at fetch, else as it
/// was at submit (split, the default).
fn split_think(settings: &Settings, job: &Job) -> bool {
    match settings.output.think.from {
        crate::settings::Source::Flag => {
            settings.output.think.value == crate::check::ThinkChoice::Split
        }
        _ => !job.keep_think,
    }
}

/// `mume batch cancel JOB`: every batch still running is asked to stop; one that has
/// ended already is no error.
fn cancel(settings: &Settings, name: &str) -> Result<u8> {
    let mut job = job::find(Some(name))?;
    let client = Client::new(&settings.transport)?;
    status::refresh(&client, &mut job, true)?;
    // Every batch is asked, whatever one of them answers; the first refusal is the error.
    let mut refused = None;
    for part in job.parts.iter_mut().filter(|part| !part.ended()) {
        let Some(batch_id) = part.batch_id.clone() else {
            continue;
        };
        match api::cancel(&client, &batch_id) {
            Ok(batch) => status::update(part, &batch),
            Err(failed) => {
                // A batch that ended meanwhile cannot be cancelled, whatever status the
                // server chooses to say so with.
                if let Ok((batch, _)) = api::get(&client, &batch_id) {
                    status::update(part, &batch);
                }
                if !part.ended() && refused.is_none() {
                    let message = format!(
                        "cannot cancel batch {batch_id} (part {}): {:#}",
                        part.number, failed.error
                    );
                    refused = Some(fail(api::code_of(&failed), message));
                }
            }
        }
    }
    job.save()?;
    status::show(&job, settings.output.json)?;
    match refused {
        Some(error) => Err(error),
        None => Ok(0),
    }
}

/// `mume batch list [--remote]`: this machine's jobs newest first, or the server's batches.
fn list(settings: &Settings, remote: bool) -> Result<u8> {
    if remote {
        return list_remote(settings);
    }
    let mut out = Out::stdout();
    for id in job::ids()? {
        let job = Job::load(&id)?;
        if settings.output.json {
            out.write_line(&serde_json::to_string(&job)?)?;
            continue;
        }
        let ended = job.parts.iter().all(job::Part::ended);
        out.write_line(&format!(
            "{}  {} rows  {} batches  {}  {}",
            job.id,
            job.rows,
            job.parts.len(),
            if ended { "ended" } else { "running" },
            job.output
                .as_ref()
                .map_or("-".into(), |p| crate::text::one_line(
                    &p.display().to_string()
                ))
        ))?;
    }
    Ok(out.flush().map(|()| 0)?)
}

/// The server's batches, every page of them, newest first as the server gives them.
fn list_remote(settings: &Settings) -> Result<u8> {
    let client = Client::new(&settings.transport)?;
    let mut out = Out::stdout();
    let mut after: Option<String> = None;
    loop {
        let page = api::list(&client, after.as_deref())?;
        let batches = page["data"].as_array().cloned().unwrap_or_default();
        for batch in &batches {
            let line = match settings.output.json {
                true => batch.to_string(),
                false => remote_line(batch),
            };
            out.write_line(&line)?;
        }
        let last = batches
            .last()
            .and_then(|b| b["id"].as_str())
            .map(String::from);
        match (page["has_more"].as_bool(), last) {
            (Some(true), Some(last)) if after.as_deref() != Some(last.as_str()) => {
                after = Some(last)
            }
            _ => break,
        }
    }
    Ok(out.flush().map(|()| 0)?)
}

/// A server's batch on one line: id, status, counts, and the job it belongs to.
fn remote_line(batch: &Value) -> String {
    let text = |v: &Value| v.as_str().map_or("-".to_string(), crate::text::one_line);
    let counts = &batch["request_counts"];
    let counts = match counts["total"].as_u64() {
        Some(total) => format!(
            "{}/{total} done, {} failed",
            counts["completed"].as_u64().unwrap_or(0),
            counts["failed"].as_u64().unwrap_or(0)
        ),
        None => "-".into(),
    };
    format!(
        "{}  {}  {counts}  {}",
        text(&batch["id"]),
        text(&batch["status"]),
        text(&batch["metadata"]["mume_job"]),
    )
}

fn named(name: Option<&str>) -> Result<Job> {
    let job = job::find(name)?;
    if name.is_none() {
        ui::note(&format!("job {}", job.id));
    }
    Ok(job)
}
