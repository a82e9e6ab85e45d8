//! A job's state on this machine, `$XDG_DATA_HOME/mume/batches/JOB/`: `job.json` (its
//! parts, their file and batch ids and statuses) and `rows.jsonl` (each row's line, id,
//! `custom_id` and part). Written atomically, folders 0700 and files 0600; never the key,
//! a header, a prompt or an answer.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::batch::id::Id;
use crate::error::{CONFIG, USAGE, fail};

/// A job: the batches one submission made, and where its results go.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Job {
    pub(crate) id: String,
    /// When it was submitted (RFC 3339, UTC).
    pub(crate) created: String,
    /// The server, its credentials redacted.
    pub(crate) base_url: String,
    /// `--output` at submit, made absolute: where fetch writes unless told otherwise.
    pub(crate) output: Option<PathBuf>,
    /// Results in the Batch API's form (`--raw`).
    pub(crate) raw: bool,
    /// `<think>` left in the answers' content (`--think keep` at submit).
    #[serde(default)]
    pub(crate) keep_think: bool,
    /// The rows submitted, those that could not be sent included.
    pub(crate) rows: usize,
    pub(crate) parts: Vec<Part>,
}

/// One provider batch: a model's rows, at most `--max-rows` of them.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Part {
    /// From 1, in the order the parts were cut.
    pub(crate) number: usize,
    pub(crate) model: String,
    pub(crate) rows: usize,
    pub(crate) bytes: u64,
    /// The uploaded input file; `None` when the submission stopped before.
    pub(crate) file_id: Option<String>,
    /// The provider's batch; `None` when it was never created.
    pub(crate) batch_id: Option<String>,
    /// The provider's status when last asked.
    pub(crate) status: Option<String>,
    pub(crate) done: Option<u64>,
    pub(crate) failed: Option<u64>,
    pub(crate) output_file_id: Option<String>,
    pub(crate) error_file_id: Option<String>,
    /// What the provider said was wrong with the batch as a whole.
    pub(crate) errors: Vec<String>,
}

/// The statuses after which a batch changes no more.
pub(crate) const ENDED: [&str; 4] = ["completed", "failed", "expired", "cancelled"];

impl Part {
    /// The batch has ended, or was never created (it never will be).
    pub(crate) fn ended(&self) -> bool {
        self.batch_id.is_none()
            || self
                .status
                .as_deref()
                .is_some_and(|status| ENDED.contains(&status))
    }
}

/// A row as the job knows it: where it was and what it is called.
#[derive(Debug, PartialEq)]
pub(crate) struct Entry {
    pub(crate) line: usize,
    pub(crate) id: Id,
    pub(crate) custom_id: String,
    /// The part it went in; `Err` with the reason it could not be sent.
    pub(crate) part: Result<usize, String>,
}

impl Entry {
    /// Its line of `rows.jsonl`, the id as the row wrote it.
    fn to_line(&self) -> String {
        let rest = match &self.part {
            Ok(part) => serde_json::json!({"custom_id": self.custom_id, "part": part}),
            Err(why) => serde_json::json!({"custom_id": self.custom_id, "error": why}),
        };
        let rest = rest.to_string();
        format!("{{\"line\":{},\"id\":{},{}", self.line, self.id, &rest[1..])
    }

    fn from_line(text: &str) -> Option<Entry> {
        #[derive(Deserialize)]
        struct Line<'a> {
            line: usize,
            #[serde(borrow)]
            id: &'a serde_json::value::RawValue,
            custom_id: String,
            part: Option<usize>,
            error: Option<String>,
        }
        let read: Line = serde_json::from_str(text).ok()?;
        let id = match read.id.get() {
            quoted if quoted.starts_with('"') => Id::Text(serde_json::from_str(quoted).ok()?),
            number => Id::Number(number.to_string()),
        };
        let part = match (read.part, read.error) {
            (Some(part), _) => Ok(part),
            (None, Some(why)) => Err(why),
            (None, None) => return None,
        };
        Some(Entry {
            line: read.line,
            id,
            custom_id: read.custom_id,
            part,
        })
    }
}

