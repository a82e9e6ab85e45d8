//! Resolves flags, environment and config file into one checked `Settings` value, with the
//! precedence of the contract: `-o`, then dedicated flags, then environment, then the
//! config's `[options]`, then its other keys, then defaults. Flags stop here: nothing
//! below this module reads `Cli`.

mod batch;
mod cmd;
mod fields;
mod key;
mod params;
mod render;
mod resolve;
mod role;
mod world;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::check::{RenderChoice, ThinkChoice, is_loopback_url};
use crate::config::Role;
use crate::lifecycle::Deadline;
use crate::output::Extract;
use crate::output::usage::UsageFormat;
pub(crate) use batch::refused_with_batch;
pub(crate) use fields::FieldFile;
pub(crate) use key::{Key, KeySource};
pub(crate) use render::for_history as render_for_history;
pub(crate) use world::World;

pub(crate) const DEFAULT_BASE_URL: &str = "https://mume.ai/api/v1";
pub(crate) const DEFAULT_MODEL: &str = "openai/gpt-4.1-mini";

/// Where a setting's value came from, for `mume config` and for hints in errors.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Source {
    Flag,
    /// `-r NAME`: the config's `[roles.NAME]` or a role file.
    Role(String),
    Env(&'static str),
    File,
    Default,
}

/// A setting's value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sourced<T> {
    pub(crate) value: T,
    pub(crate) from: Source,
}

impl<T> Sourced<T> {
    fn new(value: T, from: Source) -> Sourced<T> {
        Sourced { value, from }
    }
}

/// Everything a run needs, resolved and checked.
#[derive(Debug)]
pub(crate) struct Settings {
    pub(crate) transport: Transport,
    pub(crate) request: Request,
    pub(crate) input: Input,
    pub(crate) output: Output,
    pub(crate) conversation: Conversation,
    /// `mume batch`'s own flags, for that command.
    pub(crate) batch: Option<Batch>,
    /// The role the run takes, if any.
    pub(crate) role: Option<ChosenRole>,
    /// Every role known, for `mume roles` (empty for other runs).
    pub(crate) roles: Vec<ListedRole>,
    /// The folders role files are looked for in.
    pub(crate) role_dirs: Vec<PathBuf>,
    aliases: BTreeMap<String, String>,
    /// The config file read, if any, and where one is looked for.
    pub(crate) config_path: Option<PathBuf>,
    pub(crate) config_place: Option<PathBuf>,
    /// Said once on stderr before the run.
    pub(crate) warnings: Vec<String>,
}

/// Where a role is defined.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RoleSource {
    /// A `[roles.NAME]` table of the config file.
    Config,
    File(PathBuf),
}

/// The role a run takes: `-r`, `mume roles show`, or the `cmd` role of `mume cmd`.
#[derive(Debug, Clone)]
pub(crate) struct ChosenRole {
    pub(crate) name: String,
    pub(crate) source: RoleSource,
    pub(crate) role: Role,
}

/// A role as `mume roles` lists it: a role file that cannot be read is listed with why.
#[derive(Debug)]
pub(crate) struct ListedRole {
    pub(crate) name: String,
    pub(crate) source: RoleSource,
    pub(crate) role: std::result::Result<Role, String>,
}

/// A `-p` parameter's value, as given: text, a file to read, or stdin.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ParamValue {
    Text(String),
    File(PathBuf),
    Stdin,
}

/// A parameter of the role's text and its value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) value: ParamValue,
}

/// How requests reach the server.
#[derive(Debug)]
pub(crate) struct Transport {
    pub(crate) base_url: Sourced<String>,
    /// Extra headers: the config's, then `-H` (which replaces one of the same name).
    pub(crate) headers: Vec<(String, String, Source)>,
    pub(crate) ca_cert: Sourced<Option<PathBuf>>,
    pub(crate) key: KeySource,
    /// `--retries`: how often a failed request is tried again.
    pub(crate) retries: u32,
    /// `--timeout`: how long the server may send nothing.
    pub(crate) idle: Duration,
    pub(crate) deadline: Deadline,
    /// `-v`: trace requests and responses on stderr.
    pub(crate) verbose: bool,
}

/// What the request body is made of.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) model: Sourced<String>,
    /// The system text; when it is the role's (`from` a role), its parameters are still
    /// to fill.
    pub(crate) system: Sourced<Option<String>>,
    /// The role's text put before the user's prompt (`-r`), or around it (`{{input}}`);
    /// its parameters are still to fill.
    pub(crate) role_prompt: Option<String>,
    /// The values of the role's parameters: every one its text holds, but `{{input}}`.
    pub(crate) params: Vec<Param>,
    pub(crate) stream: Sourced<bool>,
    /// Request fields other than model, messages and stream, precedence applied; a field
    /// of `files` holds `null` until the request is gathered.
    pub(crate) fields: Map<String, Value>,
    pub(crate) field_sources: BTreeMap<String, Source>,
    pub(crate) files: Vec<(String, FieldFile)>,
    /// `--usage`: a streamed request asks for the usage too.
    pub(crate) usage: bool,
    /// `-a`: image files or URLs for the user message.
    pub(crate) attach: Vec<String>,
    /// `--dry-run`: print the body, send nothing.
    pub(crate) dry_run: bool,
}

