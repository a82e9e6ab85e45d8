//! The HTTP side: reqwest's client on a tokio runtime that the calling thread drives, with
//! the timeouts, proxy and TLS rules of the contract. One request path serves a single
//! exchange and every row of a batch: `start` sends and classifies the response head
//! (`failure`), `retry::run` is the one loop that tries again.
//!
//! Callers see synchronous code: the runtime is entered here, for sending and for each
//! read of a body, and the socket is read on the thread that parses what arrives. No
//! second thread takes part, so no piece of a body is handed between threads.

mod body;
mod failure;
pub(crate) mod retry;
mod trace;
mod upload;

use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use futures_util::FutureExt;
use reqwest::{Method, RequestBuilder};
use tokio::runtime::Runtime;

pub(crate) use body::Response;
pub(crate) use failure::{Failed, Reply, Trouble, failed_status, header, request_id};
pub(crate) use trace::trace_request;
use trace::trace_response;

use crate::check::{ERROR_BODY_LIMIT, ROW_BODY_LIMIT};
use crate::error::{Broken, CONFIG, PROTOCOL, TEMPORARY, fail};
use crate::output::ui;
use crate::redact;
use crate::settings::{Key, Source, Transport};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What a request sends.
#[derive(Clone, Copy)]
enum Payload<'a> {
    Empty,
    Json(&'a [u8]),
    /// A multipart form: text fields, then a file streamed from disk.
    Upload {
        fields: &'a [(&'static str, &'a str)],
        file: &'a std::fs::File,
        len: u64,
        name: &'a str,
    },
}

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
        let plain = settings.base_url.value.starts_with("http://");
        builder = match &settings.ca_cert.value {
            Some(path) => builder.tls_certs_merge(certificates(path)?),
            // Plain HTTP needs no trust store, and loading the system's costs milliseconds.
            None if plain => builder.tls_certs_only([]),
            None => builder,
        };
        let http = builder
            .build()
            .map_err(|e| fail(CONFIG, format!("cannot set up the HTTP client: {e}")))?;
        if key.is_some() && plain && !settings.is_loopback() {
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

    /// Like `send`, and hands each successful response to `read`, on this thread. When
    /// `read` fails with a `Broken` connection and nothing was shown, the request is sent
    /// again within the same budget, and `read` starts over with the new response.
    pub(crate) fn send_with<'a>(
        &'a self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
        read: &mut dyn FnMut(Response<'a>) -> Result<()>,
    ) -> Result<()> {
        let payload = body.map_or(Payload::Empty, Payload::Json);
        self.send_payload(method, path, payload, read)
            .map_err(|failed| failed.error)
    }

    /// Like `send`, with the failure whole: its status and the body the server sent.
    pub(crate) fn try_send(
        &self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<Response<'_>, Failed> {
        let payload = body.map_or(Payload::Empty, Payload::Json);
        self.respond(method, path, payload)
    }

    /// Uploads `file` (`len` bytes, named `name`) as a multipart form with `fields`, as the
    /// Files API takes it; the file is streamed from disk, again from its start for each
    /// attempt.
    pub(crate) fn upload(
        &self,
        path: &str,
        fields: &[(&'static str, &str)],
        file: &std::fs::File,
        len: u64,
        name: &str,
    ) -> Result<Response<'_>, Failed> {
        let payload = Payload::Upload {
            fields,
            file,
            len,
            name,
        };
        self.respond(Method::POST, path, payload)
    }

    /// The first successful response to `payload`, or the failure.
    fn respond(
        &self,
        method: Method,
        path: &str,
        payload: Payload<'_>,
    ) -> Result<Response<'_>, Failed> {
        let mut response = None;
        self.send_payload(method, path, payload, &mut |r| {
            response = Some(r);
            Ok(())
        })?;
        response.ok_or_else(|| Failed::new(anyhow::anyhow!("no response"), Trouble::Final))
    }

    fn send_payload<'a>(
        &'a self,
        method: Method,
        path: &str,
        body: Payload<'_>,
        read: &mut dyn FnMut(Response<'a>) -> Result<()>,
    ) -> Result<(), Failed> {
        let url = self.url(path);
        // Each attempt and each wait is complete when its future is made, so the loop
        // never waits on a future: it runs to its end in one poll.
        let attempt = || {
            let started = self.runtime.block_on(self.start(&method, &url, body));
            let read = started.and_then(|response| {
                read(Response::new(response, &self.runtime, self.idle)).map_err(|e| {
                    let trouble = match e.downcast_ref::<Broken>() {
                        Some(broken) => Trouble::Broken {
                            shown: broken.shown,
                        },
                        None => Trouble::Final,
                    };
                    Failed::new(e, trouble)
                })
            });
            std::future::ready(read)
        };
        // The runtime runs while we wait, so that a kept-alive connection the server
        // closes meanwhile is seen closed, not used for the next attempt.
        let sleep = |wait| {
            self.runtime
                .block_on(async { tokio::time::sleep(wait).await });
            std::future::ready(())
        };
        retry::run(self.retries, "", attempt, |_| false, sleep)
            .now_or_never()
            .unwrap_or_else(|| {
                let error = anyhow::anyhow!("a request attempt did not finish");
                Err(Failed::new(error, Trouble::Final))
            })
    }

    /// One attempt at a POST of `body` to `path`, its response read whole, for callers that
    /// run many requests at once on this client's runtime (`batch`, through `retry::run`).
    pub(crate) async fn attempt(&self, path: &str, body: &[u8]) -> Result<Reply, Failed> {
        let url = self.url(path);
        let mut response = self.start(&Method::POST, &url, Payload::Json(body)).await?;
        let mut reply = failure::reply_of(&response);
        let broken = |error| Failed::new(error, Trouble::Broken { shown: false });
        loop {
            let piece = match tokio::time::timeout(self.idle, response.chunk()).await {
                Ok(Ok(Some(piece))) => piece,
                Ok(Ok(None)) => return Ok(reply),
                Ok(Err(e)) => {
                    let message = format!("the connection broke: {}", failure::error_chain(&e));
                    return Err(broken(fail(TEMPORARY, message)));
                }
                Err(_) => return Err(broken(fail(TEMPORARY, body::silence(self.idle)))),
            };
            reply.body.extend_from_slice(&piece);
            if reply.body.len() as u64 > ROW_BODY_LIMIT {
                reply.body = Vec::new();
                let error = fail(PROTOCOL, "the response body is larger than 16 MiB");
                let mut failed = Failed::new(error, Trouble::Broken { shown: true });
                failed.reply = Some(reply);
                return Err(failed);
            }
        }
    }

    /// Sends a request and classifies its response head: a successful response, whose
    /// body is the caller's to read, or the failure (a failing status's body read, at most
    /// `ERROR_BODY_LIMIT` of it).
    async fn start(
        &self,
        method: &Method,
        url: &str,
        body: Payload<'_>,
    ) -> Result<reqwest::Response, Failed> {
        let started = Instant::now();
        let request = self.request(method, url, body)?;
        let mut response = match tokio::time::timeout(self.idle, request.send()).await {
            Err(_) => return Err(failure::no_response(url, self.idle)),
            Ok(Err(e)) => return Err(failure::failed_send(&e, url)),
            Ok(Ok(response)) => response,
        };
        if self.verbose {
            trace_response(&response, started.elapsed());
        }
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        if status.is_redirection() {
            return Err(failure::redirect(status.as_u16(), response.headers()));
        }
        let mut reply = failure::reply_of(&response);
        let headers = response.headers().clone();
        // What arrives of the body within the limits; a failure to read it leaves the
        // status to speak.
        while let Ok(Ok(Some(piece))) = tokio::time::timeout(self.idle, response.chunk()).await {
            reply.body.extend_from_slice(&piece);
            if reply.body.len() as u64 >= ERROR_BODY_LIMIT {
                reply.body.truncate(ERROR_BODY_LIMIT as usize);
                break;
            }
        }
        let key_from = self.key.as_ref().map(|k| k.from);
        Err(failure::failed_status(reply, headers, key_from))
    }

    /// A request with the headers of the contract, traced with `-v`.
    fn request(
        &self,
        method: &Method,
        url: &str,
        body: Payload<'_>,
    ) -> Result<RequestBuilder, Failed> {
        let mut request = self.http.request(method.clone(), url);
        let json = matches!(body, Payload::Json(_));
        request = self.with_headers(request, json);
        match body {
            Payload::Empty => {}
            Payload::Json(bytes) => request = request.body(bytes.to_vec()),
            Payload::Upload {
                fields,
                file,
                len,
                name,
            } => request = request.multipart(upload::form(fields, file, len, name)?),
        }
        if self.verbose {
            trace_request(method, url, &self.headers, self.key.is_some(), json);
        }
        Ok(request)
    }

    /// Waits `wait`, the runtime running: connections the server closes meanwhile are
    /// seen closed.
    pub(crate) fn pause(&self, wait: Duration) {
        self.runtime
            .block_on(async { tokio::time::sleep(wait).await });
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
}

/// The certificates of a `--cacert` file, to be trusted besides the system's.
fn certificates(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>> {
    let shown = path.display();
    let pem = std::fs::read(path).map_err(|e| {
        fail(
            CONFIG,
            format!("cannot read CA certificate file {shown}: {e}"),
        )
    })?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| fail(CONFIG, format!("bad CA certificate file {shown}: {e}")))?;
    if certs.is_empty() {
        return Err(fail(
            CONFIG,
            format!("bad CA certificate file {shown}: no certificate in it"),
        ));
    }
    Ok(certs)
}
