//! Shell integration: generated completions and man page, `models`, `config`, colour,
//! help and version.

use std::path::Path;

use crate::common::*;

const GENERATED: [(&str, &str); 6] = [
    ("bash", "completions/mume.bash"),
    ("zsh", "completions/_mume"),
    ("fish", "completions/mume.fish"),
    ("elvish", "completions/mume.elv"),
    ("powershell", "completions/_mume.ps1"),
    ("man", "man/mume.1"),
];

/// Fails when a committed file differs from what the binary generates.
/// `MUME_REGENERATE=1 cargo test --test e2e shell::` rewrites them all.
#[test]
fn committed_completions_and_man_page_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let regenerate = std::env::var_os("MUME_REGENERATE").is_some();
    let mut stale = Vec::new();
    for (kind, file) in GENERATED {
        let out = Sandbox::new()
            .bare()
            .args(["--generate", kind])
            .output()
            .unwrap();
        assert!(out.status.success(), "{kind}: {}", stderr_of(&out));
        assert!(!out.stdout.is_empty(), "{kind} generated nothing");
        let path = root.join(file);
        if regenerate {
            std::fs::write(&path, &out.stdout).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(&out.stdout[..]) {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files {stale:?}: refresh them all with `MUME_REGENERATE=1 cargo test --test e2e shell::`"
    );
}

#[test]
fn generated_files_name_mume_whatever_the_binary_is_called() {
    let sb = Sandbox::new();
    let renamed = sb.path("llm");
    // A link, not a copy: running a file just written races other tests' forks, which
    // may still hold it open for writing ("text file busy").
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin!("mume"), &renamed).unwrap();
    let out = std::process::Command::new(&renamed)
        .args(["--generate", "bash"])
        .output()
        .unwrap();
    let committed =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/mume.bash")).unwrap();
    assert_eq!(out.stdout, committed);
}

#[test]
fn completions_offer_subcommands_tool_choice_values_and_files() {
    let bash = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/mume.bash"),
    )
    .unwrap();
    assert!(bash.contains("models") && bash.contains("history") && bash.contains("config"));
    assert!(bash.contains("auto none required"), "tool-choice values");
    let zsh =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/_mume"))
            .unwrap();
    for flag in [
        "--tools=",
        "--messages=",
        "--schema=",
        "--attach=",
        "--chat=",
    ] {
        let line = zsh
            .lines()
            .find(|l| l.contains(flag))
            .unwrap_or_else(|| panic!("{flag} missing"));
        assert!(line.contains("_files"), "{flag} completes files: {line}");
    }
}

#[test]
fn models_lists_sorted_ids_or_the_raw_body() {
    let mut server = mockito::Server::new();
    let body = r#"{"object":"list","data":[{"id":"z/model"},{"id":"a/model"},{"id":"m/model"}]}"#;
    let mock = server
        .mock("GET", "/v1/models")
        .match_header("authorization", format!("Bearer {KEY}").as_str())
        .with_header("content-type", "application/json")
        .with_body(body)
        .expect(2)
        .create();
    let sb = Sandbox::new();
    sb.cmd(&base(&server))
        .arg("models")
        .assert()
        .success()
        .stdout("a/model\nm/model\nz/model\n");
    sb.cmd(&base(&server))
        .args(["models", "--json"])
        .assert()
        .success()
        .stdout(format!("{body}\n"));
    mock.assert();
}

#[test]
fn models_errors_are_reported_like_chat_errors() {
    let mut server = mockito::Server::new();
    server
        .mock("GET", "/v1/models")
        .with_status(401)
        .with_body(r#"{"error":{"message":"bad key"}}"#)
        .create();
    let out = Sandbox::new()
        .cmd(&base(&server))
        .arg("models")
        .output()
        .unwrap();
    exits(&out, 77);
    assert!(stderr_of(&out).starts_with("mume: error: HTTP 401 Unauthorized: bad key"));
}

#[test]
fn config_shows_each_setting_and_its_source_without_the_key() {
    let sb = Sandbox::new();
    let path = sb.config(
        "base_url = \"http://localhost:8080/v1\"\napi_key = \"sk-secret-in-file\"\nsystem = \"be brief\\nand kind\"\n[options]\ntop_k = 40\n",
    );
    let out = sb
        .bare()
        .env("MUME_MODEL", "env/model")
        .arg("config")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    let row = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} row in {text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        row("base_url"),
        format!("base_url http://localhost:8080/v1 file {}", path.display())
    );
    assert_eq!(row("model"), "model env/model env MUME_MODEL");
    assert_eq!(
        row("api_key"),
        format!("api_key set file {}", path.display())
    );
    assert_eq!(row("save"), "save true default");
    assert_eq!(
        row("request.top_k"),
        format!("request.top_k 40 file {}", path.display())
    );
    assert_eq!(
        row("system"),
        format!("system be brief and kind file {}", path.display())
    );
    assert!(!text.contains("sk-secret-in-file"));

    // --json: one object a line, values as they are, for jq.
    let out = sb
        .bare()
        .env("MUME_MODEL", "env/model")
        .args(["config", "--json"])
        .output()
        .unwrap();
    let text = stdout_of(&out);
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let row = |name: &str| {
        rows.iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .clone()
    };
    assert_eq!(
        row("model"),
        serde_json::json!({"name": "model", "value": "env/model", "source": "env MUME_MODEL"})
    );
    assert_eq!(row("system")["value"], "be brief\nand kind");
    assert_eq!(row("api_key")["value"], "set");
    assert_eq!(row("request.top_k")["value"], 40);
    assert_eq!(row("save")["value"], true);
    assert_eq!(row("config_file")["source"], serde_json::Value::Null);
    assert!(!text.contains("sk-secret-in-file"));

    let out = sb.bare().args(["config", "path"]).output().unwrap();
    assert_eq!(stdout_of(&out), format!("{}\n", path.display()));
}

