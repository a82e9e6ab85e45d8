//! Answers drawn as Markdown (`--render`, `MUME_RENDER`, `render`), and what never is.

use std::io::Read;
use std::time::{Duration, Instant};

use crate::common::server::{Server, send, sleep_ms, sse_head};
use crate::common::*;
use serde_json::json;

const MARKDOWN: &str = "# Title\n\nSome **bold** and `code`.\n";
const DRAWN: &str =
    "\x1b[1;4;35mTitle\x1b[0m\n\nSome \x1b[1mbold\x1b[0m and \x1b[36mcode\x1b[0m.\n";

fn run(sb: &Sandbox, server: &mockito::Server, args: &[&str]) -> std::process::Output {
    sb.cmd(&base(server))
        .args(args)
        .write_stdin("")
        .output()
        .unwrap()
}

#[test]
fn always_draws_into_a_pipe_and_auto_or_never_leave_the_bytes_alone() {
    let sb = Sandbox::new();
    let mut server = mockito::Server::new();
    answer(&mut server, MARKDOWN);
    for (args, want) in [
        (&["--render", "always", "q"][..], DRAWN),
        (&["--render", "auto", "q"], MARKDOWN),
        (&["--render", "never", "q"], MARKDOWN),
        (&["q"], MARKDOWN),
    ] {
        let out = run(&sb, &server, args);
        assert_eq!(stdout_of(&out), want, "{args:?}");
    }
    // A stream is drawn the same, piece by piece: each piece leaves no look on.
    let mut server = mockito::Server::new();
    answer_stream(
        &mut server,
        &["# Ti", "tle\n\nSome **bo", "ld** and `co", "de`.\n"],
    );
    let out = run(&sb, &server, &["--stream", "--render", "always", "q"]);
    assert_eq!(
        stdout_of(&out),
        DRAWN.replace("Title", "Ti\x1b[0m\x1b[1;4;35mtle")
    );
    let out = run(&sb, &server, &["--stream", "q"]);
    assert_eq!(stdout_of(&out), MARKDOWN);
    // The conversation keeps the text as it came.
    let saved = jsonl(&sb.saved()[0]);
    assert_eq!(saved.last().unwrap()["content"], MARKDOWN);
}

#[test]
fn the_choice_comes_from_the_environment_or_the_config_and_a_bad_one_is_refused() {
    let sb = Sandbox::new();
    let mut server = mockito::Server::new();
    answer(&mut server, MARKDOWN);
    let with_env = |value: &str| {
        sb.cmd(&base(&server))
            .env("MUME_RENDER", value)
            .args(["q"])
            .output()
            .unwrap()
    };
    assert_eq!(stdout_of(&with_env("always")), DRAWN);
    assert_eq!(stdout_of(&with_env("never")), MARKDOWN);
    let bad = with_env("sometimes");
    exits(&bad, 78);
    assert!(
        error_line(&bad).contains("MUME_RENDER"),
        "{}",
        error_line(&bad)
    );

    sb.config("render = \"always\"\n");
    assert_eq!(stdout_of(&run(&sb, &server, &["q"])), DRAWN);
    // The flag wins over the config.
    assert_eq!(
        stdout_of(&run(&sb, &server, &["--render", "never", "q"])),
        MARKDOWN
    );
    let config = stdout_of(&run(&sb, &server, &["config", "--json"]));
    let render = config
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|row| row["name"] == "render")
        .unwrap_or_else(|| panic!("no render row in {config}"));
    assert_eq!(render["value"], "always");
    assert!(
        render["source"].as_str().unwrap().starts_with("file"),
        "{render}"
    );
}

#[test]
fn json_extracts_tool_calls_and_dry_runs_are_never_drawn() {
    let sb = Sandbox::new();
    let mut server = mockito::Server::new();
    let text = "**a**\n```sh\nls\n```\n";
    answer(&mut server, text);
    let out = run(&sb, &server, &["--render", "always", "-x", "q"]);
    assert_eq!(stdout_of(&out), "ls\n");
    let out = run(&sb, &server, &["--render", "always", "--json", "q"]);
    assert!(!stdout_of(&out).contains('\x1b'));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout_of(&out)).unwrap()["choices"][0]["message"]
            ["content"],
        text
    );
    let out = run(&sb, &server, &["--render", "always", "--dry-run", "**q**"]);
    assert!(!stdout_of(&out).contains('\x1b'));

    let mut server = mockito::Server::new();
    let call = json!({"choices": [{"message": {"content": null, "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\"a\":\"**b**\"}"}}
    ]}, "finish_reason": "tool_calls"}]});
    server
        .mock("POST", "/v1/chat/completions")
        .with_header("content-type", "application/json")
        .with_body(call.to_string())
        .create();
    let out = run(
        &sb,
        &server,
        &[
            "--render",
            "always",
            "-o",
            "tools=[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]",
            "q",
        ],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(!stdout_of(&out).contains('\x1b'));
    assert!(stdout_of(&out).contains("**b**"));
}

