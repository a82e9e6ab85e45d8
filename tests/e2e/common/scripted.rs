//! A tiny HTTP server for the tests that mockito cannot express: a different answer per
//! request, pauses in the middle of a body, a connection left hanging.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the server does for one request, step by step; the connection closes after.
#[derive(Clone)]
pub enum Step {
    Send(Vec<u8>),
    Sleep(Duration),
}

pub struct Scripted {
    pub url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Scripted {
    /// Serves `replies` in order, one per request; the last one repeats.
    pub fn start(replies: Vec<Vec<Step>>) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(stream) = stream else { continue };
                let steps = replies[n.min(replies.len() - 1)].clone();
                let seen = Arc::clone(&seen);
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut head = String::new();
                    let mut length = 0;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        let end = line == "\r\n";
                        head.push_str(&line);
                        if end {
                            break;
                        }
                    }
                    let mut body = vec![0; length];
                    let _ = reader.read_exact(&mut body);
                    head.push_str(&String::from_utf8_lossy(&body));
                    seen.lock().unwrap().push(head);
                    let mut stream = stream;
                    for step in steps {
                        match step {
                            Step::Send(bytes) => {
                                if stream
                                    .write_all(&bytes)
                                    .and_then(|()| stream.flush())
                                    .is_err()
                                {
                                    return;
                                }
                            }
                            Step::Sleep(d) => std::thread::sleep(d),
                        }
                    }
                });
            }
        });
        Scripted { url, requests }
    }

    /// How many requests arrived so far.
    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    /// The raw requests (head and body) received so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
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
