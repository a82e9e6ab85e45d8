//! Templates and role files: `{{name}}` parameters filled by `-p`, `{{input}}`, defaults,
//! roles kept as files (fabric's pattern layout too), `mume roles` and `mume roles show`.

use crate::common::*;
use mockito::Matcher;
use serde_json::{Value, json};

const CONFIG: &str = r#"
[roles.tr]
system = "Translate into {{lang}}. Keep {{keep}} as it is."
prompt = "Text ({{tone}}):\n{{input}}\n-- end"

[roles.tr.defaults]
lang = "French"
keep = "{{input}}"
"#;

/// A role file in the sandbox's `roles/` folder.
fn role_file(sb: &Sandbox, name: &str, text: &str) -> std::path::PathBuf {
    let dir = sb.path("config/mume/roles");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.md"));
    std::fs::write(&path, text).unwrap();
    path
}

/// The messages mume would send for these arguments with `stdin` (`--dry-run`).
fn messages_sent(sb: &Sandbox, args: &[&str], stdin: &str) -> Value {
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .arg("--dry-run")
        .args(args)
        .write_stdin(stdin.to_string())
        .assert()
        .success()
        .get_output()
        .clone();
    serde_json::from_slice::<Value>(&out.stdout).unwrap()["messages"].clone()
}

/// Fabric's layout: a folder holding `NAME/system.md` (and sometimes `user.md`).
fn pattern(dir: &std::path::Path, name: &str, system: &str) {
    std::fs::create_dir_all(dir.join(name)).unwrap();
    std::fs::write(dir.join(name).join("system.md"), system).unwrap();
}

#[test]
fn parameters_fill_the_role_text_once_and_the_prompt_goes_at_input() {
    let mut server = mockito::Server::new();
    let sb = Sandbox::new();
    sb.config(CONFIG);
    std::fs::write(sb.path("tone.txt"), "calm, {{lang}}\n").unwrap();
    // The values, stdin and the words are never filled: `{{lang}}` in the words, the
    // default `{{input}}` and the file's `{{lang}}` stay as written.
    let expected = json!({
        "model": "openai/gpt-4.1-mini",
        "messages": [
            {"role": "system", "content": "Translate into German. Keep {{input}} as it is."},
            {"role": "user", "content": "Text (calm, {{lang}}):\nsay {{lang}} {{tone}}\n-- end"}
        ]
    });
    let mock = server.chat(Matcher::Exact(expected.to_string()), "ok", 1);
    let tone = format!("tone=@{}", sb.path("tone.txt").display());
    sb.run(
        &base(&server),
        [
            "-r",
            "tr",
            "-p",
            "lang=Spanish",
            "-p",
            &tone,
            "-p",
            "lang=German",
            "say {{lang}} {{tone}}",
        ],
    )
    .success()
    .stdout("ok\n");
    mock.assert();
}

#[test]
fn a_parameter_read_from_stdin_leaves_the_prompt_to_the_words() {
    let mut server = mockito::Server::new();
    let sb = Sandbox::new();
    sb.config(CONFIG);
    let expected = json!({
        "model": "openai/gpt-4.1-mini",
        "messages": [
            {"role": "system", "content": "Translate into Italian. Keep names as it is."},
            {"role": "user", "content": "Text (dry):\nhello\n-- end"}
        ]
    });
    let mock = server.chat(Matcher::Exact(expected.to_string()), "ciao", 1);
    sb.cmd(&base(&server))
        .args(["-r", "tr", "-p", "lang=@-", "-p", "keep=names"])
        .args(["-p", "tone=dry", "hello"])
        .write_stdin("Italian\n")
        .assert()
        .success()
        .stdout("ciao\n");
    mock.assert();
}

#[test]
fn without_input_the_prompt_follows_the_role_text() {
    let sb = Sandbox::new();
    sb.config("[roles.sum]\nprompt = \"Summarize in {{n}} words.\"\n");
    assert_eq!(
        messages_sent(&sb, &["-r", "sum", "-p", "n=20"], "long text\n"),
        json!([{"role": "user", "content": "Summarize in 20 words.\n\nlong text\n"}])
    );
}

