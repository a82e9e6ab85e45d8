//! Conversations as JSONL files: saving, continuing, named chats, imported messages,
//! history, concurrency and damaged files.

use std::os::unix::fs::PermissionsExt;

use crate::common::*;
use mockito::Matcher;
use serde_json::{Value, json};

fn expect_messages(server: &mut mockito::Server, messages: Value, reply: &str) -> mockito::Mock {
    server.chat(
        Matcher::PartialJson(json!({ "messages": messages })),
        reply,
        1,
    )
}

fn exact_messages(
    server: &mut mockito::Server,
    model: &str,
    messages: Value,
    reply: &str,
) -> mockito::Mock {
    server.chat(
        Matcher::Json(json!({ "model": model, "messages": messages })),
        reply,
        1,
    )
}

#[test]
fn every_exchange_is_saved_privately() {
    let mut server = mockito::Server::new();
    answer(&mut server, "4");
    let sb = Sandbox::new();
    sb.cmd(&base(&server))
        .write_stdin("2+2=")
        .assert()
        .success()
        .stdout("4\n");
    let files = sb.saved();
    assert_eq!(files.len(), 1);
    let lines = jsonl(&files[0]);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], json!({"role": "user", "content": "2+2="}));
    assert_eq!(lines[1]["role"], "assistant");
    assert_eq!(lines[1]["content"], "4");
    assert_eq!(
        lines[1]["model"], "openai/gpt-4.1-mini",
        "the model asked for"
    );
    assert_eq!(lines[1]["finish_reason"], "stop");
    assert_eq!(lines[1]["usage"]["total_tokens"], 7);
    assert!(lines[1]["time"].as_str().unwrap().ends_with('Z'));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&files[0]), 0o600);
    assert_eq!(mode(&sb.chats()), 0o700);
    assert_eq!(mode(sb.chats().parent().unwrap()), 0o700);
}

#[test]
fn continue_sends_the_history_with_standard_fields_only() {
    let mut server = mockito::Server::new();
    let sb = Sandbox::new();
    let first = exact_messages(
        &mut server,
        "openai/gpt-4.1-mini",
        json!([{"role": "user", "content": "hello"}]),
        "hi there",
    );
    sb.cmd(&base(&server))
        .arg("hello")
        .write_stdin("")
        .assert()
        .success();
    first.assert();
    let second = exact_messages(
        &mut server,
        "openai/gpt-4.1-mini",
        json!([
            {"role": "user", "content": "hello"},
            {"role": "assistant", "content": "hi there"},
            {"role": "user", "content": "and in French?"}
        ]),
        "salut",
    );
    sb.run(&base(&server), ["-c", "and in French?"])
        .success()
        .stdout("salut\n");
    second.assert();
    let files = sb.saved();
    assert_eq!(files.len(), 1, "continued in the same file");
    assert_eq!(jsonl(&files[0]).len(), 4);
}

#[test]
fn continue_uses_the_conversation_model_unless_m_is_given() {
    let mut server = mockito::Server::new();
    let sb = Sandbox::new();
    answer(&mut server, "a");
    sb.run(&base(&server), ["-m", "first/model", "q"]).success();
    let with_flag = server.chat(
        Matcher::PartialJson(json!({"model": "other/model"})),
        "b",
        1,
    );
    sb.run(&base(&server), ["-c", "-m", "other/model", "q2"])
        .success();
    with_flag.assert();
}

#[test]
fn a_named_chat_keeps_its_model_too() {
    let mut server = mockito::Server::new();
    let sb = Sandbox::new();
    answer(&mut server, "a");
    sb.run(&base(&server), ["--chat", "kept", "-m", "first/model", "q"])
        .success();
    let mock = server.chat(
        Matcher::PartialJson(json!({"model": "first/model"})),
        "b",
        1,
    );
    sb.run(&base(&server), ["--chat", "kept", "q2"]).success();
    mock.assert();
}

