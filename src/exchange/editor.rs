//! `-e`: the prompt written in the user's editor, as `git commit` does it. The editor runs
//! through `sh` (so `code --wait` works) on a temporary file holding the words given, with
//! the terminal as its stdin and stdout even when mume's are pipes.

use std::fs::File;
use std::process::{Command, Stdio};

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use crate::error::{USAGE, fail};
use crate::lifecycle::{self, Ending};
use crate::settings::Input;

/// The words of the prompt: as given, or as saved in the editor with `-e`.
pub(crate) fn words(input: &Input) -> Result<Vec<String>> {
    match &input.editor {
        Some(editor) => Ok(vec![compose(editor, &input.words)?]),
        None => Ok(input.words.clone()),
    }
}

/// The text saved in `editor`, begun with `words`. An editor that fails, or a text saved
/// empty, is a usage error: nothing is sent.
fn compose(editor: &str, words: &[String]) -> Result<String> {
    let file = tempfile::Builder::new()
        .prefix("mume-prompt-")
        .suffix(".md")
        .tempfile()
        .context("making a file for the editor")?;
    let start = match words.is_empty() {
        true => String::new(),
        false => words.join(" ") + "\n",
    };
    std::fs::write(file.path(), start).context("making a file for the editor")?;
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(editor)
        .arg(file.path());
    // The terminal, when there is one, even if stdin and stdout are pipes.
    if let Ok(tty) = File::options().read(true).write(true).open("/dev/tty") {
        command
            .stdin(Stdio::from(tty.try_clone()?))
            .stdout(Stdio::from(tty));
    }
    let editor_line = crate::text::one_line(editor);
    let status = match while_the_editor_runs(|| command.status())? {
        Ok(status) => status.with_context(|| format!("starting the editor `{editor_line}`"))?,
        Err(signal) => {
            // The file holds the prompt: it goes before the run dies by the signal.
            drop(file);
            lifecycle::end(Ending::Signal(signal));
        }
    };
    if !status.success() {
        return Err(fail(
            USAGE,
            format!("the editor `{editor_line}` failed ({status}): nothing was sent"),
        ));
    }
    // Read by its name: an editor may have replaced the file rather than written into it.
    let bytes = std::fs::read(file.path()).map_err(|e| {
        fail(
            USAGE,
            format!("the editor left no file to read ({e}): nothing was sent"),
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        fail(
            USAGE,
            "the editor saved text that is not UTF-8: nothing was sent",
        )
    })?;
    if text.trim().is_empty() {
        return Err(fail(USAGE, "the prompt was saved empty: nothing was sent"));
    }
    Ok(text.trim_end_matches(['\n', '\r']).to_string())
}

/// Runs `editor` with Ctrl-C left to the editor (it is a key there, as in `git commit`),
/// and SIGTERM or SIGHUP kept until it returns: then `Err` with the signal.
fn while_the_editor_runs<T>(editor: impl FnOnce() -> T) -> std::io::Result<Result<T, i32>> {
    let caught = Arc::new(AtomicUsize::new(0));
    let mut ids = Vec::new();
    for signal in [SIGINT, SIGTERM, SIGHUP] {
        ids.push(signal_hook::flag::register_usize(
            signal,
            Arc::clone(&caught),
            signal as usize,
        )?);
    }
    let result = editor();
    for id in ids {
        signal_hook::low_level::unregister(id);
    }
    match caught.load(Ordering::SeqCst) {
        0 => Ok(Ok(result)),
        signal if signal == SIGINT as usize => Ok(Ok(result)),
        signal => Ok(Err(signal as i32)),
    }
}
