//! Text from a server or a user made safe for a terminal: control characters and
//! bidirectional marks escaped, whitespace folded onto one line, long text cut, secrets
//! redacted first.

use std::borrow::Cow;

use crate::redact::redact;

/// Escapes control characters other than newline and tab, and the bidirectional controls,
/// so text from a server cannot move the cursor, retitle the terminal, or hide or reorder
/// what it wrote.
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `1 row`, `2 rows`.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ if noun.ends_with("ch") => format!("{n} {noun}es"),
        _ => format!("{n} {noun}s"),
    }
}

/// `text` less one trailing line break, `\n` or `\r\n`.
pub(crate) fn without_line_break(text: &str) -> &str {
    match text.strip_suffix('\n') {
        Some(rest) => rest.strip_suffix('\r').unwrap_or(rest),
        None => text,
    }
}

/// `text` escaped when `escape` says so, else as it is.
pub(crate) fn escape_if(escape: bool, text: &str) -> Cow<'_, str> {
    match escape {
        true => self::escape(text),
        false => Cow::Borrowed(text),
    }
}

/// The first `width` characters of `text`, with `…` when some were cut; secrets are
/// redacted first, so a cut cannot leave part of one.
pub(crate) fn shorten(text: &str, width: usize) -> String {
    let text = redact(text);
    match text.char_indices().nth(width) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.into_owned(),
    }
}

/// Like `escape`, and folds newlines and tabs too: for text that must stay on one line.
/// Secrets are redacted first, so folding cannot hide one (a key with a tab in it).
pub(crate) fn one_line(text: &str) -> String {
    let folded: String = redact(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    escape(&folded).into_owned()
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        // Bidirectional marks, embeddings, overrides and isolates: they reorder what
        // follows (the "Trojan Source" trick) and are not `is_control`.
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls_only() {
        assert_eq!(escape("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(escape("\x1b]0;pwned\x07"), "\\u{1b}]0;pwned\\u{7}");
        assert_eq!(escape("a\rb"), "a\\rb");
    }

    #[test]
    fn shorten_cuts_at_characters_not_bytes() {
        assert_eq!(shorten("héllo", 2), "hé…");
        assert_eq!(shorten("hé", 2), "hé");
    }

    #[test]
    fn one_line_folds_whitespace() {
        assert_eq!(one_line("a\n  b\tc\x1b"), "a b c\\u{1b}");
    }

    #[test]
    fn escapes_bidi_controls() {
        assert_eq!(escape("a\u{202e}b\u{2066}c"), "a\\u{202e}b\\u{2066}c");
        assert_eq!(escape("\u{200f}\u{061c}"), "\\u{200f}\\u{61c}");
        assert_eq!(escape("héllo ✓"), "héllo ✓");
    }

    #[test]
    fn redaction_comes_before_folding_and_cutting() {
        let key = "sk-tab\t0123456789";
        crate::redact::add_secret(key);
        assert_eq!(one_line(&format!("bad key {key}\n")), "bad key [redacted]");
        let long = format!("{} {key} end", "x".repeat(10));
        assert_eq!(shorten(&long, 14), "xxxxxxxxxx [re…");
    }
}
