//! The precedence of SPEC §2 and §9, one table a setting: each row is a command line, an
//! environment and a config file, and the value and source they must resolve to.

use std::path::PathBuf;

use serde_json::{Value, json};

use anyhow::Result;

use super::*;
use crate::config;

/// Settings for `args` with `env` and the config text `file`, stdout not a terminal.
fn resolve(args: &str, env: &[(&'static str, &str)], file: &str) -> Settings {
    resolve_on(args, env, file, false).unwrap()
}

fn resolve_on(
    args: &str,
    env: &[(&'static str, &str)],
    file: &str,
    stdout_terminal: bool,
) -> Result<Settings> {
    let world = World {
        env: env.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        config: (!file.is_empty()).then(|| config::Text {
            path: PathBuf::from("/c.toml"),
            text: file.to_string(),
            shared: false,
        }),
        stdout_terminal,
        ..World::default()
    };
    from_args(args, &world)
}

/// A row of a table: the command line, the environment, the config file, the value and
/// where it comes from.
type Row<'a, T> = (&'a str, Env<'a>, &'a str, T, Source);
type Env<'a> = &'a [(&'static str, &'a str)];

fn role(name: &str) -> Source {
    Source::Role(name.into())
}

const ROLE: &str = "[roles.r]\nmodel = \"role-m\"\ntemperature = 0.3\nsystem = \"role-s\"\n";

#[test]
fn model_flag_then_role_then_env_then_file_then_default() {
    let cases: [Row<&str>; 7] = [
        ("", &[], "", DEFAULT_MODEL, Source::Default),
        ("", &[], "model = \"file-m\"", "file-m", Source::File),
        (
            "",
            &[("MUME_MODEL", "env-m")],
            "model = \"file-m\"",
            "env-m",
            Source::Env("MUME_MODEL"),
        ),
        (
            "-m flag-m",
            &[("MUME_MODEL", "env-m")],
            "model = \"f\"",
            "flag-m",
            Source::Flag,
        ),
        (
            "-r r",
            &[("MUME_MODEL", "env-m")],
            ROLE,
            "role-m",
            role("r"),
        ),
        ("-r r -m flag-m", &[], ROLE, "flag-m", Source::Flag),
        (
            "-m fast",
            &[],
            "[aliases]\nfast = \"long/name\"",
            "long/name",
            Source::Flag,
        ),
    ];
    for (args, env, file, value, from) in cases {
        let model = resolve(args, env, file).request.model;
        assert_eq!(
            model,
            Sourced::new(value.to_string(), from),
            "{args} {env:?} {file}"
        );
    }
}

#[test]
fn base_url_flag_then_env_then_file_then_default() {
    let env = [("MUME_BASE_URL", "http://env/v1")];
    let file = "base_url = \"http://file/v1/\"";
    let cases: [Row<&str>; 4] = [
        ("", &[], "", DEFAULT_BASE_URL, Source::Default),
        ("", &[], file, "http://file/v1", Source::File),
        (
            "",
            &env,
            file,
            "http://env/v1",
            Source::Env("MUME_BASE_URL"),
        ),
        (
            "--base-url http://flag/v1",
            &env,
            file,
            "http://flag/v1",
            Source::Flag,
        ),
    ];
    for (args, env, file, value, from) in cases {
        let base = resolve(args, env, file).transport.base_url;
        assert_eq!(
            base,
            Sourced::new(value.to_string(), from),
            "{args} {env:?} {file}"
        );
    }
}

#[test]
fn fields_o_then_flags_then_role_then_options_then_top_level() {
    let top = "temperature = 0.1\n";
    let options = "temperature = 0.1\n[options]\ntemperature = 0.2\n";
    let with_role = format!("{options}{ROLE}");
    let cases: [(&str, &str, f64, Source); 5] = [
        ("", top, 0.1, Source::File),
        ("", options, 0.2, Source::File),
        ("-r r", &with_role, 0.3, role("r")),
        ("-r r -t 0.4", &with_role, 0.4, Source::Flag),
        (
            "-r r -o temperature=0.5 -t 0.4",
            &with_role,
            0.5,
            Source::Flag,
        ),
    ];
    for (args, file, value, from) in cases {
        let request = resolve(args, &[], file).request;
        assert_eq!(request.fields["temperature"], json!(value), "{args} {file}");
        assert_eq!(request.field_sources["temperature"], from, "{args} {file}");
    }
}

#[test]
fn a_field_from_a_file_keeps_its_place_unless_o_sets_it() {
    let request = resolve("--tools t.json --seed 1", &[], "").request;
    assert_eq!(
        request.files,
        [("tools".to_string(), FieldFile::Tools("t.json".into()))]
    );
    assert_eq!(request.fields.keys().collect::<Vec<_>>(), ["seed", "tools"]);
    assert_eq!(request.fields["tools"], Value::Null);
    let request = resolve("--tools t.json -o tools=[]", &[], "").request;
    assert!(request.files.is_empty());
    assert_eq!(request.fields["tools"], json!([]));
}

#[test]
fn stream_flag_then_file_then_a_terminal_without_json() {
    let cases: [(&str, &str, bool, bool, Source); 6] = [
        ("", "", false, false, Source::Default),
        ("", "", true, true, Source::Default),
        ("--json", "", true, false, Source::Default),
        ("", "stream = true", false, true, Source::File),
        ("--no-stream", "stream = true", true, false, Source::Flag),
        ("--no-stream --stream", "", false, true, Source::Flag),
    ];
    for (args, file, terminal, value, from) in cases {
        let stream = resolve_on(args, &[], file, terminal)
            .unwrap()
            .request
            .stream;
        assert_eq!(
            stream,
            Sourced::new(value, from),
            "{args} {file} {terminal}"
        );
    }
}

#[test]
fn save_flag_then_env_then_file_then_default() {
    let no_save = [("MUME_NO_SAVE", "1")];
    let cases: [Row<bool>; 5] = [
        ("", &[], "", true, Source::Default),
        ("", &[], "save = false", false, Source::File),
        ("", &[("MUME_NO_SAVE", "0")], "", true, Source::Default),
        (
            "",
            &no_save,
            "save = true",
            false,
            Source::Env("MUME_NO_SAVE"),
        ),
        ("--no-save", &no_save, "", false, Source::Flag),
    ];
    for (args, env, file, value, from) in cases {
        let save = resolve(args, env, file).conversation.save;
        assert_eq!(save, Sourced::new(value, from), "{args} {env:?} {file}");
    }
}

#[test]
fn system_flag_then_role_then_file() {
    let file = format!("system = \"file-s\"\n{ROLE}");
    let cases: [(&str, Option<&str>, Source); 3] = [
        ("", Some("file-s"), Source::File),
        ("-r r", Some("role-s"), role("r")),
        ("-r r -s flag-s", Some("flag-s"), Source::Flag),
    ];
    for (args, value, from) in cases {
        let system = resolve(args, &[], &file).request.system;
        assert_eq!(
            system,
            Sourced::new(value.map(String::from), from),
            "{args}"
        );
    }
}

#[test]
fn the_key_env_then_command_then_file() {
    let both = "api_key_command = \"pass key\"\napi_key = \"sk-file\"";
    let env = [("MUME_API_KEY", "sk-env")];
    assert_eq!(
        resolve("", &env, both).transport.key,
        KeySource::Env("sk-env".into())
    );
    assert_eq!(
        resolve("", &[], both).transport.key,
        KeySource::Command("pass key".into())
    );
    assert_eq!(
        resolve("", &[], "api_key = \"sk-file\"").transport.key,
        KeySource::File("sk-file".into())
    );
}

#[test]
fn stdin_is_left_alone_when_something_else_reads_it() {
    let on_a_pipe = |args: &str| resolve(args, &[], "").input.stdin;
    assert!(on_a_pipe("hi"));
    assert!(!on_a_pipe("--no-stdin hi"));
    assert!(!on_a_pipe("--messages - hi"));
    assert!(!on_a_pipe("-c --tool-result id=@- hi"));
}

#[test]
fn batch_refuses_the_flags_of_one_exchange() {
    let err = resolve_on("--stream batch rows.jsonl", &[], "", false).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("--stream cannot be used with batch"),
        "{err}"
    );
    let batch = resolve("batch rows.jsonl -j 8", &[], "").batch.unwrap();
    assert_eq!((batch.jobs, batch.file), (8, Some("rows.jsonl".into())));
}
