//! `mume batch --submit`: every row's body built as a local run builds it, the rows grouped
//! by model and cut into parts, each part uploaded and made a provider batch.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use super::job::{Entry, Job, Part, new_id};
use super::lines::{custom_id, request_line};
use super::{Limits, api};
use crate::batch::rows::Row;
use crate::batch::{Maker, resume};
use crate::error::{BAD_INPUT, USAGE, fail};
use crate::http::Client;
use crate::output::{Out, ui};

/// What a submission made: the job, and the folder holding its parts' input files.
pub(super) struct Submitted {
    pub(super) job: Job,
    /// Rows with a good result in `--output` already, not submitted.
    pub(super) skipped: usize,
}

/// Builds the job from the rows, uploads its parts and creates their batches. Prints the
/// job's id on stdout once a batch exists.
pub(super) fn submit(
    client: &Client,
    rows: impl Iterator<Item = std::io::Result<Row>>,
    maker: &Maker,
    output: Option<&Path>,
    raw: bool,
    limits: Limits,
) -> Result<Submitted> {
    let done = match output {
        Some(path) => resume::done(path, raw)?,
        None => HashSet::new(),
    };
    let mut job = Job {
        id: new_id(),
        created: crate::store::timestamp(),
        base_url: crate::redact::url(&client.url("")).into_owned(),
        output: output.map(absolute),
        raw,
        keep_think: maker.settings.output.think.value == crate::check::ThinkChoice::Keep,
        rows: 0,
        parts: Vec::new(),
    };
    let parts = tempfile::tempdir().context("making a folder for the parts")?;
    let cut = cut(&mut job, rows, maker, &done, limits, parts.path());
    let skipped = match cut {
        Ok(skipped) => skipped,
        Err(e) => {
            let _ = job.remove();
            return Err(e);
        }
    };
    if job.parts.is_empty() {
        let _ = job.remove();
        let message = match (job.rows, skipped) {
            (0, 0) => "no rows to submit".to_string(),
            (0, _) => {
                ui::note(&format!(
                    "nothing to submit: every row has a good result in {}",
                    output.map_or(String::new(), |p| p.display().to_string())
                ));
                return Ok(Submitted { job, skipped });
            }
            _ => "no row can be sent (mume batch --submit --dry-run names the reasons)".into(),
        };
        return Err(fail(BAD_INPUT, message));
    }
    upload(client, &mut job, parts.path())?;
    Ok(Submitted { job, skipped })
}

/// Reads every row not done yet into its model's part, a file in `dir`, and its entry into
/// the job; the rows that were done already.
fn cut(
    job: &mut Job,
    rows: impl Iterator<Item = std::io::Result<Row>>,
    maker: &Maker,
    done: &HashSet<u64>,
    limits: Limits,
    dir: &Path,
) -> Result<usize> {
    let mut entries = job.rows_writer()?;
    let mut cutter = Cutter {
        limits,
        dir,
        open: HashMap::new(),
    };
    let mut custom_ids = HashSet::new();
    let mut skipped = 0;
    for row in rows {
        let row = row.context("reading the rows")?;
        if done.contains(&row.id.hash()) {
            skipped += 1;
            continue;
        }
        job.rows += 1;
        let custom_id = custom_id(&row.id, row.line);
        unique(&mut custom_ids, &custom_id, row.line)?;
        let part = match row.request {
            Err(why) => Err(why),
            Ok(request) => {
                let body = maker.body(request);
                let line = request_line(&custom_id, &body);
                cutter.place(job, &body, &line)?
            }
        };
        let entry = Entry {
            line: row.line,
            id: row.id,
            custom_id,
            part,
        };
        entries.push(&entry)?;
    }
    for (_, mut out) in cutter.open.into_values() {
        out.flush().context("writing a part")?;
    }
    entries.finish()?;
    Ok(skipped)
}

/// Refuses a `custom_id` seen before: the provider could not say which row a result is
/// for. Hashes, not the ids, are kept: memory stays small whatever the input (two ids of
/// one 64-bit hash are taken for one, about one chance in 10^8 for a million rows).
fn unique(seen: &mut HashSet<u64>, custom_id: &str, line: usize) -> Result<()> {
    if seen.insert(hash(custom_id)) {
        return Ok(());
    }
    Err(fail(
        USAGE,
        format!(
            "line {line}: its custom_id {custom_id} is another row's too (an id longer than 64 bytes goes as mume-L and its line); give the rows ids of their own"
        ),
    ))
}

