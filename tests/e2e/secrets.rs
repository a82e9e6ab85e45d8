//! Secrets never show: the key however a server echoes it or wherever a cut falls, headers
//! that carry credentials, and a password in the base URL; while a short placeholder key
//! does not blank out unrelated text. Through the real binary.

use crate::common::server::{Server, http};
use crate::common::*;

const JSON: (&str, &str) = ("content-type", "application/json");
const TEXT: (&str, &str) = ("content-type", "text/plain");

fn run(sb: &Sandbox, url: &str, env: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let mut cmd = sb.cmd(url);
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd.args(args).write_stdin("").output().unwrap()
}

fn everything(out: &std::process::Output) -> String {
    format!("{}{}", stdout_of(out), stderr_of(out))
}

/// Text of `n` characters without the key's characters, to push an echo to the cut.
fn filler(n: usize) -> String {
    "x".repeat(n)
}

// Item 7: redaction happens before text is folded or cut.

#[test]
fn a_text_body_echoing_the_key_across_the_cut_shows_none_of_it() {
    let body = format!("{} {KEY} is not a valid key", filler(180));
    let server = Server::scripted(vec![http("401 Unauthorized", &[TEXT], &body)]);
    let out = run(&Sandbox::new(), &server.url, &[], &["q"]);
    exits(&out, 77);
    let all = everything(&out);
    assert!(
        !all.contains("sk-test-0123"),
        "part of the key leaked: {all}"
    );
    assert!(all.contains("[redac"), "{all}");
}

#[test]
fn openrouter_raw_metadata_echoing_the_key_across_the_cut_shows_none_of_it() {
    let raw = format!("{} {KEY} rejected", filler(180));
    let body = serde_json::json!({"error": {"code": 400, "message": "Provider returned error",
        "metadata": {"raw": raw, "provider_name": "P"}}})
    .to_string();
    let server = Server::scripted(vec![http("400 Bad Request", &[JSON], &body)]);
    let out = run(&Sandbox::new(), &server.url, &[], &["q"]);
    exits(&out, 64);
    let all = everything(&out);
    assert!(all.contains("Provider returned error"), "{all}");
    assert!(
        !all.contains("sk-test-0123"),
        "part of the key leaked: {all}"
    );
}

#[test]
fn a_key_with_a_tab_is_redacted_before_whitespace_is_folded() {
    let key = "sk-tab\t0123456789abcdef";
    for (body, headers) in [
        (format!("wrong key: {key}"), TEXT),
        (
            serde_json::json!({"error": {"message": format!("wrong key: {key}")}}).to_string(),
            JSON,
        ),
    ] {
        let server = Server::scripted(vec![http("401 Unauthorized", &[headers], &body)]);
        let out = run(
            &Sandbox::new(),
            &server.url,
            &[("MUME_API_KEY", key)],
            &["q"],
        );
        exits(&out, 77);
        let all = everything(&out);
        assert!(all.contains("wrong key: [redacted]"), "{all}");
        assert!(!all.contains("0123456789abcdef"), "the key leaked: {all}");
    }
}

#[test]
fn a_key_the_server_cut_short_is_still_redacted() {
    let body = r#"{"error":{"message":"Incorrect API key provided: sk-test-0123456789…"}}"#;
    let server = Server::scripted(vec![http("401 Unauthorized", &[JSON], body)]);
    let out = run(&Sandbox::new(), &server.url, &[], &["q"]);
    let all = everything(&out);
    assert!(
        all.contains("Incorrect API key provided: [redacted]…"),
        "{all}"
    );
    assert!(!all.contains("0123456789"), "part of the key leaked: {all}");
}

// Item 8: headers that carry credentials, or the key, are shown as [redacted] everywhere.

const CREDENTIAL_HEADERS: [&str; 5] = [
    "api-key: sk-test-0123456789abcdef",
    "X-Api-Key: other-secret-value-1",
    "Cookie: session=cookie-secret-2",
    "X-Auth-Token: token-secret-3",
    "X-Custom: Bearer sk-test-0123456789abcdef",
];
const HEADER_SECRETS: [&str; 4] = [
    "0123456789abcdef",
    "other-secret-value-1",
    "cookie-secret-2",
    "token-secret-3",
];

