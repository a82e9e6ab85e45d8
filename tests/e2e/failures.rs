//! Failures: exit codes, server messages, retries, timeouts, broken streams, signals,
//! broken pipes and key safety, through the real binary.

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::server::{Answer, Server, Step, http, send, sleep_ms, sse_head, tls_ca};
use crate::common::*;
use serde_json::json;

const JSON: (&str, &str) = ("content-type", "application/json");

fn run(url: &str, args: &[&str]) -> std::process::Output {
    Sandbox::new()
        .cmd(url)
        .args(args)
        .write_stdin("")
        .output()
        .unwrap()
}

#[test]
fn http_statuses_map_to_exit_codes_without_retry() {
    let cases = [
        ("400 Bad Request", 64),
        ("404 Not Found", 64),
        ("422 Unprocessable Entity", 64),
        ("401 Unauthorized", 77),
        ("402 Payment Required", 77),
        ("403 Forbidden", 77),
        ("413 Payload Too Large", 65),
    ];
    for (status, code) in cases {
        let server = Server::scripted(vec![http(
            status,
            &[JSON],
            r#"{"error":{"message":"nope","type":"invalid_request_error"}}"#,
        )]);
        let out = run(&server.url, &["q"]);
        assert_eq!(out.status.code(), Some(code), "{status}");
        assert!(out.stdout.is_empty());
        let line = error_line(&out);
        assert!(line.contains(&format!("HTTP {status}: nope")), "{line}");
        assert_eq!(server.count(), 1, "{status} is not retried");
    }
}

#[test]
fn server_messages_in_their_many_forms() {
    let cases = [
        (
            r#"{"error":{"message":"Rate limited","code":429,"metadata":{"provider_name":"P"}}}"#,
            "HTTP 400 Bad Request: Rate limited [provider P]",
        ),
        (
            r#"{"detail":"Model not found"}"#,
            "HTTP 400 Bad Request: Model not found",
        ),
        (
            r#"{"detail":[{"loc":["body","messages"],"msg":"field required"}]}"#,
            "HTTP 400 Bad Request: body.messages: field required",
        ),
        (
            "<html><head><title>Bad things</title></head><body>...</body></html>",
            "HTTP 400 Bad Request: Bad things",
        ),
        ("", "HTTP 400 Bad Request"),
    ];
    for (body, want) in cases {
        let server = Server::scripted(vec![http(
            "400 Bad Request",
            &[("x-request-id", "req_42")],
            body,
        )]);
        let out = run(&server.url, &["q"]);
        assert_eq!(
            error_line(&out),
            format!("mume: error: {want} (request id req_42)")
        );
    }
}

#[test]
fn not_found_without_json_hints_at_v1() {
    let server = Server::scripted(vec![http("404 Not Found", &[], "404 page not found")]);
    let out = run(&server.url, &["q"]);
    exits(&out, 64);
    assert!(error_line(&out).ends_with("(hint: the base URL may lack its /v1)"));
}

#[test]
fn max_tokens_rejection_hints_at_max_completion_tokens() {
    let body = r#"{"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model."}}"#;
    let server = Server::scripted(vec![http("400 Bad Request", &[JSON], body)]);
    let out = run(&server.url, &["--max-tokens", "5", "q"]);
    assert!(error_line(&out).contains("--max-completion-tokens N"));
}

