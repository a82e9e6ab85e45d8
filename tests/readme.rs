//! The README's tool loop, run as written with bash and jq against a scripted server.

mod common;

use common::scripted::{Scripted, http};
use common::*;
use serde_json::json;

/// The text of the fenced block that follows `heading` in the README.
fn readme_block(heading: &str) -> String {
    let readme = include_str!("../README.md");
    let after = &readme[readme.find(heading).expect("heading in README")..];
    let body = &after[after.find("```").unwrap()..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("```").unwrap()].to_string()
}

#[test]
fn the_readme_tool_loop_works() {
    let calls = json!([
        {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}},
        {"id": "call_2", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"}}
    ]);
    let first = json!({"choices": [{"message": {"role": "assistant", "content": null, "tool_calls": calls}, "finish_reason": "tool_calls"}]});
    let json = [("content-type", "application/json")];
    let server = Scripted::start(vec![
        http("200 OK", &json, &first.to_string()),
        http("200 OK", &json, &completion("Paris: sunny. Oslo: snow.")),
    ]);
    let sb = Sandbox::new();
    std::fs::write(sb.path("tools.json"), readme_block("`tools.json`:")).unwrap();
    std::fs::write(
        sb.path("weather.sh"),
        "#!/bin/sh\ncase \"$1\" in Paris) echo sunny;; *) echo snow;; esac\n",
    )
    .unwrap();
    let script = format!(
        "chmod +x weather.sh\n{}",
        readme_block("A whole tool loop in a script:")
    );
    let out = sb.script(&server.url, &script).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "Paris: sunny. Oslo: snow.\n");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests[1].contains(r#"{"role":"tool","tool_call_id":"call_1","content":"sunny"}"#),
        "{}",
        requests[1]
    );
    assert!(
        requests[1].contains(r#"{"role":"tool","tool_call_id":"call_2","content":"snow"}"#),
        "{}",
        requests[1]
    );
}
