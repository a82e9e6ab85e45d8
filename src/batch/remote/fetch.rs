//! `mume batch fetch`: a job's output and error files read back into one result per row,
//! in input order, in exactly the form a local run writes, with its resume rules.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserializer as _;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use super::api;
use super::job::{Entry, Job, Part};
use super::lines::returned;
use super::submit::hash;
use crate::batch::results::{self, Outcome};
use crate::batch::resume;
use crate::error::{BAD_INPUT, CONFIG, PERMISSION, TEMPORARY, UNAVAILABLE, exit_code, fail};
use crate::http::Client;
use crate::output::{Out, ui};

/// The longest returned line read whole: a row's body of the largest size a row accepts,
/// escaped as a JSON string, with room to spare.
const LINE_LIMIT: u64 = 64 * 1024 * 1024;

/// The length noted for a line longer than that.
const TOO_LONG: u32 = u32::MAX;

/// Where a row's line is in the files downloaded, by the hash of its `custom_id`: which
/// file, from which byte, how long. A hash that two ids share is found out when the line
/// is read, and the row looked for the long way.
type Located = HashMap<u64, (u32, u64, u32)>;

/// How fetched answers are written: raw (`--raw`), and `<think>` taken out of them.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shape {
    pub(super) raw: bool,
    pub(super) split_think: bool,
}

/// The files downloaded, and whether `<think>` is taken out of the answers read there.
struct Downloaded<'a> {
    files: &'a [File],
    split_think: bool,
}

/// Writes the job's results to `output` (stdout when `None`); 0 when every row is ok,
/// 75 when any failed.
pub(super) fn fetch(client: &Client, job: &Job, output: Option<&Path>, shape: Shape) -> Result<u8> {
    let Shape { raw, split_think } = shape;
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
            let resume = resume::resume(path, raw)?;
            (Out::to(Box::new(resume.file)), resume.done)
        }
        None => (Out::stdout(), Default::default()),
    };
    let (files, located, unread) = download(client, job)?;
    let (mut ok, mut failed) = (0, 0);
    for entry in job.rows()? {
        let entry = entry?;
        if done.contains(&entry.id.hash()) {
            continue;
        }
        let (outcome, model) = outcome(
            job,
            &entry,
            &located,
            Downloaded {
                files: &files,
                split_think,
            },
            &unread,
        )?;
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

/// Downloads every part's output and error files and notes where each row's line is in
/// them. A file that cannot be downloaded fails its part's rows, not the fetch (a rerun
/// tries them again); a refused key or a bad configuration fails every file alike.
fn download(client: &Client, job: &Job) -> Result<(Vec<File>, Located, HashMap<usize, String>)> {
    let mut files = Vec::new();
    // Sized once: a table that doubles holds its old self and its new one for a moment.
    let mut located = Located::with_capacity(job.rows);
    let mut unread = HashMap::new();
    let mut unnamed = 0;
    for part in &job.parts {
        let ids = [&part.output_file_id, &part.error_file_id];
        for file_id in ids.into_iter().flatten() {
            let mut file = tempfile::tempfile().context("making room for a download")?;
            if let Err(e) = api::download(client, file_id, &mut file) {
                if matches!(exit_code(&e), PERMISSION | CONFIG | UNAVAILABLE) {
                    return Err(e);
                }
                let why = format!("file {file_id} of its batch could not be downloaded: {e:#}");
                ui::warn(&format!("part {}: {why}", part.number));
                unread.insert(part.number, why);
                continue;
            }
            unnamed += locate(&mut file, files.len(), &mut located)
                .with_context(|| format!("reading file {file_id} of part {}", part.number))?;
            files.push(file);
        }
    }
    if unnamed > 0 {
        ui::warn(&format!(
            "{unnamed} lines of the provider's files name no row and were skipped"
        ));
    }
    Ok((files, located, unread))
}

/// Notes where each `custom_id` of a downloaded file is. A row that comes back twice (a
/// provider that tried it again) counts by its last line.
fn locate(file: &mut File, index: usize, located: &mut Located) -> Result<usize> {
    file.rewind()?;
    let mut reader = BufReader::new(&*file);
    let mut offset = 0;
    let mut line = Vec::new();
    let mut unnamed = 0;
    loop {
        line.clear();
        let n = (&mut reader)
            .take(LINE_LIMIT)
            .read_until(b'\n', &mut line)? as u64;
        if n == 0 {
            return Ok(unnamed);
        }
        let (custom_id, len, taken) = if n < LINE_LIMIT || line.ends_with(b"\n") {
            let custom_id = line_custom_id(&lossy(&line));
            (custom_id, n as u32, n)
        } else {
            // Longer than any answer: not held whole, and its row fails saying so.
            let rest = skip_line(&mut reader)?;
            (custom_id_at_start(&line), TOO_LONG, n + rest)
        };
        match custom_id {
            Some(custom_id) => drop(located.insert(hash(&custom_id), (index as u32, offset, len))),
            None => unnamed += 1,
        }
        offset += taken;
    }
}

/// Reads on to the end of the line; the bytes it took.
fn skip_line(reader: &mut impl BufRead) -> std::io::Result<u64> {
    let mut taken = 0;
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok(taken);
        }
        match memchr::memchr(b'\n', available) {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(taken + i as u64 + 1);
            }
            None => {
                let n = available.len();
                reader.consume(n);
                taken += n as u64;
            }
        }
    }
}