/// The parts being filled, one a model.
struct Cutter<'a> {
    limits: Limits,
    dir: &'a Path,
    /// A model's open part: its number and its file.
    open: HashMap<String, (usize, BufWriter<File>)>,
}

impl Cutter<'_> {
    /// Writes `line` into the part of `body`'s model, starting a new part when the open one
    /// is full; the part's number, or why the row cannot go in any.
    fn place(&mut self, job: &mut Job, body: &Value, line: &str) -> Result<Result<usize, String>> {
        let len = line.len() as u64 + 1;
        if len > self.limits.bytes {
            return Ok(Err(format!(
                "its request line is {len} bytes, more than --max-bytes allows"
            )));
        }
        let model = body["model"].as_str().unwrap_or_default();
        let full = self.open.get(model).is_some_and(|(number, _)| {
            let part = &job.parts[number - 1];
            part.rows >= self.limits.rows || part.bytes + len > self.limits.bytes
        });
        if full && let Some((_, mut out)) = self.open.remove(model) {
            out.flush().context("writing a part")?;
        }
        if !self.open.contains_key(model) {
            let number = job.parts.len() + 1;
            let path = part_path(self.dir, number);
            let file =
                File::create(&path).with_context(|| format!("writing {}", path.display()))?;
            job.parts.push(Part {
                number,
                model: model.to_string(),
                ..Part::default()
            });
            self.open
                .insert(model.to_string(), (number, BufWriter::new(file)));
        }
        let Some((number, out)) = self.open.get_mut(model) else {
            return Err(anyhow::anyhow!("no part for {model}"));
        };
        writeln!(out, "{line}").context("writing a part")?;
        let part = &mut job.parts[*number - 1];
        part.rows += 1;
        part.bytes += len;
        Ok(Ok(*number))
    }
}

pub(super) fn hash(text: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(text)
}

fn part_path(dir: &Path, number: usize) -> std::path::PathBuf {
    dir.join(format!("part-{number}.jsonl"))
}

/// Uploads each part and creates its batch, saving the job after each step. A failure
/// stops the submission: with no batch made, the job is forgotten; else it is kept, its id
/// printed, and the rows of the parts not made are failed rows at fetch.
fn upload(client: &Client, job: &mut Job, dir: &Path) -> Result<()> {
    let count = job.parts.len();
    for index in 0..count {
        let number = job.parts[index].number;
        let made = upload_part(client, job, index, &part_path(dir, number));
        let Err(e) = made else {
            continue;
        };
        if job.parts.iter().all(|part| part.batch_id.is_none()) {
            let _ = job.remove();
            return Err(e);
        }
        job.save()?;
        print_id(&job.id)?;
        let made = job.parts.iter().filter(|p| p.batch_id.is_some()).count();
        return Err(e.context(format!(
            "the submission of job {} stopped at part {number} of {count}: its {made} batches made run on, and fetch gives the rows of the others as failed",
            job.id
        )));
    }
    job.save()
}

fn upload_part(client: &Client, job: &mut Job, index: usize, path: &Path) -> Result<()> {
    let number = job.parts[index].number;
    let file = File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let len = file.metadata()?.len();
    let name = format!("mume-{}-part-{number}.jsonl", job.id);
    let file_id = api::upload(client, &file, len, &name)?;
    job.parts[index].file_id = Some(file_id.clone());
    job.save()?;
    let batch = api::create(client, &file_id, &job.id, number)?;
    super::status::update(&mut job.parts[index], &batch);
    job.save()
}

/// The job's id alone on stdout, for `JOB=$(mume batch … --submit)`.
pub(super) fn print_id(id: &str) -> Result<()> {
    let mut out = Out::stdout();
    out.write_line(id)?;
    Ok(out.flush()?)
}

fn absolute(path: &Path) -> std::path::PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `--submit --dry-run`: the request lines that would be uploaded, one a line; rows that
/// cannot be sent are named on stderr.
pub(super) fn dry_run(
    rows: impl Iterator<Item = std::io::Result<Row>>,
    maker: &Maker,
) -> Result<u8> {
    let mut out = Out::stdout();
    let mut bad = 0;
    let mut custom_ids = HashSet::new();
    for row in rows {
        let row = row?;
        let custom_id = custom_id(&row.id, row.line);
        unique(&mut custom_ids, &custom_id, row.line)?;
        match row.request {
            Ok(request) => {
                let line = request_line(&custom_id, &maker.body(request));
                out.write_line(&line)?;
            }
            Err(message) => {
                bad += 1;
                ui::warn(&format!("line {}: {message}", row.line));
            }
        }
    }
    out.flush()?;
    Ok(if bad > 0 { BAD_INPUT } else { 0 })
}