#[test]
fn dry_run_verbose_shows_no_credential_header() {
    let mut args = vec!["--dry-run", "-v", "-H", "X-Title: mume"];
    for h in CREDENTIAL_HEADERS {
        args.extend(["-H", h]);
    }
    args.push("hi");
    let out = run(&Sandbox::new(), "https://api.example.com/v1", &[], &args);
    assert!(out.status.success());
    let err = stderr_of(&out);
    for secret in HEADER_SECRETS {
        assert!(!err.contains(secret), "{secret} leaked: {err}");
    }
    for name in ["api-key", "X-Api-Key", "Cookie", "X-Auth-Token", "X-Custom"] {
        assert!(err.contains(&format!("> {name}: [redacted]\n")), "{err}");
    }
    assert!(err.contains("> X-Title: mume\n"), "{err}");
}

#[test]
fn config_shows_no_credential_header() {
    let sb = Sandbox::new();
    sb.config(
        "[headers]\n\"api-key\" = \"sk-test-0123456789abcdef\"\n\"X-Api-Key\" = \"other-secret-value-1\"\n\"X-Title\" = \"mume\"\n",
    );
    let args = ["-H", "X-Auth-Token: token-secret-3", "config"];
    for json in [false, true] {
        let mut args = args.to_vec();
        if json {
            args.push("--json");
        }
        let out = run(&sb, "https://api.example.com/v1", &[], &args);
        assert!(out.status.success(), "{}", stderr_of(&out));
        let all = everything(&out);
        for secret in HEADER_SECRETS {
            assert!(!all.contains(secret), "{secret} leaked: {all}");
        }
        assert_eq!(all.matches("[redacted]").count(), 3, "{all}");
        assert!(all.contains("header.X-Title"), "{all}");
        assert!(stdout_of(&out).contains("mume"), "{all}");
    }
}

