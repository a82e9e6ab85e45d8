use super::*;
use proptest::prelude::*;

/// The whole text drawn in one piece.
fn drawn(text: &str) -> String {
    let mut renderer = Renderer::new(20);
    let mut out = String::new();
    renderer.push(text.as_bytes(), &mut out);
    renderer.finish(&mut out);
    out
}

/// The text drawn from pieces cut at the given byte offsets.
fn drawn_in_pieces(text: &str, cuts: &[usize]) -> String {
    let mut renderer = Renderer::new(20);
    let mut out = String::new();
    let mut from = 0;
    for &cut in cuts {
        renderer.push(&text.as_bytes()[from..cut], &mut out);
        from = cut;
    }
    renderer.push(&text.as_bytes()[from..], &mut out);
    renderer.finish(&mut out);
    out
}

/// What a terminal shows: each character with the look it is drawn in.
fn cells(out: &str) -> Vec<(char, String)> {
    let mut cells = Vec::new();
    let mut looks: Vec<String> = Vec::new();
    let mut chars = out.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            cells.push((c, looks.join(";")));
            continue;
        }
        assert_eq!(
            chars.next(),
            Some('['),
            "an escape that is no SGR in {out:?}"
        );
        let params: String = chars.by_ref().take_while(|&c| c != 'm').collect();
        assert!(
            params.chars().all(|c| c.is_ascii_digit() || c == ';'),
            "{params:?} in {out:?}"
        );
        match params.as_str() {
            "0" => looks.clear(),
            _ => looks.push(params),
        }
    }
    assert!(looks.is_empty(), "a look left on at the end of {out:?}");
    cells
}

/// The text with the looks taken out.
fn plain(out: &str) -> String {
    cells(out).into_iter().map(|(c, _)| c).collect()
}

fn dim(text: &str) -> String {
    format!("\x1b[2m{text}\x1b[0m")
}

#[test]
fn plain_text_passes_as_it_is() {
    assert_eq!(
        drawn("just words, 2 * 3 = 6\nand more"),
        "just words, 2 * 3 = 6\nand more"
    );
    assert_eq!(drawn(""), "");
    assert_eq!(drawn("\n\n"), "\n\n");
}

#[test]
fn headings_lose_their_markers_and_take_a_look() {
    assert_eq!(drawn("# Title\n"), "\x1b[1;4;35mTitle\x1b[0m\n");
    assert_eq!(drawn("### Part\n"), "\x1b[1;35mPart\x1b[0m\n");
    assert_eq!(drawn("#hashtag\n"), "#hashtag\n");
    assert_eq!(drawn("####### seven\n"), "####### seven\n");
    assert_eq!(
        drawn("## A `b`\n"),
        "\x1b[1;35mA \x1b[0m\x1b[1;35;36mb\x1b[0m\n"
    );
}

#[test]
fn inline_spans() {
    assert_eq!(drawn("a **b** c"), "a \x1b[1mb\x1b[0m c");
    assert_eq!(drawn("a *b* _c_"), "a \x1b[3mb\x1b[0m \x1b[3mc\x1b[0m");
    assert_eq!(drawn("***both***"), "\x1b[1;3mboth\x1b[0m");
    assert_eq!(drawn("run `ls -l` now"), "run \x1b[36mls -l\x1b[0m now");
    assert_eq!(drawn("``a ` b``"), "\x1b[36ma ` b\x1b[0m");
    assert_eq!(
        drawn("*it **is** so*"),
        "\x1b[3mit \x1b[0m\x1b[3;1mis\x1b[0m\x1b[3m so\x1b[0m"
    );
    // Not spans: inside a word, before white space, never closed, escaped.
    assert_eq!(drawn("snake_case_name"), "snake_case_name");
    assert_eq!(drawn("a * b * c"), "a * b * c");
    assert_eq!(drawn("**open\nnext"), "**open\nnext");
    assert_eq!(drawn("`open"), "`open");
    assert_eq!(drawn(r"\*not\*"), "*not*");
    assert_eq!(drawn(r"a\b"), r"a\b");
}

