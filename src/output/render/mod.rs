//! Markdown drawn for a terminal as the answer arrives (SPEC §11): pieces of the answer in,
//! split anywhere (inside a character, inside a `**`), styled text out. It never moves the
//! cursor and never rewrites what it wrote: a line's kind (heading, fence, quote, bullet,
//! rule) is known from its first characters, and an inline span is held only until it
//! closes or its line ends. Every piece it gives back leaves the terminal's style as it
//! found it, so an answer cut short leaves no colour behind. Nothing is reflowed.

mod inline;
#[cfg(test)]
mod tests;

/// The SGR parameters of each look: readable on dark and light backgrounds alike.
mod look {
    pub(super) const TITLE: &str = "1;4;35";
    pub(super) const HEADING: &str = "1;35";
    pub(super) const CODE: &str = "36";
    pub(super) const DIM: &str = "2";
    pub(super) const STRONG: &str = "1";
    pub(super) const EMPHASIS: &str = "3";
    pub(super) const LINK: &str = "4";
    pub(super) const MARK: &str = "1;36";
}

/// The widest rule drawn, for a fence line or `---`.
const RULE_WIDTH: usize = 80;

/// How much of a line's start may decide what the line is.
const HEAD_LIMIT: usize = 256;

/// An answer's Markdown drawn as it arrives.
pub(crate) struct Renderer {
    /// The bytes of a character split between two pieces.
    partial: Vec<u8>,
    /// The current line's text not written yet: all of it while its kind is unknown, else
    /// from an inline span still open.
    line: String,
    /// The current line's kind, once known.
    kind: Option<Kind>,
    /// The last character written of the current line's text: whether `_` may open a
    /// span depends on it.
    previous: Option<char>,
    /// The fenced block the lines are in.
    fence: Option<Fence>,
    /// How wide a rule is drawn.
    width: usize,
    /// The last piece ended in `\r`, held back in case a `\n` follows.
    carriage_return: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Fence {
    mark: char,
    len: usize,
}

/// What a line is, as far as drawing its text goes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// Text with inline spans, all of it in a look of its own (a heading's) or none.
    Text(&'static str),
    /// A line of a fenced block.
    Code,
}

/// What the start of a line decided: its kind, how many bytes of markers it consumed and
/// what is drawn in their place.
#[derive(Debug, PartialEq)]
enum Head {
    Line {
        kind: Kind,
        consumed: usize,
        prefix: String,
    },
    /// A whole line drawn as a rule: a fence that opens or closes a block, or `---`.
    Rule(String, Block),
}

/// What a rule does to the fenced block the lines are in.
#[derive(Debug, PartialEq)]
enum Block {
    Same,
    Opens(Fence),
    Closes,
}

impl Renderer {
    /// A renderer drawing rules at most `columns` wide.
    pub(crate) fn new(columns: usize) -> Renderer {
        Renderer {
            partial: Vec::new(),
            line: String::new(),
            kind: None,
            previous: None,
            fence: None,
            width: columns.clamp(1, RULE_WIDTH),
            carriage_return: false,
        }
    }

    /// Rules drawn from now on are at most `columns` wide: the terminal was resized.
    pub(crate) fn set_columns(&mut self, columns: usize) {
        self.width = columns.clamp(1, RULE_WIDTH);
    }

    /// Adds to `out` what can be drawn of the answer so far once `piece` is added to it.
    pub(crate) fn push(&mut self, piece: &[u8], out: &mut String) {
        // Most pieces are whole characters: drawn from where they are, without a copy.
        if self.partial.is_empty()
            && let Ok(text) = std::str::from_utf8(piece)
        {
            return self.draw(text, false, out);
        }
        let text = self.decode(piece);
        self.draw(&text, false, out);
    }

    /// Adds to `out` what is left to draw at the end of the answer: a line that never
    /// ended is drawn as ended, an opener that never closed as the text it is.
    pub(crate) fn finish(&mut self, out: &mut String) {
        let rest = String::from_utf8_lossy(&std::mem::take(&mut self.partial)).into_owned();
        self.draw(&rest, true, out);
    }

    /// Text of `piece`, a character cut at its end kept for the next piece.
    fn decode(&mut self, piece: &[u8]) -> String {
        self.partial.extend_from_slice(piece);
        let complete = match std::str::from_utf8(&self.partial) {
            Ok(_) => self.partial.len(),
            // A character cut at the end (at most three bytes of one) waits for its rest;
            // bytes that can never be one are replaced.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.partial.len(),
        };
        let rest = self.partial.split_off(complete);
        let text = String::from_utf8_lossy(&self.partial).into_owned();
        self.partial = rest;
        text
    }