#[test]
fn continue_without_a_conversation_is_a_usage_error() {
    let out = Sandbox::new()
        .cmd("http://127.0.0.1:9/v1")
        .args(["-c", "q"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 2);
    assert!(stderr_of(&out).contains("no conversation to continue"));
}

#[test]
fn chat_file_is_created_then_continued() {
    let mut server = mockito::Server::new();
    let sb = Sandbox::new();
    let path = sb.path("talk.jsonl");
    let p = path.to_str().unwrap();
    let first = expect_messages(
        &mut server,
        json!([{"role": "user", "content": "one"}]),
        "1",
    );
    sb.run(&base(&server), ["--chat", p, "one"]).success();
    first.assert();
    let second = expect_messages(
        &mut server,
        json!([{"role": "user", "content": "one"}, {"role": "assistant", "content": "1"}, {"role": "user", "content": "two"}]),
        "2",
    );
    sb.run(&base(&server), ["--chat", p, "two"]).success();
    second.assert();
    let lines = jsonl(&path);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[3]["content"], "2");
    assert!(
        sb.saved().is_empty(),
        "a path outside the store leaves the store alone"
    );
}

#[test]
fn named_chat_lives_in_the_store() {
    let mut server = mockito::Server::new();
    answer(&mut server, "ok").expect(2);
    let sb = Sandbox::new();
    sb.run(&base(&server), ["--chat", "work", "a"]).success();
    sb.run(&base(&server), ["--chat", "work", "b"]).success();
    let path = sb.chats().join("work.jsonl");
    assert_eq!(jsonl(&path).len(), 4);
}

#[test]
fn saving_can_be_turned_off_three_ways() {
    let mut server = mockito::Server::new();
    answer(&mut server, "ok").expect(3);
    let sb = Sandbox::new();
    sb.run(&base(&server), ["--no-save", "q"]).success();
    sb.cmd(&base(&server))
        .env("MUME_NO_SAVE", "1")
        .arg("q")
        .write_stdin("")
        .assert()
        .success();
    sb.config("save = false\n");
    sb.cmd(&base(&server))
        .arg("q")
        .write_stdin("")
        .assert()
        .success();
    assert!(sb.saved().is_empty());
}

#[test]
fn dry_run_and_early_failures_save_nothing() {
    let mut server = mockito::Server::new();
    server
        .mock("POST", "/v1/chat/completions")
        .with_status(400)
        .create();
    let sb = Sandbox::new();
    sb.run(&base(&server), ["--dry-run", "q"]).success();
    sb.cmd(&base(&server))
        .arg("q")
        .write_stdin("")
        .assert()
        .code(64);
    assert!(sb.saved().is_empty());
}

#[test]
fn messages_from_an_array_jsonl_or_stdin() {
    let sb = Sandbox::new();
    let history = json!([
        {"role": "system", "content": "terse"},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello", "model": "recorded/extra"}
    ]);
    let want = json!([
        {"role": "system", "content": "terse"},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
        {"role": "user", "content": "next"}
    ]);
    let array = sb.path("m.json");
    std::fs::write(&array, history.to_string()).unwrap();
    let lines = sb.path("m.jsonl");
    let text: String = history
        .as_array()
        .unwrap()
        .iter()
        .map(|m| format!("{m}\n"))
        .collect();
    std::fs::write(&lines, &text).unwrap();

    let mut server = mockito::Server::new();
    let mock = expect_messages(&mut server, want.clone(), "ok").expect(3);
    for file in [&array, &lines] {
        sb.run(
            &base(&server),
            ["--messages", file.to_str().unwrap(), "next"],
        )
        .success();
    }
    sb.cmd(&base(&server))
        .args(["--messages", "-", "next"])
        .write_stdin(text)
        .assert()
        .success();
    mock.assert();
}

#[test]
fn imported_messages_are_saved_with_the_exchange() {
    let mut server = mockito::Server::new();
    answer(&mut server, "summary").expect(2);
    let sb = Sandbox::new();
    sb.cmd(&base(&server))
        .args(["--messages", "-", "sum up"])
        .write_stdin(r#"[{"role":"system","content":"s"},{"role":"user","content":"u"},{"role":"assistant","content":"a"}]"#)
        .assert()
        .success();
    let saved = jsonl(&sb.saved()[0]);
    let roles: Vec<&str> = saved.iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["system", "user", "assistant", "user", "assistant"]);
    // So -c carries the imported history on.
    let mock = expect_messages(
        &mut server,
        json!([{"role": "system", "content": "s"}, {"role": "user", "content": "u"}, {"role": "assistant", "content": "a"},
               {"role": "user", "content": "sum up"}, {"role": "assistant", "content": "summary"}, {"role": "user", "content": "more"}]),
        "ok",
    );
    sb.run(&base(&server), ["-c", "more"]).success();
    mock.assert();
}

