//! The run's lifetime: the `--max-time` deadline that every wait is bounded by (stdin, the
//! files, `api_key_command`, the exchange, a batch), the signal watcher that ends a run
//! cleanly, and the one place that ends the process early.

use std::time::{Duration, Instant};

use anyhow::Result;

use crate::error::{TEMPORARY, fail};

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
