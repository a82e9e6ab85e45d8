//! Roles: `[roles.NAME]` in the config, `-r NAME`, `mume roles`, and their precedence.

use crate::common::*;
use serde_json::{Value, json};

const CONFIG: &str = r#"
model = "config/model"
temperature = 0.1

[options]
top_p = 0.5

[roles.reviewer]
system = "You review code.\nBe terse."
model = "role/model"
temperature = 0.3
max_tokens = 400
prompt = "Review this change:"

[roles.reviewer.options]
top_p = 0.9

[roles.poet]
system = "You write verse."
"#;

/// The body mume would send for these arguments, with the role config in place.
fn dry_run(sb: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Value {
    let mut cmd = sb.cmd("http://127.0.0.1:9/v1");
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = cmd
        .arg("--dry-run")
        .args(args)
        .write_stdin("")
        .assert()
        .success()
        .get_output()
        .clone();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_role_sets_its_fields_and_puts_its_text_before_the_prompt() {
    let sb = Sandbox::new();
    sb.config(CONFIG);
    let body = dry_run(&sb, &["-r", "reviewer", "fn main() {}"], &[]);
    assert_eq!(
        body,
        json!({
            "model": "role/model",
            "messages": [
                {"role": "system", "content": "You review code.\nBe terse."},
                {"role": "user", "content": "Review this change:\n\nfn main() {}"}
            ],
            "temperature": 0.3,
            "top_p": 0.9,
            "max_tokens": 400
        })
    );
    // Without -r, the config alone.
    let body = dry_run(&sb, &["hi"], &[]);
    assert_eq!(body["model"], "config/model");
    assert_eq!(body["temperature"], 0.1);
    assert_eq!(body["top_p"], 0.5);
    assert_eq!(body["messages"], json!([{"role": "user", "content": "hi"}]));
}

#[test]
fn flags_and_options_beat_a_role_and_a_role_beats_the_environment() {
    let sb = Sandbox::new();
    sb.config(CONFIG);
    let env = [("MUME_MODEL", "env/model")];
    let body = dry_run(&sb, &["-r", "reviewer", "x"], &env);
    assert_eq!(body["model"], "role/model", "the role over the environment");
    let body = dry_run(
        &sb,
        &["-r", "reviewer", "-m", "flag/model", "-t", "1", "x"],
        &env,
    );
    assert_eq!(body["model"], "flag/model");
    assert_eq!(body["temperature"], 1.0);
    let body = dry_run(
        &sb,
        &[
            "-r",
            "reviewer",
            "-t",
            "1",
            "-o",
            "temperature=1.5",
            "-s",
            "mine",
            "x",
        ],
        &[],
    );
    assert_eq!(body["temperature"], 1.5);
    assert_eq!(
        body["messages"][0],
        json!({"role": "system", "content": "mine"})
    );
    // A role without a model leaves the environment's.
    let body = dry_run(&sb, &["-r", "poet", "x"], &env);
    assert_eq!(body["model"], "env/model");
    assert_eq!(
        body["messages"][1]["content"], "x",
        "no role prompt, no prefix"
    );
}

#[test]
fn an_unknown_role_is_a_usage_error_naming_the_known_ones() {
    let sb = Sandbox::new();
    sb.config(CONFIG);
    let out = sb
        .run("http://127.0.0.1:9/v1", ["-r", "critic", "--dry-run", "x"])
        .code(2)
        .get_output()
        .clone();
    assert!(
        stderr_of(&out).contains("no role `critic` (known roles: poet, reviewer); add a [roles.NAME] table to the config file, or NAME.md to "),
        "{}",
        stderr_of(&out)
    );
    // Role files count among the known ones, and a near name is suggested.
    let roles = sb.path("config/mume/roles");
    std::fs::create_dir_all(&roles).unwrap();
    std::fs::write(roles.join("critique.md"), "Criticize.").unwrap();
    let out = sb
        .run("http://127.0.0.1:9/v1", ["-r", "crit", "x"])
        .code(2)
        .get_output()
        .clone();
    assert!(
        error_line(&out).contains("(known roles: critique, poet, reviewer)"),
        "{}",
        error_line(&out)
    );
    let out = sb
        .run("http://127.0.0.1:9/v1", ["-r", "critiqe", "x"])
        .code(2)
        .get_output()
        .clone();
    assert!(error_line(&out).contains("(did you mean `critique`?)"));
    let bare = Sandbox::new();
    let out = bare
        .run("http://127.0.0.1:9/v1", ["-r", "critic", "x"])
        .code(2)
        .get_output()
        .clone();
    assert!(
        stderr_of(&out).contains("no role `critic` (there are none)"),
        "{}",
        stderr_of(&out)
    );
    // A role's bad temperature, or options that set what only flags set, are the config
    // file's fault.
    let bad = Sandbox::new();
    for role in [
        "[roles.hot]\ntemperature = 7\n",
        "[roles.x.options]\nmodel = \"evil/model\"\n",
        "[roles.x.options]\nmessages = []\n",
        "[roles.x.options]\nstream = true\n",
    ] {
        bad.config(role);
        let out = bad
            .run("http://127.0.0.1:9/v1", ["--dry-run", "x"])
            .code(78)
            .get_output()
            .clone();
        assert!(stderr_of(&out).contains("role "), "{}", stderr_of(&out));
    }
}

#[test]
fn a_continued_conversation_keeps_a_role_only_when_r_is_given_again() {
    let mut server = mockito::Server::new();
    let sb = Sandbox::new();
    sb.config(CONFIG);
    server.chat(mockito::Matcher::Any, "looks fine", 1);
    sb.run(&base(&server), ["-r", "reviewer", "a diff"])
        .success();
    // Continued without -r: the conversation's system message and model, none of the
    // role's fields, no role prompt.
    let body = dry_run(&sb, &["-c", "and this?"], &[]);
    assert_eq!(body["model"], "role/model", "the conversation's model");
    assert_eq!(
        body["messages"][0]["content"],
        "You review code.\nBe terse."
    );
    assert_eq!(body["messages"].as_array().unwrap().len(), 4);
    assert_eq!(
        body["messages"][3],
        json!({"role": "user", "content": "and this?"})
    );
    assert_eq!(body["temperature"], 0.1, "the config's, not the role's");
    assert!(body.get("max_tokens").is_none());
    // With -r again, the role applies, its system text replacing the conversation's.
    let body = dry_run(&sb, &["-c", "-r", "poet", "now a poem"], &env_model());
    assert_eq!(
        body["messages"][0],
        json!({"role": "system", "content": "You write verse."})
    );
    assert_eq!(
        body["model"], "role/model",
        "poet names no model: the conversation's stays"
    );
    let body = dry_run(&sb, &["-c", "-r", "reviewer", "again"], &[]);
    assert_eq!(
        body["messages"][3]["content"],
        "Review this change:\n\nagain"
    );
    assert_eq!(body["max_tokens"], 400);
}

fn env_model() -> [(&'static str, &'static str); 1] {
    [("MUME_MODEL", "env/model")]
}

#[test]
fn a_role_prompt_goes_with_images_alone() {
    let sb = Sandbox::new();
    sb.config("[roles.describe]\nprompt = \"Describe this picture:\"\n");
    let body = dry_run(
        &sb,
        &["-r", "describe", "-a", "https://example.com/a.png"],
        &[],
    );
    assert_eq!(
        body["messages"][0]["content"],
        json!([{"type": "text", "text": "Describe this picture:"},
               {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}])
    );
}

#[test]
fn mume_roles_lists_them_and_config_names_the_role_as_the_source() {
    let sb = Sandbox::new();
    sb.config(CONFIG);
    let out = sb
        .run("http://127.0.0.1:9/v1", ["roles"])
        .success()
        .get_output()
        .clone();
    assert_eq!(
        stdout_of(&out),
        "poet      -           config  You write verse.\nreviewer  role/model  config  You review code.\n"
    );
    let out = sb
        .run("http://127.0.0.1:9/v1", ["roles", "--json"])
        .success()
        .get_output()
        .clone();
    let lines: Vec<Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[1]["name"], "reviewer");
    assert_eq!(lines[1]["options"], json!({"top_p": 0.9}));
    assert_eq!(lines[0]["model"], Value::Null);
    let out = sb
        .run("http://127.0.0.1:9/v1", ["roles", "--names"])
        .success()
        .get_output()
        .clone();
    assert_eq!(stdout_of(&out), "poet\nreviewer\n");
    let out = sb
        .run("http://127.0.0.1:9/v1", ["config", "-r", "reviewer"])
        .success()
        .get_output()
        .clone();
    let table = stdout_of(&out);
    let model_line = table.lines().find(|l| l.starts_with("model ")).unwrap();
    assert!(model_line.ends_with("role reviewer"), "{table}");
    let top_p = table
        .lines()
        .find(|l| l.starts_with("request.top_p"))
        .unwrap();
    assert!(top_p.ends_with("role reviewer"), "{table}");
    // `roles` is a reserved first word; after `--` it is a prompt.
    let body = dry_run(&sb, &["--", "roles", "of", "a", "lifetime"], &[]);
    assert_eq!(body["messages"][0]["content"], "roles of a lifetime");
}

#[test]
fn an_empty_role_prompt_adds_nothing() {
    // Fails before this change: `prompt = ""` sent "\n\nhi".
    for prompt in ["\"\"", "\"  \\n \""] {
        let sb = Sandbox::new();
        sb.config(&format!("[roles.blank]\nprompt = {prompt}\n"));
        let body = dry_run(&sb, &["-r", "blank", "hi"], &[]);
        assert_eq!(body["messages"], json!([{"role": "user", "content": "hi"}]));
        // With images alone, no empty text part goes before them.
        let body = dry_run(
            &sb,
            &["-r", "blank", "-a", "https://example.com/a.png"],
            &[],
        );
        assert_eq!(
            body["messages"][0]["content"],
            json!([{"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}])
        );
        // A batch row takes the role the same way.
        let out = sb
            .cmd("http://127.0.0.1:9/v1")
            .args(["batch", "--dry-run", "-r", "blank"])
            .write_stdin("\"hi\"\n")
            .assert()
            .success()
            .get_output()
            .clone();
        let row: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(row["messages"], json!([{"role": "user", "content": "hi"}]));
    }
}