#[test]
fn messages_ending_with_a_user_message_need_no_prompt() {
    let sb = Sandbox::new();
    let mut server = mockito::Server::new();
    let mock = expect_messages(
        &mut server,
        json!([{"role": "user", "content": "only this"}]),
        "ok",
    );
    sb.cmd(&base(&server))
        .args(["--messages", "-"])
        .write_stdin(r#"[{"role":"user","content":"only this"}]"#)
        .assert()
        .success();
    mock.assert();
}

#[test]
fn malformed_messages_name_the_file_and_line() {
    let sb = Sandbox::new();
    let path = sb.path("bad.jsonl");
    std::fs::write(&path, "{\"role\":\"user\",\"content\":\"a\"}\n{oops\n").unwrap();
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args(["--messages", path.to_str().unwrap(), "q"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 2);
    let err = stderr_of(&out);
    assert!(
        err.contains(&format!("{}, line 2", path.display())),
        "{err}"
    );

    std::fs::write(&path, "[{\"content\":\"no role\"}]").unwrap();
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args(["--messages", path.to_str().unwrap(), "q"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 2);
    assert!(stderr_of(&out).contains("message 1 has no \"role\""));
}

#[test]
fn history_lists_shows_and_removes() {
    let mut server = mockito::Server::new();
    answer(&mut server, "first answer");
    let sb = Sandbox::new();
    sb.run(&base(&server), ["--chat", "alpha", "tell me\nabout pipes"])
        .success();
    sb.run(&base(&server), ["--chat", "beta", "second"])
        .success();

    let out = sb.bare().arg("history").output().unwrap();
    let listing = stdout_of(&out);
    let rows: Vec<&str> = listing.lines().collect();
    assert_eq!(rows.len(), 2, "{listing}");
    assert!(
        rows.iter().any(|r| r.starts_with("alpha  ")
            && r.contains("openai/gpt-4.1-mini  1  tell me about pipes")),
        "{listing}"
    );

    // --json: one object a line, the whole first prompt, a time a program can read.
    let out = sb.bare().args(["history", "--json"]).output().unwrap();
    let mut entries: Vec<Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    entries.sort_by_key(|e| e["id"].to_string());
    assert_eq!(entries.len(), 2, "{entries:?}");
    let alpha = &entries[0];
    assert_eq!(alpha["id"], "alpha");
    assert_eq!(alpha["path"], json!(sb.saved()[0]));
    assert_eq!(alpha["model"], "openai/gpt-4.1-mini");
    assert_eq!(alpha["turns"], 1);
    assert_eq!(alpha["prompt"], "tell me\nabout pipes");
    let time = alpha["time"].as_str().unwrap();
    let (date, rest) = time.split_once('T').unwrap();
    assert!(
        date.len() == 10 && rest.len() == 14 && rest[8..].starts_with(['+', '-']),
        "{time}"
    );

    let out = sb.bare().args(["history", "show", "alp"]).output().unwrap();
    let shown = stdout_of(&out);
    let (first, rest) = shown.split_once('\n').unwrap();
    assert!(
        first.starts_with("# alpha · openai/gpt-4.1-mini · 20"),
        "{first}"
    );
    assert_eq!(
        rest,
        "\n## user\n\ntell me\nabout pipes\n\n## assistant (openai/gpt-4.1-mini)\n\nfirst answer\n"
    );

    let out = sb
        .bare()
        .args(["history", "show", "alpha", "--json"])
        .output()
        .unwrap();
    let exported: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        exported,
        json!([{"role": "user", "content": "tell me\nabout pipes"}, {"role": "assistant", "content": "first answer"}])
    );

    // The export is accepted back as --messages.
    let mock = expect_messages(
        &mut server,
        json!([{"role": "user", "content": "tell me\nabout pipes"}, {"role": "assistant", "content": "first answer"}, {"role": "user", "content": "more"}]),
        "ok",
    );
    sb.cmd(&base(&server))
        .args(["--messages", "-", "--no-save", "more"])
        .write_stdin(out.stdout)
        .assert()
        .success();
    mock.assert();

    sb.bare().args(["history", "rm", "beta"]).assert().success();
    assert_eq!(sb.saved().len(), 1);
    let out = sb
        .bare()
        .args(["history", "show", "nope"])
        .output()
        .unwrap();
    exits(&out, 2);
}

#[test]
fn concurrent_writers_lose_and_interleave_nothing() {
    let mut server = mockito::Server::new();
    answer(&mut server, "answer").expect(8);
    let sb = Sandbox::new();
    let path = sb.path("shared.jsonl");
    let statuses = run_at_once(&sb, &base(&server), &["--chat", path.to_str().unwrap()], 8);
    assert!(statuses.iter().all(Result::is_ok), "{statuses:?}");
    let lines = jsonl(&path);
    assert_eq!(lines.len(), 16);
    for pair in lines.chunks(2) {
        assert_eq!(pair[0]["role"], "user");
        assert_eq!(pair[1]["role"], "assistant");
    }
}

#[test]
fn history_json_says_null_for_what_a_conversation_lacks() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.chats()).unwrap();
    std::fs::write(
        sb.chats().join("bare.jsonl"),
        "{\"role\":\"system\",\"content\":\"be brief\"}\n",
    )
    .unwrap();
    let out = sb.bare().args(["history", "--json"]).output().unwrap();
    let entry: Value = serde_json::from_str(stdout_of(&out).trim_end()).unwrap();
    assert_eq!(
        (
            &entry["id"],
            &entry["model"],
            &entry["turns"],
            &entry["prompt"]
        ),
        (&json!("bare"), &Value::Null, &json!(0), &Value::Null)
    );
    let out = sb.bare().arg("history").output().unwrap();
    assert!(stdout_of(&out).ends_with("  -  0\n"), "{}", stdout_of(&out));
}

