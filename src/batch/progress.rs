//! What a batch shows and keeps while it runs: the results written in input order as
//! their turn comes, the status line on a terminal, the summary, and the signal watcher
//! that writes the finished rows before the run dies.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::error::TEMPORARY;
use crate::lifecycle::{self, Deadline};
use crate::output::{Out, ui};
use crate::text::plural;

/// Where results go, the finished rows waiting for their turn, and the count of them on a
/// terminal's stderr. Shared with the signal watcher, which writes the waiting rows before
/// the run dies.
pub(super) struct Writer {
    pub(super) out: Out,
    /// The output's name, for messages.
    pub(super) to: String,
    pub(super) progress: Progress,
    /// Result lines of finished rows waiting for the rows before them.
    pub(super) waiting: Waiting,
    /// The place of the next row to write.
    pub(super) turn: usize,
    /// Results go to a terminal, where the status line may stand: it is erased first.
    pub(super) on_screen: bool,
}

impl Writer {
    /// Takes the result of the row at `place`, and writes every result whose turn it is.
    pub(super) fn finished(&mut self, place: usize, result: String, ok: bool) -> Result<()> {
        if ok {
            self.progress.ok += 1;
        } else {
            self.progress.failed += 1;
        }
        self.waiting.insert(place, result);
        while let Some(text) = self.waiting.remove(self.turn) {
            self.write(&text)?;
            self.turn += 1;
        }
        Ok(())
    }

    fn write(&mut self, text: &str) -> Result<()> {
        if self.on_screen {
            ui::clear_status();
        }
        self.out
            .write_line(text)
            .and_then(|()| self.out.flush())
            .with_context(|| format!("writing results to {}", self.to))
    }

    /// Writes the rows still waiting for an earlier one, out of turn: the run is ending,
    /// and they were paid for. Each result names its line.
    pub(super) fn write_waiting(&mut self) -> Result<()> {
        for text in std::mem::take(&mut self.waiting).rows.into_values() {
            self.write(&text)?;
        }
        Ok(())
    }
}

/// Result lines of finished rows waiting for their turn, by place, and their size.
#[derive(Default)]
pub(super) struct Waiting {
    rows: BTreeMap<usize, String>,
    bytes: usize,
}

/// The most the waiting results may hold together, whatever `--jobs` is.
pub(super) const WAITING_BUDGET: usize = 256 * 1024 * 1024;

impl Waiting {
    fn insert(&mut self, place: usize, mut result: String) {
        // A line built by growing may hold twice its length: what waits holds no more.
        result.shrink_to_fit();
        self.bytes += result.capacity();
        self.rows.insert(place, result);
    }

    fn remove(&mut self, place: usize) -> Option<String> {
        let result = self.rows.remove(&place)?;
        self.bytes -= result.capacity();
        Some(result)
    }

    /// Whether another row may start beside `in_flight` ones: fewer than `window` rows in
    /// flight or waiting, and the waiting results within their budget. Either bound holds
    /// new rows back until the row at the head finishes.
    pub(super) fn room(&self, in_flight: usize, window: usize, budget: usize) -> bool {
        in_flight + self.rows.len() < window && self.bytes < budget
    }
}

/// On a signal, the finished rows still waiting are written, the status line is erased,
/// and the run dies by that signal, never in the middle of a result line. (The deadline is
/// the run's own to keep: its requests stop where they are.)
pub(super) fn watch_signals(writer: Arc<Mutex<Writer>>) -> Result<()> {
    lifecycle::watch(Deadline::default(), move |_| {
        // A writer stuck on a full pipe holds the lock: the signal ends the run regardless.
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(1) {
            if let Ok(mut writer) = writer.try_lock() {
                let _ = writer.write_waiting();
                ui::clear_status();
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    })
}

/// The status line: rows done of all, failed rows, rows a second, time left.
pub(super) struct Progress {
    total: usize,
    ok: usize,
    failed: usize,
    /// Rows with a good result from an earlier run.
    pub(super) skipped: usize,
    started: Instant,
    drawn: Option<Instant>,
    /// Results go to `--output`: a rerun tries the failed rows again.
    resumable: bool,
}

impl Progress {
    pub(super) fn new(total: usize, resumable: bool) -> Progress {
        Progress {
            total,
            ok: 0,
            failed: 0,
            skipped: 0,
            started: Instant::now(),
            drawn: None,
            resumable,
        }
    }

    /// Redraws the line, at most ten times a second.
    pub(super) fn draw(&mut self) {
        if self
            .drawn
            .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.drawn = Some(Instant::now());
        let sent = self.ok + self.failed;
        let done = sent + self.skipped;
        let elapsed = self.started.elapsed().as_secs_f64();
        let rate = if elapsed > 0.0 {
            sent as f64 / elapsed
        } else {
            0.0
        };
        let mut line = format!("{done}/{} rows", self.total);
        if self.failed > 0 {
            line.push_str(&format!(", {} failed", self.failed));
        }
        if sent > 0 {
            line.push_str(&format!(", {rate:.1} rows/s"));
            let left = self.total.saturating_sub(done) as f64 / rate;
            line.push_str(&format!(", {} left", duration(left)));
        }
        ui::status(&line);
    }

    /// The summary, and the exit code: 75 when a row failed.
    pub(super) fn finish(&self) -> u8 {
        ui::clear_status();
        let sent = self.ok + self.failed;
        let mut summary = format!(
            "{}: {} ok, {} failed in {:.1} s",
            plural(sent, "row"),
            self.ok,
            self.failed,
            self.started.elapsed().as_secs_f64()
        );
        if self.skipped > 0 {
            summary.push_str(&format!(" ({} done before)", self.skipped));
        }
        if std::io::stderr().is_terminal() && !ui::quiet() {
            ui::note(&summary);
        } else if self.failed > 0 {
            let rerun = if self.resumable {
                " (a rerun with the same --output tries them again)"
            } else {
                ""
            };
            ui::warn(&format!(
                "{} of {} failed; their errors are in the results{rerun}",
                self.failed,
                plural(sent, "row")
            ));
        }
        if self.failed > 0 { TEMPORARY } else { 0 }
    }
}

/// Seconds as `42 s`, `3 min 20 s` or `2 h 5 min`.
fn duration(secs: f64) -> String {
    let secs = secs.round() as u64;
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, secs / 60 % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_wait_within_a_count_and_a_size() {
        let mut waiting = Waiting::default();
        assert!(waiting.room(3, 4, 100));
        assert!(!waiting.room(4, 4, 100));
        waiting.insert(2, "x".repeat(60));
        assert!(waiting.room(2, 4, 100));
        assert!(
            !waiting.room(3, 4, 100),
            "rows in flight and waiting count together"
        );
        waiting.insert(3, "y".repeat(40));
        assert!(!waiting.room(0, 16, 100), "the budget is spent");
        assert_eq!(waiting.remove(2).map(|r| r.len()), Some(60));
        assert!(waiting.room(0, 16, 100));
        assert_eq!(waiting.remove(2), None);
        assert_eq!(waiting.bytes, 40);
    }

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(duration(4.4), "4 s");
        assert_eq!(duration(200.0), "3 min 20 s");
        assert_eq!(duration(7500.0), "2 h 5 min");
    }
}