/// The `custom_id` of a line too long to read whole, where it names it near its start.
fn custom_id_at_start(start: &[u8]) -> Option<String> {
    let head = &start[..start.len().min(64 * 1024)];
    let at = memchr::memmem::find(head, b"\"custom_id\":")? + b"\"custom_id\":".len();
    let rest = match std::str::from_utf8(&head[at..]) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&head[at..at + e.valid_up_to()]).ok()?,
    };
    let mut values = serde_json::Deserializer::from_str(rest.trim_start()).into_iter::<Value>();
    as_custom_id(values.next()?.ok()?)
}

/// A `custom_id` as text: a string as it is, a number as its digits.
fn as_custom_id(value: Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// A row's outcome, and the model it was asked of.
fn outcome<'a>(
    job: &'a Job,
    entry: &Entry,
    located: &Located,
    Downloaded { files, split_think }: Downloaded,
    unread: &HashMap<usize, String>,
) -> Result<(Outcome, &'a str)> {
    let part = match &entry.part {
        Ok(number) => job
            .parts
            .get(number.wrapping_sub(1))
            .context("a row of a part the job lacks")?,
        Err(why) => return Ok((Outcome::failed(BAD_INPUT, why.clone()), "")),
    };
    let found = match located.get(&hash(&entry.custom_id)) {
        Some(&(_, _, TOO_LONG)) => Some(Outcome::failed(
            crate::error::PROTOCOL,
            format!(
                "the provider's line for this row is longer than {} MiB",
                LINE_LIMIT >> 20
            ),
        )),
        Some(&(index, offset, len)) => {
            match read_at(&files[index as usize], offset, len as usize, split_think)? {
                (custom_id, outcome) if custom_id == entry.custom_id => Some(outcome),
                _ => search(files, &entry.custom_id, split_think)?,
            }
        }
        None => None,
    };
    let outcome = found.unwrap_or_else(|| {
        let why = unread
            .get(&part.number)
            .cloned()
            .unwrap_or_else(|| missing(part));
        Outcome::failed(TEMPORARY, why)
    });
    Ok((outcome, &part.model))
}

/// The line `len` bytes long at `offset` of `file`, read as a returned row.
fn read_at(file: &File, offset: u64, len: usize, split_think: bool) -> Result<(String, Outcome)> {
    let mut line = vec![0; len];
    std::os::unix::fs::FileExt::read_exact_at(file, &mut line, offset)?;
    Ok(read_line(&lossy(&line), split_think))
}

/// A returned line's `custom_id` and outcome; a line that is no result is the failure of
/// the row it names.
fn read_line(line: &str, split_think: bool) -> (String, Outcome) {
    match returned(line.trim_end(), split_think) {
        Ok(read) => read,
        Err(why) => {
            let message = format!("the provider's line for this row is not a result: {why}");
            let custom_id = line_custom_id(line).unwrap_or_default();
            (custom_id, Outcome::failed(crate::error::PROTOCOL, message))
        }
    }
}

/// The row `custom_id` in every downloaded file, line by line: the long way, for an id
/// whose hash another shares.
fn search(files: &[File], custom_id: &str, split_think: bool) -> Result<Option<Outcome>> {
    for mut file in files {
        file.rewind()?;
        for line in BufReader::new(file).split(b'\n') {
            let line = line?;
            let text = lossy(&line);
            if line_custom_id(&text).as_deref() == Some(custom_id) {
                return Ok(Some(read_line(&text, split_think).1));
            }
        }
    }
    Ok(None)
}

