//! A server for `mume batch` tests: keeps connections alive, answers each request as a
//! function of its body says, and records when each request arrived and how many were
//! being answered at once.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// One answer: after `delay`, this status, these headers and this body.
pub struct Answer {
    pub delay: Duration,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    /// A chat completion whose content is `content`, at once.
    pub fn ok(content: &str) -> Answer {
        Answer {
            delay: Duration::ZERO,
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: super::completion(content),
        }
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

type Handler = dyn Fn(&Value) -> Answer + Send + Sync;

/// A request as the server saw it.
#[derive(Clone)]
pub struct Seen {
    pub at: Instant,
    pub body: Value,
    /// When its answer was sent.
    pub answered: Option<Instant>,
}

pub struct RowServer {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    busy: Arc<AtomicUsize>,
    most_busy: Arc<AtomicUsize>,
    connections: Arc<AtomicUsize>,
}

impl RowServer {
    pub fn start(handler: impl Fn(&Value) -> Answer + Send + Sync + 'static) -> RowServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        let server = RowServer {
            url,
            seen: Arc::default(),
            busy: Arc::default(),
            most_busy: Arc::default(),
            connections: Arc::default(),
        };
        let handler: Arc<Handler> = Arc::new(handler);
        let (seen, busy, most) = (
            Arc::clone(&server.seen),
            Arc::clone(&server.busy),
            Arc::clone(&server.most_busy),
        );
        let connections = Arc::clone(&server.connections);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                connections.fetch_add(1, Ordering::SeqCst);
                let (handler, seen, busy, most) = (
                    Arc::clone(&handler),
                    Arc::clone(&seen),
                    Arc::clone(&busy),
                    Arc::clone(&most),
                );
                std::thread::spawn(move || {
                    let _ = serve(stream, &*handler, &seen, &busy, &most);
                });
            }
        });
        server
    }

    /// The requests so far, in the order they arrived.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// How many requests arrived so far.
    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// The most requests that were being answered at one time.
    pub fn most_at_once(&self) -> usize {
        self.most_busy.load(Ordering::SeqCst)
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

fn serve(
    stream: TcpStream,
    handler: &Handler,
    seen: &Mutex<Vec<Seen>>,
    busy: &AtomicUsize,
    most: &AtomicUsize,
) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    loop {
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let index = {
            let mut seen = seen.lock().unwrap();
            seen.push(Seen {
                at: Instant::now(),
                body: body.clone(),
                answered: None,
            });
            seen.len() - 1
        };
        let now = busy.fetch_add(1, Ordering::SeqCst) + 1;
        most.fetch_max(now, Ordering::SeqCst);
        let answer = handler(&body);
        std::thread::sleep(answer.delay);
        let mut head = format!(
            "HTTP/1.1 {} X\r\ncontent-length: {}\r\n",
            answer.status,
            answer.body.len()
        );
        for (name, value) in &answer.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        busy.fetch_sub(1, Ordering::SeqCst);
        seen.lock().unwrap()[index].answered = Some(Instant::now());
        stream.write_all(head.as_bytes())?;
        stream.write_all(answer.body.as_bytes())?;
        stream.flush()?;
    }
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
