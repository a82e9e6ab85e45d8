//! The command line as clap sees it: flags, subcommands and their help text. No I/O here;
//! `settings` turns this raw form into one checked value.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum, ValueHint};

use crate::check::{InitShell, ReasoningEffort, RenderChoice, ThinkChoice};
use crate::output::ui::ColorChoice;
use crate::output::usage::UsageFormat;

mod batch;
mod cmd;
mod history;
use batch::BATCH_EXAMPLES;
pub(crate) use batch::{Batch, BatchAction};
use cmd::CMD_EXAMPLES;
pub(crate) use cmd::Cmd;
pub(crate) use history::{HistoryAction, RolesAction, StatsBy};

const EXAMPLES: &str = "\
Examples:
  echo \"2+2=\" | mume                        pipe a prompt in
  git diff | mume -s \"You review code.\" \"Summarise this change\"
  mume --stream \"write a haiku\" | tee haiku.txt  stream tokens to a pipe
  mume --json \"hi\" | jq .usage              the raw response for jq
  mume -c \"and in French?\"                  continue the last conversation
  mume --base-url http://localhost:11434/v1 -m llama3.2 \"hi\"   a local server
  mume --dry-run \"hi\" | jq .                see the request without sending it
  mume -r reviewer -f src/main.rs \"any bugs?\"   a role from the config, a file in the prompt
  mume -q --usage=json \"hi\" 2>> usage.jsonl   log tokens, cost and timings
  mume batch rows.jsonl --output out.jsonl   a request per row, resumable";

