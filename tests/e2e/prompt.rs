//! Prompt assembly through the real binary: words, stdin, both, neither, and the limits.

use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

use crate::common::*;
use mockito::Matcher;
use serde_json::json;

fn expect_prompt(server: &mut mockito::Server, prompt: &str) -> mockito::Mock {
    server.chat(
        Matcher::Json(json!({
            "model": "openai/gpt-4.1-mini",
            "messages": [{"role": "user", "content": prompt}]
        })),
        "ok",
        1,
    )
}

#[test]
fn words_are_joined_with_single_spaces() {
    let mut server = mockito::Server::new();
    let mock = expect_prompt(&mut server, "write a  haiku");
    let sb = Sandbox::new();
    sb.run(&base(&server), ["write", "a  haiku"])
        .success()
        .stdout("ok\n");
    mock.assert();
}

#[test]
fn stdin_alone_is_the_prompt_byte_for_byte() {
    let mut server = mockito::Server::new();
    let mock = expect_prompt(&mut server, "  indented\r\n\ttab\n\n");
    let sb = Sandbox::new();
    sb.cmd(&base(&server))
        .write_stdin("  indented\r\n\ttab\n\n")
        .assert()
        .success();
    mock.assert();
}

#[test]
fn stdin_then_exactly_a_blank_line_then_words() {
    let mut server = mockito::Server::new();
    let mock = expect_prompt(&mut server, "diff\n\n\nreview this");
    let sb = Sandbox::new();
    sb.cmd(&base(&server))
        .args(["review", "this"])
        .write_stdin("diff\n")
        .assert()
        .success();
    mock.assert();
}

#[test]
fn no_prompt_is_a_usage_error_with_an_example() {
    let mut server = mockito::Server::new();
    let mock = answer(&mut server, "x").expect(0);
    let sb = Sandbox::new();
    let out = sb.cmd(&base(&server)).write_stdin("").output().unwrap();
    exits(&out, 2);
    assert!(out.stdout.is_empty());
    let err = stderr_of(&out);
    assert!(err.starts_with("mume: error: no prompt"), "{err}");
    assert!(err.contains("mume \"write a haiku\""), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    mock.assert();
}

#[test]
fn no_stdin_flag_leaves_stdin_alone() {
    let mut server = mockito::Server::new();
    let mock = expect_prompt(&mut server, "hi");
    let sb = Sandbox::new();
    sb.cmd(&base(&server))
        .args(["--no-stdin", "hi"])
        .write_stdin("not part of the prompt")
        .assert()
        .success();
    mock.assert();
}

#[test]
fn invalid_utf8_names_the_offset_and_sends_nothing() {
    let mut server = mockito::Server::new();
    let mock = answer(&mut server, "x").expect(0);
    let sb = Sandbox::new();
    let out = sb
        .cmd(&base(&server))
        .write_stdin(b"abc\xffdef".to_vec())
        .output()
        .unwrap();
    exits(&out, 65);
    assert!(stderr_of(&out).contains("offset 3"), "{}", stderr_of(&out));
    mock.assert();
}

#[test]
fn input_over_the_limit_is_refused() {
    let mut server = mockito::Server::new();
    let mock = answer(&mut server, "x").expect(0);
    let sb = Sandbox::new();
    let out = sb
        .cmd(&base(&server))
        .args(["--max-input", "1K"])
        .write_stdin(vec![b'a'; 1025])
        .output()
        .unwrap();
    exits(&out, 65);
    assert!(stderr_of(&out).contains("input limit of 1024 bytes"));

    let out = sb
        .cmd(&base(&server))
        .write_stdin(vec![b'a'; 16 * 1024 * 1024 + 1])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65), "the default limit is 16 MiB");
    mock.assert();
}

#[test]
fn input_at_the_limit_is_sent() {
    let mut server = mockito::Server::new();
    let mock = expect_prompt(&mut server, &"a".repeat(1024));
    let sb = Sandbox::new();
    sb.cmd(&base(&server))
        .args(["--max-input", "1K"])
        .write_stdin(vec![b'a'; 1024])
        .assert()
        .success();
    mock.assert();
}

#[test]
fn silent_stdin_gets_one_warning_then_is_still_read() {
    let mut server = mockito::Server::new();
    let mock = expect_prompt(&mut server, "late\n\nsummarise");
    let sb = Sandbox::new();
    let mut cmd = sb.std_cmd(&base(&server));
    let mut child = cmd
        .arg("summarise")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2600));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"late").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stderr_of(&out),
        "mume: warning: waiting for stdin (use --no-stdin or </dev/null)\n"
    );
    mock.assert();
}

