//! What the run's settings are resolved from besides the flags: the environment variables
//! mume reads, the config file's text, and whether stdin and stdout are terminals. Read
//! once, so that resolving is a pure function of the flags and this snapshot.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;

use crate::config;

/// The environment variables that settings are resolved from.
const VARIABLES: [&str; 14] = [
    "MUME_API_KEY",
    "MUME_BASE_URL",
    "MUME_MODEL",
    "MUME_NO_SAVE",
    "MUME_CONFIG",
    "MUME_RENDER",
    "MUME_RENDER_COMMAND",
    "NO_COLOR",
    "TERM",
    "VISUAL",
    "EDITOR",
    "SHELL",
    "XDG_CONFIG_HOME",
    "HOME",
];

/// A snapshot of everything outside the flags that the settings depend on.
#[derive(Debug, Default)]
pub(crate) struct World {
    /// The variables of `VARIABLES` that are set and not empty.
    pub(crate) env: BTreeMap<&'static str, String>,
    /// The config file, when there is one.
    pub(crate) config: Option<config::Text>,
    /// Where the config file is looked for, found or not.
    pub(crate) config_place: Option<PathBuf>,
    pub(crate) stdin_terminal: bool,
    pub(crate) stdout_terminal: bool,
    /// The terminal's width, when stdout is one.
    pub(crate) columns: Option<u16>,
    /// The operating system, with its distribution's name when it has one: read only for
    /// `mume cmd`, whose request names it.
    pub(crate) os: Option<String>,
    /// When the run began: `--max-time` counts from here.
    pub(crate) started: Option<Instant>,
}

impl World {
    /// Reads the environment, the terminals and the config file; the operating system's
    /// name too, when `os` asks for it.
    pub(crate) fn read(os: bool) -> Result<World> {
        let started = Some(Instant::now());
        let env: BTreeMap<&'static str, String> = VARIABLES
            .into_iter()
            .filter_map(|name| {
                let value = std::env::var(name).ok().filter(|v| !v.is_empty())?;
                Some((name, value))
            })
            .collect();
        // Known as a secret before anything can fail: an error may quote what it was given.
        if let Some(key) = env.get("MUME_API_KEY") {
            crate::redact::add_secret(key);
        }
        let place = config::path_in(|name| env.get(name).cloned());
        let config_place = place.as_ref().map(|(path, _)| path.clone());
        let config = config::read(place)?;
        Ok(World {
            env,
            config,
            config_place,
            stdin_terminal: std::io::stdin().is_terminal(),
            stdout_terminal: std::io::stdout().is_terminal(),
            columns: terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| w.0),
            os: os.then(operating_system),
            started,
        })
    }

    /// An environment variable's value, when it is set and not empty.
    pub(crate) fn var(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(String::as_str)
    }
}

/// The operating system as `uname -s` names it, and the distribution's name from
/// `/etc/os-release` when there is one (`Linux (Debian GNU/Linux 13 (trixie))`).
fn operating_system() -> String {
    let system = match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "macOS",
        "freebsd" => "FreeBSD",
        "openbsd" => "OpenBSD",
        "netbsd" => "NetBSD",
        other => other,
    };
    let release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let name = release.lines().find_map(|line| {
        let value = line.strip_prefix("PRETTY_NAME=")?;
        Some(value.trim().trim_matches('"').to_string())
    });
    match name.filter(|n| !n.is_empty()) {
        Some(name) => format!("{system} ({name})"),
        None => system.to_string(),
    }
}
