//! `mume batch`: rows in, results out in input order, resumable, paced, bounded.

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::server::{Answer, Server, prompt};
use crate::common::{Sandbox, exits, jsonl, kill, stderr_of};
use serde_json::{Value, json};

/// Writes `lines` as the rows file `rows.jsonl` of the sandbox.
fn rows_file(sb: &Sandbox, lines: &[String]) -> std::path::PathBuf {
    let path = sb.path("rows.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn prompts(n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| json!(format!("r{i}")).to_string())
        .collect()
}

fn results(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Waits, at most `secs` seconds, until `done` says so.
fn wait_until(secs: u64, what: &str, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(secs),
            "waited in vain for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The server echoes the prompt back as the answer.
fn echo(body: &Value) -> Answer {
    Answer::ok(&format!("re {}", prompt(body)))
}

#[test]
fn results_come_in_input_order_when_later_rows_answer_first() {
    let server = Server::rows(|body| {
        let p = prompt(body);
        // The first rows take longest.
        let n: u64 = p.trim_start_matches('r').parse().unwrap();
        echo(body).after(400u64.saturating_sub(n * 50))
    });
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(8));
    let out = sb
        .run(&server.url, ["batch", rows.to_str().unwrap(), "-j", "4"])
        .success()
        .get_output()
        .clone();
    let results = results(&out.stdout);
    let ids: Vec<Value> = results.iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids, (1..=8).map(|i| json!(i)).collect::<Vec<_>>());
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r["line"], i + 1);
        assert_eq!(r["ok"], true);
        assert_eq!(r["content"], format!("re r{}", i + 1));
        assert_eq!(r["finish_reason"], "stop");
        assert_eq!(r["model"], "test/model");
        assert_eq!(r["usage"]["total_tokens"], 7);
    }
    assert_eq!(server.most_at_once(), 4, "-j 4 keeps four requests out");
    // Later rows finished before the first: the answers did overtake one another.
    let seen = server.seen();
    let first = seen.iter().find(|s| prompt(&s.body) == "r1").unwrap();
    let fourth = seen.iter().find(|s| prompt(&s.body) == "r4").unwrap();
    assert!(fourth.answered < first.answered);
    assert!(server.connections() <= 4, "connections are kept alive");
}

#[test]
fn the_three_kinds_of_row_and_text_lines_make_the_requests_a_flag_would() {
    let server = Server::rows(echo);
    let sb = Sandbox::new();
    let rows = rows_file(
        &sb,
        &[
            json!("plain").to_string(),
            json!({"id": "obj", "prompt": "with fields", "temperature": 0.9, "max_tokens": 5})
                .to_string(),
            json!({"id": 7, "messages": [{"role": "system", "content": "own"}, {"role": "user", "content": "m"}]})
                .to_string(),
            json!({"custom_id": "api-1", "method": "POST", "url": "/v1/chat/completions",
                   "body": {"model": "other/model", "messages": [{"role": "user", "content": "api"}]}})
                .to_string(),
        ],
    );
    let out = sb
        .run(
            &server.url,
            [
                "batch",
                rows.to_str().unwrap(),
                "-s",
                "sys",
                "-t",
                "0.1",
                "-m",
                "flag/model",
            ],
        )
        .success()
        .get_output()
        .clone();
    let ids: Vec<Value> = results(&out.stdout)
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(1), json!("obj"), json!(7), json!("api-1")]);
    let mut bodies: Vec<Value> = server.seen().into_iter().map(|s| s.body).collect();
    bodies.sort_by_key(prompt);
    let by_prompt = |p: &str| bodies.iter().find(|b| prompt(b) == p).unwrap().clone();
    assert_eq!(
        by_prompt("plain"),
        json!({"model": "flag/model", "messages": [{"role": "system", "content": "sys"},
               {"role": "user", "content": "plain"}], "temperature": 0.1})
    );
    assert_eq!(
        by_prompt("with fields"),
        json!({"model": "flag/model", "messages": [{"role": "system", "content": "sys"},
               {"role": "user", "content": "with fields"}], "temperature": 0.9, "max_tokens": 5})
    );
    // The row's own system message wins over -s.
    assert_eq!(
        by_prompt("m")["messages"],
        json!([{"role": "system", "content": "own"}, {"role": "user", "content": "m"}])
    );
    assert_eq!(by_prompt("api")["model"], "other/model");
    for body in &bodies {
        assert!(body.get("stream").is_none(), "batch never streams: {body}");
    }

    // --text: every line is a prompt, whatever it holds.
    let server = Server::rows(echo);
    let text = sb.path("lines.txt");
    std::fs::write(&text, "{\"prompt\": \"x\"}\n\nsecond line\n").unwrap();
    let out = sb
        .run(&server.url, ["batch", "--text", text.to_str().unwrap()])
        .success()
        .get_output()
        .clone();
    let results = results(&out.stdout);
    assert_eq!(results[0]["content"], "re {\"prompt\": \"x\"}");
    assert_eq!(results[1]["id"], 3, "blank lines count in line numbers");
    assert_eq!(results[1]["content"], "re second line");
}