#[test]
fn reserved_words_after_double_dash_are_a_prompt() {
    let mut server = mockito::Server::new();
    let mock = expect_prompt(&mut server, "history of rome");
    let sb = Sandbox::new();
    sb.run(&base(&server), ["--", "history", "of", "rome"])
        .success();
    mock.assert();
}

#[test]
fn help_is_not_a_subcommand() {
    let mut server = mockito::Server::new();
    let mock = expect_prompt(&mut server, "help me");
    let sb = Sandbox::new();
    sb.run(&base(&server), ["help", "me"]).success();
    mock.assert();
}

#[test]
fn options_are_recognised_after_words() {
    let mut server = mockito::Server::new();
    let mock = server.chat(Matcher::PartialJson(json!({"model": "x/y"})), "ok", 1);
    let sb = Sandbox::new();
    sb.run(&base(&server), ["hello", "-m", "x/y"]).success();
    mock.assert();
}

#[test]
fn an_empty_or_blank_prompt_is_a_usage_error() {
    // Fails before this change: `mume ""` and `echo | mume` sent an empty prompt, and paid.
    let mut server = mockito::Server::new();
    let mock = server
        .mock("POST", "/v1/chat/completions")
        .expect(0)
        .create();
    let sb = Sandbox::new();
    let out = sb
        .cmd(&base(&server))
        .arg("")
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 2);
    let out = sb
        .cmd(&base(&server))
        .write_stdin("\n \t\n")
        .output()
        .unwrap();
    exits(&out, 2);
    assert!(stderr_of(&out).starts_with("mume: error: no prompt"));
    mock.assert();
}

#[test]
fn given_messages_are_sent_as_given_in_order() {
    // Fails before this change: of two system messages only the last was sent, moved to
    // the front; a leading byte-order mark was "line 1: expected value".
    let messages = json!([
        {"role": "system", "content": "one"},
        {"role": "user", "content": "a"},
        {"role": "system", "content": "two"},
        {"role": "user", "content": "b"}
    ]);
    let mut server = mockito::Server::new();
    let mock = server.chat(
        Matcher::PartialJson(json!({ "messages": messages })),
        "ok",
        2,
    );
    let sb = Sandbox::new();
    let file = sb.path("m.json");
    std::fs::write(&file, format!("\u{feff}{messages}")).unwrap();
    sb.run(&base(&server), ["--messages", file.to_str().unwrap()])
        .success();
    let lines: String = messages
        .as_array()
        .unwrap()
        .iter()
        .map(|m| format!("{m}\n"))
        .collect();
    std::fs::write(&file, format!("\u{feff}{lines}")).unwrap();
    sb.run(
        &base(&server),
        ["--messages", file.to_str().unwrap(), "-s", "ignored"],
    )
    .success();
    mock.assert();
}

#[test]
fn given_messages_keep_their_own_fields_and_may_end_in_a_prefill() {
    // Fails before this change: extra fields were dropped and a prefill was "no prompt".
    let messages = json!([
        {"role": "system", "content": "s", "cache_control": {"type": "ephemeral"}},
        {"role": "user", "content": "u", "name": "bob"},
        {"role": "assistant", "content": "Once upon", "prefix": true}
    ]);
    let mut server = mockito::Server::new();
    let mock = server.chat(
        Matcher::PartialJson(json!({ "messages": messages })),
        "ok",
        1,
    );
    let sb = Sandbox::new();
    let file = sb.path("m.json");
    std::fs::write(&file, messages.to_string()).unwrap();
    sb.run(&base(&server), ["--messages", file.to_str().unwrap()])
        .success();
    mock.assert();
}

