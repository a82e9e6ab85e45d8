//! What reaches stdout and stderr: text, JSON, streams, tool calls, extraction, reasoning.

use std::time::Duration;

use crate::common::*;
use serde_json::json;

fn run(server: &mockito::Server, args: &[&str]) -> std::process::Output {
    Sandbox::new()
        .cmd(&base(server))
        .args(args)
        .write_stdin("")
        .output()
        .unwrap()
}

#[test]
fn text_gets_one_newline_when_missing() {
    for (content, want) in [
        ("4", "4\n"),
        ("line\n", "line\n"),
        ("two\n\n", "two\n\n"),
        ("", ""),
    ] {
        let mut server = mockito::Server::new();
        answer(&mut server, content);
        let out = run(&server, &["q"]);
        assert!(out.status.success());
        assert_eq!(stdout_of(&out), want, "content {content:?}");
        assert_eq!(stderr_of(&out), "");
    }
}

#[test]
fn json_prints_the_body_as_received() {
    let mut server = mockito::Server::new();
    let body = "{ \"choices\": [ {\"message\": {\"content\": \"x\"}, \"finish_reason\": \"stop\"} ],\n  \"usage\": {\"total_tokens\": 3} }";
    server
        .mock("POST", "/v1/chat/completions")
        .with_header("content-type", "application/json")
        .with_body(body)
        .create();
    let out = run(&server, &["--json", "q"]);
    assert!(out.status.success());
    assert_eq!(stdout_of(&out), format!("{body}\n"));
}

#[test]
fn stream_writes_the_fragments() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("POST", "/v1/chat/completions")
        .match_body(mockito::Matcher::PartialJson(json!({"stream": true})))
        .with_header("content-type", "text/event-stream")
        .with_body(stream(&["Hel", "lo", " world"]))
        .create();
    let out = run(&server, &["--stream", "q"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "Hello world\n");
    mock.assert();
}

#[test]
fn no_stream_is_the_default_for_a_pipe_and_wins_over_the_config() {
    let mut server = mockito::Server::new();
    let mock = server.chat(
        mockito::Matcher::Json(json!({
            "model": "openai/gpt-4.1-mini",
            "messages": [{"role": "user", "content": "q"}]
        })),
        "whole",
        2,
    );
    let sb = Sandbox::new();
    sb.cmd(&base(&server))
        .arg("q")
        .write_stdin("")
        .assert()
        .stdout("whole\n");
    sb.config("stream = true\n");
    sb.run(&base(&server), ["--no-stream", "q"])
        .stdout("whole\n");
    mock.assert();
}

