//! Hostile or careless input: absurd numbers from a server or the user, malformed headers,
//! out-of-range request fields, escapes and bidi controls from a server, a prompt that
//! looks like a flag, and the waiting indicator on a real terminal. Through the real binary.

use crate::common::server::{Server, http, sleep_ms};
use crate::common::*;

const JSON: (&str, &str) = ("content-type", "application/json");

fn run(sb: &Sandbox, url: &str, args: &[&str]) -> std::process::Output {
    sb.cmd(url).args(args).write_stdin("").output().unwrap()
}

fn ok() -> Vec<crate::common::server::Step> {
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
        let server = Server::scripted(vec![
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
        let server = Server::scripted(vec![ok()]);
        let out = run(&Sandbox::new(), &server.url, &[args[0], args[1], "q"]);
        assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
        assert_eq!(stdout_of(&out), "fine\n");
    }
    let server = Server::scripted(vec![http("200 OK", &[JSON], r#"{"data":[{"id":"m"}]}"#)]);
    let out = run(
        &Sandbox::new(),
        &server.url,
        &["models", "--timeout", "1e20"],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "m\n");
}

// Item 20: temperature and top_p are checked whatever sets them.

#[test]
fn out_of_range_temperature_from_the_config_is_a_config_error() {
    for text in [
        "temperature = 9\n",
        "[options]\ntemperature = 9\n",
        "[options]\ntop_p = 1.5\n",
        "[options]\ntemperature = \"hot\"\n",
    ] {
        let server = Server::scripted(vec![ok()]);
        let sb = Sandbox::new();
        let path = sb.config(text);
        let out = run(&sb, &server.url, &["q"]);
        assert_eq!(out.status.code(), Some(78), "{text}: {}", stderr_of(&out));
        let line = error_line(&out);
        assert!(line.contains(&path.display().to_string()), "{line}");
        assert!(
            line.contains("temperature") || line.contains("top_p"),
            "{line}"
        );
        assert_eq!(server.count(), 0, "{text} was sent");
    }
}

#[test]
fn out_of_range_temperature_from_flags_is_a_usage_error() {
    for args in [
        ["-o", "temperature=9"],
        ["-o", "temperature=-1"],
        ["-t", "9"],
        ["--top-p", "1.5"],
        ["-o", "top_p=2"],
    ] {
        let server = Server::scripted(vec![ok()]);
        let out = run(&Sandbox::new(), &server.url, &[args[0], args[1], "q"]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr_of(&out));
        let line = error_line(&out);
        assert!(line.contains("0 to"), "{line}");
        assert_eq!(server.count(), 0, "{args:?} was sent");
    }
    let server = Server::scripted(vec![ok()]);
    let out = run(
        &Sandbox::new(),
        &server.url,
        &["-o", "temperature=2", "--top-p", "1", "q"],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
}

// Item 23: headers are checked before anything is sent.

#[test]
fn a_malformed_header_flag_is_a_usage_error() {
    for (header, name) in [
        ("Bad Name: x", "Bad Name"),
        ("X-Ok: a\r\nInjected: 1", "X-Ok"),
        ("X-Bel: a\u{7}b", "X-Bel"),
    ] {
        let server = Server::scripted(vec![ok()]);
        let out = run(&Sandbox::new(), &server.url, &["-H", header, "q"]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{header:?}: {}",
            stderr_of(&out)
        );
        assert!(error_line(&out).contains(name), "{}", stderr_of(&out));
        assert!(!stderr_of(&out).contains("retrying"), "{}", stderr_of(&out));
        assert_eq!(server.count(), 0);
    }
}

#[test]
fn a_malformed_config_header_is_a_config_error_that_hides_the_value() {
    for text in [
        "[headers]\n\"X-Api-Key\" = \"very-secret-value\\r\\nInjected: 1\"\n",
        "[headers]\n\"Bad Name\" = \"very-secret-value\"\n",
    ] {
        let server = Server::scripted(vec![ok()]);
        let sb = Sandbox::new();
        let path = sb.config(text);
        let out = run(&sb, &server.url, &["q"]);
        assert_eq!(out.status.code(), Some(78), "{text}: {}", stderr_of(&out));
        let line = error_line(&out);
        assert!(line.contains(&path.display().to_string()), "{line}");
        assert!(
            line.contains("X-Api-Key") || line.contains("Bad Name"),
            "{line}"
        );
        assert!(!stderr_of(&out).contains("very-secret-value"), "{line}");
        assert_eq!(server.count(), 0);
    }
}

// Item 24: escapes and bidi controls from a server are shown escaped.

#[test]
fn models_escapes_terminal_controls_and_bidi_overrides() {
    let body =
        r#"{"data":[{"id":"a\u001b]0;pwned\u0007"},{"id":"b\u202eevil"},{"id":"c\u2066x\u200f"}]}"#;
    let server = Server::scripted(vec![http("200 OK", &[JSON], body)]);
    let out = run(&Sandbox::new(), &server.url, &["models"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stdout_of(&out),
        "a\\u{1b}]0;pwned\\u{7}\nb\\u{202e}evil\nc\\u{2066}x\\u{200f}\n"
    );
    let out = run(&Sandbox::new(), &server.url, &["models", "--json"]);
    assert_eq!(
        out.stdout,
        format!("{body}\n").as_bytes(),
        "--json stays raw"
    );
}

#[test]
fn server_errors_escape_bidi_controls() {
    let body = "{\"error\":{\"message\":\"no such model \u{202e}lmth.exe\u{202c} here\"}}";
    let server = Server::scripted(vec![http("400 Bad Request", &[JSON], body)]);
    let out = run(&Sandbox::new(), &server.url, &["q"]);
    assert_eq!(
        error_line(&out),
        "mume: error: HTTP 400 Bad Request: no such model \\u{202e}lmth.exe\\u{202c} here"
    );
}

#[test]
fn history_escapes_bidi_controls() {
    let sb = Sandbox::new();
    let server = Server::scripted(vec![ok()]);
    let out = run(&sb, &server.url, &["-m", "m\u{202e}x", "abc\u{202e}def"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = sb.bare().arg("history").output().unwrap();
    let table = stdout_of(&out);
    assert!(!table.contains('\u{202e}'), "{table:?}");
    assert!(table.contains("m\\u{202e}x"), "{table}");
    assert!(table.contains("abc\\u{202e}def"), "{table}");
}

// Item 26: clap's tip survives on the one error line.

#[test]
fn a_prompt_that_looks_like_a_flag_gets_the_tip() {
    let out = Sandbox::new().bare().arg("-5 degrees").output().unwrap();
    exits(&out, 2);
    let err = stderr_of(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("mume: error: unexpected argument '-5"),
        "{err}"
    );
    assert!(err.contains("tip:") && err.contains("'-- -5"), "{err}");
}

// Item 27: on a terminal the waiting indicator never shares a line with other output.

/// What a terminal shows: `\r` returns to the start of the line, `ESC [2K` clears it.
fn screen(raw: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(raw).replace("\x1b[2K", "\u{0}");
    let mut lines = Vec::new();
    let mut line: Vec<char> = Vec::new();
    let mut col = 0;
    for c in text.chars() {
        match c {
            '\n' => {
                lines.push(line.iter().collect());
                line.clear();
                col = 0;
            }
            '\r' => col = 0,
            '\u{0}' => line.clear(),
            c => {
                if col < line.len() {
                    line[col] = c;
                } else {
                    line.push(c);
                }
                col += 1;
            }
        }
    }
    lines.push(line.iter().collect());
    lines
}

#[test]
fn the_spinner_is_erased_before_the_response_trace() {
    let reply = {
        let mut steps = vec![sleep_ms(600)];
        steps.extend(ok());
        steps
    };
    let server = Server::scripted(vec![reply]);
    let sb = Sandbox::new();
    let bin = assert_cmd::cargo::cargo_bin!("mume");
    // `script` gives mume a pseudo-terminal for stdin, stdout and stderr.
    let command = format!("{} --no-stream -v q", bin.display());
    let out = sb
        .script(&server.url, "script -qec \"$MUME_CMD\" /dev/null")
        .env("MUME_CMD", command)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let raw = String::from_utf8_lossy(&out.stdout);
    assert!(
        raw.contains("waiting for the answer"),
        "no spinner: {raw:?}"
    );
    let lines = screen(&out.stdout);
    let trace: Vec<&String> = lines.iter().filter(|l| l.contains("< ")).collect();
    assert!(!trace.is_empty(), "{lines:?}");
    for line in &lines {
        if line.contains("waiting for the answer") {
            assert!(!line.contains('<') && !line.contains("fine"), "{lines:?}");
        }
    }
    assert!(
        lines.iter().any(|l| l.starts_with("< HTTP/1.1 200 OK")),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l == "fine"), "{lines:?}");
}

#[test]
fn a_role_name_with_control_characters_is_a_config_error() {
    // Fails before this change: `mume roles --names` printed the name raw, a newline made
    // two completion candidates and an escape reached the terminal.
    for name in ["two\\nlines", "esc\\u001b[31m", "tab\\there", "del\\u007f"] {
        let sb = Sandbox::new();
        let path = sb.config(&format!("[roles.\"{name}\"]\nsystem = \"s\"\n"));
        let out = sb
            .cmd("http://127.0.0.1:9/v1")
            .args(["roles", "--names"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(78), "{name}: {}", stderr_of(&out));
        assert!(out.stdout.is_empty());
        let line = error_line(&out);
        assert!(line.contains(&path.display().to_string()), "{line}");
        assert!(line.contains("control character"), "{line}");
        assert!(!line.contains('\u{1b}') && !line.contains('\t'), "{line:?}");
    }
    // A name of any other characters, spaces and non-ASCII included, stays a name.
    let sb = Sandbox::new();
    sb.config("[roles.\"code review ✓\"]\nsystem = \"s\"\n");
    let out = sb
        .cmd("http://127.0.0.1:9/v1")
        .args(["roles", "--names"])
        .output()
        .unwrap();
    assert_eq!(stdout_of(&out), "code review ✓\n");
}