#[test]
fn links_show_their_text_then_the_address_dimmed() {
    assert_eq!(
        drawn("see [the docs](https://x.y/z) now"),
        format!("see \x1b[4mthe docs\x1b[0m {} now", dim("(https://x.y/z)"))
    );
    assert_eq!(drawn("a[1] and [b]"), "a[1] and [b]");
    assert_eq!(drawn("[open"), "[open");
}

#[test]
fn fenced_blocks_are_drawn_between_rules_naming_the_language() {
    let text = "```rust\nlet a = *b*;\n```\nafter\n";
    let expected = format!(
        "{}\n\x1b[36mlet a = *b*;\x1b[0m\n{}\nafter\n",
        dim("─── rust ───────────"),
        dim(&"─".repeat(20))
    );
    assert_eq!(drawn(text), expected);
    // A longer fence closes only with as long a run; tildes work too.
    let nested = "~~~~\n~~~\n~~~~\n";
    assert_eq!(
        plain(&drawn(nested)),
        format!("───{}\n~~~\n{}\n", "─".repeat(17), "─".repeat(20))
    );
    // Left open, the block runs to the end.
    assert_eq!(
        drawn("```\ncode"),
        format!("{}\n\x1b[36mcode\x1b[0m", dim(&"─".repeat(20)))
    );
    // Two backticks are no fence.
    assert_eq!(drawn("``x``\n"), "\x1b[36mx\x1b[0m\n");
}

#[test]
fn quotes_bullets_numbers_and_rules() {
    assert_eq!(drawn("> said\n"), format!("{} said\n", dim("│")));
    assert_eq!(
        drawn("- one\n  * two\n"),
        "\x1b[1;36m•\x1b[0m one\n  \x1b[1;36m•\x1b[0m two\n"
    );
    assert_eq!(drawn("12. twelve\n"), "\x1b[1;36m12.\x1b[0m twelve\n");
    assert_eq!(drawn("1.5 million\n"), "1.5 million\n");
    assert_eq!(drawn("---\n"), format!("{}\n", dim(&"─".repeat(20))));
    assert_eq!(drawn("* * *"), dim(&"─".repeat(20)));
    assert_eq!(drawn("-- not\n"), "-- not\n");
    assert_eq!(drawn("**bold** start\n"), "\x1b[1mbold\x1b[0m start\n");
    assert_eq!(drawn("| a | b |\n"), "| a | b |\n");
}

#[test]
fn control_characters_from_the_server_are_escaped() {
    let out = drawn("a\x1b[2Jb **\x1b]0;x\x07**\n```\n\x1b[H\n");
    assert!(!out.contains("\x1b[2J") && !out.contains("\x1b[H") && !out.contains('\x07'));
    assert!(plain(&out).contains(r"\u{1b}[2J"), "{out:?}");
    assert_eq!(drawn("tab\there"), "tab\there");
}

#[test]
fn spans_are_held_only_until_they_close_or_the_line_ends() {
    let mut renderer = Renderer::new(20);
    let mut push = |piece: &[u8]| {
        let mut out = String::new();
        renderer.push(piece, &mut out);
        out
    };
    assert_eq!(push(b"plain then **bo"), "plain then ");
    assert_eq!(push(b"ld** and"), "\x1b[1mbold\x1b[0m and");
    assert_eq!(push(b" `co"), " ");
    assert_eq!(push(b"de\n"), "`code\n");
    // A line's start is held only until its kind is known.
    assert_eq!(push(b"#"), "");
    assert_eq!(push(b"# Hi"), "\x1b[1;35mHi\x1b[0m");
    assert_eq!(push(b"\n-"), "\n");
    assert_eq!(push(b"x"), "-x");
    // A character cut in two waits for its second half.
    assert_eq!(push(b" \xc3"), " ");
    assert_eq!(push(b"\xa9"), "é");
    let mut rest = String::new();
    renderer.finish(&mut rest);
    assert_eq!(rest, "");
}