#[test]
fn files_come_between_stdin_and_words_fenced_under_their_paths() {
    let mut server = mockito::Server::new();
    let sb = Sandbox::new();
    std::fs::write(sb.path("a.rs"), "fn main() {}\n\n").unwrap();
    std::fs::write(sb.path("notes.txt"), "no newline at the end").unwrap();
    let a = sb.path("a.rs").display().to_string();
    let notes = sb.path("notes.txt").display().to_string();
    let mock = expect_prompt(
        &mut server,
        &format!(
            "diff --git\n\n\n```{a}\nfn main() {{}}\n\n```\n\n```{notes}\nno newline at the end\n```\n\nreview  this"
        ),
    );
    sb.cmd(&base(&server))
        .args(["-f", &a, "review", "--file", &notes, "", "this"])
        .write_stdin("diff --git\n")
        .assert()
        .success()
        .stdout("ok\n");
    mock.assert();
    // A file alone is a prompt; a CRLF file loses its whole last line ending.
    let crlf = sb.path("dos.txt");
    std::fs::write(&crlf, "line\r\n").unwrap();
    let out = sb
        .run(
            "http://127.0.0.1:9/v1",
            ["--dry-run", "-f", crlf.to_str().unwrap()],
        )
        .success()
        .get_output()
        .clone();
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        body["messages"][0]["content"],
        format!("```{}\nline\n```", crlf.display())
    );
    let out = sb
        .run("http://127.0.0.1:9/v1", ["--dry-run", "-f", &notes])
        .success()
        .get_output()
        .clone();
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        body["messages"][0]["content"],
        format!("```{notes}\nno newline at the end\n```")
    );
}

#[test]
fn a_file_that_is_missing_a_folder_not_utf8_or_too_large_is_refused() {
    let sb = Sandbox::new();
    let url = "http://127.0.0.1:9/v1";
    let missing = sb.path("missing.txt").display().to_string();
    let out = sb
        .run(url, ["-f", &missing, "hi"])
        .code(2)
        .get_output()
        .clone();
    assert!(
        stderr_of(&out).contains(&format!("cannot read -f {missing}")),
        "{}",
        stderr_of(&out)
    );
    let folder = sb.path("").display().to_string();
    let out = sb
        .run(url, ["-f", &folder, "hi"])
        .code(2)
        .get_output()
        .clone();
    assert!(
        stderr_of(&out).contains("is a folder"),
        "{}",
        stderr_of(&out)
    );
    let latin1 = sb.path("latin1.txt");
    std::fs::write(&latin1, b"caf\xe9").unwrap();
    let out = sb
        .run(url, ["-f", latin1.to_str().unwrap(), "hi"])
        .code(65)
        .get_output()
        .clone();
    let err = stderr_of(&out);
    assert!(
        err.contains("latin1.txt") && err.contains("offset 3"),
        "{err}"
    );
    // stdin and the files count together against --max-input.
    let big = sb.path("big.txt");
    std::fs::write(&big, "x".repeat(600)).unwrap();
    let out = sb
        .cmd(url)
        .args(["--max-input", "1K", "-f", big.to_str().unwrap(), "hi"])
        .write_stdin("y".repeat(600))
        .assert()
        .code(65)
        .get_output()
        .clone();
    assert!(
        stderr_of(&out).contains("input limit"),
        "{}",
        stderr_of(&out)
    );
    sb.cmd(url)
        .args([
            "--max-input",
            "1K",
            "--dry-run",
            "-f",
            big.to_str().unwrap(),
            "hi",
        ])
        .write_stdin("y".repeat(300))
        .assert()
        .success();
}

/// The user message `--dry-run -f PATH` would send.
fn fenced(sb: &Sandbox, path: &str) -> String {
    let out = sb
        .run("http://127.0.0.1:9/v1", ["--dry-run", "-f", path])
        .success()
        .get_output()
        .clone();
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    body["messages"][0]["content"].as_str().unwrap().to_string()
}

#[test]
fn a_file_holding_a_fence_cannot_close_its_own() {
    // Fails before this change: a README with a code block ended the file's fence early.
    let sb = Sandbox::new();
    let readme = sb.path("README.md");
    std::fs::write(&readme, "# Use\n\n```sh\nmume hi\n```\n").unwrap();
    let path = readme.display().to_string();
    assert_eq!(
        fenced(&sb, &path),
        format!("````{path}\n# Use\n\n```sh\nmume hi\n```\n````")
    );
    // The fence is one longer than the longest run, wherever it stands.
    std::fs::write(&readme, "a `` b ````` c ``````").unwrap();
    assert_eq!(
        fenced(&sb, &path),
        format!("```````{path}\na `` b ````` c ``````\n```````")
    );
    // Runs of one or two backticks are inline code: the fence stays three.
    std::fs::write(&readme, "use `x` and ``y``").unwrap();
    assert_eq!(
        fenced(&sb, &path),
        format!("```{path}\nuse `x` and ``y``\n```")
    );
}

