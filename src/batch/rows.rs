//! The rows of a batch: read one line at a time, each parsed into its id and the request it
//! asks for, or the reason it cannot be sent.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Seek};
use std::path::Path;

use anyhow::Result;
use serde_json::{Map, Value};

use super::id::Id;
use crate::error::{USAGE, fail};

/// One row of the input.
pub(crate) struct Row {
    /// Its line number, from 1; blank lines count.
    pub(crate) line: usize,
    /// Its own id, or its line number.
    pub(crate) id: Id,
    /// What it asks for, or why it cannot be sent.
    pub(crate) request: Result<Request, String>,
}

/// What a row adds to the settings every row shares.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Request {
    /// Messages sent as given.
    pub(crate) messages: Vec<Value>,
    /// The prompt, sent as a user message after them.
    pub(crate) prompt: Option<String>,
    /// The row's own system prompt (`system`), in place of `-s`.
    pub(crate) system: Option<String>,
    /// Request fields, merged over the flags.
    pub(crate) fields: Map<String, Value>,
}

/// The input file, read twice: once to count the rows and check their ids, then to send
/// them. stdin, a pipe or any other file that cannot be read twice is copied to a
/// temporary file first.
pub(crate) struct Input {
    file: File,
    pub(crate) rows: usize,
    /// The input's device and inode, to tell it apart from the output file.
    pub(crate) identity: Option<(u64, u64)>,
}

impl Input {
    pub(crate) fn open(path: Option<&Path>, text: bool, limit: u64) -> Result<Input> {
        use std::os::unix::fs::MetadataExt;
        let path = path.filter(|p| *p != Path::new("-"));
        let (mut file, identity) = match path {
            Some(path) => {
                let file = File::open(path).map_err(|e| {
                    fail(
                        USAGE,
                        format!("cannot read rows from {}: {e}", path.display()),
                    )
                })?;
                let meta = file.metadata()?;
                if meta.is_dir() {
                    return Err(fail(
                        USAGE,
                        format!(
                            "cannot read rows from {}: it is a directory",
                            path.display()
                        ),
                    ));
                }
                if meta.is_file() {
                    (file, Some((meta.dev(), meta.ino())))
                } else {
                    (spool(file)?, None)
                }
            }
            None => {
                use std::os::fd::AsFd;
                let stdin = io::stdin();
                if stdin.is_terminal() {
                    return Err(fail(
                        USAGE,
                        "no rows: give a file, e.g. mume batch rows.jsonl, or pipe them in",
                    ));
                }
                // A file given as stdin is read in place, from where stdin stands.
                let file = File::from(stdin.as_fd().try_clone_to_owned()?);
                let meta = file.metadata()?;
                if meta.is_file() {
                    (file, Some((meta.dev(), meta.ino())))
                } else {
                    (spool(stdin.lock())?, None)
                }
            }
        };
        let start = file.stream_position()?;
        let rows = check_ids(&mut file, text, limit)?;
        file.seek(io::SeekFrom::Start(start))?;
        Ok(Input {
            file,
            rows,
            identity,
        })
    }

    /// The rows, read as they are needed.
    pub(crate) fn rows(self, text: bool, limit: u64) -> impl Iterator<Item = io::Result<Row>> {
        Lines::new(self.file, limit).map(move |line| {
            let (number, line) = line?;
            Ok(parse(number, line, text))
        })
    }
}

fn spool(mut from: impl io::Read) -> Result<File> {
    let mut file = tempfile::tempfile()?;
    io::copy(&mut from, &mut file)
        .map_err(|e| anyhow::anyhow!("copying the rows to a temporary file: {e}"))?;
    file.rewind()?;
    Ok(file)
}

/// Counts the rows and refuses duplicate ids: a result could not say which row it is for.
fn check_ids(file: &mut File, text: bool, limit: u64) -> Result<usize> {
    // Hashes, not the ids: memory stays small for a million rows. Two ids of the same
    // 64-bit hash are taken for one (about one chance in 10^8 for a million rows).
    let mut seen: HashSet<u64> = HashSet::new();
    let mut rows = 0;
    for line in Lines::new(&mut *file, limit) {
        let (number, line) = line?;
        rows += 1;
        let row = parse(number, line, text);
        if !seen.insert(row.id.hash()) {
            return Err(fail(
                USAGE,
                format!(
                    "duplicate id {} (line {number}): every row needs an id of its own, and a row without one takes its line number",
                    row.id
                ),
            ));
        }
    }
    Ok(rows)
}

/// A line of the input: its text, or why it has none.
type Line = Result<String, String>;

/// The non-blank lines of a reader with their numbers; a line longer than `limit` or not
/// UTF-8 is a failed row, and the lines after it are read on.
struct Lines<R> {
    reader: BufReader<R>,
    limit: u64,
    number: usize,
    buf: Vec<u8>,
}