    fn draw(&mut self, text: &str, at_end: bool, out: &mut String) {
        for segment in text.split_inclusive('\n') {
            // A line may end in `\r\n`: a `\r` at the end of a piece waits to see which.
            if std::mem::take(&mut self.carriage_return) && !segment.starts_with('\n') {
                self.line.push('\r');
            }
            let ended = segment.ends_with('\n');
            let mut body = segment.strip_suffix('\n').unwrap_or(segment);
            if let Some(before) = body.strip_suffix('\r') {
                body = before;
                self.carriage_return = !ended;
            }
            self.line.push_str(body);
            self.advance(ended, out);
            if ended {
                out.push('\n');
            }
        }
        if at_end && std::mem::take(&mut self.carriage_return) {
            self.line.push('\r');
        }
        if at_end && (!self.line.is_empty() || self.kind.is_some()) {
            self.advance(true, out);
        }
    }

    /// Draws what is decided of the current line; with `ended`, all of it.
    fn advance(&mut self, ended: bool, out: &mut String) {
        if self.kind.is_none() {
            match limited_head(&self.line, ended, self.fence, self.width) {
                None => return,
                Some(Head::Rule(rule, block)) => {
                    paint(out, look::DIM, &rule);
                    match block {
                        Block::Same => {}
                        Block::Opens(fence) => self.fence = Some(fence),
                        Block::Closes => self.fence = None,
                    }
                    return self.next_line();
                }
                Some(Head::Line {
                    kind,
                    consumed,
                    prefix,
                }) => {
                    out.push_str(&prefix);
                    self.line.drain(..consumed);
                    self.kind = Some(kind);
                }
            }
        }
        match self.kind {
            Some(Kind::Code) => {
                paint(out, look::CODE, &self.line);
                self.line.clear();
            }
            Some(Kind::Text(base)) => {
                let taken = inline::scan(&self.line, self.previous, ended, base, out);
                if let Some(last) = self.line[..taken].chars().next_back() {
                    self.previous = Some(last);
                }
                self.line.drain(..taken);
            }
            None => {}
        }
        if ended {
            self.next_line();
        }
    }