#[test]
fn each_mistake_with_parameters_is_a_usage_error_that_names_it() {
    let sb = Sandbox::new();
    sb.config(CONFIG);
    let cases: [(&[&str], &str); 6] = [
        (
            &["-p", "lang=x", "hi"],
            "-p lang: parameters fill a role's {{NAME}}; name the role with -r",
        ),
        (
            &["-r", "tr", "-p", "tone=x", "-p", "mood=x", "hi"],
            "-p mood: role tr has no {{mood}} (it has {{lang}}, {{keep}}, {{tone}})",
        ),
        (
            &["-r", "tr", "hi"],
            "role tr needs a value for {{tone}}: give -p tone=VALUE (or one in [roles.tr.defaults])",
        ),
        (
            &["-r", "tr", "-p", "tone", "hi"],
            "-p tone: write NAME=VALUE",
        ),
        (
            &["-r", "tr", "-p", "input=x", "hi"],
            "-p input: {{input}} is the prompt",
        ),
        (
            &["-r", "tr", "-p", "tone=@missing.txt", "hi"],
            "cannot read -p tone=@missing.txt: ",
        ),
    ];
    for (args, message) in cases {
        let out = sb
            .cmd("http://127.0.0.1:9/v1")
            .arg("--dry-run")
            .args(args)
            .write_stdin("")
            .output()
            .unwrap();
        exits(&out, 2);
        assert!(
            error_line(&out).contains(message),
            "{args:?}: {}",
            error_line(&out)
        );
        assert!(out.stdout.is_empty());
    }
    // `-s` replaces the role's system text: a value only it used is then unused.
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args(["--dry-run", "-r", "tr", "-s", "plain", "-p", "tone=x"])
        .args(["-p", "lang=x", "hi"])
        .output()
        .unwrap();
    exits(&out, 2);
    assert!(
        error_line(&out)
            .contains("-p lang: {{lang}} is in role tr's system text, which -s replaces")
    );
}

#[test]
fn input_in_a_system_text_is_a_configuration_error() {
    let sb = Sandbox::new();
    sb.config("[roles.bad]\nsystem = \"Do this to {{input}}\"\n");
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args(["-r", "bad", "hi"])
        .output()
        .unwrap();
    exits(&out, 78);
    assert!(
        error_line(&out).contains("role bad: {{input}} is in its system text"),
        "{}",
        error_line(&out)
    );
    let sb = Sandbox::new();
    let path = role_file(&sb, "bad", "Do this to {{input}}\n");
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args(["-r", "bad", "hi"])
        .output()
        .unwrap();
    exits(&out, 78);
    assert!(
        error_line(&out).contains(&format!(
            "bad role file {}: {{{{input}}}} is in its system text",
            path.display()
        )),
        "{}",
        error_line(&out)
    );
}

#[test]
fn a_role_file_gives_the_system_text_and_its_front_matter_the_rest() {
    let mut server = mockito::Server::new();
    let sb = Sandbox::new();
    role_file(
        &sb,
        "review",
        "+++\nmodel = \"file/model\"\ntemperature = 0.2\nmax_tokens = 300\n\
         prompt = \"Review ({{style}}):\"\n[options]\ntop_p = 0.8\n[defaults]\nstyle = \"terse\"\n+++\n\
         You review code.\n\nBe kind.\n",
    );
    let body = r#"{"model":"file/model","messages":[{"role":"system","content":"You review code.\n\nBe kind."},{"role":"user","content":"Review (terse):\n\nfn main() {}"}],"temperature":0.2,"max_tokens":300,"top_p":0.8}"#;
    let mock = server.chat(Matcher::Exact(body.into()), "fine", 1);
    sb.run(&base(&server), ["-r", "review", "fn main() {}"])
        .success()
        .stdout("fine\n");
    mock.assert();
}

