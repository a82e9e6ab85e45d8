//! The request mume sends: body fields, headers, endpoint, key and configuration.

use crate::common::*;
use mockito::Matcher;
use serde_json::json;

fn expect_body(server: &mut mockito::Server, body: serde_json::Value) -> mockito::Mock {
    server.chat(Matcher::Json(body), "ok", 1)
}

fn user(text: &str) -> serde_json::Value {
    json!([{"role": "user", "content": text}])
}

#[test]
fn unset_fields_are_not_sent() {
    let mut server = mockito::Server::new();
    let mock = expect_body(
        &mut server,
        json!({"model": "openai/gpt-4.1-mini", "messages": user("hi")}),
    );
    Sandbox::new()
        .cmd(&base(&server))
        .arg("hi")
        .write_stdin("")
        .assert()
        .success();
    mock.assert();
}

#[test]
fn every_request_flag_reaches_the_body() {
    let mut server = mockito::Server::new();
    let mock = expect_body(
        &mut server,
        json!({
            "model": "x/y",
            "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}],
            "temperature": 0.5,
            "top_p": 0.9,
            "max_tokens": 100,
            "stop": ["END", "STOP"],
            "seed": 7,
            "top_k": 40,
            "logit_bias": {"50256": -100},
            "user": "someone"
        }),
    );
    Sandbox::new()
        .cmd(&base(&server))
        .args(["-m", "x/y", "-s", "be brief", "-t", "0.5", "--top-p", "0.9"])
        .args([
            "--max-tokens",
            "100",
            "--stop",
            "END",
            "--stop",
            "STOP",
            "--seed",
            "7",
        ])
        .args([
            "-o",
            "top_k=40",
            "-o",
            "logit_bias={\"50256\":-100}",
            "-o",
            "user=someone",
        ])
        .arg("hi")
        .write_stdin("")
        .assert()
        .success();
    mock.assert();
}

#[test]
fn temperature_is_checked_locally() {
    let mut server = mockito::Server::new();
    let mock = answer(&mut server, "x").expect(0);
    let out = Sandbox::new()
        .cmd(&base(&server))
        .args(["-t", "2.5", "hi"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 2);
    assert!(
        stderr_of(&out).contains("outside 0 to 2"),
        "{}",
        stderr_of(&out)
    );
    mock.assert();
}

#[test]
fn option_cannot_set_model_messages_or_stream() {
    for key in ["model", "messages", "stream"] {
        let out = Sandbox::new()
            .cmd("http://127.0.0.1:9/v1")
            .args(["-o", &format!("{key}=x"), "hi"])
            .write_stdin("")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{key}");
        assert!(stderr_of(&out).contains("use the dedicated flag"));
    }
}

#[test]
fn key_and_extra_headers_are_sent() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("POST", "/v1/chat/completions")
        .match_header("authorization", format!("Bearer {KEY}").as_str())
        .match_header("x-title", "mume tests")
        .match_header("content-type", "application/json")
        .with_header("content-type", "application/json")
        .with_body(completion("ok"))
        .create();
    Sandbox::new()
        .cmd(&base(&server))
        .args(["-H", "X-Title: mume tests", "hi"])
        .write_stdin("")
        .assert()
        .success();
    mock.assert();
}

#[test]
fn config_headers_are_sent_and_flags_replace_them() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("POST", "/v1/chat/completions")
        .match_header("x-a", "from-file")
        .match_header("x-b", "from-flag")
        .with_header("content-type", "application/json")
        .with_body(completion("ok"))
        .create();
    let sb = Sandbox::new();
    sb.config("[headers]\nX-A = \"from-file\"\nX-B = \"from-file\"\n");
    sb.run(&base(&server), ["-H", "x-b: from-flag", "hi"])
        .success();
    mock.assert();
}

#[test]
fn one_trailing_slash_of_the_base_url_is_dropped() {
    let mut server = mockito::Server::new();
    let mock = answer(&mut server, "ok");
    Sandbox::new()
        .cmd(&format!("{}/v1/", server.url()))
        .arg("hi")
        .write_stdin("")
        .assert()
        .success()
        .stdout("ok\n");
    mock.assert();
}

#[test]
fn base_url_with_chat_completions_is_refused_with_a_hint() {
    let server = mockito::Server::new();
    let out = Sandbox::new()
        .cmd(&format!("{}/v1/chat/completions", server.url()))
        .arg("hi")
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 78);
    let err = stderr_of(&out);
    assert!(err.contains("drop `/chat/completions`"), "{err}");
    assert!(err.contains(&format!("try `{}/v1`", server.url())), "{err}");
}

