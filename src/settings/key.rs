//! The API key: where it comes from, in the contract's order (`MUME_API_KEY`, the config's
//! `api_key_command`, its `api_key`), running the command within `--max-time`, and making
//! the key and a URL's password known as secrets before anything can print them.

use std::io::Read;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Result;

use super::{Source, Transport, World};
use crate::config::ConfigFile;
use crate::error::{CONFIG, PERMISSION, fail};
use crate::lifecycle::Deadline;

/// The API key and where it came from.
pub(crate) struct Key {
    pub(crate) value: String,
    pub(crate) from: &'static str,
}

/// Where the key comes from, in the contract's order: `MUME_API_KEY`, then
/// `api_key_command`, then `api_key`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum KeySource {
    Env(String),
    Command(String),
    File(String),
    /// No key anywhere; the config file where one could go, for the hint.
    None {
        config_file: String,
    },
}

impl KeySource {
    pub(super) fn find(world: &World, config: &ConfigFile) -> KeySource {
        if let Some(value) = world.var("MUME_API_KEY") {
            KeySource::Env(value.to_string())
        } else if let Some(command) = &config.api_key_command {
            KeySource::Command(command.clone())
        } else if let Some(value) = &config.api_key {
            KeySource::File(value.clone())
        } else {
            let config_file = world
                .config_place
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "the config file".into());
            KeySource::None { config_file }
        }
    }

    /// Makes the key known as a secret when it can be had without running anything, so
    /// that `mume config` and `--dry-run -v` hide it too.
    pub(super) fn add_secret(&self) {
        match self {
            KeySource::Env(value) | KeySource::File(value) => crate::redact::add_secret(value),
            KeySource::Command(_) | KeySource::None { .. } => {}
        }
    }

    /// Describes where the key would come from, without running anything.
    pub(crate) fn origin(&self) -> (&'static str, Source) {
        match self {
            KeySource::Env(_) => ("set", Source::Env("MUME_API_KEY")),
            KeySource::Command(_) => ("from api_key_command", Source::File),
            KeySource::File(_) => ("set", Source::File),
            KeySource::None { .. } => ("none", Source::Default),
        }
    }
}

impl Transport {
    /// Finds the API key, running `api_key_command` within `--max-time` when that is where
    /// it comes from. `None` only for a loopback base URL; elsewhere a missing key is an
    /// error.
    pub(crate) fn find_key(&self) -> Result<Option<Key>> {
        let (value, from) = match &self.key {
            KeySource::Env(value) => (value.clone(), "MUME_API_KEY"),
            KeySource::Command(command) => {
                (run_key_command(command, self.deadline)?, "api_key_command")
            }
            KeySource::File(value) => (value.clone(), "api_key in the config file"),
            KeySource::None { .. } if self.is_loopback() => return Ok(None),
            KeySource::None { config_file } => {
                return Err(fail(
                    PERMISSION,
                    format!(
                        "no API key for {}: set MUME_API_KEY, or api_key_command or api_key in {config_file}",
                        crate::redact::url(&self.base_url.value)
                    ),
                ));
            }
        };
        // A line break would end the header early: say so rather than send no key.
        if reqwest::header::HeaderValue::from_str(&format!("Bearer {value}")).is_err() {
            return Err(fail(
                CONFIG,
                format!(
                    "the API key from {from} holds a character a header cannot carry (a line break?)"
                ),
            ));
        }
        Ok(Some(Key { value, from }))
    }
}

/// A password in the base URL is a secret like the key: errors that quote the URL in
/// their own words (reqwest's, a proxy's) must not show it.
pub(super) fn add_url_secrets(base_url: &str) {
    let Ok(url) = reqwest::Url::parse(base_url) else {
        return;
    };
    if url.username().is_empty() && url.password().is_none() {
        return;
    }
    let both = format!("{}:{}", url.username(), url.password().unwrap_or(""));
    for part in [url.username(), url.password().unwrap_or(""), &both] {
        crate::redact::add_secret(part);
        if let Ok(decoded) = std::str::from_utf8(&percent_decode(part)) {
            crate::redact::add_secret(decoded);
        }
    }
}