#[test]
fn fabric_patterns_are_roles_and_a_config_table_wins_over_a_file() {
    let sb = Sandbox::new();
    let patterns = sb.path("fabric/data/patterns");
    pattern(&patterns, "summarize", "# IDENTITY\n\nYou summarize.\n");
    pattern(&patterns, "extract_wisdom", "You extract wisdom.\n");
    pattern(&patterns, "poet", "A file poet.\n");
    // fabric's own `user.md` is not read.
    std::fs::write(patterns.join("summarize/user.md"), "CONTENT:").unwrap();
    sb.config(&format!(
        "roles_path = [\"{}\"]\n[roles.poet]\nsystem = \"A table poet.\"\n",
        patterns.display()
    ));
    let sent = |args: &[&str]| messages_sent(&sb, args, "the text");
    assert_eq!(
        sent(&["-r", "summarize"]),
        json!([{"role": "system", "content": "# IDENTITY\n\nYou summarize."},
               {"role": "user", "content": "the text"}])
    );
    assert_eq!(sent(&["-r", "poet"])[0]["content"], "A table poet.");
    // A path is that file, named after its folder.
    let path = patterns.join("extract_wisdom/system.md");
    assert_eq!(
        sent(&["-r", path.to_str().unwrap()])[0]["content"],
        "You extract wisdom."
    );
    let out = sb
        .run("http://127.0.0.1:9/v1", ["roles"])
        .success()
        .get_output()
        .clone();
    let home = sb.path("");
    let home = home.to_str().unwrap().trim_end_matches('/');
    let listing = stdout_of(&out).replace(home, "HOME");
    assert_eq!(
        listing,
        "extract_wisdom  -  ~/fabric/data/patterns/extract_wisdom/system.md  You extract wisdom.\n\
         poet            -  config                                           A table poet.\n\
         summarize       -  ~/fabric/data/patterns/summarize/system.md       You summarize.\n"
    );
}

