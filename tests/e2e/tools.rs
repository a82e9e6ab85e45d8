//! Tool calling, structured output and image attachments through the real binary.

use crate::common::*;
use mockito::Matcher;
use serde_json::{Value, json};

const TOOLS: &str = r#"[{"type":"function","function":{"name":"get_weather","description":"Weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]"#;

fn tools_file(sb: &Sandbox) -> String {
    let path = sb.path("tools.json");
    std::fs::write(&path, TOOLS).unwrap();
    path.to_str().unwrap().to_string()
}

fn tool_call_completion(content: Option<&str>) -> String {
    json!({
        "model": "test/model",
        "choices": [{"message": {
            "role": "assistant",
            "content": content,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}},
                {"id": "call_2", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"}}
            ]
        }, "finish_reason": "tool_calls"}]
    })
    .to_string()
}

const CALL_1: &str = r#"{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}"#;
const CALL_2: &str = r#"{"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}"#;

#[test]
fn tools_and_tool_choice_are_sent() {
    let sb = Sandbox::new();
    let tools: Value = serde_json::from_str(TOOLS).unwrap();
    for (choice, sent) in [
        ("required", json!("required")),
        (
            "get_weather",
            json!({"type": "function", "function": {"name": "get_weather"}}),
        ),
    ] {
        let mut server = mockito::Server::new();
        let mock = server.chat(
            Matcher::PartialJson(json!({"tools": tools, "tool_choice": sent})),
            "ok",
            1,
        );
        sb.run(
            &base(&server),
            ["--tools", &tools_file(&sb), "--tool-choice", choice, "q"],
        )
        .success();
        mock.assert();
    }
}

