//! `mume batch fetch`: a job's output and error files read back into one result per row,
//! in input order, in exactly the form a local run writes, with its resume rules.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Seek};
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

use super::api;
use super::job::{Entry, Job, Part};
use super::lines::returned;
use crate::batch::results::{self, Outcome};
use crate::error::{BAD_INPUT, TEMPORARY, fail};
use crate::http::Client;
use crate::output::{Out, ui};

/// Where a row's line is in the files downloaded: which file, from which byte, how long.
type Located = HashMap<String, (usize, u64, usize)>;

/// Writes the job's results to `output` (stdout when `None`); 0 when every row is ok,
/// 75 when any failed.
pub(super) fn fetch(client: &Client, job: &Job, output: Option<&Path>, raw: bool) -> Result<u8> {
    if let Some(part) = job.parts.iter().find(|part| !part.ended()) {
        return Err(fail(
            TEMPORARY,
            format!(
                "job {} has not ended: part {} is {} (mume batch status --wait waits for it, or fetch --wait)",
                job.id,
                part.number,
                part.status.as_deref().unwrap_or("unknown")
            ),
        ));
    }
    let (mut out, done) = match output {
        Some(path) => {
            let resume = results::resume(path, raw)?;
            (Out::to(Box::new(resume.file)), resume.done)
        }
        None => (Out::stdout(), Default::default()),
    };
    let mut files = Vec::new();
    let mut located = Located::new();
    for part in &job.parts {
        for file_id in [&part.output_file_id, &part.error_file_id]
            .into_iter()
            .flatten()
        {
            let mut file = tempfile::tempfile().context("making room for a download")?;
            api::download(client, file_id, &mut file)?;
            locate(&mut file, files.len(), &mut located)
                .with_context(|| format!("reading file {file_id} of part {}", part.number))?;
            files.push(file);
        }
    }
    let (mut ok, mut failed) = (0, 0);
    for entry in job.rows()? {
        let entry = entry?;
        if done.contains(&entry.id.hash()) {
            continue;
        }
        let (outcome, model) = outcome(job, &entry, &located, &files)?;
        match outcome.ok() {
            true => ok += 1,
            false => failed += 1,
        }
        out.write_line(&results::line(&entry.id, entry.line, &outcome, model, raw))?;
    }
    out.flush()?;
    let rows = ok + failed;
    if failed > 0 {
        ui::warn(&format!(
            "{failed} of {rows} rows failed; their errors are in the results (mume batch FILE --output FILE sends just those again)"
        ));
        return Ok(TEMPORARY);
    }
    Ok(0)
}

/// Notes where each `custom_id` of a downloaded file is. A row that comes back twice (a
/// provider that tried it again) counts by its last line.
fn locate(file: &mut File, index: usize, located: &mut Located) -> Result<()> {
    #[derive(Deserialize)]
    struct Named {
        custom_id: serde_json::Value,
    }
    file.rewind()?;
    let mut reader = BufReader::new(&*file);
    let mut offset = 0;
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader.read_line(&mut line)?;
        if n == 0 {
            return Ok(());
        }
        let custom_id = match serde_json::from_str::<Named>(&line).map(|n| n.custom_id) {
            Ok(serde_json::Value::String(text)) => Some(text),
            Ok(serde_json::Value::Number(number)) => Some(number.to_string()),
            _ => None,
        };
        if let Some(custom_id) = custom_id {
            located.insert(custom_id, (index, offset, n));
        }
        offset += n as u64;
    }
}

/// A row's outcome, and the model it was asked of.
fn outcome<'a>(
    job: &'a Job,
    entry: &Entry,
    located: &Located,
    files: &[File],
) -> Result<(Outcome, &'a str)> {
    let part = match &entry.part {
        Ok(number) => job
            .parts
            .get(number - 1)
            .context("a row of a part the job lacks")?,
        Err(why) => return Ok((Outcome::failed(BAD_INPUT, why.clone()), "")),
    };
    let Some(&(index, offset, len)) = located.get(&entry.custom_id) else {
        return Ok((Outcome::failed(TEMPORARY, missing(part)), &part.model));
    };
    let mut line = vec![0; len];
    std::os::unix::fs::FileExt::read_exact_at(&files[index], &mut line, offset)?;
    let line = String::from_utf8_lossy(&line);
    let outcome = match returned(line.trim_end()) {
        Ok((_, outcome)) => outcome,
        Err(why) => Outcome::failed(
            crate::error::PROTOCOL,
            format!("the provider's line for this row is not a result: {why}"),
        ),
    };
    Ok((outcome, &part.model))
}

/// Why a row of `part` came back in neither file.
fn missing(part: &Part) -> String {
    let errors = match part.errors.is_empty() {
        true => String::new(),
        false => format!(": {}", part.errors.join("; ")),
    };
    match part.status.as_deref() {
        None => "never submitted: the submission stopped before this row's batch was made".into(),
        Some("expired") => {
            "the batch expired, and the provider returned no result for this row".into()
        }
        Some("cancelled") => {
            "the batch was cancelled, and the provider returned no result for this row".into()
        }
        Some("failed") => format!("the batch failed{errors}"),
        Some(status) => format!("the provider returned no result for it (the batch is {status})"),
    }
}
