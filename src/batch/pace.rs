//! When the next request of a batch may start: after a pause that a server asked every
//! request to take, and no sooner than `--rpm` allows; and whether to go on at all against
//! a server that is not there.

use std::cell::Cell;
use std::time::Duration;

use tokio::time::{Instant, sleep_until};

/// Shared by every request of the run; they all run on one thread.
pub(crate) struct Pace {
    /// Nothing starts before this.
    paused_until: Cell<Instant>,
    /// The spacing `--rpm` asks for, and the earliest start not yet taken.
    interval: Option<Duration>,
    next_slot: Cell<Instant>,
}

impl Pace {
    pub(crate) fn new(rpm: Option<u32>) -> Pace {
        let now = Instant::now();
        Pace {
            paused_until: Cell::new(now),
            interval: rpm.map(|n| Duration::from_secs(60) / n),
            next_slot: Cell::new(now),
        }
    }

    /// Waits until a request may start, and counts it as started.
    pub(crate) async fn ready(&self) {
        loop {
            sleep_until(self.paused_until.get()).await;
            let Some(interval) = self.interval else {
                return;
            };
            let slot = self.next_slot.get().max(Instant::now());
            self.next_slot.set(slot + interval);
            sleep_until(slot).await;
            // A pause that began while this request waited for its turn holds it too; the
            // turn is given up, which only slows the run.
            if self.paused_until.get() <= Instant::now() {
                return;
            }
        }
    }

    /// Holds every request back for `wait` from now (a longer pause already set stays).
    pub(crate) fn pause(&self, wait: Duration) {
        let until = Instant::now() + wait;
        if until > self.paused_until.get() {
            self.paused_until.set(until);
        }
    }
}

/// Whether the server is there at all: a run stops when `2 × jobs` rows in a row could not
/// connect and no row has succeeded yet. A server that answered once may come back, and a
/// row it answers, even with an error, ends the streak.
pub(crate) struct Reach {
    /// The rows in a row that give up on the server.
    pub(crate) limit: usize,
    in_a_row: Cell<usize>,
    succeeded: Cell<bool>,
}

impl Reach {
    pub(crate) fn new(jobs: usize) -> Reach {
        Reach {
            limit: 2 * jobs,
            in_a_row: Cell::new(0),
            succeeded: Cell::new(false),
        }
    }

    /// A row ended: `succeeded` with a good result, `connected` when a connection was made.
    /// True when the run should stop.
    pub(crate) fn row_ended(&self, succeeded: bool, connected: bool) -> bool {
        if succeeded {
            self.succeeded.set(true);
        }
        if connected {
            self.in_a_row.set(0);
            return false;
        }
        self.in_a_row.set(self.in_a_row.get() + 1);
        !self.succeeded.get() && self.in_a_row.get() >= self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_run_stops_only_for_a_server_never_reached() {
        let reach = Reach::new(2);
        assert!(!reach.row_ended(false, false));
        assert!(!reach.row_ended(false, false));
        assert!(!reach.row_ended(false, false));
        assert!(reach.row_ended(false, false), "the fourth in a row");

        // A row the server answered, even with a failure, ends the streak.
        let reach = Reach::new(1);
        assert!(!reach.row_ended(false, false));
        assert!(!reach.row_ended(false, true));
        assert!(!reach.row_ended(false, false));
        assert!(reach.row_ended(false, false));

        // Once a row succeeded, the server was there: rows fail one by one from then on.
        let reach = Reach::new(1);
        assert!(!reach.row_ended(true, true));
        for _ in 0..10 {
            assert!(!reach.row_ended(false, false));
        }
    }
}
