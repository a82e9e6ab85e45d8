//! What one exchange sends and what it adds to its conversation, from the conversation so
//! far, the messages given, the new lines and the settings: pure functions, so that a
//! single request and every row of a batch are built the same way, by the same rules.

use anyhow::Result;
use serde_json::{Map, Value, json};

use super::gather::Gathered;
use super::params::{self, Values};
use crate::error::{USAGE, fail};
use crate::settings::{Settings, Source};
use crate::store;

/// The settings a request body is made of.
pub(crate) struct Base<'a> {
    pub(crate) model: &'a str,
    /// The system text of `-s` or the config.
    pub(crate) system: Option<&'a str>,
    /// `-s` was given: it replaces the conversation's own system message.
    pub(crate) system_from_flag: bool,
    pub(crate) stream: bool,
    /// `--usage`: a streamed body asks for the usage in its last chunk.
    pub(crate) usage: bool,
    /// Request fields other than model, messages and stream, precedence applied.
    pub(crate) fields: &'a Map<String, Value>,
}

/// One exchange: the body to send, and what the conversation keeps of it before the answer.
#[derive(Debug, PartialEq)]
pub(crate) struct Exchange {
    pub(crate) body: Value,
    /// The system message sent at the head, stored when the conversation's own differs.
    pub(crate) system: Option<Value>,
    /// The given messages, then the new lines (tool results, the prompt).
    pub(crate) lines: Vec<Value>,
}

/// Builds the exchange. The conversation's stored lines go with only the fields a server
/// accepts, its system message first (one: `-s` replaces it, else the latest stored one,
/// else the config's); messages given with `--messages` follow as given, and when they
/// hold a system message of their own, no other is added; the new lines come last.
pub(crate) fn build(
    base: &Base,
    history: &[Value],
    imported: Vec<Value>,
    new_lines: Vec<Value>,
) -> Exchange {
    let imports_system = imported.iter().any(|m| m["role"] == "system");
    let system = system_line(base, history).filter(|_| !imports_system);
    let stored = history.iter().filter(|m| m["role"] != "system");
    let mut messages: Vec<Value> = Vec::with_capacity(history.len() + imported.len() + 2);
    messages.extend(system.clone());
    messages.extend(stored.map(store::sendable));
    messages.extend(imported.iter().cloned());
    messages.extend(new_lines.iter().cloned());

    let mut body = Map::new();
    body.insert("model".into(), json!(base.model));
    body.insert("messages".into(), Value::Array(messages));
    if base.stream {
        body.insert("stream".into(), json!(true));
        if base.usage {
            body.insert("stream_options".into(), json!({"include_usage": true}));
        }
    }
    for (key, value) in base.fields {
        body.insert(key.clone(), value.clone());
    }
    let mut lines = imported;
    lines.extend(new_lines);
    Exchange {
        body: Value::Object(body),
        system,
        lines,
    }
}

/// The user message of an exchange or a batch row: the prompt after the role's text
/// (`prompt` of `[roles.NAME]`) and a blank line, or in its place where the role's text
/// has `{{input}}`, with the image parts (`-a`). The role's parameters are filled with
/// `values`. Without a prompt, a role's text says what to do with the images it comes
/// with; without either, there is no user message.
pub(crate) fn user_line(
    prompt: Option<String>,
    role_prompt: Option<&str>,
    values: &Values,
    images: &[Value],
) -> Option<Value> {
    // A role prompt of only white space, as written or once filled, says nothing: it adds
    // no blank line, no part.
    let role_prompt = role_prompt.filter(|p| !p.trim().is_empty());
    let role_prompt = role_prompt
        .map(|text| params::prompt(text, values, prompt.as_deref()))
        .filter(|(filled, _)| !filled.trim().is_empty());
    let text = match (prompt, role_prompt) {
        (Some(_), Some((filled, true))) => Some(filled),
        (Some(prompt), Some((before, false))) => Some(format!("{before}\n\n{prompt}")),
        (Some(prompt), None) => Some(prompt),
        (None, Some((before, _))) if !images.is_empty() => Some(before),
        (None, _) => None,
    };
    if images.is_empty() {
        return text.map(|text| json!({"role": "user", "content": text}));
    }
    let text = text.map(|text| json!({"type": "text", "text": text}));
    let parts: Vec<Value> = text.into_iter().chain(images.iter().cloned()).collect();
    Some(json!({"role": "user", "content": parts}))
}

