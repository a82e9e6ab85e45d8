//! The HTTP side: one blocking reqwest client with the timeouts, proxy and TLS rules of the
//! contract, retries with backoff, and the mapping of failed responses to one clear line
//! and an exit code.

use std::io::Read;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result};
use reqwest::Method;
use reqwest::blocking::{Client as Http, RequestBuilder, Response};
use reqwest::header::HeaderMap;

use crate::error::{
    CONFIG, PERMISSION, TEMPORARY, UNAVAILABLE, code_for_status, fail, is_retryable,
};
use crate::settings::{Key, Settings};
use crate::ui;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of an error body is read: enough for any message, bounded for a hostile one.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;
/// Retry-After values above this are not waited for.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

pub(crate) struct Client {
    http: Http,
    base: String,
    key: Option<Key>,
    headers: Vec<(String, String, crate::settings::Source)>,
    retries: u32,
    verbose: bool,
}

impl Client {
    pub(crate) fn new(
        settings: &Settings,
        retries: u32,
        idle: Duration,
        verbose: bool,
    ) -> Result<Client> {
        let key = settings.key()?;
        if let Some(key) = &key {
            ui::add_secret(&key.value);
        }
        let mut builder = Http::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(idle)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("mume/", env!("CARGO_PKG_VERSION")));
        if settings.is_loopback() {
            builder = builder.no_proxy();
        }
        if settings.base_url.starts_with("http://") && settings.ca_cert.is_none() {
            // Plain HTTP needs no trust store, and loading the system's costs milliseconds.
            builder = builder.tls_certs_only([]);
        }
        if let Some(path) = &settings.ca_cert {
            let pem = std::fs::read(path).map_err(|e| {
                fail(
                    CONFIG,
                    format!("cannot read CA certificate file {}: {e}", path.display()),
                )
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                fail(
                    CONFIG,
                    format!("bad CA certificate file {}: {e}", path.display()),
                )
            })?;
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder
            .build()
            .map_err(|e| fail(CONFIG, format!("cannot set up the HTTP client: {e}")))?;
        if key.is_some() && settings.base_url.starts_with("http://") && !settings.is_loopback() {
            ui::warn(&format!(
                "sending the API key over plain HTTP to {}",
                ui::url(&settings.base_url)
            ));
        }
        Ok(Client {
            http,
            base: settings.base_url.clone(),
            key,
            headers: settings.headers.clone(),
            retries,
            verbose,
        })
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a request, retrying what the contract says is worth retrying, and returns the
    /// first successful response. Nothing has been written to stdout when this runs.
    pub(crate) fn send(&self, method: Method, path: &str, body: Option<&[u8]>) -> Result<Response> {
        let mut response = None;
        self.send_with(method, path, body, &mut |r| {
            response = Some(r);
            Ok(())
        })?;
        response.context("no response")
    }

    /// Like `send`, and hands each successful response to `read`. When `read` fails in a
    /// way a new attempt may cure (`error::is_retryable`), the request is sent again within
    /// the same retry budget; `read` must only fail so once nothing has been shown.
    pub(crate) fn send_with(
        &self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
        read: &mut dyn FnMut(Response) -> Result<()>,
    ) -> Result<()> {
        let url = self.url(path);
        let mut attempt = 0;
        loop {
            let started = Instant::now();
            let mut request = self.http.request(method.clone(), &url);
            request = self.with_headers(request, body.is_some());
            if let Some(body) = body {
                request = request.body(body.to_vec());
            }
            if self.verbose {
                trace_request(
                    &method,
                    &url,
                    &self.headers,
                    self.key.is_some(),
                    body.is_some(),
                );
            }
            let outcome = match request.send() {
                Ok(response) => {
                    if self.verbose {
                        trace_response(&response, started.elapsed());
                    }
                    let status = response.status();
                    if status.is_success() {
                        match read(response) {
                            Err(e) if is_retryable(&e) => Attempt {
                                error: e,
                                retry: true,
                                delay: None,
                            },
                            done => return done,
                        }
                    } else if status.is_redirection() {
                        return Err(redirect_error(&response));
                    } else {
                        self.failed_response(response)
                    }
                }
                Err(e) => self.failed_send(&e, &url),
            };
            let Attempt {
                error,
                retry,
                delay,
            } = outcome;
            if !retry || attempt >= self.retries {
                return Err(error);
            }
            attempt += 1;
            let delay = delay.unwrap_or_else(|| backoff(attempt - 1, jitter()));
            ui::warn(&format!(
                "{}; retrying in {:.1} s ({attempt} of {})",
                error,
                delay.as_secs_f64(),
                self.retries
            ));
            std::thread::sleep(delay);
        }
    }

    fn with_headers(&self, mut request: RequestBuilder, json: bool) -> RequestBuilder {
        if json {
            request = request.header("content-type", "application/json");
        }
        if let Some(key) = &self.key {
            let mut value =
                reqwest::header::HeaderValue::from_str(&format!("Bearer {}", key.value))
                    .unwrap_or_else(|_| reqwest::header::HeaderValue::from_static(""));
            value.set_sensitive(true);
            request = request.header("authorization", value);
        }
        for (name, value, _) in &self.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        request
    }

    fn failed_response(&self, response: Response) -> Attempt {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        let _ = response.take(ERROR_BODY_LIMIT).read_to_end(&mut body);
        let described = describe(status, &headers, &body);
        let mut message = ui::redact(&described.message).into_owned();
        let quota = described.kind == "insufficient_quota";
        if status == 401
            && let Some(key) = &self.key
        {
            message.push_str(&format!(" (check the key from {})", key.from));
        }
        let code = if quota {
            PERMISSION
        } else {
            code_for_status(status)
        };
        let mut retry = matches!(status, 408 | 409 | 429 | 500..=599) && !quota;
        match header(&headers, "x-should-retry") {
            Some("true") => retry = true,
            Some("false") => retry = false,
            _ => {}
        }
        let delay = retry_after(&headers);
        if delay.is_some_and(|d| d > MAX_RETRY_AFTER) {
            retry = false;
        }
        Attempt {
            error: fail(code, message),
            retry,
            delay,
        }
    }

    fn failed_send(&self, e: &reqwest::Error, url: &str) -> Attempt {
        let detail = error_chain(e);
        let url = ui::url(url);
        if detail.contains("certificate") || detail.contains("Certificate") {
            return Attempt {
                error: fail(
                    UNAVAILABLE,
                    format!("TLS verification failed for {url}: {detail} (add a CA with --cacert)"),
                ),
                retry: false,
                delay: None,
            };
        }
        let what = if e.is_timeout() {
            "timed out waiting for"
        } else {
            "cannot connect to"
        };
        Attempt {
            error: fail(TEMPORARY, format!("{what} {url}: {detail}")),
            retry: true,
            delay: None,
        }
    }
}

struct Attempt {
    error: anyhow::Error,
    retry: bool,
    delay: Option<Duration>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn error_chain(e: &reqwest::Error) -> String {
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
    ui::one_line(&parts.join(": "))
}

fn redirect_error(response: &Response) -> anyhow::Error {
    let location = header(response.headers(), "location").unwrap_or("(no Location header)");
    fail(
        CONFIG,
        format!(
            "HTTP {}: the server redirects to {}; redirects are not followed (point --base-url there if you trust it)",
            response.status().as_u16(),
            ui::url(&ui::one_line(location))
        ),
    )
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
    let mut json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    // Before `error_text` cuts long strings, so that no cut falls inside a secret.
    if let Some(json) = &mut json {
        redact_strings(json);
    }
    let (text, kind) = match &json {
        Some(v) => crate::response::error_text(v),
        None => (snippet(body), String::new()),
    };
    let mut message = format!("HTTP {status} {reason}").trim_end().to_string();
    if !text.is_empty() {
        message.push_str(": ");
        message.push_str(&text);
    }
    if let Some(id) = header(headers, "x-request-id").or_else(|| header(headers, "request-id")) {
        message.push_str(&format!(" (request id {})", ui::one_line(id)));
    }
    if status == 404 && json.is_none() {
        message.push_str(" (hint: the base URL may lack its /v1)");
    }
    if status == 400 && text.contains("max_tokens") {
        message.push_str(" (hint: try -o max_completion_tokens=N instead of --max-tokens)");
    }
    Described { message, kind }
}

/// Redacts every string in a JSON value, wherever in it the server echoed a secret.
fn redact_strings(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => {
            if let std::borrow::Cow::Owned(redacted) = ui::redact(s) {
                *s = redacted;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_strings),
        serde_json::Value::Object(map) => map.values_mut().for_each(redact_strings),
        _ => {}
    }
}

/// A short, clean snippet of a non-JSON body: an HTML page's title, or its first words.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let lower = text.to_ascii_lowercase();
    if let (Some(start), Some(end)) = (lower.find("<title>"), lower.find("</title>"))
        && start + 7 <= end
    {
        return ui::one_line(&text[start + 7..end]);
    }
    if lower.contains("<html") || lower.contains("<!doctype") {
        return "(an HTML page)".into();
    }
    ui::shorten(&ui::one_line(&text), 200)
}

/// The wait the server asked for: `retry-after-ms`, else `retry-after` in seconds or as
/// an HTTP date. A wait too long for a `Duration` is `Duration::MAX`: still "too long".
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = |secs: f64| {
        (secs >= 0.0).then(|| Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX))
    };
    if let Some(ms) = header(headers, "retry-after-ms").and_then(|v| v.trim().parse::<f64>().ok())
        && let Some(delay) = seconds(ms / 1000.0)
    {
        return Some(delay);
    }
    let value = header(headers, "retry-after")?.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return seconds(secs);
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// `min(0.5 s · 2^k, 8 s)`, shortened by `jitter` (0 to 0.25 of it).
pub(crate) fn backoff(k: u32, jitter: f64) -> Duration {
    let base = (0.5 * 2f64.powi(k.min(16) as i32)).min(8.0);
    Duration::from_secs_f64(base * (1.0 - jitter.clamp(0.0, 0.25)))
}