/// A line as text, any bytes that are not UTF-8 replaced; checked the quick way first,
/// as nearly every line is.
fn lossy(line: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(line) {
        Ok(text) => text.into(),
        Err(_) => String::from_utf8_lossy(line),
    }
}

/// The `custom_id` a returned line names, as a string. The line is read only as far as
/// its `custom_id` (the second key of an OpenAI line): whatever follows is read when the
/// row's outcome is, and a line broken there fails its row then.
fn line_custom_id(line: &str) -> Option<String> {
    struct Seek<'a>(&'a mut Option<Value>);
    impl<'de> Visitor<'de> for Seek<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a returned line")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<String>()? {
                if key == "custom_id" {
                    *self.0 = Some(map.next_value()?);
                    return Ok(());
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(())
        }
    }
    let mut found = None;
    // Stopping early leaves the object open, which the reader calls an error: the
    // `custom_id` seen on the way is what counts.
    let _ = serde_json::Deserializer::from_str(line).deserialize_map(Seek(&mut found));
    as_custom_id(found?)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file(lines: &[&str]) -> File {
        let mut file = tempfile::tempfile().unwrap();
        for line in lines {
            writeln!(file, "{line}").unwrap();
        }
        file
    }

    const OK: &str = r#"{"custom_id":"CID","response":{"status_code":200,"body":{"choices":[{"message":{"content":"TEXT"},"finish_reason":"stop"}]}}}"#;

    fn ok(custom_id: &str, text: &str) -> String {
        OK.replace("CID", custom_id).replace("TEXT", text)
    }

    #[test]
    fn rows_are_found_by_their_custom_id_wherever_they_are() {
        let (a, b, c) = (ok("a", "one"), ok("b", "two"), ok("7", "three"));
        let mut files = vec![file(&[&b, "not json", &a]), file(&[&c])];
        let mut located = Located::new();
        for (index, file) in files.iter_mut().enumerate() {
            locate(file, index, &mut located).unwrap();
        }
        assert_eq!(located.len(), 3);
        assert_eq!(
            locate(
                &mut file(&["not json", "\"a string\"", &ok("z", "x")]),
                0,
                &mut Located::new()
            )
            .unwrap(),
            2
        );
        let &(index, offset, len) = located.get(&hash("a")).unwrap();
        let (custom_id, outcome) =
            read_at(&files[index as usize], offset, len as usize, true).unwrap();
        assert_eq!(custom_id, "a");
        assert!(outcome.ok());
        // The long way finds the same rows, for ids whose hashes collide.
        let found = search(&files, "7", true).unwrap().unwrap();
        let Outcome::Answered { answer, .. } = found else {
            panic!("not answered")
        };
        assert_eq!(answer.content, "three");
        assert!(search(&files, "nowhere", true).unwrap().is_none());
    }

    #[test]
    fn a_line_too_long_to_hold_is_skipped_but_its_row_named() {
        let start = br#"{"id":"batch_req_1","custom_id":"abc","response":{"body":"xxxx"#;
        assert_eq!(custom_id_at_start(start).as_deref(), Some("abc"));
        assert_eq!(
            custom_id_at_start(br#"{"custom_id": 12, "x"#).as_deref(),
            Some("12")
        );
        assert_eq!(custom_id_at_start(br#"{"id":"x","body":"yyyy"#), None);
        let mut reader = BufReader::new(b"abc\ndef".as_slice());
        assert_eq!(skip_line(&mut reader).unwrap(), 4);
        assert_eq!(skip_line(&mut reader).unwrap(), 3);
        assert_eq!(skip_line(&mut reader).unwrap(), 0);
    }

    #[test]
    fn a_row_missing_from_both_files_says_why() {
        let part = |status: Option<&str>| Part {
            status: status.map(String::from),
            errors: vec!["input line 1: bad".into()],
            ..Part::default()
        };
        assert!(missing(&part(None)).contains("never submitted"));
        assert!(missing(&part(Some("expired"))).contains("expired"));
        assert!(missing(&part(Some("cancelled"))).contains("cancelled"));
        assert_eq!(
            missing(&part(Some("failed"))),
            "the batch failed: input line 1: bad"
        );
        assert!(missing(&part(Some("completed"))).contains("no result"));
    }
}
