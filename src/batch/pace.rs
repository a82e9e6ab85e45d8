//! When the next request of a batch may start: after a pause that a server asked every
//! request to take, and no sooner than `--rpm` allows.

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
