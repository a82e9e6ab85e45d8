//! The result lines of a batch, in mume's form or the OpenAI Batch API's (`--raw`): every
//! string from a server redacted, and never longer than a rerun reads back (`resume`).

use std::borrow::Cow;

use serde::Serialize;
use serde_json::{Value, json};

use super::id::Id;
pub(crate) use super::outcome::Outcome;
use crate::api::assemble::Answer;
use crate::check::ERROR_BODY_LIMIT;
use crate::http::Reply;
use crate::redact::redact;

/// The result line for a row, as written: every string from the server redacted (the
/// row's id is the user's own), and never longer than a rerun reads back.
pub(crate) fn line(id: &Id, number: usize, outcome: &Outcome, model: &str, raw: bool) -> String {
    let text = text(id, number, outcome, model, raw);
    if text.len() as u64 >= LINE_LIMIT {
        let message = format!(
            "the result is {} bytes, more than a result line may hold; a rerun tries the row again",
            text.len()
        );
        let too_large = Outcome::failed(crate::error::PROTOCOL, message);
        return self::text(id, number, &too_large, model, raw);
    }
    text
}

/// The result line, redacted, of any length.
fn text(id: &Id, number: usize, outcome: &Outcome, model: &str, raw: bool) -> String {
    if raw {
        return redacted_fields(raw_line(id, number, outcome)).to_string();
    }
    let fields = match outcome {
        Outcome::Answered { answer, .. } => answered(number, answer, model),
        Outcome::Failed {
            code,
            message,
            reply,
        } => redacted_fields(failed(number, *code, message, reply.as_ref())).to_string(),
    };
    // The id goes first, as the row wrote it: a number as JSON holds no more than an f64.
    format!("{{\"id\":{id},{}", &fields[1..])
}

/// A line's fields redacted, but for the ids, which are the user's own.
fn redacted_fields(mut line: Value) -> Value {
    if let Some(fields) = line.as_object_mut() {
        for (key, field) in fields.iter_mut() {
            if !matches!(key.as_str(), "id" | "custom_id") {
                crate::redact::redact_value(field);
            }
        }
    }
    line
}

/// An answered row's result line, but for its id: every string from the server redacted.
fn answered(line: usize, answer: &Answer, model: &str) -> String {
    #[derive(Serialize)]
    struct Answered<'a> {
        line: usize,
        ok: bool,
        content: Cow<'a, str>,
        finish_reason: Option<Cow<'a, str>>,
        model: Cow<'a, str>,
        usage: Value,
        #[serde(skip_serializing_if = "Value::is_null")]
        tool_calls: Value,
        #[serde(skip_serializing_if = "str::is_empty")]
        reasoning: Cow<'a, str>,
    }
    let redacted = |mut value: Value| {
        crate::redact::redact_value(&mut value);
        value
    };
    let answered = Answered {
        line,
        ok: true,
        content: redact(&answer.content),
        finish_reason: answer.finish_reason.as_deref().map(redact),
        // The model that answered, as the server names it, else the one asked.
        model: redact(answer.model.as_deref().unwrap_or(model)),
        usage: redacted(answer.usage.clone().unwrap_or(Value::Null)),
        tool_calls: match answer.tool_calls.list.is_empty() {
            true => Value::Null,
            false => redacted(json!(answer.tool_calls.list)),
        },
        reasoning: redact(&answer.reasoning),
    };
    serde_json::to_string(&answered).expect("a result line is JSON")
}

/// A failed row's result line as JSON, but for its id.
fn failed(line: usize, code: u8, message: &str, reply: Option<&Reply>) -> Value {
    json!({
        "line": line,
        "ok": false,
        "error": {
            "exit": code,
            "status": reply.map(|r| r.status),
            "message": redact(message),
        },
    })
}

