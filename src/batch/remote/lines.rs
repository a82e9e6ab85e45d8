//! The Batch API's files a line at a time: the request line a row is uploaded as, and the
//! row's outcome read back from a line of an output or error file.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::batch::id::Id;
use crate::batch::results::Outcome;
use crate::error::{TEMPORARY, code_for_status};
use crate::http::Reply;

/// The longest `custom_id` that is the row's own id; a longer one is sent as `mume-L<line>`.
const CUSTOM_ID_LIMIT: usize = 64;

/// The `custom_id` of a row: its id as a string, or `mume-L<line>` when that is too long.
pub(crate) fn custom_id(id: &Id, line: usize) -> String {
    match id.key() {
        key if key.len() <= CUSTOM_ID_LIMIT => key.to_string(),
        _ => format!("mume-L{line}"),
    }
}

/// A row's line of an input file: its body, sent to the chat completions endpoint.
pub(crate) fn request_line(custom_id: &str, body: &Value) -> String {
    // Written from borrowed fields: the body is not copied into a new value first.
    #[derive(Serialize)]
    struct RequestLine<'a> {
        custom_id: &'a str,
        method: &'static str,
        url: &'static str,
        body: &'a Value,
    }
    let line = RequestLine {
        custom_id,
        method: "POST",
        url: "/v1/chat/completions",
        body,
    };
    serde_json::to_string(&line).expect("a request line is JSON")
}

/// A returned line as the fields it has, the body left as its text: it is parsed once,
/// as an answer.
#[derive(Deserialize)]
struct Returned<'a> {
    #[serde(borrow)]
    custom_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    response: Option<Response<'a>>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct Response<'a> {
    status_code: Option<u64>,
    #[serde(default)]
    request_id: Option<String>,
    #[serde(borrow, default)]
    body: Option<&'a RawValue>,
}

/// A line of an output or error file: the `custom_id` it answers and the row's outcome,
/// read as a local run reads a response. The body may be a JSON object, or a JSON string
/// holding one; a line with no response is the provider's own failure of the row
/// (`batch_expired`, `batch_cancelled`, a server's `{"error": {"type", "message"}}`).
pub(crate) fn returned(line: &str, split_think: bool) -> Result<(String, Outcome), String> {
    let read: Returned =
        serde_json::from_str(line).map_err(|e| format!("a line that is not JSON ({e})"))?;
    let custom_id = match read.custom_id.map(RawValue::get) {
        Some(text) if text.starts_with('"') => {
            serde_json::from_str::<String>(text).map_err(|e| e.to_string())?
        }
        Some(number) if number.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => {
            number.to_string()
        }
        _ => return Err("a line without a custom_id".into()),
    };
    if let Some(Response {
        status_code: Some(status),
        request_id,
        body,
    }) = read.response
    {
        let body = match body.map(RawValue::get) {
            // A server that sends the completion as a JSON string holding it.
            Some(text) if text.starts_with('"') => serde_json::from_str::<String>(text)
                .map_err(|e| e.to_string())?
                .into_bytes(),
            Some("null") | None => Vec::new(),
            Some(text) => text.as_bytes().to_vec(),
        };
        let reply = Reply {
            status: u16::try_from(status).unwrap_or(u16::MAX),
            request_id,
            content_type: "application/json".into(),
            body,
        };
        return Ok((custom_id, Outcome::of(reply, split_think)));
    }
    let Some(error) = read.error.filter(Value::is_object) else {
        return Err(format!(
            "{custom_id}: a line with neither a response nor an error"
        ));
    };
    let kind = ["code", "type"]
        .iter()
        .find_map(|k| error[k].as_str())
        .unwrap_or("error");
    let message = error["message"].as_str().unwrap_or("no message");
    let code = relayed_status(message).map_or(TEMPORARY, code_for_status);
    let message = format!("the provider did not run the row: {kind}: {message}");
    Ok((custom_id, Outcome::failed(code, message)))
}