#[test]
fn lines_may_end_in_crlf() {
    let text = "# T\r\n\r\n```sh\r\nls\r\n```\r\nafter **b**\r\n---\r\n";
    let whole = drawn(text);
    assert_eq!(whole, drawn(&text.replace("\r\n", "\n")));
    // However the pieces fall, a `\r` before its `\n` included.
    let cuts: Vec<usize> = (1..text.len()).collect();
    assert_eq!(cells(&drawn_in_pieces(text, &cuts)), cells(&whole));
    // A `\r` inside a line is the server's, and shown escaped.
    assert_eq!(plain(&drawn("a\rb\n")), "a\\rb\n");
}

#[test]
fn long_lines_are_looked_at_a_bounded_way_however_they_arrive() {
    let every_fourth = |text: &str| -> Vec<usize> { (4..text.len()).step_by(4).collect() };
    for text in [
        format!("*{}*", "a".repeat(600)),
        format!("**{}** b", "a".repeat(100)),
        format!("{}\n", "-".repeat(1000)),
        format!("{}x", " ".repeat(1000)),
        format!("```{}\n", "i".repeat(1000)),
        format!("[{}](u)", "l".repeat(600)),
        "*a ".repeat(400),
    ] {
        let whole = drawn(&text);
        let pieces = drawn_in_pieces(&text, &every_fourth(&text));
        assert_eq!(cells(&pieces), cells(&whole), "{text:.40}");
    }
    // Past the limits, a span is text and a run of dashes no rule.
    assert_eq!(
        plain(&drawn(&format!("*{}*", "a".repeat(600)))),
        format!("*{}*", "a".repeat(600))
    );
    assert_eq!(
        drawn(&format!("**{}**", "a".repeat(100))),
        format!("\x1b[1m{}\x1b[0m", "a".repeat(100))
    );
    assert_eq!(drawn(&"-".repeat(1000)), "-".repeat(1000));
}

fn markdown() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a", "b", "é", " ", "  ", "\n", "\t", "*", "**", "_", "`", "```", "~~~", "#", "## ", ">",
        "- ", "+ ", "1. ", "---", "[", "]", "(", ")", "\\", "x_y", "[l](u)", "\x1b[2J",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|p| p.concat())
}

/// Cut points of a text: any bytes, inside characters too.
fn with_cuts() -> impl Strategy<Value = (String, Vec<usize>)> {
    markdown().prop_flat_map(|text| {
        let len = text.len();
        let cuts = prop::collection::vec(0..=len, 0..8).prop_map(|mut cuts| {
            cuts.sort_unstable();
            cuts
        });
        (Just(text), cuts)
    })
}

/// The characters of `text` that are not markers: a heading's or a quote's marker takes
/// the space after it too, and a line that may be drawn as a rule (a fence, `- - -`) is
/// left out whole.
fn kept(text: &str) -> String {
    let mut kept = String::new();
    for line in text.split_inclusive('\n') {
        let start = line.trim_start_matches(' ');
        let rule = !start.trim().is_empty() && start.trim().chars().all(|c| " \t-*_".contains(c));
        if start.starts_with("```") || start.starts_with("~~~") || rule {
            continue;
        }
        let marked = start.trim_start_matches(['#', '>']);
        let line = match marked.len() < start.len() {
            true => marked.strip_prefix(' ').unwrap_or(marked),
            false => line,
        };
        kept.extend(line.chars().filter(|c| !"*_`~#>-+[]()\\".contains(*c)));
    }
    kept
}

proptest! {
    #[test]
    fn pieces_draw_what_the_whole_draws((text, cuts) in with_cuts()) {
        prop_assert_eq!(cells(&drawn_in_pieces(&text, &cuts)), cells(&drawn(&text)));
    }

    #[test]
    fn every_character_but_the_markers_is_kept(text in markdown()) {
        // Control characters are shown escaped: compare with the text escaped.
        let text = crate::text::escape(&text).into_owned();
        let shown = plain(&drawn(&text));
        let mut shown = shown.chars();
        for c in kept(&text).chars() {
            prop_assert!(shown.any(|s| s == c), "{:?} lost from {:?}", c, text);
        }
    }

    #[test]
    fn nothing_but_looks_is_ever_sent_to_the_terminal(text in markdown()) {
        // `cells` fails on any escape that is not a look, and on a look left on.
        cells(&drawn(&text));
    }
}