/// `rows.jsonl` being written: a file of its own, renamed into place when finished.
pub(crate) struct RowsWriter {
    out: BufWriter<File>,
    own: PathBuf,
    path: PathBuf,
}

impl RowsWriter {
    pub(crate) fn push(&mut self, entry: &Entry) -> Result<()> {
        writeln!(self.out, "{}", entry.to_line())
            .with_context(|| format!("writing {}", self.own.display()))
    }

    pub(crate) fn finish(mut self) -> Result<()> {
        self.out
            .flush()
            .and_then(|()| self.out.get_ref().sync_all())
            .and_then(|()| fs::rename(&self.own, &self.path))
            .with_context(|| format!("writing {}", self.path.display()))
    }
}

/// Where jobs are kept: `$XDG_DATA_HOME/mume/batches`, else `~/.local/share/mume/batches`.
pub(crate) fn jobs_dir() -> Result<PathBuf> {
    let store = crate::store::dir()?;
    let data = store.parent().context("cannot find the data folder")?;
    Ok(data.join("batches"))
}

impl Job {
    fn dir(&self) -> Result<PathBuf> {
        Ok(jobs_dir()?.join(&self.id))
    }

    /// Writes `job.json` in place of the last, atomically.
    pub(crate) fn save(&self) -> Result<()> {
        let dir = self.dir()?;
        private_dir(&dir)?;
        let text = serde_json::to_string_pretty(self)? + "\n";
        write_atomically(&dir.join("job.json"), |out| out.write_all(text.as_bytes()))
    }

    /// A writer of `rows.jsonl`, whose rows appear whole when it is finished.
    pub(crate) fn rows_writer(&self) -> Result<RowsWriter> {
        let dir = self.dir()?;
        private_dir(&dir)?;
        let path = dir.join("rows.jsonl");
        let (own, file) = own_file(&path)?;
        Ok(RowsWriter {
            out: BufWriter::new(file),
            own,
            path,
        })
    }

    /// The rows, in input order, read as they are needed.
    pub(crate) fn rows(&self) -> Result<impl Iterator<Item = Result<Entry>>> {
        let path = self.dir()?.join("rows.jsonl");
        let file = File::open(&path).with_context(|| format!("reading {}", path.display()))?;
        let shown = path.display().to_string();
        Ok(BufReader::new(file)
            .lines()
            .enumerate()
            .map(move |(i, line)| {
                let line = line.with_context(|| format!("reading {shown}"))?;
                Entry::from_line(&line).ok_or_else(|| {
                    fail(
                        CONFIG,
                        format!("{shown} line {}: not a row of a job", i + 1),
                    )
                })
            }))
    }

    pub(crate) fn load(id: &str) -> Result<Job> {
        let path = jobs_dir()?.join(id).join("job.json");
        let text =
            fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| fail(CONFIG, format!("{} is damaged: {e}", path.display())))
    }

    /// Forgets a job that never reached the server.
    pub(crate) fn remove(&self) -> Result<()> {
        let dir = self.dir()?;
        fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))
    }
}

/// The ids of the jobs on this machine, newest first (ids sort by time).
pub(crate) fn ids() -> Result<Vec<String>> {
    let dir = jobs_dir()?;
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
    };
    let mut ids: Vec<String> = entries
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().join("job.json").is_file())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    ids.sort_unstable_by(|a, b| b.cmp(a));
    Ok(ids)
}

