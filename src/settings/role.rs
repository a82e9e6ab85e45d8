//! The role a run takes: the one `-r` names (a config table, else a role file, or the file
//! at a path), the one `mume roles show` names, or for `mume cmd` the role named `cmd`;
//! and every role known, for `mume roles`.

use anyhow::Result;

use super::{ChosenRole, ListedRole, RoleSource, World};
use crate::cli::{Cli, Command, RolesAction};
use crate::config::{ConfigFile, Role, RoleFile, parse_role_file};
use crate::error::{CONFIG, USAGE, fail};
use crate::text::one_line;

/// The role a run names: `-r`, `mume roles show NAME`, or for `mume cmd` the role named
/// `cmd`, which may not exist (`implicit`).
pub(super) fn named(cli: &Cli) -> Option<(&str, bool)> {
    match (&cli.role, &cli.command) {
        (Some(name), _) => Some((name.as_str(), false)),
        (
            None,
            Some(Command::Roles {
                action: Some(RolesAction::Show { name }),
                ..
            }),
        ) => Some((name.as_str(), false)),
        (None, Some(Command::Cmd(_))) => Some(("cmd", true)),
        (None, _) => None,
    }
}

/// The role of the run, or a usage error that says where roles are looked for.
pub(super) fn role(cli: &Cli, config: &ConfigFile, world: &World) -> Result<Option<ChosenRole>> {
    let Some((name, implicit)) = named(cli) else {
        return Ok(None);
    };
    if name.is_empty() {
        return Err(fail(USAGE, "-r needs a role's name or a role file's path"));
    }
    if let Some(file) = &world.role_path {
        return Ok(Some(ChosenRole {
            name: file.name.clone(),
            role: parse(file)?,
            source: RoleSource::File(file.path.clone()),
        }));
    }
    if let Some(role) = config.roles.get(name) {
        return Ok(Some(ChosenRole {
            name: name.to_string(),
            source: RoleSource::Config,
            role: role.clone(),
        }));
    }
    if let Some(file) = world.role_files.iter().find(|f| f.name == name) {
        return Ok(Some(ChosenRole {
            name: name.to_string(),
            role: parse(file)?,
            source: RoleSource::File(file.path.clone()),
        }));
    }
    if implicit {
        return Ok(None);
    }
    Err(unknown(name, config, world))
}

/// A role file read as a role; one that could not be read is a configuration error.
fn parse(file: &RoleFile) -> Result<Role> {
    match &file.bytes {
        Ok(bytes) => parse_role_file(bytes, &file.path),
        Err(why) => Err(fail(CONFIG, why.clone())),
    }
}

/// No role of that name: the config's roles and the folders looked in.
fn unknown(name: &str, config: &ConfigFile, world: &World) -> anyhow::Error {
    let mut known: Vec<&str> = config.roles.keys().map(String::as_str).collect();
    known.extend(world.role_names.iter().map(String::as_str));
    known.sort_unstable();
    known.dedup();
    const SHOWN: usize = 20;
    let mut listed: Vec<String> = known.iter().take(SHOWN).map(|k| one_line(k)).collect();
    if known.len() > SHOWN {
        listed.push(format!("and {} more", known.len() - SHOWN));
    }
    let known = match (closest(name, &known), listed.is_empty()) {
        (Some(near), _) => format!("did you mean `{}`?", one_line(near)),
        (None, true) => "there are none".to_string(),
        (None, false) => format!("known roles: {}", listed.join(", ")),
    };
    let dirs: Vec<String> = world
        .role_dirs
        .iter()
        .map(|d| one_line(&d.display().to_string()))
        .collect();
    fail(
        USAGE,
        format!(
            "no role `{}` ({known}); add a [roles.NAME] table to the config file, or NAME.md to {}",
            one_line(name),
            dirs.first().map_or("a roles_path folder", String::as_str)
        ),
    )
}

/// The known name nearest to a mistyped one: at most two letters added, dropped or changed.
fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let distance = |a: &str, b: &str| {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut diagonal = row[0];
            row[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                let next = (row[j + 1] + 1)
                    .min(row[j] + 1)
                    .min(diagonal + usize::from(ca != *cb));
                diagonal = row[j + 1];
                row[j + 1] = next;
            }
        }
        row[b.len()]
    };
    known
        .iter()
        .map(|k| (distance(name, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k)
}

/// Every role, sorted by name: the config's tables, then the role files of other names.
pub(super) fn listed(config: &ConfigFile, world: &World) -> Vec<ListedRole> {
    let tables = config.roles.iter().map(|(name, role)| ListedRole {
        name: name.clone(),
        source: RoleSource::Config,
        role: Ok(role.clone()),
    });
    let files = world
        .role_files
        .iter()
        .filter(|f| !config.roles.contains_key(&f.name))
        .map(|f| ListedRole {
            name: f.name.clone(),
            source: RoleSource::File(f.path.clone()),
            // `--names` reads the folders only: the files are not parsed.
            role: match &f.bytes {
                Ok(bytes) if bytes.is_empty() => Ok(Role::default()),
                Ok(_) => parse(f).map_err(|e| format!("{e:#}")),
                Err(why) => Err(why.clone()),
            },
        });
    let mut all: Vec<ListedRole> = tables.chain(files).collect();
    all.sort_by(|a, b| a.name.cmp(&b.name));
    all
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn a_near_name_is_suggested() {
        let known = ["extract_wisdom", "summarize", "teach"];
        assert_eq!(closest("sumarize", &known), Some("summarize"));
        assert_eq!(closest("tech", &known), Some("teach"));
        assert_eq!(closest("teacher", &known), Some("teach"));
        assert_eq!(closest("poet", &known), None);
    }
}
