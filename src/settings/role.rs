//! The role a run takes: the one `-r` names, or for `mume cmd` the role named `cmd`.

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::config::{ConfigFile, Role};
use crate::error::{USAGE, fail};
use crate::text::one_line;

/// The role `-r` names, with its name, or a usage error that lists the known ones.
pub(super) fn role<'a>(
    cli: &'a Cli,
    config: &'a ConfigFile,
) -> Result<Option<(&'a str, &'a Role)>> {
    let name = match (&cli.role, &cli.command) {
        (Some(name), _) => name.as_str(),
        // `mume cmd` takes the role named `cmd`, when the config has one.
        (None, Some(Command::Cmd(_))) if config.roles.contains_key("cmd") => "cmd",
        (None, _) => return Ok(None),
    };
    let Some(role) = config.roles.get(name) else {
        let known: Vec<String> = config.roles.keys().map(|k| one_line(k)).collect();
        let known = if known.is_empty() {
            "none: add [roles.NAME] tables to the config file".to_string()
        } else {
            known.join(", ")
        };
        return Err(fail(
            USAGE,
            format!(
                "no role `{}` in the config file (known roles: {known})",
                one_line(name)
            ),
        ));
    };
    Ok(Some((name, role)))
}