/// The HTTP status of a row's request as a server that relays it through OpenAI's Python
/// library words its failure (`Error code: 400 - …`, as Llama Stack does): the row then
/// exits as the same request sent alone would.
fn relayed_status(message: &str) -> Option<u16> {
    let rest = message.strip_prefix("Error code: ")?;
    let digits = rest
        .get(..3)
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))?;
    let after = &rest[3..];
    if !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    digits
        .parse()
        .ok()
        .filter(|status| (400..600).contains(status))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(line: &str) -> (String, Outcome) {
        returned(line, true).unwrap()
    }

    const COMPLETION: &str =
        r#"{"choices":[{"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}"#;

    #[test]
    fn a_custom_id_is_the_row_s_id_unless_too_long() {
        assert_eq!(custom_id(&Id::Text("a".into()), 3), "a");
        assert_eq!(custom_id(&Id::line(3), 3), "3");
        assert_eq!(custom_id(&Id::Number("1.10".into()), 3), "1.10");
        assert_eq!(custom_id(&Id::Text("x".repeat(64)), 3), "x".repeat(64));
        assert_eq!(custom_id(&Id::Text("x".repeat(65)), 3), "mume-L3");
        // Bytes, not characters: 22 three-byte characters are 66 bytes.
        assert_eq!(custom_id(&Id::Text("€".repeat(22)), 9), "mume-L9");
    }

    #[test]
    fn a_request_line_is_the_batch_api_s() {
        let line = request_line("7", &json!({"model": "m", "messages": []}));
        assert_eq!(
            line,
            r#"{"custom_id":"7","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[]}}"#
        );
    }

    #[test]
    fn every_kind_of_returned_line() {
        // OpenAI's answered row, the body an object.
        let ok = format!(
            r#"{{"id":"batch_req_1","custom_id":"a","response":{{"status_code":200,"request_id":"r1","body":{COMPLETION}}},"error":null}}"#
        );
        let (id, outcome) = read(&ok);
        assert_eq!(id, "a");
        let Outcome::Answered { answer, reply } = outcome else {
            panic!("not answered")
        };
        assert_eq!(answer.content, "hi");
        assert_eq!(reply.request_id.as_deref(), Some("r1"));

        // A server that sends the body as a JSON string holding the completion.
        let string_body =
            json!({"custom_id": "b", "response": {"status_code": 200, "body": COMPLETION}});
        let (_, outcome) = read(&string_body.to_string());
        assert!(outcome.ok());

        // A failing status: the code a single request would exit with.
        let rejected = r#"{"custom_id":"c","response":{"status_code":400,"body":{"error":{"message":"bad model"}}},"error":null}"#;
        let Outcome::Failed { code, message, .. } = read(rejected).1 else {
            panic!("not failed")
        };
        assert_eq!(code, crate::error::REJECTED);
        assert!(message.contains("bad model"), "{message}");

        // The provider did not run it: OpenAI's code, or a server's type without one.
        for (line, kind) in [
            (
                r#"{"custom_id":"d","response":null,"error":{"code":"batch_expired","message":"This request could not be executed before the completion window expired."}}"#,
                "batch_expired",
            ),
            (
                r#"{"custom_id":"e","error":{"type":"InternalError","message":"boom"}}"#,
                "InternalError",
            ),
        ] {
            let Outcome::Failed { code, message, .. } = read(line).1 else {
                panic!("not failed")
            };
            assert_eq!(code, TEMPORARY);
            assert!(message.contains(kind), "{message}");
        }

        // A server that relays the row's own HTTP failure in its message: the row exits as
        // that request alone would; other messages stay temporary.
        let relayed = |message: &str| {
            let line =
                json!({"custom_id": "g", "error": {"code": "request_failed", "message": message}});
            match read(&line.to_string()).1 {
                Outcome::Failed { code, .. } => code,
                Outcome::Answered { .. } => panic!("not failed"),
            }
        };
        assert_eq!(relayed("Error code: 400 - refused"), crate::error::REJECTED);
        assert_eq!(
            relayed("Error code: 401 - no key"),
            crate::error::PERMISSION
        );
        assert_eq!(relayed("Error code: 503"), TEMPORARY);
        assert_eq!(relayed("Error code: 4000 - odd"), TEMPORARY);
        assert_eq!(relayed("Error code: 200 - fine?"), TEMPORARY);
        assert_eq!(relayed("upstream said Error code: 400"), TEMPORARY);

        // An answer that is no completion fails as it would locally.
        let empty = r#"{"custom_id":"f","response":{"status_code":200,"body":{"choices":[]}}}"#;
        assert!(!read(empty).1.ok());
    }

    #[test]
    fn lines_that_are_not_results_are_said_so() {
        assert!(returned("{", true).unwrap_err().contains("not JSON"));
        assert!(
            returned(r#"{"response":{}}"#, true)
                .unwrap_err()
                .contains("custom_id")
        );
        assert!(
            returned(r#"{"custom_id":"x"}"#, true)
                .unwrap_err()
                .contains("neither")
        );
    }
}
