//! What must never be shown: the secrets mume knows (the API key, a password in the base
//! URL), found in any text before it is printed, also cut short, wrapped or arriving in
//! pieces; headers that carry credentials; the user part of a URL.

use std::borrow::Cow;
use std::sync::{Mutex, PoisonError};

/// The secrets known so far (the API key, a password in the base URL), so that no line
/// mume writes can show them, whoever wrote the text.
static SECRETS: Mutex<Secrets> = Mutex::new(Secrets {
    all: Vec::new(),
    long: Vec::new(),
    pairs: [0; 256],
    plain: true,
    shortest: 0,
});

/// Each secret as given, and those searched for in free text as characters, made once,
/// with what a quick look at a text needs before the careful one.
struct Secrets {
    all: Vec<String>,
    long: Vec<Vec<char>>,
    /// Every pair of neighbouring characters in a long secret, as bits of a 128 × 128
    /// table of ASCII characters.
    pairs: [u64; 256],
    /// Every long secret is ASCII without white space, so the table can rule a text out.
    plain: bool,
    /// The fewest characters in a row that show a secret; 0 while there are none.
    shortest: usize,
}

impl Secrets {
    fn add_long(&mut self, key: Vec<char>) {
        self.plain &= key.iter().all(|c| c.is_ascii() && !c.is_whitespace());
        for pair in key.windows(2) {
            let bit = pair_bit(pair[0], pair[1]).unwrap_or(0);
            self.pairs[bit / 64] |= 1 << (bit % 64);
        }
        let run = key.len().min(MIN_RUN);
        self.shortest = match self.shortest {
            0 => run,
            n => n.min(run),
        };
        self.long.push(key);
    }

    /// False when `text` surely shows no secret: no run of it long enough (white space
    /// aside) has each of its neighbouring pairs in a secret. A text with escapes, or a
    /// secret that is not plain, is always looked at the careful way.
    fn may_show(&self, text: &str) -> bool {
        // Each character of a run takes a byte at least.
        if self.shortest == 0 || text.len() < self.shortest {
            return false;
        }
        if !self.plain || text.contains('\\') {
            return true;
        }
        let mut run = 0;
        let mut previous = None;
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            let paired = previous
                .and_then(|p| pair_bit(p, c))
                .is_some_and(|bit| self.pairs[bit / 64] & (1 << (bit % 64)) != 0);
            run = if paired { run + 1 } else { 1 };
            if run >= self.shortest {
                return true;
            }
            previous = Some(c);
        }
        false
    }
}

/// The bit of the pair table for two ASCII characters.
fn pair_bit(a: char, b: char) -> Option<usize> {
    (a.is_ascii() && b.is_ascii()).then(|| (a as usize) * 128 + b as usize)
}

/// Free text is searched only for secrets this long: local servers' docs suggest keys like
/// `1`, `ollama` or `EMPTY`, and hiding those would blank out unrelated words and numbers.
const MIN_SECRET: usize = 8;
/// This many characters of a secret in a row count as showing it, wherever they start: a
/// server may cut a key short, show its end, or wrap it across lines.
const MIN_RUN: usize = 10;
const REDACTED: &str = "[redacted]";

pub(crate) fn add_secret(secret: &str) {
    let mut secrets = secrets();
    if !secret.is_empty() && !secrets.all.iter().any(|s| s == secret) {
        secrets.all.push(secret.to_string());
        let key: Vec<char> = secret.chars().collect();
        if key.len() >= MIN_SECRET {
            secrets.add_long(key);
        }
    }
}

fn secrets() -> std::sync::MutexGuard<'static, Secrets> {
    SECRETS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Replaces what shows a secret of `MIN_SECRET` characters or more with `[redacted]`: the
/// whole secret, or `MIN_RUN` of its characters in a row, with any white space between
/// them (a server that folds or wraps its text). Text is redacted before it is folded,
/// cut or escaped.
pub(crate) fn redact(text: &str) -> Cow<'_, str> {
    let secrets = secrets();
    match secrets.may_show(text) {
        true => redact_all(text, &secrets.long),
        false => Cow::Borrowed(text),
    }
}

