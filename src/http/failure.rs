//! The one failure classifier of a request: no response in time, a failed send, a
//! redirect, or a failing status with its body. Each becomes the error a user reads (its
//! exit code in the contract) and what `retry` needs to know to decide on another attempt.

use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::error::{CONFIG, PERMISSION, TEMPORARY, UNAVAILABLE, code_for_status, fail};
use crate::redact;
use crate::text::{one_line, shorten};

/// What went wrong with one attempt.
#[derive(Debug)]
pub(crate) enum Trouble {
    /// No answer at all: the connection timed out before the response began, or broke
    /// before it.
    NoResponse,
    /// No connection could be made: refused, an unknown host, a connect timeout.
    NoConnection,
    /// The server answered with a failing status; `quota` when it says the quota is spent.
    Status {
        status: u16,
        headers: Box<HeaderMap>,
        quota: bool,
    },
    /// The connection broke while the answer was arriving.
    Broken { shown: bool },
    /// Trying again cannot help: TLS refused, a redirect, an error of the caller's.
    Final,
}

/// A response read whole.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) content_type: String,
    pub(crate) body: Vec<u8>,
}

/// A failed attempt: the error to show, what `retry` needs to know, and the response when
/// there was one.
#[derive(Debug)]
pub(crate) struct Failed {
    pub(crate) error: anyhow::Error,
    pub(crate) trouble: Trouble,
    pub(crate) reply: Option<Reply>,
}

impl Failed {
    pub(crate) fn new(error: anyhow::Error, trouble: Trouble) -> Failed {
        Failed {
            error,
            trouble,
            reply: None,
        }
    }
}

/// The parts of a response a failure or a batch result keeps; the body is read after.
pub(super) fn reply_of(response: &reqwest::Response) -> Reply {
    let headers = response.headers();
    Reply {
        status: response.status().as_u16(),
        request_id: request_id(headers).map(str::to_string),
        content_type: header(headers, "content-type").unwrap_or("").to_string(),
        body: Vec::new(),
    }
}

/// No response head within `--timeout`.
pub(crate) fn no_response(url: &str, idle: Duration) -> Failed {
    let message = format!(
        "timed out waiting for {}: no response for {} s (--timeout)",
        redact::url(url),
        idle.as_secs_f64()
    );
    Failed::new(fail(TEMPORARY, message), Trouble::NoResponse)
}

/// A request that got no response: TLS failures are final, the rest may be tried again.
pub(crate) fn failed_send(e: &reqwest::Error, url: &str) -> Failed {
    let detail = error_chain(e);
    let url = redact::url(url);
    if detail.contains("certificate") || detail.contains("Certificate") {
        let message =
            format!("TLS verification failed for {url}: {detail} (add a CA with --cacert)");
        return Failed::new(fail(UNAVAILABLE, message), Trouble::Final);
    }
    let what = if e.is_timeout() {
        "timed out waiting for"
    } else if e.is_connect() {
        "cannot connect to"
    } else {
        "no answer from"
    };
    let error = fail(TEMPORARY, format!("{what} {url}: {detail}"));
    let trouble = match e.is_connect() {
        true => Trouble::NoConnection,
        false => Trouble::NoResponse,
    };
    Failed::new(error, trouble)
}

/// A redirect, which is not followed: final.
pub(crate) fn redirect(status: u16, headers: &HeaderMap) -> Failed {
    let location = header(headers, "location").unwrap_or("(no Location header)");
    let message = format!(
        "HTTP {}: the server redirects to {}; redirects are not followed (point --base-url there if you trust it)",
        status,
        redact::url(&one_line(location))
    );
    Failed::new(fail(CONFIG, message), Trouble::Final)
}

/// A failing status and its (possibly cut) body; `key_from` names where the key came from,
/// for the hint on a 401.
pub(crate) fn failed_status(reply: Reply, headers: HeaderMap, key_from: Option<&str>) -> Failed {
    let status = reply.status;
    let described = describe(status, &headers, &reply.body);
    let mut message = redact::redact(&described.message).into_owned();
    let quota = described.kind == "insufficient_quota";
    if status == 401
        && let Some(from) = key_from
    {
        message.push_str(&format!(" (check the key from {from})"));
    }
    let code = if quota {
        PERMISSION
    } else {
        code_for_status(status)
    };
    let trouble = Trouble::Status {
        status,
        headers: Box::new(headers),
        quota,
    };
    Failed {
        error: fail(code, message),
        trouble,
        reply: Some(reply),
    }
}

