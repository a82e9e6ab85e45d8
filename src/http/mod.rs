//! The HTTP side: reqwest's client on a tokio runtime that the calling thread drives, with
//! the timeouts, proxy and TLS rules of the contract, retries (as `retry` decides them),
//! and the mapping of failed responses to one clear line and an exit code.
//!
//! Callers see synchronous code: the runtime is entered here, for sending and for each
//! read of a body, and the socket is read on the thread that parses what arrives. No
//! second thread takes part, so no piece of a body is handed between threads.

use std::future::Future;
use std::io::{self, BufRead, Read};
use std::pin::pin;
use std::task::Poll;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder};
use tokio::runtime::Runtime;

pub(crate) mod retry;

use crate::check::{ERROR_BODY_LIMIT, ROW_BODY_LIMIT};
use crate::error::{
    Broken, CONFIG, PERMISSION, PROTOCOL, TEMPORARY, UNAVAILABLE, code_for_status, fail,
};
use crate::output::ui;
use crate::redact;
use crate::settings::{Key, Source, Transport};
use retry::Trouble;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub(crate) struct Client {
    runtime: Runtime,
    http: reqwest::Client,
    base: String,
    key: Option<Key>,
    headers: Vec<(String, String, Source)>,
    retries: u32,
    /// `--timeout`: how long the server may send nothing.
    idle: Duration,
    verbose: bool,
}

