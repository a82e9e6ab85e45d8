//! mume: a command-line client for OpenAI-compatible chat models that fits in pipelines.
//!
//! `main` parses the command line, runs it, and is the one place that prints an error and
//! picks the exit code.

#[cfg(not(unix))]
compile_error!("mume runs on Unix-like systems: Linux, macOS and the BSDs");

mod api;
mod batch;
mod check;
mod cli;
mod commands;
mod config;
mod error;
mod exchange;
mod generate;
mod http;
mod lifecycle;
mod output;
mod redact;
mod settings;
mod store;
mod template;
mod text;

use std::process::ExitCode;

use anyhow::Result;
use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command, ConfigAction, HistoryAction, RolesAction, StatsBy};
use crate::commands::history;
use crate::output::ui;
use crate::settings::{Settings, World};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version: clap prints them to stdout.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            ui::error(&usage_error(&e));
            return ExitCode::from(error::USAGE);
        }
    };
    ui::init(cli.quiet, cli.color);
    match run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if error::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            ui::error(&crate::text::escape(&format!("{e:#}")));
            ExitCode::from(error::exit_code(&e))
        }
    }
}

/// Clap's error as one line, with the hint a user needs most: clap's own tips (`use '--
/// -5'`, a similar flag) when it has any.
fn usage_error(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() == ErrorKind::UnknownArgument
        && std::env::args().any(|a| a == "batch")
        && let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg)
        && let Some(message) = settings::refused_with_batch(arg)
    {
        return message;
    }
    let rendered = e.render().to_string();
    let lines: Vec<&str> = rendered
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let first = lines.join(" ");
    let first = first.trim_start_matches("error: ");
    let tips: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("tip:"))
        .collect();
    if !tips.is_empty() {
        return format!("{first} ({}; see mume --help)", tips.join("; "));
    }
    let reserved = std::env::args().nth(1).filter(|word| {
        Cli::command()
            .get_subcommands()
            .any(|s| s.get_name() == word)
    });
    match reserved {
        Some(word) if e.kind() == clap::error::ErrorKind::InvalidSubcommand => {
            format!("{first} (to send a prompt that starts with `{word}`, write mume -- {word} …)")
        }
        _ => format!("{first} (see mume --help)"),
    }
}

fn run(cli: &Cli) -> Result<u8> {
    if let Some(kind) = cli.generate {
        return generate::print(kind);
    }
    if let Some(Command::ShellInit { shell }) = cli.command {
        return commands::shell_init::print(shell);
    }
    if let Some(Command::Config {
        action: Some(ConfigAction::Path),
    }) = &cli.command
    {
        return commands::config_path();
    }
    // The store is read without the settings: a broken config file must not hide it.
    if let Some(Command::History { action }) = &cli.command {
        let action = match action {
            None => history::Action::List,
            Some(HistoryAction::Show { id }) => {
                let (render, escape) = settings::render_for_history(cli)?;
                history::Action::Show(id, render, escape)
            }
            Some(HistoryAction::Rm { id }) => history::Action::Rm(id),
            Some(HistoryAction::Search { text }) => history::Action::Search(text),
            Some(HistoryAction::Prune { older_than }) => history::Action::Prune(older_than),
            Some(HistoryAction::Stats { since, by }) => history::Action::Stats {
                since: since.as_deref(),
                by: by.map(|by| match by {
                    StatsBy::Model => commands::stats::By::Model,
                    StatsBy::Day => commands::stats::By::Day,
                }),
            },
        };
        return history::run(action, cli.json, cli.dry_run);
    }
    let settings = Settings::resolve(cli, &World::read(cli)?)?;
    for warning in &settings.warnings {
        ui::warn(warning);
    }
    match &cli.command {
        Some(Command::Models) => commands::models(&settings),
        Some(Command::Config { .. }) => commands::config::run(&settings),
        Some(Command::Batch(_)) => batch::run(settings),
        Some(Command::Cmd(_)) => exchange::run(settings),
        Some(Command::Roles {
            action: Some(RolesAction::Show { .. }),
            ..
        }) => commands::roles::show(&settings),
        Some(Command::Roles { names, .. }) => commands::roles::list(&settings, *names),
        Some(Command::History { .. } | Command::ShellInit { .. }) => {
            unreachable!("handled above")
        }
        None => exchange::run(settings),
    }
}
