//! A byte-level parser for server-sent events, fed whatever the network hands us.
//!
//! Pure: no I/O. Lines end in LF, CRLF or a lone CR (a CR at the end of one read may be
//! followed by the LF of the next); a leading BOM is dropped; comment lines are skipped;
//! several `data` lines join with `\n`; an event ends at a blank line, so one still open
//! when the stream ends is never returned. An event larger than the limit is an error,
//! which keeps memory bounded whatever the server sends.

/// One dispatched event, borrowed from the parser until the next call. `name` is the
/// `event:` field, when there was one.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Event<'a> {
    pub(crate) name: Option<String>,
    pub(crate) data: &'a str,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SseError {
    TooLarge,
    NotUtf8,
}

pub(crate) struct Parser {
    buf: Vec<u8>,
    pos: usize,
    /// Where the search for the next line end resumes: bytes before it hold none.
    scan: usize,
    data: Vec<u8>,
    /// The data of the event last returned; its buffer is reused.
    dispatched: String,
    has_data: bool,
    name: Option<String>,
    skip_lf: bool,
    bom_checked: bool,
    limit: usize,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How much of a line comes before a `data` field's value; 0 for any other line.
fn field_name_len(line: &[u8]) -> usize {
    if line.starts_with(b"data: ") {
        6
    } else if line.starts_with(b"data:") {
        5
    } else {
        0
    }
}

impl Parser {
    pub(crate) fn new(limit: usize) -> Parser {
        Parser {
            buf: Vec::with_capacity(16 * 1024),
            pos: 0,
            scan: 0,
            data: Vec::new(),
            dispatched: String::new(),
            has_data: false,
            name: None,
            skip_lf: false,
            bom_checked: false,
            limit,
        }
    }

    /// Adds bytes from the network. Call `next` until it returns `None` before feeding more.
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        if self.pos >= self.buf.len() {
            self.buf.clear();
        } else if self.pos > 0 {
            self.buf.drain(..self.pos);
        }
        self.scan -= self.pos.min(self.scan);
        self.pos = 0;
        self.buf.extend_from_slice(bytes);
        if !self.bom_checked {
            if self.buf.starts_with(BOM) {
                self.buf.drain(..BOM.len());
                self.scan = 0;
                self.bom_checked = true;
            } else if self.buf.len() >= BOM.len() || !BOM.starts_with(&self.buf) {
                self.bom_checked = true;
            }
        }
    }

