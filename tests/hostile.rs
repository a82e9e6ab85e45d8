//! Hostile or careless input: absurd numbers from a server or the user, malformed headers,
//! out-of-range request fields, escapes and bidi controls from a server, a prompt that
//! looks like a flag, and the waiting indicator on a real terminal. Through the real binary.

mod common;

use common::scripted::{Scripted, http};
use common::*;

const JSON: (&str, &str) = ("content-type", "application/json");

fn run(sb: &Sandbox, url: &str, args: &[&str]) -> std::process::Output {
    sb.cmd(url).args(args).write_stdin("").output().unwrap()
}

fn error_line(out: &std::process::Output) -> String {
    let err = stderr_of(out);
    err.lines()
        .find(|l| l.starts_with("mume: error: "))
        .unwrap_or_else(|| panic!("no error line in {err:?}"))
        .to_string()
}

fn ok() -> Vec<common::scripted::Step> {
    http("200 OK", &[JSON], &completion("fine"))
}

// Item 11: a server's absurd Retry-After is a wait too long to make, not a panic.

#[test]
fn an_absurd_retry_after_gives_up_at_once() {
    let cases = [
        ("retry-after", "99999999999999999999"),
        ("retry-after-ms", "1e23"),
        ("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT"),
    ];
    for (name, value) in cases {
        let server = Scripted::start(vec![
            http("429 Too Many Requests", &[(name, value)], ""),
            ok(),
        ]);
        // --max-time bounds the run should a panic leave mume waiting for its worker.
        let out = run(&Sandbox::new(), &server.url, &["--max-time", "5", "q"]);
        assert_eq!(
            out.status.code(),
            Some(75),
            "{name}: {value}: {}",
            stderr_of(&out)
        );
        assert!(error_line(&out).contains("HTTP 429"), "{}", stderr_of(&out));
        assert!(!stderr_of(&out).contains("panicked"), "{}", stderr_of(&out));
        assert_eq!(server.count(), 1, "{name}: {value} is not waited for");

        let out = run(&Sandbox::new(), &server.url, &["models"]);
        assert!(!stderr_of(&out).contains("panicked"), "{}", stderr_of(&out));
    }
}

// Item 13: a duration too large for the clock is no limit, not a panic.

#[test]
fn huge_timeouts_mean_no_limit() {
    for args in [
        ["--max-time", "1e19"],
        ["--timeout", "1e20"],
        ["--max-time", "1e300"],
    ] {
        let server = Scripted::start(vec![ok()]);
        let out = run(&Sandbox::new(), &server.url, &[args[0], args[1], "q"]);
        assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
        assert_eq!(stdout_of(&out), "fine\n");
    }
    let server = Scripted::start(vec![http("200 OK", &[JSON], r#"{"data":[{"id":"m"}]}"#)]);
    let out = run(
        &Sandbox::new(),
        &server.url,
        &["models", "--timeout", "1e20"],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "m\n");
}
