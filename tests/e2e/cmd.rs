//! `mume cmd`: one shell command asked for, cleaned and printed, never run.

use serde_json::Value;

use crate::common::server::{Answer, Reply, Server};
use crate::common::*;

/// A server that answers every request with `content`.
fn answering(content: &'static str) -> Server {
    Server::start(move |_, _| Reply::Answer(Answer::ok(content)))
}

fn system_of(body: &Value) -> String {
    body["messages"][0]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_request_names_the_shell_and_asks_for_one_command() {
    let server = answering("ls");
    let sb = Sandbox::new();
    let out = sb
        .cmd(&server.url)
        .env("SHELL", "/usr/bin/zsh")
        .args(["cmd", "list", "files"])
        .output()
        .unwrap();
    exits(&out, 0);
    let out = sb
        .cmd(&server.url)
        .env("SHELL", "/usr/bin/zsh")
        .args(["cmd", "--shell", "fish", "list", "files"])
        .output()
        .unwrap();
    exits(&out, 0);
    let seen = server.seen();
    let (zsh, fish) = (&seen[0].body, &seen[1].body);
    assert_eq!(zsh["messages"][0]["role"], "system");
    assert!(
        system_of(zsh).contains("zsh shell on "),
        "{}",
        system_of(zsh)
    );
    assert!(system_of(zsh).contains("no code fences"));
    assert!(system_of(fish).contains("fish shell on "));
    assert_eq!(zsh["messages"][1]["content"], "list files");
    // Never streamed, even where a text answer would be.
    assert!(zsh.get("stream").is_none(), "{zsh}");
}

#[test]
fn the_answer_is_cleaned_to_exactly_the_command() {
    for (answer, want) in [
        ("```bash\n$ find . -size +100M\n```", "find . -size +100M\n"),
        ("`du -sh * | sort -h`", "du -sh * | sort -h\n"),
        ("  git status  \n", "git status\n"),
        ("tar -czf a.tgz \\\n  src/", "tar -czf a.tgz \\\n  src/\n"),
    ] {
        let server = Server::start(move |_, _| Reply::Answer(Answer::ok(answer)));
        let out = Sandbox::new()
            .cmd(&server.url)
            .args(["--render", "always", "cmd", "q"])
            .output()
            .unwrap();
        exits(&out, 0);
        assert_eq!(stdout_of(&out), want, "{answer:?}");
        assert_eq!(stderr_of(&out), "");
    }
}

#[test]
fn an_answer_that_is_not_one_command_is_declined_with_its_text_on_stderr() {
    for answer in [
        "```\nls\n```\nThis lists the files in the folder.",
        "Either:\n```\nls -l\n```\nor:\n```\nls -la\n```",
    ] {
        let server = Server::start(move |_, _| Reply::Answer(Answer::ok(answer)));
        let sb = Sandbox::new();
        let out = sb.cmd(&server.url).args(["cmd", "q"]).output().unwrap();
        exits(&out, 3);
        assert_eq!(stdout_of(&out), "");
        let err = stderr_of(&out);
        assert!(err.starts_with(answer), "{err}");
        assert!(error_line(&out).contains("not one command"));
        // Saved all the same, so that -c can ask again.
        assert_eq!(sb.saved().len(), 1);
    }
}

#[test]
fn stdin_is_context_and_c_revises_the_last_command() {
    let server = answering("rm empty.txt");
    let sb = Sandbox::new();
    let out = sb
        .cmd(&server.url)
        .args(["cmd", "delete", "the", "empty", "ones"])
        .write_stdin("-rw 0 empty.txt\n")
        .output()
        .unwrap();
    exits(&out, 0);
    let out = sb
        .cmd(&server.url)
        .args(["cmd", "-c", "ask", "first"])
        .write_stdin("")
        .output()
        .unwrap();
    exits(&out, 0);
    let seen = server.seen();
    assert_eq!(
        seen[0].body["messages"][1]["content"],
        "-rw 0 empty.txt\n\n\ndelete the empty ones"
    );
    let revised = seen[1].body["messages"].as_array().unwrap();
    let roles: Vec<&str> = revised
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"]);
    assert_eq!(revised[2]["content"], "rm empty.txt");
    assert_eq!(revised[3]["content"], "ask first");
}

#[test]
fn a_role_named_cmd_replaces_the_built_in_request() {
    let server = answering("ls");
    let sb = Sandbox::new();
    sb.config(
        "system = \"General system text.\"\n[roles.cmd]\nsystem = \"Only POSIX sh.\"\nmodel = \"small-model\"\n",
    );
    let out = sb.cmd(&server.url).args(["cmd", "q"]).output().unwrap();
    exits(&out, 0);
    // Without the role, the config's general system text does not replace the built-in one.
    std::fs::write(
        sb.path("config/mume/config.toml"),
        "system = \"General system text.\"\n",
    )
    .unwrap();
    let out = sb.cmd(&server.url).args(["cmd", "q"]).output().unwrap();
    exits(&out, 0);
    let seen = server.seen();
    assert_eq!(system_of(&seen[0].body), "Only POSIX sh.");
    assert_eq!(seen[0].body["model"], "small-model");
    assert!(system_of(&seen[1].body).contains("one command"));
}

/// Whether `shell` can be run here.
fn installed(shell: &str) -> bool {
    std::process::Command::new(shell)
        .arg("-c")
        .arg("true")
        .output()
        .is_ok_and(|out| out.status.success())
}

#[test]
fn each_shell_s_snippet_passes_its_syntax_check() {
    let sb = Sandbox::new();
    for shell in ["bash", "zsh", "fish"] {
        // A shell that is not installed here is not checked.
        if !installed(shell) {
            continue;
        }
        let out = sb.bare().args(["shell-init", shell]).output().unwrap();
        exits(&out, 0);
        let snippet = sb.path(&format!("init.{shell}"));
        std::fs::write(&snippet, &out.stdout).unwrap();
        let check = std::process::Command::new(shell)
            .arg("-n")
            .arg(&snippet)
            .output()
            .unwrap();
        assert!(check.status.success(), "{shell}: {}", stderr_of(&check));
        assert!(stdout_of(&out).contains("mume cmd -- "), "{shell}");
    }
    let out = sb.bare().args(["shell-init", "tcsh"]).output().unwrap();
    exits(&out, 2);
}

#[test]
fn the_widgets_replace_the_line_with_the_command_and_keep_it_on_failure() {
    let server = answering("```\nls -la\n```");
    let sb = Sandbox::new();
    let mut shells = vec![(
        "bash",
        "bash --norc -i -c 'eval \"$(mume shell-init bash)\" 2>/dev/null; READLINE_LINE=\"list all files\"; __mume_cmd; printf \"[%s] %s\" \"$READLINE_LINE\" \"$READLINE_POINT\"'",
    )];
    if installed("zsh") {
        // Outside the line editor, zle and bindkey are stood in for.
        shells.push((
            "zsh",
            "zsh -f -c 'zle() { :; }; bindkey() { :; }; eval \"$(mume shell-init zsh)\"; BUFFER=\"list all files\"; __mume_cmd; printf \"[%s] %s\" \"$BUFFER\" \"$CURSOR\"'",
        ));
    }
    if installed("fish") {
        // Outside the line editor, commandline and bind are stood in for: the line is a
        // variable.
        std::fs::write(
            sb.path("widget.fish"),
            r#"function commandline
    if test (count $argv) -eq 0
        printf '%s\n' $__line
    else if test "$argv[1]" = -r
        set -g __line $argv[3..-1]
    end
end
function bind
end
mume shell-init fish | source
set -g __line "list all files"
__mume_cmd
printf '[%s] %s' "$__line" (string length -- "$__line")
"#,
        )
        .unwrap();
        shells.push(("fish", "fish --no-config widget.fish"));
    }
    for (shell, script) in &shells {
        let out = sb.script(&server.url, script).output().unwrap();
        assert_eq!(
            stdout_of(&out),
            "[ls -la] 6",
            "{shell}: {}",
            stderr_of(&out)
        );
        // A server that fails leaves the line as it was.
        let out = sb.script("http://127.0.0.1:9/v1", script).output().unwrap();
        assert_eq!(
            stdout_of(&out).split(']').next().unwrap(),
            "[list all files",
            "{shell}: {}",
            stderr_of(&out)
        );
    }
    let seen = server.seen();
    assert_eq!(seen[0].body["messages"][1]["content"], "list all files");
}

#[test]
fn a_terminal_gets_the_command_whole_never_streamed_or_drawn() {
    let server = answering("```sh\nls **/*.rs\n```");
    let sb = Sandbox::new();
    let out = sb
        .script(
            &server.url,
            "script -qec 'NO_COLOR= mume --no-save cmd list rust files' /dev/null",
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out).trim_end(), "ls **/*.rs");
    let body = &server.seen()[0].body;
    assert!(body.get("stream").is_none(), "{body}");
}