#[test]
fn stream_json_is_one_line_per_event_without_done() {
    let mut server = mockito::Server::new();
    let body = format!(
        "{}: keep-alive\n\ndata: {{\"choices\":[{{\"delta\":\ndata: {{\"content\":\"b\"}}}}]}}\n\n{}data: [DONE]\n\n",
        delta("a"),
        finish("stop")
    );
    server
        .mock("POST", "/v1/chat/completions")
        .with_header("content-type", "text/event-stream")
        .with_body(body)
        .create();
    let out = run(&server, &["--stream", "--json", "q"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0], delta("a").trim_start_matches("data: ").trim_end());
    assert_eq!(lines[1], r#"{"choices":[{"delta":{"content":"b"}}]}"#);
    assert!(lines[2].contains("\"finish_reason\":\"stop\""));
}

#[test]
fn utf8_split_across_network_reads_stays_intact() {
    let mut server = mockito::Server::new();
    let body = stream(&["h\u{e9}llo ", "\u{2603}\u{1F600}"]);
    let bytes = body.into_bytes();
    // Cut inside the snowman and inside the emoji.
    let snowman = bytes
        .windows(3)
        .position(|w| w == "\u{2603}".as_bytes())
        .unwrap();
    let cuts = [snowman + 1, snowman + 5];
    server
        .mock("POST", "/v1/chat/completions")
        .with_header("content-type", "text/event-stream")
        .with_chunked_body(move |w| {
            let mut start = 0;
            for &cut in &cuts {
                w.write_all(&bytes[start..cut])?;
                w.flush()?;
                std::thread::sleep(Duration::from_millis(50));
                start = cut;
            }
            w.write_all(&bytes[start..])
        })
        .create();
    let out = run(&server, &["--stream", "q"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "h\u{e9}llo \u{2603}\u{1F600}\n");
}

#[test]
fn stream_answered_with_json_is_read_whole() {
    let mut server = mockito::Server::new();
    answer(&mut server, "not streamed");
    let out = run(&server, &["--stream", "q"]);
    assert!(out.status.success());
    assert_eq!(stdout_of(&out), "not streamed\n");
}

#[test]
fn extract_prints_the_first_or_last_code_block() {
    let content = "Try this:\n```sh\nls -l\n```\nor\n```\nls -a\n```\n";
    let mut server = mockito::Server::new();
    answer(&mut server, content);
    assert_eq!(stdout_of(&run(&server, &["-x", "q"])), "ls -l\n");
    assert_eq!(
        stdout_of(&run(&server, &["--extract-last", "q"])),
        "ls -a\n"
    );
    let mut server = mockito::Server::new();
    answer_stream(&mut server, &["```py\nprint(", "1)\n```\n"]);
    assert_eq!(
        stdout_of(&run(&server, &["--stream", "-x", "q"])),
        "print(1)\n"
    );
    let mut server = mockito::Server::new();
    answer(&mut server, "no block here");
    assert_eq!(stdout_of(&run(&server, &["-x", "q"])), "no block here\n");
}

#[test]
fn reasoning_goes_to_stderr_only_when_asked() {
    let body = json!({
        "choices": [{"message": {"content": "42", "reasoning_content": "think hard"}, "finish_reason": "stop"}]
    })
    .to_string();
    let mut server = mockito::Server::new();
    server
        .mock("POST", "/v1/chat/completions")
        .with_header("content-type", "application/json")
        .with_body(&body)
        .create();
    let out = run(&server, &["q"]);
    assert_eq!(stdout_of(&out), "42\n");
    assert_eq!(stderr_of(&out), "");
    let out = run(&server, &["--reasoning", "q"]);
    assert_eq!(stdout_of(&out), "42\n");
    assert_eq!(stderr_of(&out), "think hard\n");

    let mut server = mockito::Server::new();
    let events = format!(
        "data: {}\n\ndata: {}\n\n{}{}data: [DONE]\n\n",
        json!({"choices": [{"delta": {"reasoning": "step 1, "}}]}),
        json!({"choices": [{"delta": {"reasoning": "step 2"}}]}),
        delta("answer"),
        finish("stop")
    );
    server
        .mock("POST", "/v1/chat/completions")
        .with_header("content-type", "text/event-stream")
        .with_body(events)
        .create();
    let out = run(&server, &["--stream", "--reasoning", "q"]);
    assert_eq!(stdout_of(&out), "answer\n");
    assert_eq!(stderr_of(&out), "step 1, step 2\n");
}

#[test]
fn usage_goes_to_stderr_after_the_answer() {
    let mut server = mockito::Server::new();
    answer(&mut server, "hi");
    let out = run(&server, &["--usage", "q"]);
    assert_eq!(stdout_of(&out), "hi\n");
    assert_eq!(stderr_of(&out), "tokens: 5 prompt, 2 completion, 7 total\n");
}

/// A stream that answers "hi" and sends its usage in a last chunk with no choices, as
/// OpenAI does when `stream_options.include_usage` is asked for (the mock checks it is).
fn usage_in_its_own_chunk(server: &mut mockito::Server) -> mockito::Mock {
    let events = format!(
        "{}{}data: {}\n\ndata: [DONE]\n\n",
        delta("hi"),
        finish("stop"),
        json!({"choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}})
    );
    server
        .mock("POST", "/v1/chat/completions")
        .match_body(mockito::Matcher::PartialJson(
            json!({"stream": true, "stream_options": {"include_usage": true}}),
        ))
        .with_header("content-type", "text/event-stream")
        .with_body(events)
        .create()
}

#[test]
fn streamed_usage_is_asked_for_and_read_from_an_empty_choices_chunk() {
    let mut server = mockito::Server::new();
    let mock = usage_in_its_own_chunk(&mut server);
    let out = run(&server, &["--stream", "--usage", "q"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "hi\n");
    assert_eq!(stderr_of(&out), "tokens: 1 prompt, 2 completion, 3 total\n");
    mock.assert();
}

#[test]
fn finish_reason_length_keeps_the_answer_and_warns() {
    let mut server = mockito::Server::new();
    let body = json!({"choices": [{"message": {"content": "cut sh"}, "finish_reason": "length"}]});
    server
        .mock("POST", "/v1/chat/completions")
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
        .create();
    let out = run(&server, &["q"]);
    exits(&out, 0);
    assert_eq!(stdout_of(&out), "cut sh\n");
    assert!(stderr_of(&out).starts_with("mume: warning: the answer was cut short"));
    let out = run(&server, &["-q", "q"]);
    assert_eq!(stderr_of(&out), "", "-q silences warnings");
}

#[test]
fn a_stream_of_several_choices_follows_choice_zero() {
    // Fails before this change: with -o n=2 the first element of each chunk's choices was
    // shown, so both choices came out interleaved and were saved so.
    let event = |index: u32, text: &str| {
        format!(
            "data: {}\n\n",
            json!({"choices": [{"index": index, "delta": {"content": text}, "finish_reason": null}]})
        )
    };
    let both = format!(
        "data: {}\n\n",
        json!({"choices": [
            {"index": 1, "delta": {}, "finish_reason": "stop"},
            {"index": 0, "delta": {}, "finish_reason": "stop"}
        ]})
    );
    let body = [
        event(0, "A1 "),
        event(1, "B1 "),
        event(0, "A2"),
        event(1, "B2"),
        both,
        "data: [DONE]\n\n".to_string(),
    ]
    .concat();
    let mut server = mockito::Server::new();
    server
        .mock("POST", "/v1/chat/completions")
        .with_header("content-type", "text/event-stream")
        .with_body(&body)
        .create();
    let sb = Sandbox::new();
    let chat = sb.path("n2.jsonl");
    let out = sb
        .cmd(&base(&server))
        .args([
            "--stream",
            "-o",
            "n=2",
            "--chat",
            chat.to_str().unwrap(),
            "q",
        ])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "A1 A2\n");
    assert_eq!(jsonl(&chat)[1]["content"], "A1 A2");
}

#[test]
fn a_stream_without_usage_says_so_when_usage_was_asked_for() {
    // Fails before this change: --usage printed nothing when the server sent no usage.
    let mut server = mockito::Server::new();
    answer_stream(&mut server, &["hi"]);
    let out = run(&server, &["--stream", "--usage", "q"]);
    assert!(out.status.success());
    assert_eq!(stdout_of(&out), "hi\n");
    assert_eq!(
        stderr_of(&out),
        "mume: warning: the server reported no token usage for this answer\n"
    );
}

#[test]
fn a_json_answer_that_starts_with_a_byte_order_mark_is_read() {
    // Fails before this change: exit 76, "not valid JSON".
    let mut server = mockito::Server::new();
    server
        .mock("POST", "/v1/chat/completions")
        .with_header("content-type", "application/json")
        .with_body(format!("\u{feff}{}", completion("hi")))
        .create();
    let out = run(&server, &["q"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "hi\n");
}

/// The one JSON line `--usage=json` writes on stderr.
fn usage_json(out: &std::process::Output) -> serde_json::Value {
    let err = stderr_of(out);
    assert_eq!(err.lines().count(), 1, "{err}");
    serde_json::from_str(err.trim_end()).unwrap()
}

#[test]
fn usage_json_reports_tokens_cost_request_id_and_latency_of_a_whole_answer() {
    let mut server = mockito::Server::new();
    let body = json!({
        "model": "vendor/actual-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18, "cost": 0.00042,
                  "completion_tokens_details": {"reasoning_tokens": 4},
                  "prompt_tokens_details": {"cached_tokens": 8}}
    });
    server
        .mock("POST", "/v1/chat/completions")
        .with_header("content-type", "application/json")
        .with_header("x-request-id", "req-abc")
        .with_body(body.to_string())
        .create();
    let out = run(&server, &["--usage=json", "q"]);
    assert!(out.status.success());
    assert_eq!(stdout_of(&out), "hi\n");
    let line = usage_json(&out);
    assert_eq!(line["model"], "vendor/actual-model");
    assert_eq!(line["prompt_tokens"], 11);
    assert_eq!(line["completion_tokens"], 7);
    assert_eq!(line["total_tokens"], 18);
    assert_eq!(line["cost"], 0.00042);
    assert_eq!(line["reasoning_tokens"], 4);
    assert_eq!(line["cached_tokens"], 8);
    assert_eq!(line["request_id"], "req-abc");
    assert!(line["latency_ms"].as_f64().unwrap() > 0.0);
    assert!(line.get("first_token_ms").is_none(), "only for a stream");
    // `--usage json` (a space): `json` is a word of the prompt, the usage line is for people.
    let out = run(&server, &["--usage", "json"]);
    assert!(
        stderr_of(&out).starts_with("tokens: 11 prompt"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn usage_json_of_a_stream_has_the_first_token_and_no_cost_unless_sent() {
    let mut server = mockito::Server::new();
    let mock = usage_in_its_own_chunk(&mut server);
    let out = run(&server, &["--stream", "--usage=json", "-q", "q"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    mock.assert();
    let line = usage_json(&out);
    assert_eq!(
        line["model"], "openai/gpt-4.1-mini",
        "the model asked, when none is named"
    );
    assert_eq!(line["total_tokens"], 3);
    assert!(line.get("cost").is_none());
    assert_eq!(line["request_id"], serde_json::Value::Null);
    let first = line["first_token_ms"].as_f64().unwrap();
    assert!(first > 0.0 && first <= line["latency_ms"].as_f64().unwrap());

    // A server that names its model in the chunks, and sends counts that are not counts.
    let mut server = mockito::Server::new();
    let chunk = |content: &str| {
        format!(
            "data: {}\n\n",
            json!({"model": "served/x", "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": null}]})
        )
    };
    let events = format!(
        "{}{}data: {}\n\ndata: [DONE]\n\n",
        chunk("h"),
        finish("stop"),
        json!({"choices": [], "usage": {"prompt_tokens": "3", "completion_tokens": -1, "total_tokens": 2, "cost": "0.01"}})
    );
    server
        .mock("POST", "/v1/chat/completions")
        .with_header("content-type", "text/event-stream")
        .with_body(events)
        .create();
    let line = usage_json(&run(&server, &["--stream", "--usage=json", "q"]));
    assert_eq!(line["model"], "served/x");
    assert_eq!(line["prompt_tokens"], serde_json::Value::Null);
    assert_eq!(line["completion_tokens"], serde_json::Value::Null);
    assert_eq!(line["total_tokens"], 2);
    assert!(
        line.get("cost").is_none(),
        "a cost that is not a number is left out"
    );

    // No usage at all: the line says null, and nothing else is printed.
    let mut server = mockito::Server::new();
    answer_stream(&mut server, &["hi"]);
    let out = run(&server, &["--stream", "--usage=json", "q"]);
    let line = usage_json(&out);
    assert_eq!(line["total_tokens"], serde_json::Value::Null);
}

#[test]
fn an_answer_whose_model_is_not_a_string_is_still_read() {
    let mut server = mockito::Server::new();
    let body = json!({
        "model": 5,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1e30, "completion_tokens": 18446744073709551616u128 as f64, "total_tokens": 3}
    });
    server
        .mock("POST", "/v1/chat/completions")
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
        .create();
    let out = run(&server, &["--usage=json", "q"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "hi\n");
    let line = usage_json(&out);
    assert_eq!(line["model"], "openai/gpt-4.1-mini", "the model asked");
    // Counts too large for any count are left out, not a panic.
    assert_eq!(line["prompt_tokens"], serde_json::Value::Null);
    assert_eq!(line["completion_tokens"], serde_json::Value::Null);
    assert_eq!(line["total_tokens"], 3);
}