impl<R: io::Read> Lines<R> {
    fn new(reader: R, limit: u64) -> Lines<R> {
        Lines {
            reader: BufReader::with_capacity(64 * 1024, reader),
            limit,
            number: 0,
            buf: Vec::new(),
        }
    }

    fn next_line(&mut self) -> io::Result<Option<(usize, Line)>> {
        loop {
            self.buf.clear();
            let n = io::Read::take(&mut self.reader, self.limit + 1)
                .read_until(b'\n', &mut self.buf)?;
            if n == 0 {
                return Ok(None);
            }
            self.number += 1;
            if self.buf.len() as u64 > self.limit && !self.buf.ends_with(b"\n") {
                self.skip_rest()?;
                let message = format!("the line is longer than {} bytes (--max-input)", self.limit);
                return Ok(Some((self.number, Err(message))));
            }
            let bytes = self.buf.strip_suffix(b"\n").unwrap_or(&self.buf);
            let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
            // A byte-order mark starts files saved by some editors; it is not part of a row.
            let bytes = match self.number {
                1 => bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes),
                _ => bytes,
            };
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let line = match std::str::from_utf8(bytes) {
                Ok(text) => Ok(text.to_string()),
                Err(e) => Err(format!(
                    "the line is not valid UTF-8 (byte {} of the line)",
                    e.valid_up_to()
                )),
            };
            return Ok(Some((self.number, line)));
        }
    }

    /// Reads on to the end of an overlong line, keeping none of it.
    fn skip_rest(&mut self) -> io::Result<()> {
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                return Ok(());
            }
            match memchr::memchr(b'\n', available) {
                Some(i) => {
                    self.reader.consume(i + 1);
                    return Ok(());
                }
                None => {
                    let n = available.len();
                    self.reader.consume(n);
                }
            }
        }
    }
}

impl<R: io::Read> Iterator for Lines<R> {
    type Item = io::Result<(usize, Line)>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_line().transpose()
    }
}

/// Parses one line into a row. `text`: the line is the prompt, whatever it holds.
fn parse(number: usize, line: Line, text: bool) -> Row {
    let fallback = Id::line(number);
    let row = |id, request| Row {
        line: number,
        id,
        request,
    };
    let line = match line {
        Ok(line) => line,
        Err(message) => return row(fallback, Err(message)),
    };
    if text {
        if line.trim().is_empty() {
            return row(fallback, Err("the row's prompt is empty".into()));
        }
        let request = Request {
            prompt: Some(line),
            ..Request::default()
        };
        return row(fallback, Ok(request));
    }
    let value: Value = match serde_json::from_str(&line) {
        Ok(value) => value,
        Err(e) => return row(fallback, Err(format!("the row is not valid JSON: {e}"))),
    };
    match value {
        Value::String(prompt) if prompt.trim().is_empty() => {
            row(fallback, Err("the row's prompt is empty".into()))
        }
        Value::String(prompt) => {
            let request = Request {
                prompt: Some(prompt),
                ..Request::default()
            };
            row(fallback, Ok(request))
        }
        Value::Object(object) => {
            let (id, request) = from_object(object, &line);
            row(id.unwrap_or(fallback), request)
        }
        _ => row(
            fallback,
            Err("the row is neither a prompt string nor an object".into()),
        ),
    }
}

/// A row object: `{prompt|messages, id?, fields…}` or a Batch API request line.
fn from_object(
    mut object: Map<String, Value>,
    line: &str,
) -> (Option<Id>, Result<Request, String>) {
    let batch_api = object.contains_key("custom_id");
    let field = if batch_api { "custom_id" } else { "id" };
    let id = match Id::of(object.remove(field), field, line) {
        Ok(id) => id,
        Err(message) => return (None, Err(message)),
    };
    let fields = if batch_api {
        if let Some(method) = object.get("method").and_then(Value::as_str)
            && !method.eq_ignore_ascii_case("POST")
        {
            return (id, Err(format!("the row's method is {method}, not POST")));
        }
        if let Some(url) = object.get("url").and_then(Value::as_str)
            && !url.ends_with("/chat/completions")
        {
            return (
                id,
                Err(format!("the row is for {url}, not /v1/chat/completions")),
            );
        }
        match object.remove("body") {
            Some(Value::Object(body)) => body,
            Some(_) => return (id, Err("the row's body is not an object".into())),
            None => return (id, Err("the row has a custom_id but no body".into())),
        }
    } else {
        object
    };
    (id, request(fields))
}