impl Client {
    pub(crate) fn new(settings: &Transport) -> Result<Client> {
        let key = settings.find_key()?;
        if let Some(key) = &key {
            redact::add_secret(&key.value);
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the HTTP runtime")?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("mume/", env!("CARGO_PKG_VERSION")));
        if settings.is_loopback() {
            builder = builder.no_proxy();
        }
        if settings.base_url.value.starts_with("http://") && settings.ca_cert.value.is_none() {
            // Plain HTTP needs no trust store, and loading the system's costs milliseconds.
            builder = builder.tls_certs_only([]);
        }
        if let Some(path) = &settings.ca_cert.value {
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
            if certs.is_empty() {
                return Err(fail(
                    CONFIG,
                    format!(
                        "bad CA certificate file {}: no certificate in it",
                        path.display()
                    ),
                ));
            }
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder
            .build()
            .map_err(|e| fail(CONFIG, format!("cannot set up the HTTP client: {e}")))?;
        if key.is_some()
            && settings.base_url.value.starts_with("http://")
            && !settings.is_loopback()
        {
            ui::warn(&format!(
                "sending the API key over plain HTTP to {}",
                redact::url(&settings.base_url.value)
            ));
        }
        Ok(Client {
            runtime,
            http,
            base: settings.base_url.value.clone(),
            key,
            headers: settings.headers.clone(),
            retries: settings.retries,
            idle: settings.idle,
            verbose: settings.verbose,
        })
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a request, retrying what `retry` says is worth retrying, and returns the first
    /// successful response. Nothing has been written to stdout when this runs.
    pub(crate) fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<Response<'_>> {
        let mut response = None;
        self.send_with(method, path, body, &mut |r| {
            response = Some(r);
            Ok(())
        })?;
        response.context("no response")
    }

    /// Like `send`, and hands each successful response to `read`. When `read` fails with
    /// a `retry::Broken` connection and nothing was shown, the request is sent again within
    /// the same budget, and `read` starts over with the new response.
    pub(crate) fn send_with<'a>(
        &'a self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
        read: &mut dyn FnMut(Response<'a>) -> Result<()>,
    ) -> Result<()> {
        let url = self.url(path);
        let mut attempt = 0;
        loop {
            let started = Instant::now();
            let request = self.request(&method, &url, body);
            // `send` starts its timers at once, so it is called inside the runtime too.
            let sent = self
                .runtime
                .block_on(async { tokio::time::timeout(self.idle, request.send()).await });
            let (error, trouble) = match sent {
                Err(_) => (self.no_response(&url), Trouble::NoResponse),
                Ok(Err(e)) => self.failed_send(&e, &url)?,
                Ok(Ok(response)) => {
                    if self.verbose {
                        trace_response(&response, started.elapsed());
                    }
                    let status = response.status();
                    let response = Response::new(response, &self.runtime, self.idle);
                    if status.is_success() {
                        match read(response) {
                            Ok(()) => return Ok(()),
                            Err(e) => match e.downcast_ref::<Broken>() {
                                Some(broken) => {
                                    let shown = broken.shown;
                                    (e, Trouble::Broken { shown })
                                }
                                None => return Err(e),
                            },
                        }
                    } else if status.is_redirection() {
                        return Err(redirect_error(status.as_u16(), response.headers()));
                    } else {
                        let headers = response.headers().clone();
                        let mut body = Vec::new();
                        let _ = response.take(ERROR_BODY_LIMIT).read_to_end(&mut body);
                        self.failed_status(status.as_u16(), headers, &body)
                    }
                }
            };
            let Some(wait) = retry::next_wait(&trouble, attempt, self.retries, retry::jitter())
            else {
                return Err(error);
            };
            attempt += 1;
            retry::announce(&error.to_string(), wait, attempt, self.retries);
            // The runtime runs while we wait, so that a kept-alive connection the server
            // closes meanwhile is seen closed, not used for the next attempt.
            self.runtime
                .block_on(async { tokio::time::sleep(wait).await });
        }
    }

    /// One attempt at a POST of `body` to `path`, its response read whole, for callers that
    /// run many requests at once on this client's runtime (`batch`); whether to try again
    /// is theirs to decide, with `retry`.
    pub(crate) async fn attempt(&self, path: &str, body: &[u8]) -> Result<Reply, Failed> {
        let url = self.url(path);
        let started = Instant::now();
        let failed = |(error, trouble)| Failed {
            error,
            trouble,
            reply: None,
        };
        let request = self.request(&Method::POST, &url, Some(body));
        let mut response = match tokio::time::timeout(self.idle, request.send()).await {
            Err(_) => return Err(failed((self.no_response(&url), Trouble::NoResponse))),
            // A TLS failure is final; the caller knows it by its exit code.
            Ok(Err(e)) => {
                return Err(match self.failed_send(&e, &url) {
                    Ok(trouble) => failed(trouble),
                    Err(error) => failed((error, Trouble::NoResponse)),
                });
            }
            Ok(Ok(response)) => response,
        };
        if self.verbose {
            trace_response(&response, started.elapsed());
        }
        let status = response.status();
        if status.is_redirection() {
            let error = redirect_error(status.as_u16(), response.headers());
            return Err(failed((error, Trouble::NoResponse)));
        }
        let headers = response.headers();
        let mut reply = Reply {
            status: status.as_u16(),
            request_id: request_id(headers).map(str::to_string),
            content_type: header(headers, "content-type").unwrap_or("").to_string(),
            body: Vec::new(),
        };
        let headers = headers.clone();
        let limit = if status.is_success() {
            ROW_BODY_LIMIT
        } else {
            ERROR_BODY_LIMIT
        };
        loop {
            let piece = match tokio::time::timeout(self.idle, response.chunk()).await {
                Ok(Ok(Some(piece))) => piece,
                Ok(Ok(None)) => break,
                Ok(Err(e)) => {
                    let message = format!("the connection broke: {}", error_chain(&e));
                    let broken = Trouble::Broken { shown: false };
                    return Err(failed((fail(TEMPORARY, message), broken)));
                }
                Err(_) => {
                    let broken = Trouble::Broken { shown: false };
                    return Err(failed((fail(TEMPORARY, silence(self.idle)), broken)));
                }
            };
            reply.body.extend_from_slice(&piece);
            if reply.body.len() as u64 > limit {
                if status.is_success() {
                    let message = "the response body is larger than 16 MiB";
                    reply.body = Vec::new();
                    return Err(Failed {
                        error: fail(PROTOCOL, message),
                        trouble: Trouble::Broken { shown: true },
                        reply: Some(reply),
                    });
                }
                reply.body.truncate(limit as usize);
                break;
            }
        }
        if status.is_success() {
            return Ok(reply);
        }
        let (error, trouble) = self.failed_status(reply.status, headers, &reply.body);
        Err(Failed {
            error,
            trouble,
            reply: Some(reply),
        })
    }

    /// A request with the headers of the contract, traced with `-v`.
    fn request(&self, method: &Method, url: &str, body: Option<&[u8]>) -> RequestBuilder {
        let mut request = self.http.request(method.clone(), url);
        request = self.with_headers(request, body.is_some());
        if let Some(body) = body {
            request = request.body(body.to_vec());
        }
        if self.verbose {
            trace_request(
                method,
                url,
                &self.headers,
                self.key.is_some(),
                body.is_some(),
            );
        }
        request
    }

    fn no_response(&self, url: &str) -> anyhow::Error {
        let message = format!(
            "timed out waiting for {}: no response for {} s (--timeout)",
            redact::url(url),
            self.idle.as_secs_f64()
        );
        fail(TEMPORARY, message)
    }

    /// Runs a future of this client's requests on its runtime, on this thread.
    pub(crate) fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
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

    /// The error a failing status makes, and what `retry` needs to know of it.
    fn failed_status(
        &self,
        status: u16,
        headers: HeaderMap,
        body: &[u8],
    ) -> (anyhow::Error, Trouble) {
        let described = describe(status, &headers, body);
        let mut message = redact::redact(&described.message).into_owned();
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
        let trouble = Trouble::Status {
            status,
            headers,
            quota,
        };
        (fail(code, message), trouble)
    }

    /// The error when no response came; TLS failures are final (`Err`), the rest may be
    /// tried again.
    fn failed_send(&self, e: &reqwest::Error, url: &str) -> Result<(anyhow::Error, Trouble)> {
        let detail = error_chain(e);
        let url = redact::url(url);
        if detail.contains("certificate") || detail.contains("Certificate") {
            return Err(fail(
                UNAVAILABLE,
                format!("TLS verification failed for {url}: {detail} (add a CA with --cacert)"),
            ));
        }
        let what = if e.is_timeout() {
            "timed out waiting for"
        } else if e.is_connect() {
            "cannot connect to"
        } else {
            "no answer from"
        };
        let error = fail(TEMPORARY, format!("{what} {url}: {detail}"));
        Ok((error, Trouble::NoResponse))
    }
}

/// A response read whole.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) content_type: String,
    pub(crate) body: Vec<u8>,
}

/// A failed attempt: the error to show, what `retry` needs to know, and the response when
/// there was one.
pub(crate) struct Failed {
    pub(crate) error: anyhow::Error,
    pub(crate) trouble: Trouble,
    pub(crate) reply: Option<Reply>,
}

/// A response whose body is read as a `std::io::BufRead`: each fill runs the client's
/// runtime on this thread until some of the body has arrived, then takes whatever more is
/// ready without waiting, so a burst of small pieces costs one entry into the runtime.
pub(crate) struct Response<'a> {
    /// Away only while a fill runs; lost if the runtime drops that fill's task.
    inner: Option<reqwest::Response>,
    headers: HeaderMap,
    runtime: &'a Runtime,
    /// `--timeout`: the longest wait for the next piece.
    idle: Duration,
    /// Body bytes taken from the network and not yet consumed, from `at` on.
    taken: Vec<u8>,
    at: usize,
    /// A failure that came after some bytes were taken, reported once they are consumed.
    failed: Option<io::Error>,
}