#[test]
fn verbose_response_trace_shows_no_cookie_or_echoed_key() {
    let headers = [
        JSON,
        ("set-cookie", "session=cookie-secret-2; HttpOnly"),
        ("x-echo", KEY),
        ("x-request-id", "req_7"),
    ];
    let server = Server::scripted(vec![http("200 OK", &headers, &completion("hi"))]);
    let out = run(
        &Sandbox::new(),
        &server.url,
        &[],
        &["-v", "-H", "X-Api-Key: other-secret-value-1", "q"],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    for secret in HEADER_SECRETS {
        assert!(!err.contains(secret), "{secret} leaked: {err}");
    }
    assert!(err.contains("< set-cookie: [redacted]\n"), "{err}");
    assert!(err.contains("< x-echo: [redacted]\n"), "{err}");
    assert!(err.contains("< x-request-id: req_7\n"), "{err}");
    assert!(err.contains("> X-Api-Key: [redacted]\n"), "{err}");
}

// Item 9: a short placeholder key is not searched for in free text.

#[test]
fn a_short_placeholder_key_does_not_blank_out_other_text() {
    for key in ["1", "ollama", "EMPTY"] {
        let body = "no model ollama/llama3 at http://127.0.0.1:11434 (EMPTY), try HTTP/1.1";
        let server = Server::scripted(vec![http(
            "404 Not Found",
            &[JSON],
            &format!(r#"{{"error":{{"message":"{body}"}}}}"#),
        )]);
        let out = run(
            &Sandbox::new(),
            &server.url,
            &[("MUME_API_KEY", key)],
            &["-v", "q"],
        );
        exits(&out, 64);
        let err = stderr_of(&out);
        assert!(
            err.contains(&format!("mume: error: HTTP 404 Not Found: {body}\n")),
            "key {key}: {err}"
        );
        assert!(err.contains("< HTTP/1.1 404 Not Found"), "key {key}: {err}");
        assert!(err.contains("> authorization: Bearer [redacted]"), "{err}");
    }
}

#[test]
fn a_short_key_is_still_never_shown_in_a_header() {
    let out = run(
        &Sandbox::new(),
        "https://api.example.com/v1",
        &[("MUME_API_KEY", "ollama")],
        &[
            "--dry-run",
            "-v",
            "-H",
            "X-Custom: ollama",
            "-H",
            "X-Title: 1",
            "hi",
        ],
    );
    assert!(out.status.success());
    let err = stderr_of(&out);
    assert!(err.contains("> X-Custom: [redacted]\n"), "{err}");
    assert!(err.contains("> X-Title: 1\n"), "{err}");
}

// Item 10: a password in the base URL never shows.

const PASSWORD: &str = "hunter2-url-secret";

#[test]
fn a_password_in_the_base_url_never_shows() {
    let sb = Sandbox::new();
    let check = |out: &std::process::Output, what: &str| {
        let all = everything(out);
        assert!(
            !all.contains(PASSWORD),
            "{what}: the password leaked: {all}"
        );
        assert!(all.contains("[redacted]@"), "{what}: {all}");
    };
    let remote = format!("https://user:{PASSWORD}@api.example.com/v1");
    let out = run(&sb, &remote, &[], &["config"]);
    check(&out, "config");
    let out = run(&sb, &remote, &[], &["config", "--json"]);
    check(&out, "config --json");
    let out = run(&sb, &remote, &[], &["--dry-run", "-v", "hi"]);
    check(&out, "--dry-run -v");
    let out = run(&sb, &format!("{remote}/chat/completions"), &[], &["hi"]);
    exits(&out, 78);
    check(&out, "bad base URL");
    let out = run(&sb, &remote, &[("MUME_API_KEY", "")], &["hi"]);
    exits(&out, 77);
    check(&out, "no key");

    // Nothing listens on port 1: the connection error names the URL.
    let refused = format!("http://user:{PASSWORD}@127.0.0.1:1/v1");
    let out = run(&sb, &refused, &[], &["--retries", "0", "-v", "hi"]);
    exits(&out, 75);
    check(&out, "connection refused");
}

#[test]
fn a_password_in_a_plain_http_base_url_is_not_in_the_warning_or_the_trace() {
    // The scripted server stands in for a proxy, so a remote host needs no network.
    let proxy = Server::scripted(vec![http("200 OK", &[JSON], &completion("hi"))]);
    let proxy_url = proxy.url.trim_end_matches("/v1").to_string();
    let remote = format!("http://user:{PASSWORD}@api.example.com/v1");
    let out = run(
        &Sandbox::new(),
        &remote,
        &[("HTTP_PROXY", &proxy_url), ("http_proxy", &proxy_url)],
        &["-v", "hi"],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "hi\n");
    let err = stderr_of(&out);
    assert!(!err.contains(PASSWORD), "the password leaked: {err}");
    assert!(
        err.contains(
            "warning: sending the API key over plain HTTP to http://[redacted]@api.example.com/v1"
        ),
        "{err}"
    );
    assert!(
        err.contains("> POST http://[redacted]@api.example.com/v1/chat/completions"),
        "{err}"
    );
}

// Found by a hostile test of the above: each fails before the change that adds it.

/// No run of ten characters of the key anywhere in what mume printed.
fn shows_no_part_of_the_key(all: &str) {
    let key: Vec<char> = KEY.chars().collect();
    let folded: String = all.split_whitespace().collect();
    for window in key.windows(10) {
        let run: String = window.iter().collect();
        assert!(!folded.contains(&run), "`{run}` of the key shows in: {all}");
    }
}

#[test]
fn a_key_split_across_streamed_reasoning_pieces_never_shows() {
    let (a, b) = KEY.split_at(9);
    let piece = |text: &str| {
        format!(
            "data: {}\n\n",
            serde_json::json!({"choices": [{"index": 0, "delta": {"reasoning": text}}]})
        )
    };
    let body = [
        piece(&format!("I see the key {a}")),
        piece(&format!("{b} and also {}", &KEY[..14])),
        piece(&format!("{} again.\n", &KEY[14..])),
        stream(&["done"]),
    ]
    .concat();
    let server = Server::scripted(vec![http(
        "200 OK",
        &[("content-type", "text/event-stream")],
        &body,
    )]);
    let out = run(
        &Sandbox::new(),
        &server.url,
        &[],
        &["--stream", "--reasoning", "q"],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "done\n");
    assert_eq!(
        stderr_of(&out),
        "I see the key [redacted] and also [redacted] again.\n"
    );
}

#[test]
fn a_key_wrapped_across_lines_or_cut_and_followed_by_text_never_shows() {
    let wrapped = format!("bad key {}\r\n{} here", &KEY[..12], &KEY[12..]);
    let cut = format!(
        r#"{{"error":{{"message":"Incorrect API key provided: '{}'"}}}}"#,
        &KEY[..16]
    );
    for (body, kind) in [(wrapped.as_str(), TEXT), (cut.as_str(), JSON)] {
        let server = Server::scripted(vec![http(
            "401 Unauthorized",
            &[kind, ("x-echo", &KEY[..16])],
            body,
        )]);
        let out = run(&Sandbox::new(), &server.url, &[], &["-v", "q"]);
        exits(&out, 77);
        shows_no_part_of_the_key(&everything(&out));
    }
}

#[test]
fn a_key_in_an_error_inside_a_stream_or_a_200_body_is_redacted_before_the_cut() {
    let error = serde_json::json!({"error": {"code": 502, "message": "upstream failed",
        "metadata": {"raw": format!("{}{KEY}", filler(190)), "provider_name": "P"}}});
    let streamed = format!("data: {error}\n\n");
    for (kind, body) in [
        ("text/event-stream", streamed),
        ("application/json", error.to_string()),
    ] {
        let server = Server::scripted(vec![http("200 OK", &[("content-type", kind)], &body)]);
        let out = run(&Sandbox::new(), &server.url, &[], &["--retries", "0", "q"]);
        exits(&out, 75);
        let all = everything(&out);
        assert!(all.contains("upstream failed"), "{all}");
        assert!(!all.contains("sk-test-01"), "{all}");
    }
}

#[test]
fn models_and_config_json_never_show_the_key() {
    let body = format!(r#"{{"data":[{{"id":"model-{KEY}"}}]}}"#);
    let server = Server::scripted(vec![http("200 OK", &[JSON], &body)]);
    let sb = Sandbox::new();
    let out = run(&sb, &server.url, &[], &["models"]);
    assert_eq!(stdout_of(&out), "model-[redacted]\n");

    sb.config(&format!(
        "system = \"my key is {KEY}\"\n[options]\nuser = \"{KEY}\"\n"
    ));
    let out = run(&sb, &server.url, &[], &["config", "--json"]);
    assert!(out.status.success());
    assert!(
        !stdout_of(&out).contains("sk-test-01"),
        "{}",
        stdout_of(&out)
    );
    for line in stdout_of(&out).lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
}

#[test]
fn errors_before_the_key_is_used_do_not_show_it() {
    let sb = Sandbox::new();
    sb.config(&format!("headers = \"Authorization: Bearer {KEY}\"\n"));
    let out = run(&sb, "http://127.0.0.1:9/v1", &[], &["q"]);
    exits(&out, 78);
    assert!(
        !stderr_of(&out).contains("sk-test-01"),
        "{}",
        stderr_of(&out)
    );

    let sb = Sandbox::new();
    let out = run(
        &sb,
        "http://127.0.0.1:9/v1",
        &[],
        &["-o", &format!("temperature={KEY}"), "q"],
    );
    exits(&out, 2);
    assert!(
        !stderr_of(&out).contains("sk-test-01"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn a_short_url_password_echoed_with_its_user_never_shows() {
    let server = Server::scripted(vec![http(
        "401 Unauthorized",
        &[TEXT],
        "bad credentials for bob:hunter2",
    )]);
    let url = server.url.replacen("http://", "http://bob:hunter2@", 1);
    let out = run(&Sandbox::new(), &url, &[], &["-v", "q"]);
    exits(&out, 77);
    assert!(
        !everything(&out).contains("hunter2"),
        "{}",
        everything(&out)
    );

    let odd = server.url.replacen("http://", "http:/bob:hunter2@", 1);
    let out = run(&Sandbox::new(), &odd, &[], &["config"]);
    assert!(
        !everything(&out).contains("hunter2"),
        "{}",
        everything(&out)
    );
}

#[test]
fn a_key_with_a_line_break_is_a_configuration_error_not_an_empty_header() {
    let server = Server::scripted(vec![http("200 OK", &[JSON], &completion("x"))]);
    let out = run(
        &Sandbox::new(),
        &server.url,
        &[("MUME_API_KEY", &format!("{KEY}\r"))],
        &["q"],
    );
    exits(&out, 78);
    assert!(stderr_of(&out).contains("holds a character a header cannot carry"));
    assert_eq!(server.count(), 0);
}