#[test]
fn a_bad_row_is_a_failed_result_and_the_run_goes_on() {
    let server = Server::rows(|body| match prompt(body).as_str() {
        "rejected" => Answer::status(400, r#"{"error":{"message":"no such thing"}}"#),
        _ => echo(body),
    });
    let sb = Sandbox::new();
    let rows = rows_file(
        &sb,
        &[
            json!("good").to_string(),
            "{not json".into(),
            json!({"id": "x"}).to_string(),
            json!("rejected").to_string(),
            json!("fine").to_string(),
        ],
    );
    let out = sb
        .run(&server.url, ["batch", rows.to_str().unwrap()])
        .code(75)
        .get_output()
        .clone();
    let r = results(&out.stdout);
    assert_eq!(r.len(), 5);
    assert_eq!(r[0]["ok"], true);
    assert_eq!(r[1]["ok"], false);
    assert_eq!(r[1]["error"]["exit"], 65);
    assert_eq!(r[1]["error"]["status"], Value::Null);
    assert!(
        r[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON")
    );
    assert_eq!(r[2]["id"], "x");
    assert_eq!(r[2]["error"]["exit"], 65);
    assert_eq!(r[3]["error"]["exit"], 64);
    assert_eq!(r[3]["error"]["status"], 400);
    assert!(
        r[3]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no such thing")
    );
    assert_eq!(r[4]["content"], "re fine");
    assert_eq!(
        server.seen().len(),
        3,
        "rows that cannot be sent are not sent"
    );
    assert!(
        stderr_of(&out).contains("3 of 5 rows failed"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn a_401_stops_the_run_at_once() {
    let server = Server::rows(|_| Answer::status(401, r#"{"error":{"message":"bad key"}}"#));
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(50));
    let out = sb
        .run(&server.url, ["batch", rows.to_str().unwrap(), "-j", "2"])
        .code(77)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty());
    assert!(stderr_of(&out).contains("bad key"), "{}", stderr_of(&out));
    assert!(server.seen().len() <= 2, "{} requests", server.seen().len());
}

#[test]
fn duplicate_ids_are_refused_before_anything_is_sent() {
    let server = Server::rows(echo);
    let sb = Sandbox::new();
    // A default id is the line number: an explicit id 1 on line 2 takes line 1's.
    let rows = rows_file(
        &sb,
        &[
            json!("a").to_string(),
            json!({"id": "1", "prompt": "b"}).to_string(),
        ],
    );
    let out = sb
        .run(&server.url, ["batch", rows.to_str().unwrap()])
        .code(2)
        .get_output()
        .clone();
    assert!(
        stderr_of(&out).contains("duplicate id \"1\" (line 2)"),
        "{}",
        stderr_of(&out)
    );
    assert!(server.seen().is_empty());
}

#[test]
fn single_request_flags_are_usage_errors_with_batch() {
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(1));
    for flags in [
        vec!["--stream", "batch"],
        vec!["-c", "batch"],
        vec!["--chat", "x", "batch"],
        vec!["--messages", "m.json", "batch"],
        vec!["batch", "--stream"],
    ] {
        let out = sb
            .run(
                "http://127.0.0.1:9/v1",
                flags.iter().copied().chain([rows.to_str().unwrap()]),
            )
            .code(2)
            .get_output()
            .clone();
        assert!(stderr_of(&out).contains("batch") || stderr_of(&out).contains("--stream"));
    }
}

#[test]
fn dry_run_prints_every_body_and_sends_nothing() {
    let server = Server::rows(echo);
    let sb = Sandbox::new();
    let rows = rows_file(
        &sb,
        &[
            json!("a").to_string(),
            "nope".into(),
            json!({"prompt": "b", "seed": 3}).to_string(),
        ],
    );
    let out = sb
        .run(
            &server.url,
            ["batch", rows.to_str().unwrap(), "--dry-run", "-m", "m"],
        )
        .code(65)
        .get_output()
        .clone();
    let bodies = results(&out.stdout);
    assert_eq!(
        bodies,
        vec![
            json!({"model": "m", "messages": [{"role": "user", "content": "a"}]}),
            json!({"model": "m", "messages": [{"role": "user", "content": "b"}], "seed": 3}),
        ]
    );
    assert!(stderr_of(&out).contains("line 2: the row is not valid JSON"));
    assert!(server.seen().is_empty());
}

#[test]
fn raw_results_are_the_batch_api_output_format() {
    let server = Server::rows(|body| match prompt(body).as_str() {
        "r2" => {
            Answer::status(400, r#"{"error":{"message":"nope"}}"#).header("x-request-id", "req-2")
        }
        _ => echo(body).header("x-request-id", "req-ok"),
    });
    let sb = Sandbox::new();
    let rows = rows_file(
        &sb,
        &[
            json!({"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": {"messages": [{"role": "user", "content": "r1"}]}}).to_string(),
            json!({"custom_id": "b", "method": "POST", "url": "/v1/chat/completions", "body": {"messages": [{"role": "user", "content": "r2"}]}}).to_string(),
        ],
    );
    let out = sb
        .run(&server.url, ["batch", rows.to_str().unwrap(), "--raw"])
        .code(75)
        .get_output()
        .clone();
    let r = results(&out.stdout);
    assert_eq!(r[0]["custom_id"], "a");
    assert!(r[0]["id"].as_str().unwrap().starts_with("batch_req_"));
    assert_eq!(r[0]["response"]["status_code"], 200);
    assert_eq!(r[0]["response"]["request_id"], "req-ok");
    assert_eq!(
        r[0]["response"]["body"]["choices"][0]["message"]["content"],
        "re r1"
    );
    assert_eq!(r[0]["error"], Value::Null);
    assert_eq!(r[1]["custom_id"], "b");
    assert_eq!(r[1]["response"]["status_code"], 400);
    assert_eq!(r[1]["response"]["request_id"], "req-2");
    assert_eq!(r[1]["response"]["body"]["error"]["message"], "nope");
    assert_eq!(r[1]["error"]["code"], "rejected");
}

#[test]
fn a_429_with_retry_after_pauses_every_request() {
    let once = std::sync::atomic::AtomicBool::new(false);
    let server = Server::rows(move |body| {
        if prompt(body) == "r3" && !once.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return Answer::status(429, r#"{"error":{"message":"slow down"}}"#)
                .header("retry-after", "1");
        }
        echo(body).after(20)
    });
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(30));
    let out = sb
        .run(&server.url, ["batch", rows.to_str().unwrap(), "-j", "4"])
        .success()
        .get_output()
        .clone();
    assert_eq!(results(&out.stdout).len(), 30);
    let seen = server.seen();
    let refused = seen
        .iter()
        .find(|s| prompt(&s.body) == "r3")
        .and_then(|s| s.answered)
        .unwrap();
    // Requests already on their way when the 429 was sent may arrive just after it.
    let quiet_from = refused + Duration::from_millis(50);
    let quiet_to = refused + Duration::from_millis(950);
    let during: Vec<String> = seen
        .iter()
        .filter(|s| s.at > quiet_from && s.at < quiet_to)
        .map(|s| prompt(&s.body))
        .collect();
    assert!(during.is_empty(), "requests during the pause: {during:?}");
    assert!(
        seen.iter().any(|s| s.at > quiet_to),
        "the run went on after the pause"
    );
    assert_eq!(seen.iter().filter(|s| prompt(&s.body) == "r3").count(), 2);
}

#[test]
fn rpm_spaces_the_starts_of_requests() {
    let server = Server::rows(echo);
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(4));
    sb.run(
        &server.url,
        ["batch", rows.to_str().unwrap(), "-j", "4", "--rpm", "120"],
    )
    .success();
    let seen = server.seen();
    assert_eq!(seen.len(), 4);
    for pair in seen.windows(2) {
        let gap = pair[1].at - pair[0].at;
        // 120 a minute: one every half second.
        assert!(gap >= Duration::from_millis(450), "{gap:?}");
    }
    // The largest --rpm is no limit at all, not an overflow.
    sb.run(
        &server.url,
        ["batch", rows.to_str().unwrap(), "--rpm", "4294967295"],
    )
    .success();
    assert_eq!(server.seen().len(), 8);
}

#[test]
fn at_most_four_times_jobs_rows_wait_behind_a_slow_one() {
    let server = Server::rows(|body| match prompt(body).as_str() {
        "r1" => echo(body).after(1000),
        _ => echo(body),
    });
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(100));
    let out = sb
        .run(&server.url, ["batch", rows.to_str().unwrap(), "-j", "2"])
        .success()
        .get_output()
        .clone();
    assert_eq!(results(&out.stdout).len(), 100);
    let seen = server.seen();
    let slow = seen.iter().find(|s| prompt(&s.body) == "r1").unwrap();
    let before = seen
        .iter()
        .filter(|s| s.at < slow.answered.unwrap())
        .count();
    assert!(
        before <= 8,
        "{before} rows started while row 1 was out (4 × jobs = 8)"
    );
    assert!(
        before >= 3,
        "other rows went on while row 1 was out ({before})"
    );
}

#[test]
fn a_killed_run_resumes_with_nothing_lost_or_repeated_and_failed_rows_retried() {
    // First run: row 5 is rejected, every answer takes a while.
    let server = Server::rows(|body| match prompt(body).as_str() {
        "r5" => Answer::status(500, r#"{"error":{"message":"boom"}}"#),
        _ => echo(body).after(100),
    });
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(40));
    let output = sb.path("out.jsonl");
    let mut child = sb
        .std_cmd(&server.url)
        .args([
            "batch",
            rows.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
            "-j",
            "2",
            "--retries",
            "0",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until(20, "8 results", || {
        std::fs::read_to_string(&output)
            .unwrap_or_default()
            .lines()
            .count()
            >= 8
    });
    kill(&child, "-INT");
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(2), "dies by SIGINT: {status:?}");
    let first = jsonl(&output);
    assert!(
        first.len() >= 8 && first.len() < 40,
        "{} results",
        first.len()
    );
    assert!(first.iter().any(|r| r["id"] == 5 && r["ok"] == false));
    let sent_first = server.seen().len();

    // Second run: everything answers.
    let again = Server::rows(echo);
    let mut second = sb.std_cmd(&again.url);
    second
        .args([
            "batch",
            rows.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
            "-j",
            "2",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    let out = second.output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let last = jsonl(&output);
    let mut ids: Vec<u64> = last.iter().map(|r| r["id"].as_u64().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, (1..=40).collect::<Vec<u64>>(), "each row once");
    assert!(last.iter().all(|r| r["ok"] == true));
    // Only the rows without a good result were sent again, row 5 among them.
    let resent: Vec<String> = again.seen().iter().map(|s| prompt(&s.body)).collect();
    assert!(resent.contains(&"r5".to_string()));
    let good_before = first.iter().filter(|r| r["ok"] == true).count();
    assert_eq!(resent.len(), 40 - good_before, "sent first: {sent_first}");
    let mut err = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut err);
}

#[test]
fn progress_shows_on_a_terminal_and_not_on_a_pipe() {
    let server = Server::rows(|body| echo(body).after(30));
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(20));
    // On a pipe: no progress line, no summary.
    let out = sb
        .run(&server.url, ["batch", rows.to_str().unwrap()])
        .success()
        .get_output()
        .clone();
    assert_eq!(stderr_of(&out), "");
    // Under a pseudo-terminal (`script`), stdout to a file.
    let script = format!(
        "mume batch {} -j 2 > {}",
        rows.display(),
        sb.path("out.jsonl").display()
    );
    let out = sb
        .script(&server.url, &format!("script -qec '{script}' /dev/null"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("/20 rows"), "{screen:?}");
    assert!(screen.contains("rows/s"), "{screen:?}");
    assert!(screen.contains("20 rows: 20 ok, 0 failed in"), "{screen:?}");
    assert_eq!(jsonl(&sb.path("out.jsonl")).len(), 20);
}

#[test]
fn memory_stays_bounded_on_a_large_input() {
    const ROWS: usize = 10_000;
    // The last row's answer waits, so that the peak can be read while mume still runs.
    let server = Server::rows(|body| {
        let last = prompt(body).starts_with(&format!("{} ", ROWS - 1));
        Answer::ok("ok").after(if last { 1500 } else { 0 })
    });
    let sb = Sandbox::new();
    // 10,000 rows of 4 KiB: 40 MiB of input, read from a pipe.
    let filler = "x".repeat(4096);
    let input: String = (0..ROWS).map(|i| format!("\"{i} {filler}\"\n")).collect();
    let path = sb.path("big.jsonl");
    std::fs::write(&path, &input).unwrap();
    let mut child = sb
        .std_cmd(&server.url)
        .args(["batch", "-j", "16"])
        .stdin(std::fs::File::open(&path).unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let reader = {
        let mut stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            let mut text = String::new();
            stdout.read_to_string(&mut text).unwrap();
            text
        })
    };
    wait_until(50, "every row sent", || server.count() >= ROWS);
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let peak_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(reader.join().unwrap().lines().count(), ROWS);
    assert!(
        peak_kib < 32 * 1024,
        "peak RSS {peak_kib} KiB for 40 MiB of rows"
    );
}

#[test]
fn an_output_file_that_is_not_ours_is_refused_and_left_alone() {
    let server = Server::rows(echo);
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(2));
    let notes = sb.path("notes.txt");
    // One line, ended by its newline: not a result cut short by a kill.
    for text in ["my precious notes\n", "{\"a\": 1}\n"] {
        std::fs::write(&notes, text).unwrap();
        let out = sb
            .run(
                &server.url,
                [
                    "batch",
                    rows.to_str().unwrap(),
                    "--output",
                    notes.to_str().unwrap(),
                ],
            )
            .code(2)
            .get_output()
            .clone();
        assert!(
            stderr_of(&out).contains("not a mume batch result"),
            "{}",
            stderr_of(&out)
        );
        assert_eq!(std::fs::read_to_string(&notes).unwrap(), text);
    }
    // Results of the other form.
    let raw = sb.path("raw.jsonl");
    sb.run(
        &server.url,
        [
            "batch",
            rows.to_str().unwrap(),
            "--raw",
            "--output",
            raw.to_str().unwrap(),
        ],
    )
    .success();
    let before = std::fs::read(&raw).unwrap();
    let out = sb
        .run(
            &server.url,
            [
                "batch",
                rows.to_str().unwrap(),
                "--output",
                raw.to_str().unwrap(),
            ],
        )
        .code(2)
        .get_output()
        .clone();
    assert!(stderr_of(&out).contains("add --raw"), "{}", stderr_of(&out));
    assert_eq!(std::fs::read(&raw).unwrap(), before);
    // The rows' own file, given as stdin.
    let input = sb.path("one.jsonl");
    std::fs::write(&input, "{\"id\": \"x\", \"prompt\": \"hi\"}\n").unwrap();
    let out = sb
        .std_cmd(&server.url)
        .args(["batch", "--output", input.to_str().unwrap()])
        .stdin(std::fs::File::open(&input).unwrap())
        .output()
        .unwrap();
    exits(&out, 2);
    assert!(
        stderr_of(&out).contains("the file the rows come from"),
        "{}",
        stderr_of(&out)
    );
    // Not a regular file.
    let out = sb
        .run(
            &server.url,
            ["batch", rows.to_str().unwrap(), "--output", "/dev/null"],
        )
        .code(2)
        .get_output()
        .clone();
    assert!(
        stderr_of(&out).contains("not a regular file"),
        "{}",
        stderr_of(&out)
    );
    assert!(server.seen().len() == 2, "only the --raw run sent rows");
}

#[test]
fn a_rewritten_output_keeps_its_link_and_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let server = Server::rows(|body| match prompt(body).as_str() {
        "r2" => Answer::status(400, r#"{"error":{"message":"no"}}"#),
        _ => echo(body),
    });
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(3));
    let real = sb.path("real.jsonl");
    let link = sb.path("link.jsonl");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    sb.run(
        &server.url,
        [
            "batch",
            rows.to_str().unwrap(),
            "--output",
            link.to_str().unwrap(),
        ],
    )
    .code(75);
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o644)).unwrap();
    // The rerun drops the failed result: the file is rewritten.
    let again = Server::rows(echo);
    sb.run(
        &again.url,
        [
            "batch",
            rows.to_str().unwrap(),
            "--output",
            link.to_str().unwrap(),
        ],
    )
    .success();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644);
    assert_eq!(jsonl(&real).len(), 3);
    assert!(jsonl(&real).iter().all(|r| r["ok"] == true));
}

