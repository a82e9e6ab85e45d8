//! `-p NAME=VALUE`: the values of a role's `{{NAME}}` parameters, checked against the text
//! the role brings before anything is read or sent.

use std::path::PathBuf;

use anyhow::Result;

use super::{ChosenRole, Param, ParamValue, Request, RoleSource, Source};
use crate::check::names_stdin;
use crate::cli::{Cli, Command, RolesAction};
use crate::error::{USAGE, fail};
use crate::template::{INPUT, is_name, names};
use crate::text::one_line;

/// A `-p` as written: its name and value, `@FILE` and `@-` taken apart.
fn parse(param: &str) -> Result<Param> {
    let Some((name, value)) = param.split_once('=') else {
        return Err(fail(
            USAGE,
            format!(
                "-p {}: write NAME=VALUE, e.g. -p lang=French",
                one_line(param)
            ),
        ));
    };
    if !is_name(name) {
        return Err(fail(
            USAGE,
            format!(
                "-p {}: a parameter's name is letters, digits, _ and -",
                one_line(param)
            ),
        ));
    }
    if name == INPUT {
        return Err(fail(
            USAGE,
            "-p input: {{input}} is the prompt; give it as words, on stdin or with -f",
        ));
    }
    let value = match value.strip_prefix('@') {
        Some(path) if names_stdin(path) => ParamValue::Stdin,
        Some(path) if !path.is_empty() => ParamValue::File(PathBuf::from(path)),
        _ => ParamValue::Text(value.to_string()),
    };
    Ok(Param {
        name: name.to_string(),
        value,
    })
}

/// Whether a `-p` reads stdin, which is then not the prompt.
pub(super) fn reads_stdin(param: &str) -> bool {
    param
        .split_once('=')
        .and_then(|(_, value)| value.strip_prefix('@'))
        .is_some_and(names_stdin)
}

/// The values the role's text is filled with, for the run's settings: the role's system
/// text counts unless `-s` or another source replaced it, and its prompt; `mume roles show`
/// and `mume config` may leave parameters unfilled.
pub(super) fn for_run(
    cli: &Cli,
    role: Option<&ChosenRole>,
    request: &Request,
) -> Result<Vec<Param>> {
    let system = request
        .system
        .value
        .as_deref()
        .filter(|_| matches!(request.system.from, Source::Role(_)));
    let texts: Vec<&str> = system
        .into_iter()
        .chain(request.role_prompt.as_deref())
        .collect();
    // What shows a role, rather than sends it, may leave parameters unfilled.
    let showing = matches!(
        cli.command,
        Some(
            Command::Roles {
                action: Some(RolesAction::Show { .. }),
                ..
            } | Command::Config { .. }
        )
    );
    resolve(&cli.params, role, &texts, showing)
}

/// The values the role's text is filled with: each `-p` (a later one of the same name
/// wins), then the role's defaults for the rest. `-p` without a role, a `-p` the text does
/// not use and (unless `lenient`) a parameter left without a value are usage errors;
/// `texts` are the role's texts in use.
fn resolve(
    given: &[String],
    role: Option<&ChosenRole>,
    texts: &[&str],
    lenient: bool,
) -> Result<Vec<Param>> {
    let mut params: Vec<Param> = Vec::new();
    for param in given {
        let param = parse(param)?;
        params.retain(|p| p.name != param.name);
        params.push(param);
    }
    if params
        .iter()
        .filter(|p| p.value == ParamValue::Stdin)
        .count()
        > 1
    {
        return Err(fail(USAGE, "-p: only one parameter can read stdin (@-)"));
    }
    let Some(role) = role else {
        return match params.first() {
            Some(p) => Err(fail(
                USAGE,
                format!(
                    "-p {}: parameters fill a role's {{{{NAME}}}}; name the role with -r",
                    one_line(&p.name)
                ),
            )),
            None => Ok(params),
        };
    };
    let mut used: Vec<&str> = Vec::new();
    for name in texts.iter().flat_map(|text| names(text)) {
        if name != INPUT && !used.contains(&name) {
            used.push(name);
        }
    }
    check_used(&params, &used, role)?;
    let mut unfilled = Vec::new();
    for name in used {
        if params.iter().any(|p| p.name == name) {
            continue;
        }
        match role.role.defaults.get(name) {
            Some(value) => params.push(Param {
                name: name.to_string(),
                value: ParamValue::Text(value.clone()),
            }),
            None => unfilled.push(name),
        }
    }
    if unfilled.is_empty() || lenient {
        return Ok(params);
    }
    Err(unfilled_error(role, &unfilled))
}

/// A `-p` the role's text does not use is a mistake: a typo, the wrong role, or a value
/// for the role's system text when `-s` replaces it.
fn check_used(params: &[Param], used: &[&str], chosen: &ChosenRole) -> Result<()> {
    let Some(p) = params.iter().find(|p| !used.contains(&p.name.as_str())) else {
        return Ok(());
    };
    let (name, role) = (one_line(&p.name), one_line(&chosen.name));
    let in_system = chosen
        .role
        .system
        .as_deref()
        .is_some_and(|system| names(system).contains(&p.name.as_str()));
    let message = if in_system {
        format!("-p {name}: {{{{{name}}}}} is in role {role}'s system text, which -s replaces")
    } else if used.is_empty() {
        format!("-p {name}: role {role} has no parameters")
    } else {
        format!(
            "-p {name}: role {role} has no {{{{{name}}}}} (it has {})",
            braced(used)
        )
    };
    Err(fail(USAGE, message))
}

