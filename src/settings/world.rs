//! What the run's settings are resolved from besides the flags: the environment variables
//! mume reads, the config file's text, and whether stdin and stdout are terminals. Read
//! once, so that resolving is a pure function of the flags and this snapshot.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::config::{self, RoleFile};
use crate::error::{USAGE, fail};

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
    /// The role files the run needs: the one for its role's name, or all of them for a
    /// listing (only their names for `mume roles --names`).
    pub(crate) role_files: Vec<RoleFile>,
    /// The names of the role files, when none has the name the run wants.
    pub(crate) role_names: Vec<String>,
    /// `-r PATH`: the role file named by its path.
    pub(crate) role_path: Option<RoleFile>,
    /// The folders role files are looked for in, for messages.
    pub(crate) role_dirs: Vec<PathBuf>,
}

/// The role files a run reads.
#[derive(Debug, PartialEq)]
enum Wanted<'a> {
    None,
    Named(&'a str),
    Path(&'a str),
    Names,
    All,
}

/// Whether `-r VALUE` names a file rather than a role: it has a `/` or ends in `.md`.
fn is_role_path(value: &str) -> bool {
    value.contains('/') || value.ends_with(".md")
}

fn wanted(cli: &Cli) -> Wanted<'_> {
    match (super::role::named(cli), &cli.command) {
        (Some((name, _)), _) if is_role_path(name) => Wanted::Path(name),
        (Some((name, _)), _) => Wanted::Named(name),
        (None, Some(Command::Roles { names: true, .. })) => Wanted::Names,
        (None, Some(Command::Roles { .. })) => Wanted::All,
        (None, _) => Wanted::None,
    }
}

impl World {
    /// Reads the environment, the terminals, the config file and the role files the run
    /// needs; the operating system's name too, for `mume cmd`.
    pub(crate) fn read(cli: &Cli) -> Result<World> {
        let mut world = World::basics(cli);
        let place = config::path_in(|name| world.env.get(name).cloned());
        world.config = config::read(place)?;
        world.read_roles(cli)?;
        Ok(world)
    }

    /// The environment and the terminals, and the config file when it can be read: for
    /// `history show`, which a broken config file must not stop.
    pub(crate) fn read_leniently(cli: &Cli) -> World {
        let mut world = World::basics(cli);
        let place = config::path_in(|name| world.env.get(name).cloned());
        world.config = config::read(place).ok().flatten();
        world
    }

    /// The environment variables, the terminals, and where the config file is looked for.
    fn basics(cli: &Cli) -> World {
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
        let config_place = config::path_in(|name| env.get(name).cloned()).map(|(path, _)| path);
        World {
            env,
            config_place,
            stdin_terminal: std::io::stdin().is_terminal(),
            stdout_terminal: std::io::stdout().is_terminal(),
            columns: terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| w.0),
            os: matches!(cli.command, Some(Command::Cmd(_))).then(operating_system),
            started,
            ..World::default()
        }
    }

    /// The role files the run needs. A name the config's tables hold is not looked for
    /// in files: the table wins, and a file it hides cannot fail the run.
    fn read_roles(&mut self, cli: &Cli) -> Result<()> {
        let wanted = wanted(cli);
        let peek = peek(self.config.as_ref());
        if let Wanted::Named(name) = wanted
            && peek.roles.contains_key(name)
        {
            return Ok(());
        }
        let env = &self.env;
        let dirs = match wanted {
            Wanted::None | Wanted::Path(_) => Vec::new(),
            _ => config::role_dirs(
                |name| env.get(name).cloned(),
                self.config.as_ref().map(|c| c.path.as_path()),
                &peek.roles_path,
            ),
        };
        match wanted {
            Wanted::Named(name) => {
                self.role_files = config::find_role(name, &dirs).into_iter().collect();
                // No file of that name: the names there are, for the error that says so.
                if self.role_files.is_empty() {
                    let all = config::list_roles(&dirs, false);
                    self.role_names = all.into_iter().map(|f| f.name).collect();
                }
            }
            Wanted::Names | Wanted::All => {
                self.role_files = config::list_roles(&dirs, wanted == Wanted::All);
            }
            Wanted::Path(path) => self.role_path = Some(read_role_path(path)?),
            Wanted::None => {}
        }
        self.role_dirs = dirs;
        Ok(())
    }

    /// An environment variable's value, when it is set and not empty.
    pub(crate) fn var(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(String::as_str)
    }
}

/// What role files depend on in the config, read on its own: a config file that does not
/// parse is reported when the settings are resolved.
#[derive(Default, serde::Deserialize)]
struct Peek {
    #[serde(default)]
    roles_path: Vec<String>,
    #[serde(default)]
    roles: BTreeMap<String, serde::de::IgnoredAny>,
}

fn peek(config: Option<&config::Text>) -> Peek {
    config
        .and_then(|c| toml::from_str::<Peek>(&c.text).ok())
        .unwrap_or_default()
}

/// `-r PATH`: the file, named after it (`NAME.md`, or `NAME/system.md`).
fn read_role_path(path: &str) -> Result<RoleFile> {
    let mut path = PathBuf::from(path);
    if path.is_dir() {
        path.push("system.md");
    }
    let bytes = config::read_role(&path).map_err(|e| {
        fail(
            USAGE,
            format!("-r {}: cannot read the role file: {e}", path.display()),
        )
    })?;
    let stem = |p: &std::path::Path| p.file_stem().map(|s| s.to_string_lossy().into_owned());
    let name = match stem(&path) {
        Some(file) if file == "system" => path.parent().and_then(stem).unwrap_or(file),
        Some(stem) => stem,
        None => path.display().to_string(),
    };
    Ok(RoleFile {
        name,
        path,
        bytes: Ok(bytes),
    })
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
