//! A role's text with `{{name}}` parameters: the names it holds, and the text with them
//! filled, in one pass, so that nothing a value brings in is ever filled in turn.

/// The parameter that stands for the user's prompt, in a role's prompt only.
pub(crate) const INPUT: &str = "input";

/// Whether `name` can name a parameter: letters, digits, `_` and `-`, at least one.
pub(crate) fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// Each `{{name}}` of `text`, at its place: (start, end, name). Text between `{{` and `}}`
/// that is not a name is not a parameter.
fn places(text: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let mut from = 0;
    // The first `}}` at or after the last place looked from: no other lies between, so it
    // is the first after any later opening before it too. Each byte is searched once.
    let mut next_close: Option<usize> = None;
    std::iter::from_fn(move || {
        while let Some(open) = text[from..].find("{{").map(|i| from + i) {
            let inner = open + 2;
            let close = match next_close {
                Some(close) if close >= inner => Some(close),
                _ => text[inner..].find("}}").map(|i| inner + i),
            };
            next_close = close;
            let Some(close) = close else {
                from = text.len();
                return None;
            };
            let name = &text[inner..close];
            if is_name(name) {
                from = close + 2;
                return Some((open, close + 2, name));
            }
            // `{{{a}}`: the parameter may open one brace later.
            from = open + 1;
        }
        None
    })
}

/// The parameters `text` holds, each once, in the order they first appear.
pub(crate) fn names(text: &str) -> Vec<&str> {
    let mut found: Vec<&str> = Vec::new();
    for (_, _, name) in places(text) {
        if !found.contains(&name) {
            found.push(name);
        }
    }
    found
}

/// `text` with each `{{name}}` that `value` knows replaced by its value; the others stay as
/// they are. The values are put in as they are: never searched for parameters themselves.
pub(crate) fn fill<'a>(text: &str, value: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut filled = String::with_capacity(text.len());
    let mut done = 0;
    for (start, end, name) in places(text) {
        if let Some(value) = value(name) {
            filled.push_str(&text[done..start]);
            filled.push_str(value);
            done = end;
        }
    }
    filled.push_str(&text[done..]);
    filled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<&'a str> {
        move |name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    #[test]
    fn names_are_found_once_in_order() {
        assert_eq!(
            names("{{b}} and {{a}}, {{b}} again, {{in-put_2}}"),
            ["b", "a", "in-put_2"]
        );
        assert_eq!(names("no parameters"), Vec::<&str>::new());
        assert_eq!(names("{{é}}"), ["é"]);
    }

    #[test]
    fn text_that_is_not_a_name_is_not_a_parameter() {
        for text in [
            "{{}}",
            "{{ name }}",
            "{{a b}}",
            "{{#if x}}",
            "{{a.b}}",
            "{{open",
            "close}}",
            "{a}",
        ] {
            assert_eq!(names(text), Vec::<&str>::new(), "{text}");
            assert_eq!(fill(text, |_| Some("X")), text, "{text}");
        }
    }

    #[test]
    fn braces_around_a_parameter_stay() {
        assert_eq!(names("{{{a}}}"), ["a"]);
        assert_eq!(fill("{{{a}}}", with(&[("a", "1")])), "{1}");
        assert_eq!(fill("{{ {{a}}", with(&[("a", "1")])), "{{ 1");
    }

    #[test]
    fn fills_every_place_and_leaves_unknown_names() {
        let filled = fill(
            "Say {{what}} in {{lang}}; {{lang}} only. {{other}}",
            with(&[("what", "hi"), ("lang", "French")]),
        );
        assert_eq!(filled, "Say hi in French; French only. {{other}}");
    }

    #[test]
    fn values_are_never_filled_in_turn() {
        let filled = fill(
            "{{a}} {{b}}",
            with(&[("a", "{{b}}"), ("b", "{{a}} {{input}}")]),
        );
        assert_eq!(filled, "{{b}} {{a}} {{input}}");
    }

    #[test]
    fn text_of_openers_alone_is_read_in_linear_time() {
        let text = "{{".repeat(200_000) + "}}";
        let started = std::time::Instant::now();
        assert_eq!(names(&text), Vec::<&str>::new());
        assert_eq!(fill(&text, |_| Some("x")), text);
        // Quadratic would be about 10^10 steps: minutes, not this.
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn empty_values_and_multibyte_text() {
        assert_eq!(fill("→{{a}}←", with(&[("a", "")])), "→←");
        assert_eq!(fill("ü{{a}}ü", with(&[("a", "ß")])), "üßü");
    }
}
