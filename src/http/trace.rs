//! What `-v` shows of a request and its response: method, URL and headers, credentials
//! redacted.

use std::time::Duration;

use reqwest::Method;

use crate::output::ui;
use crate::redact;
use crate::settings::Source;

/// The `-v` lines for a request, also shown by `--dry-run -v`; credentials are redacted.
pub(crate) fn trace_request(
    method: &Method,
    url: &str,
    headers: &[(String, String, Source)],
    key: bool,
    body: bool,
) {
    let mut lines = vec![format!("> {method} {}", redact::url(url))];
    if body {
        lines.push("> content-type: application/json".into());
    }
    if key {
        lines.push("> authorization: Bearer [redacted]".into());
    }
    for (name, value, _) in headers {
        lines.push(format!("> {name}: {}", redact::header_value(name, value)));
    }
    ui::note(&crate::text::escape(&lines.join("\n")));
}

pub(super) fn trace_response(response: &reqwest::Response, elapsed: Duration) {
    let mut lines = vec![format!(
        "< {:?} {} ({} ms)",
        response.version(),
        response.status(),
        elapsed.as_millis()
    )];
    for (name, value) in response.headers() {
        let value = String::from_utf8_lossy(value.as_bytes());
        lines.push(format!(
            "< {name}: {}",
            redact::header_value(name.as_str(), &value)
        ));
    }
    ui::note(&crate::text::escape(&lines.join("\n")));
}