/// The Batch API's output line: the whole response, and an error for a row that failed.
fn raw_line(id: &Id, line: usize, outcome: &Outcome) -> Value {
    let (reply, error) = match outcome {
        Outcome::Answered { reply, .. } => (Some(reply), Value::Null),
        Outcome::Failed {
            code,
            message,
            reply,
        } => {
            let message = redact(message);
            let error = json!({"code": error_code(*code), "message": message, "exit": code});
            (reply.as_ref(), error)
        }
    };
    let response = reply.map(|reply| {
        let body = serde_json::from_slice::<Value>(&reply.body).unwrap_or_else(|_| {
            // Not JSON: kept as text, as much as an error body may be, so that the line
            // stays one a rerun reads whatever the server sent.
            let text = String::from_utf8_lossy(&reply.body);
            let mut end = text.len().min(ERROR_BODY_LIMIT as usize);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            json!(&text[..end])
        });
        json!({
            "status_code": reply.status,
            "request_id": reply.request_id,
            "body": body,
        })
    });
    json!({
        "id": format!("batch_req_{line}"),
        "custom_id": id.key(),
        "response": response,
        "error": error,
    })
}

/// A name for the kind of failure, where the Batch API has a string code.
fn error_code(code: u8) -> &'static str {
    use crate::error::*;
    match code {
        DECLINED => "declined",
        REJECTED => "rejected",
        BAD_INPUT => "bad_input",
        TEMPORARY => "temporary",
        PROTOCOL => "protocol",
        PERMISSION => "permission",
        _ => "failed",
    }
}

/// The longest result line read back: a whole response body of the largest size a row
/// accepts, with room to spare.
pub(super) const LINE_LIMIT: u64 = 64 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answered_lines_hold_the_answer_with_the_id_first() {
        let mut answer = Answer {
            content: "hi \"there\"".into(),
            finish_reason: Some("stop".into()),
            usage: Some(json!({"total_tokens": 3})),
            ..Answer::default()
        };
        let outcome = |answer: &Answer| Outcome::Answered {
            answer: Box::new(answer.clone()),
            reply: Reply {
                status: 200,
                request_id: None,
                content_type: "application/json".into(),
                body: Vec::new(),
            },
        };
        let id = Id::Number("1.50".into());
        assert_eq!(
            line(&id, 2, &outcome(&answer), "m", false),
            r#"{"id":1.50,"line":2,"ok":true,"content":"hi \"there\"","finish_reason":"stop","model":"m","usage":{"total_tokens":3}}"#
        );
        answer.reasoning = "thought".into();
        answer.model = Some("m-2024".into());
        answer.usage = None;
        answer.finish_reason = None;
        let ours: Value =
            serde_json::from_str(&line(&id, 2, &outcome(&answer), "m", false)).unwrap();
        assert_eq!(ours["model"], "m-2024");
        assert_eq!(ours["reasoning"], "thought");
        assert_eq!(ours["usage"], Value::Null);
        assert_eq!(ours["finish_reason"], Value::Null);
        assert!(ours.get("tool_calls").is_none());
    }

    #[test]
    fn failed_lines_carry_the_exit_code_and_status() {
        let reply = Reply {
            status: 400,
            request_id: Some("req-1".into()),
            content_type: "application/json".into(),
            body: br#"{"error":{"message":"bad"}}"#.to_vec(),
        };
        let outcome = Outcome::Failed {
            code: 64,
            message: "HTTP 400".into(),
            reply: Some(reply),
        };
        let ours: Value =
            serde_json::from_str(&line(&Id::Text("a".into()), 3, &outcome, "m", false)).unwrap();
        assert_eq!(
            ours,
            json!({"id": "a", "line": 3, "ok": false,
                   "error": {"exit": 64, "status": 400, "message": "HTTP 400"}})
        );
        let raw: Value = serde_json::from_str(&line(&Id::line(3), 3, &outcome, "m", true)).unwrap();
        assert_eq!(raw["custom_id"], "3");
        assert_eq!(raw["response"]["status_code"], 400);
        assert_eq!(raw["response"]["request_id"], "req-1");
        assert_eq!(raw["response"]["body"]["error"]["message"], "bad");
        assert_eq!(raw["error"]["code"], "rejected");
    }
}
