//! A fast path for the streamed chunk nearly every event is: one choice with a content
//! delta, perhaps a finish reason, nothing else. A single pass over the bytes finds those
//! fields; any chunk with more in it (several choices, tool calls, reasoning, usage,
//! errors, escaped text, anything unexpected) is left to serde, so this only ever agrees
//! with it or declines.
//!
//! It exists because serde's general machinery costs about 2,000 instructions for a
//! 140-byte chunk, most of a stream's CPU time (bench/RESULTS.md).

use std::borrow::Cow;

use crate::api::wire::{Chunk, ChunkChoice, Delta};

/// The chunk, when it has the simple shape; `None` means "ask serde".
fn chunk(data: &str) -> Option<Chunk<'_>> {
    let mut s = Scanner {
        s: data,
        b: data.as_bytes(),
        i: 0,
    };
    let mut choice = None;
    s.object(|s, key| {
        match key {
            "choices" => choice = Some(s.choices()?),
            "usage" | "error" => s.null()?,
            _ => s.skip(0)?,
        }
        Some(())
    })?;
    s.ws();
    if s.i != s.b.len() {
        return None;
    }
    Some(Chunk {
        choices: choice.flatten(),
        usage: None,
        error: None,
    })
}

/// Reads the chunks of one stream. Servers send nearly every chunk as the one before it
/// with other text: the same id, model and fields around a different `content`. The
/// bytes around the last fast-path chunk's text are kept, and a chunk that has them and
/// plain text between is read with two comparisons instead of a scan.
#[derive(Default)]
pub(crate) struct Chunks {
    /// Up to and with the opening quote of the last text, and from its closing quote on,
    /// of a chunk with text and no finish reason; `before` is empty while none is kept.
    before: Vec<u8>,
    after: Vec<u8>,
    index: Option<u64>,
}

impl Chunks {
    /// The chunk, when it has the simple shape; `None` means "ask serde".
    pub(crate) fn read<'d>(&mut self, data: &'d str) -> Option<Chunk<'d>> {
        if let Some(text) = self.repeated(data) {
            return Some(Chunk {
                choices: Some(ChunkChoice {
                    index: self.index,
                    delta: Some(Delta {
                        content: Some(Cow::Borrowed(text)),
                        ..Delta::default()
                    }),
                    finish_reason: None,
                }),
                usage: None,
                error: None,
            });
        }
        let read = chunk(data);
        self.keep(data, read.as_ref());
        read
    }

    /// The text of a chunk that is the kept one with other plain text.
    fn repeated<'d>(&self, data: &'d str) -> Option<&'d str> {
        let b = data.as_bytes();
        let (before, after) = (&self.before[..], &self.after[..]);
        if before.is_empty()
            || b.len() < before.len() + after.len()
            || !b.starts_with(before)
            || !b.ends_with(after)
        {
            return None;
        }
        let end = b.len() - after.len();
        // The text ends at the quote that opens `after`, not before: no quote, escape or
        // control character in it, so the chunk reads as the kept one did.
        (plain_run(&b[before.len()..]) == Some(end - before.len()))
            .then(|| data.get(before.len()..end))
            .flatten()
    }

    fn keep(&mut self, data: &str, read: Option<&Chunk>) {
        let choice = read.and_then(|c| c.choices.as_ref());
        let text = choice
            .filter(|c| c.finish_reason.is_none())
            .and_then(|c| c.delta.as_ref())
            .and_then(|d| match &d.content {
                Some(Cow::Borrowed(text)) => Some(*text),
                _ => None,
            });
        self.before.clear();
        let (Some(choice), Some(text)) = (choice, text) else {
            return;
        };
        // The text is a slice of `data`: its place is where it starts in memory.
        let start = (text.as_ptr() as usize).wrapping_sub(data.as_ptr() as usize);
        let Some(end) = start
            .checked_add(text.len())
            .filter(|&end| end <= data.len())
        else {
            return;
        };
        let b = data.as_bytes();
        if !(b[..start].ends_with(b"\"") && b[end..].starts_with(b"\"")) {
            return;
        }
        self.before.extend_from_slice(&b[..start]);
        self.after.clear();
        self.after.extend_from_slice(&b[end..]);
        self.index = choice.index;
    }
}