/// Redacts every string of a JSON value, object keys included: what a server spelled with
/// `\u` escapes is redacted as it reads once decoded.
pub(crate) fn redact_value(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(text) => {
            if let Cow::Owned(clean) = redact(text) {
                *text = clean;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        Value::Object(map) if !map.keys().any(|key| matches!(redact(key), Cow::Owned(_))) => {
            map.values_mut().for_each(redact_value)
        }
        Value::Object(map) => {
            let held = std::mem::take(map);
            for (key, mut item) in held {
                redact_value(&mut item);
                map.insert(redact(&key).into_owned(), item);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn redact_all<'a>(text: &'a str, keys: &[Vec<char>]) -> Cow<'a, str> {
    // Each character of a run takes a byte at least: a shorter text shows no secret.
    let shortest = keys.iter().map(|key| key.len().min(MIN_RUN)).min();
    if shortest.is_none_or(|shortest| text.len() < shortest) {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    while at < text.len() {
        // The longest run here of any secret, so that one secret's run inside another's
        // does not leave the rest of the other showing.
        let end = keys
            .iter()
            .filter_map(|key| {
                let (run, end) = longest_run(&text[at..], key);
                (run >= key.len().min(MIN_RUN)).then_some(end)
            })
            .max();
        match end {
            Some(end) => {
                out.push_str(&text[copied..at]);
                out.push_str(REDACTED);
                at += end;
                copied = at;
            }
            None => at += text[at..].chars().next().map_or(1, char::len_utf8),
        }
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The characters of `text` as a JSON string would spell them, each with the byte offset
/// where it ends: an escape (`\u0073`, `\n`) reads as the character it stands for, so a
/// key spelled with escapes in a body that is not valid JSON, never decoded, is still seen.
fn spelled(text: &str) -> impl Iterator<Item = (char, usize)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let rest = &text[at..];
        let c = rest.chars().next()?;
        let (read, len) = match escaped(rest) {
            Some(escape) => escape,
            None => (c, c.len_utf8()),
        };
        at += len;
        Some((read, at))
    })
}

/// The character a JSON escape at the start of `text` stands for, and its length.
fn escaped(text: &str) -> Option<(char, usize)> {
    let rest = text.strip_prefix('\\')?;
    let simple = match rest.chars().next()? {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        '/' => '/',
        '\\' => '\\',
        '"' => '"',
        'u' => {
            let hex = rest
                .get(1..5)
                .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))?;
            let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
            return Some((c, 6));
        }
        _ => return None,
    };
    Some((simple, 2))
}

/// The most characters of `key`, in its order, that `text` starts with, white space
/// between them skipped; and the byte length of `text` they take.
fn longest_run(text: &str, key: &[char]) -> (usize, usize) {
    let Some((first, _)) = spelled(text).next() else {
        return (0, 0);
    };
    let mut best = (0, 0);
    for start in (0..key.len()).filter(|&j| key[j] == first) {
        let mut matched = 0;
        let mut end = 0;
        for (c, c_end) in spelled(text) {
            if start + matched == key.len() {
                break;
            }
            if c == key[start + matched] {
                matched += 1;
                end = c_end;
            } else if !(c.is_whitespace() && matched > 0) {
                break;
            }
        }
        if matched > best.0 {
            best = (matched, end);
        }
    }
    best
}

/// Redacts text that arrives in pieces (streamed reasoning): a secret split across two
/// pieces is caught, because a tail that could be the beginning of one is held back until
/// the next piece shows what it is.
#[derive(Default)]
pub(crate) struct Redactor {
    held: String,
}

impl Redactor {
    /// What of `piece` can be shown now.
    pub(crate) fn push(&mut self, piece: &str) -> String {
        self.held.push_str(piece);
        let keep = secrets()
            .long
            .iter()
            .filter_map(|key| open_run(&self.held, key))
            .min()
            .unwrap_or(self.held.len());
        let shown = redact(&self.held[..keep]).into_owned();
        self.held.drain(..keep);
        shown
    }

    /// Whatever is still held, at the end of the text.
    pub(crate) fn finish(&mut self) -> String {
        if self.held.is_empty() {
            return String::new();
        }
        redact(&std::mem::take(&mut self.held)).into_owned()
    }
}

/// Where a run of `key` starts that reaches the end of `text` unfinished: the text from
/// there may yet turn out to show the key.
fn open_run(text: &str, key: &[char]) -> Option<usize> {
    let window = text
        .char_indices()
        .rev()
        .nth(2 * key.len())
        .map_or(0, |(i, _)| i);
    text[window..].char_indices().find_map(|(i, _)| {
        let (run, end) = longest_run(&text[window + i..], key);
        (run > 0 && window + i + end == text.len()).then_some(window + i)
    })
}

/// True when a header with this name carries a credential whatever its value.
fn is_credential_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name == "cookie"
        || name == "set-cookie"
        || [
            "auth",
            "secret",
            "password",
            "passwd",
            "credential",
            "api-key",
            "apikey",
        ]
        .iter()
        .any(|word| name.contains(word))
        || ["key", "token"].iter().any(|end| name.ends_with(end))
}

