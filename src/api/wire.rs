//! The shapes of the API's answers as serde reads them: streamed chunks, whole
//! completions and error bodies, parsed into borrowed structs where that saves copies.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::redact;

/// A tool call as the API sends it, and as mume prints it: one compact JSON line each.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct ToolCall {
    #[serde(default)]
    pub(crate) id: String,
    #[serde(rename = "type", default = "function_type")]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) function: FunctionCall,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct FunctionCall {
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default, deserialize_with = "arguments")]
    pub(crate) arguments: String,
}

/// A call's arguments as the API defines them, a string of JSON. Some servers send the
/// JSON itself (an object); it is taken as its text rather than refused.
pub(crate) fn arguments<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    })
}

fn function_type() -> String {
    "function".into()
}

#[derive(Deserialize)]
pub(crate) struct Chunk<'a> {
    /// Only choice 0 is shown (`-o n=2` streams several, each chunk for one of them).
    #[serde(borrow, default, deserialize_with = "choice_zero")]
    pub(crate) choices: Option<ChunkChoice<'a>>,
    #[serde(default)]
    pub(crate) usage: Option<Value>,
    #[serde(default)]
    pub(crate) error: Option<Value>,
}

#[derive(Deserialize)]
pub(crate) struct ChunkChoice<'a> {
    #[serde(default)]
    pub(crate) index: Option<u64>,
    #[serde(borrow, default)]
    pub(crate) delta: Option<Delta<'a>>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub(crate) finish_reason: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
pub(crate) struct Delta<'a> {
    #[serde(borrow, default, deserialize_with = "text")]
    pub(crate) content: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub(crate) reasoning: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub(crate) reasoning_content: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub(crate) refusal: Option<Cow<'a, str>>,
    #[serde(default)]
    pub(crate) tool_calls: Option<Vec<CallDelta>>,
}

#[derive(Deserialize)]
pub(crate) struct CallDelta {
    /// Absent in some servers' streams (Gemini's), which tell calls apart by `id`.
    #[serde(default)]
    pub(crate) index: Option<u64>,
    pub(crate) id: Option<String>,
    #[serde(rename = "type")]
    pub(crate) kind: Option<String>,
    pub(crate) function: Option<FunctionDelta>,
}

#[derive(Deserialize)]
pub(crate) struct FunctionDelta {
    pub(crate) name: Option<String>,
    #[serde(default, deserialize_with = "some_arguments")]
    pub(crate) arguments: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct Completion {
    /// The model that answered, as the server names it: any JSON, so that a server that
    /// names it oddly still has its answer read.
    #[serde(default)]
    pub(crate) model: Option<Value>,
    #[serde(default)]
    pub(crate) choices: Vec<Choice>,
    #[serde(default)]
    pub(crate) usage: Option<Value>,
    /// An error the server sent in place of an answer: read the long way, as a value.
    #[serde(default)]
    pub(crate) error: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
pub(crate) struct Choice {
    #[serde(default)]
    pub(crate) index: Option<u64>,
    #[serde(default)]
    pub(crate) message: Option<Message>,
    #[serde(default)]
    pub(crate) finish_reason: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct Message {
    #[serde(default)]
    pub(crate) content: Option<Value>,
    #[serde(default)]
    pub(crate) reasoning: Option<String>,
    #[serde(default)]
    pub(crate) reasoning_content: Option<String>,
    #[serde(default)]
    pub(crate) refusal: Option<String>,
    #[serde(default)]
    pub(crate) tool_calls: Option<Vec<ToolCall>>,
}

fn some_arguments<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    arguments(d).map(Some)
}

/// A string that borrows from the input when it holds no escapes. Serde's own
/// `Option<Cow<str>>` always allocates, once per chunk on the hottest path.
fn text<'de, D>(deserializer: D) -> Result<Option<Cow<'de, str>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Text;

    impl<'de> serde::de::Visitor<'de> for Text {
        type Value = Option<Cow<'de, str>>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string or null")
        }

        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed(v)))
        }

        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_string())))
        }

        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v)))
        }

        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    deserializer.deserialize_any(Text)
}

