//! The README's tool loop, run as written with bash and jq against a scripted server.

use crate::common::server::{Server, http};
use crate::common::*;
use serde_json::json;

/// The text of the fenced block that follows `heading` in the README.
fn readme_block(heading: &str) -> String {
    let readme = include_str!("../../README.md");
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
    let server = Server::scripted(vec![
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

#[test]
fn the_readme_batch_labelling_runs_and_resumes() {
    use crate::common::server::{Answer, Server, prompt};
    use std::sync::atomic::{AtomicBool, Ordering};
    let failed_once = AtomicBool::new(false);
    let server = Server::rows(move |body| {
        let p = prompt(body);
        if p.contains("broke") && !failed_once.swap(true, Ordering::SeqCst) {
            return Answer::status(400, r#"{"error":{"message":"try later"}}"#);
        }
        let label = if p.contains("love") {
            "positive"
        } else {
            "negative"
        };
        Answer::ok(&json!({"label": label}).to_string())
    });
    let sb = Sandbox::new();
    std::fs::write(
        sb.path("reviews.jsonl"),
        [
            json!({"sku": "a-1", "review": "I love it"}),
            json!({"sku": "b-2", "review": "It broke in a day"}),
            json!({"sku": "c-3", "review": "Would love a refund"}),
        ]
        .map(|r| r.to_string() + "\n")
        .concat(),
    )
    .unwrap();
    let script = readme_block("Labelling reviews with a schema, and resuming:");
    let out = sb.script(&server.url, &script).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stdout_of(&out),
        // The row sent again comes after the others.
        "a-1\tpositive\nc-3\tpositive\nb-2\tnegative\n"
    );
    let seen = server.seen();
    assert_eq!(seen.len(), 4, "three rows, and the failed one again");
    let body = &seen[0].body;
    assert_eq!(
        body["response_format"]["json_schema"]["schema"]["required"],
        json!(["label"])
    );
    assert_eq!(
        body["messages"][0]["content"],
        "Classify the sentiment of this product review."
    );
}

#[test]
fn the_readme_role_example_is_a_valid_config() {
    let sb = Sandbox::new();
    sb.config(&readme_block("## Roles and prompt files"));
    let out = sb
        .run("http://127.0.0.1:9/v1", ["roles"])
        .success()
        .get_output()
        .clone();
    let listed = stdout_of(&out);
    let names: Vec<&str> = listed
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(names, ["reviewer", "terse"]);
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args(["-r", "reviewer", "--dry-run"])
        .write_stdin("diff\n")
        .assert()
        .success()
        .get_output()
        .clone();
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["max_completion_tokens"], 2000);
    assert_eq!(
        body["messages"][1]["content"],
        "Review this change:\n\ndiff\n"
    );
}
