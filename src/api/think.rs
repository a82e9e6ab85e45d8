//! Reasoning written inside the content, as `<think>…</think>` at its start (DeepSeek-R1
//! and Qwen builds served by Ollama or llama.cpp): taken out of the content into the
//! reasoning as the pieces arrive, split anywhere, even inside a tag.

use std::borrow::Cow;

const OPEN: &str = "<think>";
const CLOSE: &str = "</think>";

/// How far into the content `<think>` may begin: after more white space than this, the
/// content is the answer, and is not held back any longer.
const START_LIMIT: usize = 256;

/// Where the content is.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
enum State {
    /// Nothing but white space and the start of `<think>` yet.
    #[default]
    Start,
    /// Inside the reasoning.
    Inside,
    /// Just after `</think>`: white space here is dropped.
    After,
    /// The answer itself.
    Content,
}

/// Splits an answer's content into reasoning and content, piece by piece.
#[derive(Debug, Default)]
pub(crate) struct Think {
    state: State,
    /// Text not placed yet: the start, or what may be the beginning of `</think>`.
    held: String,
}

/// What a piece of content turned out to be.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Split<'a> {
    pub(crate) content: Cow<'a, str>,
    pub(crate) reasoning: Cow<'a, str>,
}

impl Think {
    /// The content and the reasoning `piece` holds, as far as known.
    pub(crate) fn push<'a>(&mut self, piece: &'a str) -> Split<'a> {
        if self.state == State::Content {
            return Split {
                content: Cow::Borrowed(piece),
                reasoning: Cow::Borrowed(""),
            };
        }
        self.held.push_str(piece);
        let mut split = Split::default();
        self.place(&mut split, false);
        split
    }

    /// What is still held, at the end of the content.
    pub(crate) fn finish(&mut self) -> Split<'static> {
        let mut split = Split::default();
        self.place(&mut split, true);
        split
    }

    /// The content began with `<think>`, and it has not closed (yet).
    pub(crate) fn unclosed(&self) -> bool {
        self.state == State::Inside
    }

    fn place(&mut self, split: &mut Split, at_end: bool) {
        loop {
            match self.state {
                State::Start => {
                    let text = self.held.trim_start();
                    let late = self.held.len() - text.len() > START_LIMIT;
                    if let Some(rest) = text.strip_prefix(OPEN).filter(|_| !late) {
                        self.held = rest.to_string();
                        self.state = State::Inside;
                    } else if OPEN.starts_with(text) && !at_end && !late {
                        return;
                    } else {
                        self.state = State::Content;
                        split
                            .content
                            .to_mut()
                            .push_str(&std::mem::take(&mut self.held));
                        return;
                    }
                }
                State::Inside => match self.held.find(CLOSE) {
                    Some(at) => {
                        split.reasoning.to_mut().push_str(&self.held[..at]);
                        self.held.drain(..at + CLOSE.len());
                        self.state = State::After;
                    }
                    None => {
                        // Hold back what may be the beginning of `</think>`.
                        let keep = match at_end {
                            true => 0,
                            false => partial_close(&self.held),
                        };
                        let cut = self.held.len() - keep;
                        split.reasoning.to_mut().push_str(&self.held[..cut]);
                        self.held.drain(..cut);
                        return;
                    }
                },
                State::After => {
                    let rest = self.held.trim_start();
                    if rest.is_empty() {
                        self.held.clear();
                        return;
                    }
                    split.content.to_mut().push_str(rest);
                    self.held.clear();
                    self.state = State::Content;
                    return;
                }
                State::Content => {
                    split
                        .content
                        .to_mut()
                        .push_str(&std::mem::take(&mut self.held));
                    return;
                }
            }
        }
    }
}

/// How many bytes at the end of `text` could begin `</think>`.
fn partial_close(text: &str) -> usize {
    (1..CLOSE.len())
        .rev()
        .find(|&n| text.ends_with(&CLOSE[..n]))
        .unwrap_or(0)
}

/// Splits a whole answer's content at once.
pub(crate) fn split_whole(content: &str) -> (String, String, bool) {
    let mut think = Think::default();
    let split = think.push(content);
    let (mut text, mut reasoning) = (split.content.into_owned(), split.reasoning.into_owned());
    let unclosed = think.unclosed();
    let rest = think.finish();
    text.push_str(&rest.content);
    reasoning.push_str(&rest.reasoning);
    (text, reasoning, unclosed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pieces(pieces: &[&str]) -> (String, String, bool) {
        let mut think = Think::default();
        let (mut content, mut reasoning) = (String::new(), String::new());
        for piece in pieces {
            let split = think.push(piece);
            content += &split.content;
            reasoning += &split.reasoning;
        }
        let unclosed = think.unclosed();
        let rest = think.finish();
        content += &rest.content;
        reasoning += &rest.reasoning;
        (content, reasoning, unclosed)
    }

    fn owned(content: &str, reasoning: &str, unclosed: bool) -> (String, String, bool) {
        (content.into(), reasoning.into(), unclosed)
    }

    #[test]
    fn reasoning_at_the_start_is_taken_out() {
        assert_eq!(
            pieces(&["<think>\nhmm\n</think>\n\nThe answer."]),
            owned("The answer.", "\nhmm\n", false)
        );
        assert_eq!(
            pieces(&["  \n<th", "ink>a</th", "in", "k>", "\n", "B"]),
            owned("B", "a", false)
        );
        assert_eq!(
            pieces(&["<think>never closed"]),
            owned("", "never closed", true)
        );
        assert_eq!(
            pieces(&["<think>ends in </thi"]),
            owned("", "ends in </thi", true)
        );
    }

    #[test]
    fn content_that_does_not_start_with_it_is_left_alone() {
        assert_eq!(
            pieces(&["Use <think> tags"]),
            owned("Use <think> tags", "", false)
        );
        assert_eq!(pieces(&["<thinking>"]), owned("<thinking>", "", false));
        assert_eq!(pieces(&["  <thi"]), owned("  <thi", "", false));
        assert_eq!(pieces(&[""]), owned("", "", false));
        // Only near the start: white space is not held back without end.
        let late = format!("{}<think>x</think>", " ".repeat(300));
        assert_eq!(pieces(&[&late]), owned(&late, "", false));
        let spaces: Vec<&str> = std::iter::repeat_n(" ", 300).collect();
        let mut think = Think::default();
        let shown: String = spaces
            .iter()
            .map(|s| think.push(s).content.into_owned())
            .collect();
        assert!(shown.len() > 200, "{}", shown.len());
        // After the reasoning, a later tag is content.
        assert_eq!(
            pieces(&["<think>r</think>x <think>y</think>"]),
            owned("x <think>y</think>", "r", false)
        );
    }

    #[test]
    fn answer_pieces_pass_through_without_copies() {
        let mut think = Think::default();
        think.push("Hello");
        assert!(matches!(
            think.push(" world").content,
            Cow::Borrowed(" world")
        ));
    }

    proptest! {
        #[test]
        fn any_split_gives_what_the_whole_gives(
            text in "[ \n<>/thinkab]{0,40}",
            cuts in prop::collection::vec(0usize..41, 0..6),
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().filter(|&c| c <= text.len()).collect();
            cuts.sort_unstable();
            let mut parts = Vec::new();
            let mut from = 0;
            for cut in cuts {
                parts.push(&text[from..cut]);
                from = cut;
            }
            parts.push(&text[from..]);
            prop_assert_eq!(pieces(&parts), split_whole(&text));
        }
    }
}