/// Deserializes a list of choices into the one with index 0 (or no index), with no
/// allocation for the list.
fn choice_zero<'de, D>(deserializer: D) -> Result<Option<ChunkChoice<'de>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Zero;

    impl<'de> serde::de::Visitor<'de> for Zero {
        type Value = Option<ChunkChoice<'de>>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of choices")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut zero = None;
            while let Some(choice) = seq.next_element::<ChunkChoice>()? {
                if zero.is_none() && choice.index.unwrap_or(0) == 0 {
                    zero = Some(choice);
                }
            }
            Ok(zero)
        }

        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    deserializer.deserialize_any(Zero)
}

/// The choice of a whole answer that is shown: index 0, else the first.
pub(crate) fn choice_zero_of(choices: Vec<Choice>) -> Option<Choice> {
    let at = choices
        .iter()
        .position(|c| c.index.unwrap_or(0) == 0)
        .unwrap_or(0);
    choices.into_iter().nth(at)
}

/// Tool calls assembled from streamed fragments, each under the index the server gave it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Calls {
    pub(crate) list: Vec<ToolCall>,
    /// The server's index of each call in `list`; `None` where it sent none.
    indexes: Vec<Option<u64>>,
}

impl Calls {
    /// Adds one fragment. A fragment belongs to the call of its index, or without an index
    /// to the latest call; a new id starts a new call. Some servers repeat the id and name
    /// in every fragment, so those are taken once; arguments are concatenated. Indexes are
    /// keys, not positions: calls 0 and 2 are two calls, and a huge index costs nothing.
    pub(crate) fn merge(&mut self, delta: CallDelta) {
        let id = delta.id.filter(|s| !s.is_empty());
        let (name, arguments) = match delta.function {
            Some(FunctionDelta { name, arguments }) => (
                name.filter(|s| !s.is_empty()),
                arguments.filter(|s| !s.is_empty()),
            ),
            None => (None, None),
        };
        let latest = self.list.len().checked_sub(1);
        let found = match (delta.index, &id) {
            // The call of that index, unless the fragment brings another id: a new call.
            (Some(index), _) => {
                self.indexes
                    .iter()
                    .rposition(|&i| i == Some(index))
                    .filter(|&at| {
                        let held = &self.list[at].id;
                        id.as_ref().is_none_or(|id| held.is_empty() || held == id)
                    })
            }
            // Without an index, an id already seen names its call (fragments may
            // interleave); a new id goes on the latest call only while it has none.
            (None, Some(id)) => self
                .list
                .iter()
                .rposition(|c| &c.id == id)
                .or(latest.filter(|&at| self.list[at].id.is_empty())),
            (None, None) => latest,
        };
        let at = match found {
            Some(at) => at,
            // A fragment that says nothing does not make a call.
            None if id.is_none() && name.is_none() && arguments.is_none() => return,
            None => {
                self.list.push(ToolCall {
                    kind: "function".into(),
                    ..ToolCall::default()
                });
                self.indexes.push(delta.index);
                self.list.len() - 1
            }
        };
        let call = &mut self.list[at];
        if let Some(id) = id.filter(|_| call.id.is_empty()) {
            call.id = id;
        }
        if let Some(kind) = delta.kind.filter(|s| !s.is_empty()) {
            call.kind = kind;
        }
        if let Some(name) = name.filter(|_| call.function.name.is_empty()) {
            call.function.name = name;
        }
        if let Some(arguments) = arguments {
            call.function.arguments.push_str(&arguments);
        }
    }
}

/// Message content as text: a string, or the text parts of a list of parts; none for
/// `null` or no content. `None` for anything else, which the API never sends.
pub(crate) fn content_text(content: Option<Value>) -> Option<String> {
    match content {
        None | Some(Value::Null) => Some(String::new()),
        Some(Value::String(s)) => Some(s),
        Some(Value::Array(parts)) => {
            let mut text = String::new();
            for part in parts {
                // A part is an object; its text, when it has one, is a string.
                match part.get("text") {
                    _ if !part.is_object() => return None,
                    Some(Value::String(piece)) => text.push_str(piece),
                    Some(_) => return None,
                    None => {}
                }
            }
            Some(text)
        }
        Some(_) => None,
    }
}