#[test]
fn config_file_with_a_key_readable_by_others_gets_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    let path = sb.config("api_key = \"sk-x\"\n");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = sb.bare().arg("config").output().unwrap();
    assert!(
        stderr_of(&out).contains("readable by others"),
        "{}",
        stderr_of(&out)
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = sb.bare().arg("config").output().unwrap();
    assert_eq!(stderr_of(&out), "");
}

#[test]
fn colour_only_on_stderr_and_only_when_asked() {
    let sb = Sandbox::new();
    let out = sb
        .bare()
        .args(["--color", "always"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 2);
    assert!(
        stderr_of(&out).starts_with("mume: \x1b[1;31merror:\x1b[0m no prompt"),
        "{:?}",
        stderr_of(&out)
    );
    let out = sb
        .bare()
        .args(["--color", "never"])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(stderr_of(&out).starts_with("mume: error: no prompt"));
    // auto: stderr is a pipe here, so no colour.
    let out = sb
        .bare()
        .env_remove("NO_COLOR")
        .write_stdin("")
        .output()
        .unwrap();
    assert!(!stderr_of(&out).contains('\x1b'));

    let mut server = mockito::Server::new();
    answer(&mut server, "plain");
    let out = sb
        .cmd(&base(&server))
        .args(["--color", "always", "q"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(
        stdout_of(&out),
        "plain\n",
        "the answer never carries colour"
    );
}

#[test]
fn help_ends_with_examples_and_version_prints() {
    let out = Sandbox::new().bare().arg("--help").output().unwrap();
    let help = stdout_of(&out);
    assert!(out.status.success());
    let examples = help.rfind("Examples:").expect("an Examples section");
    assert!(help[examples..].contains("jq .usage") && help[examples..].contains("mume -c"));
    assert!(!help.contains(KEY));
    let out = Sandbox::new().bare().arg("--version").output().unwrap();
    assert_eq!(
        stdout_of(&out),
        format!("mume {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn usage_errors_are_one_line_with_a_hint() {
    let out = Sandbox::new().bare().arg("--bogus").output().unwrap();
    exits(&out, 2);
    assert_eq!(
        stderr_of(&out),
        "mume: error: unexpected argument '--bogus' found (tip: to pass '--bogus' as a value, use '-- --bogus'; see mume --help)\n"
    );
    let out = Sandbox::new()
        .bare()
        .args(["history", "of", "rome"])
        .output()
        .unwrap();
    exits(&out, 2);
    assert!(
        stderr_of(&out).contains("write mume -- history"),
        "{}",
        stderr_of(&out)
    );
    let out = Sandbox::new()
        .bare()
        .args(["history", "show"])
        .output()
        .unwrap();
    exits(&out, 2);
    assert!(stderr_of(&out).contains("<ID>"));
}

#[test]
fn bash_and_zsh_complete_role_names_from_the_config_and_role_files() {
    let sb = Sandbox::new();
    sb.config(
        "roles_path = [\"patterns\"]\n\
         [roles.reviewer]\nsystem = \"x\"\n[roles.poet]\nmodel = \"m\"\n\
         [roles.\"$(touch${IFS}PWNED)\"]\n[roles.\"with space\"]\n[roles.\"*\"]\n",
    );
    let roles = sb.path("config/mume/roles");
    std::fs::create_dir_all(&roles).unwrap();
    std::fs::write(roles.join("proofread.md"), "Fix the spelling.").unwrap();
    let summarize = sb.path("config/mume/patterns/summarize");
    std::fs::create_dir_all(&summarize).unwrap();
    std::fs::write(summarize.join("system.md"), "Summarize.").unwrap();
    let script = format!(
        "source {}\n\
         COMP_WORDS=(mume -r ''); COMP_CWORD=2\n\
         _mume mume '' -r\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n\
         COMP_WORDS=(mume batch --role p); COMP_CWORD=3\n\
         _mume mume p --role\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n\
         COMPREPLY=(); COMP_WORDS=(mume roles show s); COMP_CWORD=3\n\
         _mume mume s show\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("completions/mume.bash")
            .display()
    );
    let out = sb
        .script("http://127.0.0.1:9/v1", &script)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    // Offered literally and quoted for the shell; nothing in a name is run or expanded.
    assert_eq!(
        stdout_of(&out),
        "\\$\\(touch\\$\\{IFS\\}PWNED\\)\n\\*\npoet\nproofread\nreviewer\nsummarize\nwith\\ space\n\
         poet\nproofread\nsummarize\n"
    );
    assert!(!sb.path("PWNED").exists());
    let zsh =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/_mume"))
            .unwrap();
    let role = zsh.lines().find(|l| l.starts_with("'--role=")).unwrap();
    assert!(role.contains("$(mume roles --names 2>/dev/null)"), "{role}");
    let show = zsh
        .lines()
        .find(|l| l.contains("path of a role file"))
        .unwrap();
    assert!(show.contains("$(mume roles --names 2>/dev/null)"), "{show}");
}
