//! Everything mume says on stderr: warnings, errors, notices, and the escaping that keeps a
//! hostile server from sending terminal escapes through us.
//!
//! The choices (quiet, colour) are made once in `main` and never change afterwards.

use std::borrow::Cow;
use std::io::{IsTerminal, StderrLock, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::redact::redact;

struct Ui {
    quiet: bool,
    color: bool,
}

static UI: OnceLock<Ui> = OnceLock::new();

/// When to colour stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Records the stderr choices; later calls keep the first ones.
pub(crate) fn init(quiet: bool, choice: ColorChoice) {
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let _ = UI.set(Ui { quiet, color });
}

fn ui() -> &'static Ui {
    UI.get_or_init(|| Ui {
        quiet: false,
        color: false,
    })
}

pub(crate) fn quiet() -> bool {
    ui().quiet
}

pub(crate) fn color() -> bool {
    ui().color
}

fn paint<'a>(text: &'a str, sgr: &str) -> Cow<'a, str> {
    if color() {
        Cow::Owned(format!("\x1b[{sgr}m{text}\x1b[0m"))
    } else {
        Cow::Borrowed(text)
    }
}

/// True while the waiting indicator owns the last stderr line.
static SPINNING: AtomicBool = AtomicBool::new(false);
const ERASE_LINE: &str = "\r\x1b[2K";

/// Stderr, locked, with the waiting indicator's line erased: whatever is written next
/// starts on a clean line. Every writer of stderr goes through here.
pub(crate) fn stderr() -> StderrLock<'static> {
    let mut err = std::io::stderr().lock();
    if SPINNING.load(Ordering::Relaxed) {
        let _ = err.write_all(ERASE_LINE.as_bytes());
    }
    err
}

fn line(label: &str, sgr: &str, message: &str) {
    let _ = writeln!(stderr(), "mume: {} {}", paint(label, sgr), redact(message));
}

/// One warning line, unless `-q`.
pub(crate) fn warn(message: &str) {
    if !quiet() {
        line("warning:", "1;33", message);
    }
}

/// The one error line `main` prints.
pub(crate) fn error(message: &str) {
    line("error:", "1;31", message);
}

/// A line that is not a warning but must reach the user even with `-q` (a refusal, say).
pub(crate) fn note(message: &str) {
    let _ = writeln!(stderr(), "{}", redact(message));
}

/// Dims text meant for stderr (reasoning) when colour is on.
pub(crate) fn dim(text: &str) -> Cow<'_, str> {
    paint(text, "2")
}

/// Shows `text` as the status line at the foot of a terminal's stderr, in place of the
/// last one; the next stderr writer erases it first. Only on a terminal and without `-q`.
pub(crate) fn status(text: &str) {
    if quiet() || !std::io::stderr().is_terminal() {
        return;
    }
    draw_status(text);
}

fn draw_status(text: &str) {
    SPINNING.store(true, Ordering::Relaxed);
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{ERASE_LINE}{text}");
    let _ = err.flush();
}

/// Erases the status line, if one is shown.
pub(crate) fn clear_status() {
    if SPINNING.swap(false, Ordering::Relaxed) {
        let _ = std::io::stderr().write_all(ERASE_LINE.as_bytes());
    }
}

/// The waiting indicator: one line on stderr with the seconds waited, redrawn in place and
/// erased by `stop`. Only when stderr is a terminal and `-q` is not given.
pub(crate) struct Spinner {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Spinner {
    pub(crate) fn start() -> Spinner {
        let stop = Arc::new(AtomicBool::new(false));
        if quiet() || !std::io::stderr().is_terminal() {
            return Spinner { stop, thread: None };
        }
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            const FRAMES: [char; 4] = ['|', '/', '-', '\\'];
            let started = Instant::now();
            // A short grace period: a fast answer shows no indicator at all.
            std::thread::park_timeout(Duration::from_millis(150));
            let mut frame = 0;
            while !flag.load(Ordering::Acquire) {
                draw_status(&format!(
                    "{} waiting for the answer… {:.1} s",
                    FRAMES[frame % FRAMES.len()],
                    started.elapsed().as_secs_f64()
                ));
                frame += 1;
                std::thread::park_timeout(Duration::from_millis(100));
            }
            clear_status();
        });
        Spinner {
            stop,
            thread: Some(thread),
        }
    }

    /// Erases the indicator; returns once it is gone, so output can follow.
    pub(crate) fn stop(&mut self) {
        if let Some(thread) = self.thread.take() {
            self.stop.store(true, Ordering::Release);
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop();
    }
}