/// The human text of an error body (OpenAI, OpenRouter, FastAPI and plain forms), on one
/// line, and the error's code or type.
pub(crate) fn error_text(body: &Value) -> (String, String) {
    let error = body.get("error").unwrap_or(body);
    let kind = ["code", "type"]
        .iter()
        .find_map(|k| error.get(k).and_then(Value::as_str))
        .unwrap_or("")
        .to_string();
    let mut text = match error {
        Value::String(s) => s.clone(),
        _ => error
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| body.get("detail").map(detail_text))
            .unwrap_or_else(|| {
                if error.is_object() {
                    error.to_string()
                } else {
                    String::new()
                }
            }),
    };
    if let Some(raw) = error.pointer("/metadata/raw").and_then(Value::as_str) {
        // Redacted before the cut, so that no cut leaves part of a key.
        let raw: String = redact::redact(raw).chars().take(200).collect();
        text.push_str(&format!(" ({raw})"));
    }
    if let Some(provider) = error
        .pointer("/metadata/provider_name")
        .and_then(Value::as_str)
    {
        text.push_str(&format!(" [provider {provider}]"));
    }
    (crate::text::one_line(&text), kind)
}

/// FastAPI's `detail`: a string, or a list of `{loc, msg}`.
fn detail_text(detail: &Value) -> String {
    match detail {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                let loc: Vec<String> = item
                    .get("loc")
                    .and_then(Value::as_array)
                    .map(|l| {
                        l.iter()
                            .map(|p| p.as_str().map_or(p.to_string(), str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                let msg = item.get("msg").and_then(Value::as_str).unwrap_or("invalid");
                if loc.is_empty() {
                    msg.to_string()
                } else {
                    format!("{}: {msg}", loc.join("."))
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn delta(v: Value) -> CallDelta {
        serde_json::from_value(v).unwrap()
    }

    fn merged(deltas: Vec<Value>) -> Vec<ToolCall> {
        let mut calls = Calls::default();
        for v in deltas {
            calls.merge(delta(v));
        }
        calls.list
    }

    #[test]
    fn calls_merge_by_index_without_repeating_names() {
        let calls = merged(vec![
            json!({"index":0,"id":"a","type":"function","function":{"name":"f","arguments":""}}),
            json!({"index":1,"id":"b","type":"function","function":{"name":"g","arguments":"{\"y"}}),
            json!({"index":0,"id":"a","function":{"name":"f","arguments":"{\"x\":"}}),
            json!({"index":1,"function":{"arguments":"\":2}"}}),
            json!({"index":0,"function":{"arguments":"1}"}}),
        ]);
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].id, "a");
        assert_eq!(calls[0].function.name, "f");
        assert_eq!(calls[0].function.arguments, "{\"x\":1}");
        assert_eq!(calls[1].function.arguments, "{\"y\":2}");
    }

    #[test]
    fn indexes_are_keys_and_ids_tell_calls_apart() {
        let calls = merged(vec![
            json!({"index":0,"id":"a","function":{"name":"f","arguments":"{}"}}),
            json!({"index":2,"id":"b","function":{"name":"g","arguments":"{}"}}),
            json!({"index":4_000_000_000u64,"id":"c","function":{"name":"h"}}),
            json!({"index":7}),
        ]);
        let ids: Vec<&str> = calls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        let calls = merged(vec![
            json!({"id":"a","function":{"name":"f","arguments":"{\"x\":"}}),
            json!({"function":{"arguments":"1}"}}),
            json!({"id":"b","function":{"name":"g","arguments":"{"}}),
            json!({"id":"a","function":{"arguments":""}}),
            json!({"id":"b","function":{"arguments":"}"}}),
        ]);
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[1].function.arguments, "{}");
        assert_eq!(calls[0].function.arguments, "{\"x\":1}");
        assert_eq!(calls[1].function.name, "g");
    }

    #[test]
    fn arguments_sent_as_an_object_are_taken_as_text() {
        let calls = merged(vec![
            json!({"index":0,"id":"a","function":{"name":"f","arguments":{"x":1}}}),
        ]);
        assert_eq!(calls[0].function.arguments, "{\"x\":1}");
        let call: ToolCall =
            serde_json::from_value(json!({"id":"a","function":{"name":"f","arguments":{"x":1}}}))
                .unwrap();
        assert_eq!(call.function.arguments, "{\"x\":1}");
    }

    #[test]
    fn the_stream_follows_choice_zero() {
        let chunk: Chunk = serde_json::from_str(
            r#"{"choices":[{"index":1,"delta":{"content":"B"}},{"index":0,"delta":{"content":"A"}}]}"#,
        )
        .unwrap();
        let content = chunk.choices.unwrap().delta.unwrap().content;
        assert_eq!(content.as_deref(), Some("A"));
        let chunk: Chunk =
            serde_json::from_str(r#"{"choices":[{"index":1,"delta":{"content":"B"}}]}"#).unwrap();
        assert!(chunk.choices.is_none());
    }

    #[test]
    fn error_texts() {
        let (t, k) = error_text(&json!({"error":{"message":"quota","code":"insufficient_quota"}}));
        assert_eq!((t.as_str(), k.as_str()), ("quota", "insufficient_quota"));
        let (t, _) = error_text(
            &json!({"error":{"code":502,"message":"down","metadata":{"provider_name":"X","raw":"boom"}}}),
        );
        assert_eq!(t, "down (boom) [provider X]");
        let (t, _) = error_text(&json!({"detail":"Not Found"}));
        assert_eq!(t, "Not Found");
        let (t, _) =
            error_text(&json!({"detail":[{"loc":["body","model"],"msg":"field required"}]}));
        assert_eq!(t, "body.model: field required");
        let (t, _) = error_text(&json!({"error":"plain\u{1b}[2J"}));
        assert_eq!(t, "plain\\u{1b}[2J");
    }

    #[test]
    fn text_borrows_unless_escaped() {
        let chunk: Chunk = serde_json::from_str(
            r#"{"choices":[{"delta":{"content":"plain","refusal":"a\nb"},"finish_reason":null}]}"#,
        )
        .unwrap();
        let choice = chunk.choices.unwrap();
        let delta = choice.delta.unwrap();
        assert!(matches!(delta.content, Some(Cow::Borrowed("plain"))));
        assert_eq!(delta.refusal.as_deref(), Some("a\nb"));
        assert!(choice.finish_reason.is_none());
    }

    #[test]
    fn content_parts_join() {
        let v = json!([{"type":"text","text":"a"},{"type":"text","text":"b"}]);
        assert_eq!(content_text(Some(v)).as_deref(), Some("ab"));
        assert_eq!(content_text(None).as_deref(), Some(""));
        assert_eq!(content_text(Some(Value::Null)).as_deref(), Some(""));
        assert_eq!(content_text(Some(serde_json::json!({"text": "x"}))), None);
        assert_eq!(content_text(Some(serde_json::json!(4))), None);
        for not_parts in [
            json!([1, 2]),
            json!(["a", "b"]),
            json!([{"type": "text", "text": 5}]),
        ] {
            assert_eq!(content_text(Some(not_parts)), None);
        }
        let image = json!([{"type": "image_url", "image_url": {"url": "u"}}, {"type": "text", "text": "t"}]);
        assert_eq!(content_text(Some(image)).as_deref(), Some("t"));
    }

    #[test]
    fn tool_call_prints_in_api_order() {
        let call = ToolCall {
            id: "c1".into(),
            kind: "function".into(),
            function: FunctionCall {
                name: "f".into(),
                arguments: "{}".into(),
            },
        };
        assert_eq!(
            serde_json::to_string(&call).unwrap(),
            r#"{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}"#
        );
    }
}