#[test]
fn a_torn_last_line_is_skipped_with_a_warning() {
    let sb = Sandbox::new();
    let path = sb.path("torn.jsonl");
    std::fs::write(&path, "{\"role\":\"user\",\"content\":\"a\"}\n{\"role\":\"assistant\",\"content\":\"b\"}\n{\"role\":\"user\",\"cont").unwrap();
    let mut server = mockito::Server::new();
    let mock = expect_messages(
        &mut server,
        json!([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}]),
        "d",
    );
    let out = sb
        .cmd(&base(&server))
        .args(["--chat", path.to_str().unwrap(), "c"])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        stderr_of(&out).contains("warning: skipping line 3"),
        "{}",
        stderr_of(&out)
    );
    mock.assert();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        5,
        "the new exchange starts on a line of its own: {text}"
    );
    let added: Vec<Value> = lines[3..]
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(added[0], json!({"role": "user", "content": "c"}));
    assert_eq!(added[1]["content"], "d");
}

#[test]
fn system_prompt_is_stored_once_and_replaced_by_s() {
    let mut server = mockito::Server::new();
    let sb = Sandbox::new();
    let path = sb.path("sys.jsonl");
    let p = path.to_str().unwrap();
    let m1 = expect_messages(
        &mut server,
        json!([{"role": "system", "content": "be terse"}, {"role": "user", "content": "a"}]),
        "1",
    );
    sb.run(&base(&server), ["--chat", p, "-s", "be terse", "a"])
        .success();
    m1.assert();
    let m2 = expect_messages(
        &mut server,
        json!([{"role": "system", "content": "be terse"}, {"role": "user", "content": "a"}, {"role": "assistant", "content": "1"}, {"role": "user", "content": "b"}]),
        "2",
    );
    sb.run(&base(&server), ["--chat", p, "b"]).success();
    m2.assert();
    let m3 = expect_messages(
        &mut server,
        json!([{"role": "system", "content": "be verbose"}, {"role": "user", "content": "a"}, {"role": "assistant", "content": "1"},
               {"role": "user", "content": "b"}, {"role": "assistant", "content": "2"}, {"role": "user", "content": "c"}]),
        "3",
    );
    sb.run(&base(&server), ["--chat", p, "-s", "be verbose", "c"])
        .success();
    m3.assert();
    let systems: Vec<Value> = jsonl(&path)
        .into_iter()
        .filter(|m| m["role"] == "system")
        .collect();
    assert_eq!(
        systems.len(),
        2,
        "stored once, and the replacement recorded"
    );
    assert_eq!(systems[1]["content"], "be verbose");
}

