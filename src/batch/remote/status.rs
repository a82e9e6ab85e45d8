//! `mume batch status`: what the server says of each batch of a job, shown, and waited
//! for with `--wait`.

use std::time::Duration;

use anyhow::Result;
use serde_json::{Value, json};

use super::api;
use super::job::{Job, Part};
use crate::http::Client;
use crate::lifecycle::Deadline;
use crate::output::{Out, ui};
use crate::text::plural;

/// The first wait between two looks at a job, and the longest.
const FIRST_WAIT: Duration = Duration::from_secs(5);
const LONGEST_WAIT: Duration = Duration::from_secs(60);
/// The shortest, whatever a server asks.
const SHORTEST_WAIT: Duration = Duration::from_millis(250);

/// Takes what the server says of a batch into its part.
pub(super) fn update(part: &mut Part, batch: &Value) {
    let text = |key: &str| batch[key].as_str().map(String::from);
    // The id a batch was made with is its name for good; a server's later word on it is
    // not taken, and an id that could not stand in a URL's path is no id.
    let id = |key: &str| text(key).filter(|id| super::api::plain_id(id));
    if part.batch_id.is_none() {
        part.batch_id = id("id");
    }
    part.status = text("status").or(part.status.take());
    let counts = &batch["request_counts"];
    part.done = counts["completed"].as_u64().or(part.done);
    part.failed = counts["failed"].as_u64().or(part.failed);
    part.output_file_id = id("output_file_id").or(part.output_file_id.take());
    part.error_file_id = id("error_file_id").or(part.error_file_id.take());
    if let Some(errors) = batch["errors"]["data"].as_array() {
        part.errors = errors.iter().map(error_text).collect();
    }
}

/// One of a batch's errors as a line: where, what, and the provider's code.
fn error_text(error: &Value) -> String {
    let message = error["message"].as_str().unwrap_or("no message");
    let code = error["code"]
        .as_str()
        .map_or(String::new(), |c| format!(" ({c})"));
    let text = match error["line"].as_u64() {
        Some(line) => format!("input line {line}: {message}{code}"),
        None => format!("{message}{code}"),
    };
    crate::text::one_line(&crate::redact::redact(&text))
}

/// Asks the server about every batch of the job that has not ended, and saves what it
/// says. `strict`: a failed look is the error; else it is a warning and the next look
/// tries again. The wait the server asks for before the next look, if it asks.
pub(super) fn refresh(client: &Client, job: &mut Job, strict: bool) -> Result<Option<Duration>> {
    let mut again = None;
    // A batch that ended without naming its files may name them yet.
    let settled = |part: &Part| {
        part.ended() && (part.output_file_id.is_some() || part.error_file_id.is_some())
    };
    for part in job.parts.iter_mut().filter(|part| !settled(part)) {
        let Some(batch_id) = part.batch_id.clone() else {
            continue;
        };
        match api::get(client, &batch_id) {
            Ok((batch, asked)) => {
                update(part, &batch);
                again = again.max(asked);
            }
            Err(failed) if strict => return Err(failed.error),
            Err(failed) => {
                ui::warn(&format!("{:#}; asking again later", failed.error));
                again = again.max(crate::http::retry::pause_for_all(&failed.trouble));
            }
        }
    }
    job.save()?;
    Ok(again)
}

/// Looks at the job until every batch has ended: first after 5 s, each wait half as long
/// again, at most a minute, or when the server asks. A progress line on a terminal.
/// `--max-time` ends the waiting, never the job.
pub(super) fn wait(client: &Client, job: &mut Job, deadline: Deadline) -> Result<()> {
    let mut wait = FIRST_WAIT;
    let mut asked = refresh(client, job, false)?;
    while !job.parts.iter().all(Part::ended) {
        ui::status(&crate::text::one_line(&progress(job)));
        let pause = asked.map_or(wait, |asked| asked.max(SHORTEST_WAIT));
        if deadline.left().is_some_and(|left| left <= pause) {
            client.pause(deadline.left().unwrap_or_default());
            ui::clear_status();
            return Err(Deadline::reached(&format!(
                "waiting for job {} (it runs on; mume batch status shows it)",
                job.id
            )));
        }
        // The client's runtime runs meanwhile, so that a kept-alive connection the server
        // closes is seen closed, not tried for the next look.
        client.pause(pause);
        wait = (wait * 3 / 2).min(LONGEST_WAIT);
        asked = refresh(client, job, false)?;
    }
    ui::clear_status();
    Ok(())
}