#[test]
fn a_second_run_on_the_same_output_is_refused_while_the_first_writes() {
    let server = Server::rows(|body| echo(body).after(200));
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(10));
    let output = sb.path("out.jsonl");
    let mut first = sb
        .std_cmd(&server.url)
        .args([
            "batch",
            rows.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
            "-j",
            "1",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until(20, "a first request", || server.count() > 0);
    let out = sb
        .run(
            &server.url,
            [
                "batch",
                rows.to_str().unwrap(),
                "--output",
                output.to_str().unwrap(),
            ],
        )
        .code(75)
        .get_output()
        .clone();
    assert!(
        stderr_of(&out).contains("another mume batch is writing"),
        "{}",
        stderr_of(&out)
    );
    assert!(first.wait().unwrap().success());
    assert_eq!(jsonl(&output).len(), 10);
}

#[test]
fn a_kill_writes_the_finished_rows_that_wait_behind_a_slow_one() {
    let server = Server::rows(|body| match prompt(body).as_str() {
        "r1" => echo(body).after(10_000),
        _ => echo(body),
    });
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(20));
    let output = sb.path("out.jsonl");
    let mut child = sb
        .std_cmd(&server.url)
        .args([
            "batch",
            rows.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
            "-j",
            "2",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Row 1 is out; the window of 4 × 2 fills behind it.
    wait_until(20, "8 requests", || server.count() >= 8);
    std::thread::sleep(Duration::from_millis(200));
    kill(&child, "-TERM");
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(15), "{status:?}");
    let written = jsonl(&output);
    let lines: Vec<u64> = written
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        lines,
        (2..=8).collect::<Vec<u64>>(),
        "the finished rows, row 1 still out"
    );
}