/// A header's value as mume shows it (`-v`, `--dry-run -v`, `mume config`): `[redacted]`
/// when the name says it carries a credential or the value shows a secret. Unlike free
/// text, a header is searched for short keys too: `X-Key: ollama` is the key, not a word.
pub(crate) fn header_value<'a>(name: &str, value: &'a str) -> &'a str {
    let shows = |s: &String| holds_short_secret(value, s);
    if is_credential_header(name) || redact(value) != value || secrets().all.iter().any(shows) {
        REDACTED
    } else {
        value
    }
}

/// True when a header value holds a short secret as a whole word (`Bearer 1`), since `1`
/// is also in `X-Version: 1.0`.
fn holds_short_secret(value: &str, secret: &str) -> bool {
    value
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '=' | ':'))
        .any(|word| word == secret)
}

/// A URL as mume shows it: any user name and password replaced by `[redacted]`. It works
/// on text that does not parse as a URL too, since errors quote what the user gave.
pub(crate) fn url(text: &str) -> Cow<'_, str> {
    // The authority follows the scheme and however many slashes a user typed, even none
    // (`http:user:pw@host` parses, and so does `http:/user:pw@host`).
    let Some(colon) = text.find(':') else {
        return Cow::Borrowed(text);
    };
    if !text[..colon]
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return Cow::Borrowed(text);
    }
    let rest = &text[colon + 1..];
    let start = colon + 1 + (rest.len() - rest.trim_start_matches(['/', '\\']).len());
    let authority = &text[start..];
    let authority = &authority[..authority
        .find(['/', '\\', '?', '#'])
        .unwrap_or(authority.len())];
    match authority.rfind('@') {
        Some(at) => Cow::Owned(format!(
            "{}{REDACTED}{}",
            &text[..start],
            &text[start + at..]
        )),
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-unit-0123456789abcdef";

    fn redacted(text: &str, secret: &str) -> String {
        let key: Vec<char> = secret.chars().collect();
        let keys = match key.len() >= MIN_SECRET {
            true => vec![key],
            false => Vec::new(),
        };
        redact_all(text, &keys).into_owned()
    }

    #[test]
    fn the_quick_look_misses_no_run_the_careful_one_finds() {
        let mut secrets = Secrets {
            all: Vec::new(),
            long: Vec::new(),
            pairs: [0; 256],
            plain: true,
            shortest: 0,
        };
        assert!(!secrets.may_show(KEY));
        secrets.add_long(KEY.chars().collect());
        for text in [
            format!("a {KEY} b"),
            "x unit-01234 y".into(),
            r"-unit-0\n123456789".into(),
            "k-unit-\n  0123 456789ab".into(),
            r"sk-un\u0069t-0123456789".into(),
            "prompt_tokens sk-unit-01".into(),
        ] {
            assert_ne!(redact_all(&text, &secrets.long), text, "{text}");
            assert!(secrets.may_show(&text), "{text}: the quick look missed it");
        }
        assert!(!secrets.may_show("prompt_tokens sk-unit-0"));
        assert!(!secrets.may_show("completion_tokens"));
        assert!(!secrets.may_show("unit-0 12 3 x 45"));
        // A secret with white space of its own is always looked at carefully.
        secrets.add_long("two words here".chars().collect());
        assert!(secrets.may_show("completion_tokens"));
    }

    #[test]
    fn redacts_long_secrets_and_their_cut_beginnings() {
        assert_eq!(
            redacted(&format!("a {KEY} b {KEY}"), KEY),
            "a [redacted] b [redacted]"
        );
        // A cut inside the key, at the end or before an ellipsis, leaves its beginning.
        assert_eq!(redacted("key: sk-unit-0123", KEY), "key: [redacted]");
        assert_eq!(
            redacted("key: sk-unit-0123… (x)", KEY),
            "key: [redacted]… (x)"
        );
        assert_eq!(redacted("key: sk-unit-0123...", KEY), "key: [redacted]...");
        // The same beginning going on differently is another key of the same kind.
        assert_eq!(
            redacted("sk-unit-9999 is fine", KEY),
            "sk-unit-9999 is fine"
        );
        // Fewer than MIN_RUN characters say nothing.
        assert_eq!(redacted("ends in sk-unit-0", KEY), "ends in sk-unit-0");
        assert_eq!(
            redacted("sk-unit-0123456789abcdefXYZ", KEY),
            "[redacted]XYZ"
        );
    }

    #[test]
    fn a_key_spelled_with_json_escapes_in_text_is_redacted() {
        let escaped: String = KEY
            .chars()
            .map(|c| format!("\\u{:04x}", c as u32))
            .collect();
        // A body cut short, so never decoded: the escapes are read as the characters.
        let body = format!(r#"{{"error":{{"message":"key {escaped}"#);
        assert_eq!(
            redacted(&body, KEY),
            r#"{"error":{"message":"key [redacted]"#
        );
        // Half escaped, upper-case hex, the escaped JSON newline of a wrapped line.
        let half = "sk-unit-\\u0030\\u00312345\\n6789abcdef!";
        assert_eq!(redacted(half, KEY), "[redacted]!");
        let upper = escaped.to_uppercase().replace("\\U", "\\u");
        assert_eq!(redacted(&upper, KEY), "[redacted]");
        // Escapes of other text, and broken ones, are left as they are.
        assert_eq!(redacted(r"\u0041 \uZZZZ \q", KEY), r"\u0041 \uZZZZ \q");
    }

    #[test]
    fn any_long_run_of_the_key_is_redacted_wrapped_or_cut() {
        assert_eq!(
            redacted("'sk-unit-01234' was wrong", KEY),
            "'[redacted]' was wrong"
        );
        assert_eq!(
            redacted("ends ...456789abcdef.", KEY),
            "ends ...[redacted]."
        );
        assert_eq!(
            redacted("key sk-unit-012\r\n  3456789abcdef here", KEY),
            "key [redacted] here"
        );
        assert_eq!(redacted("sk-unit- 9", KEY), "sk-unit- 9");
    }

    #[test]
    fn a_key_split_across_pieces_is_held_back_until_it_shows() {
        add_secret("sk-pieces-0123456789");
        let mut r = Redactor::default();
        let mut shown = r.push("I see sk-pie");
        shown += &r.push("ces-01234");
        shown += &r.push("56789 and sk-pieces-01");
        shown += &r.push("2 more.");
        shown += &r.finish();
        assert_eq!(shown, "I see [redacted] and [redacted] more.");
        let mut r = Redactor::default();
        assert_eq!(r.push("plain text, "), "plain text, ");
    }

    #[test]
    fn short_secrets_are_not_searched_in_free_text() {
        for key in ["1", "ollama", "EMPTY", "1234567"] {
            let text = "HTTP/1.1 from http://127.0.0.1:11434 ollama EMPTY 1234567";
            assert_eq!(redacted(text, key), text);
        }
        assert_eq!(redacted("x 12345678 y", "12345678"), "x [redacted] y");
    }

    #[test]
    fn credential_headers() {
        for name in [
            "Authorization",
            "proxy-authorization",
            "api-key",
            "X-Api-Key",
            "x-goog-api-key",
            "Cookie",
            "set-cookie",
            "X-Auth-Token",
            "x-client-secret",
            "Ocp-Apim-Subscription-Key",
        ] {
            assert!(is_credential_header(name), "{name}");
        }
        for name in [
            "X-Title",
            "content-type",
            "x-request-id",
            "x-ratelimit-remaining-tokens",
        ] {
            assert!(!is_credential_header(name), "{name}");
        }
    }

    #[test]
    fn header_values_hold_short_secrets_only_as_words() {
        assert!(holds_short_secret("Bearer 1", "1"));
        assert!(holds_short_secret("ollama", "ollama"));
        assert!(!holds_short_secret("1.0", "1"));
        assert!(!holds_short_secret("ollama-proxy", "ollama"));
        add_secret("sk-header-0123456789");
        assert_eq!(header_value("x-echo", "sk-header-01234"), "[redacted]");
        assert_eq!(header_value("x-title", "mume"), "mume");
    }

    #[test]
    fn urls_lose_their_user_info() {
        assert_eq!(
            url("https://u:p@h:1/v1?a=b@c"),
            "https://[redacted]@h:1/v1?a=b@c"
        );
        assert_eq!(url("http://token@h/v1"), "http://[redacted]@h/v1");
        assert_eq!(url("https://h/v1/x@y"), "https://h/v1/x@y");
        assert_eq!(url("not a url"), "not a url");
        assert_eq!(url("http://u:p@ bad url"), "http://[redacted]@ bad url");
        assert_eq!(url("http:/u:p@h/v1"), "http:/[redacted]@h/v1");
        assert_eq!(url("http:u:p@h/v1"), "http:[redacted]@h/v1");
        assert_eq!(url("http:\\\\u:p@h/v1"), "http:\\\\[redacted]@h/v1");
    }

    #[test]
    fn every_string_of_a_value_is_redacted_as_it_reads_decoded() {
        let key = "sk-value-0123456789";
        add_secret(key);
        let body = format!(
            r#"{{"error":{{"message":"bad {}","{key}":[1,"{key}"]}}}}"#,
            key.chars()
                .map(|c| format!("\\u{:04x}", c as u32))
                .collect::<String>()
        );
        let mut value: serde_json::Value = serde_json::from_str(&body).unwrap();
        redact_value(&mut value);
        let text = value.to_string();
        assert!(!text.contains(key), "{text}");
        assert_eq!(value["error"]["message"], "bad [redacted]");
        assert_eq!(value["error"]["[redacted]"][1], "[redacted]");
    }
}