/// A planned exchange: the body, what the conversation keeps of it, and the model asked.
#[derive(Debug, PartialEq)]
pub(crate) struct Plan {
    pub(crate) exchange: Exchange,
    /// The model asked: the settings' or, continuing, the conversation's.
    pub(crate) model: String,
}

/// Plans a single exchange from the settings and what was gathered. A continued
/// conversation keeps its model unless `-m`, or `-r` given again, says otherwise.
pub(crate) fn plan(settings: &Settings, gathered: Gathered) -> Result<Plan> {
    let request = &settings.request;
    let continued = gathered.conversation.is_some();
    let model = match store::model(&gathered.history) {
        Some(model)
            if continued && !matches!(request.model.from, Source::Flag | Source::Role(_)) =>
        {
            model.to_string()
        }
        _ => request.model.value.clone(),
    };
    let mut new_lines = gathered.tool_results;
    new_lines.extend(user_line(
        gathered.prompt,
        request.role_prompt.as_deref(),
        &gathered.values,
        &gathered.images,
    ));
    let asks = |m: &Value| matches!(m.get("role").and_then(Value::as_str), Some("user" | "tool"));
    // Given messages say something of their own (an assistant's last line is a prefill).
    if new_lines.is_empty()
        && gathered.imported.is_empty()
        && !gathered.history.last().is_some_and(asks)
    {
        return Err(fail(
            USAGE,
            "no prompt: give one as words or on stdin, e.g. mume \"write a haiku\" or echo hi | mume",
        ));
    }
    let system = params::system(request, &gathered.values);
    let base = Base {
        model: &model,
        system: system.as_deref(),
        system_from_flag: settings.system_replaces(),
        stream: request.stream.value,
        usage: request.usage,
        fields: &gathered.fields,
    };
    let exchange = build(&base, &gathered.history, gathered.imported, new_lines);
    Ok(Plan { exchange, model })
}