#[test]
fn answers_of_every_form_a_single_request_reads_are_read() {
    let sse = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"stre\"}}]}\n\n\
               data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"amed\"},\"finish_reason\":\"stop\"}]}\n\n\
               data: [DONE]\n\n";
    let server = Server::rows(move |body| match prompt(body).as_str() {
        "sse" => Answer {
            headers: vec![("content-type".into(), "text/event-stream".into())],
            body: sse.to_string(),
            ..Answer::ok("")
        },
        "text" => Answer {
            headers: vec![("content-type".into(), "text/plain".into())],
            ..Answer::ok("plain")
        },
        _ => echo(body),
    });
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &[json!("sse").to_string(), json!("text").to_string()]);
    let out = sb
        .run(&server.url, ["batch", rows.to_str().unwrap()])
        .code(75)
        .get_output()
        .clone();
    let r = results(&out.stdout);
    assert_eq!(r[0]["content"], "streamed");
    assert_eq!(r[1]["error"]["exit"], 76);
    assert!(
        r[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("text/plain")
    );
}

#[test]
fn an_error_every_row_would_share_stops_the_run_even_inside_a_200() {
    let server =
        Server::rows(|_| Answer::status(200, r#"{"error":{"code":401,"message":"key revoked"}}"#));
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(20));
    let out = sb
        .run(&server.url, ["batch", rows.to_str().unwrap(), "-j", "1"])
        .code(77)
        .get_output()
        .clone();
    assert!(
        stderr_of(&out).contains("key revoked"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(server.count(), 1);
}

#[test]
fn raw_failures_never_show_the_key_a_server_echoes() {
    let server = Server::rows(|_| {
        Answer::status(
            400,
            &format!(
                r#"{{"error":{{"message":"bad header Bearer {}"}}}}"#,
                crate::common::KEY
            ),
        )
    });
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(1));
    for raw in [true, false] {
        let mut args = vec!["batch", rows.to_str().unwrap()];
        if raw {
            args.push("--raw");
        }
        let out = sb.run(&server.url, args).code(75).get_output().clone();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains(crate::common::KEY), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
        assert!(!stderr_of(&out).contains(crate::common::KEY));
    }
}

#[test]
fn a_row_may_set_its_own_system_model_and_unset_a_flag() {
    let server = Server::rows(|body| {
        Answer {
        // An answer that does not name its model.
        body: json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": prompt(body)}, "finish_reason": "stop"}]}).to_string(),
        ..Answer::ok("")
    }
    });
    let sb = Sandbox::new();
    let rows = rows_file(
        &sb,
        &[
            json!({"prompt": "p", "system": "row system", "model": "row/model", "temperature": null}).to_string(),
            json!({"prompt": "  "}).to_string(),
        ],
    );
    let out = sb
        .run(
            &server.url,
            [
                "batch",
                rows.to_str().unwrap(),
                "-s",
                "flag system",
                "-t",
                "0.5",
            ],
        )
        .code(75)
        .get_output()
        .clone();
    let r = results(&out.stdout);
    assert_eq!(
        r[0]["model"], "row/model",
        "the row's model, when the answer names none: {r:?}"
    );
    assert_eq!(r[1]["error"]["exit"], 65);
    assert!(r[1]["error"]["message"].as_str().unwrap().contains("empty"));
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].body,
        json!({"model": "row/model", "messages": [{"role": "system", "content": "row system"},
               {"role": "user", "content": "p"}]})
    );
}