/// Send a prompt to an OpenAI-compatible chat model and print the answer.
///
/// The prompt is the words given, stdin, or both (stdin, a blank line, then the words).
/// The answer goes to stdout and nothing else does; warnings and errors go to stderr.
#[derive(Debug, Parser)]
#[command(
    name = "mume",
    version,
    disable_help_subcommand = true,
    after_help = EXAMPLES,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,

    /// The prompt; the words are joined with spaces. Use `--` before a prompt that starts
    /// with `models`, `history`, `config`, `batch`, `roles`, `cmd` or `shell-init`.
    #[arg(value_name = "PROMPT")]
    pub(crate) words: Vec<String>,

    /// Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]
    #[arg(short, long, global = true, help_heading = "Request")]
    pub(crate) model: Option<String>,

    /// Apply the settings of a role: a config table or a role file (`mume roles` lists
    /// them), or the role file at PATH
    #[arg(
        short,
        long,
        value_name = "ROLE",
        global = true,
        help_heading = "Request"
    )]
    pub(crate) role: Option<String>,

    /// Fill the role's {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin
    #[arg(
        short = 'p',
        long = "param",
        value_name = "NAME=VALUE",
        global = true,
        help_heading = "Request"
    )]
    pub(crate) params: Vec<String>,

    /// System prompt, sent as a leading system message
    #[arg(
        short,
        long,
        value_name = "TEXT",
        global = true,
        help_heading = "Request"
    )]
    pub(crate) system: Option<String>,

    /// Sampling temperature, 0 to 2
    #[arg(short, long, value_name = "F", value_parser = parse_temperature, global = true, help_heading = "Request")]
    pub(crate) temperature: Option<f64>,

    /// Nucleus sampling: the probability mass to sample from, 0 to 1
    #[arg(long, value_name = "F", value_parser = parse_top_p, global = true, help_heading = "Request")]
    pub(crate) top_p: Option<f64>,

    /// Upper limit on the tokens of the answer
    #[arg(long, value_name = "N", global = true, help_heading = "Request")]
    pub(crate) max_tokens: Option<u64>,

    /// Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)
    #[arg(long, value_name = "N", global = true, help_heading = "Request")]
    pub(crate) max_completion_tokens: Option<u64>,

    /// How hard a reasoning model thinks
    #[arg(long, value_name = "LEVEL", global = true, help_heading = "Request")]
    pub(crate) reasoning_effort: Option<ReasoningEffort>,

    /// A sequence at which the model stops (repeatable)
    #[arg(long, value_name = "SEQ", global = true, help_heading = "Request")]
    pub(crate) stop: Vec<String>,

    /// Seed for sampling, for repeatable answers where the server supports it
    #[arg(long, value_name = "N", global = true, help_heading = "Request")]
    pub(crate) seed: Option<i64>,

    /// Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)
    #[arg(
        short = 'o',
        long = "option",
        value_name = "KEY=VALUE",
        global = true,
        help_heading = "Request"
    )]
    pub(crate) options: Vec<String>,

    /// Tool definitions: a JSON array of OpenAI tool objects
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, global = true, help_heading = "Request")]
    pub(crate) tools: Option<PathBuf>,

    /// Which tool the model may call
    #[arg(long, value_name = "auto|none|required|NAME", value_parser = ToolChoiceParser, hide_possible_values = true, global = true, help_heading = "Request")]
    pub(crate) tool_choice: Option<String>,

    /// Ask for JSON that follows this JSON Schema (a file or inline JSON)
    #[arg(long, value_name = "FILE|JSON", value_hint = ValueHint::FilePath, global = true, help_heading = "Request")]
    pub(crate) schema: Option<String>,

    /// Attach an image file or URL to the prompt (repeatable)
    #[arg(short, long, value_name = "FILE|URL", value_hint = ValueHint::FilePath, global = true, help_heading = "Request")]
    pub(crate) attach: Vec<String>,

    /// Stream the answer as it is written [default: on when stdout is a terminal]
    #[arg(long, overrides_with = "no_stream", help_heading = "Request")]
    pub(crate) stream: bool,

    /// Wait for the whole answer before printing it
    #[arg(long, overrides_with = "stream", help_heading = "Request")]
    pub(crate) no_stream: bool,

    /// Print the request body that would be sent, and send nothing
    #[arg(long, global = true, help_heading = "Request")]
    pub(crate) dry_run: bool,

    /// Print JSON: the response body as received, or one line per streamed event; with
    /// history and config, one object per line
    #[arg(long, global = true, help_heading = "Output")]
    pub(crate) json: bool,

    /// Print only the first fenced code block of the answer
    #[arg(short = 'x', long, help_heading = "Output")]
    pub(crate) extract: bool,

    /// Print only the last fenced code block of the answer
    #[arg(long, conflicts_with = "extract", help_heading = "Output")]
    pub(crate) extract_last: bool,

    /// Show the model's reasoning text on stderr
    #[arg(long, global = true, help_heading = "Output")]
    pub(crate) reasoning: bool,

    /// Show token counts on stderr after the answer; `--usage=json`: one JSON line with
    /// tokens, cost, request id and timings
    #[arg(long, value_name = "FORMAT", num_args = 0..=1, require_equals = true, default_missing_value = "text", global = true, help_heading = "Output")]
    pub(crate) usage: Option<UsageFormat>,

    /// Silence warnings and the waiting indicator
    #[arg(short, long, global = true, help_heading = "Output")]
    pub(crate) quiet: bool,

    /// Trace the request and response on stderr (the key redacted)
    #[arg(short, long, global = true, help_heading = "Output")]
    pub(crate) verbose: bool,

    /// When to draw a text answer as Markdown: on a terminal (auto), into a pipe too
    /// (always), or never [env: MUME_RENDER]
    #[arg(long, value_name = "WHEN", global = true, help_heading = "Output")]
    pub(crate) render: Option<RenderChoice>,

    /// Reasoning the model writes inside its answer as <think>…</think>: taken out of the
    /// answer (split, the default; shown with --reasoning) or kept in it
    #[arg(long, value_name = "WHAT", global = true, help_heading = "Output")]
    pub(crate) think: Option<ThinkChoice>,

    /// When to colour stderr
    #[arg(
        long,
        value_name = "WHEN",
        default_value = "auto",
        global = true,
        help_heading = "Output"
    )]
    pub(crate) color: ColorChoice,

    /// Continue the most recent conversation
    #[arg(
        short = 'c',
        long = "continue",
        global = true,
        help_heading = "Conversation"
    )]
    pub(crate) continue_last: bool,

    /// Continue a conversation of the store (its name, or the start of its id), or a .jsonl
    /// file; a new name or file starts one
    #[arg(long, value_name = "NAME|PATH", value_hint = ValueHint::FilePath, conflicts_with = "continue_last", global = true, help_heading = "Conversation")]
    pub(crate) chat: Option<String>,

    /// Send these messages (a JSON array or JSON Lines) before the prompt; `-` reads stdin
    #[arg(long, value_name = "FILE|-", value_hint = ValueHint::FilePath, help_heading = "Conversation")]
    pub(crate) messages: Option<String>,

    /// Answer a tool call: TEXT, @FILE or @- for stdin (repeatable; needs -c or --chat)
    #[arg(long, value_name = "CALL_ID=TEXT", help_heading = "Conversation")]
    pub(crate) tool_result: Vec<String>,

    /// Do not save this exchange [env: MUME_NO_SAVE=1]
    #[arg(long, global = true, help_heading = "Conversation")]
    pub(crate) no_save: bool,

    /// API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]
    #[arg(long, value_name = "URL", value_hint = ValueHint::Url, global = true, help_heading = "Connection")]
    pub(crate) base_url: Option<String>,

    /// Extra request header (repeatable)
    #[arg(
        short = 'H',
        long = "header",
        value_name = "NAME: VALUE",
        global = true,
        help_heading = "Connection"
    )]
    pub(crate) headers: Vec<String>,

    /// Also trust the CA certificates in this PEM file
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, global = true, help_heading = "Connection")]
    pub(crate) cacert: Option<PathBuf>,

    /// How often to retry a failed request
    #[arg(
        long,
        value_name = "N",
        default_value_t = 2,
        global = true,
        help_heading = "Connection"
    )]
    pub(crate) retries: u32,

    /// Fail when no data arrives for this long
    #[arg(long, value_name = "SECS", default_value_t = 600.0, value_parser = crate::check::parse_seconds, global = true, help_heading = "Connection")]
    pub(crate) timeout: f64,

    /// Hard limit on the whole run, retries included
    #[arg(long, value_name = "SECS", value_parser = crate::check::parse_seconds, global = true, help_heading = "Connection")]
    pub(crate) max_time: Option<f64>,

    /// Add a file's text to the prompt, fenced under its path (repeatable)
    #[arg(short = 'f', long = "file", value_name = "PATH", value_hint = ValueHint::FilePath, help_heading = "Input")]
    pub(crate) files: Vec<PathBuf>,

    /// Do not read stdin, even when it is not a terminal
    #[arg(long, help_heading = "Input")]
    pub(crate) no_stdin: bool,

    /// Write the prompt in $VISUAL or $EDITOR (else vi), starting from the words given
    #[arg(short = 'e', long, help_heading = "Input")]
    pub(crate) editor: bool,

    /// Largest stdin accepted, in bytes (K, M, G suffixes allowed)
    #[arg(long, value_name = "BYTES", default_value = "16M", value_parser = crate::check::parse_size, global = true, help_heading = "Input")]
    pub(crate) max_input: u64,

    /// Print a completion script or the man page
    #[arg(long, value_name = "KIND", hide = true)]
    pub(crate) generate: Option<Generate>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List the models the server offers, one id a line
    Models,
    /// List saved conversations, newest first
    History {
        #[command(subcommand)]
        action: Option<HistoryAction>,
    },
    /// List the roles, from the config file and role files, and where each comes from
    Roles {
        /// Print only the names, one a line, as written (for scripts and completion)
        #[arg(long)]
        names: bool,
        #[command(subcommand)]
        action: Option<RolesAction>,
    },
    /// Send one request per row of a JSON Lines file, several at once, results in order
    #[command(after_help = BATCH_EXAMPLES)]
    Batch(Batch),
    /// Ask for one shell command and print it, to read, edit and run yourself
    #[command(after_help = CMD_EXAMPLES)]
    Cmd(Cmd),
    /// Print a snippet that binds a key (Alt-m) to turn the command line into a command:
    /// eval "$(mume shell-init bash)", or | source in fish
    ShellInit {
        /// The shell the snippet is for
        shell: InitShell,
    },
    /// Show the effective settings and where each came from
    Config {
        #[command(subcommand)]
        action: Option<ConfigAction>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigAction {
    /// Print the path of the config file
    Path,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Generate {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
    Man,
}

/// Accepts any function name, but offers the three keywords to shell completion.
#[derive(Clone)]
struct ToolChoiceParser;

impl clap::builder::TypedValueParser for ToolChoiceParser {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            ["auto", "none", "required"]
                .into_iter()
                .map(clap::builder::PossibleValue::new),
        ))
    }
}

fn parse_temperature(s: &str) -> Result<f64, String> {
    parse_field("temperature", s)
}

fn parse_top_p(s: &str) -> Result<f64, String> {
    parse_field("top_p", s)
}

/// A number for a request field, range-checked as in the config file and `-o`.
fn parse_field(key: &str, s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    // As JSON where it parses, so the message says `9`, as typed, not `9.0`.
    let value = serde_json::from_str(s)
        .ok()
        .filter(serde_json::Value::is_number)
        .unwrap_or_else(|| serde_json::json!(v));
    crate::check::check_field(key, &value)?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn temperature_range() {
        assert!(parse_temperature("2").is_ok());
        assert!(parse_temperature("2.1").is_err());
        assert!(parse_temperature("-0.1").is_err());
    }
}