fn request(mut fields: Map<String, Value>) -> Result<Request, String> {
    let prompt = match fields.remove("prompt") {
        None => None,
        // A prompt of only whitespace says nothing: not worth a paid request.
        Some(Value::String(prompt)) if prompt.trim().is_empty() => {
            return Err("the row's prompt is empty".into());
        }
        Some(Value::String(prompt)) => Some(prompt),
        Some(_) => return Err("the row's prompt is not a string".into()),
    };
    let system = match fields.remove("system") {
        None | Some(Value::Null) => None,
        Some(Value::String(system)) => Some(system),
        Some(_) => return Err("the row's system is not a string".into()),
    };
    let messages = match fields.remove("messages") {
        None => Vec::new(),
        Some(Value::Array(messages)) => messages,
        Some(_) => return Err("the row's messages are not an array".into()),
    };
    if prompt.is_none() && messages.is_empty() {
        return Err("the row has no prompt and no messages".into());
    }
    if let Some(i) = messages.iter().position(|m| !m["role"].is_string()) {
        return Err(format!("message {} of the row has no \"role\"", i + 1));
    }
    if fields
        .get("stream")
        .is_some_and(|s| s != &Value::Bool(false))
    {
        return Err("a batch row cannot be streamed (remove \"stream\")".into());
    }
    // `null` unsets a field the flags set.
    for (key, value) in fields.iter().filter(|(_, v)| !v.is_null()) {
        crate::check::check_field(key, value).map_err(|e| format!("the row's {e}"))?;
    }
    Ok(Request {
        messages,
        prompt,
        system,
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(line: &str) -> Row {
        parse(7, Ok(line.to_string()), false)
    }

    #[test]
    fn the_three_kinds_of_row() {
        let r = row(r#""hello""#);
        assert_eq!(r.id, Id::line(7));
        assert_eq!(r.request.unwrap().prompt.as_deref(), Some("hello"));

        let r = row(r#"{"id": "a", "prompt": "p", "temperature": 0.5}"#);
        assert_eq!(r.id, Id::Text("a".into()));
        let request = r.request.unwrap();
        assert_eq!(request.prompt.as_deref(), Some("p"));
        assert_eq!(
            request.fields,
            json!({"temperature": 0.5}).as_object().cloned().unwrap()
        );

        let r = row(
            r#"{"custom_id": "r1", "method": "POST", "url": "/v1/chat/completions",
                "body": {"model": "m", "messages": [{"role": "user", "content": "x"}]}}"#,
        );
        assert_eq!(r.id, Id::Text("r1".into()));
        let request = r.request.unwrap();
        assert_eq!(
            request.messages,
            vec![json!({"role": "user", "content": "x"})]
        );
        assert_eq!(
            request.fields,
            json!({"model": "m"}).as_object().cloned().unwrap()
        );
    }

    #[test]
    fn rows_that_cannot_be_sent_say_why() {
        let why = |line: &str| row(line).request.unwrap_err();
        assert!(why("{").starts_with("the row is not valid JSON"));
        assert_eq!(why("{\"id\": 1}"), "the row has no prompt and no messages");
        assert_eq!(
            why("[1]"),
            "the row is neither a prompt string nor an object"
        );
        assert_eq!(why(r#"{"prompt": 3}"#), "the row's prompt is not a string");
        assert_eq!(
            why(r#"{"messages": [{}]}"#),
            "message 1 of the row has no \"role\""
        );
        assert!(why(r#"{"prompt": "p", "stream": true}"#).contains("cannot be streamed"));
        assert!(why(r#"{"prompt": "p", "temperature": 9}"#).contains("temperature"));
        let r = row(r#"{"custom_id": "e", "url": "/v1/embeddings", "body": {}}"#);
        assert_eq!(r.id, Id::Text("e".into()));
        assert!(r.request.unwrap_err().contains("/v1/embeddings"));
    }

    #[test]
    fn text_rows_are_prompts_whatever_they_hold() {
        let r = parse(3, Ok(r#"{"prompt": "x"}"#.into()), true);
        assert_eq!(r.id, Id::line(3));
        assert_eq!(
            r.request.unwrap().prompt.as_deref(),
            Some(r#"{"prompt": "x"}"#)
        );
    }

    #[test]
    fn lines_count_blank_ones_and_survive_bad_ones() {
        let input = b"\xEF\xBB\xBF\"a\"\r\n\n  \n\"b\xff\"\n0123456789ab\n\"c\"".as_slice();
        let lines: Vec<(usize, Line)> = Lines::new(input, 10).map(Result::unwrap).collect();
        assert_eq!(lines[0], (1, Ok("\"a\"".into())));
        assert_eq!(lines[1].0, 4);
        assert!(lines[1].1.as_ref().unwrap_err().contains("not valid UTF-8"));
        assert_eq!(lines[2].0, 5);
        assert!(
            lines[2]
                .1
                .as_ref()
                .unwrap_err()
                .contains("longer than 10 bytes")
        );
        assert_eq!(lines[3], (6, Ok("\"c\"".into())));
        assert_eq!(lines.len(), 4);
    }
}
