//! History upkeep: `history search TEXT` and `history prune --older-than AGE`.

use std::time::{Duration, SystemTime};

use crate::common::*;
use serde_json::{Value, json};

/// Writes a conversation file `id` with a user line and an answer, last written `age` ago.
fn conversation(sb: &Sandbox, id: &str, user: &str, answer: &str, age: Duration) {
    std::fs::create_dir_all(sb.chats()).unwrap();
    let path = sb.chats().join(format!("{id}.jsonl"));
    let lines = [
        json!({"role": "user", "content": user}),
        json!({"role": "assistant", "content": answer, "model": "m/one", "finish_reason": "stop"}),
    ];
    let text: String = lines.iter().map(|l| l.to_string() + "\n").collect();
    std::fs::write(&path, text).unwrap();
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(SystemTime::now() - age).unwrap();
}

fn days(n: u64) -> Duration {
    Duration::from_secs(n * 86_400)
}

fn history(sb: &Sandbox, args: &[&str]) -> std::process::Output {
    sb.bare().arg("history").args(args).output().unwrap()
}

#[test]
fn search_finds_any_case_in_any_message_newest_first() {
    let sb = Sandbox::new();
    conversation(
        &sb,
        "old",
        "tell me about Rust",
        "Rust is a language",
        days(3),
    );
    conversation(
        &sb,
        "new",
        "and pipes?",
        "A PIPE joins\nRUST programs",
        days(1),
    );
    conversation(&sb, "other", "hello", "hi there", days(2));
    let out = history(&sb, &["search", "rust"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let lines: Vec<String> = stdout_of(&out).lines().map(String::from).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    // Newest first; the match in "new" is only in the assistant's second line.
    assert!(lines[0].starts_with("new  "), "{lines:?}");
    assert!(lines[0].ends_with("RUST programs"), "{lines:?}");
    assert!(lines[1].starts_with("old  "));
    assert!(lines[1].ends_with("tell me about Rust"));

    let out = history(&sb, &["search", "--json", "JOINS"]);
    let found: Vec<Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["id"], "new");
    assert_eq!(found[0]["match"], "A PIPE joins");
    assert_eq!(found[0]["prompt"], "and pipes?");

    let out = history(&sb, &["search", "nowhere"]);
    assert!(out.status.success());
    assert_eq!(stdout_of(&out), "");
    let out = history(&sb, &["search", " "]);
    exits(&out, 2);
    // Words are joined, as a prompt's are; a match deep in a long line shows where it is.
    let long = format!("{} the needle here", "x".repeat(5000));
    conversation(&sb, "long", "find it", &long, days(5));
    let out = history(&sb, &["search", "--json", "the", "NEEDLE"]);
    let found: Value = serde_json::from_str(stdout_of(&out).lines().next().unwrap()).unwrap();
    let excerpt = found["match"].as_str().unwrap();
    assert!(
        excerpt.starts_with('…') && excerpt.contains("the needle here"),
        "{excerpt}"
    );
    assert!(excerpt.chars().count() < 600);
}

#[test]
fn prune_deletes_what_is_older_than_the_age_and_dry_run_only_lists_it() {
    let sb = Sandbox::new();
    conversation(&sb, "ancient", "a", "b", days(40));
    conversation(&sb, "old", "c", "d", days(10));
    conversation(&sb, "fresh", "e", "f", Duration::from_secs(3600));
    let out = history(&sb, &["prune", "--older-than", "1w", "--dry-run"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    let listed: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(listed, ["old", "ancient"]);
    assert!(stderr_of(&out).contains("2 conversations would be deleted"));
    assert_eq!(sb.saved().len(), 3, "--dry-run deletes nothing");

    let out = history(&sb, &["prune", "--older-than", "30d"]);
    assert!(out.status.success());
    assert_eq!(stdout_of(&out), "deleted 1 conversation\n");
    let left: Vec<String> = sb
        .saved()
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["fresh", "old"]);
    let out = history(&sb, &["prune", "--older-than", "12h"]);
    assert_eq!(stdout_of(&out), "deleted 1 conversation\n");
    assert_eq!(sb.saved().len(), 1);
}

#[test]
fn an_age_that_does_not_parse_is_a_usage_error() {
    let sb = Sandbox::new();
    conversation(&sb, "keep", "a", "b", days(400));
    let out = history(&sb, &["prune", "--older-than", "30m"]);
    exits(&out, 2);
    assert!(
        stderr_of(&out).contains("30min or 30mo"),
        "{}",
        stderr_of(&out)
    );
    for age in ["soon", "30", "0d", "3x", "99999999999999999999d", "1e30d"] {
        let out = history(&sb, &["prune", "--older-than", age]);
        assert_eq!(out.status.code(), Some(2), "{age}");
        let why = match age {
            "0d" => "is no time at all",
            _ => "is not an age",
        };
        assert!(stderr_of(&out).contains(why), "{age}: {}", stderr_of(&out));
    }
    assert_eq!(sb.saved().len(), 1);
}

#[test]
fn an_excerpt_holds_the_match_when_lower_case_is_longer() {
    // Fails before this change: `İ` is two characters in lower case, and the excerpt was
    // cut where the match stood in the lower-cased text, past the end of the line.
    let sb = Sandbox::new();
    let line = format!("{} then the needle", "İ".repeat(300));
    conversation(&sb, "dotted", "find it", &line, days(1));
    let out = history(&sb, &["search", "--json", "NEEDLE"]);
    let found: Value = serde_json::from_str(stdout_of(&out).lines().next().unwrap()).unwrap();
    let excerpt = found["match"].as_str().unwrap();
    assert!(excerpt.starts_with('…'), "{excerpt}");
    assert!(excerpt.ends_with("İİ then the needle"), "{excerpt}");
    // A match in those characters themselves is found and shown too: `İ` holds an `i`.
    let out = history(&sb, &["search", "--json", "i then"]);
    let found: Value = serde_json::from_str(stdout_of(&out).lines().next().unwrap()).unwrap();
    assert!(
        found["match"]
            .as_str()
            .unwrap()
            .ends_with("İ then the needle")
    );
}

#[test]
fn a_stored_line_with_a_byte_that_is_not_utf8_is_kept_and_named() {
    // Fails before this change: the whole line was skipped as "cut short by a crash",
    // and its text could not be found.
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.chats()).unwrap();
    let path = sb.chats().join("latin1.jsonl");
    let mut bytes = br#"{"role":"user","content":"caf"#.to_vec();
    bytes.push(0xe9);
    bytes.extend_from_slice(b" au lait, the needle\"}\n");
    bytes.extend_from_slice(br#"{"role":"assistant","content":"fine"}"#);
    bytes.push(b'\n');
    std::fs::write(&path, bytes).unwrap();
    let out = history(&sb, &["search", "--json", "needle"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let found: Value = serde_json::from_str(stdout_of(&out).lines().next().unwrap()).unwrap();
    assert_eq!(found["match"], "caf\u{fffd} au lait, the needle");
    let err = stderr_of(&out);
    assert!(
        err.contains("line 1 of") && err.contains("not valid UTF-8") && !err.contains("crash"),
        "{err}"
    );
    // Shown whole, the bad byte as U+FFFD.
    let out = history(&sb, &["show", "--json", "latin1"]);
    assert!(
        stdout_of(&out).contains("caf\u{fffd} au lait"),
        "{}",
        stdout_of(&out)
    );
}

#[test]
fn stats_sums_what_the_stored_answers_cost() {
    let sb = Sandbox::new();
    let chats = sb.path("data/mume/chats");
    std::fs::create_dir_all(&chats).unwrap();
    let now = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let today = &now[..10];
    let line = |model: &str, time: &str, usage: serde_json::Value| {
        let mut line =
            serde_json::json!({"role": "assistant", "content": "a", "model": model, "time": time});
        if !usage.is_null() {
            line["usage"] = usage;
        }
        line.to_string()
    };
    let a = [
        r#"{"role":"user","content":"q"}"#.to_string(),
        line(
            "m1",
            &now,
            serde_json::json!({"prompt_tokens": 10, "completion_tokens": 5, "cost": 0.25,
            "completion_tokens_details": {"reasoning_tokens": 2}, "prompt_tokens_details": {"cached_tokens": 4}}),
        ),
        line("m2", &now, serde_json::Value::Null),
    ];
    let b = [line(
        "m1",
        "2020-01-02T03:04:05Z",
        serde_json::json!({"prompt_tokens": 1, "completion_tokens": 1, "cost": 1.0}),
    )];
    std::fs::write(chats.join("a.jsonl"), a.join("\n") + "\n").unwrap();
    std::fs::write(chats.join("b.jsonl"), b.join("\n") + "\n").unwrap();

    let run = |args: &[&str]| {
        sb.bare()
            .args(["history", "stats"])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    exits(&out, 0);
    assert_eq!(
        stdout_of(&out),
        "3 requests, 11 prompt, 6 completion, 2 reasoning, 4 cached tokens, cost 1.25\n"
    );
    assert!(
        stderr_of(&out).contains("1 answer had no usage"),
        "{}",
        stderr_of(&out)
    );

    let rows = |out: &std::process::Output| -> Vec<serde_json::Value> {
        stdout_of(out)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let by_model = rows(&run(&["--by", "model", "--json"]));
    assert_eq!(by_model.len(), 2);
    assert_eq!(by_model[0]["model"], "m1");
    assert_eq!(by_model[0]["requests"], 2);
    assert_eq!(by_model[0]["cost"], 1.25);
    assert_eq!(by_model[1]["without_usage"], 1);

    let by_day = rows(&run(&["--by", "day", "--json"]));
    let days: Vec<&str> = by_day.iter().map(|r| r["day"].as_str().unwrap()).collect();
    assert_eq!(days, ["2020-01-02", today]);

    let recent = rows(&run(&["--since", "7d", "--json"]));
    assert_eq!(recent[0]["requests"], 2);
    assert_eq!(recent[0]["prompt_tokens"], 10);
    exits(&run(&["--since", "soon"]), 2);
}

#[test]
fn stats_reads_times_as_times_and_every_line_it_can() {
    let sb = Sandbox::new();
    let run = |args: &[&str]| {
        sb.bare()
            .args(["history", "stats"])
            .args(args)
            .output()
            .unwrap()
    };
    // An empty store still answers: one line of nothing.
    let out = run(&["--json"]);
    exits(&out, 0);
    let empty: serde_json::Value = serde_json::from_str(stdout_of(&out).trim()).unwrap();
    assert_eq!(empty["requests"], 0);
    assert_eq!(empty["cost"], serde_json::Value::Null);
    let chats = sb.path("data/mume/chats");
    std::fs::create_dir_all(&chats).unwrap();
    let mut file = Vec::new();
    file.extend_from_slice(b"{\"role\":\"user\",\"content\":\"caf\xe9\"}\n");
    // Late on the 2nd where it was written: the 3rd in UTC.
    file.extend_from_slice(
        br#"{"role":"assistant","content":"a","model":"m","time":"2020-01-02T23:30:00-02:00","usage":{"prompt_tokens":3,"completion_tokens":1}}"#,
    );
    file.extend_from_slice(b"\n");
    // Given with --messages: no time, no request.
    file.extend_from_slice(br#"{"role":"assistant","content":"imported"}"#);
    file.extend_from_slice(b"\n");
    std::fs::write(chats.join("c.jsonl"), file).unwrap();
    let out = run(&["--by", "day"]);
    exits(&out, 0);
    assert_eq!(
        stdout_of(&out),
        "2020-01-03  1 request, 3 prompt, 1 completion, 0 reasoning, 0 cached tokens, no cost reported\n"
    );
    assert!(
        stderr_of(&out).contains("mume: warning: 1 assistant line without a time"),
        "{}",
        stderr_of(&out)
    );
    // Thirty hours ago, written where the clock is fourteen hours ahead: its text reads
    // later than a day ago in UTC, its time is not.
    let then = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(30);
    let ahead = then.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(14)));
    let line = serde_json::json!({"role": "assistant", "content": "a", "model": "m",
        "time": ahead.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()});
    std::fs::write(chats.join("d.jsonl"), line.to_string() + "\n").unwrap();
    let out = run(&["--since", "1d", "--json"]);
    let recent: serde_json::Value = serde_json::from_str(stdout_of(&out).trim()).unwrap();
    assert_eq!(recent["requests"], 0, "{}", stdout_of(&out));
    let out = run(&["--since", "2d", "--json"]);
    let recent: serde_json::Value = serde_json::from_str(stdout_of(&out).trim()).unwrap();
    assert_eq!(recent["requests"], 1, "{}", stdout_of(&out));
}

#[test]
fn show_never_sends_stored_escapes_to_a_terminal() {
    let sb = Sandbox::new();
    let chats = sb.path("data/mume/chats");
    std::fs::create_dir_all(&chats).unwrap();
    let evil =
        serde_json::json!({"role": "user", "content": "evil \u{1b}]0;pwned\u{7} \u{1b}[2J end"});
    std::fs::write(chats.join("evil.jsonl"), evil.to_string() + "\n").unwrap();
    for env in ["NO_COLOR=1", "TERM=dumb", "NO_COLOR="] {
        let out = sb
            .script(
                "http://127.0.0.1:9/v1",
                &format!("{env} script -qec 'mume history show evil' /dev/null"),
            )
            .output()
            .unwrap();
        let screen = stdout_of(&out);
        assert!(!screen.contains("\x1b]0;"), "{env}: {screen:?}");
        assert!(!screen.contains("\x1b[2J"), "{env}: {screen:?}");
        assert!(screen.contains("evil \\u{1b}]0;pwned"), "{env}: {screen:?}");
    }
    // Into a pipe the transcript is the stored text, exactly.
    let out = sb
        .bare()
        .args(["history", "show", "evil"])
        .output()
        .unwrap();
    assert!(stdout_of(&out).contains("evil \x1b]0;pwned\x07 \x1b[2J end"));
}

#[test]
fn show_prints_a_stable_markdown_transcript() {
    let sb = Sandbox::new();
    let chats = sb.path("data/mume/chats");
    std::fs::create_dir_all(&chats).unwrap();
    let fixtures =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/fixtures/history");
    std::fs::copy(fixtures.join("tools.jsonl"), chats.join("tools.jsonl")).unwrap();
    let out = sb
        .bare()
        .args(["history", "show", "tools"])
        .output()
        .unwrap();
    exits(&out, 0);
    let expected = std::fs::read_to_string(fixtures.join("tools.md")).unwrap();
    assert_eq!(stdout_of(&out), expected);
    // On a terminal it is drawn, as an answer is.
    let out = sb
        .script(
            "http://127.0.0.1:9/v1",
            "NO_COLOR= script -qec 'mume history show tools' /dev/null",
        )
        .output()
        .unwrap();
    let screen = stdout_of(&out);
    assert!(screen.contains("\x1b[1;35muser\x1b[0m"), "{screen:?}");
    assert!(screen.contains("\x1b[1m18 °C\x1b[0m"), "{screen:?}");
    // The render settings hold as for an answer: never, always, another program.
    let on_terminal = |command: &str| {
        let out = sb
            .script(
                "http://127.0.0.1:9/v1",
                &format!("script -qec '{command}' /dev/null"),
            )
            .output()
            .unwrap();
        stdout_of(&out)
    };
    let plain = on_terminal("NO_COLOR= mume history show tools --render never");
    assert!(!plain.contains("\x1b[1;35m"), "{plain:?}");
    assert!(plain.contains("## user"), "{plain:?}");
    let plain = on_terminal("NO_COLOR= MUME_RENDER=never mume history show tools");
    assert!(!plain.contains("\x1b[1;35m"), "{plain:?}");
    let out = sb
        .bare()
        .args(["history", "show", "tools", "--render", "always"])
        .output()
        .unwrap();
    assert!(stdout_of(&out).contains("\x1b[1;35muser\x1b[0m"));
    sb.config("render_command = \"sed s/^/RC:/\"\n");
    let drawn = on_terminal("NO_COLOR= mume history show tools");
    assert!(drawn.contains("RC:## user"), "{drawn:?}");
    // A broken config file, or one named and missing, hides neither the store nor the
    // transcript.
    sb.config("render = [\n");
    exits(
        &sb.bare()
            .args(["history", "show", "tools"])
            .output()
            .unwrap(),
        0,
    );
    let missing = sb
        .bare()
        .env("MUME_CONFIG", sb.path("nowhere.toml"))
        .args(["history", "show", "tools"])
        .output()
        .unwrap();
    exits(&missing, 0);
    // --json is the messages array, as before.
    let out = sb
        .bare()
        .args(["history", "show", "tools", "--json"])
        .output()
        .unwrap();
    let messages: serde_json::Value = serde_json::from_str(&stdout_of(&out)).unwrap();
    assert_eq!(messages.as_array().unwrap().len(), 6);
}