#[test]
fn broken_front_matter_names_the_file_and_line() {
    let sb = Sandbox::new();
    let path = role_file(
        &sb,
        "bad",
        "+++\nmodel = \"m\"\ntemprature = 0.5\n+++\nText.\n",
    );
    role_file(&sb, "good", "Good.\n");
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args(["-r", "bad", "hi"])
        .output()
        .unwrap();
    exits(&out, 78);
    let line = error_line(&out);
    assert!(
        line.contains(&format!(
            "bad role file {}, line 3: unknown field `temprature`",
            path.display()
        )),
        "{line}"
    );
    let unclosed = role_file(&sb, "open", "+++\nmodel = \"m\"\nText.\n");
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args(["-r", "open", "hi"])
        .output()
        .unwrap();
    exits(&out, 78);
    assert!(error_line(&out).contains(&format!(
        "bad role file {}, line 1: the front matter's +++ is never closed",
        unclosed.display()
    )));
    // The listing names each broken file, lists the others, and exits 78.
    let out = sb
        .run("http://127.0.0.1:9/v1", ["roles", "--json"])
        .code(78)
        .get_output()
        .clone();
    let names: Vec<String> = stdout_of(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(names, ["good"]);
    assert_eq!(
        stderr_of(&out)
            .matches("mume: warning: bad role file")
            .count(),
        2
    );
    // A role of another name works whatever the broken files.
    sb.cmd("http://127.0.0.1:9/v1")
        .args(["--dry-run", "-r", "good", "hi"])
        .assert()
        .success();
}

#[test]
fn roles_show_prints_the_role_as_a_file_with_its_parameters_filled() {
    let sb = Sandbox::new();
    sb.config(CONFIG);
    let out = sb
        .run(
            "http://127.0.0.1:9/v1",
            ["roles", "show", "tr", "-p", "lang=Dutch"],
        )
        .success()
        .get_output()
        .clone();
    assert_eq!(
        stdout_of(&out),
        "+++\n# role tr, from config\nprompt = \"\"\"\nText ({{tone}}):\n{{input}}\n-- end\"\"\"\n+++\n\
         Translate into Dutch. Keep {{input}} as it is.\n"
    );
    assert_eq!(stderr_of(&out), "mume: warning: not filled: -p tone=…\n");
    // What it prints is a role file that reads back as the same role.
    let out = sb
        .run(
            "http://127.0.0.1:9/v1",
            [
                "roles",
                "show",
                "tr",
                "-p",
                "lang=Dutch",
                "-p",
                "keep=names",
            ],
        )
        .success()
        .get_output()
        .clone();
    role_file(&sb, "copy", &stdout_of(&out));
    let out = sb
        .run(
            "http://127.0.0.1:9/v1",
            ["roles", "show", "copy", "-p", "tone=x", "--json"],
        )
        .success()
        .get_output()
        .clone();
    let role: Value = serde_json::from_str(&stdout_of(&out)).unwrap();
    assert_eq!(role["system"], "Translate into Dutch. Keep names as it is.");
    assert_eq!(role["prompt"], "Text (x):\n{{input}}\n-- end");
    // The defaults were used to fill the text: none is left to list.
    assert_eq!(role["defaults"], json!({}));
    assert!(
        role["source"]
            .as_str()
            .unwrap()
            .ends_with("config/mume/roles/copy.md")
    );
    let out = sb
        .run(
            "http://127.0.0.1:9/v1",
            ["roles", "show", "tr", "-p", "x=1"],
        )
        .code(2)
        .get_output()
        .clone();
    assert!(error_line(&out).contains("-p x: role tr has no {{x}}"));
}

#[test]
fn in_a_batch_the_parameters_fill_every_row() {
    let sb = Sandbox::new();
    sb.config(CONFIG);
    let rows = sb.path("rows.jsonl");
    std::fs::write(&rows, "{\"prompt\": \"one\"}\n{\"prompt\": \"two\"}\n").unwrap();
    let out = sb
        .run(
            "http://127.0.0.1:9/v1",
            [
                "batch",
                rows.to_str().unwrap(),
                "--dry-run",
                "-r",
                "tr",
                "-p",
                "tone=flat",
            ],
        )
        .success()
        .get_output()
        .clone();
    let bodies: Vec<Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(bodies.len(), 2);
    for (body, prompt) in bodies.iter().zip(["one", "two"]) {
        assert_eq!(
            body["messages"],
            json!([
                {"role": "system", "content": "Translate into French. Keep {{input}} as it is."},
                {"role": "user", "content": format!("Text (flat):\n{prompt}\n-- end")}
            ])
        );
    }
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args(["batch", "--dry-run", "-r", "tr", "-p", "tone=@-"])
        .write_stdin("{\"prompt\": \"one\"}\n")
        .output()
        .unwrap();
    exits(&out, 2);
    assert!(error_line(&out).contains("the rows are read from stdin"));
}

#[test]
fn mume_cmd_takes_a_role_file_named_cmd() {
    let sb = Sandbox::new();
    role_file(
        &sb,
        "cmd",
        "+++\nmodel = \"cmd/model\"\n+++\nOne {{shell}} command, nothing else.\n",
    );
    let out = sb
        .run(
            "http://127.0.0.1:9/v1",
            ["cmd", "--dry-run", "-p", "shell=fish", "list", "files"],
        )
        .success()
        .get_output()
        .clone();
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["model"], "cmd/model");
    assert_eq!(
        body["messages"][0]["content"],
        "One fish command, nothing else."
    );
}