/// The most of the body one fill takes (and more only by the piece that crosses it).
const FILL_SIZE: usize = 64 * 1024;

impl<'a> Response<'a> {
    fn new(inner: reqwest::Response, runtime: &'a Runtime, idle: Duration) -> Response<'a> {
        Response {
            headers: inner.headers().clone(),
            inner: Some(inner),
            runtime,
            idle,
            taken: Vec::new(),
            at: 0,
            failed: None,
        }
    }

    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Takes what the network has into `taken`: at least one piece, or nothing at the end.
    ///
    /// The pieces are gathered by a task of the runtime rather than by the future this
    /// thread blocks on: hyper hands a body over one piece at a time from the connection's
    /// own task, and between two polls of a blocked-on future the runtime polls its I/O
    /// driver, a system call per HTTP chunk, where two tasks take turns without one.
    fn take(&mut self) -> io::Result<()> {
        let inner = self
            .inner
            .take()
            .ok_or_else(|| io::Error::other("the response was lost"))?;
        let mut taken = std::mem::take(&mut self.taken);
        taken.clear();
        self.at = 0;
        let task = self.runtime.spawn(gather(inner, taken, self.idle));
        let (inner, taken, ended) = self.runtime.block_on(task).map_err(io::Error::other)?;
        self.inner = Some(inner);
        self.taken = taken;
        match ended {
            Err(e) if self.taken.is_empty() => Err(e),
            Err(e) => {
                self.failed = Some(e);
                Ok(())
            }
            Ok(()) => Ok(()),
        }
    }
}

impl BufRead for Response<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.at == self.taken.len() {
            match self.failed.take() {
                Some(e) => return Err(e),
                None => self.take()?,
            }
        }
        Ok(&self.taken[self.at..])
    }

    fn consume(&mut self, n: usize) {
        self.at = (self.at + n).min(self.taken.len());
    }
}