#[test]
fn bad_tools_files_are_usage_errors() {
    let sb = Sandbox::new();
    for (text, says) in [
        ("{not json", "not valid JSON"),
        (r#"{"type":"function"}"#, "JSON array"),
        (r#"[{"type":"function","function":{}}]"#, "tool 0 needs"),
    ] {
        let path = sb.path("bad.json");
        std::fs::write(&path, text).unwrap();
        let out = sb
            .cmd("http://127.0.0.1:9/v1")
            .args(["--tools", path.to_str().unwrap(), "q"])
            .write_stdin("")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(stderr_of(&out).contains(says), "{}", stderr_of(&out));
    }
}

#[test]
fn calls_are_printed_as_json_lines_and_content_goes_to_stderr() {
    let mut server = mockito::Server::new();
    server
        .mock("POST", "/v1/chat/completions")
        .with_header("content-type", "application/json")
        .with_body(tool_call_completion(Some("Let me check.")))
        .create();
    let sb = Sandbox::new();
    let out = sb
        .cmd(&base(&server))
        .args(["--tools", &tools_file(&sb), "q"])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stdout_of(&out), format!("{CALL_1}\n{CALL_2}\n"));
    assert_eq!(stderr_of(&out), "Let me check.\n");
}

#[test]
fn streamed_fragments_are_assembled_by_index() {
    // Two parallel calls, interleaved; the server repeats id and name in every fragment.
    let frag = |index: u32, id: &str, name: &str, args: &str| {
        format!(
            "data: {}\n\n",
            json!({"choices": [{"delta": {"tool_calls": [{"index": index, "id": id, "type": "function", "function": {"name": name, "arguments": args}}]}}]})
        )
    };
    let body = [
        delta("Checking."),
        frag(0, "call_1", "get_weather", ""),
        frag(1, "call_2", "get_weather", "{\"city\""),
        frag(0, "call_1", "get_weather", "{\"city\":"),
        frag(1, "call_2", "get_weather", ":\"Oslo\"}"),
        frag(0, "call_1", "get_weather", "\"Paris\"}"),
        finish("tool_calls"),
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
    let chat = sb.path("c.jsonl");
    let out = sb
        .cmd(&base(&server))
        .args([
            "--stream",
            "--tools",
            &tools_file(&sb),
            "--chat",
            chat.to_str().unwrap(),
            "q",
        ])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), format!("{CALL_1}\n{CALL_2}\n"));
    assert_eq!(stderr_of(&out), "Checking.\n");
    let saved = jsonl(&chat);
    assert_eq!(
        saved[1]["tool_calls"][1]["function"]["arguments"],
        "{\"city\":\"Oslo\"}"
    );

    // With --json every event passes through as it came.
    let out = sb
        .cmd(&base(&server))
        .args(["--stream", "--json", "--tools", &tools_file(&sb), "q"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(stdout_of(&out).lines().count(), 7);
}

fn conversation_with_calls(sb: &Sandbox) -> std::path::PathBuf {
    let path = sb.path("loop.jsonl");
    let lines = [
        json!({"role": "user", "content": "weather in Paris and Oslo?"}),
        serde_json::from_str::<Value>(&tool_call_completion(None)).unwrap()["choices"][0]["message"].clone(),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn tool_results_are_sent_after_the_calls_and_recorded() {
    let sb = Sandbox::new();
    let path = conversation_with_calls(&sb);
    let result_file = sb.path("oslo.txt");
    std::fs::write(&result_file, "snow, -3 C").unwrap();
    let tools: Value = serde_json::from_str(TOOLS).unwrap();
    let mut server = mockito::Server::new();
    let mock = server.chat(Matcher::PartialJson(json!({
            "tools": tools,
            "messages": [
                {"role": "user", "content": "weather in Paris and Oslo?"},
                {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1"}, {"id": "call_2"}]},
                {"role": "tool", "tool_call_id": "call_1", "content": "sunny, 21 C"},
                {"role": "tool", "tool_call_id": "call_2", "content": "snow, -3 C"}
            ]
        })), "Paris is sunny; Oslo has snow.", 1);
    sb.cmd(&base(&server))
        .args([
            "--chat",
            path.to_str().unwrap(),
            "--tools",
            &tools_file(&sb),
        ])
        .args(["--tool-result", "call_1=sunny, 21 C"])
        .args([
            "--tool-result",
            &format!("call_2=@{}", result_file.display()),
        ])
        .write_stdin("")
        .assert()
        .success()
        .stdout("Paris is sunny; Oslo has snow.\n");
    mock.assert();
    let saved = jsonl(&path);
    assert_eq!(saved.len(), 5);
    assert_eq!(
        saved[2],
        json!({"role": "tool", "tool_call_id": "call_1", "content": "sunny, 21 C"})
    );
    assert_eq!(saved[4]["role"], "assistant");
}

#[test]
fn tool_result_from_stdin() {
    let sb = Sandbox::new();
    let path = conversation_with_calls(&sb);
    let mut server = mockito::Server::new();
    let mock = server.chat(Matcher::PartialJson(json!({"messages": [{}, {}, {"role": "tool", "tool_call_id": "call_1", "content": "from stdin\n"}]})), "ok", 1);
    sb.cmd(&base(&server))
        .args([
            "--chat",
            path.to_str().unwrap(),
            "--tool-result",
            "call_1=@-",
        ])
        .write_stdin("from stdin\n")
        .assert()
        .success();
    mock.assert();
}

#[test]
fn tool_result_for_an_unknown_call_or_without_a_conversation_is_refused() {
    let sb = Sandbox::new();
    let path = conversation_with_calls(&sb);
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args([
            "--chat",
            path.to_str().unwrap(),
            "--tool-result",
            "call_9=x",
        ])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 2);
    let err = stderr_of(&out);
    assert!(
        err.contains("call_9") && err.contains("call_1, call_2"),
        "{err}"
    );

    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args(["--tool-result", "call_1=x"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 2);
    assert!(stderr_of(&out).contains("needs -c or --chat"));
}

#[test]
fn schema_becomes_a_strict_response_format() {
    let sb = Sandbox::new();
    let schema =
        json!({"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]});
    let file = sb.path("schema.json");
    std::fs::write(&file, schema.to_string()).unwrap();
    let wrapped = json!({"name": "numbers", "schema": schema});
    for (arg, sent) in [
        (
            schema.to_string(),
            json!({"name": "response", "schema": schema, "strict": true}),
        ),
        (
            file.to_str().unwrap().to_string(),
            json!({"name": "response", "schema": schema, "strict": true}),
        ),
        (wrapped.to_string(), wrapped.clone()),
    ] {
        let mut server = mockito::Server::new();
        let mock = server.chat(
            Matcher::PartialJson(
                json!({"response_format": {"type": "json_schema", "json_schema": sent}}),
            ),
            "{\"n\":1}",
            1,
        );
        sb.run(&base(&server), ["--schema", &arg, "q"])
            .success()
            .stdout("{\"n\":1}\n");
        mock.assert();
    }
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args(["--schema", "{broken", "q"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 2);
}

/// A valid 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

#[test]
fn attachments_become_image_parts() {
    let sb = Sandbox::new();
    let png = sb.path("dot.png");
    std::fs::write(&png, PNG).unwrap();
    let data_url = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGMAAQAABQABDQottAAAAABJRU5ErkJggg==";
    let mut server = mockito::Server::new();
    let mock = server.chat(
        Matcher::PartialJson(json!({"messages": [{"role": "user", "content": [
            {"type": "text", "text": "what is this?"},
            {"type": "image_url", "image_url": {"url": data_url}},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}}
        ]}]})),
        "a dot",
        1,
    );
    sb.run(
        &base(&server),
        [
            "-a",
            png.to_str().unwrap(),
            "--attach",
            "https://example.com/cat.jpg",
            "what is this?",
        ],
    )
    .success();
    mock.assert();

    let text = sb.path("notes.txt");
    std::fs::write(&text, "hello").unwrap();
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args(["-a", text.to_str().unwrap(), "q"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 2);
    assert!(stderr_of(&out).contains("notes.txt is not a PNG, JPEG, GIF or WebP"));
}

/// One SSE event whose delta carries these tool-call fragments.
fn call_event(calls: Value) -> String {
    format!(
        "data: {}\n\n",
        json!({"choices": [{"index": 0, "delta": {"tool_calls": calls}}]})
    )
}

/// Streams `body` to mume with tools in the request; returns the output and the saved lines.
fn stream_calls(body: &str, extra: &[&str]) -> (std::process::Output, Vec<Value>) {
    let mut server = mockito::Server::new();
    server
        .mock("POST", "/v1/chat/completions")
        .with_header("content-type", "text/event-stream")
        .with_body(body)
        .create();
    let sb = Sandbox::new();
    let chat = sb.path("c.jsonl");
    let out = sb
        .cmd(&base(&server))
        .args(["--stream", "--chat", chat.to_str().unwrap()])
        .args(extra)
        .arg("q")
        .write_stdin("")
        .output()
        .unwrap();
    let saved = if chat.exists() {
        jsonl(&chat)
    } else {
        Vec::new()
    };
    (out, saved)
}

#[test]
fn parallel_calls_without_index_are_told_apart_by_id() {
    // Fails before this change: the two calls were merged into one whose arguments were two
    // JSON objects glued together.
    let body = [
        call_event(json!([{"id": "a", "type": "function", "function": {"name": "f", "arguments": "{\"x\":1}"}}])),
        call_event(json!([{"id": "b", "type": "function", "function": {"name": "g", "arguments": "{\"y\":"}}])),
        call_event(json!([{"function": {"arguments": "2}"}}])),
        finish("tool_calls"),
        "data: [DONE]\n\n".to_string(),
    ]
    .concat();
    let sb = Sandbox::new();
    let (out, saved) = stream_calls(&body, &["--tools", &tools_file(&sb)]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stdout_of(&out),
        "{\"id\":\"a\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"x\\\":1}\"}}\n\
         {\"id\":\"b\",\"type\":\"function\",\"function\":{\"name\":\"g\",\"arguments\":\"{\\\"y\\\":2}\"}}\n"
    );
    assert_eq!(saved[1]["tool_calls"].as_array().unwrap().len(), 2);
}

#[test]
fn only_calls_that_arrived_exist_whatever_their_indexes() {
    // Fails before this change: indexes 0 and 2 gave a phantom call with an empty id and
    // name, and an index of 5,000,000 printed and saved millions of empty calls.
    let body = [
        call_event(json!([{"index": 0, "id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}}])),
        call_event(json!([{"index": 2, "id": "b", "type": "function", "function": {"name": "g", "arguments": "{}"}}])),
        call_event(json!([{"index": 5_000_000, "id": "c", "type": "function", "function": {"name": "h", "arguments": "{}"}}])),
        call_event(json!([{"index": 4_000_000_000u64, "id": "d", "type": "function", "function": {"name": "k", "arguments": "{}"}}])),
        finish("tool_calls"),
        "data: [DONE]\n\n".to_string(),
    ]
    .concat();
    let sb = Sandbox::new();
    let (out, saved) = stream_calls(&body, &["--tools", &tools_file(&sb)]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let ids: Vec<String> = stdout_of(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids, ["a", "b", "c", "d"]);
    assert_eq!(saved[1]["tool_calls"].as_array().unwrap().len(), 4);
}

#[test]
fn an_empty_call_id_is_a_usage_error() {
    // Fails before this change: `--tool-result =x` was accepted for a phantom call's empty id.
    let sb = Sandbox::new();
    let path = sb.path("loop.jsonl");
    let lines = [
        json!({"role": "user", "content": "q"}),
        json!({"role": "assistant", "tool_calls": [
            {"id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}},
            {"id": "", "type": "function", "function": {"name": "", "arguments": ""}}
        ]}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, text).unwrap();
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args(["--chat", path.to_str().unwrap(), "--tool-result", "=x"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 2);
    assert!(
        stderr_of(&out).contains("the CALL_ID is empty"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn tools_from_any_source_hold_the_text_back() {
    // Fails before this change: tools given with -o or the config's [options] streamed the
    // text to stdout, mixed with the calls.
    let body = [
        delta("Let me check."),
        call_event(json!([{"index": 0, "id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}}])),
        finish("tool_calls"),
        "data: [DONE]\n\n".to_string(),
    ]
    .concat();
    let tools = r#"[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]"#;
    let call =
        "{\"id\":\"a\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}\n";
    let option = format!("tools={tools}");
    let (out, _) = stream_calls(&body, &["-o", &option]);
    assert_eq!(stdout_of(&out), call);
    assert_eq!(stderr_of(&out), "Let me check.\n");
}

#[test]
fn arguments_sent_as_an_object_are_printed_as_the_api_defines_them() {
    // Fails before this change: an answer whose call arguments were a JSON object instead
    // of a string was refused as "not a chat completion" (76).
    let body = json!({
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": null,
            "tool_calls": [{"id": "a", "type": "function", "function": {"name": "f", "arguments": {"x": 1}}}]}}]
    });
    let mut server = mockito::Server::new();
    server
        .mock("POST", "/v1/chat/completions")
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
        .create();
    let sb = Sandbox::new();
    let out = sb
        .cmd(&base(&server))
        .args(["--tools", &tools_file(&sb), "q"])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stdout_of(&out),
        "{\"id\":\"a\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"x\\\":1}\"}}\n"
    );
}

#[test]
fn interleaved_calls_without_index_join_their_own_call() {
    // Fails before this change: a fragment of the first call after the second call began
    // made a third, broken call.
    let body = [
        call_event(json!([{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\"a\":"}}])),
        call_event(json!([{"id": "c2", "type": "function", "function": {"name": "g", "arguments": "{}"}}])),
        call_event(json!([{"id": "c1", "function": {"arguments": "1}"}}])),
        finish("tool_calls"),
        "data: [DONE]\n\n".to_string(),
    ]
    .concat();
    let sb = Sandbox::new();
    let (out, _) = stream_calls(&body, &["--tools", &tools_file(&sb)]);
    let calls: Vec<Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(calls.len(), 2, "{}", stdout_of(&out));
    assert_eq!(calls[0]["function"]["arguments"], "{\"a\":1}");
}

#[test]
fn a_call_id_with_an_equals_sign_can_be_answered() {
    // Fails before this change: `--tool-result a=b=x` was read as the id `a`.
    let sb = Sandbox::new();
    let path = sb.path("eq.jsonl");
    let lines = [
        json!({"role": "user", "content": "q"}),
        json!({"role": "assistant", "tool_calls": [{"id": "a=b", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}),
    ];
    std::fs::write(
        &path,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();
    let mut server = mockito::Server::new();
    let mock = server.chat(
        Matcher::PartialJson(json!({"messages": [lines[0], lines[1], {"role": "tool", "tool_call_id": "a=b", "content": "x=1"}]})),
        "done",
        1,
    );
    sb.run(
        &base(&server),
        ["--chat", path.to_str().unwrap(), "--tool-result", "a=b=x=1"],
    )
    .success();
    mock.assert();
}
