//! The one hand-written test server, for what mockito cannot express: HTTP/1.1 on loopback,
//! plain or TLS, that answers each request as its handler says. An answer keeps the
//! connection alive (a batch's many requests); a script sends bytes and pauses step by step,
//! then closes (a body cut short, a stream that stalls, a server that hangs). It records
//! every request, when it came and when it was answered, and how many were answered at once.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// One kept-alive answer: after `delay`, this status, these headers and this body.
pub struct Answer {
    pub delay: Duration,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    /// A chat completion whose content is `content`, at once.
    pub fn ok(content: &str) -> Answer {
        Answer::status(200, &super::completion(content))
    }

    pub fn status(status: u16, body: &str) -> Answer {
        Answer {
            delay: Duration::ZERO,
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }

    pub fn after(mut self, ms: u64) -> Answer {
        self.delay = Duration::from_millis(ms);
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// One step of a scripted reply; the connection closes after the last.
#[derive(Clone)]
pub enum Step {
    Send(Vec<u8>),
    Sleep(Duration),
}

/// What the server does for one request.
pub enum Reply {
    Answer(Answer),
    Script(Vec<Step>),
}

/// A request as the server saw it.
#[derive(Clone)]
pub struct Seen {
    pub at: Instant,
    /// The head and the body as text.
    pub raw: String,
    /// The body as JSON (`null` when it is none).
    pub body: Value,
    /// When its answer was sent.
    pub answered: Option<Instant>,
}

impl Seen {
    /// The request line's method and target: `("POST", "/v1/files")`.
    pub fn route(&self) -> (&str, &str) {
        let line = self.raw.lines().next().unwrap_or_default();
        let mut words = line.split(' ');
        (
            words.next().unwrap_or_default(),
            words.next().unwrap_or_default(),
        )
    }

    /// A header's value, by its name in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        let head = self.raw.split("\r\n\r\n").next()?;
        head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The body as text.
    pub fn body_text(&self) -> &str {
        self.raw.split_once("\r\n\r\n").map_or("", |(_, body)| body)
    }
}

type Handler = dyn Fn(usize, &Seen) -> Reply + Send + Sync;

/// Counters shared by the connections of a server.
#[derive(Default)]
struct Shared {
    seen: Mutex<Vec<Seen>>,
    busy: AtomicUsize,
    most_busy: AtomicUsize,
    connections: AtomicUsize,
}

pub struct Server {
    pub url: String,
    shared: Arc<Shared>,
}

impl Server {
    /// A server whose handler is given each request's number (from 0) and the request.
    pub fn start(handler: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static) -> Server {
        Server::listen("http", None, Arc::new(handler))
    }

    /// Answers every request as `handler` says of its body, keeping connections alive.
    pub fn rows(handler: impl Fn(&Value) -> Answer + Send + Sync + 'static) -> Server {
        Server::start(move |_, seen| Reply::Answer(handler(&seen.body)))
    }

    /// Plays `replies` in order, one a request; the last one repeats.
    pub fn scripted(replies: Vec<Vec<Step>>) -> Server {
        Server::start(move |n, _| Reply::Script(replies[n.min(replies.len() - 1)].clone()))
    }

    /// Over TLS, with the committed certificate for `localhost` (signed by `tls_ca()`),
    /// answering every request with a completion whose content is `content`.
    pub fn tls(content: &str) -> Server {
        let content = content.to_string();
        let handler = Arc::new(move |_: usize, _: &Seen| Reply::Answer(Answer::ok(&content)));
        Server::listen("https", Some(tls_config()), handler)
    }

    fn listen(
        scheme: &str,
        tls: Option<Arc<rustls::ServerConfig>>,
        handler: Arc<Handler>,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let host = if tls.is_some() {
            "localhost"
        } else {
            "127.0.0.1"
        };
        let server = Server {
            url: format!("{scheme}://{host}:{port}/v1"),
            shared: Arc::default(),
        };
        let shared = Arc::clone(&server.shared);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                shared.connections.fetch_add(1, Ordering::SeqCst);
                let (handler, shared, tls) =
                    (Arc::clone(&handler), Arc::clone(&shared), tls.clone());
                std::thread::spawn(move || {
                    let _ = stream.set_nodelay(true);
                    let _ = match tls {
                        None => serve(stream, &*handler, &shared),
                        Some(config) => {
                            let connection = rustls::ServerConnection::new(config).unwrap();
                            serve(
                                rustls::StreamOwned::new(connection, stream),
                                &*handler,
                                &shared,
                            )
                        }
                    };
                });
            }
        });
        server
    }

