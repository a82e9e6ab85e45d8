//! The role's parameters: their values read (`@FILE`, `@-`), and the role's text filled
//! with them.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;

use super::gather::{READING_FILES, read_at_most, read_stdin, utf8};
use crate::error::{BAD_INPUT, fail};
use crate::lifecycle::Deadline;
use crate::settings::{Param, ParamValue, Request, Source};
use crate::template::{INPUT, fill, names};
use crate::text::{one_line, without_line_break};

/// Each parameter's name and its text.
pub(crate) type Values = BTreeMap<String, String>;

/// The parameters' values: text as given, a file's or stdin's text read (one trailing
/// line break taken off, as `$(…)` would), each at most `limit` bytes.
pub(crate) fn read(params: &[Param], limit: u64, deadline: Deadline) -> Result<Values> {
    let mut values = Values::new();
    for param in params {
        let text = match &param.value {
            ParamValue::Text(text) => text.clone(),
            ParamValue::File(path) => {
                let (name, path) = (param.name.clone(), path.clone());
                deadline.bound(READING_FILES, move || read_file(&name, &path, limit))?
            }
            ParamValue::Stdin => {
                let what = format!("-p {}=@-", one_line(&param.name));
                let bytes = read_stdin(limit, false, deadline)?.unwrap_or_default();
                trim_line_break(utf8(bytes, &what)?)
            }
        };
        values.insert(param.name.clone(), text);
    }
    Ok(values)
}

fn read_file(name: &str, path: &Path, limit: u64) -> Result<String> {
    let what = format!(
        "-p {}=@{}",
        one_line(name),
        one_line(&path.display().to_string())
    );
    let folder = format!("{what}: a folder is not a value");
    let Some(bytes) = read_at_most(path, limit, &what, &folder)? else {
        return Err(fail(
            BAD_INPUT,
            format!(
                "{what} is larger than the input limit of {limit} bytes (raise it with --max-input)"
            ),
        ));
    };
    Ok(trim_line_break(utf8(bytes, &what)?))
}

/// The text less one trailing line break, as `$(…)` would take it.
fn trim_line_break(mut text: String) -> String {
    text.truncate(without_line_break(&text).len());
    text
}

/// The system text to send: the role's with its parameters filled; `-s`'s or the config's
/// as they are.
pub(crate) fn system(request: &Request, values: &Values) -> Option<String> {
    let text = request.system.value.as_deref()?;
    Some(match request.system.from {
        Source::Role(_) => fill(text, |name| values.get(name).map(String::as_str)),
        _ => text.to_string(),
    })
}

/// The role's prompt with its parameters filled, and `{{input}}` with the user's prompt
/// (less one trailing line break, as a value read from a file) when it has one; whether it
/// had one.
pub(crate) fn prompt(role_prompt: &str, values: &Values, input: Option<&str>) -> (String, bool) {
    let input = without_line_break(input.unwrap_or(""));
    let filled = fill(role_prompt, |name| match name {
        INPUT => Some(input),
        _ => values.get(name).map(String::as_str),
    });
    (filled, names(role_prompt).contains(&INPUT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_goes_where_the_role_says_and_values_stay_as_given() {
        let values = Values::from([("lang".to_string(), "{{input}}".to_string())]);
        let (text, has) = prompt("To {{lang}}:\n{{input}}\n--", &values, Some("{{lang}}"));
        assert_eq!(text, "To {{input}}:\n{{lang}}\n--");
        assert!(has);
        let (text, _) = prompt("<{{input}}>", &values, Some("piped\r\n\n"));
        assert_eq!(text, "<piped\r\n>");
        let (text, has) = prompt("Summarize in {{lang}}.", &values, Some("x"));
        assert_eq!(text, "Summarize in {{input}}.");
        assert!(!has);
    }

    #[test]
    fn one_line_break_is_taken_off() {
        assert_eq!(trim_line_break("a\n\n".into()), "a\n");
        assert_eq!(trim_line_break("a\r\n".into()), "a");
        assert_eq!(trim_line_break("a".into()), "a");
    }
}