    /// The next complete event in what was fed so far.
    pub(crate) fn next(&mut self) -> Option<Result<Event<'_>, SseError>> {
        if !self.bom_checked {
            return None;
        }
        loop {
            if self.skip_lf && self.pos < self.buf.len() {
                if self.buf[self.pos] == b'\n' {
                    self.pos += 1;
                }
                self.skip_lf = false;
            }
            if !self.has_data
                && self.name.is_none()
                && let Some((start, end)) = self.single_line()
            {
                return Some(match std::str::from_utf8(&self.buf[start..end]) {
                    Ok(data) => Ok(Event { name: None, data }),
                    Err(_) => Err(SseError::NotUtf8),
                });
            }
            let from = self.scan.max(self.pos);
            let found = memchr::memchr2(b'\n', b'\r', &self.buf[from..]);
            let Some(end) = found.map(|i| from + i - self.pos) else {
                self.scan = self.buf.len();
                // An unfinished data line counts as the field will (its value, after the
                // newline that joins it to the data before); any other line by itself.
                let line = &self.buf[self.pos..];
                let size = match field_name_len(line) {
                    0 => line.len(),
                    name => self.data.len() + usize::from(self.has_data) + line.len() - name,
                };
                if size > self.limit {
                    return Some(Err(SseError::TooLarge));
                }
                return None;
            };
            let rest = &self.buf[self.pos..];
            self.skip_lf = rest[end] == b'\r';
            let start = self.pos;
            self.pos += end + 1;
            self.scan = self.pos;
            if end == 0 {
                match self.dispatch() {
                    Some(Ok(name)) => {
                        return Some(Ok(Event {
                            name,
                            data: &self.dispatched,
                        }));
                    }
                    Some(Err(e)) => return Some(Err(e)),
                    None => continue,
                }
            }
            if let Err(e) = self.field(start, start + end) {
                return Some(Err(e));
            }
        }
    }

    /// The event nearly every one is, `data: VALUE` and a blank line, taken where it lies:
    /// the place of its value, with the parser moved past the event. Anything else (more
    /// lines, a name, a lone CR, an empty value, an event not all here yet) is `None`, for
    /// the line-by-line path.
    fn single_line(&mut self) -> Option<(usize, usize)> {
        let rest = &self.buf[self.pos..];
        let value = field_name_len(rest);
        if value == 0 {
            return None;
        }
        // Bytes before `scan` hold no line end: an event that comes in many reads is
        // searched once, not from its start at every read.
        let from = value.max(self.scan.saturating_sub(self.pos));
        let end = from + memchr::memchr2(b'\n', b'\r', rest.get(from..)?)?;
        let blank = match &rest[end..] {
            [b'\n', b'\n', ..] => 2,
            [b'\r', b'\n', b'\r', b'\n', ..] => 4,
            _ => return None,
        };
        if end == value || end - value > self.limit {
            return None;
        }
        let start = self.pos;
        self.pos += end + blank;
        self.scan = self.pos;
        Some((start + value, start + end))
    }

    fn field(&mut self, start: usize, end: usize) -> Result<(), SseError> {
        let line = &self.buf[start..end];
        if line[0] == b':' {
            return Ok(());
        }
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(i) => {
                let value = &line[i + 1..];
                (&line[..i], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        match name {
            b"data" => {
                if self.has_data {
                    self.data.push(b'\n');
                }
                self.has_data = true;
                if self.data.len() + value.len() > self.limit {
                    return Err(SseError::TooLarge);
                }
                self.data.extend_from_slice(value);
            }
            b"event" => {
                self.name = Some(String::from_utf8_lossy(value).into_owned());
            }
            _ => {}
        }
        Ok(())
    }

    /// Ends the current event: moves its data into `dispatched` and returns its name.
    #[allow(clippy::option_option)]
    fn dispatch(&mut self) -> Option<Result<Option<String>, SseError>> {
        let name = self.name.take();
        let had_data = std::mem::take(&mut self.has_data);
        if !had_data || self.data.is_empty() {
            self.data.clear();
            return None;
        }
        // Swap buffers rather than allocate: both keep their capacity across events.
        let mut bytes = std::mem::take(&mut self.dispatched).into_bytes();
        bytes.clear();
        std::mem::swap(&mut bytes, &mut self.data);
        match String::from_utf8(bytes) {
            Ok(text) => {
                self.dispatched = text;
                Some(Ok(name))
            }
            Err(e) => {
                self.data = e.into_bytes();
                self.data.clear();
                Some(Err(SseError::NotUtf8))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An owned copy of an event, to collect and compare.
    #[derive(Debug, PartialEq, Eq)]
    struct Owned {
        name: Option<String>,
        data: String,
    }

    fn own(event: Result<Event<'_>, SseError>) -> Result<Owned, SseError> {
        event.map(|e| Owned {
            name: e.name,
            data: e.data.to_string(),
        })
    }

    fn parse_whole(input: &[u8]) -> Vec<Result<Owned, SseError>> {
        let mut p = Parser::new(1 << 20);
        p.feed(input);
        let mut out = Vec::new();
        while let Some(e) = p.next() {
            out.push(own(e));
        }
        out
    }

    /// Feeds the input split at every position (and byte by byte), and checks that each
    /// way gives the same events as feeding it whole.
    fn check_all_splits(input: &[u8], want: &[Owned]) {
        let got: Vec<Owned> = parse_whole(input).into_iter().map(Result::unwrap).collect();
        assert_eq!(got, want, "whole input");
        for split in 0..=input.len() {
            let mut p = Parser::new(1 << 20);
            let mut got = Vec::new();
            for part in [&input[..split], &input[split..]] {
                p.feed(part);
                while let Some(e) = p.next() {
                    got.push(own(e).unwrap());
                }
            }
            assert_eq!(got, want, "split at {split}");
        }
        let mut p = Parser::new(1 << 20);
        let mut got = Vec::new();
        for b in input {
            p.feed(std::slice::from_ref(b));
            while let Some(e) = p.next() {
                got.push(own(e).unwrap());
            }
        }
        assert_eq!(got, want, "byte by byte");
    }

    fn ev(data: &str) -> Owned {
        Owned {
            name: None,
            data: data.into(),
        }
    }

    #[test]
    fn line_endings_lf_crlf_cr() {
        let want = [ev("a"), ev("b")];
        check_all_splits(b"data: a\n\ndata: b\n\n", &want);
        check_all_splits(b"data: a\r\n\r\ndata: b\r\n\r\n", &want);
        check_all_splits(b"data: a\r\rdata: b\r\r", &want);
        check_all_splits(b"data: a\r\n\rdata: b\n\r\n", &want);
    }

    #[test]
    fn bom_is_dropped_once() {
        check_all_splits(b"\xEF\xBB\xBFdata: a\n\n", &[ev("a")]);
        check_all_splits(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\n", &[]);
    }

    #[test]
    fn comments_and_unknown_fields_are_ignored() {
        check_all_splits(b": keep-alive\n\nid: 1\nretry: 10\ndata: x\n\n", &[ev("x")]);
    }

    #[test]
    fn multi_line_data_joins_with_newline() {
        check_all_splits(b"data: {\"a\":\ndata: 1}\n\n", &[ev("{\"a\":\n1}")]);
    }

    #[test]
    fn space_after_colon_is_optional_and_only_one_is_dropped() {
        check_all_splits(b"data:x\n\ndata:  y\n\n", &[ev("x"), ev(" y")]);
    }

    #[test]
    fn empty_data_is_not_dispatched() {
        check_all_splits(b"data:\n\nevent: ping\n\ndata: z\n\n", &[ev("z")]);
    }

    #[test]
    fn event_name_is_kept() {
        let want = [Owned {
            name: Some("error".into()),
            data: "{}".into(),
        }];
        check_all_splits(b"event: error\ndata: {}\n\n", &want);
    }

    #[test]
    fn unfinished_event_is_discarded() {
        check_all_splits(b"data: a\n\ndata: b\n", &[ev("a")]);
    }

    #[test]
    fn split_utf8_stays_intact() {
        check_all_splits("data: héllo €\n\n".as_bytes(), &[ev("héllo €")]);
    }

    #[test]
    fn done_is_plain_data() {
        check_all_splits(b"data: [DONE]\n\n", &[ev("[DONE]")]);
    }

    #[test]
    fn oversized_event_is_an_error_not_a_buffer() {
        let mut p = Parser::new(100);
        p.feed(b"data: ");
        p.feed(&[b'x'; 200]);
        assert_eq!(p.next().map(own), Some(Err(SseError::TooLarge)));

        let mut p = Parser::new(100);
        for _ in 0..30 {
            p.feed(b"data: xxxxxxxx\n");
            if let Some(r) = p.next() {
                assert_eq!(own(r), Err(SseError::TooLarge));
                return;
            }
        }
        panic!("the limit was never reached");
    }

    /// Single-line events read where they lie, beside the shapes that must take the
    /// line-by-line path, in every split (which takes the latter more often).
    #[test]
    fn single_line_events_agree_with_the_line_by_line_path() {
        check_all_splits(
            b"data: a\n\ndata:b\r\n\r\ndata:  c\n\ndata: d\ndata: e\n\n\
              event: x\ndata: f\n\ndata: g\n\r\ndata: h\r\rdata:\n\n: hi\ndata: i\n\n\
              data\n\ndata: [DONE]\n\n",
            &[
                ev("a"),
                ev("b"),
                ev(" c"),
                ev("d\ne"),
                Owned {
                    name: Some("x".into()),
                    data: "f".into(),
                },
                ev("g"),
                ev("h"),
                ev("i"),
                ev("[DONE]"),
            ],
        );
        let mut p = Parser::new(1 << 20);
        p.feed(b"data: \xff\n\ndata: ok\n\n");
        assert_eq!(p.next().map(own), Some(Err(SseError::NotUtf8)));
        assert_eq!(p.next().map(own), Some(Ok(ev("ok"))));
        let mut p = Parser::new(4);
        p.feed(b"data: 12345\n\n");
        assert_eq!(p.next().map(own), Some(Err(SseError::TooLarge)));
    }

    /// An event of exactly the limit is taken however its bytes arrive; one byte more is
    /// refused; a big event that trickles in arrives whole.
    #[test]
    fn the_limit_is_the_data_however_it_arrives() {
        for field in ["data: ", "data:"] {
            for (value, ok) in [("12345678", true), ("123456789", false)] {
                let whole = format!("{field}{value}\n\n");
                for split in [
                    whole.len(),
                    whole.len() - 2,
                    whole.len() - 1,
                    field.len() + 3,
                ] {
                    let mut p = Parser::new(8);
                    let mut got = Vec::new();
                    // An error ends the stream: the parser is not read after one.
                    for part in [&whole[..split], &whole[split..]] {
                        p.feed(part.as_bytes());
                        while got.iter().all(Result::is_ok)
                            && let Some(e) = p.next()
                        {
                            got.push(own(e));
                        }
                    }
                    let want = if ok {
                        Ok(ev(value))
                    } else {
                        Err(SseError::TooLarge)
                    };
                    assert_eq!(got.first(), Some(&want), "{whole:?} split at {split}");
                }
            }
        }
        let mut p = Parser::new(1 << 24);
        p.feed(b"data: ");
        let piece = [b'x'; 300];
        for _ in 0..20_000 {
            p.feed(&piece);
            assert!(p.next().is_none());
        }
        p.feed(b"\n\n");
        assert_eq!(
            p.next().map(|e| e.map(|e| e.data.len())),
            Some(Ok(6_000_000))
        );
    }

    #[test]
    fn invalid_utf8_is_reported() {
        assert_eq!(parse_whole(b"data: \xff\n\n"), vec![Err(SseError::NotUtf8)]);
    }
}