#[test]
fn a_server_s_escape_sequences_never_reach_a_drawn_stdout() {
    let sb = Sandbox::new();
    let mut server = mockito::Server::new();
    answer(&mut server, "a \x1b]0;owned\x07 **b\x1b[2J** c");
    let out = run(&sb, &server, &["--render", "always", "q"]);
    let shown = stdout_of(&out);
    assert!(!shown.contains("\x1b]") && !shown.contains("\x1b[2J") && !shown.contains('\x07'));
    assert!(shown.contains(r"\u{1b}]0;owned"), "{shown:?}");
}

/// mume under a pseudo-terminal (`script`), its screen read as it comes.
fn on_a_terminal(sb: &Sandbox, url: &str, env: &str, args: &str) -> std::process::Child {
    let script = format!("{env} mume --no-save {args}");
    sb.script(url, &format!("script -qec '{script}' /dev/null"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

fn screen(child: std::process::Child) -> String {
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_terminal_gets_the_drawing_unless_no_color_or_a_dumb_terminal() {
    let sb = Sandbox::new();
    let mut server = mockito::Server::new();
    answer(&mut server, MARKDOWN);
    let url = base(&server);
    let drawn = screen(on_a_terminal(&sb, &url, "NO_COLOR=", "q"));
    assert!(drawn.contains("\x1b[1;4;35mTitle\x1b[0m"), "{drawn:?}");
    let plain = screen(on_a_terminal(&sb, &url, "NO_COLOR=1", "q"));
    assert!(
        plain.contains("# Title") && !plain.contains('\x1b'),
        "{plain:?}"
    );
    let dumb = screen(on_a_terminal(&sb, &url, "NO_COLOR= TERM=dumb", "q"));
    assert!(
        dumb.contains("# Title") && !dumb.contains('\x1b'),
        "{dumb:?}"
    );
    let asked = screen(on_a_terminal(&sb, &url, "NO_COLOR=1", "--render always q"));
    assert!(asked.contains("\x1b[1;4;35mTitle"), "{asked:?}");
}

#[test]
fn a_terminal_sees_each_token_as_it_arrives() {
    let sb = Sandbox::new();
    let server = Server::scripted(vec![vec![
        sse_head(),
        send(&delta("## Head\n\nfirst **span")),
        sleep_ms(1500),
        send(&delta("** done\n")),
        send("data: [DONE]\n\n"),
    ]]);
    let started = Instant::now();
    let mut child = on_a_terminal(&sb, &server.url, "NO_COLOR=", "--stream q");
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0; 256];
    // The heading and the text before the open span arrive before the server goes on.
    while !String::from_utf8_lossy(&seen).contains("first ") {
        let n = stdout.read(&mut buf).unwrap();
        assert!(
            n > 0,
            "ended before the first text: {:?}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
    }
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    let early = String::from_utf8_lossy(&seen).into_owned();
    assert!(early.contains("\x1b[1;35mHead\x1b[0m"), "{early:?}");
    // The span is held until it closes.
    assert!(!early.contains("span"), "{early:?}");
    stdout.read_to_end(&mut seen).unwrap();
    let all = String::from_utf8_lossy(&seen).into_owned();
    assert!(all.contains("\x1b[1mspan\x1b[0m done"), "{all:?}");
    assert!(child.wait().unwrap().success());
}

#[test]
fn another_renderer_gets_exactly_the_bytes_and_a_failing_one_is_said_once() {
    let sb = Sandbox::new();
    let mut server = mockito::Server::new();
    answer_stream(&mut server, &["# Ti", "tle\n\n**x", "**"]);
    let captured = sb.path("captured.txt");
    sb.config(&format!(
        "render = \"always\"\nrender_command = \"cat > '{}'\"\n",
        captured.display()
    ));
    let out = run(&sb, &server, &["--stream", "q"]);
    exits(&out, 0);
    assert_eq!(stdout_of(&out), "");
    assert_eq!(
        std::fs::read_to_string(&captured).unwrap(),
        "# Title\n\n**x**\n"
    );
    // Where mume would not draw, the program is not started.
    std::fs::remove_file(&captured).unwrap();
    let out = run(&sb, &server, &["--stream", "--render", "never", "q"]);
    assert_eq!(stdout_of(&out), "# Title\n\n**x**\n");
    assert!(!captured.exists());

    for command in ["exit 3", "no-such-renderer-here"] {
        let out = sb
            .cmd(&base(&server))
            .env("MUME_RENDER_COMMAND", command)
            .args(["--stream", "q"])
            .output()
            .unwrap();
        exits(&out, 0);
        let warnings = stderr_of(&out);
        assert_eq!(warnings.matches("render_command").count(), 1, "{warnings}");
        assert!(warnings.contains(command), "{warnings}");
    }
    // The answers were saved as they came, whatever drew them.
    for file in sb.saved() {
        assert_eq!(jsonl(&file).last().unwrap()["content"], "# Title\n\n**x**");
    }
}

#[test]
fn reasoning_inside_the_content_is_taken_out_of_it() {
    let sb = Sandbox::new();
    let mut server = mockito::Server::new();
    answer_stream(
        &mut server,
        &["  <thi", "nk>\nplan it</th", "ink>\n\nThe ", "answer."],
    );
    let out = run(&sb, &server, &["--stream", "q"]);
    exits(&out, 0);
    assert_eq!(stdout_of(&out), "The answer.\n");
    assert_eq!(stderr_of(&out), "");
    let saved = jsonl(&sb.saved()[0]);
    let line = saved.last().unwrap();
    assert_eq!(line["content"], "The answer.");
    assert_eq!(line["reasoning"], "\nplan it");
    // With --reasoning it goes to stderr; with --think keep it stays in the text.
    let out = run(&sb, &server, &["--stream", "--reasoning", "q"]);
    assert_eq!(stdout_of(&out), "The answer.\n");
    assert!(stderr_of(&out).contains("plan it"), "{}", stderr_of(&out));
    let kept = "  <think>\nplan it</think>\n\nThe answer.\n";
    let out = run(&sb, &server, &["--stream", "--think", "keep", "q"]);
    assert_eq!(stdout_of(&out), kept);
    sb.config("think = \"keep\"\n");
    assert_eq!(stdout_of(&run(&sb, &server, &["--stream", "q"])), kept);
}

#[test]
fn a_whole_answer_s_reasoning_too_and_json_shows_the_body_untouched() {
    let sb = Sandbox::new();
    let mut server = mockito::Server::new();
    answer(&mut server, "<think>why</think>Because.");
    let out = run(&sb, &server, &["q"]);
    assert_eq!(stdout_of(&out), "Because.\n");
    let out = run(&sb, &server, &["--json", "q"]);
    assert!(stdout_of(&out).contains("<think>why</think>Because."));
    // Drawn, the reasoning stays off stdout as well.
    let out = run(&sb, &server, &["--render", "always", "q"]);
    assert_eq!(stdout_of(&out), "Because.\n");
}

#[test]
fn reasoning_that_never_closes_leaves_no_content_and_says_so() {
    let sb = Sandbox::new();
    let mut server = mockito::Server::new();
    answer_stream(&mut server, &["<think>on and ", "on"]);
    let out = run(&sb, &server, &["--stream", "q"]);
    exits(&out, 0);
    assert_eq!(stdout_of(&out), "");
    assert!(
        stderr_of(&out).contains("never closed"),
        "{}",
        stderr_of(&out)
    );
    let saved = jsonl(&sb.saved()[0]);
    assert_eq!(saved.last().unwrap()["reasoning"], "on and on");
}

#[test]
fn text_held_by_the_renderer_is_drawn_before_calls_nobody_asked_for() {
    let sb = Sandbox::new();
    let mut server = mockito::Server::new();
    let call = json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "id": "c1", "type": "function",
        "function": {"name": "f", "arguments": "{}"}}]}}]});
    let body = format!(
        "{}data: {call}\n\n{}data: [DONE]\n\n",
        delta("Calling *tool"),
        finish("tool_calls")
    );
    server
        .mock("POST", "/v1/chat/completions")
        .with_header("content-type", "text/event-stream")
        .with_body(body)
        .create();
    let out = run(&sb, &server, &["--stream", "--render", "always", "q"]);
    let shown = stdout_of(&out);
    assert!(shown.starts_with("Calling *tool\n"), "{shown:?}");
    assert!(shown.contains("\"id\":\"c1\""), "{shown:?}");
}

