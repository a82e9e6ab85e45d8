//! The output file a run resumes, read back: the rows it holds a good result for are done,
//! the failed ones are dropped and sent again, and a file mume did not write is refused.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Seek, Write};
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use super::id::Id;
use super::results::LINE_LIMIT;
use crate::error::{TEMPORARY, USAGE, fail};

/// The output file of a resumable run.
pub(crate) struct Resume {
    /// The rows that have a good result in it, by id.
    pub(crate) done: HashSet<u64>,
    /// Failed results dropped from it, to be tried again.
    pub(crate) dropped: usize,
    /// The file, locked for this run, ready to append to.
    pub(crate) file: File,
}

/// The rows with a good result in `path`, read and left as it is; none when there is no
/// such file. A file that is not a batch output of the same form is refused, as `resume`
/// refuses it.
pub(crate) fn done(path: &Path, raw: bool) -> Result<HashSet<u64>> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(HashSet::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    if !file.metadata()?.is_file() {
        return Err(fail(
            USAGE,
            format!("--output {} is not a regular file", path.display()),
        ));
    }
    let mut done = HashSet::new();
    each_result(&mut file, path, raw, &mut |_, id| {
        if let Some(id) = id {
            done.insert(id.hash());
        }
        Ok(())
    })?;
    Ok(done)
}

/// Opens `path` for a run: the good results it holds are kept and their rows are done; the
/// failed ones, and a last line cut short by a kill, are dropped (the file is rewritten
/// without them, atomically, with its permissions) and their rows are sent again. A file
/// that is not a batch output of the same form (`raw`), or not a regular file, is refused,
/// untouched. The file stays locked while the run writes to it.
pub(crate) fn resume(path: &Path, raw: bool) -> Result<Resume> {
    // A link is followed: the file it names is the one rewritten.
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let shown = path.display();
    let mut file = open_locked(&path)?;
    let mut done = HashSet::new();
    let mut dropped = 0;
    let untidy = each_result(&mut file, &path, raw, &mut |_, id| {
        match id {
            Some(id) => drop(done.insert(id.hash())),
            None => dropped += 1,
        }
        Ok(())
    })?;
    if !untidy && dropped == 0 {
        return Ok(Resume {
            done,
            dropped,
            file,
        });
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot rewrite {shown}: no temporary file in its folder"))?;
    temp.as_file()
        .set_permissions(file.metadata()?.permissions())?;
    temp.as_file().lock()?;
    let mut kept = io::BufWriter::new(temp.as_file_mut());
    each_result(&mut file, &path, raw, &mut |text, id| {
        if id.is_some() {
            writeln!(kept, "{text}")?;
        }
        Ok(())
    })?;
    kept.flush()
        .with_context(|| format!("cannot rewrite {shown}"))?;
    drop(kept);
    temp.as_file().sync_all()?;
    let file = temp
        .persist(&path)
        .with_context(|| format!("cannot rewrite {shown}"))?;
    Ok(Resume {
        done,
        dropped,
        file,
    })
}

/// Opens the output file for reading and appending, locked against another run; refuses
/// what is not a regular file (a device, a pipe, a folder).
fn open_locked(path: &Path) -> Result<File> {
    let shown = path.display();
    loop {
        if let Ok(meta) = std::fs::metadata(path)
            && !meta.is_file()
        {
            return Err(fail(
                USAGE,
                format!(
                    "--output {shown} is not a regular file (results go to stdout without --output)"
                ),
            ));
        }
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .with_context(|| format!("cannot write {shown}"))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(fail(
                    TEMPORARY,
                    format!("another mume batch is writing {shown}"),
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {shown}"));
            }
        }
        // A run that rewrote the file meanwhile put a new one in its place.
        if crate::store::still_at(&file, path) {
            return Ok(file);
        }
    }
}

/// Calls `each` with every result line of `file` and its id when the row succeeded
/// (`None`: it failed), reading one line at a time from the start. True when the file also
/// holds lines that are no result: blank ones, or a last line that a kill cut short.
fn each_result(
    file: &mut File,
    path: &Path,
    raw: bool,
    each: &mut dyn FnMut(&str, Option<&Id>) -> Result<()>,
) -> Result<bool> {
    let shown = path.display();
    let len = file.metadata()?.len();
    // The last line has no newline: a kill came in the middle of a write.
    let cut_short = !crate::store::ends_in_newline(file, len)?;
    file.rewind()?;
    let mut untidy = cut_short;
    let mut results = 0;
    let mut reader = BufReader::new(&*file);
    let mut line = Vec::new();
    for number in 1.. {
        line.clear();
        let n = io::Read::take(&mut reader, LINE_LIMIT)
            .read_until(b'\n', &mut line)
            .with_context(|| format!("reading {shown}"))?;
        if n == 0 {
            break;
        }
        let refuse = |why: &str| refused(&format!("{shown} line {number}"), why);
        // Only the last line may lack its newline, unless it is longer than any result.
        let last = !line.ends_with(b"\n");
        if last && n as u64 == LINE_LIMIT {
            return Err(refuse("not a mume batch result"));
        }
        let text = String::from_utf8_lossy(line.strip_suffix(b"\n").unwrap_or(&line));
        if text.trim().is_empty() {
            untidy = true;
            continue;
        }
        match read_result(&text, raw) {
            Ok(id) => {
                results += 1;
                each(&text, id.as_ref())?;
            }
            // A kill cut the last line short: it is dropped, and its row sent again.
            Err(_) if last && cut_result(&text) => {}
            Err(why) => return Err(refuse(&why)),
        }
    }
    // mume writes no blank line: a file of nothing else is somebody's.
    if results == 0 && untidy && !cut_short {
        return Err(refused(
            &shown.to_string(),
            "only blank lines: not a mume batch result",
        ));
    }
    Ok(untidy)
}

/// The refusal of an output file: `at` names it (and a line), `why` says what is wrong.
fn refused(at: &str, why: &str) -> anyhow::Error {
    fail(
        USAGE,
        format!("--output {at}: {why}; choose another file, or move this one away"),
    )
}

/// A line that can only be the start of a result a kill cut short: it begins as every
/// result line mume writes begins, `{"id":` and a JSON value, then what follows the id in
/// mume's lines (`,"line":` in its own, `,"custom_id":` in `--raw` ones) as far as it goes,
/// and it is not whole JSON. Anything else without its newline (notes, a minified
/// document, a token) is not mume's to rewrite.
fn cut_result(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("{\"id\":") else {
        return false;
    };
    if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
        return false;
    }
    let mut values = serde_json::Deserializer::from_str(rest).into_iter::<serde::de::IgnoredAny>();
    if values.next().is_none_or(|id| id.is_err()) {
        // The id itself is cut: nothing more to tell by.
        return true;
    }
    let after = &rest[values.byte_offset()..];
    let continues = |next: &str, value_starts: fn(char) -> bool| {
        next.starts_with(after)
            || after
                .strip_prefix(next)
                .is_some_and(|more| more.starts_with(value_starts))
    };
    continues(",\"line\":", |c| c.is_ascii_digit()) || continues(",\"custom_id\":", |c| c == '"')
}