#[test]
fn a_store_that_cannot_be_written_is_found_before_the_request_is_paid_for() {
    // Was: the answer was bought, printed, then not saved (exit 1). Now nothing is sent.
    let mut server = mockito::Server::new();
    let mock = answer(&mut server, "never").expect(0);
    let sb = Sandbox::new();
    let blocker = sb.path("not-a-dir");
    std::fs::write(&blocker, "").unwrap();
    let out = sb
        .cmd(&base(&server))
        .env("XDG_DATA_HOME", &blocker)
        .arg("q")
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 1);
    assert_eq!(stdout_of(&out), "");
    let err = stderr_of(&out);
    assert!(
        err.starts_with("mume: error: creating ")
            && err.contains("(use --no-save to go without saving)"),
        "{err}"
    );
    mock.assert();
    sb.run(&base(&server), ["--no-save", "--dry-run", "q"])
        .success();
}

/// One saved exchange: a user line and an answer.
fn exchange(prompt: &str, answer: &str) -> String {
    format!(
        "{}\n{}\n",
        json!({"role": "user", "content": prompt}),
        json!({"role": "assistant", "content": answer, "model": "test/model"})
    )
}

#[test]
fn a_write_cut_short_by_a_full_disk_is_undone() {
    // Fails before this change: the cut write stayed in the file, ending inside a UTF-8
    // character, and every later read of the conversation failed.
    let mut server = mockito::Server::new();
    answer(&mut server, &"é".repeat(3000));
    let sb = Sandbox::new();
    let path = sb.path("full.jsonl");
    std::fs::write(&path, exchange("a", "b")).unwrap();
    let before = std::fs::read(&path).unwrap();
    // A file size limit stands in for a full disk: the write stops part way, inside a
    // two-byte character (a limit of 2 blocks is 1 KiB in bash).
    let out = sb
        .script(
            &base(&server),
            &format!(
                "trap '' XFSZ; ulimit -f 2; mume --chat {} q",
                path.display()
            ),
        )
        .output()
        .unwrap();
    exits(&out, 1);
    assert!(
        stderr_of(&out).contains("warning: the answer was not saved"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file is as it was"
    );
}

#[test]
fn a_bad_last_line_of_any_bytes_is_skipped_and_history_lists_the_rest() {
    // Fails before this change: a line ending inside a UTF-8 character made the whole file
    // unreadable, for -c and for `mume history`.
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.chats()).unwrap();
    let mut torn = exchange("first", "one").into_bytes();
    torn.extend_from_slice(b"{\"role\":\"user\",\"content\":\"caf\xc3");
    std::fs::write(sb.chats().join("20260101-000000-aaaa.jsonl"), &torn).unwrap();
    std::fs::write(
        sb.chats().join("20250101-000000-bbbb.jsonl"),
        exchange("older", "two"),
    )
    .unwrap();
    let out = sb.bare().arg("history").output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out).lines().count(), 2, "{}", stdout_of(&out));
    assert!(stderr_of(&out).contains("warning: skipping line 3"));

    let mut server = mockito::Server::new();
    let mock = expect_messages(
        &mut server,
        json!([{"role": "user", "content": "first"}, {"role": "assistant", "content": "one"}, {"role": "user", "content": "next"}]),
        "three",
    );
    let out = sb
        .cmd(&base(&server))
        .args([
            "--chat",
            sb.chats()
                .join("20260101-000000-aaaa.jsonl")
                .to_str()
                .unwrap(),
            "next",
        ])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    mock.assert();
}

#[test]
fn history_lists_the_rest_when_one_file_cannot_be_read() {
    // Fails before this change: one unreadable file made `mume history` fail.
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.chats()).unwrap();
    std::fs::write(sb.chats().join("good.jsonl"), exchange("hello", "hi")).unwrap();
    std::fs::write(sb.chats().join("junk.jsonl"), "not json at all\n").unwrap();
    let out = sb.bare().arg("history").output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(stdout_of(&out).starts_with("good  "), "{}", stdout_of(&out));
    assert!(
        stderr_of(&out).contains("junk.jsonl is not a conversation"),
        "{}",
        stderr_of(&out)
    );
}

/// Runs `count` mume processes on the same conversation at once; returns their statuses.
/// Starts `count` runs at once and waits for them: each one's success, or its stderr.
fn run_at_once(sb: &Sandbox, url: &str, args: &[&str], count: usize) -> Vec<Result<(), String>> {
    let children: Vec<_> = (0..count)
        .map(|i| {
            sb.std_cmd(url)
                .args(args)
                .arg(format!("prompt {i}"))
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            match out.status.success() {
                true => Ok(()),
                false => Err(stderr_of(&out)),
            }
        })
        .collect()
}