/// The server's id for the request, under either name servers give it.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<&str> {
    header(headers, "x-request-id").or_else(|| header(headers, "request-id"))
}

pub(crate) fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

pub(super) fn error_chain(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        // hyper-util's wrapper says nothing the next error does not say better.
        let generic = text.starts_with("client error (");
        if !generic && !parts.iter().any(|p: &String| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    if parts.is_empty() {
        parts.push(e.to_string());
    }
    one_line(&parts.join(": "))
}

/// What a failed response says, on one line.
pub(crate) struct Described {
    pub(crate) message: String,
    /// The error's code or type where it names one (`insufficient_quota`).
    pub(crate) kind: String,
}

pub(crate) fn describe(status: u16, headers: &HeaderMap, body: &[u8]) -> Described {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let (text, kind) = match &json {
        Some(v) => crate::api::wire::error_text(v),
        None => (snippet(body), String::new()),
    };
    let mut message = format!("HTTP {status} {reason}").trim_end().to_string();
    if !text.is_empty() {
        message.push_str(": ");
        message.push_str(&text);
    }
    if let Some(id) = request_id(headers) {
        message.push_str(&format!(" (request id {})", one_line(id)));
    }
    if status == 404 && json.is_none() {
        message.push_str(" (hint: the base URL may lack its /v1)");
    }
    if status == 400 && text.contains("max_tokens") {
        message.push_str(" (hint: try --max-completion-tokens N instead of --max-tokens)");
    }
    Described { message, kind }
}

/// A short, clean snippet of a non-JSON body: an HTML page's title, or its first words.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let lower = text.to_ascii_lowercase();
    if let (Some(start), Some(end)) = (lower.find("<title>"), lower.find("</title>"))
        && start + 7 <= end
    {
        return one_line(&text[start + 7..end]);
    }
    if lower.contains("<html") || lower.contains("<!doctype") {
        return "(an HTML page)".into();
    }
    shorten(&one_line(&text), 200)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_bodies() {
        let h = HeaderMap::new();
        let d = describe(401, &h, br#"{"error":{"message":"bad key","type":"auth"}}"#);
        assert_eq!(d.message, "HTTP 401 Unauthorized: bad key");
        let d = describe(
            502,
            &h,
            b"<html><head><title>502 Bad Gateway</title></head></html>",
        );
        assert_eq!(d.message, "HTTP 502 Bad Gateway: 502 Bad Gateway");
        let d = describe(404, &h, b"not here");
        assert!(d.message.ends_with("(hint: the base URL may lack its /v1)"));
        let d = describe(500, &h, b"");
        assert_eq!(d.message, "HTTP 500 Internal Server Error");
    }

    fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status,
            request_id: None,
            content_type: "application/json".into(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn statuses_become_exit_codes_and_retry_facts() {
        let code = |f: &Failed| crate::error::exit_code(&f.error);
        let quota = r#"{"error":{"message":"no money","code":"insufficient_quota"}}"#;
        let f = failed_status(reply(429, quota), HeaderMap::new(), None);
        assert_eq!(code(&f), PERMISSION);
        assert!(matches!(f.trouble, Trouble::Status { quota: true, .. }));
        let f = failed_status(reply(503, ""), HeaderMap::new(), None);
        assert_eq!(code(&f), TEMPORARY);
        assert!(f.reply.is_some(), "the failing response is kept");
        let f = failed_status(reply(401, "{}"), HeaderMap::new(), Some("MUME_API_KEY"));
        assert!(
            f.error
                .to_string()
                .ends_with("(check the key from MUME_API_KEY)")
        );
        let mut h = HeaderMap::new();
        h.insert("location", "https://elsewhere/v1".parse().unwrap());
        let f = redirect(301, &h);
        assert_eq!(code(&f), CONFIG);
        assert!(matches!(f.trouble, Trouble::Final));
        let f = no_response("http://h/v1", Duration::from_secs(3));
        assert!(matches!(f.trouble, Trouble::NoResponse));
        assert!(f.error.to_string().contains("no response for 3 s"));
    }
}