#[test]
fn single_request_flags_after_batch_get_the_same_clear_message() {
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(1));
    for flag in [
        &["--stream"][..],
        &["-c"],
        &["--chat", "x"],
        &["--messages", "m"],
    ] {
        let mut args = vec!["batch", rows.to_str().unwrap()];
        args.extend(flag);
        let out = sb
            .run("http://127.0.0.1:9/v1", args)
            .code(2)
            .get_output()
            .clone();
        assert!(
            stderr_of(&out).contains("cannot be used with batch"),
            "{flag:?}: {}",
            stderr_of(&out)
        );
    }
}

#[test]
fn a_row_and_a_single_request_of_the_same_shape_send_the_same_user_message() {
    let server = Server::rows(|_| Answer::ok("a cat"));
    let sb = Sandbox::new();
    sb.config("[roles.show]\nprompt = \"Describe the picture.\"\n");
    let earlier = json!([{"role": "user", "content": "earlier"}]);
    let messages = sb.path("messages.json");
    std::fs::write(&messages, earlier.to_string()).unwrap();
    let image = "https://example.com/cat.jpg";
    let role = ["-r", "show", "-a", image];
    sb.run(
        &server.url,
        role.iter()
            .copied()
            .chain(["--messages", messages.to_str().unwrap()]),
    )
    .success();
    let rows = rows_file(&sb, &[json!({"messages": earlier}).to_string()]);
    sb.run(
        &server.url,
        role.iter()
            .copied()
            .chain(["batch", rows.to_str().unwrap()]),
    )
    .success();
    let seen: Vec<Value> = server.seen().into_iter().map(|s| s.body).collect();
    assert_eq!(seen.len(), 2);
    let asked = json!({"role": "user", "content": [
        {"type": "text", "text": "Describe the picture."},
        {"type": "image_url", "image_url": {"url": image}}
    ]});
    for body in &seen {
        assert_eq!(body["messages"], json!([earlier[0], asked]), "{body}");
    }
}