struct Scanner<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

/// Where a string's plain run ends: at its closing quote, an escape, or a control
/// character (which JSON forbids there). Eight bytes are looked at at once: strings here
/// are short, too short for a vectorised search to repay its set-up.
fn plain_run(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    // A byte of `x - n·ONES` borrows, and so sets its high bit where `x` had it clear,
    // when it was below n; the lowest such byte is always a true one (a borrow only
    // spills upwards).
    let below = |x: u64, n: u64| x.wrapping_sub(n * ONES) & !x & HIGH;
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let w = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
        let hits = below(w ^ (u64::from(b'"') * ONES), 1)
            | below(w ^ (u64::from(b'\\') * ONES), 1)
            | below(w, 0x20);
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let rest = words.remainder();
    rest.iter()
        .position(|&c| STOPS[usize::from(c)])
        .map(|i| at + i)
}

/// The bytes that end a plain run: control characters, `"` and `\`.
static STOPS: [bool; 256] = {
    let mut stops = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        stops[c] = true;
        c += 1;
    }
    stops[b'"' as usize] = true;
    stops[b'\\' as usize] = true;
    stops
};

/// Nesting deeper than this is left to serde.
const MAX_DEPTH: u32 = 32;

impl<'a> Scanner<'a> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    /// Calls `field` for each key, positioned at its value.
    fn object(&mut self, mut field: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        // A key given twice is left to serde, which refuses it for the fields mume reads.
        let mut seen: [&str; 16] = [""; 16];
        let mut keys = 0;
        loop {
            let key = self.plain_string()?;
            if keys == seen.len() || seen[..keys].contains(&key) {
                return None;
            }
            seen[keys] = key;
            keys += 1;
            self.eat(b':')?;
            field(self, key)?;
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The one choice of `choices`; a list of several is left to serde, which picks the
    /// choice with index 0.
    fn choices(&mut self) -> Option<Option<ChunkChoice<'a>>> {
        if self.peek()? == b'n' {
            self.null()?;
            return Some(None);
        }
        self.eat(b'[')?;
        if self.eat(b']').is_some() {
            return Some(None);
        }
        let only = self.choice()?;
        self.eat(b']')?;
        Some(Some(only))
    }

    fn choice(&mut self) -> Option<ChunkChoice<'a>> {
        let mut index = None;
        let mut delta = None;
        let mut finish_reason = None;
        self.object(|s, key| {
            match key {
                "index" => index = Some(s.zero()?),
                "delta" => delta = Some(s.delta()?),
                "finish_reason" => finish_reason = s.text_or_null()?,
                _ => s.skip(1)?,
            }
            Some(())
        })?;
        Some(ChunkChoice {
            index,
            delta,
            finish_reason: finish_reason.map(Cow::Borrowed),
        })
    }

    /// The number 0; any other index is left to serde.
    fn zero(&mut self) -> Option<u64> {
        self.ws();
        let next = self.b.get(self.i + 1).copied();
        if self.b.get(self.i) == Some(&b'0')
            && !next.is_some_and(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E'))
        {
            self.i += 1;
            return Some(0);
        }
        None
    }

    fn delta(&mut self) -> Option<Delta<'a>> {
        let mut content = None;
        self.object(|s, key| {
            match key {
                "content" => content = s.text_or_null()?,
                "role" => s.skip(2)?,
                // Anything else (reasoning, refusal, tool calls) is only simple when null.
                _ => s.null()?,
            }
            Some(())
        })?;
        Some(Delta {
            content: content.map(Cow::Borrowed),
            ..Delta::default()
        })
    }

    fn null(&mut self) -> Option<()> {
        self.ws();
        self.b[self.i..].starts_with(b"null").then(|| self.i += 4)
    }

    /// A string with no escapes or control characters, or null.
    fn text_or_null(&mut self) -> Option<Option<&'a str>> {
        if self.peek()? == b'n' {
            self.null()?;
            return Some(None);
        }
        self.plain_string().map(Some)
    }

    /// A string with no escapes or control characters, borrowed from the input.
    fn plain_string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        let end = start + plain_run(&self.b[start..])?;
        if self.b[end] != b'"' {
            return None;
        }
        self.i = end + 1;
        // Both ends sit next to ASCII quotes, so they are character boundaries.
        self.s.get(start..end)
    }

    /// Steps over any JSON value.
    fn skip(&mut self, depth: u32) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' => self.object(|s, _| s.skip(depth + 1)),
            b'[' => {
                self.i += 1;
                if self.eat(b']').is_some() {
                    return Some(());
                }
                loop {
                    self.skip(depth + 1)?;
                    match self.peek()? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.skip_number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.b[self.i..]
            .starts_with(word)
            .then(|| self.i += word.len())
    }

    /// Steps over a string, checking it as strictly as serde would.
    fn skip_string(&mut self) -> Option<()> {
        self.i += 1;
        loop {
            let at = self.i + plain_run(&self.b[self.i..])?;
            if self.b[at] < 0x20 {
                return None;
            }
            if self.b[at] == b'"' {
                self.i = at + 1;
                return Some(());
            }
            self.i = at + 2;
            match self.b.get(at + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                b'u' => {
                    let hex = self.b.get(self.i..self.i + 4)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    self.i += 4;
                }
                _ => return None,
            }
        }
    }

    /// Steps over a number of JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    fn skip_number(&mut self) -> Option<()> {
        let digits = |s: &mut Self| {
            let start = s.i;
            while s.b.get(s.i).is_some_and(u8::is_ascii_digit) {
                s.i += 1;
            }
            (s.i > start).then_some(())
        };
        if self.b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        if self.b.get(self.i) == Some(&b'0') {
            self.i += 1;
        } else {
            digits(self)?;
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            digits(self)?;
        }
        if let Some(b'e' | b'E') = self.b.get(self.i) {
            self.i += 1;
            if let Some(b'+' | b'-') = self.b.get(self.i) {
                self.i += 1;
            }
            digits(self)?;
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_run_finds_the_first_stop_as_a_byte_loop_would() {
        let simple = |b: &[u8]| b.iter().position(|&c| STOPS[usize::from(c)]);
        let fillers = [
            b'a', b' ', b'!', b'#', b'[', b']', 0x7f, 0x80, 0xa2, 0xdc, 0xff, 0x21,
        ];
        let stops = [b'"', b'\\', 0x00, 0x01, 0x1f, b'\n'];
        for len in 0..20 {
            for &fill in &fillers {
                let plain = vec![fill; len];
                assert_eq!(plain_run(&plain), simple(&plain));
                for at in 0..len {
                    for &stop in &stops {
                        let mut bytes = plain.clone();
                        bytes[at] = stop;
                        // A second stop after the first must not be taken for it.
                        if at + 3 < len {
                            bytes[at + 3] = b'"';
                        }
                        assert_eq!(plain_run(&bytes), Some(at), "{bytes:?}");
                    }
                }
            }
        }
    }

    /// What the rest of mume reads from a chunk, whichever path parsed it.
    fn seen(c: &Chunk) -> (Option<String>, Option<String>, bool) {
        let choice = c.choices.as_ref();
        (
            choice
                .and_then(|ch| ch.delta.as_ref())
                .and_then(|d| d.content.as_deref())
                .map(str::to_string),
            choice
                .and_then(|ch| ch.finish_reason.as_deref())
                .map(str::to_string),
            choice.is_some(),
        )
    }

    /// The fast path either declines or agrees with serde.
    fn agrees(data: &str) -> bool {
        let slow: Chunk = serde_json::from_str(data).expect("valid test chunk");
        match chunk(data) {
            Some(fast) => {
                assert_eq!(seen(&fast), seen(&slow), "{data}");
                let slow_delta = slow.choices.as_ref().and_then(|c| c.delta.as_ref());
                assert!(slow_delta.is_none_or(|d| d.tool_calls.is_none()
                    && d.reasoning.is_none()
                    && d.reasoning_content.is_none()
                    && d.refusal.is_none()));
                assert!(slow.usage.as_ref().is_none_or(|u| u.is_null()));
                assert!(slow.error.as_ref().is_none_or(|e| e.is_null()));
                true
            }
            None => false,
        }
    }

    #[test]
    fn common_shapes_take_the_fast_path() {
        for data in [
            r#"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"tok "},"finish_reason":null}]}"#,
            r#"{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}"#,
            r#"{"choices":[{"delta":{},"finish_reason":"stop"}]}"#,
            r#"{"choices":[{"delta":{"content":"a","reasoning_content":null,"tool_calls":null}}]}"#,
            r#" { "choices" : [ { "index" : 0 , "delta" : { "content" : "spaced" } } ] } "#,
            r#"{"choices":[],"system_fingerprint":"fp","x":[1,-2.5e3,true,false,null,{"a":"b\"c"}]}"#,
            r#"{"choices":null}"#,
            r#"{"choices":[{"delta":{"content":"héllo ☃"}}]}"#,
        ] {
            assert!(agrees(data), "expected the fast path for {data}");
        }
    }

    #[test]
    fn anything_more_is_left_to_serde() {
        for data in [
            r#"{"choices":[{"delta":{"content":"line\nbreak"}}]}"#,
            r#"{"choices":[{"delta":{"content":"quote \" inside"}}]}"#,
            r#"{"choices":[{"delta":{"reasoning":"hmm"}}]}"#,
            r#"{"choices":[{"delta":{"refusal":"no"}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}}]}"#,
            r#"{"choices":[],"usage":{"total_tokens":3}}"#,
            r#"{"error":{"message":"boom"}}"#,
            r#"{"choices":[{"delta":{"content":"x"},"finish_reason":"st\u006fp"}]}"#,
            r#"{"choices":[{"index":1,"delta":{"content":"b"}},{"index":0,"delta":{"content":"a"}}]}"#,
            r#"{"choices":[{"index":1,"delta":{"content":"b"}}]}"#,
        ] {
            assert!(!agrees(data), "expected serde for {data}");
        }
        for data in [
            r#"{"choices":[{"delta":{"content":"A"}}],"choices":[{"delta":{"content":"B"}}]}"#,
            r#"{"choices":[{"delta":{"content":"A"}}],"choices":null}"#,
            r#"{"choices":[{"delta":{"content":"A","content":"B"}}]}"#,
            r#"{"choices":[{"index":0,"index":0,"delta":{"content":"A"}}]}"#,
        ] {
            assert!(
                chunk(data).is_none(),
                "a repeated key is serde's to judge: {data}"
            );
        }
    }

    #[test]
    fn malformed_input_is_declined_not_accepted() {
        for data in [
            "",
            "{",
            r#"{"choices":[{"delta":{"content":"x"}}]"#,
            r#"{"choices":[{"delta":{"content":"x"}}]} trailing"#,
            r#"{"choices":[{"delta":{"content":"x"}}],}"#,
            r#"{"choices":[{"delta":{"content":"unterminated}}]}"#,
            r#"{"choices":[{"delta":{"content":"x"}}],"n":tru}"#,
            "[1,2]",
            r#"{"choices":[{"index":0.0,"delta":{"content":"b"}}]}"#,
            r#"{"choices":[{"index":01,"delta":{"content":"b"}}]}"#,
        ] {
            assert!(chunk(data).is_none(), "{data}");
        }
    }

    /// Every prefix, and every byte replaced by each JSON-significant character: the scan
    /// must decline or agree, never panic (mume is built with panic = abort).
    #[test]
    fn damaged_input_never_panics() {
        let samples = [
            r#"{"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":"tok"},"finish_reason":null}],"usage":null,"x":[1,{"a":"b\"c"},true]}"#,
            r#"{"choices":[{"delta":{},"finish_reason":"stop"}],"e":"\"}"#,
        ];
        for sample in samples {
            for end in 0..=sample.len() {
                let _ = chunk(&sample[..end]);
            }
            for at in 0..sample.len() {
                for c in ['"', '\\', '{', '}', '[', ']', ',', ':', 'n', '1', ' '] {
                    let mut damaged = sample.to_string();
                    damaged.replace_range(at..at + 1, &c.to_string());
                    if let Some(fast) = chunk(&damaged) {
                        let slow: Chunk = serde_json::from_str(&damaged).unwrap_or_else(|e| {
                            panic!("accepted what serde rejects ({e}): {damaged}")
                        });
                        assert_eq!(seen(&fast), seen(&slow), "{damaged}");
                    }
                }
            }
        }
    }

    /// Reads `data` after `primer` with one `Chunks`: declines or agrees with serde.
    fn agrees_after(primer: &str, data: &str) -> Option<bool> {
        let mut chunks = Chunks::default();
        chunks.read(primer);
        let fast = chunks.read(data)?;
        let slow: Chunk = serde_json::from_str(data)
            .unwrap_or_else(|e| panic!("accepted what serde rejects ({e}): {data}"));
        Some(seen(&fast) == seen(&slow))
    }

    const PRIMER: &str = r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"tok"},"logprobs":null,"finish_reason":null}]}"#;

    #[test]
    fn a_repeated_chunk_is_read_from_its_kept_frame() {
        let mut chunks = Chunks::default();
        assert!(chunks.read(PRIMER).is_some());
        assert!(!chunks.before.is_empty(), "a content chunk is kept");
        let with = |text: &str| PRIMER.replace(r#""tok""#, &format!(r#""{text}""#));
        for text in [
            "",
            "a",
            "tok ",
            "héllo ☃",
            "{x:1}",
            "]}",
            "0123456789abcdefXYZ",
        ] {
            let data = with(text);
            assert_eq!(chunks.repeated(&data), Some(text), "{data}");
            assert_eq!(agrees_after(PRIMER, &data), Some(true), "{data}");
        }
        // The frame alone is not enough: text with a quote, escape or control character,
        // or another frame, is scanned whole (or left to serde).
        for data in [
            with(r#"a\"b"#),
            with(r"a\nb"),
            with("a\u{1}b"),
            PRIMER.replace("c1", "c2"),
            PRIMER.replace("null}]}", r#""stop"}]}"#),
        ] {
            assert_ne!(agrees_after(PRIMER, &data), Some(false), "{data}");
        }
        // A finish reason ends keeping: its chunk is not a frame for the next.
        let last = PRIMER.replace(r#""finish_reason":null"#, r#""finish_reason":"stop""#);
        chunks.read(&last);
        assert!(chunks.before.is_empty());
    }

    /// After a kept frame, every prefix of the next chunk and every byte of it replaced by
    /// each JSON-significant character: declined or read as serde reads it.
    #[test]
    fn damage_after_a_kept_frame_is_declined_or_agrees() {
        let next = PRIMER.replace(r#""tok""#, r#""next""#);
        for end in 0..=next.len() {
            assert_ne!(agrees_after(PRIMER, &next[..end]), Some(false));
        }
        for at in 0..next.len() {
            for c in ['"', '\\', '{', '}', '[', ']', ',', ':', 'n', '1', ' ', '\n'] {
                let mut damaged = next.clone();
                damaged.replace_range(at..at + 1, &c.to_string());
                assert_ne!(agrees_after(PRIMER, &damaged), Some(false), "{damaged}");
            }
        }
    }

    #[test]
    fn deep_nesting_is_declined() {
        let deep = format!(r#"{{"x":{}{}}}"#, "[".repeat(100), "]".repeat(100));
        assert!(chunk(&deep).is_none());
    }
}