#[test]
fn model_precedence_flag_env_file_default() {
    let mut server = mockito::Server::new();
    let sb = Sandbox::new();
    sb.config("model = \"file/model\"\n");
    let expect = |server: &mut mockito::Server, model: &str| {
        server.chat(Matcher::PartialJson(json!({"model": model})), "ok", 1)
    };
    let m = expect(&mut server, "flag/model");
    sb.cmd(&base(&server))
        .env("MUME_MODEL", "env/model")
        .args(["-m", "flag/model", "hi"])
        .write_stdin("")
        .assert()
        .success();
    m.assert();
    let m = expect(&mut server, "env/model");
    sb.cmd(&base(&server))
        .env("MUME_MODEL", "env/model")
        .arg("hi")
        .write_stdin("")
        .assert()
        .success();
    m.assert();
    let m = expect(&mut server, "file/model");
    sb.cmd(&base(&server))
        .arg("hi")
        .write_stdin("")
        .assert()
        .success();
    m.assert();
}

#[test]
fn aliases_expand() {
    let mut server = mockito::Server::new();
    let mock = server.chat(
        Matcher::PartialJson(json!({"model": "openai/gpt-4.1"})),
        "ok",
        1,
    );
    let sb = Sandbox::new();
    sb.config("[aliases]\nbig = \"openai/gpt-4.1\"\n");
    sb.run(&base(&server), ["-m", "big", "hi"]).success();
    mock.assert();
}

#[test]
fn request_field_precedence() {
    let mut server = mockito::Server::new();
    let sb = Sandbox::new();
    sb.config("temperature = 0.1\nmax_tokens = 10\n[options]\ntemperature = 0.2\n");
    let expect = |server: &mut mockito::Server, t: f64| {
        server.chat(
            Matcher::PartialJson(json!({"temperature": t, "max_tokens": 10})),
            "ok",
            1,
        )
    };
    let m = expect(&mut server, 0.2);
    sb.cmd(&base(&server))
        .arg("hi")
        .write_stdin("")
        .assert()
        .success();
    m.assert();
    let m = expect(&mut server, 0.3);
    sb.run(&base(&server), ["-t", "0.3", "hi"]).success();
    m.assert();
    let m = expect(&mut server, 0.4);
    sb.run(&base(&server), ["-t", "0.3", "-o", "temperature=0.4", "hi"])
        .success();
    m.assert();
}

#[test]
fn base_url_precedence_flag_env_file() {
    let mut server = mockito::Server::new();
    let mock = answer(&mut server, "ok").expect(2);
    let sb = Sandbox::new();
    sb.config(&format!("base_url = \"{}\"\n", base(&server)));
    // The config file's URL is used when neither flag nor environment names one.
    sb.bare()
        .env("MUME_API_KEY", KEY)
        .arg("hi")
        .write_stdin("")
        .assert()
        .success();
    // The flag beats a broken environment value.
    sb.bare()
        .env("MUME_BASE_URL", "http://127.0.0.1:9/nowhere")
        .args(["--base-url", &base(&server), "hi"])
        .write_stdin("")
        .assert()
        .success();
    mock.assert();
}

#[test]
fn malformed_config_names_file_and_line() {
    let sb = Sandbox::new();
    let path = sb.config("model = \"a\"\ntemperature = \n");
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .arg("hi")
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 78);
    let err = stderr_of(&out);
    assert!(
        err.contains(&format!("{}, line 2", path.display())),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn unknown_config_key_is_an_error() {
    let sb = Sandbox::new();
    sb.config("modle = \"a\"\n");
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .arg("hi")
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 78);
    assert!(stderr_of(&out).contains("modle"));
}

#[test]
fn mume_config_names_another_file() {
    let mut server = mockito::Server::new();
    let mock = server.chat(
        Matcher::PartialJson(json!({"model": "other/model"})),
        "ok",
        1,
    );
    let sb = Sandbox::new();
    let path = sb.path("elsewhere.toml");
    std::fs::write(&path, "model = \"other/model\"\n").unwrap();
    sb.cmd(&base(&server))
        .env("MUME_CONFIG", &path)
        .arg("hi")
        .write_stdin("")
        .assert()
        .success();
    mock.assert();
    let out = sb
        .cmd(&base(&server))
        .env("MUME_CONFIG", sb.path("missing.toml"))
        .arg("hi")
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 78);
}