#[test]
fn usage_never_asks_a_row_for_a_stream_s_usage() {
    let server = Server::rows(|_| Answer::ok("ok"));
    let sb = Sandbox::new();
    sb.config("stream = true\n");
    let rows = rows_file(&sb, &prompts(1));
    sb.run(&server.url, ["--usage", "batch", rows.to_str().unwrap()])
        .success();
    let body = &server.seen()[0].body;
    assert!(body.get("stream").is_none(), "{body}");
    assert!(body.get("stream_options").is_none(), "{body}");
}

/// Runs a batch with `--output` a file holding `text`: refused (2), the file untouched.
fn refused_untouched(sb: &Sandbox, server: &Server, rows: &Path, output: &Path, text: &str) {
    std::fs::write(output, text).unwrap();
    let out = sb
        .cmd(&server.url)
        .args(["batch", rows.to_str().unwrap(), "--output"])
        .arg(output)
        .write_stdin("")
        .output()
        .unwrap();
    let err = exits(&out, 2);
    assert!(err.contains("not a mume batch result"), "{text:?}: {err}");
    assert_eq!(std::fs::read_to_string(output).unwrap(), text);
}

#[test]
fn a_file_mume_did_not_write_is_refused_whatever_its_last_line() {
    let server = Server::rows(echo);
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(2));
    let notes = sb.path("notes.txt");
    // One line without its newline: notes, a minified document, a token.
    for text in [
        "my precious notes",
        "{\"a\":1,\"b\":[2,3]}",
        "sk-not-a-result",
        "{\"id\":\"x\",\"name\":\"a document\"}",
        "{\"id\":1,\"ok\":true}\nmore notes",
    ] {
        refused_untouched(&sb, &server, &rows, &notes, text);
    }
    assert_eq!(server.count(), 0);
}

#[test]
fn rows_piped_in_cannot_be_overwritten_by_their_own_results() {
    let server = Server::rows(echo);
    let sb = Sandbox::new();
    // One row without its newline, as `printf` or an editor may leave it.
    let rows = sb.path("rows.jsonl");
    std::fs::write(&rows, "{\"id\": 2, \"prompt\": \"r2\"}").unwrap();
    let before = std::fs::read(&rows).unwrap();
    let out = sb
        .cmd(&server.url)
        .args(["batch", "--output"])
        .arg(&rows)
        .write_stdin(before.clone())
        .output()
        .unwrap();
    exits(&out, 2);
    assert_eq!(std::fs::read(&rows).unwrap(), before);
}

#[test]
fn a_result_cut_short_by_a_kill_is_still_dropped_and_its_row_sent_again() {
    let server = Server::rows(echo);
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(2));
    let output = sb.path("out.jsonl");
    let first = r#"{"id":1,"line":1,"ok":true,"content":"re r1","finish_reason":"stop","model":"m","usage":null}"#;
    std::fs::write(&output, format!("{first}\n{{\"id\":2,\"line\":2,\"ok\":tr")).unwrap();
    sb.run(
        &server.url,
        [
            "batch",
            rows.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
        ],
    )
    .success();
    let lines = jsonl(&output);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["id"], 2);
    assert_eq!(server.count(), 1, "only the cut row is sent again");
}

#[test]
fn raw_results_never_write_the_key_however_a_server_spells_it() {
    use crate::common::KEY;
    // The key with every character as a JSON \u escape, in the body and in a header.
    let escaped: String = KEY
        .chars()
        .map(|c| format!("\\u{:04x}", c as u32))
        .collect();
    let server = Server::rows(move |body| {
        let reply = if prompt(body) == "r1" {
            Answer::ok("fine")
        } else {
            Answer::status(
                400,
                &format!(r#"{{"error":{{"message":"bad key {escaped}"}}}}"#),
            )
        };
        reply.header("x-request-id", &format!("req-{KEY}"))
    });
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(2));
    for raw in [true, false] {
        let mut args = vec!["batch", rows.to_str().unwrap()];
        if raw {
            args.push("--raw");
        }
        let out = sb.run(&server.url, args).code(75).get_output().clone();
        let text = String::from_utf8_lossy(&out.stdout);
        for line in text.lines() {
            let decoded: Value = serde_json::from_str(line).unwrap();
            assert!(!decoded.to_string().contains(KEY), "{line}");
            assert!(!line.contains(KEY), "{line}");
        }
        assert!(!stderr_of(&out).contains(KEY));
    }
}

