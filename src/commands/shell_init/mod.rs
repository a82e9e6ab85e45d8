//! `mume shell-init SHELL`: the snippet that binds a key to `mume cmd` (SPEC §12). The
//! snippets are shell scripts kept beside this file, checked by each shell in the tests.

use std::io::Write;

use anyhow::Result;

use crate::check::InitShell;

/// Prints the snippet for `shell`.
pub(crate) fn print(shell: InitShell) -> Result<u8> {
    let snippet = match shell {
        InitShell::Bash => include_str!("init.bash"),
        InitShell::Zsh => include_str!("init.zsh"),
        InitShell::Fish => include_str!("init.fish"),
    };
    std::io::stdout().lock().write_all(snippet.as_bytes())?;
    Ok(0)
}
