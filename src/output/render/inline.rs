//! The inline spans of a line: code, strong and emphasis, links, backslash escapes. A span
//! is drawn once its close has arrived; from its opener to then, or to the line's end, it
//! is held. An opener that never closes is drawn as the text it is.

use super::{look, paint};

/// What the marker at some place of a line turned out to be.
enum Found {
    /// Text, up to this byte.
    Plain(usize),
    /// Not known until more of the line arrives.
    Open,
    /// A span, ending at this byte.
    Span(Span, usize),
}

/// A span's parts, as byte ranges of the line.
enum Span {
    Code(std::ops::Range<usize>),
    Styled(&'static str, std::ops::Range<usize>),
    Link {
        label: std::ops::Range<usize>,
        url: std::ops::Range<usize>,
    },
    /// A character after a backslash, drawn as itself.
    Escaped(std::ops::Range<usize>),
}

/// Draws the longest start of `text` whose look is decided, in the look `base` (with each
/// span's own on top), and returns how many bytes of it that was. `previous` is the
/// character before `text` on its line. With `ended` the line is over: all of it is drawn.
pub(super) fn scan(
    text: &str,
    previous: Option<char>,
    ended: bool,
    base: &str,
    out: &mut String,
) -> usize {
    let mut plain = 0;
    let mut at = 0;
    while let Some(c) = text[at..].chars().next() {
        let before = match at {
            0 => previous,
            _ => text[..at].chars().next_back(),
        };
        let found = match c {
            '`' => code(text, at, ended),
            '*' | '_' => emphasis(text, at, before, ended),
            '[' => link(text, at, ended),
            '\\' => escaped(text, at, ended),
            _ => Found::Plain(at + c.len_utf8()),
        };
        match found {
            Found::Plain(end) => at = end,
            Found::Open => {
                paint(out, base, &text[plain..at]);
                return at;
            }
            Found::Span(span, end) => {
                paint(out, base, &text[plain..at]);
                draw(text, span, base, out);
                (plain, at) = (end, end);
            }
        }
    }
    paint(out, base, &text[plain..]);
    text.len()
}

fn draw(text: &str, span: Span, base: &str, out: &mut String) {
    match span {
        Span::Code(inside) => paint(out, &joined(base, look::CODE), &text[inside]),
        Span::Styled(style, inside) => {
            let mark = text[..inside.start].chars().next_back();
            scan(&text[inside], mark, true, &joined(base, style), out);
        }
        Span::Link { label, url } => {
            scan(&text[label], None, true, &joined(base, look::LINK), out);
            paint(out, base, " ");
            paint(out, &joined(base, look::DIM), &format!("({})", &text[url]));
        }
        Span::Escaped(char) => paint(out, base, &text[char]),
    }
}

/// Two looks at once.
fn joined(base: &str, look: &str) -> String {
    match base.is_empty() {
        true => look.to_string(),
        false => format!("{base};{look}"),
    }
}

/// How far from its opener a span may close: a longer one is not a span but text, so
/// that no span holds a line back, or is looked for, beyond this many bytes.
const SPAN_LIMIT: usize = 512;

/// The part of `text` a span opened at `at` may close in, and whether the line ends
/// there for the span (it does where the limit cuts it).
fn within(text: &str, at: usize, ended: bool) -> (&str, bool) {
    if text.len() - at <= SPAN_LIMIT {
        return (text, ended);
    }
    let mut end = at + SPAN_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (&text[..end], true)
}

/// How many times `mark` repeats from byte `at`.
fn run_of(text: &str, at: usize, mark: u8) -> usize {
    text.as_bytes()[at..]
        .iter()
        .take_while(|&&b| b == mark)
        .count()
}

/// A run of backticks: code up to the next run of as many.
fn code(text: &str, at: usize, ended: bool) -> Found {
    let (text, ended) = within(text, at, ended);
    let n = run_of(text, at, b'`');
    let start = at + n;
    if start == text.len() && !ended {
        return Found::Open;
    }
    let mut j = start;
    while let Some(found) = text[j..].find('`') {
        let close = j + found;
        let r = run_of(text, close, b'`');
        if close + r == text.len() && !ended {
            return Found::Open;
        }
        if r == n {
            return Found::Span(Span::Code(start..close), close + r);
        }
        j = close + r;
    }
    match ended {
        true => Found::Plain(start),
        false => Found::Open,
    }
}

/// One, two or three `*` or `_`: emphasis, strong, or both, up to a run as long that
/// closes it. It opens before a character that is not white space (and `_` not inside a
/// word, as in `snake_case`).
fn emphasis(text: &str, at: usize, before: Option<char>, ended: bool) -> Found {
    let (text, ended) = within(text, at, ended);
    let mark = text.as_bytes()[at];
    let n = run_of(text, at, mark);
    let start = at + n;
    let Some(next) = text[start..].chars().next() else {
        return match ended {
            true => Found::Plain(start),
            false => Found::Open,
        };
    };
    let inside_word = mark == b'_' && before.is_some_and(char::is_alphanumeric);
    if n > 3 || next.is_whitespace() || inside_word {
        return Found::Plain(start);
    }
    let mut j = start;
    while let Some(found) = text[j..].find(mark as char) {
        let close = j + found;
        let r = run_of(text, close, mark);
        let after = text[close + r..].chars().next();
        if after.is_none() && !ended {
            return Found::Open;
        }
        let closing = r == n
            && !text[..close].ends_with(|c: char| c.is_whitespace() || c == '\\')
            && !(mark == b'_' && after.is_some_and(char::is_alphanumeric));
        if closing {
            let style = match n {
                1 => look::EMPHASIS,
                2 => look::STRONG,
                _ => "1;3",
            };
            return Found::Span(Span::Styled(style, start..close), close + r);
        }
        j = close + r;
    }
    match ended {
        true => Found::Plain(start),
        false => Found::Open,
    }
}

/// `[label](url)`: the label as a link, then the address dimmed.
fn link(text: &str, at: usize, ended: bool) -> Found {
    let (text, ended) = within(text, at, ended);
    let undecided = match ended {
        true => Found::Plain(at + 1),
        false => Found::Open,
    };
    let Some(close) = text[at + 1..].find(']').map(|i| at + 1 + i) else {
        return undecided;
    };
    match text[close + 1..].chars().next() {
        None => return undecided,
        Some('(') => {}
        Some(_) => return Found::Plain(at + 1),
    }
    let Some(paren) = text[close + 2..].find(')').map(|i| close + 2 + i) else {
        return undecided;
    };
    let span = Span::Link {
        label: at + 1..close,
        url: close + 2..paren,
    };
    Found::Span(span, paren + 1)
}

/// A backslash before punctuation: the punctuation as itself, never a marker.
fn escaped(text: &str, at: usize, ended: bool) -> Found {
    match text[at + 1..].chars().next() {
        None if !ended => Found::Open,
        Some(c) if c.is_ascii_punctuation() => Found::Span(Span::Escaped(at + 1..at + 2), at + 2),
        _ => Found::Plain(at + 1),
    }
}
