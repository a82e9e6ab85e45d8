//! Completion scripts and the man page, made from the clap definition, always for the name
//! `mume` whatever the binary was called.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, Generate};

pub(crate) fn print(kind: Generate) -> Result<u8> {
    let mut command = Cli::command().name("mume").bin_name("mume");
    let mut text = Vec::new();
    let shell = match kind {
        Generate::Bash => Shell::Bash,
        Generate::Zsh => Shell::Zsh,
        Generate::Fish => Shell::Fish,
        Generate::Elvish => Shell::Elvish,
        Generate::Powershell => Shell::PowerShell,
        Generate::Man => {
            clap_mangen::Man::new(command).render(&mut text)?;
            std::io::stdout().lock().write_all(&text)?;
            return Ok(0);
        }
    };
    clap_complete::generate(shell, &mut command, "mume", &mut text);
    std::io::stdout().lock().write_all(&text)?;
    Ok(0)
}
