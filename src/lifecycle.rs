//! The run's lifetime: the `--max-time` deadline that every wait is bounded by (stdin, the
//! files, `api_key_command`, the exchange, a batch), the signal watcher that ends a run
//! cleanly, and the one place that ends the process early.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use signal_hook::consts::{SIGALRM, SIGHUP, SIGINT, SIGTERM};

use crate::error::{TEMPORARY, fail};
use crate::output::ui;

/// When `--max-time` is up, counted from the start of the run; no limit when `None`
/// (also for a limit too far away for the clock).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Deadline(Option<Instant>);

impl Deadline {
    /// `seconds` after `started`; no limit without either.
    pub(crate) fn after(started: Option<Instant>, seconds: Option<f64>) -> Deadline {
        let at = seconds
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .zip(started)
            .and_then(|(limit, started)| started.checked_add(limit));
        Deadline(at)
    }

    pub(crate) fn at(self) -> Option<Instant> {
        self.0
    }

    /// The time left; `None` without a limit.
    pub(crate) fn left(self) -> Option<Duration> {
        self.0
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    /// The error for a wait the deadline cut short; `while_` says what was waited for.
    pub(crate) fn reached(while_: &str) -> anyhow::Error {
        let message = match while_ {
            "" => "gave up: --max-time reached".to_string(),
            what => format!("gave up: --max-time reached while {what}"),
        };
        fail(TEMPORARY, message)
    }

    /// Runs `work` on a thread of its own and waits for it until the deadline; past it,
    /// gives up with the error for `while_` and leaves the thread behind (it may be stuck
    /// in a read for good: the process ends without it).
    pub(crate) fn bound<T: Send + 'static>(
        self,
        while_: &str,
        work: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let Some(left) = self.left() else {
            return work();
        };
        let (done, result) = std::sync::mpsc::channel();
        std::thread::spawn(move || done.send(work()));
        result
            .recv_timeout(left)
            .unwrap_or_else(|_| Err(Deadline::reached(while_)))
    }
}

/// Why a run is ending before its work is done.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Ending {
    /// SIGINT, SIGTERM or SIGHUP: the run dies by it, so that the shell sees it.
    Signal(i32),
    /// `--max-time`: the run ends with its error line and exit 75.
    Deadline,
}

impl Ending {
    /// The ending a caught signal stands for (SIGALRM is the deadline's).
    pub(crate) fn of(signal: i32) -> Ending {
        if signal == SIGALRM {
            Ending::Deadline
        } else {
            Ending::Signal(signal)
        }
    }
}

/// Starts the watcher thread: on SIGINT, SIGTERM or SIGHUP, and at the deadline (a SIGALRM
/// raised by a sleeper thread), it lets `last_words` save what must not be lost, then ends
/// the process. `last_words` returns false when the run is to end on its own instead (its
/// work was done first). Whatever the main thread is stuck in, a read or a write to a pipe
/// nobody reads, the watcher ends the run.
pub(crate) fn watch(
    deadline: Deadline,
    last_words: impl FnOnce(Ending) -> bool + Send + 'static,
) -> Result<()> {
    let mut signals =
        signal_hook::iterator::Signals::new(endings()).context("setting up signal handling")?;
    if let Some(left) = deadline.left() {
        std::thread::spawn(move || {
            std::thread::sleep(left);
            let _ = signal_hook::low_level::raise(SIGALRM);
        });
    }
    std::thread::spawn(move || {
        let Some(signal) = signals.forever().next() else {
            return;
        };
        let ending = Ending::of(signal);
        if last_words(ending) {
            end(ending);
        }
    });
    Ok(())
}

/// The signals a run ends by, less those that were ignored when mume started: `nohup`
/// ignores SIGHUP and a script's background job SIGINT, and they stay ignored.
fn endings() -> Vec<i32> {
    static IGNORED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let ignored = *IGNORED.get_or_init(ignored_at_start);
    let mut endings: Vec<i32> = [SIGINT, SIGTERM, SIGHUP]
        .into_iter()
        .filter(|&signal| ignored & (1 << (signal - 1)) == 0)
        .collect();
    endings.push(SIGALRM);
    endings
}

/// The signals ignored when the process started, as the kernel shows them (`SigIgn`, bit
/// n-1 for signal n); none where it does not (a system without /proc). Read before any
/// handler is set, which would clear them.
fn ignored_at_start() -> u64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return 0;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix("SigIgn:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .unwrap_or(0)
}

/// Ends the process: by the signal itself, or for the deadline with the error line and
/// exit 75. The one place, besides `main` returning, where the process ends.
#[allow(clippy::exit)]
pub(crate) fn end(ending: Ending) -> ! {
    // Two threads may end the run at once (the watcher, and the main thread seeing it has
    // begun): the first ends it, once, and the other waits for the process to go.
    static ENDING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if ENDING.swap(true, std::sync::atomic::Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
    let signal = match ending {
        Ending::Signal(signal) => signal,
        Ending::Deadline => {
            // Stderr may be stuck (a reader that does not read it, the main thread holding
            // its lock): the error line gets a moment, the deadline is kept regardless.
            let (said, told) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                ui::error("gave up: --max-time reached");
                let _ = said.send(());
            });
            let _ = told.recv_timeout(Duration::from_millis(100));
            std::process::exit(i32::from(TEMPORARY));
        }
    };
    let _ = signal_hook::low_level::emulate_default_handler(signal);
    std::process::exit(128 + signal);
}

/// Lets `value` go with the process rather than be dropped: closing the HTTP runtime and
/// its connections now would only delay the exit.
pub(crate) fn leave<T>(value: T) {
    std::mem::forget(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_bounds_work_that_never_ends() {
        let now = Some(Instant::now());
        let deadline = Deadline::after(now, Some(0.05));
        let err = deadline
            .bound("waiting for stdin", || {
                std::thread::sleep(Duration::from_secs(5));
                Ok(())
            })
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "gave up: --max-time reached while waiting for stdin"
        );
        assert_eq!(crate::error::exit_code(&err), TEMPORARY);
        assert_eq!(Deadline::after(now, None).bound("", || Ok(7)).unwrap(), 7);
        assert_eq!(Deadline::after(None, Some(1.0)), Deadline::default());
    }
}
