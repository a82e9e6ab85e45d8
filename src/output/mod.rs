//! Writing to stdout: a buffered writer we flush ourselves, code-block extraction, and the
//! compact JSON lines of tool calls.

pub(crate) mod cmd;
pub(crate) mod command;
pub(crate) mod present;
pub(crate) mod render;
pub(crate) mod ui;
pub(crate) mod usage;

use std::fs::File;
use std::io::{self, BufWriter, Write};

/// Stdout without std's line buffering: streamed output is flushed when a burst of events
/// has been written, not at every newline.
pub(crate) struct Out {
    inner: BufWriter<Box<dyn Write + Send>>,
    pub(crate) wrote: bool,
    ends_in_newline: bool,
}

impl Out {
    /// Stdout through a descriptor of its own (a duplicate of 1), written without std's
    /// line buffer; std's stdout when there is no descriptor to duplicate.
    pub(crate) fn stdout() -> Out {
        use std::os::fd::AsFd;
        match io::stdout().as_fd().try_clone_to_owned() {
            Ok(fd) => Out::to(Box::new(File::from(fd))),
            Err(_) => Out::to(Box::new(io::stdout())),
        }
    }

    /// Output to any writer: stdout, or a buffer in tests.
    pub(crate) fn to(writer: Box<dyn Write + Send>) -> Out {
        Out {
            inner: BufWriter::with_capacity(64 * 1024, writer),
            wrote: false,
            ends_in_newline: true,
        }
    }

    pub(crate) fn write(&mut self, text: &str) -> io::Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        self.wrote = true;
        self.ends_in_newline = text.ends_with('\n');
        self.inner.write_all(text.as_bytes())
    }

    /// Whether writing `len` more bytes would send some to stdout before a flush.
    pub(crate) fn spills(&self, len: usize) -> bool {
        self.inner.buffer().len() + len > self.inner.capacity()
    }

    /// Writes text and makes sure the output ends with one newline.
    pub(crate) fn write_line(&mut self, text: &str) -> io::Result<()> {
        self.write(text)?;
        self.end_line()
    }

    /// Adds a newline if something was written and it did not end with one.
    pub(crate) fn end_line(&mut self) -> io::Result<()> {
        if self.wrote && !self.ends_in_newline {
            self.write("\n")?;
        }
        Ok(())
    }

    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extract {
    None,
    First,
    Last,
    /// `mume cmd`: the answer as one shell command, or a refusal.
    Command,
}

/// The inside of the first or last fenced code block, or the whole text when it has none.
pub(crate) fn extract(text: &str, which: Extract) -> &str {
    let blocks = code_blocks(text);
    let block = match which {
        Extract::None | Extract::Command => None,
        Extract::First => blocks.first(),
        Extract::Last => blocks.last(),
    };
    block.map_or(text, |&(start, end)| &text[start..end])
}

/// Byte ranges of the insides of fenced blocks (``` or ~~~, up to three spaces of indent);
/// a block left open runs to the end of the text.
fn code_blocks(text: &str) -> Vec<(usize, usize)> {
    let mut blocks = Vec::new();
    let mut open: Option<(u8, usize, usize)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_start_matches(' ');
        if line.len() - trimmed.len() > 3 {
            continue;
        }
        let Some(&fence) = trimmed
            .as_bytes()
            .first()
            .filter(|&&c| c == b'`' || c == b'~')
        else {
            continue;
        };
        let run = trimmed.bytes().take_while(|&c| c == fence).count();
        if run < 3 {
            continue;
        }
        match open {
            None => open = Some((fence, run, offset)),
            Some((f, n, body)) if f == fence && run >= n && trimmed[run..].trim().is_empty() => {
                blocks.push((body, start));
                open = None;
            }
            Some(_) => {}
        }
    }
    if let Some((_, _, body)) = open {
        blocks.push((body, text.len()));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_first_and_last_blocks() {
        let text = "Here:\n```python\nprint(1)\n```\nand\n~~~\nb\n~~~\n";
        assert_eq!(extract(text, Extract::First), "print(1)\n");
        assert_eq!(extract(text, Extract::Last), "b\n");
    }

    #[test]
    fn no_block_gives_the_whole_text() {
        assert_eq!(extract("just text", Extract::First), "just text");
    }

    #[test]
    fn longer_fences_and_unclosed_blocks() {
        let text = "````md\n```\ninner\n```\n````\n";
        assert_eq!(extract(text, Extract::First), "```\ninner\n```\n");
        assert_eq!(extract("```\nopen", Extract::First), "open");
        assert_eq!(extract("```sh\n```", Extract::First), "");
    }
}
