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
    let text = String::from_utf8(text)?;
    let text = match shell {
        Shell::Bash => bash_role_names(&text),
        Shell::Zsh => text.replace(ZSH_ANY, ZSH_ROLES),
        _ => text,
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(0)
}

/// clap knows no list for `-r NAME`; zsh's spec for it offers anything. The names come
/// from `mume roles --names` at Tab time, one a line, taken literally.
const ZSH_ANY: &str = "lists them)]:NAME:_default'";
const ZSH_ROLES: &str =
    "lists them)]:NAME:{compadd -- ${(f)\"$(mume roles --names 2>/dev/null)\"}}'";

/// Bash completes `-r` and `--role` with the role names instead of file names. Not with
/// `compgen -W`, which would expand what a name holds (`$(…)`, globs): each name is
/// compared as text and offered quoted.
const BASH_ROLES: &str = r#"local role
                    while IFS= read -r role; do
                        [[ "$role" == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$role")")
                    done < <(mume roles --names 2>/dev/null)"#;

fn bash_role_names(script: &str) -> String {
    let mut out = String::with_capacity(script.len() + 1024);
    let mut after_role = false;
    for line in script.split_inclusive('\n') {
        if after_role && line.contains("compgen -f") {
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push_str(indent);
            out.push_str(BASH_ROLES);
            out.push('\n');
        } else {
            out.push_str(line);
        }
        after_role = matches!(line.trim(), "--role)" | "-r)");
    }
    out
}