#[test]
fn unauthorized_says_where_the_key_came_from_and_never_shows_it() {
    let echo = format!(r#"{{"error":{{"message":"Incorrect API key provided: {KEY}"}}}}"#);
    let server = Server::scripted(vec![http("401 Unauthorized", &[JSON], &echo)]);
    let out = run(&server.url, &["-v", "q"]);
    exits(&out, 77);
    let line = error_line(&out);
    assert!(
        line.contains("Incorrect API key provided: [redacted]"),
        "{line}"
    );
    assert!(line.contains("check the key from MUME_API_KEY"), "{line}");
    let all = format!("{}{}", stdout_of(&out), stderr_of(&out));
    assert!(!all.contains(KEY), "the key leaked: {all}");
    assert!(
        !all.contains("0123456789abcdef"),
        "part of the key leaked: {all}"
    );
    assert!(stderr_of(&out).contains("> authorization: Bearer [redacted]"));
}

#[test]
fn retry_after_is_honoured_then_the_answer_arrives() {
    let server = Server::scripted(vec![
        http(
            "429 Too Many Requests",
            &[JSON, ("retry-after", "1")],
            r#"{"error":{"message":"slow down"}}"#,
        ),
        http("200 OK", &[JSON], &completion("done")),
    ]);
    let started = Instant::now();
    let out = run(&server.url, &["q"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "done\n");
    assert_eq!(server.count(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited {:?}",
        started.elapsed()
    );
    let err = stderr_of(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(
            "mume: warning: HTTP 429 Too Many Requests: slow down; retrying in 1.0 s (1 of 2)"
        ),
        "{err}"
    );
}

#[test]
fn server_errors_are_retried_with_backoff() {
    let server = Server::scripted(vec![
        http("500 Internal Server Error", &[], ""),
        http("502 Bad Gateway", &[], ""),
        http("200 OK", &[JSON], &completion("third time")),
    ]);
    let started = Instant::now();
    let out = run(&server.url, &["q"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "third time\n");
    assert_eq!(server.count(), 3);
    // 0.5 s and 1 s, each shortened by at most a quarter.
    assert!(
        started.elapsed() >= Duration::from_millis(1100),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn retries_run_out_with_exit_75() {
    let server = Server::scripted(vec![http(
        "503 Service Unavailable",
        &[("retry-after-ms", "10")],
        "",
    )]);
    let out = run(&server.url, &["q"]);
    exits(&out, 75);
    assert_eq!(server.count(), 3);
    assert_eq!(stderr_of(&out).matches("retrying").count(), 2);

    let server = Server::scripted(vec![http(
        "503 Service Unavailable",
        &[("retry-after-ms", "10")],
        "",
    )]);
    let out = run(&server.url, &["--retries", "0", "q"]);
    exits(&out, 75);
    assert_eq!(server.count(), 1);
}

#[test]
fn should_retry_header_overrides() {
    let server = Server::scripted(vec![http(
        "503 Service Unavailable",
        &[("x-should-retry", "false")],
        "",
    )]);
    let out = run(&server.url, &["q"]);
    exits(&out, 75);
    assert_eq!(server.count(), 1);

    let server = Server::scripted(vec![
        http(
            "400 Bad Request",
            &[("x-should-retry", "true"), ("retry-after-ms", "1")],
            "",
        ),
        http("200 OK", &[JSON], &completion("ok")),
    ]);
    let out = run(&server.url, &["q"]);
    assert!(out.status.success());
    assert_eq!(server.count(), 2);
}

#[test]
fn quota_exhausted_is_not_retried() {
    let body = r#"{"error":{"message":"You exceeded your quota","type":"insufficient_quota","code":"insufficient_quota"}}"#;
    let server = Server::scripted(vec![http("429 Too Many Requests", &[JSON], body)]);
    let out = run(&server.url, &["q"]);
    exits(&out, 77);
    assert_eq!(server.count(), 1);
}

#[test]
fn a_long_retry_after_gives_up_at_once() {
    let server = Server::scripted(vec![http(
        "429 Too Many Requests",
        &[("retry-after", "3600")],
        "",
    )]);
    let started = Instant::now();
    let out = run(&server.url, &["q"]);
    exits(&out, 75);
    assert_eq!(server.count(), 1);
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn connection_refused_is_temporary_and_retried() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    drop(listener);
    let out = run(&url, &["--retries", "1", "q"]);
    exits(&out, 75);
    assert!(
        error_line(&out).contains("cannot connect to"),
        "{}",
        error_line(&out)
    );
    assert_eq!(stderr_of(&out).matches("retrying").count(), 1);
}

#[test]
fn redirects_are_not_followed() {
    let server = Server::scripted(vec![http(
        "301 Moved Permanently",
        &[("location", "https://elsewhere.example/v1/chat/completions")],
        "",
    )]);
    let out = run(&server.url, &["q"]);
    exits(&out, 78);
    assert!(error_line(&out).contains("https://elsewhere.example/v1/chat/completions"));
    assert_eq!(server.count(), 1);
}

#[test]
fn ok_status_with_an_error_body_fails() {
    let server = Server::scripted(vec![http(
        "200 OK",
        &[JSON],
        r#"{"error":{"message":"upstream overloaded","code":503}}"#,
    )]);
    let out = run(&server.url, &["q"]);
    exits(&out, 75);
    assert!(error_line(&out).contains("upstream overloaded"));
    assert!(out.stdout.is_empty());

    let server = Server::scripted(vec![http(
        "200 OK",
        &[JSON],
        r#"{"error":{"message":"bad model","code":400}}"#,
    )]);
    assert_eq!(run(&server.url, &["q"]).status.code(), Some(64));

    let body = json!({"choices": [{"message": {"content": "partial"}, "finish_reason": "error"}]})
        .to_string();
    let server = Server::scripted(vec![http("200 OK", &[JSON], &body)]);
    let out = run(&server.url, &["q"]);
    exits(&out, 75);
    assert_eq!(stdout_of(&out), "partial\n");
}

#[test]
fn answers_that_break_the_protocol_exit_76() {
    let server = Server::scripted(vec![http("200 OK", &[JSON], "{not json")]);
    assert_eq!(run(&server.url, &["q"]).status.code(), Some(76));
    let server = Server::scripted(vec![http(
        "200 OK",
        &[("content-type", "text/html")],
        "<html></html>",
    )]);
    let out = run(&server.url, &["q"]);
    exits(&out, 76);
    assert!(error_line(&out).contains("text/html"));
}

#[test]
fn refusals_and_filters_exit_3_with_the_text_on_stderr() {
    let body = json!({"choices": [{"message": {"content": null, "refusal": "I can't help with that."}, "finish_reason": "stop"}]}).to_string();
    let server = Server::scripted(vec![http("200 OK", &[JSON], &body)]);
    let out = run(&server.url, &["q"]);
    exits(&out, 3);
    assert!(out.stdout.is_empty());
    assert!(stderr_of(&out).contains("I can't help with that."));

    let body =
        json!({"choices": [{"message": {"content": ""}, "finish_reason": "content_filter"}]})
            .to_string();
    let server = Server::scripted(vec![http("200 OK", &[JSON], &body)]);
    let out = run(&server.url, &["q"]);
    exits(&out, 3);
    assert!(error_line(&out).contains("content_filter"));
}

#[test]
fn stream_error_mid_answer_keeps_the_text_and_is_not_retried() {
    let chunk = json!({"error": {"message": "model crashed"}});
    let server = Server::scripted(vec![vec![
        sse_head(),
        send(&delta("partial ")),
        send(&format!("data: {chunk}\n\n")),
    ]]);
    let out = run(&server.url, &["--stream", "q"]);
    exits(&out, 75);
    assert_eq!(stdout_of(&out), "partial ");
    assert!(error_line(&out).contains("model crashed"));
    assert_eq!(server.count(), 1);

    let server = Server::scripted(vec![vec![
        sse_head(),
        send(&delta("x")),
        send("event: error\ndata: {\"message\":\"overloaded\"}\n\n"),
    ]]);
    let out = run(&server.url, &["--stream", "q"]);
    exits(&out, 75);
    assert!(error_line(&out).contains("overloaded"));
}

#[test]
fn truncated_stream_is_a_failure() {
    let server = Server::scripted(vec![vec![sse_head(), send(&delta("half an ans"))]]);
    let out = run(&server.url, &["--stream", "q"]);
    exits(&out, 75);
    assert_eq!(stdout_of(&out), "half an ans");
    assert!(error_line(&out).contains("ended early"));

    // A finish reason without [DONE] is a complete answer.
    let server = Server::scripted(vec![vec![
        sse_head(),
        send(&delta("whole")),
        send(&finish("stop")),
    ]]);
    let out = run(&server.url, &["--stream", "q"]);
    exits(&out, 0);
    assert_eq!(stdout_of(&out), "whole\n");
}

#[test]
fn oversized_event_is_a_protocol_failure() {
    let big = format!(
        "data: {{\"choices\":[{{\"delta\":{{\"content\":\"{}\"}}}}]}}\n\n",
        "x".repeat(17 << 20)
    );
    let server = Server::scripted(vec![vec![sse_head(), send(&big)]]);
    let out = run(&server.url, &["--stream", "q"]);
    exits(&out, 76);
    assert!(error_line(&out).contains("larger than 16 MiB"));
}

#[test]
fn idle_timeout_fails_but_a_slow_healthy_answer_does_not() {
    let server = Server::scripted(vec![vec![sse_head(), send(&delta("a")), sleep_ms(3000)]]);
    let started = Instant::now();
    let out = run(
        &server.url,
        &["--stream", "--timeout", "1", "--retries", "0", "q"],
    );
    exits(&out, 75);
    assert!(started.elapsed() < Duration::from_millis(2900));

    // Each gap is under the idle limit, the whole answer is well over it.
    let mut steps = vec![sse_head()];
    for _ in 0..5 {
        steps.push(send(&delta("x")));
        steps.push(sleep_ms(500));
    }
    steps.push(send(&stream(&[])));
    let server = Server::scripted(vec![steps]);
    let out = run(&server.url, &["--stream", "--timeout", "1", "q"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "xxxxx\n");
}

#[test]
fn silence_after_the_head_before_any_of_the_answer_is_retried() {
    // Fails before this change: exit 75 at once, the timeout taken for one mid-answer.
    for (flag, head) in [
        ("--stream", sse_head()),
        (
            "--no-stream",
            Step::Send(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n"
                    .to_vec(),
            ),
        ),
    ] {
        let answer = if flag == "--stream" {
            vec![sse_head(), send(&delta("late")), send(&stream(&[]))]
        } else {
            http("200 OK", &[JSON], &completion("late"))
        };
        let server = Server::scripted(vec![vec![head, sleep_ms(3000)], answer]);
        let out = run(&server.url, &[flag, "--timeout", "0.5", "q"]);
        assert!(out.status.success(), "{flag}: {}", stderr_of(&out));
        assert_eq!(stdout_of(&out), "late\n", "{flag}");
        assert!(
            stderr_of(&out).contains("no data from the server for 0.5 s (--timeout); retrying"),
            "{flag}: {}",
            stderr_of(&out)
        );
    }
}

#[test]
fn slow_headers_of_a_whole_answer_are_waited_for() {
    let mut steps = vec![sleep_ms(1500)];
    steps.extend(http("200 OK", &[JSON], &completion("slow")));
    let server = Server::scripted(vec![steps]);
    let out = run(&server.url, &["--timeout", "3", "q"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "slow\n");
}

#[test]
fn max_time_bounds_the_whole_run() {
    let server = Server::scripted(vec![vec![sleep_ms(10_000)]]);
    let started = Instant::now();
    let out = run(&server.url, &["--max-time", "1", "q"]);
    exits(&out, 75);
    assert!(error_line(&out).contains("--max-time"));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn hostile_control_characters_are_escaped_on_stderr() {
    let body = r#"{"error":{"message":"bad\u001b[2J\u001b]0;owned\u0007 thing"}}"#;
    let server = Server::scripted(vec![http("400 Bad Request", &[JSON], body)]);
    let out = run(&server.url, &["q"]);
    let err = stderr_of(&out);
    assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
    assert!(err.contains("bad\\u{1b}[2J"), "{err}");
}

#[test]
fn plain_http_to_a_remote_host_with_a_key_warns() {
    let server = Server::scripted(vec![http("200 OK", &[JSON], &completion("ok"))]);
    let out = Sandbox::new()
        .cmd("http://api.example.com/v1")
        .env("HTTP_PROXY", server.url.trim_end_matches("/v1"))
        .arg("q")
        .write_stdin("")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("warning: sending the API key over plain HTTP"));
}

/// Starts mume on a stream that never ends, waits for the first text, and returns it.
fn start_hanging_stream(sb: &Sandbox, url: &str, args: &[&str]) -> (std::process::Child, String) {
    let mut child = sb
        .std_cmd(url)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 8];
    let n = child.stdout.as_mut().unwrap().read(&mut first).unwrap();
    (child, String::from_utf8_lossy(&first[..n]).into_owned())
}

/// Sends `signal` while a stream hangs after its first text: the partial answer is saved,
/// marked interrupted, within a second, and mume dies by that signal.
fn a_signal_mid_stream_saves_and_kills(signal: &str, number: i32) {
    let server = Server::scripted(vec![vec![
        sse_head(),
        send(&delta("partial")),
        sleep_ms(20_000),
    ]]);
    let sb = Sandbox::new();
    let chat = sb.path("talk.jsonl");
    let (mut child, first) = start_hanging_stream(
        &sb,
        &server.url,
        &["--stream", "--chat", chat.to_str().unwrap(), "q"],
    );
    assert_eq!(first, "partial");
    let sent = Instant::now();
    kill(&child, signal);
    let status = child.wait().unwrap();
    assert!(
        sent.elapsed() < Duration::from_secs(1),
        "{:?}",
        sent.elapsed()
    );
    assert_eq!(status.signal(), Some(number), "{status:?}");
    let lines = jsonl(&chat);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["content"], "partial");
    assert_eq!(lines[1]["finish_reason"], "interrupted");
}

#[test]
fn sigint_mid_stream_saves_the_partial_answer_and_dies_by_the_signal() {
    a_signal_mid_stream_saves_and_kills("-INT", 2);
}

#[test]
fn sigint_while_stdout_is_not_read_still_saves_and_dies_at_once() {
    // Answers larger than a pipe holds, whole and in one streamed event: mume blocks
    // writing them, because nothing reads its stdout. The signal must not wait for that.
    let text = "x".repeat(1 << 20);
    let burst = delta(&text);
    let replies = [
        ("--no-stream", http("200 OK", &[JSON], &completion(&text))),
        ("--stream", vec![sse_head(), send(&burst), sleep_ms(20_000)]),
    ];
    for (mode, reply) in replies {
        let server = Server::scripted(vec![reply]);
        let sb = Sandbox::new();
        let chat = sb.path("talk.jsonl");
        let mut child = sb
            .std_cmd(&server.url)
            .args([mode, "--chat", chat.to_str().unwrap(), "q"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(500));
        assert!(
            child.try_wait().unwrap().is_none(),
            "{mode}: mume ended early"
        );
        let sent = Instant::now();
        kill(&child, "-INT");
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if sent.elapsed() > Duration::from_secs(5) {
                child.kill().unwrap();
                panic!("{mode}: mume did not die within 5 s of SIGINT");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        assert!(
            sent.elapsed() < Duration::from_secs(1),
            "{mode}: {:?}",
            sent.elapsed()
        );
        assert_eq!(status.signal(), Some(2), "{mode}: {status:?}");
        let lines = jsonl(&chat);
        assert_eq!(lines.len(), 2, "{mode}");
        assert!(
            lines[1]["content"].as_str().is_some_and(|c| !c.is_empty()),
            "{mode}"
        );
        assert_eq!(lines[1]["finish_reason"], "interrupted", "{mode}");
    }
}

#[test]
fn sigterm_while_waiting_for_headers_dies_by_sigterm_and_saves_nothing() {
    let server = Server::scripted(vec![vec![sleep_ms(20_000)]]);
    let sb = Sandbox::new();
    let mut child = sb
        .std_cmd(&server.url)
        .arg("q")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while server.count() == 0 {
        std::thread::sleep(Duration::from_millis(20));
    }
    kill(&child, "-TERM");
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(15), "{status:?}");
    assert!(
        sb.saved().is_empty(),
        "nothing arrived, so nothing is saved"
    );
}

#[test]
fn sigint_while_backing_off_stops_at_once() {
    let server = Server::scripted(vec![http(
        "503 Service Unavailable",
        &[("retry-after", "30")],
        "",
    )]);
    let sb = Sandbox::new();
    let mut child = sb
        .std_cmd(&server.url)
        .arg("q")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while server.count() == 0 {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let sent = Instant::now();
    kill(&child, "-INT");
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(2));
    assert!(sent.elapsed() < Duration::from_secs(1));
}

#[test]
fn closed_stdout_stops_quietly_with_success() {
    let mut steps = vec![sse_head()];
    for _ in 0..200 {
        steps.push(send(&delta("0123456789")));
        steps.push(sleep_ms(5));
    }
    steps.push(send(&stream(&[])));
    let server = Server::scripted(vec![steps]);
    let sb = Sandbox::new();
    let (mut child, _) = start_hanging_stream(&sb, &server.url, &["--stream", "q"]);
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{status:?} {err}");
    assert_eq!(err, "");
}

#[test]
fn untrusted_certificate_exits_69_and_cacert_trusts_it() {
    let server = Server::tls("secure");
    let out = run(&server.url, &["q"]);
    exits(&out, 69);
    assert!(
        error_line(&out).contains("--cacert"),
        "{}",
        error_line(&out)
    );

    let out = run(&server.url, &["--cacert", tls_ca().to_str().unwrap(), "q"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "secure\n");
}

#[test]
fn a_body_broken_before_anything_was_shown_is_retried() {
    let broken = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\nconnection: close\r\n\r\n{\"choices\":";
    let server = Server::scripted(vec![
        vec![send(broken)],
        http("200 OK", &[JSON], &completion("second try")),
    ]);
    let out = run(&server.url, &["q"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "second try\n");
    assert_eq!(server.count(), 2);
    let err = stderr_of(&out);
    assert!(
        err.starts_with(
            "mume: warning: the connection broke: end of file before message length reached;"
        ),
        "the cause, not reqwest's \"error decoding response body\": {err}"
    );
    assert_eq!(err.matches("retrying").count(), 1, "{err}");
}

#[test]
fn a_stream_broken_after_text_was_shown_is_not_retried() {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n";
    let event = delta("partial");
    let chunked = format!("{head}{:x}\r\n{event}\r\n5\r\nda", event.len());
    let server = Server::scripted(vec![
        vec![send(&chunked)],
        http("200 OK", &[JSON], &completion("no")),
    ]);
    let sb = Sandbox::new();
    let chat = sb.path("broken.jsonl");
    let out = sb
        .cmd(&server.url)
        .args(["--stream", "--chat", chat.to_str().unwrap(), "q"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 75);
    assert_eq!(stdout_of(&out), "partial");
    assert_eq!(server.count(), 1);
    assert!(error_line(&out).contains("the connection broke"));
    let saved = jsonl(&chat);
    assert_eq!(saved[1]["content"], "partial");
    assert_eq!(saved[1]["finish_reason"], "error");
}

#[test]
fn silence_mid_body_says_how_long_nothing_came() {
    // Fails before this change: the message was "the connection broke: error decoding
    // response body".
    let server = Server::scripted(vec![vec![
        Step::Send(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{"
                .to_vec(),
        ),
        sleep_ms(3000),
    ]]);
    let out = run(
        &server.url,
        &["--no-stream", "--timeout", "1", "--retries", "0", "q"],
    );
    exits(&out, 75);
    assert_eq!(
        error_line(&out),
        "mume: error: no data from the server for 1 s (--timeout)"
    );
    let server = Server::scripted(vec![vec![sse_head(), send(&delta("a")), sleep_ms(3000)]]);
    let out = run(&server.url, &["--stream", "--timeout", "0.5", "q"]);
    assert_eq!(
        error_line(&out),
        "mume: error: no data from the server for 0.5 s (--timeout)"
    );
}

#[test]
fn sighup_mid_stream_saves_the_partial_answer_and_dies_by_the_signal() {
    // Fails before the change that adds it: SIGHUP (a closed terminal) killed mume and
    // lost the answer.
    a_signal_mid_stream_saves_and_kills("-HUP", 1);
}

#[test]
fn a_signal_during_a_flood_saves_exactly_what_was_printed() {
    // Fails before this change in about one run in four: the watcher saved text still in
    // the output buffer, or the main thread printed on after the watcher's copy.
    let burst: String = (0..2000).map(|i| delta(&format!("w{i} "))).collect();
    let mut flood = vec![sse_head()];
    flood.extend((0..400).map(|_| send(&burst)));
    let server = Server::scripted(vec![flood]);
    for round in 0..8 {
        let sb = Sandbox::new();
        let out_path = sb.path("out");
        let mut child = sb
            .std_cmd(&server.url)
            .args(["--stream", "--no-stdin", "q"])
            .stdout(std::fs::File::create(&out_path).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while std::fs::metadata(&out_path).map_or(0, |m| m.len()) < 20_000 * (round + 1)
            && started.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_millis(2));
        }
        kill(&child, "-INT");
        let status = child.wait().unwrap();
        assert_eq!(status.signal(), Some(2), "round {round}");
        let printed = std::fs::read_to_string(&out_path).unwrap();
        let saved = jsonl(&sb.saved()[0]);
        let answer = saved.last().unwrap();
        assert_eq!(answer["finish_reason"], "interrupted");
        let content = answer["content"].as_str().unwrap();
        assert!(
            content == printed,
            "round {round}: saved {} bytes, printed {}",
            content.len(),
            printed.len()
        );
    }
}

#[test]
fn max_time_covers_the_wait_for_stdin() {
    // Fails before this change: --max-time started counting only once the request went out,
    // so a silent stdin kept mume waiting for good.
    let sb = Sandbox::new();
    let mut child = sb
        .std_cmd("http://127.0.0.1:9/v1")
        .args(["--max-time", "1", "q"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    exits(&out, 75);
    assert!(
        stderr_of(&out).contains("--max-time reached while waiting for stdin"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn max_time_stops_a_key_command_that_hangs() {
    // Fails before this change: --max-time did not cover api_key_command, so a command
    // waiting for a passphrase hung the run for good.
    let sb = Sandbox::new();
    let marker = sb.path("finished");
    sb.config(&format!(
        "api_key_command = \"sleep 2; touch {}; echo key\"\n",
        marker.display()
    ));
    let started = Instant::now();
    let out = sb
        .bare()
        .env("MUME_BASE_URL", "http://127.0.0.1:9/v1")
        .args(["--max-time", "0.5", "q"])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    exits(&out, 75);
    assert_eq!(
        error_line(&out),
        "mume: error: gave up: --max-time reached while api_key_command was running (it was stopped)"
    );
    std::thread::sleep(Duration::from_millis(2500));
    assert!(!marker.exists(), "the key command was stopped");
}

#[test]
fn a_retry_does_not_go_out_on_a_connection_the_server_closed_while_we_waited() {
    // Fails before this change: the wait before a retry did not run the connection's
    // runtime, so the closed kept-alive connection was taken for the retry, which failed
    // and used up the budget.
    let kept_then_closed = vec![
        send(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nretry-after-ms: 400\r\n\r\n",
        ),
        sleep_ms(100),
    ];
    let server = Server::scripted(vec![
        kept_then_closed,
        http("200 OK", &[JSON], &completion("recovered")),
    ]);
    let url = server.url.clone();
    let out = run(&url, &["--retries", "1", "q"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "recovered\n");
}

#[test]
fn max_time_is_kept_while_stderr_is_not_read() {
    // Fails before this change: the deadline's error line waited for a stderr that a
    // reader never drained, so the run outlived --max-time by as long as the reader.
    let reasoning = format!(
        "data: {}\n\n",
        json!({"choices": [{"index": 0, "delta": {"reasoning": "r".repeat(200_000)}}]})
    );
    let server = Server::scripted(vec![vec![sse_head(), send(&reasoning), sleep_ms(20_000)]]);
    let sb = Sandbox::new();
    let mut child = sb
        .std_cmd(&server.url)
        .args(["--stream", "--reasoning", "--max-time", "1", "q"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "still running");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(75));
}

#[test]
fn a_ca_file_without_a_certificate_is_a_configuration_error() {
    // Fails before this change: the file was taken as no certificates at all, and the
    // connection then failed as a TLS error (69).
    let sb = Sandbox::new();
    let ca = sb.path("notes.pem");
    std::fs::write(&ca, "just text\n").unwrap();
    let out = run(
        "https://127.0.0.1:9/v1",
        &["--cacert", ca.to_str().unwrap(), "q"],
    );
    exits(&out, 78);
    assert!(
        error_line(&out).ends_with("notes.pem: no certificate in it"),
        "{}",
        error_line(&out)
    );
}

/// Runs mume with `args` and stdin from /dev/null, killed after 10 s; asserts that it ended
/// within 5 s, by --max-time, saying what it waited for.
fn ends_by_max_time(sb: &Sandbox, args: &[&str], waited_for: &str) {
    let mut child = sb
        .std_cmd("http://127.0.0.1:9/v1")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{args:?}: {:?}",
        started.elapsed()
    );
    exits(&out, 75);
    let expected = format!("--max-time reached while {waited_for}");
    assert!(stderr_of(&out).contains(&expected), "{}", stderr_of(&out));
    assert!(out.stdout.is_empty());
}

fn fifo(sb: &Sandbox, name: &str) -> String {
    let path = sb.path(name);
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(made.success());
    path.to_str().unwrap().to_string()
}

#[test]
fn max_time_covers_reading_the_files() {
    // Fails before this change: a -f FIFO with no writer blocked the run for good.
    let sb = Sandbox::new();
    let pipe = fifo(&sb, "notes.txt");
    let max = ["--max-time", "1"];
    ends_by_max_time(
        &sb,
        &[&max[..], &["-f", &pipe, "q"]].concat(),
        "reading the files",
    );
    ends_by_max_time(
        &sb,
        &[&max[..], &["-a", &pipe, "q"]].concat(),
        "reading the files",
    );
    ends_by_max_time(
        &sb,
        &[&max[..], &["--messages", &pipe, "q"]].concat(),
        "reading the files",
    );
}

#[test]
fn max_time_covers_reading_a_batch_s_rows() {
    let sb = Sandbox::new();
    let pipe = fifo(&sb, "rows.jsonl");
    ends_by_max_time(
        &sb,
        &["batch", "--max-time", "1", &pipe],
        "reading the rows",
    );
    let tools = fifo(&sb, "tools.json");
    let rows = sb.path("r.jsonl");
    std::fs::write(&rows, "\"a\"\n").unwrap();
    ends_by_max_time(
        &sb,
        &[
            "batch",
            "--max-time",
            "1",
            "--tools",
            &tools,
            rows.to_str().unwrap(),
        ],
        "reading the files",
    );
}

#[test]
fn message_content_that_is_neither_text_nor_parts_is_a_protocol_error() {
    // Fails before this change: an object or a number was read as an empty answer,
    // exit 0, and an empty line saved.
    for content in [
        r#"{"text":"hi"}"#,
        "42",
        "true",
        "[1,2]",
        r#"["a","b"]"#,
        r#"[{"type":"text","text":5}]"#,
    ] {
        let body = format!(
            r#"{{"choices":[{{"message":{{"role":"assistant","content":{content}}},"finish_reason":"stop"}}]}}"#
        );
        let server = Server::rows(move |_| Answer::status(200, &body));
        let sb = Sandbox::new();
        let out = sb
            .cmd(&server.url)
            .args(["--chat", "kept", "q"])
            .write_stdin("")
            .output()
            .unwrap();
        exits(&out, 76);
        assert!(out.stdout.is_empty());
        assert!(error_line(&out).contains("content"), "{}", error_line(&out));
        assert!(!sb.chats().join("kept.jsonl").exists(), "nothing saved");
        // A batch row of the same answer fails with the same code.
        let out = sb
            .cmd(&server.url)
            .args(["batch"])
            .write_stdin("\"q\"\n")
            .output()
            .unwrap();
        exits(&out, 75);
        let row: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(row["ok"], false);
        assert_eq!(row["error"]["exit"], 76);
    }
    // Text parts are read as the text; null with tool calls is no text.
    let body = r#"{"choices":[{"message":{"role":"assistant","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},"finish_reason":"stop"}]}"#;
    let server = Server::rows(move |_| Answer::status(200, body));
    let out = run(&server.url, &["q"]);
    exits(&out, 0);
    assert_eq!(stdout_of(&out), "ab\n");
}

#[test]
fn a_hangup_ignored_at_start_stays_ignored() {
    // Fails before this change: `nohup mume …` died when the terminal closed, because the
    // watcher's handler replaced the ignored disposition nohup had set.
    let server = Server::scripted(vec![vec![
        sse_head(),
        send(&delta("a")),
        sleep_ms(800),
        send(&delta("b")),
        send("data: [DONE]\n\n"),
    ]]);
    let sb = Sandbox::new();
    let child = sb
        .script(&server.url, "trap '' HUP; exec mume --stream q")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    kill(&child, "-HUP");
    let out = child.wait_with_output().unwrap();
    exits(&out, 0);
    assert_eq!(stdout_of(&out), "ab\n");

    // A batch likewise; SIGINT ignored (a background job of a script) stays ignored too.
    let server = Server::rows(|_| Answer::ok("x").after(800));
    let rows = sb.path("rows.jsonl");
    std::fs::write(&rows, "\"a\"\n").unwrap();
    let script = format!("trap '' HUP INT; exec mume batch {}", rows.display());
    let child = sb
        .script(&server.url, &script)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    kill(&child, "-HUP");
    kill(&child, "-INT");
    let out = child.wait_with_output().unwrap();
    exits(&out, 0);
    assert!(
        stdout_of(&out).contains("\"ok\":true"),
        "{}",
        stdout_of(&out)
    );
}

#[test]
fn max_time_stops_what_a_key_command_started_too() {
    // Fails before this change: sh was killed, the `sleep` it started ran on.
    let sb = Sandbox::new();
    let pid = sb.path("pid");
    sb.config(&format!(
        "api_key_command = \"sleep 30 & echo $! > {}; wait; echo key\"\n",
        pid.display()
    ));
    let out = sb
        .bare()
        .env("MUME_BASE_URL", "http://127.0.0.1:9/v1")
        .args(["--max-time", "0.5", "q"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 75);
    let pid = std::fs::read_to_string(&pid).unwrap();
    let alive = || {
        std::process::Command::new("kill")
            .args(["-0", pid.trim()])
            .stderr(Stdio::null())
            .status()
            .unwrap()
            .success()
    };
    let started = Instant::now();
    while alive() && started.elapsed() < Duration::from_secs(2) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!alive(), "the sleep the command started still runs");
}

#[test]
fn a_key_command_that_leaves_a_process_holding_its_output_does_not_hold_mume() {
    // Fails before this change: mume read the command's output to its end, which came
    // only when the `sleep` it left behind exited.
    let server = Server::rows(|_| Answer::ok("fine"));
    let sb = Sandbox::new();
    sb.config("api_key_command = \"echo key; sleep 5 &\"\n");
    let started = Instant::now();
    let out = sb
        .bare()
        .env("MUME_BASE_URL", &server.url)
        .args(["q"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 0);
    assert_eq!(stdout_of(&out), "fine\n");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let raw = server.seen()[0].raw.to_ascii_lowercase();
    assert!(raw.contains("authorization: bearer key\r\n"), "{raw}");
}
