//! `mume roles`: every role and where it comes from; `mume roles show NAME`: one role as a
//! role file, its parameters filled.

use anyhow::Result;
use serde_json::{Value, json};

use crate::config::Role;
use crate::error::CONFIG;
use crate::exchange::params::{self, Values};
use crate::output::{Out, ui};
use crate::redact::redact;
use crate::settings::{RoleSource, Settings};
use crate::template::{INPUT, fill, names};
use crate::text::{one_line, shorten};

/// Where a role comes from, as the listing says it: `config`, or the file's path.
fn source(source: &RoleSource) -> String {
    match source {
        RoleSource::Config => "config".to_string(),
        RoleSource::File(path) => path.display().to_string(),
    }
}

/// A role as one JSON object.
fn object(name: &str, source_of: &RoleSource, role: &Role) -> Value {
    json!({
        "name": name,
        "source": source(source_of),
        "model": role.model,
        "system": role.system,
        "temperature": role.temperature,
        "max_tokens": role.max_tokens,
        "prompt": role.prompt,
        "options": role.options,
        "defaults": role.defaults,
    })
}

/// `mume roles`: each role, its model, where it comes from and the first line of its system
/// text that is not a heading; with `--json`, the whole role, one object a line; with `--names`, the names. A
/// role file that cannot be read is named on stderr, the others listed, and the exit code
/// says so.
pub(crate) fn list(settings: &Settings, names_only: bool) -> Result<u8> {
    let roles = &settings.roles;
    let mut out = Out::stdout();
    let mut broken = 0;
    let empty = Role::default();
    let mut lines = Vec::with_capacity(roles.len());
    for listed in roles {
        let role = match &listed.role {
            Ok(role) => role,
            Err(e) if !names_only => {
                ui::warn(&one_line(e));
                broken += 1;
                continue;
            }
            Err(_) => &empty,
        };
        lines.push((listed, role));
    }
    if names_only {
        for (listed, _) in &lines {
            out.write_line(&listed.name)?;
        }
    } else if settings.output.json {
        for (listed, role) in &lines {
            let line = object(&listed.name, &listed.source, role);
            out.write_line(&redact(&line.to_string()))?;
        }
    } else {
        // On a terminal the last column is cut to the width left, so no line wraps.
        let columns = terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| w.0);
        let home = crate::config::home();
        for line in table(&lines, home.as_deref(), columns.map(usize::from)) {
            out.write_line(&redact(&line))?;
        }
    }
    out.flush()?;
    if roles.is_empty() && !names_only {
        let dir = settings
            .role_dirs
            .first()
            .map(|d| format!(", or NAME.md files to {}", d.display()))
            .unwrap_or_default();
        ui::warn(&format!(
            "no roles: add [roles.NAME] tables to the config file{dir}"
        ));
    }
    Ok(if broken > 0 { CONFIG } else { 0 })
}

/// The listing's lines: name, model, source (the home folder as `~`) and the first line of
/// the system text, in columns.
fn table(
    lines: &[(&crate::settings::ListedRole, &Role)],
    home: Option<&std::path::Path>,
    columns: Option<usize>,
) -> Vec<String> {
    let cells: Vec<[String; 4]> = lines
        .iter()
        .map(|(listed, role)| {
            let mut from = source(&listed.source);
            if let Some(rest) = home
                .and_then(|h| h.to_str())
                .and_then(|h| from.strip_prefix(h))
                .filter(|rest| rest.starts_with('/'))
            {
                from = format!("~{rest}");
            }
            let system = role.system.as_deref().unwrap_or("");
            // The first line that says something: pattern libraries open every file with
            // the same heading.
            let first = system
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with('#'))
                .or(system.lines().next())
                .unwrap_or("");
            [
                one_line(&listed.name),
                one_line(role.model.as_deref().unwrap_or("-")),
                one_line(&from),
                one_line(first),
            ]
        })
        .collect();
    let width = |i: usize| {
        cells
            .iter()
            .map(|c| c[i].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2) = (width(0), width(1), width(2));
    // At most this many characters, the `…` of a cut included.
    let left = columns.map_or(61, |c| c.saturating_sub(w0 + w1 + w2 + 6).clamp(20, 61));
    cells
        .iter()
        .map(|[name, model, from, first]| {
            let first = match first.chars().count() > left {
                true => shorten(first, left - 1),
                false => first.clone(),
            };
            format!("{name:w0$}  {model:w1$}  {from:w2$}  {first}")
                .trim_end()
                .to_string()
        })
        .collect()
}