#[test]
fn twenty_writers_on_a_new_chat_lose_nothing_when_some_fail() {
    // Fails before this change: the run that created the file deleted it when its request
    // failed, while the others held it open, and their exchanges were lost with exit 0.
    use crate::common::server::{Server, http, sleep_ms};
    let failing = {
        let mut steps = vec![sleep_ms(300)];
        steps.extend(http(
            "400 Bad Request",
            &[],
            r#"{"error":{"message":"no"}}"#,
        ));
        steps
    };
    let good = {
        let mut steps = vec![sleep_ms(600)];
        steps.extend(http(
            "200 OK",
            &[("content-type", "application/json")],
            &completion("ok"),
        ));
        steps
    };
    let replies: Vec<_> = (0..20)
        .map(|i| {
            if i % 2 == 0 {
                failing.clone()
            } else {
                good.clone()
            }
        })
        .collect();
    let server = Server::scripted(replies);
    let sb = Sandbox::new();
    let statuses = run_at_once(&sb, &server.url, &["--chat", "same"], 20);
    let succeeded = statuses.iter().filter(|r| r.is_ok()).count();
    assert_eq!(succeeded, 10);
    let lines = jsonl(&sb.chats().join("same.jsonl"));
    assert_eq!(
        lines.len(),
        2 * succeeded,
        "every answered exchange is saved"
    );
}

#[test]
fn twenty_writers_with_one_system_prompt_store_it_once() {
    // Fails before this change: each of the twenty runs stored its own system line.
    let mut server = mockito::Server::new();
    answer(&mut server, "ok").expect(20);
    let sb = Sandbox::new();
    let statuses = run_at_once(&sb, &base(&server), &["--chat", "same", "-s", "sys"], 20);
    assert!(statuses.iter().all(Result::is_ok), "{statuses:?}");
    let lines = jsonl(&sb.chats().join("same.jsonl"));
    assert_eq!(lines.len(), 41);
    assert_eq!(lines[0], json!({"role": "system", "content": "sys"}));
    assert_eq!(lines.iter().filter(|m| m["role"] == "system").count(), 1);
}

#[test]
fn a_run_killed_before_its_answer_leaves_no_empty_conversation() {
    // Fails before this change: the new conversation's file was created before the answer
    // and stayed behind, empty, and -c then continued it with no history.
    use crate::common::server::{Server, sleep_ms, sse_head};
    let server = Server::scripted(vec![vec![sse_head(), sleep_ms(20_000)]]);
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.chats()).unwrap();
    std::fs::write(
        sb.chats().join("20200101-000000-0000.jsonl"),
        exchange("old", "x"),
    )
    .unwrap();
    let mut child = sb
        .std_cmd(&server.url)
        .arg("q")
        .stdin(std::process::Stdio::null())
        .spawn()
        .unwrap();
    while server.count() == 0 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(sb.saved().len(), 1, "{:?}", sb.saved());

    // An empty file of another program's, newer than the conversation: -c passes over it.
    std::fs::write(sb.chats().join("20990101-000000-0000.jsonl"), "").unwrap();
    let mut server = mockito::Server::new();
    let mock = expect_messages(
        &mut server,
        json!([{"role": "user", "content": "old"}, {"role": "assistant", "content": "x"}, {"role": "user", "content": "more"}]),
        "y",
    );
    sb.run(&base(&server), ["-c", "more"]).success();
    mock.assert();
}