#[test]
fn json_shows_an_unclosed_think_as_it_came_without_a_warning() {
    let sb = Sandbox::new();
    let mut server = mockito::Server::new();
    answer_stream(&mut server, &["<think>on and ", "on"]);
    let out = run(&sb, &server, &["--stream", "--json", "q"]);
    exits(&out, 0);
    assert!(stdout_of(&out).contains("<think>on and "));
    assert_eq!(stderr_of(&out), "");
}

#[test]
fn calls_nobody_asked_for_reach_stdout_not_the_renderer() {
    let sb = Sandbox::new();
    let mut server = mockito::Server::new();
    let call =
        json!({"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}});
    let reply = json!({"choices": [{"message": {"role": "assistant", "content": "Calling.", "tool_calls": [call]}, "finish_reason": "tool_calls"}]});
    server
        .mock("POST", "/v1/chat/completions")
        .with_header("content-type", "application/json")
        .with_body(reply.to_string())
        .create();
    let captured = sb.path("captured.txt");
    sb.config(&format!(
        "render = \"always\"\nrender_command = \"cat > '{}'\"\n",
        captured.display()
    ));
    let out = run(&sb, &server, &["q"]);
    exits(&out, 0);
    assert_eq!(stdout_of(&out), format!("{call}\n"));
    // Text beside calls is a note on stderr, as without a renderer.
    assert_eq!(std::fs::read_to_string(&captured).unwrap(), "");
    assert!(stderr_of(&out).contains("Calling."), "{}", stderr_of(&out));
}

#[test]
fn a_renderer_that_never_ends_cannot_cost_the_answer_or_outlast_max_time() {
    let sb = Sandbox::new();
    let mut server = mockito::Server::new();
    answer_stream(&mut server, &["whole ", "answer"]);
    // The program reads everything, then never ends.
    sb.config("render = \"always\"\nrender_command = \"cat >/dev/null; exec sleep 30\"\n");
    let started = Instant::now();
    let out = run(&sb, &server, &["--stream", "--max-time", "2", "q"]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    exits(&out, 75);
    // Said once; the program mume stopped is no news.
    let said = stderr_of(&out);
    assert_eq!(said.matches("--max-time reached").count(), 1, "{said}");
    assert!(!said.contains("render_command"), "{said}");
    let saved = sb.saved();
    assert_eq!(saved.len(), 1);
    let answer = jsonl(&saved[0]).last().unwrap().clone();
    assert_eq!(answer["content"], "whole answer");
    assert_eq!(
        answer["finish_reason"], "stop",
        "saved as complete: {answer}"
    );
}

#[test]
fn text_shown_as_it_came_on_a_terminal_cannot_act_on_it() {
    let sb = Sandbox::new();
    let mut server = mockito::Server::new();
    let evil = "see \x1b]0;owned\x07 and \x1b[2J done";
    answer(&mut server, evil);
    answer_stream(&mut server, &["see \x1b]0;", "owned\x07 and \x1b[2J done"]);
    let url = base(&server);
    let cases = [
        ("NO_COLOR=1", "q"),
        ("NO_COLOR=1", "--stream q"),
        ("NO_COLOR=1", "-x q"),
        // Where the renderer or render_command would draw but does not: -x.
        ("NO_COLOR=", "-x q"),
        ("NO_COLOR= MUME_RENDER_COMMAND=cat", "-x q"),
    ];
    for (env, args) in cases {
        let shown = screen(on_a_terminal(&sb, &url, env, args));
        assert!(
            !shown.contains("\x1b]") && !shown.contains("\x1b[2J"),
            "{args}: {shown:?}"
        );
        assert!(
            shown.contains(r"see \u{1b}]0;owned\u{7} and"),
            "{args}: {shown:?}"
        );
    }
    // Into a pipe the bytes are the answer's, exactly.
    let out = run(&sb, &server, &["--render", "never", "q"]);
    assert_eq!(stdout_of(&out), format!("{evil}\n"));
}