#[test]
fn a_raw_result_is_always_one_a_rerun_can_read() {
    // A 200 whose body is 12 MiB of control bytes: escaped in JSON it would grow six-fold.
    let junk = "\u{1}".repeat(12 << 20);
    let server = Server::rows(move |_| Answer {
        headers: vec![("content-type".into(), "text/plain".into())],
        ..Answer::status(200, &junk)
    });
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(1));
    let output = sb.path("out.jsonl");
    let args = [
        "batch",
        rows.to_str().unwrap(),
        "--raw",
        "--output",
        output.to_str().unwrap(),
    ];
    sb.run(&server.url, args).code(75);
    let written = std::fs::metadata(&output).unwrap().len();
    assert!(written < 1 << 20, "{written} bytes for one result");
    let out = sb
        .cmd(&server.url)
        .args(args)
        .write_stdin("")
        .output()
        .unwrap();
    let err = exits(&out, 75);
    assert!(err.contains("trying again 1 failed row"), "{err}");
}

#[test]
fn ids_are_kept_and_compared_exactly_as_written() {
    let server = Server::rows(echo);
    let sb = Sandbox::new();
    // Two integers past 2^64 that one f64 cannot tell apart, a decimal with a trailing
    // zero beside the same number without it, and an exponent.
    let ids = [
        "12345678901234567890123",
        "12345678901234567890124",
        "1.10",
        "1.1",
        "1e2",
    ];
    let lines: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"id":{id},"prompt":"p{id}"}}"#))
        .collect();
    let rows = rows_file(&sb, &lines);
    let out = sb
        .run(&server.url, ["batch", rows.to_str().unwrap()])
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let written: Vec<&str> = stdout
        .lines()
        .map(|l| {
            let rest = l.strip_prefix(r#"{"id":"#).unwrap();
            &rest[..rest.find(",\"line\"").unwrap()]
        })
        .collect();
    assert_eq!(written, ids, "{stdout}");
    // Raw results carry the same ids as custom_id strings, digit for digit.
    let raw = sb
        .run(&server.url, ["batch", "--raw", rows.to_str().unwrap()])
        .success()
        .get_output()
        .clone();
    let custom: Vec<String> = results(&raw.stdout)
        .iter()
        .map(|r| r["custom_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(custom, ids);
}

#[test]
fn a_resumed_run_tells_long_ids_apart() {
    let server = Server::rows(echo);
    let sb = Sandbox::new();
    let rows = rows_file(
        &sb,
        &[
            r#"{"id":12345678901234567890123,"prompt":"a"}"#.to_string(),
            r#"{"id":12345678901234567890124,"prompt":"b"}"#.to_string(),
        ],
    );
    let output = sb.path("out.jsonl");
    // The first row is done; the second is not, and must be sent.
    let done = r#"{"id":12345678901234567890123,"line":1,"ok":true,"content":"re a","finish_reason":"stop","model":"m","usage":null}"#;
    std::fs::write(&output, format!("{done}\n")).unwrap();
    sb.run(
        &server.url,
        [
            "batch",
            rows.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
        ],
    )
    .success();
    let sent: Vec<String> = server.seen().iter().map(|s| prompt(&s.body)).collect();
    assert_eq!(sent, ["b"]);
    let text = std::fs::read_to_string(&output).unwrap();
    assert!(text.contains(r#"{"id":12345678901234567890124,"#), "{text}");
}

/// Asserts that every result line on a terminal's screen starts its own line: no status
/// line is left in front of it.
fn results_stand_alone(screen: &str, expected: usize) {
    let mut seen = 0;
    for line in screen.split('\n') {
        let Some(at) = line.find("{\"id\":") else {
            continue;
        };
        seen += 1;
        let before = line[..at].rsplit("\x1b[2K").next().unwrap();
        assert!(
            before.trim_matches('\r').is_empty(),
            "{line:?} in {screen:?}"
        );
    }
    assert_eq!(seen, expected, "{screen:?}");
}

#[test]
fn the_status_line_is_erased_before_a_result_reaches_the_terminal() {
    // Fails before this change: with stdout and stderr on one terminal, results were
    // written after the status line, as `0/4 rows{"id":1,...}`.
    let server = Server::rows(|body| echo(body).after(250));
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(4));
    let script = format!("mume batch {} -j 1", rows.display());
    let out = sb
        .script(&server.url, &format!("script -qec '{script}' /dev/null"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("/4 rows"), "{screen:?}");
    results_stand_alone(&screen, 4);
}

#[test]
fn rows_written_out_of_turn_at_the_deadline_are_not_glued_to_the_status() {
    // The first row never answers in time; the others finish and wait behind it, and are
    // written when --max-time ends the run.
    let server = Server::rows(|body| match prompt(body).as_str() {
        "r1" => echo(body).after(5000),
        _ => echo(body),
    });
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(4));
    let script = format!("mume batch {} -j 4 --max-time 1", rows.display());
    let out = sb
        .script(&server.url, &format!("script -qec '{script}' /dev/null"))
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("--max-time reached"), "{screen:?}");
    results_stand_alone(&screen, 3);
}

/// A loopback address where nothing listens.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    drop(listener);
    url
}

#[test]
fn a_server_that_is_not_there_stops_the_run_after_twice_jobs_rows() {
    // Fails before this change: every one of the 60 rows was tried, retried and warned of.
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(60));
    let output = sb.path("out.jsonl");
    let out = sb
        .run(
            &closed_port(),
            [
                "batch",
                rows.to_str().unwrap(),
                "-j",
                "2",
                "--retries",
                "1",
                "--output",
                output.to_str().unwrap(),
            ],
        )
        .get_output()
        .clone();
    exits(&out, 75);
    let err = stderr_of(&out);
    let last = err.lines().last().unwrap();
    assert!(
        last.contains("4 rows in a row could not connect") && last.contains("cannot connect to"),
        "{err}"
    );
    // Each row's retry is announced: 2 × jobs rows, and those in flight beside the last.
    let retried = err.lines().filter(|l| l.contains("line ")).count();
    assert!((4..=5).contains(&retried), "{err}");
    let written = jsonl(&output);
    assert!(written.len() <= 4, "{written:?}");
    assert!(written.iter().all(|r| r["ok"] == false));
    // A rerun with the same --output against a server that answers does the rest.
    let server = Server::rows(echo);
    sb.run(
        &server.url,
        [
            "batch",
            rows.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
        ],
    )
    .success();
    assert_eq!(jsonl(&output).len(), 60);
}