fn unfilled_error(role: &ChosenRole, unfilled: &[&str]) -> anyhow::Error {
    let role_name = one_line(&role.name);
    let flags: Vec<String> = unfilled
        .iter()
        .map(|n| format!("-p {}=VALUE", one_line(n)))
        .collect();
    let defaults = match role.source {
        RoleSource::Config => format!("[roles.{role_name}.defaults]"),
        RoleSource::File(_) => "[defaults] of its front matter".to_string(),
    };
    fail(
        USAGE,
        format!(
            "role {role_name} needs a value for {}: give {} (or one in {defaults})",
            braced(unfilled),
            flags.join(" ")
        ),
    )
}

fn braced(names: &[&str]) -> String {
    let braced: Vec<String> = names
        .iter()
        .map(|n| format!("{{{{{}}}}}", one_line(n)))
        .collect();
    braced.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Role;

    fn role(defaults: &[(&str, &str)]) -> ChosenRole {
        ChosenRole {
            name: "tr".into(),
            source: RoleSource::Config,
            role: Role {
                defaults: defaults
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                ..Role::default()
            },
        }
    }

    fn given(params: &[&str]) -> Vec<String> {
        params.iter().map(|p| p.to_string()).collect()
    }

    fn error(result: Result<Vec<Param>>) -> String {
        let err = result.unwrap_err();
        assert_eq!(crate::error::exit_code(&err), USAGE);
        format!("{err:#}")
    }

    #[test]
    fn values_come_from_flags_then_defaults() {
        let r = role(&[("lang", "French"), ("tone", "dry")]);
        let params = resolve(
            &given(&["what=a=b", "file=@notes.txt", "what=c", "in=@-"]),
            Some(&r),
            &[
                "{{what}} in {{lang}}, {{tone}}",
                "{{file}} {{in}} {{input}}",
            ],
            false,
        )
        .unwrap();
        let text = |v: &str| ParamValue::Text(v.to_string());
        assert_eq!(
            params,
            [
                Param {
                    name: "file".into(),
                    value: ParamValue::File("notes.txt".into())
                },
                Param {
                    name: "what".into(),
                    value: text("c")
                },
                Param {
                    name: "in".into(),
                    value: ParamValue::Stdin
                },
                Param {
                    name: "lang".into(),
                    value: text("French")
                },
                Param {
                    name: "tone".into(),
                    value: text("dry")
                },
            ]
        );
    }

    #[test]
    fn each_mistake_is_named() {
        let r = role(&[]);
        let m = error(resolve(&given(&["lang=x"]), None, &[], false));
        assert!(m.contains("-p lang") && m.contains("-r"), "{m}");
        let m = error(resolve(&given(&["tone=x"]), Some(&r), &["{{lang}}"], false));
        assert!(m.contains("no {{tone}} (it has {{lang}})"), "{m}");
        let m = error(resolve(&given(&["tone=x"]), Some(&r), &["plain"], false));
        assert!(m.ends_with("role tr has no parameters"), "{m}");
        let m = error(resolve(&[], Some(&r), &["{{a}} {{b}}"], false));
        assert!(
            m.contains("{{a}}, {{b}}")
                && m.contains("-p a=VALUE -p b=VALUE (or one in [roles.tr.defaults])"),
            "{m}"
        );
        let m = error(resolve(&given(&["novalue"]), Some(&r), &[], false));
        assert!(m.contains("NAME=VALUE"), "{m}");
        let m = error(resolve(&given(&["a b=1"]), Some(&r), &[], false));
        assert!(m.contains("name"), "{m}");
        let m = error(resolve(
            &given(&["input=x"]),
            Some(&r),
            &["{{input}}"],
            false,
        ));
        assert!(m.contains("{{input}} is the prompt"), "{m}");
        let m = error(resolve(
            &given(&["a=@-", "b=@-"]),
            Some(&r),
            &["{{a}}{{b}}"],
            false,
        ));
        assert!(m.contains("only one"), "{m}");
    }

    #[test]
    fn lenient_leaves_parameters_unfilled() {
        let r = role(&[]);
        assert_eq!(resolve(&[], Some(&r), &["{{a}}"], true).unwrap(), []);
    }

    #[test]
    fn input_is_not_a_parameter_to_fill() {
        let r = role(&[]);
        assert_eq!(resolve(&[], Some(&r), &["x {{input}}"], false).unwrap(), []);
    }

    #[test]
    fn stdin_params_are_seen() {
        assert!(reads_stdin("a=@-"));
        assert!(!reads_stdin("a=@-x"));
        assert!(!reads_stdin("a"));
    }
}