/// The system message to send: `-s` replaces the conversation's; otherwise the latest one
/// the conversation holds; otherwise the config's.
fn system_line(base: &Base, history: &[Value]) -> Option<Value> {
    let stored = history.iter().rev().find(|m| m["role"] == "system");
    let given = |text: &str| json!({"role": "system", "content": text});
    match (base.system, stored) {
        (Some(text), _) if base.system_from_flag => Some(given(text)),
        (_, Some(stored)) => Some(stored.clone()),
        (Some(text), None) => Some(given(text)),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base<'a>(system: Option<&'a str>, flag: bool, fields: &'a Map<String, Value>) -> Base<'a> {
        Base {
            model: "m",
            system,
            system_from_flag: flag,
            stream: false,
            usage: false,
            fields,
        }
    }

    fn user(text: &str) -> Value {
        json!({"role": "user", "content": text})
    }

    fn sys(text: &str) -> Value {
        json!({"role": "system", "content": text})
    }

    fn sent(exchange: &Exchange) -> &Vec<Value> {
        exchange.body["messages"].as_array().unwrap()
    }

    #[test]
    fn a_new_prompt_with_the_config_system() {
        let fields = Map::new();
        let e = build(
            &base(Some("brief"), false, &fields),
            &[],
            vec![],
            vec![user("q")],
        );
        assert_eq!(
            e.body,
            json!({"model": "m", "messages": [sys("brief"), user("q")]})
        );
        assert_eq!(e.system, Some(sys("brief")));
        assert_eq!(e.lines, [user("q")]);
    }

    #[test]
    fn the_conversation_s_system_stands_unless_s_replaces_it() {
        let fields = Map::new();
        let stored = json!({"role": "assistant", "content": "a", "model": "x", "time": "t"});
        let history = [sys("old"), user("q1"), stored, sys("newer"), user("q2")];
        let e = build(
            &base(Some("config"), false, &fields),
            &history,
            vec![],
            vec![user("q3")],
        );
        assert_eq!(
            sent(&e),
            &[
                sys("newer"),
                user("q1"),
                json!({"role": "assistant", "content": "a"}),
                user("q2"),
                user("q3")
            ],
            "one system message, the latest; recorded fields not sent"
        );
        let e = build(
            &base(Some("flag"), true, &fields),
            &history,
            vec![],
            vec![user("q3")],
        );
        assert_eq!(sent(&e)[0], sys("flag"));
    }

    #[test]
    fn given_messages_go_as_given_and_their_system_stands_alone() {
        let fields = Map::new();
        let given = vec![
            sys("one"),
            user("a"),
            json!({"role": "user", "content": "b", "name": "x"}),
        ];
        let e = build(
            &base(Some("flag"), true, &fields),
            &[],
            given.clone(),
            vec![],
        );
        assert_eq!(sent(&e), &given);
        assert_eq!(e.system, None);
        assert_eq!(e.lines, given);
    }

    #[test]
    fn fields_and_stream_join_the_body() {
        let mut fields = Map::new();
        fields.insert("temperature".into(), json!(0.2));
        let mut b = base(None, false, &fields);
        b.stream = true;
        let e = build(&b, &[], vec![], vec![user("q")]);
        assert_eq!(e.body["stream"], true);
        assert_eq!(e.body["temperature"], 0.2);
        assert_eq!(e.system, None);
    }

    #[test]
    fn a_streamed_body_asks_for_usage_and_a_whole_one_never_does() {
        let fields = Map::new();
        let mut b = base(None, false, &fields);
        b.usage = true;
        let e = build(&b, &[], vec![], vec![user("q")]);
        assert!(e.body.get("stream_options").is_none(), "{}", e.body);
        b.stream = true;
        let e = build(&b, &[], vec![], vec![user("q")]);
        assert_eq!(e.body["stream_options"], json!({"include_usage": true}));
    }

    #[test]
    fn the_user_line_rule() {
        let image = json!({"type": "image_url", "image_url": {"url": "u"}});
        let text = |t: &str| json!({"type": "text", "text": t});
        assert_eq!(user_line(None, Some("role"), &Values::new(), &[]), None);
        assert_eq!(
            user_line(None, None, &Values::new(), std::slice::from_ref(&image)),
            Some(json!({"role": "user", "content": [image.clone()]}))
        );
        assert_eq!(
            user_line(
                None,
                Some("role"),
                &Values::new(),
                std::slice::from_ref(&image)
            ),
            Some(json!({"role": "user", "content": [text("role"), image.clone()]}))
        );
        assert_eq!(
            user_line(Some("p".into()), Some("role"), &Values::new(), &[]),
            Some(json!({"role": "user", "content": "role\n\np"}))
        );
        assert_eq!(
            user_line(
                Some("p".into()),
                None,
                &Values::new(),
                std::slice::from_ref(&image)
            ),
            Some(json!({"role": "user", "content": [text("p"), image]}))
        );
    }

    fn planned(args: &str, gathered: Gathered) -> Result<Plan> {
        let settings = crate::settings::from_args(args, &Default::default()).unwrap();
        plan(&settings, gathered)
    }

    #[test]
    fn a_continued_conversation_keeps_its_model_unless_m_says_otherwise() {
        let answered = json!({"role": "assistant", "content": "a", "model": "stored/m"});
        let continued = || Gathered {
            conversation: Some("c.jsonl".into()),
            history: vec![user("q"), answered.clone()],
            prompt: Some("again".into()),
            ..Gathered::default()
        };
        let p = planned("", continued()).unwrap();
        assert_eq!(p.model, "stored/m");
        assert_eq!(p.exchange.body["model"], "stored/m");
        assert_eq!(planned("-m flag/m", continued()).unwrap().model, "flag/m");
        let new = Gathered {
            prompt: Some("q".into()),
            ..Gathered::default()
        };
        assert_eq!(
            planned("", new).unwrap().model,
            crate::settings::DEFAULT_MODEL
        );
    }

    #[test]
    fn a_plan_needs_something_to_ask() {
        let err = planned("", Gathered::default()).unwrap_err();
        assert!(err.to_string().starts_with("no prompt"), "{err}");
        let asked = Gathered {
            conversation: Some("c.jsonl".into()),
            history: vec![user("unanswered")],
            ..Gathered::default()
        };
        assert!(
            planned("", asked).is_ok(),
            "the conversation's last line asks"
        );
    }
}