impl Read for Response<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let ready = self.fill_buf()?;
        let n = ready.len().min(buf.len());
        buf[..n].copy_from_slice(&ready[..n]);
        self.consume(n);
        Ok(n)
    }
}

/// Appends pieces of the body to `taken` until `FILL_SIZE` or the network would make it
/// wait: at least one piece, waiting up to `idle` for it, or none at the end of the body.
/// Each piece is copied and let go at once, so hyper reuses its buffer. Returns the
/// response, the bytes, and the failure that stopped it, if one did.
async fn gather(
    mut inner: reqwest::Response,
    mut taken: Vec<u8>,
    idle: Duration,
) -> (reqwest::Response, Vec<u8>, io::Result<()>) {
    let ended = take_pieces(&mut inner, &mut taken, idle).await;
    (inner, taken, ended)
}

async fn take_pieces(
    inner: &mut reqwest::Response,
    taken: &mut Vec<u8>,
    idle: Duration,
) -> io::Result<()> {
    while taken.is_empty() {
        // The timer is only set when the body makes us wait: most pieces are there.
        let more = match take_ready(inner, taken).await {
            Some(more) => more,
            None => tokio::time::timeout(idle, inner.chunk())
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, silence(idle)))?
                .map(|piece| append(piece, taken)),
        };
        if !more.map_err(io::Error::other)? {
            return Ok(());
        }
    }
    while taken.len() < FILL_SIZE {
        match take_ready(inner, taken).await {
            Some(Ok(true)) => {}
            Some(Ok(false)) | None => break,
            Some(Err(e)) => return Err(io::Error::other(e)),
        }
    }
    Ok(())
}

/// Appends the next piece of the body to `taken` if it is there without waiting for the
/// network: now, or once the connection's task has had a turn (it decodes the next HTTP
/// chunk from what it already read from the socket). `Some(Ok(true))` for a piece,
/// `Some(Ok(false))` at the end of the body, `None` when the network would make us wait.
async fn take_ready(
    inner: &mut reqwest::Response,
    taken: &mut Vec<u8>,
) -> Option<reqwest::Result<bool>> {
    let ready = match ready_now(inner.chunk()).await {
        Some(ready) => Some(ready),
        None => {
            let mut yielded = false;
            std::future::poll_fn(|cx| {
                if std::mem::replace(&mut yielded, true) {
                    return Poll::Ready(());
                }
                // Back of the queue, behind the connection's task that the poll above woke.
                cx.waker().wake_by_ref();
                Poll::Pending
            })
            .await;
            ready_now(inner.chunk()).await
        }
    };
    ready.map(|ready| ready.map(|piece| append(piece, taken)))
}

/// Appends a piece of the body to `taken`; false at the end of the body.
fn append(piece: Option<impl AsRef<[u8]>>, taken: &mut Vec<u8>) -> bool {
    piece
        .map(|piece| taken.extend_from_slice(piece.as_ref()))
        .is_some()
}

/// Polls `future` once: its output if it is ready now, else `None` (and it is dropped,
/// which for reqwest's `chunk` loses nothing).
async fn ready_now<F: Future>(future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    std::future::poll_fn(|cx| match future.as_mut().poll(cx) {
        Poll::Ready(output) => Poll::Ready(Some(output)),
        Poll::Pending => Poll::Ready(None),
    })
    .await
}

/// The failure of a body that stopped coming for `--timeout`.
fn silence(idle: Duration) -> String {
    format!(
        "no data from the server for {} s (--timeout)",
        idle.as_secs_f64()
    )
}

/// The server's id for the request, under either name servers give it.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<&str> {
    header(headers, "x-request-id").or_else(|| header(headers, "request-id"))
}

pub(crate) fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
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
    crate::text::one_line(&parts.join(": "))
}

fn redirect_error(status: u16, headers: &HeaderMap) -> anyhow::Error {
    let location = header(headers, "location").unwrap_or("(no Location header)");
    fail(
        CONFIG,
        format!(
            "HTTP {}: the server redirects to {}; redirects are not followed (point --base-url there if you trust it)",
            status,
            redact::url(&crate::text::one_line(location))
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
        message.push_str(&format!(" (request id {})", crate::text::one_line(id)));
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
        return crate::text::one_line(&text[start + 7..end]);
    }
    if lower.contains("<html") || lower.contains("<!doctype") {
        return "(an HTML page)".into();
    }
    crate::text::shorten(&crate::text::one_line(&text), 200)
}

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

fn trace_response(response: &reqwest::Response, elapsed: Duration) {
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
}