    /// The requests so far, in the order they arrived.
    pub fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }

    /// The raw requests (head and body) received so far.
    pub fn requests(&self) -> Vec<String> {
        self.seen().into_iter().map(|s| s.raw).collect()
    }

    /// How many requests arrived so far.
    pub fn count(&self) -> usize {
        self.shared.seen.lock().unwrap().len()
    }

    /// The most requests that were being answered at one time.
    pub fn most_at_once(&self) -> usize {
        self.shared.most_busy.load(Ordering::SeqCst)
    }

    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }
}

/// Serves the requests of one connection until it closes or a script ends it.
fn serve(stream: impl Read + Write, handler: &Handler, shared: &Shared) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    loop {
        let Some(raw) = read_request(&mut reader)? else {
            return Ok(());
        };
        let body = raw.split_once("\r\n\r\n").map_or("", |(_, body)| body);
        let body: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let index = {
            let mut seen = shared.seen.lock().unwrap();
            seen.push(Seen {
                at: Instant::now(),
                raw,
                body: body.clone(),
                answered: None,
            });
            seen.len() - 1
        };
        let now = shared.busy.fetch_add(1, Ordering::SeqCst) + 1;
        shared.most_busy.fetch_max(now, Ordering::SeqCst);
        let request = shared.seen.lock().unwrap()[index].clone();
        let reply = handler(index, &request);
        if let Reply::Answer(answer) = &reply {
            std::thread::sleep(answer.delay);
        }
        shared.busy.fetch_sub(1, Ordering::SeqCst);
        shared.seen.lock().unwrap()[index].answered = Some(Instant::now());
        let stream = reader.get_mut();
        match reply {
            Reply::Answer(answer) => {
                let mut head = format!(
                    "HTTP/1.1 {} X\r\ncontent-length: {}\r\n",
                    answer.status,
                    answer.body.len()
                );
                for (name, value) in &answer.headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                stream.write_all(head.as_bytes())?;
                stream.write_all(answer.body.as_bytes())?;
                stream.flush()?;
            }
            Reply::Script(steps) => {
                for step in steps {
                    match step {
                        Step::Send(bytes) => {
                            stream.write_all(&bytes)?;
                            stream.flush()?;
                        }
                        Step::Sleep(d) => std::thread::sleep(d),
                    }
                }
                return Ok(());
            }
        }
    }
}

/// The next request's head and body as text; `None` when the connection closed first.
fn read_request(reader: &mut impl BufRead) -> std::io::Result<Option<String>> {
    let mut raw = String::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        let end = line == "\r\n";
        raw.push_str(&line);
        if end {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    raw.push_str(&String::from_utf8_lossy(&body));
    Ok(Some(raw))
}

/// The committed test CA that signed the server's certificate, for `--cacert`.
pub fn tls_ca() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/fixtures/tls/ca.pem")
}

fn tls_config() -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_slice_iter(include_bytes!("../fixtures/tls/cert.pem"))
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(include_bytes!("../fixtures/tls/key.pem")).unwrap();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    Arc::new(config)
}

/// A complete HTTP/1.1 response with a body and `Connection: close`.
pub fn http(status: &str, headers: &[(&str, &str)], body: &str) -> Vec<Step> {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head.push_str(body);
    vec![Step::Send(head.into_bytes())]
}

/// The head of an event stream whose body follows in later steps, ended by the close.
pub fn sse_head() -> Step {
    Step::Send(
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n".to_vec(),
    )
}

pub fn send(text: &str) -> Step {
    Step::Send(text.as_bytes().to_vec())
}

pub fn sleep_ms(ms: u64) -> Step {
    Step::Sleep(Duration::from_millis(ms))
}

/// The prompt of a request body: its last message's content.
pub fn prompt(body: &Value) -> String {
    body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["content"].as_str())
        .unwrap_or("")
        .to_string()
}
