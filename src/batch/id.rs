//! A row's id, kept exactly as the row wrote it.

use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// A row's id: a string, or a number as its digits were written. A number is never read
/// as a float: `1.10` stays `1.10` and an integer of any length stays whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Id {
    Text(String),
    /// The number's JSON text.
    Number(String),
}

impl Id {
    /// The id of a row that names none: its line number.
    pub(crate) fn line(number: usize) -> Id {
        Id::Number(number.to_string())
    }

    /// The id in `field` of a line parsed into `value`, a number read again from the
    /// line's text. `None` for no id or `null`.
    pub(crate) fn of(value: Option<Value>, field: &str, line: &str) -> Result<Option<Id>, String> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(Id::Text(text))),
            Some(Value::Number(number)) => {
                let written = as_written(line, field).unwrap_or_else(|| number.to_string());
                Ok(Some(Id::Number(written)))
            }
            Some(_) => Err(format!(
                "the row's {field} is neither a string nor a number"
            )),
        }
    }

    /// What results are matched by: a string as it is, a number as its digits, so that
    /// `12` and `"12"` name one row (a raw result's `custom_id` is always a string).
    pub(crate) fn key(&self) -> &str {
        match self {
            Id::Text(text) | Id::Number(text) => text,
        }
    }

    pub(crate) fn hash(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.key().hash(&mut hasher);
        hasher.finish()
    }
}

/// The id as JSON, as the row wrote it.
impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Id::Text(text) => write!(f, "{}", Value::from(text.as_str())),
            Id::Number(number) => f.write_str(number),
        }
    }
}

/// The text of `field` in the JSON object `line`, as written; `None` when the line cannot
/// be read this way (a key given twice).
fn as_written(line: &str, field: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Ids<'a> {
        #[serde(borrow, default)]
        id: Option<&'a RawValue>,
        #[serde(borrow, default)]
        custom_id: Option<&'a RawValue>,
    }
    let ids: Ids = serde_json::from_str(line).ok()?;
    let raw = match field {
        "id" => ids.id,
        _ => ids.custom_id,
    };
    Some(raw?.get().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(line: &str, field: &str) -> Id {
        let mut value: Value = serde_json::from_str(line).unwrap();
        let taken = value.as_object_mut().unwrap().remove(field);
        Id::of(taken, field, line).unwrap().unwrap()
    }

    #[test]
    fn numbers_keep_their_digits() {
        for written in ["12345678901234567890123", "1.10", "1e2", "-0", "7"] {
            let line = format!(r#"{{"x": [1.5], "id" : {written} , "prompt":"p"}}"#);
            let got = id(&line, "id");
            assert_eq!(got, Id::Number(written.into()));
            assert_eq!(got.to_string(), written);
        }
        let batch = r#"{"custom_id": 1.50, "body": {"id": 3}}"#;
        assert_eq!(id(batch, "custom_id").to_string(), "1.50");
    }

    #[test]
    fn strings_and_numbers_of_the_same_text_are_one_key() {
        let text = id(r#"{"id": "12"}"#, "id");
        let number = id(r#"{"id": 12}"#, "id");
        assert_eq!(text.to_string(), "\"12\"");
        assert_eq!(text.key(), number.key());
        assert_eq!(text.hash(), number.hash());
        assert_ne!(
            id(r#"{"id": 1.1}"#, "id").hash(),
            id(r#"{"id": 1.10}"#, "id").hash()
        );
        assert_eq!(Id::line(4).to_string(), "4");
    }

    #[test]
    fn a_key_given_twice_falls_back_to_the_parsed_value() {
        let got = id(r#"{"id": 1, "id": 2}"#, "id");
        assert_eq!(got.to_string(), "2");
    }

    #[test]
    fn no_id_and_wrong_ids() {
        assert_eq!(Id::of(None, "id", "{}"), Ok(None));
        assert_eq!(Id::of(Some(Value::Null), "id", "{}"), Ok(None));
        assert!(Id::of(Some(Value::Bool(true)), "id", "{}").is_err());
    }
}