#[test]
fn a_role_file_that_is_no_regular_file_is_refused_at_once() {
    let sb = Sandbox::new();
    let dir = sb.path("config/mume/roles");
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("fifo.md");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // A FIFO nobody writes to would keep the run waiting: it is never opened.
    let started = std::time::Instant::now();
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args(["-r", "fifo", "hi"])
        .output()
        .unwrap();
    exits(&out, 78);
    assert!(
        error_line(&out).ends_with("fifo.md: not a regular file"),
        "{}",
        error_line(&out)
    );
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args(["-r", fifo.to_str().unwrap(), "hi"])
        .output()
        .unwrap();
    exits(&out, 2);
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args(["-r", "/dev/zero", "hi"])
        .output()
        .unwrap();
    exits(&out, 2);
    assert!(error_line(&out).contains("not a regular file"));
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let big = role_file(&sb, "big", &"a".repeat((1 << 20) + 1));
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args(["-r", "big", "hi"])
        .output()
        .unwrap();
    exits(&out, 78);
    assert!(error_line(&out).contains(&format!("{}: larger than 1 MiB", big.display())));
}

#[test]
fn roles_show_round_trips_text_that_looks_like_the_fence() {
    let sb = Sandbox::new();
    sb.config("[roles.pp]\nsystem = \"s {{a}}\"\nprompt = \"one\\n+++\\ntwo\"\n[roles.pp.defaults]\na = \"x\\n+++\\ny\"\n");
    let shown = sb
        .run("http://127.0.0.1:9/v1", ["roles", "show", "pp"])
        .success()
        .get_output()
        .clone();
    role_file(&sb, "copy", &stdout_of(&shown));
    let json = |name: &str| -> Value {
        let out = sb
            .run("http://127.0.0.1:9/v1", ["roles", "show", name, "--json"])
            .success()
            .get_output()
            .clone();
        serde_json::from_str(&stdout_of(&out)).unwrap()
    };
    let (original, copy) = (json("pp"), json("copy"));
    for key in ["system", "prompt", "defaults"] {
        assert_eq!(original[key], copy[key], "{key}");
    }
    assert_eq!(copy["system"], "s x\n+++\ny");
    assert_eq!(copy["prompt"], "one\n+++\ntwo");
}

#[test]
fn a_prompt_left_empty_by_its_values_adds_nothing() {
    let sb = Sandbox::new();
    sb.config("[roles.e]\nprompt = \"{{x}}\"\n[roles.i]\nprompt = \"{{input}}\"\n");
    let sent = |args: &[&str]| messages_sent(&sb, args, "");
    assert_eq!(
        sent(&["-r", "e", "-p", "x=", "hi"]),
        json!([{"role": "user", "content": "hi"}])
    );
    assert_eq!(
        sent(&["-r", "i", "-a", "https://example.com/a.png"]),
        json!([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]}])
    );
}

#[test]
fn dev_stdin_as_a_value_is_stdin_and_config_shows_the_filled_role() {
    let sb = Sandbox::new();
    sb.config(CONFIG);
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args([
            "--dry-run",
            "-r",
            "tr",
            "-p",
            "lang=@/dev/stdin",
            "-p",
            "tone=x",
            "hi",
        ])
        .write_stdin("Greek\n")
        .assert()
        .success()
        .get_output()
        .clone();
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        body["messages"][0]["content"],
        "Translate into Greek. Keep {{input}} as it is."
    );
    assert_eq!(body["messages"][1]["content"], "Text (x):\nhi\n-- end");
    let rows = sb.path("rows.jsonl");
    std::fs::write(&rows, "{\"prompt\": \"one\"}\n").unwrap();
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args([
            "batch",
            "/dev/stdin",
            "--dry-run",
            "-r",
            "tr",
            "-p",
            "tone=@-",
        ])
        .pipe_stdin(&rows)
        .unwrap()
        .output()
        .unwrap();
    exits(&out, 2);
    // mume config shows the role's texts, filled with what it is given, and asks for
    // nothing more.
    let out = sb
        .run("http://127.0.0.1:9/v1", ["config", "-r", "tr", "--json"])
        .success()
        .get_output()
        .clone();
    let rows: Vec<Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let value = |name: &str| rows.iter().find(|r| r["name"] == name).unwrap()["value"].clone();
    assert_eq!(
        value("system"),
        "Translate into French. Keep {{input}} as it is."
    );
    assert_eq!(value("prompt"), "Text ({{tone}}):\n{{input}}\n-- end");
}

