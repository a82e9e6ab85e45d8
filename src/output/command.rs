//! `render_command`: another program draws the answer. It reads, from a pipe, exactly the
//! bytes mume would have written to stdout, flushed piece by piece, and writes to mume's
//! stdout itself. A program that cannot start, stops reading or fails is said once;
//! mume's exit code stays its own.

use std::io::{self, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::output::{Out, ui};

/// The program drawing the answer, while it runs.
pub(crate) struct Drawer {
    child: Child,
    command: String,
    /// The program stopped reading before the answer ended.
    stopped: Arc<AtomicBool>,
}

/// The pipe to the program: once it stops reading, the rest is dropped, not an error, so
/// that the answer is still taken whole and saved.
struct Pipe {
    stdin: ChildStdin,
    stopped: Arc<AtomicBool>,
}

impl Write for Pipe {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if !self.stopped.load(Ordering::Relaxed) {
            match self.stdin.write(bytes) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => return Err(e),
                Err(_) => self.stopped.store(true, Ordering::Relaxed),
                Ok(n) => return Ok(n),
            }
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.stopped.load(Ordering::Relaxed) && self.stdin.flush().is_err() {
            self.stopped.store(true, Ordering::Relaxed);
        }
        Ok(())
    }
}

impl Drawer {
    /// Starts `sh -c command` on a pipe, and the output that writes to it; `None`, said,
    /// when it cannot start (the answer then goes to stdout as it came).
    pub(crate) fn start(command: &str) -> Option<(Drawer, Out)> {
        let spawned = Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => {
                ui::warn(&format!(
                    "render_command could not start ({e}); the answer is shown as it came"
                ));
                return None;
            }
        };
        let stopped = Arc::new(AtomicBool::new(false));
        let pipe = Pipe {
            stdin: child.stdin.take()?,
            stopped: Arc::clone(&stopped),
        };
        let drawer = Drawer {
            child,
            command: command.to_string(),
            stopped,
        };
        Some((drawer, Out::to(Box::new(pipe))))
    }

    /// The program's process id.
    pub(crate) fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the program, once its pipe is closed (the output dropped).
    pub(crate) fn finish(self) {
        self.wait().report();
    }

    /// Waits for the program, once its pipe is closed (the output dropped), and says how
    /// it ended, to report when the run still wants to.
    pub(crate) fn wait(mut self) -> Ended {
        Ended {
            status: self.child.wait(),
            command: self.command,
            stopped: self.stopped.load(Ordering::Relaxed),
        }
    }
}

/// How the drawing program ended.
pub(crate) struct Ended {
    status: io::Result<std::process::ExitStatus>,
    command: String,
    /// It stopped reading before the answer ended.
    stopped: bool,
}

impl Ended {
    /// Says, once, that the program failed or stopped reading; nothing when it went well.
    pub(crate) fn report(self) {
        let command = crate::text::one_line(&self.command);
        match self.status {
            Ok(status) if !status.success() => {
                ui::warn(&format!("render_command `{command}` failed ({status})"))
            }
            Err(e) => ui::warn(&format!("render_command `{command}`: {e}")),
            Ok(_) if self.stopped => ui::warn(&format!(
                "render_command `{command}` stopped reading before the answer ended"
            )),
            Ok(_) => {}
        }
    }
}

/// Asks the program drawing the answer to end (SIGTERM), when the run ends before it.
pub(crate) fn stop(id: u32) {
    let pid = i32::try_from(id)
        .ok()
        .and_then(rustix::process::Pid::from_raw);
    if let Some(pid) = pid {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }
}