#[test]
fn a_path_that_would_break_its_fence_is_refused() {
    let sb = Sandbox::new();
    for name in ["two\nlines.txt", "cr\r.txt", "tick`.txt"] {
        let path = sb.path(name);
        std::fs::write(&path, "text").unwrap();
        let out = sb
            .cmd("http://127.0.0.1:9/v1")
            .args(["--dry-run", "-f", path.to_str().unwrap(), "hi"])
            .output()
            .unwrap();
        exits(&out, 2);
        assert!(out.stdout.is_empty());
        let err = stderr_of(&out);
        assert!(err.contains("line break or a backtick"), "{err}");
        assert!(!err.contains('\n') || err.lines().count() == 1, "{err:?}");
    }
}

/// An editor for `-e`: a script that does `body` to the file it is given ("$1").
fn editor(sb: &Sandbox, name: &str, body: &str) -> String {
    let path = sb.path(name);
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\necho \"$1\" >> '{}.used'\n{body}\n",
            path.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    path.display().to_string()
}

#[test]
fn the_editor_writes_the_prompt_after_stdin_starting_from_the_words() {
    let sb = Sandbox::new();
    let mut server = mockito::Server::new();
    let writes = editor(&sb, "writes", "printf 'from the editor\\n' > \"$1\"");
    let mock = expect_prompt(&mut server, "from the editor");
    sb.cmd(&base(&server))
        .env("EDITOR", &writes)
        .args(["-e"])
        .assert()
        .success()
        .stdout("ok\n");
    mock.assert();

    // Stdin comes first; the editor starts from the words, and VISUAL wins over EDITOR.
    let mut server = mockito::Server::new();
    let appends = editor(&sb, "appends", "printf 'and more\\n' >> \"$1\"");
    let mock = expect_prompt(&mut server, "code\n\n\nreview this\nand more");
    sb.cmd(&base(&server))
        .env("VISUAL", &appends)
        .env("EDITOR", &writes)
        .args(["--editor", "review", "this"])
        .write_stdin("code\n")
        .assert()
        .success();
    mock.assert();
    // The file it was given is gone.
    let used = std::fs::read_to_string(format!("{appends}.used")).unwrap();
    assert!(used.trim().ends_with(".md"), "{used}");
    assert!(!std::path::Path::new(used.trim()).exists());
}

#[test]
fn an_editor_that_fails_or_saves_nothing_sends_nothing() {
    let sb = Sandbox::new();
    let server = mockito::Server::new();
    for (name, body, said) in [
        ("empties", ": > \"$1\"", "saved empty"),
        ("blank", "printf '  \\n\\n' > \"$1\"", "saved empty"),
        ("fails", "exit 1", "failed"),
    ] {
        let out = sb
            .cmd(&base(&server))
            .env("EDITOR", editor(&sb, name, body))
            .args(["-e", "words"])
            .output()
            .unwrap();
        exits(&out, 2);
        assert!(
            error_line(&out).contains(said),
            "{name}: {}",
            error_line(&out)
        );
        assert!(error_line(&out).contains("nothing was sent"));
    }
    assert!(sb.saved().is_empty());
}

#[test]
fn an_editor_s_odd_endings_send_nothing_and_leave_no_file() {
    let sb = Sandbox::new();
    let server = mockito::Server::new();
    // An editor that removes the file: a usage error, not a crash.
    let out = sb
        .cmd(&base(&server))
        .env("EDITOR", editor(&sb, "removes", "rm -f \"$1\""))
        .args(["-e", "--no-save"])
        .output()
        .unwrap();
    exits(&out, 2);
    assert!(
        error_line(&out).contains("left no file"),
        "{}",
        error_line(&out)
    );

    // Saved with CRLF line ends: none is left at the end of the prompt.
    let mut server = mockito::Server::new();
    let mock = expect_prompt(&mut server, "from windows");
    sb.cmd(&base(&server))
        .env(
            "EDITOR",
            editor(&sb, "crlf", "printf 'from windows\\r\\n' > \"$1\""),
        )
        .args(["-e", "--no-save"])
        .assert()
        .success();
    mock.assert();

    // SIGTERM while the editor runs: once it returns, the file is removed and mume dies
    // by the signal; nothing is sent.
    let slow = editor(&sb, "slow", "sleep 1");
    let mut child = sb
        .std_cmd(&base(&server))
        .env("EDITOR", &slow)
        .args(["-e", "--no-save", "secret words"])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let used = std::path::PathBuf::from(format!("{slow}.used"));
    while !used.exists() {
        std::thread::sleep(Duration::from_millis(20));
    }
    kill(&child, "-TERM");
    let status = child.wait().unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(15)
    );
    let file = std::fs::read_to_string(&used).unwrap();
    assert!(
        !std::path::Path::new(file.trim()).exists(),
        "{file} is left"
    );
}