/// A result line's id when the row succeeded, `None` when it failed; `Err` when the line
/// is not a result of this form.
fn read_result(text: &str, raw: bool) -> Result<Option<Id>, String> {
    let mut value: Value =
        serde_json::from_str(text).map_err(|_| "not a mume batch result".to_string())?;
    let is_raw = value.get("custom_id").is_some()
        && value.get("response").is_some()
        && value.get("error").is_some();
    // Every line mume writes has these; a foreign file that has an `id` and an `ok` is not
    // enough like one to be rewritten.
    let is_ours = value.get("id").is_some()
        && value.get("line").is_some_and(Value::is_u64)
        && match value.get("ok") {
            Some(Value::Bool(true)) => value.get("content").is_some(),
            Some(Value::Bool(false)) => value.get("error").is_some_and(Value::is_object),
            _ => false,
        };
    match (is_raw, is_ours) {
        (true, _) if !raw => Err("it holds --raw results; add --raw".into()),
        (_, true) if raw => Err("it holds results without --raw; drop --raw".into()),
        (true, _) => {
            let ok = value["error"].is_null()
                && value["response"]["status_code"]
                    .as_u64()
                    .is_some_and(|s| (200..300).contains(&s));
            if !ok {
                return Ok(None);
            }
            written_id(&mut value, "custom_id", text).map(Some)
        }
        (_, true) if value["ok"] == true => written_id(&mut value, "id", text).map(Some),
        (_, true) => Ok(None),
        _ => Err("not a mume batch result".into()),
    }
}

/// The id of a result line, as written.
fn written_id(value: &mut Value, field: &str, text: &str) -> Result<Id, String> {
    match Id::of(Some(value[field].take()), field, text) {
        Ok(Some(id)) => Ok(id),
        _ => Err("not a mume batch result: its id is neither a string nor a number".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_start_of_a_result_passes_for_one_cut_short() {
        assert!(cut_result(r#"{"id":3,"line":3,"ok":tr"#));
        assert!(cut_result(r#"{"id":"batch_req_3","custom_id":"#));
        assert!(!cut_result(r#"{"id":"x","name":"whole"}"#));
        assert!(!cut_result("notes"));
        assert!(!cut_result(r#"{"a":1"#));
        // Cut anywhere in mume's own beginning.
        for cut in [
            r#"{"id":"#,
            r#"{"id":12"#,
            r#"{"id":1.1,"#,
            r#"{"id":7,"lin"#,
            r#"{"id":"q","cus"#,
        ] {
            assert!(cut_result(cut), "{cut}");
        }
        // Another document's beginning, whose id is followed by something else.
        assert!(!cut_result(r#"{"id":5,"name":"x""#));
        assert!(!cut_result(r#"{"id":"custom","line":"one""#));
        assert!(!cut_result(r#"{"id":"x","custom_id":7"#));
        // Things that pass for results only with every field mume writes.
        assert!(read_result(r#"{"id":"a","ok":false,"msg":"slack"}"#, false).is_err());
        assert!(read_result(r#"{"id":"b","line":1,"ok":true}"#, false).is_err());
    }

    #[test]
    fn results_are_read_in_their_own_form_only() {
        let ours = r#"{"id":"a","line":1,"ok":true,"content":"x"}"#;
        let failed = r#"{"id":"b","line":2,"ok":false,"error":{"exit":75}}"#;
        let raw = r#"{"id":"batch_req_1","custom_id":"a","response":{"status_code":200,"body":{}},"error":null}"#;
        let raw_failed = r#"{"id":"batch_req_2","custom_id":"b","response":{"status_code":500,"body":{}},"error":{"code":"temporary"}}"#;
        assert_eq!(read_result(ours, false), Ok(Some(Id::Text("a".into()))));
        assert_eq!(read_result(failed, false), Ok(None));
        assert_eq!(read_result(raw, true), Ok(Some(Id::Text("a".into()))));
        assert_eq!(read_result(raw_failed, true), Ok(None));
        assert!(read_result(ours, true).unwrap_err().contains("drop --raw"));
        assert!(read_result(raw, false).unwrap_err().contains("add --raw"));
        assert!(read_result(r#"{"role":"user"}"#, false).is_err());
        assert!(read_result("{", false).is_err());
    }
}