/// `N/M rows, F failed, batches: 2 in_progress, 1 completed`.
fn progress(job: &Job) -> String {
    let (done, failed) = counts(job);
    let mut statuses: Vec<(String, usize)> = Vec::new();
    for part in &job.parts {
        let status = part.status.clone().unwrap_or_else(|| "not made".into());
        match statuses.iter_mut().find(|(s, _)| *s == status) {
            Some((_, n)) => *n += 1,
            None => statuses.push((status, 1)),
        }
    }
    let statuses: Vec<String> = statuses.iter().map(|(s, n)| format!("{n} {s}")).collect();
    format!(
        "{}/{} rows, {failed} failed, batches: {}",
        done.saturating_add(failed),
        job.rows,
        statuses.join(", ")
    )
}

/// Rows done and failed, as the server counts them (whatever numbers it sends).
fn counts(job: &Job) -> (u64, u64) {
    job.parts.iter().fold((0, 0), |(done, failed), part| {
        (
            done.saturating_add(part.done.unwrap_or(0)),
            failed.saturating_add(part.failed.unwrap_or(0)),
        )
    })
}

/// Prints the job: a line for it, a line for each batch, and each batch's errors.
pub(super) fn show(job: &Job, json: bool) -> Result<()> {
    let mut out = Out::stdout();
    if json {
        out.write_line(&as_json(job).to_string())?;
        return Ok(out.flush()?);
    }
    let (done, failed) = counts(job);
    let ended = job.parts.iter().all(Part::ended);
    // What the server said is shown as text, never as terminal controls.
    let mut line = |text: String| out.write_line(&crate::text::escape(&text));
    line(format!(
        "{}  {} in {} on {}: {done} done, {failed} failed{}",
        job.id,
        plural(job.rows, "row"),
        plural(job.parts.len(), "batch"),
        job.base_url,
        if ended { ", ended" } else { "" }
    ))?;
    for part in &job.parts {
        let status = crate::text::one_line(part.status.as_deref().unwrap_or("never made"));
        let counts = match (part.done, part.failed) {
            (None, None) => String::new(),
            (done, failed) => format!(
                "  {} done, {} failed",
                done.unwrap_or(0),
                failed.unwrap_or(0)
            ),
        };
        line(format!(
            "  part {}  {}  {} rows  {}  {status}{counts}",
            part.number,
            crate::text::one_line(&part.model),
            part.rows,
            part.batch_id.as_deref().unwrap_or("-"),
        ))?;
        for error in &part.errors {
            line(format!("    {error}"))?;
        }
    }
    Ok(out.flush()?)
}

/// The job as one JSON object, its parts in it.
fn as_json(job: &Job) -> Value {
    let (done, failed) = counts(job);
    json!({
        "id": job.id,
        "created": job.created,
        "base_url": job.base_url,
        "output": job.output,
        "rows": job.rows,
        "done": done,
        "failed": failed,
        "ended": job.parts.iter().all(Part::ended),
        "parts": job.parts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_s_counts_of_any_size_are_shown_not_trusted_to_add_up() {
        let mut job = Job {
            id: "j".into(),
            created: String::new(),
            base_url: String::new(),
            output: None,
            raw: false,
            keep_think: false,
            rows: 3,
            parts: Vec::new(),
        };
        for _ in 0..2 {
            let mut part = Part::default();
            update(
                &mut part,
                &json!({"id": "b", "status": "in_progress\u{1b}[2J",
                        "request_counts": {"completed": u64::MAX, "failed": u64::MAX}}),
            );
            job.parts.push(part);
        }
        assert_eq!(counts(&job), (u64::MAX, u64::MAX));
        let line = progress(&job);
        assert!(line.starts_with(&format!("{}/3 rows", u64::MAX)), "{line}");
    }
}