#[test]
fn fewer_unreachable_rows_than_twice_jobs_each_get_their_result() {
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(3));
    let out = sb
        .run(
            &closed_port(),
            ["batch", rows.to_str().unwrap(), "-j", "2", "--retries", "0"],
        )
        .get_output()
        .clone();
    exits(&out, 75);
    let written = results(&out.stdout);
    assert_eq!(written.len(), 3);
    assert!(written.iter().all(|r| r["ok"] == false));
}

#[test]
fn a_404_that_is_not_json_stops_the_run_at_once() {
    let server = Server::rows(|_| Answer::status(404, "<html><title>Not Found</title></html>"));
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(50));
    let out = sb
        .run(&server.url, ["batch", rows.to_str().unwrap(), "-j", "2"])
        .get_output()
        .clone();
    exits(&out, 64);
    assert!(out.stdout.is_empty());
    assert!(stderr_of(&out).contains("/v1"), "{}", stderr_of(&out));
    assert!(server.seen().len() <= 2, "{} requests", server.seen().len());
    // A 404 in JSON is the row's own (an unknown model): the run goes on.
    let server = Server::rows(|_| Answer::status(404, r#"{"error":{"message":"no such model"}}"#));
    let out = sb
        .run(&server.url, ["batch", rows.to_str().unwrap(), "-j", "2"])
        .get_output()
        .clone();
    exits(&out, 75);
    assert_eq!(results(&out.stdout).len(), 50);
}

#[test]
fn a_key_spelled_with_escapes_in_a_body_that_is_not_json_is_never_written() {
    use crate::common::KEY;
    // Fails before this change: escapes were decoded only in a body that parsed, so a body
    // cut short kept the key, spelled with escapes, in the results and on stderr.
    let escaped: String = KEY
        .chars()
        .map(|c| format!("\\u{:04x}", c as u32))
        .collect();
    let cut = format!(r#"{{"error":{{"message":"key {escaped}"#);
    let server = Server::rows(move |_| Answer::status(500, &cut));
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(1));
    for raw in [true, false] {
        let mut args = vec!["batch", rows.to_str().unwrap(), "--retries", "0"];
        if raw {
            args.push("--raw");
        }
        let out = sb.run(&server.url, args).code(75).get_output().clone();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains("\\u0073\\u006b"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
        // Read back as JSON, nothing decodes to the key either.
        let decoded: Value = serde_json::from_str(text.trim()).unwrap();
        assert!(!decoded.to_string().contains(KEY), "{decoded}");
    }
    // A single request says the same without the key.
    let out = sb
        .cmd(&server.url)
        .args(["--retries", "0", "q"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 75);
    assert!(
        !stderr_of(&out).contains("\\u0073\\u006b"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn a_file_that_only_looks_like_results_is_refused_untouched() {
    // Fails before this change: an `id` and a boolean `ok` passed for a result, a cut line
    // starting with `{"id":` for one a kill cut short, and blank lines for untidiness, so
    // each of these files was rewritten.
    let server = Server::rows(echo);
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &prompts(2));
    let notes = sb.path("notes.jsonl");
    for text in [
        "{\"id\":\"a\",\"ok\":false,\"msg\":\"slack\"}\n{\"id\":\"b\",\"ok\":true}\n",
        "{\"id\":5,\"name\":\"x\"",
        "{\"id\":\"custom\",\"line\":\"one\"",
        "\n\n   \n",
    ] {
        refused_untouched(&sb, &server, &rows, &notes, text);
    }
    assert_eq!(server.count(), 0);
    // mume's own lines, one cut short where a kill can cut it, still resume.
    let ours = r#"{"id":1,"line":1,"ok":true,"content":"re r1","finish_reason":"stop","model":"m","usage":null}"#;
    for cut in [
        r#"{"id":2,"li"#,
        r#"{"id":2"#,
        r#"{"id":"tw"#,
        r#"{"id":2,"line":2,"ok":false,"err"#,
    ] {
        std::fs::write(&notes, format!("{ours}\n{cut}")).unwrap();
        sb.run(
            &server.url,
            [
                "batch",
                rows.to_str().unwrap(),
                "--output",
                notes.to_str().unwrap(),
            ],
        )
        .success();
        assert_eq!(jsonl(&notes).len(), 2, "{cut}");
    }
}

#[test]
fn think_tags_in_answers_follow_the_think_setting() {
    let server = Server::rows(|_| Answer::ok("<think>plan</think>done"));
    let sb = Sandbox::new();
    let rows = rows_file(&sb, &[json!("q").to_string()]);
    let rows = rows.to_str().unwrap();
    let out = sb
        .run(&server.url, ["batch", rows])
        .success()
        .get_output()
        .clone();
    let split = &results(&out.stdout)[0];
    assert_eq!(
        (&split["content"], &split["reasoning"]),
        (&json!("done"), &json!("plan"))
    );
    for args in [
        &["batch", rows, "--think", "keep"][..],
        &["--think", "keep", "batch", rows],
    ] {
        let out = sb.run(&server.url, args).success().get_output().clone();
        let kept = &results(&out.stdout)[0];
        assert_eq!(kept["content"], "<think>plan</think>done");
        assert_eq!(kept.get("reasoning"), None, "{kept}");
    }
}
