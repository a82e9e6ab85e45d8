//! Shared helpers for the end-to-end tests: a hermetic command for the real binary and
//! canned server answers.
#![allow(dead_code)]

pub mod batch_api;
pub mod server;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{Value, json};
use tempfile::TempDir;

pub const KEY: &str = "sk-test-0123456789abcdef";

/// A temporary HOME with its own XDG folders, so no test sees the user's files.
pub struct Sandbox {
    pub dir: TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// mume with a clean environment pointed at `base_url`, and a test key.
    pub fn cmd(&self, base_url: &str) -> Command {
        let mut cmd = self.bare();
        cmd.env("MUME_BASE_URL", base_url).env("MUME_API_KEY", KEY);
        cmd
    }

    /// Runs mume against `base_url` with these arguments and an empty stdin.
    pub fn run<I, S>(&self, base_url: &str, args: I) -> assert_cmd::assert::Assert
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd(base_url).args(args).write_stdin("").assert()
    }

    /// mume with a clean environment and no base URL or key.
    pub fn bare(&self) -> Command {
        let mut cmd = Command::from_std(self.std_bare());
        cmd.timeout(std::time::Duration::from_secs(60));
        cmd
    }

    /// The same as a `std::process::Command`, for tests that drive stdin or signals.
    pub fn std_cmd(&self, base_url: &str) -> std::process::Command {
        let mut cmd = self.std_bare();
        cmd.env("MUME_BASE_URL", base_url).env("MUME_API_KEY", KEY);
        cmd
    }

    fn std_bare(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("mume"));
        self.hermetic(&mut cmd);
        cmd
    }

    /// A bash script run in the sandbox's folder, with mume first on PATH, the sandbox's
    /// environment, `base_url` and the test key.
    pub fn script(&self, base_url: &str, script: &str) -> std::process::Command {
        let bin = assert_cmd::cargo::cargo_bin!("mume");
        let path = format!(
            "{}:{}",
            bin.parent().unwrap().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut cmd = std::process::Command::new("bash");
        self.hermetic(&mut cmd);
        cmd.arg("-c")
            .arg(script)
            .current_dir(self.dir.path())
            .env("PATH", path)
            .env("MUME_BASE_URL", base_url)
            .env("MUME_API_KEY", KEY);
        cmd
    }

    fn hermetic(&self, cmd: &mut std::process::Command) {
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy().to_string();
            if name.starts_with("MUME_")
                || name.starts_with("XDG_")
                || name.to_ascii_lowercase().ends_with("_proxy")
                || name == "COLUMNS"
            {
                cmd.env_remove(&name);
            }
        }
        cmd.env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("NO_COLOR", "1");
    }

    /// Writes the config file at its default place and returns its path.
    pub fn config(&self, text: &str) -> PathBuf {
        let dir = self.dir.path().join("config").join("mume");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The folder holding saved conversations.
    pub fn chats(&self) -> PathBuf {
        self.dir.path().join("data").join("mume").join("chats")
    }

    /// The saved conversation files, oldest name first.
    pub fn saved(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(self.chats()) {
            Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
            Err(_) => Vec::new(),
        };
        files.sort();
        files
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// The lines of a JSONL file, parsed.
pub fn jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A non-streamed chat completion holding `content`.
pub fn completion(content: &str) -> String {
    json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "test/model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}
    })
    .to_string()
}

/// One SSE event carrying a content delta.
pub fn delta(content: &str) -> String {
    format!(
        "data: {}\n\n",
        json!({"choices": [{"index": 0, "delta": {"content": content}, "finish_reason": null}]})
    )
}

/// A whole event stream: content deltas, a finish reason, then `[DONE]`.
pub fn stream(parts: &[&str]) -> String {
    let mut body: String = parts.iter().map(|p| delta(p)).collect();
    body.push_str(&finish("stop"));
    body.push_str("data: [DONE]\n\n");
    body
}

pub fn finish(reason: &str) -> String {
    format!(
        "data: {}\n\n",
        json!({"choices": [{"index": 0, "delta": {}, "finish_reason": reason}]})
    )
}

/// A mock for a JSON chat completion answering `content`.
pub fn answer(server: &mut mockito::Server, content: &str) -> mockito::Mock {
    server
        .mock("POST", "/v1/chat/completions")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(completion(content))
        .create()
}

/// A mock for a streamed chat completion of `parts`.
pub fn answer_stream(server: &mut mockito::Server, parts: &[&str]) -> mockito::Mock {
    server
        .mock("POST", "/v1/chat/completions")
        .with_status(200)
        .with_header("content-type", "text/event-stream")
        .with_body(stream(parts))
        .create()
}

pub fn base(server: &mockito::Server) -> String {
    format!("{}/v1", server.url())
}

/// Sends `signal` (`-INT`, `-TERM`, …) to a child with kill(1).
pub fn kill(child: &std::process::Child, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Asserts that a run ended with exit `code`, showing its stderr when it did not; returns
/// that stderr.
#[track_caller]
pub fn exits(output: &std::process::Output, code: i32) -> String {
    let err = stderr_of(output);
    assert_eq!(output.status.code(), Some(code), "stderr: {err}");
    err
}

pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The mock most tests need: a chat request whose body matches, answered with `reply`.
pub trait ChatMock {
    fn chat(&mut self, body: mockito::Matcher, reply: &str, times: usize) -> mockito::Mock;
}

impl ChatMock for mockito::Server {
    fn chat(&mut self, body: mockito::Matcher, reply: &str, times: usize) -> mockito::Mock {
        self.mock("POST", "/v1/chat/completions")
            .match_body(body)
            .with_header("content-type", "application/json")
            .with_body(completion(reply))
            .expect(times)
            .create()
    }
}

/// The one `mume: error:` line of a run.
pub fn error_line(out: &std::process::Output) -> String {
    let err = stderr_of(out);
    err.lines()
        .find(|l| l.starts_with("mume: error: "))
        .unwrap_or_else(|| panic!("no error line in {err:?}"))
        .to_string()
}
