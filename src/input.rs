//! The prompt: positional words, stdin, or both, with the input limit and the UTF-8 check.

use std::io::{self, Read};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::error::{BAD_INPUT, TEMPORARY, fail};

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

/// Joins stdin and words into the prompt: stdin, exactly a blank line, then the words.
pub(crate) fn assemble(stdin: Option<String>, words: &[String]) -> Option<String> {
    let words = (!words.is_empty()).then(|| words.join(" "));
    match (stdin, words) {
        (Some(mut input), Some(words)) => {
            input.push_str("\n\n");
            input.push_str(&words);
            Some(input)
        }
        (input, words) => input.or(words),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn words_are_joined_with_spaces() {
        assert_eq!(assemble(None, &words(&["a", "b  c"])).unwrap(), "a b  c");
    }

    #[test]
    fn stdin_then_blank_line_then_words() {
        let p = assemble(Some("code\n".into()), &words(&["review"])).unwrap();
        assert_eq!(p, "code\n\n\nreview");
        let p = assemble(Some("  x".into()), &[]).unwrap();
        assert_eq!(p, "  x");
    }

    #[test]
    fn neither_is_none() {
        assert_eq!(assemble(None, &[]), None);
    }

    #[test]
    fn bad_utf8_names_the_offset() {
        let err = utf8(b"ab\xffc".to_vec(), "stdin").unwrap_err();
        assert!(format!("{err}").contains("offset 2"));
    }
}