#[test]
fn missing_key_names_where_one_can_come_from() {
    let sb = Sandbox::new();
    let out = sb
        .bare()
        .args(["--base-url", "https://api.example.com/v1", "hi"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 77);
    let err = stderr_of(&out);
    assert!(err.contains("MUME_API_KEY"), "{err}");
    assert!(err.contains("api_key_command"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn loopback_needs_no_key_and_sends_none() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("POST", "/v1/chat/completions")
        .match_header("authorization", Matcher::Missing)
        .with_header("content-type", "application/json")
        .with_body(completion("ok"))
        .create();
    Sandbox::new()
        .bare()
        .args(["--base-url", &base(&server), "hi"])
        .write_stdin("")
        .assert()
        .success()
        .stdout("ok\n");
    mock.assert();
}

#[test]
fn key_from_command_then_file() {
    let mut server = mockito::Server::new();
    let sb = Sandbox::new();
    sb.config("api_key_command = \"printf 'cmd-key\\\\n'\"\napi_key = \"file-key\"\n");
    let m = server
        .mock("POST", "/v1/chat/completions")
        .match_header("authorization", "Bearer cmd-key")
        .with_header("content-type", "application/json")
        .with_body(completion("ok"))
        .create();
    sb.bare()
        .env("MUME_BASE_URL", base(&server))
        .arg("hi")
        .write_stdin("")
        .assert()
        .success();
    m.assert();

    sb.config("api_key = \"file-key\"\n");
    let m = server
        .mock("POST", "/v1/chat/completions")
        .match_header("authorization", "Bearer file-key")
        .with_header("content-type", "application/json")
        .with_body(completion("ok"))
        .create();
    sb.bare()
        .env("MUME_BASE_URL", base(&server))
        .arg("hi")
        .write_stdin("")
        .assert()
        .success();
    m.assert();
}

#[test]
fn failing_key_command_is_a_configuration_error_with_its_stderr() {
    let sb = Sandbox::new();
    sb.config("api_key_command = \"echo 'vault is locked' >&2; exit 3\"\n");
    let out = sb
        .bare()
        .args(["--base-url", "https://api.example.com/v1", "hi"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 78);
    assert!(
        stderr_of(&out).contains("vault is locked"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn loopback_ignores_proxy_variables() {
    let mut server = mockito::Server::new();
    let mock = answer(&mut server, "direct");
    Sandbox::new()
        .cmd(&base(&server))
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("ALL_PROXY", "http://127.0.0.1:9")
        .arg("hi")
        .write_stdin("")
        .assert()
        .success()
        .stdout("direct\n");
    mock.assert();
}

#[test]
fn proxy_variables_are_used_for_other_hosts() {
    // The "proxy" is a mock: a request for another host arrives there in absolute form.
    let mut server = mockito::Server::new();
    let mock = server
        .mock("POST", Matcher::Any)
        .with_header("content-type", "application/json")
        .with_body(completion("via proxy"))
        .create();
    Sandbox::new()
        .cmd("http://api.example.com/v1")
        .env("HTTP_PROXY", server.url())
        .arg("hi")
        .write_stdin("")
        .assert()
        .success()
        .stdout("via proxy\n");
    mock.assert();
}

#[test]
fn unreadable_cacert_is_a_configuration_error() {
    let sb = Sandbox::new();
    let out = sb
        .cmd("https://api.example.com/v1")
        .args(["--cacert", "/nonexistent/ca.pem", "hi"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 78);
    assert!(stderr_of(&out).contains("/nonexistent/ca.pem"));
}

#[test]
fn dry_run_prints_the_body_and_sends_nothing() {
    let mut server = mockito::Server::new();
    let mock = answer(&mut server, "x").expect(0);
    let out = Sandbox::new()
        .cmd(&base(&server))
        .args(["--dry-run", "-v", "-H", "X-T: 1", "-t", "1"])
        .args(["-H", "Authorization: Bearer sk-typed-on-the-command-line"])
        .write_stdin("2+2=")
        .output()
        .unwrap();
    assert!(out.status.success());
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        body,
        json!({"model": "openai/gpt-4.1-mini", "messages": user("2+2="), "temperature": 1.0})
    );
    let err = stderr_of(&out);
    assert!(
        err.contains(&format!("> POST {}/chat/completions", base(&server))),
        "{err}"
    );
    assert!(err.contains("authorization: Bearer [redacted]"), "{err}");
    assert!(err.contains("X-T: 1"), "{err}");
    assert!(!err.contains(KEY));
    assert!(!err.contains("sk-typed-on-the-command-line"), "{err}");
    mock.assert();
}

#[test]
fn dry_run_needs_no_key() {
    let out = Sandbox::new()
        .bare()
        .args([
            "--base-url",
            "https://api.example.com/v1",
            "--dry-run",
            "hi",
        ])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
}

#[test]
fn max_completion_tokens_and_reasoning_effort_from_flags_and_config() {
    let sb = Sandbox::new();
    let body = |args: &[&str]| -> serde_json::Value {
        let out = sb
            .run(
                "http://127.0.0.1:9/v1",
                args.iter().chain(&["--dry-run", "hi"]),
            )
            .success()
            .get_output()
            .clone();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let sent = body(&[]);
    assert!(sent.get("max_completion_tokens").is_none() && sent.get("reasoning_effort").is_none());
    let sent = body(&[
        "--max-completion-tokens",
        "300",
        "--reasoning-effort",
        "low",
    ]);
    assert_eq!(sent["max_completion_tokens"], 300);
    assert_eq!(sent["reasoning_effort"], "low");
    sb.config("max_completion_tokens = 50\nreasoning_effort = \"high\"\n");
    let sent = body(&[]);
    assert_eq!(sent["max_completion_tokens"], 50);
    assert_eq!(sent["reasoning_effort"], "high");
    let sent = body(&["--reasoning-effort", "minimal"]);
    assert_eq!(
        sent["reasoning_effort"], "minimal",
        "the flag wins over the config"
    );
    sb.run(
        "http://127.0.0.1:9/v1",
        ["--reasoning-effort", "extreme", "hi"],
    )
    .code(2);
    sb.config("reasoning_effort = \"extreme\"\n");
    sb.run("http://127.0.0.1:9/v1", ["--dry-run", "hi"])
        .code(78);
}
