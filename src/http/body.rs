//! A response body read as a `std::io::BufRead` on the calling thread: each fill runs the
//! client's runtime until some of the body has arrived, then takes whatever more is ready
//! without waiting, so a burst of small pieces costs one entry into the runtime.

use std::future::Future;
use std::io::{self, BufRead, Read};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use reqwest::header::HeaderMap;
use tokio::runtime::Runtime;

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
    pub(super) fn new(
        inner: reqwest::Response,
        runtime: &'a Runtime,
        idle: Duration,
    ) -> Response<'a> {
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
pub(super) fn silence(idle: Duration) -> String {
    format!(
        "no data from the server for {} s (--timeout)",
        idle.as_secs_f64()
    )
}
