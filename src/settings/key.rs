//! The API key: where it comes from, in the contract's order (`MUME_API_KEY`, the config's
//! `api_key_command`, its `api_key`), running the command within `--max-time`, and making
//! the key and a URL's password known as secrets before anything can print them.

use std::io::Read;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Instant;

use anyhow::Result;

use super::{Settings, Source, env};
use crate::config;
use crate::error::{CONFIG, PERMISSION, TEMPORARY, fail};

/// The API key and where it came from.
pub(crate) struct Key {
    pub(crate) value: String,
    pub(crate) from: &'static str,
}

impl Settings {
    /// Finds the API key: `MUME_API_KEY`, then `api_key_command`, then `api_key`.
    /// `None` only for a loopback base URL; elsewhere a missing key is an error.
    pub(crate) fn key(&self) -> Result<Option<Key>> {
        let (value, from) = match self.key_source() {
            KeySource::Env(value) => (value, "MUME_API_KEY"),
            KeySource::Command(command) => {
                (run_key_command(command, self.deadline)?, "api_key_command")
            }
            KeySource::File(value) => (value.to_string(), "api_key in the config file"),
            KeySource::None if self.is_loopback() => return Ok(None),
            KeySource::None => {
                let file = config::path()
                    .map(|(p, _)| p.display().to_string())
                    .unwrap_or_else(|| "the config file".into());
                return Err(fail(
                    PERMISSION,
                    format!(
                        "no API key for {}: set MUME_API_KEY, or api_key_command or api_key in {file}",
                        crate::redact::url(&self.base_url)
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

    /// Makes the key known to `ui` as a secret when it can be had without running
    /// anything, so that `mume config` and `--dry-run -v` hide it too.
    pub(super) fn add_key_secret(&self) {
        match self.key_source() {
            KeySource::Env(value) => crate::redact::add_secret(&value),
            KeySource::File(value) => crate::redact::add_secret(value),
            KeySource::Command(_) | KeySource::None => {}
        }
    }

    /// Describes where the key would come from, without running anything.
    pub(crate) fn key_origin(&self) -> (&'static str, Source) {
        match self.key_source() {
            KeySource::Env(_) => ("set", Source::Env("MUME_API_KEY")),
            KeySource::Command(_) => ("from api_key_command", Source::File),
            KeySource::File(_) => ("set", Source::File),
            KeySource::None => ("none", Source::Default),
        }
    }

    /// The first place that holds a key, in the contract's order.
    fn key_source(&self) -> KeySource<'_> {
        if let Some(value) = env("MUME_API_KEY") {
            KeySource::Env(value)
        } else if let Some(command) = &self.config.api_key_command {
            KeySource::Command(command)
        } else if let Some(value) = &self.config.api_key {
            KeySource::File(value)
        } else {
            KeySource::None
        }
    }
}

enum KeySource<'a> {
    Env(String),
    Command(&'a str),
    File(&'a str),
    None,
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

/// Runs `api_key_command` and returns its output, the key. Past `deadline` the command is
/// killed: a `pass` waiting for a passphrase nobody will type must not hang a cron job.
fn run_key_command(command: &str, deadline: Option<Instant>) -> Result<String> {
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(CONFIG, format!("cannot run api_key_command: {e}")))?;
    let (Some(mut stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(fail(CONFIG, "cannot run api_key_command: no pipes"));
    };
    let (done, output) = mpsc::channel();
    std::thread::spawn(move || {
        let errors = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = stderr.read_to_end(&mut bytes);
            bytes
        });
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        let _ = done.send((out, errors.join().unwrap_or_default()));
    });
    let received = match deadline {
        None => output.recv().ok(),
        Some(deadline) => output
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .ok(),
    };
    let Some((out, errors)) = received else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(fail(
            TEMPORARY,
            "gave up: --max-time reached while api_key_command was running (it was stopped)",
        ));
    };
    let status = child
        .wait()
        .map_err(|e| fail(CONFIG, format!("cannot run api_key_command: {e}")))?;
    if !status.success() {
        let stderr = String::from_utf8_lossy(&errors);
        return Err(fail(
            CONFIG,
            format!(
                "api_key_command failed ({status}): {}",
                crate::ui::one_line(&stderr)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("p%40ss%2"), b"p@ss%2");
        assert_eq!(percent_decode("plain"), b"plain");
    }
}
