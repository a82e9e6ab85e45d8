//! The prompt: positional words, stdin, or both, with the input limit and the UTF-8 check.

use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::error::{BAD_INPUT, TEMPORARY, USAGE, fail};

/// How long stdin may stay silent, with words given, before the user is told we wait.
const STDIN_WARN_AFTER: Duration = Duration::from_secs(2);

/// Reads stdin to the end, at most `limit` bytes; zero bytes count as no stdin.
/// With `warn` set, a silent stdin gets one warning after two seconds. Past `deadline`
/// (`--max-time`) it gives up waiting.
pub(crate) fn read_stdin(
    limit: u64,
    warn: bool,
    deadline: Option<Instant>,
) -> Result<Option<Vec<u8>>> {
    let Some(deadline) = deadline else {
        return read_all(limit, warn);
    };
    let (done, result) = mpsc::channel();
    // The reader may stay blocked for good; the process ends without it.
    std::thread::spawn(move || done.send(read_all(limit, warn)));
    result
        .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        .unwrap_or_else(|_| {
            Err(fail(
                TEMPORARY,
                "gave up: --max-time reached while waiting for stdin",
            ))
        })
}

fn read_all(limit: u64, warn: bool) -> Result<Option<Vec<u8>>> {
    let (first_byte, waited) = mpsc::channel::<()>();
    if warn {
        std::thread::spawn(move || {
            if waited.recv_timeout(STDIN_WARN_AFTER) == Err(mpsc::RecvTimeoutError::Timeout) {
                crate::ui::warn("waiting for stdin (use --no-stdin or </dev/null)");
            }
        });
    }
    let mut stdin = io::stdin().lock();
    let mut data = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match stdin.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(anyhow::Error::new(e).context("reading stdin")),
        };
        let _ = first_byte.send(());
        if (data.len() + n) as u64 > limit {
            return Err(fail(
                BAD_INPUT,
                format!(
                    "stdin is larger than the input limit of {limit} bytes (raise it with --max-input)"
                ),
            ));
        }
        data.extend_from_slice(&chunk[..n]);
    }
    Ok((!data.is_empty()).then_some(data))
}

/// Checks that input bytes are UTF-8, naming the first bad byte's offset.
pub(crate) fn utf8(bytes: Vec<u8>, what: &str) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        fail(
            BAD_INPUT,
            format!("{what} is not valid UTF-8 (bad byte at offset {at}); nothing was sent"),
        )
    })
}

/// A file given with `-f`: the path as given, and its text.
pub(crate) struct PromptFile {
    pub(crate) path: String,
    pub(crate) text: String,
}

/// Reads the `-f` files, at most `room` bytes in all (what `--max-input` leaves after
/// stdin). A missing or unreadable file or a folder is a usage error; a file that is not
/// UTF-8, or more than there is room for, is bad input.
pub(crate) fn read_files(paths: &[PathBuf], room: u64, limit: u64) -> Result<Vec<PromptFile>> {
    let mut left = room;
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let shown = crate::ui::one_line(&path.display().to_string());
        let unreadable = |e: io::Error| fail(USAGE, format!("cannot read -f {shown}: {e}"));
        let mut file = std::fs::File::open(path).map_err(unreadable)?;
        if file.metadata().map_err(unreadable)?.is_dir() {
            return Err(fail(
                USAGE,
                format!("-f {shown} is a folder: give its files one by one"),
            ));
        }
        let mut bytes = Vec::new();
        (&mut file)
            .take(left + 1)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        if bytes.len() as u64 > left {
            return Err(fail(
                BAD_INPUT,
                format!(
                    "-f {shown}: the files and stdin are larger than the input limit of {limit} bytes (raise it with --max-input)"
                ),
            ));
        }
        left -= bytes.len() as u64;
        let text = utf8(bytes, &format!("-f {shown}"))?;
        files.push(PromptFile {
            path: path.display().to_string(),
            text,
        });
    }
    Ok(files)
}

/// Joins the prompt's parts with exactly a blank line between them: stdin, each `-f` file
/// fenced under its path (its text less one trailing newline), then the words.
pub(crate) fn assemble(
    stdin: Option<String>,
    files: &[PromptFile],
    words: &[String],
) -> Option<String> {
    let mut parts: Vec<String> = Vec::with_capacity(files.len() + 2);
    parts.extend(stdin);
    for file in files {
        let text = file.text.strip_suffix('\n').unwrap_or(&file.text);
        let text = text
            .strip_suffix('\r')
            .filter(|_| file.text.ends_with("\r\n"))
            .unwrap_or(text);
        parts.push(format!("```{}\n{text}\n```", file.path));
    }
    if !words.is_empty() {
        parts.push(words.join(" "));
    }
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn words_are_joined_with_spaces() {
        assert_eq!(
            assemble(None, &[], &words(&["a", "b  c"])).unwrap(),
            "a b  c"
        );
    }

    #[test]
    fn stdin_then_blank_line_then_words() {
        let p = assemble(Some("code\n".into()), &[], &words(&["review"])).unwrap();
        assert_eq!(p, "code\n\n\nreview");
        let p = assemble(Some("  x".into()), &[], &[]).unwrap();
        assert_eq!(p, "  x");
    }

    #[test]
    fn neither_is_none() {
        assert_eq!(assemble(None, &[], &[]), None);
    }

    #[test]
    fn files_come_fenced_between_stdin_and_words() {
        let files = [
            PromptFile {
                path: "a.rs".into(),
                text: "fn a() {}\n\n".into(),
            },
            PromptFile {
                path: "b.txt".into(),
                text: "no newline".into(),
            },
        ];
        let p = assemble(Some("in\n".into()), &files, &words(&["explain"])).unwrap();
        assert_eq!(
            p,
            "in\n\n\n```a.rs\nfn a() {}\n\n```\n\n```b.txt\nno newline\n```\n\nexplain"
        );
    }

    #[test]
    fn bad_utf8_names_the_offset() {
        let err = utf8(b"ab\xffc".to_vec(), "stdin").unwrap_err();
        assert!(format!("{err}").contains("offset 2"));
    }
}