/// The job `name` names: its id, a unique prefix of one, or the provider's id of one of
/// its batches; the newest job when `None`.
pub(crate) fn find(name: Option<&str>) -> Result<Job> {
    let ids = ids()?;
    let Some(name) = name else {
        let newest = ids.first().ok_or_else(|| {
            fail(
                USAGE,
                "no batch job on this machine: submit one with mume batch FILE --submit",
            )
        })?;
        return Job::load(newest);
    };
    if ids.iter().any(|id| id == name) {
        return Job::load(name);
    }
    let prefixed: Vec<&String> = ids.iter().filter(|id| id.starts_with(name)).collect();
    match prefixed.as_slice() {
        [one] => return Job::load(one),
        [] => {}
        many => {
            let listed: Vec<&str> = many.iter().map(|id| id.as_str()).collect();
            return Err(fail(
                USAGE,
                format!("{name} names several jobs: {}", listed.join(", ")),
            ));
        }
    }
    for id in &ids {
        let job = Job::load(id)?;
        if job
            .parts
            .iter()
            .any(|p| p.batch_id.as_deref() == Some(name))
        {
            return Ok(job);
        }
    }
    Err(fail(
        USAGE,
        format!("no batch job {name} on this machine (mume batch list shows them)"),
    ))
}

/// A new job id: the time to the second, and four hex digits that tell apart jobs of the
/// same second and keep them in order: the millisecond, scaled, and noise for jobs of the
/// same millisecond.
pub(crate) fn new_id() -> String {
    id_at(jiff::Timestamp::now())
}

fn id_at(now: jiff::Timestamp) -> String {
    use std::hash::{BuildHasher, RandomState};
    let noise = RandomState::new().hash_one((now, std::process::id())) % 65;
    let millis = u64::from(now.subsec_millisecond().unsigned_abs());
    let within = millis * 65 + noise;
    format!("{}-{within:04x}", now.strftime("%Y%m%d-%H%M%S"))
}

fn private_dir(dir: &Path) -> Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))
}

/// A file of this process beside `path` (in the job's private folder), to be renamed to it.
fn own_file(path: &Path) -> Result<(PathBuf, File)> {
    let own = path.with_extension(format!("tmp-{}", std::process::id()));
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&own)
        .with_context(|| format!("writing {}", own.display()))?;
    Ok((own, file))
}

/// Writes `path` through a file of its own beside it, then renames it into place: a
/// reader sees the old file or the new one, never half of one.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let (own, file) = own_file(path)?;
    let mut out = BufWriter::new(file);
    let written = write(&mut out)
        .and_then(|()| out.flush())
        .and_then(|()| out.get_ref().sync_all());
    if let Err(e) = written.and_then(|()| fs::rename(&own, path)) {
        let _ = fs::remove_file(&own);
        return Err(e).with_context(|| format!("writing {}", path.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_keeps_its_id_as_written() {
        let entries = [
            Entry {
                line: 3,
                id: Id::Number("12345678901234567890123".into()),
                custom_id: "12345678901234567890123".into(),
                part: Ok(2),
            },
            Entry {
                line: 4,
                id: Id::Text("a \"quoted\" id".into()),
                custom_id: "a \"quoted\" id".into(),
                part: Err("the row has no prompt and no messages".into()),
            },
        ];
        for entry in entries {
            let line = entry.to_line();
            assert!(
                line.starts_with(&format!("{{\"line\":{},\"id\":", entry.line)),
                "{line}"
            );
            assert_eq!(Entry::from_line(&line), Some(entry));
        }
        assert_eq!(Entry::from_line("{\"line\":1}"), None);
    }

    #[test]
    fn a_part_ends_once() {
        let mut part = Part {
            batch_id: Some("batch_1".into()),
            ..Part::default()
        };
        assert!(!part.ended());
        part.status = Some("finalizing".into());
        assert!(!part.ended());
        part.status = Some("expired".into());
        assert!(part.ended());
        assert!(Part::default().ended(), "never created, never will be");
    }

    #[test]
    fn ids_sort_by_time() {
        let id = new_id();
        assert_eq!(id.len(), "20261207-031000-1a2b".len(), "{id}");
        // Jobs of the same second sort as they came, to the millisecond.
        let at =
            |ms: i64| id_at(jiff::Timestamp::from_millisecond(1_765_000_000_000 + ms).unwrap());
        let ids: Vec<String> = [0, 1, 2, 500, 998, 999].map(at).to_vec();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        assert!(ids.iter().all(|id| id.len() == 20), "{ids:?}");
    }
}