#[test]
fn a_config_role_named_like_a_path_is_a_configuration_error() {
    for name in ["a/b", "x.md"] {
        let sb = Sandbox::new();
        sb.config(&format!("[roles.\"{name}\"]\nsystem = \"s\"\n"));
        let out = sb
            .run("http://127.0.0.1:9/v1", ["roles"])
            .code(78)
            .get_output()
            .clone();
        assert!(
            error_line(&out).contains("cannot hold / or end in .md"),
            "{}",
            error_line(&out)
        );
    }
}

#[test]
fn a_file_the_config_hides_cannot_fail_the_run_and_stdin_is_read_once() {
    let sb = Sandbox::new();
    sb.config("[roles.cmd]\nsystem = \"Commands only.\"\n[roles.tr]\nsystem = \"T {{lang}}\"\n");
    let dir = sb.path("config/mume/roles");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["cmd.md", "tr.md"] {
        let made = std::process::Command::new("mkfifo")
            .arg(dir.join(name))
            .status()
            .unwrap();
        assert!(made.success());
    }
    let messages = messages_sent(&sb, &["-r", "tr", "-p", "lang=x", "hi"], "");
    assert_eq!(messages[0]["content"], "T x");
    let out = sb
        .run("http://127.0.0.1:9/v1", ["cmd", "--dry-run", "list"])
        .success()
        .get_output()
        .clone();
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["messages"][0]["content"], "Commands only.");
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args(["--dry-run", "--messages", "-", "-r", "tr", "-p", "lang=@-"])
        .write_stdin("[]")
        .output()
        .unwrap();
    exits(&out, 2);
    assert!(
        error_line(&out).contains("stdin can be read once"),
        "{}",
        error_line(&out)
    );
}

#[test]
fn roles_show_on_a_terminal_escapes_what_a_role_file_holds() {
    let sb = Sandbox::new();
    role_file(&sb, "evil", "Be \x1b]0;owned\x07 helpful.\n");
    let out = sb
        .script(
            "http://127.0.0.1:9/v1",
            "script -qec 'mume roles show evil' /dev/null",
        )
        .output()
        .unwrap();
    let screen = stdout_of(&out);
    assert!(!screen.contains("\x1b]0;"), "{screen:?}");
    assert!(
        screen.contains(r"Be \u{1b}]0;owned\u{7} helpful."),
        "{screen:?}"
    );
    // Into a pipe, the file's text as it is.
    let out = sb
        .run("http://127.0.0.1:9/v1", ["roles", "show", "evil"])
        .success()
        .get_output()
        .clone();
    assert!(stdout_of(&out).contains("Be \x1b]0;owned\x07 helpful."));
}

#[test]
fn on_a_terminal_the_listing_fits_its_width() {
    let sb = Sandbox::new();
    let long = "You answer every question about the standard library in great detail.";
    role_file(&sb, "stdlib", &format!("# IDENTITY\n\n{long}\n"));
    let out = sb
        .script(
            "http://127.0.0.1:9/v1",
            "script -qec 'stty rows 20 cols 72; mume roles' /dev/null",
        )
        .output()
        .unwrap();
    let screen = stdout_of(&out);
    let line = screen.lines().find(|l| l.starts_with("stdlib")).unwrap();
    let line = line.trim_end_matches('\r');
    assert!(line.chars().count() <= 72, "{line:?}");
    assert!(line.ends_with('…'), "{line:?}");
    // Into a pipe, the first line of the role is cut at 60 characters as before.
    let out = sb
        .run("http://127.0.0.1:9/v1", ["roles"])
        .success()
        .get_output()
        .clone();
    assert!(stdout_of(&out).contains(&long[..60]), "{}", stdout_of(&out));
}