/// `mume roles show NAME [-p k=v]…`: the role as a role file (TOML front matter, then the
/// system text), its parameters filled as a run would fill them (`-p`, then defaults); a
/// parameter left without a value stays as written and is named on stderr. `--json`: one
/// object.
pub(crate) fn show(settings: &Settings) -> Result<u8> {
    let Some(chosen) = &settings.role else {
        unreachable!("the settings of mume roles show hold its role");
    };
    let values = params::read(
        &settings.request.params,
        settings.input.max_input,
        settings.transport.deadline,
    )?;
    let unfilled = unfilled(&chosen.role, &values);
    let role = filled(&chosen.role, &values);
    let mut out = Out::stdout();
    if settings.output.json {
        let line = object(&chosen.name, &chosen.source, &role);
        out.write_line(&redact(&line.to_string()))?;
    } else {
        let text = redact(&role_file(&chosen.name, &source(&chosen.source), &role)?).into_owned();
        // A role file from someone else's library cannot act on the terminal.
        let terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
        out.write(&crate::text::escape_if(terminal, &text))?;
    }
    out.flush()?;
    if !unfilled.is_empty() {
        let flags: Vec<String> = unfilled.iter().map(|n| format!("-p {n}=…")).collect();
        ui::warn(&format!("not filled: {}", one_line(&flags.join(" "))));
    }
    Ok(0)
}

/// The parameters of the role's texts that no value fills, `{{input}}` aside.
fn unfilled<'a>(role: &'a Role, values: &Values) -> Vec<&'a str> {
    let texts = role.system.iter().chain(role.prompt.iter());
    let mut unfilled: Vec<&str> = Vec::new();
    for name in texts.flat_map(|text| names(text)) {
        if name != INPUT && !values.contains_key(name) && !unfilled.contains(&name) {
            unfilled.push(name);
        }
    }
    unfilled
}

/// The role with its texts' parameters filled, by `-p` or by its defaults, and the
/// defaults it used no longer listed; `{{input}}` stays.
fn filled(role: &Role, values: &Values) -> Role {
    let fill_in = |text: &String| fill(text, |name| values.get(name).map(String::as_str));
    let mut defaults = role.defaults.clone();
    defaults.retain(|name, _| !values.contains_key(name));
    Role {
        system: role.system.as_ref().map(fill_in),
        prompt: role.prompt.as_ref().map(fill_in),
        defaults,
        ..role.clone()
    }
}

/// The role as a role file would hold it, its name and source in a comment.
fn role_file(name: &str, source: &str, role: &Role) -> Result<String> {
    #[derive(serde::Serialize)]
    struct Front<'a> {
        model: &'a Option<String>,
        temperature: &'a Option<f64>,
        max_tokens: &'a Option<u64>,
        prompt: &'a Option<String>,
        #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
        options: &'a serde_json::Map<String, Value>,
        #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
        defaults: &'a std::collections::BTreeMap<String, String>,
    }
    let front = toml::to_string(&Front {
        model: &role.model,
        temperature: &role.temperature,
        max_tokens: &role.max_tokens,
        prompt: &role.prompt,
        options: &role.options,
        defaults: &role.defaults,
    })?;
    let mut text = format!(
        "+++\n# role {}, from {}\n{front}+++\n",
        one_line(name),
        one_line(source)
    );
    if let Some(system) = &role.system {
        text.push_str(system);
        text.push('\n');
    }
    Ok(text)
}