/// A number in 0..0.25 that differs between processes and calls; no crate needed for that.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, RandomState};
    let r = RandomState::new().hash_one(SystemTime::now());
    (r % 10_000) as f64 / 10_000.0 * 0.25
}

/// The `-v` lines for a request, also shown by `--dry-run -v`; credentials are redacted.
pub(crate) fn trace_request(
    method: &Method,
    url: &str,
    headers: &[(String, String, crate::settings::Source)],
    key: bool,
    body: bool,
) {
    let mut lines = vec![format!("> {method} {}", ui::url(url))];
    if body {
        lines.push("> content-type: application/json".into());
    }
    if key {
        lines.push("> authorization: Bearer [redacted]".into());
    }
    for (name, value, _) in headers {
        lines.push(format!("> {name}: {}", ui::header_value(name, value)));
    }
    ui::note(&ui::escape(&lines.join("\n")));
}

fn trace_response(response: &Response, elapsed: Duration) {
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
            ui::header_value(name.as_str(), &value)
        ));
    }
    ui::note(&ui::escape(&lines.join("\n")));
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_doubles_to_a_cap() {
        assert_eq!(backoff(0, 0.0), Duration::from_millis(500));
        assert_eq!(backoff(1, 0.0), Duration::from_secs(1));
        assert_eq!(backoff(3, 0.0), Duration::from_secs(4));
        assert_eq!(backoff(4, 0.0), Duration::from_secs(8));
        assert_eq!(backoff(10, 0.0), Duration::from_secs(8));
        assert_eq!(backoff(0, 0.25), Duration::from_millis(375));
        assert_eq!(backoff(0, 0.9), Duration::from_millis(375));
    }

    #[test]
    fn jitter_stays_in_range() {
        for _ in 0..100 {
            let j = jitter();
            assert!((0.0..0.25).contains(&j));
        }
    }

    #[test]
    fn retry_after_forms() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(250)));
        let mut h = HeaderMap::new();
        let later = SystemTime::now() + Duration::from_secs(30);
        h.insert(
            "retry-after",
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap(),
        );
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(27) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        h.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn retry_after_too_long_for_a_duration_is_the_longest_wait() {
        for (name, value) in [
            ("retry-after", "99999999999999999999"),
            ("retry-after", "1e300"),
            ("retry-after", "inf"),
            ("retry-after-ms", "1e23"),
        ] {
            let mut h = HeaderMap::new();
            h.insert(name, HeaderValue::from_static(value));
            assert_eq!(retry_after(&h), Some(Duration::MAX), "{name}: {value}");
        }
        let mut h = HeaderMap::new();
        h.insert(
            "retry-after",
            HeaderValue::from_static("Fri, 31 Dec 9999 23:59:59 GMT"),
        );
        assert!(retry_after(&h).unwrap() > MAX_RETRY_AFTER);
        h.insert("retry-after", HeaderValue::from_static("-1"));
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("NaN"));
        assert_eq!(retry_after(&h), None);
    }

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
}