    fn next_line(&mut self) {
        self.line.clear();
        self.kind = None;
        self.previous = None;
    }
}

/// Writes `text` in the look `sgr` (none when empty), control characters escaped, the
/// look ended after it.
fn paint(out: &mut String, sgr: &str, text: &str) {
    if text.is_empty() {
        return;
    }
    let text = crate::text::escape(text);
    if sgr.is_empty() {
        out.push_str(&text);
    } else {
        out.push_str("\x1b[");
        out.push_str(sgr);
        out.push('m');
        out.push_str(&text);
        out.push_str("\x1b[0m");
    }
}

/// What the start of a line makes it, looking at its first `HEAD_LIMIT` bytes only: a
/// line whose kind they leave open (a run of dashes, a fence with a long info string,
/// spaces) is text, or code in a fenced block. So a line is never held, or looked at
/// again, for longer than that.
fn limited_head(line: &str, ended: bool, fence: Option<Fence>, width: usize) -> Option<Head> {
    if line.len() <= HEAD_LIMIT {
        return head(line, ended, fence, width);
    }
    let mut end = HEAD_LIMIT;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    head(&line[..end], false, fence, width).or_else(|| {
        let kind = if fence.is_some() {
            Kind::Code
        } else {
            Kind::Text("")
        };
        Some(text_line(kind, 0, String::new()))
    })
}

/// What the start of `line` makes it, once that is known: `None` while more of the line
/// could change it.
fn head(line: &str, ended: bool, fence: Option<Fence>, width: usize) -> Option<Head> {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[spaces..];
    if let Some(open) = fence {
        return match closes(rest, open, spaces, ended)? {
            true => Some(Head::Rule("─".repeat(width), Block::Closes)),
            false => Some(text_line(Kind::Code, 0, String::new())),
        };
    }
    let Some(first) = rest.chars().next() else {
        return ended.then(|| text_line(Kind::Text(""), 0, String::new()));
    };
    let shallow = spaces <= 3;
    match first {
        '`' | '~' if shallow => opens(rest, first, ended, width),
        '#' if shallow => heading(line, spaces, ended),
        '>' if shallow => quote(rest, spaces, ended),
        '-' | '*' | '+' | '_' => rule_or_bullet(line, spaces, first, ended, width),
        '0'..='9' => numbered(line, spaces, ended),
        _ => Some(text_line(Kind::Text(""), 0, String::new())),
    }
}

fn text_line(kind: Kind, consumed: usize, prefix: String) -> Head {
    Head::Line {
        kind,
        consumed,
        prefix,
    }
}

/// Whether a line of a fenced block closes it; `None` while it may yet.
fn closes(rest: &str, fence: Fence, spaces: usize, ended: bool) -> Option<bool> {
    let run = rest.chars().take_while(|&c| c == fence.mark).count();
    let after = &rest[run * fence.mark.len_utf8()..];
    let could = spaces <= 3 && after.chars().all(|c| c == ' ' || c == '\t');
    match (could, ended) {
        (false, _) => Some(false),
        (true, false) => None,
        (true, true) => Some(run >= fence.len),
    }
}

/// A line starting with backticks or tildes: a fence that opens a block (drawn as a rule
/// naming the language) once the line is whole, else text.
fn opens(rest: &str, mark: char, ended: bool, width: usize) -> Option<Head> {
    let run = rest.chars().take_while(|&c| c == mark).count();
    let info = rest[run..].trim();
    if run < 3 || (mark == '`' && info.contains('`')) {
        // Two backticks and more to come could still be three.
        let undecided = run == rest.len() && !ended;
        return (!undecided).then(|| text_line(Kind::Text(""), 0, String::new()));
    }
    if !ended {
        return None;
    }
    let language = info.split_whitespace().next().unwrap_or("");
    let label = match language.is_empty() {
        true => "───".to_string(),
        false => format!("─── {language} "),
    };
    let fill = width.saturating_sub(label.chars().count());
    let rule = label + &"─".repeat(fill);
    Some(Head::Rule(rule, Block::Opens(Fence { mark, len: run })))
}

/// `#` to `######` and a space: a heading, drawn in its look without its markers.
fn heading(line: &str, spaces: usize, ended: bool) -> Option<Head> {
    let rest = &line[spaces..];
    let level = rest.chars().take_while(|&c| c == '#').count();
    let after = &rest[level..];
    if after.is_empty() && !ended && level <= 6 {
        return None;
    }
    if level > 6 || !(after.is_empty() || after.starts_with(' ')) {
        return Some(text_line(Kind::Text(""), 0, String::new()));
    }
    let look = if level == 1 {
        look::TITLE
    } else {
        look::HEADING
    };
    let consumed = spaces + level + usize::from(after.starts_with(' '));
    Some(text_line(Kind::Text(look), consumed, String::new()))
}

/// `>` and an optional space: a quote, its marker drawn as a dim bar.
fn quote(rest: &str, spaces: usize, ended: bool) -> Option<Head> {
    if rest.len() == 1 && !ended {
        return None;
    }
    let consumed = spaces + 1 + usize::from(rest[1..].starts_with(' '));
    let mut bar = String::new();
    paint(&mut bar, look::DIM, "│");
    bar.push(' ');
    Some(text_line(Kind::Text(""), consumed, bar))
}

/// A line of `-`, `*` or `_` (three or more, spaces between) is a rule; `-`, `*` or `+`
/// and a space is a bullet, its indent kept; anything else is text.
fn rule_or_bullet(
    line: &str,
    spaces: usize,
    mark: char,
    ended: bool,
    width: usize,
) -> Option<Head> {
    let rest = &line[spaces..];
    let only_marks = rest.chars().all(|c| c == mark || c == ' ' || c == '\t');
    if mark != '+' && only_marks && spaces <= 3 {
        if !ended {
            return None;
        }
        if rest.matches(mark).count() >= 3 {
            return Some(Head::Rule("─".repeat(width), Block::Same));
        }
    }
    let after = &rest[1..];
    if after.is_empty() && !ended {
        return None;
    }
    if mark == '_' || !after.starts_with([' ', '\t']) {
        return Some(text_line(Kind::Text(""), 0, String::new()));
    }
    let mut prefix = " ".repeat(spaces);
    paint(&mut prefix, look::MARK, "•");
    Some(text_line(Kind::Text(""), spaces + 1, prefix))
}

/// Digits, then `.` or `)`, then a space: a numbered item, its number drawn in the
/// bullets' look.
fn numbered(line: &str, spaces: usize, ended: bool) -> Option<Head> {
    let rest = &line[spaces..];
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    let after = &rest[digits..];
    let mut chars = after.chars();
    let (delimiter, space) = (chars.next(), chars.next());
    if digits <= 9 && !ended && (delimiter.is_none() || (space.is_none() && after.len() == 1)) {
        return None;
    }
    let marked =
        digits <= 9 && matches!(delimiter, Some('.' | ')')) && matches!(space, Some(' ' | '\t'));
    if !marked {
        return Some(text_line(Kind::Text(""), 0, String::new()));
    }
    let mut prefix = " ".repeat(spaces);
    paint(&mut prefix, look::MARK, &rest[..digits + 1]);
    Some(text_line(Kind::Text(""), spaces + digits + 1, prefix))
}