/// Where the prompt comes from.
#[derive(Debug)]
pub(crate) struct Input {
    pub(crate) words: Vec<String>,
    pub(crate) files: Vec<PathBuf>,
    /// Stdin is read for the prompt: not `--no-stdin`, not a terminal, not taken by
    /// `--messages -` or `--tool-result ID=@-`.
    pub(crate) stdin: bool,
    pub(crate) max_input: u64,
    /// `--messages FILE|-`.
    pub(crate) messages: Option<String>,
    /// `--tool-result CALL_ID=TEXT|@FILE|@-`.
    pub(crate) tool_results: Vec<String>,
    /// `-e`: the editor the prompt is written in (`$VISUAL`, `$EDITOR`, `vi`).
    pub(crate) editor: Option<String>,
}

/// How the answer is shown.
#[derive(Debug)]
pub(crate) struct Output {
    pub(crate) json: bool,
    pub(crate) extract: Extract,
    pub(crate) reasoning: bool,
    pub(crate) usage: Option<UsageFormat>,
    /// `--render` as chosen, and what it comes to here.
    pub(crate) render_choice: Sourced<RenderChoice>,
    /// `render_command`, when one is set.
    pub(crate) render_command: Option<Sourced<String>>,
    pub(crate) render: Render,
    /// `--think`: reasoning inline in the content is taken out of it, or kept.
    pub(crate) think: Sourced<ThinkChoice>,
    /// Text shown on a terminal, drawn or not, has its control characters escaped, so
    /// that a server cannot act on the terminal; into a pipe, a file or a program that
    /// draws it, its bytes are exact.
    pub(crate) escape: bool,
}

/// How a text answer on stdout is drawn.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Render {
    /// As its bytes came.
    Raw,
    /// As Markdown, rules at most `columns` wide.
    Markdown { columns: usize },
    /// By another program (`render_command`), fed the bytes as they came.
    Command(String),
}

/// Which conversation the exchange continues, and whether it is saved.
#[derive(Debug)]
pub(crate) struct Conversation {
    pub(crate) target: Option<Target>,
    pub(crate) save: Sourced<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Target {
    /// `-c`: the most recent conversation.
    Latest,
    /// `--chat NAME|PATH`.
    Named(String),
}

/// `mume batch`'s own flags.
#[derive(Debug)]
pub(crate) struct Batch {
    pub(crate) file: Option<PathBuf>,
    pub(crate) output: Option<PathBuf>,
    pub(crate) jobs: usize,
    pub(crate) rpm: Option<u32>,
    pub(crate) text: bool,
    pub(crate) raw: bool,
    pub(crate) mode: BatchMode,
}

/// Where a batch's rows run, or what is done with a job that runs on the server.
#[derive(Debug, PartialEq)]
pub(crate) enum BatchMode {
    /// Here, `jobs` at once.
    Local,
    /// On the server's Batch API, in parts of at most `max_rows` rows and `max_bytes`.
    Submit {
        wait: bool,
        max_rows: usize,
        max_bytes: u64,
    },
    Status {
        job: Option<String>,
        wait: bool,
    },
    Fetch {
        job: Option<String>,
        wait: bool,
    },
    Cancel {
        job: String,
    },
    List {
        remote: bool,
    },
}

impl Settings {
    /// The system text replaces a continued conversation's own: it was given for this
    /// run, by `-s` or by `-r`.
    pub(crate) fn system_replaces(&self) -> bool {
        matches!(self.request.system.from, Source::Flag | Source::Role(_))
    }

    /// A model name with the config's aliases expanded.
    pub(crate) fn alias(&self, model: String) -> String {
        self.aliases.get(&model).cloned().unwrap_or(model)
    }
}

impl Transport {
    /// True when the base URL points at this machine: no key needed, no proxy used.
    pub(crate) fn is_loopback(&self) -> bool {
        is_loopback_url(&self.base_url.value)
    }
}

/// Settings for a command line (without `mume`) in `world`, for tests elsewhere.
#[cfg(test)]
pub(crate) fn from_args(args: &str, world: &World) -> anyhow::Result<Settings> {
    use clap::Parser;
    let words = std::iter::once("mume").chain(args.split_whitespace());
    Settings::resolve(&crate::cli::Cli::try_parse_from(words)?, world)
}

#[cfg(test)]
mod tests;
