//! `mume batch`'s settings, and the flags of a single exchange it refuses.

use anyhow::Result;

use super::{Batch, BatchMode};
use crate::cli::{Batch as BatchArgs, BatchAction, Cli};
use crate::error::{USAGE, fail};

/// `mume batch`'s settings; the flags of a single exchange that a batch cannot honour,
/// given before `batch`, are refused (after it, clap knows them not, and `main` gives the
/// same message).
pub(super) fn batch(cli: &Cli, args: &BatchArgs) -> Result<Batch> {
    let given = [
        (cli.stream, "--stream"),
        (cli.continue_last, "-c"),
        (cli.chat.is_some(), "--chat"),
        (!cli.tool_result.is_empty(), "--tool-result"),
        (cli.messages.is_some(), "--messages"),
        (cli.extract || cli.extract_last, "-x"),
        (!cli.files.is_empty(), "-f"),
    ];
    if let Some((_, flag)) = given.iter().find(|(on, _)| *on) {
        return Err(fail(USAGE, refused_with_batch(flag).unwrap_or_default()));
    }
    let (mode, output, raw) = batch_mode(args)?;
    // Stdin is read once: the rows, or a parameter's value.
    let rows_from_stdin =
        (args.file.as_deref()).is_none_or(|f| f.to_str().is_some_and(crate::check::names_stdin));
    if matches!(mode, BatchMode::Local | BatchMode::Submit { .. })
        && rows_from_stdin
        && cli.params.iter().any(|p| super::params::reads_stdin(p))
    {
        return Err(fail(
            USAGE,
            "-p NAME=@-: the rows are read from stdin; give the value as text or @FILE",
        ));
    }
    let command = match &mode {
        BatchMode::Status { .. } => Some("status"),
        BatchMode::Fetch { .. } => Some("fetch"),
        BatchMode::Cancel { .. } => Some("cancel"),
        BatchMode::List { .. } => Some("list"),
        BatchMode::Local | BatchMode::Submit { .. } => None,
    };
    if let Some(command) = command.filter(|_| cli.dry_run) {
        return Err(fail(
            USAGE,
            format!(
                "--dry-run cannot be used with batch {command}: it sends no request body to show"
            ),
        ));
    }
    Ok(Batch {
        file: args.file.clone(),
        output,
        jobs: args.jobs.map_or(4, usize::from),
        rpm: args.rpm,
        text: args.text,
        raw,
        mode,
    })
}

/// What `mume batch` does, and the `--output` and `--raw` that apply (`fetch` has its own).
fn batch_mode(args: &BatchArgs) -> Result<(BatchMode, Option<std::path::PathBuf>, bool)> {
    let (mut output, mut raw) = (args.output.clone(), args.raw);
    let mode = match &args.action {
        None if args.submit => {
            let local_only = [(args.jobs.is_some(), "-j"), (args.rpm.is_some(), "--rpm")];
            if let Some((_, flag)) = local_only.iter().find(|(on, _)| *on) {
                return Err(fail(
                    USAGE,
                    format!(
                        "{flag} cannot be used with --submit: the server paces a provider batch"
                    ),
                ));
            }
            BatchMode::Submit {
                wait: args.wait,
                max_rows: args.max_rows.map_or(50_000, |n| n as usize),
                max_bytes: args.max_bytes.unwrap_or(200_000_000),
            }
        }
        None => BatchMode::Local,
        Some(BatchAction::Status { job, wait }) => BatchMode::Status {
            job: job.clone(),
            wait: *wait,
        },
        Some(BatchAction::Fetch {
            job,
            output: to,
            raw: as_raw,
            wait,
        }) => {
            (output, raw) = (to.clone(), *as_raw);
            BatchMode::Fetch {
                job: job.clone(),
                wait: *wait,
            }
        }
        Some(BatchAction::Cancel { job }) => BatchMode::Cancel { job: job.clone() },
        Some(BatchAction::List { remote }) => BatchMode::List { remote: *remote },
    };
    Ok((mode, output, raw))
}

/// Why a flag of a single exchange is refused with `batch`; `None` for any other flag.
pub(crate) fn refused_with_batch(flag: &str) -> Option<String> {
    let name = flag.split('=').next().unwrap_or(flag);
    let why = match name {
        "--stream" | "-c" | "--continue" | "--chat" | "--tool-result" | "--messages" => {
            "rows are sent whole, one request each, and never saved as conversations"
        }
        "-x" | "--extract" | "--extract-last" => {
            "each result holds the whole answer (jq can cut it)"
        }
        "-f" | "--file" => "put the file's text in the rows (jq --rawfile can)",
        _ => return None,
    };
    Some(format!("{name} cannot be used with batch: {why}"))
}
