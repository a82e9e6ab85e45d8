//! The result lines of a batch, in mume's form or the OpenAI Batch API's (`--raw`): every
//! string from a server redacted, and never longer than a rerun reads back (`resume`).

use serde_json::{Map, Value, json};

use super::id::Id;
pub(crate) use super::outcome::Outcome;
use crate::check::ERROR_BODY_LIMIT;
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
    let mut result = match raw {
        true => raw_line(id, number, outcome),
        false => value(number, outcome, model),
    };
    if let Some(fields) = result.as_object_mut() {
        for (key, field) in fields.iter_mut() {
            if !matches!(key.as_str(), "id" | "custom_id") {
                crate::redact::redact_value(field);
            }
        }
    }
    let text = result.to_string();
    match raw {
        true => text,
        // The id goes first, as the row wrote it: a number as JSON holds no more than an f64.
        false => format!("{{\"id\":{id},{}", &text[1..]),
    }
}

/// The result line for a row as JSON, but for its id.
fn value(line: usize, outcome: &Outcome, model: &str) -> Value {
    match outcome {
        Outcome::Answered { answer, .. } => {
            let mut result = Map::new();
            result.insert("line".into(), json!(line));
            result.insert("ok".into(), json!(true));
            result.insert("content".into(), json!(answer.content));
            result.insert("finish_reason".into(), json!(answer.finish_reason));
            // The model that answered, as the server names it, else the one asked.
            let answered_by = answer.model.as_deref().unwrap_or(model);
            result.insert("model".into(), json!(answered_by));
            result.insert("usage".into(), answer.usage.clone().unwrap_or(Value::Null));
            if !answer.tool_calls.list.is_empty() {
                result.insert("tool_calls".into(), json!(answer.tool_calls.list));
            }
            if !answer.reasoning.is_empty() {
                result.insert("reasoning".into(), json!(answer.reasoning));
            }
            Value::Object(result)
        }
        Outcome::Failed {
            code,
            message,
            reply,
        } => json!({
            "line": line,
            "ok": false,
            "error": {
                "exit": code,
                "status": reply.as_ref().map(|r| r.status),
                "message": redact(message),
            },
        }),
    }
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
    use crate::http::Reply;

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