#[test]
fn a_file_that_is_not_a_conversation_is_refused_and_left_alone() {
    // Fails before this change: every line got a warning, then JSON was appended.
    let mut server = mockito::Server::new();
    let mock = answer(&mut server, "never").expect(0);
    let sb = Sandbox::new();
    let notes = sb.path("notes.md");
    std::fs::write(&notes, "# Notes\n\nbuy milk\n").unwrap();
    let out = sb
        .cmd(&base(&server))
        .args(["--chat", notes.to_str().unwrap(), "q"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 78);
    assert!(
        stderr_of(&out).contains("notes.md is not a conversation: line 1"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        "# Notes\n\nbuy milk\n"
    );
    mock.assert();
}

#[test]
fn an_empty_id_names_no_conversation() {
    // Fails before this change: `history rm ""` removed the only conversation.
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.chats()).unwrap();
    std::fs::write(sb.chats().join("only.jsonl"), exchange("a", "b")).unwrap();
    for action in ["rm", "show"] {
        let out = sb.bare().args(["history", action, ""]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{action}");
    }
    assert_eq!(sb.saved().len(), 1);
}

// Found by a hostile test of the store: each fails before the change that adds it.

#[test]
fn a_locked_conversation_does_not_hold_off_ctrl_c_or_max_time() {
    let mut server = mockito::Server::new();
    answer(&mut server, "ok");
    let sb = Sandbox::new();
    let path = sb.path("locked.jsonl");
    std::fs::write(&path, exchange("a", "b")).unwrap();
    let holder = std::fs::File::open(&path).unwrap();
    holder.lock().unwrap();

    let started = std::time::Instant::now();
    let out = sb
        .cmd(&base(&server))
        .args(["--max-time", "1", "--chat", path.to_str().unwrap(), "q"])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
    exits(&out, 75);
    assert_eq!(
        stderr_of(&out),
        "mume: warning: the answer was not saved: another program holds the conversation\n\
         mume: error: gave up: --max-time reached\n"
    );

    use std::os::unix::process::ExitStatusExt;
    let mut child = sb
        .std_cmd(&base(&server))
        .args(["--chat", path.to_str().unwrap(), "q"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 2];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let sent = std::time::Instant::now();
    let status = child.wait().unwrap();
    assert!(sent.elapsed() < std::time::Duration::from_secs(1));
    assert_eq!(status.signal(), Some(2));
    drop(holder);
}

#[test]
fn what_is_not_a_regular_conversation_file_is_refused_before_sending() {
    let mut server = mockito::Server::new();
    let mock = answer(&mut server, "never").expect(0);
    let sb = Sandbox::new();
    let fifo = sb.path("fifo.jsonl");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let dangling = sb.path("link.jsonl");
    std::os::unix::fs::symlink(sb.path("missing/target.jsonl"), &dangling).unwrap();
    let roles = sb.path("roles.jsonl");
    std::fs::write(&roles, "{\"role\":\"admin\",\"user\":\"bob\"}\n").unwrap();
    let junk = sb.path("junk.jsonl");
    std::fs::write(&junk, "{{{{\n{not json\n").unwrap();
    for path in [&fifo, &dangling, &roles, &junk] {
        let out = sb
            .cmd(&base(&server))
            .args(["--chat", path.to_str().unwrap(), "q"])
            .write_stdin("")
            .timeout(std::time::Duration::from_secs(5))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(78), "{path:?}: {}", stderr_of(&out));
    }
    assert_eq!(std::fs::read_to_string(&junk).unwrap(), "{{{{\n{not json\n");
    let out = sb
        .cmd(&base(&server))
        .args(["--chat", "/proc/mume-test.jsonl", "q"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 1);
    assert!(stderr_of(&out).contains("--no-save"), "{}", stderr_of(&out));
    mock.assert();
}

#[test]
fn a_tail_of_zeros_left_by_a_crash_is_skipped() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.chats()).unwrap();
    let mut bytes = exchange("a", "b").into_bytes();
    bytes.extend_from_slice(&[0; 64]);
    std::fs::write(sb.chats().join("z.jsonl"), &bytes).unwrap();
    let mut server = mockito::Server::new();
    let mock = expect_messages(
        &mut server,
        json!([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}]),
        "d",
    );
    let out = sb
        .cmd(&base(&server))
        .args(["-c", "c"])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("warning: skipping line 3"));
    mock.assert();
}

#[test]
fn history_show_escapes_the_model_a_server_named() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.chats()).unwrap();
    let line = json!({"role": "assistant", "content": "b", "model": "evil\u{1b}[2J\u{202e}"});
    std::fs::write(
        sb.chats().join("e.jsonl"),
        format!("{}\n{line}\n", json!({"role": "user", "content": "a"})),
    )
    .unwrap();
    let out = sb.bare().args(["history", "show", "e"]).output().unwrap();
    assert!(out.status.success());
    assert!(
        stdout_of(&out).contains("## assistant (evil\\u{1b}[2J\\u{202e})"),
        "{}",
        stdout_of(&out)
    );
}