/// `%XX` escapes decoded; anything else kept as it is.
fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// Runs `api_key_command` and returns its output, the key. Past the deadline the command
/// is killed: a `pass` waiting for a passphrase nobody will type must not hang a cron job.
fn run_key_command(command: &str, deadline: Deadline) -> Result<String> {
    use std::os::unix::process::CommandExt;
    // In the foreground of a terminal the command shares mume's process group, so that it
    // may prompt there, and Ctrl-C reaches all of it. Elsewhere it gets a group of its own,
    // which the deadline ends whole, whatever the command started.
    let own_group = !in_terminal_foreground();
    let mut sh = std::process::Command::new("sh");
    sh.arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if own_group {
        sh.process_group(0);
    }
    let mut child = sh
        .spawn()
        .map_err(|e| fail(CONFIG, format!("cannot run api_key_command: {e}")))?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(fail(CONFIG, "cannot run api_key_command: no pipes"));
    };
    let group = child.id();
    let child = Arc::new(Mutex::new(Some(child)));
    let running = Arc::clone(&child);
    let received = deadline.bound("api_key_command was running (it was stopped)", move || {
        let (out, errors) = (Drain::start(stdout), Drain::start(stderr));
        let status = reap(&running)?;
        // What the command left running may hold the pipes open: a moment, no more.
        let grace = Duration::from_millis(100);
        Ok((status, out.take(grace), errors.take(grace)))
    });
    let (status, out, errors) = match received {
        Ok(received) => received,
        Err(e) => {
            stop(&child, group, own_group);
            return Err(e);
        }
    };
    if !status.success() {
        let stderr = String::from_utf8_lossy(&errors);
        return Err(fail(
            CONFIG,
            format!(
                "api_key_command failed ({status}): {}",
                crate::text::one_line(&stderr)
            ),
        ));
    }
    let key = String::from_utf8(out)
        .map_err(|_| fail(CONFIG, "api_key_command printed bytes that are not UTF-8"))?;
    let key = key.trim_end_matches(['\n', '\r']).to_string();
    if key.is_empty() {
        return Err(fail(CONFIG, "api_key_command printed no key"));
    }
    Ok(key)
}

/// The command's `sh`, until it has been waited for.
type Running = Arc<Mutex<Option<std::process::Child>>>;

/// Waits for `sh` to end, letting go of it between looks so that `stop` can kill it.
fn reap(running: &Running) -> Result<std::process::ExitStatus> {
    loop {
        let mut guard = running.lock().unwrap_or_else(|e| e.into_inner());
        let Some(child) = guard.as_mut() else {
            return Err(fail(CONFIG, "api_key_command was stopped"));
        };
        let waited = child
            .try_wait()
            .map_err(|e| fail(CONFIG, format!("cannot run api_key_command: {e}")))?;
        if let Some(status) = waited {
            *guard = None;
            return Ok(status);
        }
        drop(guard);
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Ends the command at the deadline: its whole process group when it has one (a group
/// outlives its leader while any member runs, so its id names no one else), else `sh`.
fn stop(running: &Running, group: u32, own_group: bool) {
    if own_group && let Some(group) = rustix::process::Pid::from_raw(group as i32) {
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    }
    let mut guard = running.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(mut child) = guard.take() {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Whether mume runs in the foreground of its controlling terminal.
fn in_terminal_foreground() -> bool {
    let Ok(tty) = std::fs::File::open("/dev/tty") else {
        return false;
    };
    rustix::termios::tcgetpgrp(&tty).is_ok_and(|group| group == rustix::process::getpgrp())
}

/// A pipe read to its end on a thread of its own; what has come can be taken without
/// waiting for the end.
struct Drain {
    read: Arc<Mutex<Vec<u8>>>,
    ended: std::sync::mpsc::Receiver<()>,
}

impl Drain {
    fn start(mut pipe: impl Read + Send + 'static) -> Drain {
        let read = Arc::new(Mutex::new(Vec::new()));
        let (end, ended) = std::sync::mpsc::channel();
        let into = Arc::clone(&read);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = pipe.read(&mut buf) {
                into.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend_from_slice(&buf[..n]);
            }
            let _ = end.send(());
        });
        Drain { read, ended }
    }

    /// What was read, once the pipe ends or `grace` has passed.
    fn take(self, grace: Duration) -> Vec<u8> {
        let _ = self.ended.recv_timeout(grace);
        std::mem::take(&mut *self.read.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("p%40ss%2"), b"p@ss%2");
        assert_eq!(percent_decode("plain"), b"plain");
    }
}
