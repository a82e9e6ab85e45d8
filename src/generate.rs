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
        Shell::Zsh => text
            .replace(ZSH_ANY, ZSH_ROLES)
            .replace(ZSH_SHOW_ANY, ZSH_SHOW_ROLES),
        _ => text,
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(0)
}

/// clap knows no list for `-r ROLE` or `mume roles show ROLE`; zsh's spec for them offers
/// anything. The names come from `mume roles --names` at Tab time, one a line, taken
/// literally.
const ZSH_ANY: &str = ":ROLE:_default'";
const ZSH_ROLES: &str = ":ROLE:{compadd -- ${(f)\"$(mume roles --names 2>/dev/null)\"}}'";

/// `mume roles show ROLE`, a positional argument, in zsh's spec.
const ZSH_SHOW_ANY: &str = "path of a role file:_default'";
const ZSH_SHOW_ROLES: &str =
    "path of a role file:{compadd -- ${(f)\"$(mume roles --names 2>/dev/null)\"}}'";

/// Bash completes `-r` and `--role` with the role names instead of file names. Not with
/// `compgen -W`, which would expand what a name holds (`$(…)`, globs): each name is
/// compared as text and offered quoted.
const BASH_ROLES: &str = r#"local role
                    while IFS= read -r role; do
                        [[ "$role" == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$role")")
                    done < <(mume roles --names 2>/dev/null)"#;

/// And the word after `mume roles show`.
const BASH_SHOW_ROLES: &str = r#"if [[ ${cur} != -* && ${COMP_CWORD} -eq 3 ]] ; then
                local role
                while IFS= read -r role; do
                    [[ "$role" == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$role")")
                done < <(mume roles --names 2>/dev/null)
                return 0
            fi"#;

fn bash_role_names(script: &str) -> String {
    let mut out = String::with_capacity(script.len() + 1024);
    let mut after_role = false;
    let mut in_show = false;
    for line in script.split_inclusive('\n') {
        if in_show && line.trim_start().starts_with("if [[ ${cur} == -*") {
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push_str(indent);
            out.push_str(BASH_SHOW_ROLES);
            out.push('\n');
            in_show = false;
        }
        if line.trim() == "mume__subcmd__roles__subcmd__show)" {
            in_show = true;
        }
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