#[test]
fn a_conversation_pruned_while_a_run_continues_it_is_written_again_whole() {
    // Fails before this change: `history prune` deleted the file the run had read, and
    // the save made a new file with only the new exchange.
    use crate::common::server::{Answer, Server};
    let server = Server::rows(|_| Answer::ok("second answer").after(1000));
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.chats()).unwrap();
    let path = sb.chats().join("old.jsonl");
    let first = [
        json!({"role": "user", "content": "first question"}),
        json!({"role": "assistant", "content": "first answer", "model": "m", "finish_reason": "stop"}),
    ];
    let text: String = first.iter().map(|l| l.to_string() + "\n").collect();
    std::fs::write(&path, text).unwrap();
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(9 * 86_400))
        .unwrap();
    let child = sb
        .std_cmd(&server.url)
        .args(["--chat", "old", "second question"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    let pruned = sb
        .bare()
        .args(["history", "prune", "--older-than", "1d"])
        .output()
        .unwrap();
    assert!(pruned.status.success(), "{}", stderr_of(&pruned));
    assert!(!path.exists(), "pruned while the run waits");
    let out = child.wait_with_output().unwrap();
    exits(&out, 0);
    assert!(
        stderr_of(&out).contains("was removed while"),
        "{}",
        stderr_of(&out)
    );
    let saved = jsonl(&path);
    let contents: Vec<&str> = saved
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        contents,
        [
            "first question",
            "first answer",
            "second question",
            "second answer"
        ]
    );
    // `history rm` meanwhile: the same.
    let child = sb
        .std_cmd(&server.url)
        .args(["--chat", "old", "third question"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    let removed = sb.bare().args(["history", "rm", "old"]).output().unwrap();
    assert!(removed.status.success(), "{}", stderr_of(&removed));
    exits(&child.wait_with_output().unwrap(), 0);
    assert_eq!(jsonl(&path).len(), 6);
}

#[test]
fn chat_takes_the_start_of_a_stored_id_when_it_names_one() {
    let sb = Sandbox::new();
    let mut server = mockito::Server::new();
    answer(&mut server, "ok");
    for prompt in ["first", "second"] {
        sb.cmd(&base(&server))
            .arg(prompt)
            .write_stdin("")
            .assert()
            .success();
    }
    let ids: Vec<String> = sb
        .saved()
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(ids.len(), 2);
    // The start of both: a usage error naming them, and nothing sent.
    let common: String = ids[0]
        .chars()
        .zip(ids[1].chars())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a)
        .collect();
    let out = sb
        .cmd(&base(&server))
        .args(["--chat", &common, "third"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 2);
    let line = error_line(&out);
    assert!(line.contains(&ids[0]) && line.contains(&ids[1]), "{line}");
    // The start of one: that one is continued, with its messages.
    let one = &ids[0][..ids[0].len() - 1];
    let first = jsonl(&sb.path(&format!("data/mume/chats/{}.jsonl", ids[0])));
    let out = sb
        .cmd(&base(&server))
        .args(["--chat", one, "--dry-run", "more"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 0);
    let body: Value = serde_json::from_str(&stdout_of(&out)).unwrap();
    let contents: Vec<&str> = body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    let said = first[0]["content"].as_str().unwrap();
    assert_eq!(contents, [said, "ok", "more"], "{body}");
    assert_eq!(sb.saved().len(), 2);
    // The start of none: a new conversation of that name.
    sb.cmd(&base(&server))
        .args(["--chat", "zz-new", "more"])
        .write_stdin("")
        .assert()
        .success();
    assert!(sb.path("data/mume/chats/zz-new.jsonl").exists());
}

#[test]
fn a_folder_given_to_chat_is_refused_before_anything_is_paid_for() {
    let mut server = mockito::Server::new();
    let mock = answer(&mut server, "never").expect(0);
    let sb = Sandbox::new();
    std::fs::create_dir(sb.path("notes")).unwrap();
    for target in ["newdir/", sb.path("notes").to_str().unwrap()] {
        let out = sb
            .cmd(&base(&server))
            .args(["--chat", target, "hi"])
            .output()
            .unwrap();
        exits(&out, 2);
        assert!(
            error_line(&out).contains("a folder is not a conversation"),
            "{}",
            error_line(&out)
        );
    }
    mock.assert();
}
