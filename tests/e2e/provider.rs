//! Provider batches: `mume batch --submit`, `status`, `fetch`, `cancel` and `list` against
//! a fake Batch API with state.

use serde_json::{Value, json};

use crate::common::batch_api::{BatchApi, Behaviour};
use crate::common::server::{Answer, Server, prompt};
use crate::common::{KEY, Sandbox, exits, jsonl, stderr_of, stdout_of};

fn rows(sb: &Sandbox, lines: &[Value]) -> String {
    let lines: Vec<String> = lines.iter().map(Value::to_string).collect();
    rows_text(sb, &lines)
}

fn rows_text(sb: &Sandbox, lines: &[String]) -> String {
    let path = sb.path("rows.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path.display().to_string()
}

fn mume(sb: &Sandbox, url: &str, args: &[&str]) -> std::process::Output {
    sb.cmd(url).args(args).write_stdin("").output().unwrap()
}

/// Rows of every kind: an id that is a long integer, a decimal, a string, the line number,
/// one the server fails, one that expires, one it loses, and one that cannot be sent.
fn mixed_rows() -> Vec<String> {
    let mut lines: Vec<String> = [
        json!({"id": "a", "prompt": "one"}),
        json!("two"),
        json!({"id": "f", "prompt": "fail"}),
        json!({"id": "e", "prompt": "expire"}),
        json!({"id": "l", "prompt": "lost"}),
        json!({"id": "bad"}),
        json!({"id": "x".repeat(70), "prompt": "long id"}),
    ]
    .iter()
    .map(Value::to_string)
    .collect();
    lines.insert(
        2,
        r#"{"id":12345678901234567890123,"prompt":"three"}"#.into(),
    );
    lines
}

/// The results as (id text, line, ok, content) for comparing runs.
fn summary(text: &str) -> Vec<(String, u64, bool, String)> {
    text.lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).unwrap();
            let id = line[6..line.find(",\"line\"").unwrap()].to_string();
            (
                id,
                value["line"].as_u64().unwrap(),
                value["ok"].as_bool().unwrap(),
                value["content"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn submit_status_fetch_equals_a_local_run() {
    let api = BatchApi::start(Behaviour {
        statuses: vec!["validating", "in_progress", "in_progress", "completed"],
        ..Behaviour::default()
    });
    let sb = Sandbox::new();
    let rows = rows_text(&sb, &mixed_rows());
    let output = sb.path("out.jsonl").display().to_string();
    let out = mume(
        &sb,
        api.url(),
        &["batch", &rows, "--submit", "--output", &output],
    );
    exits(&out, 0);
    let job = stdout_of(&out).trim().to_string();
    assert_eq!(stdout_of(&out), format!("{job}\n"), "the job id alone");
    assert!(
        stderr_of(&out).contains("7 rows as 1 batch (1 row that cannot be sent"),
        "{}",
        stderr_of(&out)
    );
    // The row that cannot be sent is not uploaded; the long id goes as mume-L8.
    let uploaded = api.uploads();
    assert_eq!(uploaded[0].lines().count(), 7);
    assert!(uploaded[0].contains(r#""custom_id":"mume-L8""#));
    assert!(uploaded[0].contains(r#""custom_id":"12345678901234567890123""#));
    assert!(!uploaded[0].contains("\"stream\""));

    // Not ended yet: status says so, fetch refuses with 75.
    let out = mume(&sb, api.url(), &["batch", "status"]);
    exits(&out, 0);
    assert!(
        stdout_of(&out).contains("in_progress"),
        "{}",
        stdout_of(&out)
    );
    let out = mume(&sb, api.url(), &["batch", "fetch", &job[..12]]);
    exits(&out, 75);
    assert!(
        stderr_of(&out).contains("has not ended"),
        "{}",
        stderr_of(&out)
    );

    // Ended: fetch writes one result per row in input order, as a local run would.
    let out = mume(&sb, api.url(), &["batch", "fetch"]);
    exits(&out, 75);
    let fetched = std::fs::read_to_string(&output).unwrap();
    let local = Server::rows(|body| Answer::ok(&format!("re {}", prompt(body))));
    let here = mume(&sb, &local.url, &["batch", &rows, "--retries", "0"]);
    let local_results = summary(&stdout_of(&here));
    let by_ok = |s: &[(String, u64, bool, String)]| -> Vec<(String, u64, bool, String)> {
        s.iter().filter(|r| r.2).cloned().collect()
    };
    let remote = summary(&fetched);
    assert_eq!(
        remote.iter().map(|r| r.1).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6, 7, 8]
    );
    assert_eq!(
        by_ok(&remote),
        by_ok(&local_results)
            .into_iter()
            .filter(|r| !["f", "e", "l"].iter().any(|x| r.0 == format!("\"{x}\"")))
            .collect::<Vec<_>>()
    );
    let results = jsonl(&sb.path("out.jsonl"));
    assert_eq!(results[3]["error"]["exit"], 64, "a 400 is the row's own");
    assert!(
        results[3]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("refused")
    );
    assert_eq!(results[4]["error"]["exit"], 75);
    assert!(
        results[4]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("batch_expired")
    );
    assert!(
        results[5]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no result")
    );
    assert_eq!(results[6]["error"]["exit"], 65);
    assert_eq!(results[7]["id"], "x".repeat(70));
    assert_eq!(results[7]["content"], "re long id");

    // Fetching again writes nothing new.
    let out = mume(&sb, api.url(), &["batch", "fetch", &job]);
    exits(&out, 75);
    let again = std::fs::read_to_string(&output).unwrap();
    let sorted = |text: &str| {
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        lines.sort();
        lines
    };
    assert_eq!(sorted(&again), sorted(&fetched));
}

#[test]
fn a_resubmission_sends_only_the_rows_without_a_good_result() {
    let api = BatchApi::start(Behaviour {
        statuses: vec!["completed"],
        ..Behaviour::default()
    });
    let sb = Sandbox::new();
    let rows = rows_text(&sb, &mixed_rows());
    let output = sb.path("out.jsonl").display().to_string();
    let out = mume(
        &sb,
        api.url(),
        &["batch", &rows, "--submit", "--wait", "--output", &output],
    );
    exits(&out, 75);
    assert_eq!(jsonl(&sb.path("out.jsonl")).len(), 8);
    let out = mume(
        &sb,
        api.url(),
        &["batch", &rows, "--submit", "--output", &output],
    );
    exits(&out, 0);
    assert!(
        stderr_of(&out).contains("(4 done before;"),
        "{}",
        stderr_of(&out)
    );
    let second = &api.uploads()[1];
    let prompts: Vec<String> = second
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["body"]["messages"][0]["content"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(prompts, ["fail", "expire", "lost"]);
    // A local run with the same --output does the rest here.
    let local = Server::rows(|body| Answer::ok(&format!("re {}", prompt(body))));
    let out = mume(&sb, &local.url, &["batch", &rows, "--output", &output]);
    exits(&out, 75);
    let results = jsonl(&sb.path("out.jsonl"));
    assert_eq!(results.len(), 8);
    assert_eq!(results.iter().filter(|r| r["ok"] == true).count(), 7);
}

#[test]
fn parts_follow_the_models_and_the_limits() {
    let api = BatchApi::start(Behaviour {
        statuses: vec!["completed"],
        ..Behaviour::default()
    });
    let sb = Sandbox::new();
    let lines: Vec<Value> = (1..=5)
        .map(|i| {
            let model = if i % 2 == 0 { "m/even" } else { "m/odd" };
            json!({"prompt": format!("p{i}"), "model": model})
        })
        .collect();
    let rows = rows(&sb, &lines);
    let out = mume(
        &sb,
        api.url(),
        &["batch", &rows, "--submit", "--max-rows", "2"],
    );
    exits(&out, 0);
    let models: Vec<Vec<String>> = api
        .uploads()
        .iter()
        .map(|file| {
            file.lines()
                .map(|l| {
                    let v: Value = serde_json::from_str(l).unwrap();
                    v["body"]["model"].as_str().unwrap().to_string()
                })
                .collect()
        })
        .collect();
    assert_eq!(
        models,
        [
            vec!["m/odd", "m/odd"],
            vec!["m/even", "m/even"],
            vec!["m/odd"]
        ]
    );
    let metadata: Vec<Value> = api.batches().into_iter().map(|(_, m)| m).collect();
    assert_eq!(metadata[2]["mume_part"], "3");
    let job = stdout_of(&out).trim().to_string();
    assert_eq!(metadata[0]["mume_job"], job);
    // Fetched in input order across the parts, to stdout without --output.
    let out = mume(&sb, api.url(), &["batch", "fetch", "--wait"]);
    exits(&out, 0);
    let contents: Vec<String> = stdout_of(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["content"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(contents, ["re p1", "re p2", "re p3", "re p4", "re p5"]);
}

#[test]
fn string_bodies_and_errors_without_a_code_are_read() {
    let api = BatchApi::start(Behaviour {
        statuses: vec!["completed"],
        string_bodies: true,
        codeless_errors: true,
        ..Behaviour::default()
    });
    let sb = Sandbox::new();
    let rows = rows(&sb, &[json!("ok"), json!("fail"), json!("refuse")]);
    let out = mume(&sb, api.url(), &["batch", &rows, "--submit", "--wait"]);
    exits(&out, 75);
    let results: Vec<Value> = stdout_of(&out)
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results[0]["content"], "re ok");
    assert_eq!(results[1]["ok"], false);
    assert!(
        results[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("InvalidRequest")
    );
    assert_eq!(results[1]["error"]["exit"], 75);
    // A row whose request the server relays as refused exits as that request alone would.
    assert_eq!(results[2]["error"]["exit"], 64, "{}", results[2]);
    assert!(
        results[2]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Error code: 400 - refused")
    );
}

#[test]
fn fetched_answers_follow_the_think_setting() {
    let api = BatchApi::start(Behaviour {
        statuses: vec!["completed"],
        ..Behaviour::default()
    });
    let sb = Sandbox::new();
    let rows = rows(&sb, &[json!("think")]);
    let out = mume(&sb, api.url(), &["batch", &rows, "--submit", "--wait"]);
    exits(&out, 0);
    let split: Value = serde_json::from_str(stdout_of(&out).lines().nth(1).unwrap()).unwrap();
    assert_eq!(split["content"], "done");
    assert_eq!(split["reasoning"], "plan");
    let out = mume(&sb, api.url(), &["batch", "fetch", "--think", "keep"]);
    exits(&out, 0);
    let kept: Value = serde_json::from_str(stdout_of(&out).lines().next().unwrap()).unwrap();
    assert_eq!(kept["content"], "<think>plan</think>done");
    assert_eq!(kept.get("reasoning"), None, "{kept}");
    // A job keeps the setting it was submitted with: a later plain fetch follows it.
    let out = mume(
        &sb,
        api.url(),
        &["batch", &rows, "--submit", "--think", "keep"],
    );
    exits(&out, 0);
    let job = stdout_of(&out).lines().next().unwrap().to_string();
    let out = mume(&sb, api.url(), &["batch", "fetch", &job, "--wait"]);
    exits(&out, 0);
    let kept: Value = serde_json::from_str(stdout_of(&out).lines().next().unwrap()).unwrap();
    assert_eq!(kept["content"], "<think>plan</think>done");
}

#[test]
fn raw_fetch_writes_the_batch_api_s_lines() {
    let api = BatchApi::start(Behaviour {
        statuses: vec!["completed"],
        ..Behaviour::default()
    });
    let sb = Sandbox::new();
    let rows = rows(&sb, &[json!({"id": 7, "prompt": "a"})]);
    let out = mume(
        &sb,
        api.url(),
        &["batch", &rows, "--submit", "--wait", "--raw"],
    );
    exits(&out, 0);
    let line: Value = serde_json::from_str(stdout_of(&out).lines().nth(1).unwrap()).unwrap();
    assert_eq!(line["custom_id"], "7");
    assert_eq!(line["response"]["status_code"], 200);
}

#[test]
fn a_server_without_a_batch_api_and_a_refused_key() {
    let sb = Sandbox::new();
    let rows = rows(&sb, &[json!("a")]);
    let api = BatchApi::start(Behaviour {
        files_status: Some(404),
        ..Behaviour::default()
    });
    let out = mume(&sb, api.url(), &["batch", &rows, "--submit"]);
    exits(&out, 64);
    assert!(
        stderr_of(&out).contains("without --submit"),
        "{}",
        stderr_of(&out)
    );
    assert!(out.stdout.is_empty());
    let api = BatchApi::start(Behaviour {
        files_status: Some(401),
        ..Behaviour::default()
    });
    let out = mume(&sb, api.url(), &["batch", &rows, "--submit"]);
    exits(&out, 77);
    // Nothing was made: no job is kept.
    let out = mume(&sb, api.url(), &["batch", "list"]);
    assert_eq!(stdout_of(&out), "");
}

#[test]
fn the_job_state_is_private_and_holds_no_key_or_prompt() {
    use std::os::unix::fs::PermissionsExt;
    let api = BatchApi::start(Behaviour::default());
    let sb = Sandbox::new();
    let rows = rows(&sb, &[json!("a secret prompt")]);
    let out = mume(&sb, api.url(), &["batch", &rows, "--submit"]);
    exits(&out, 0);
    let job = stdout_of(&out).trim().to_string();
    let dir = sb.path("data").join("mume").join("batches").join(&job);
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    for name in ["job.json", "rows.jsonl"] {
        let path = dir.join(name);
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains(KEY) && !text.contains("secret prompt"),
            "{text}"
        );
    }
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn jobs_are_named_by_prefix_or_provider_id_and_listed() {
    let api = BatchApi::start(Behaviour {
        statuses: vec!["completed"],
        ..Behaviour::default()
    });
    let sb = Sandbox::new();
    // A rows file named like a command is given with a path.
    std::fs::write(sb.path("status"), "\"a\"\n\"b\"\n\"c\"\n").unwrap();
    let out = sb
        .cmd(api.url())
        .current_dir(sb.path(""))
        .args(["batch", "./status", "--submit", "--max-rows", "1"])
        .output()
        .unwrap();
    exits(&out, 0);
    let job = stdout_of(&out).trim().to_string();
    let out = mume(&sb, api.url(), &["batch", "status", "batch_1", "--json"]);
    exits(&out, 0);
    let status: Value = serde_json::from_str(&stdout_of(&out)).unwrap();
    assert_eq!(status["id"], job);
    assert_eq!(status["parts"].as_array().unwrap().len(), 3);
    let out = mume(&sb, api.url(), &["batch", "list"]);
    assert!(stdout_of(&out).starts_with(&job), "{}", stdout_of(&out));
    // The server's batches, over pages of two.
    let out = mume(&sb, api.url(), &["batch", "list", "--remote"]);
    exits(&out, 0);
    let listed = stdout_of(&out);
    let ids: Vec<&str> = listed
        .lines()
        .map(|l| l.split("  ").next().unwrap())
        .collect();
    assert_eq!(ids, ["batch_2", "batch_1", "batch_0"]);
    let out = mume(&sb, api.url(), &["batch", "status", "nope"]);
    exits(&out, 2);
}

#[test]
fn cancel_stops_what_runs_and_accepts_what_ended() {
    let api = BatchApi::start(Behaviour {
        statuses: vec!["in_progress"],
        ..Behaviour::default()
    });
    let sb = Sandbox::new();
    let rows = rows(&sb, &[json!("a")]);
    let out = mume(&sb, api.url(), &["batch", &rows, "--submit"]);
    let job = stdout_of(&out).trim().to_string();
    let out = mume(&sb, api.url(), &["batch", "cancel", &job]);
    exits(&out, 0);
    assert!(stdout_of(&out).contains("cancelled"), "{}", stdout_of(&out));
    // Fetch: the row came back in neither file.
    let out = mume(&sb, api.url(), &["batch", "fetch"]);
    exits(&out, 75);
    assert!(
        stdout_of(&out).contains("cancelled, and the provider returned no result"),
        "{}",
        stdout_of(&out)
    );
    // A completed job: cancelling it is no error (the server says 500).
    let api = BatchApi::start(Behaviour {
        statuses: vec!["completed"],
        ..Behaviour::default()
    });
    let out = mume(&sb, api.url(), &["batch", &rows, "--submit"]);
    let job = stdout_of(&out).trim().to_string();
    let out = mume(&sb, api.url(), &["batch", "cancel", &job]);
    exits(&out, 0);
}

#[test]
fn submit_refuses_local_only_flags_and_dry_run_sends_nothing() {
    let sb = Sandbox::new();
    let rows = rows(&sb, &[json!({"id": 3, "prompt": "a"}), json!({"id": 4})]);
    for flag in [["-j", "8"], ["--rpm", "10"]] {
        let out = mume(
            &sb,
            "http://127.0.0.1:9/v1",
            &["batch", &rows, "--submit", flag[0], flag[1]],
        );
        exits(&out, 2);
        assert!(
            stderr_of(&out).contains("cannot be used with --submit"),
            "{}",
            stderr_of(&out)
        );
    }
    let out = mume(
        &sb,
        "http://127.0.0.1:9/v1",
        &["batch", &rows, "--submit", "--dry-run", "-m", "m/x"],
    );
    exits(&out, 65);
    let line: Value = serde_json::from_str(stdout_of(&out).trim()).unwrap();
    assert_eq!(
        line,
        json!({"custom_id": "3", "method": "POST", "url": "/v1/chat/completions",
               "body": {"model": "m/x", "messages": [{"role": "user", "content": "a"}]}})
    );
    assert!(stderr_of(&out).contains("line 2"), "{}", stderr_of(&out));
}

#[test]
fn waiting_ends_by_ctrl_c_or_max_time_and_the_job_runs_on() {
    use std::os::unix::process::ExitStatusExt;
    let api = BatchApi::start(Behaviour {
        statuses: vec!["in_progress"],
        hurry: false,
        ..Behaviour::default()
    });
    let sb = Sandbox::new();
    let rows = rows(&sb, &[json!("a")]);
    let out = mume(&sb, api.url(), &["batch", &rows, "--submit"]);
    let job = stdout_of(&out).trim().to_string();
    let child = sb
        .std_cmd(api.url())
        .args(["batch", "status", "--wait"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    crate::common::kill(&child, "-INT");
    let waited = child.wait_with_output().unwrap();
    let status = waited.status;
    assert_eq!(
        status.signal(),
        Some(2),
        "{status:?}: {}",
        stderr_of(&waited)
    );
    let out = mume(&sb, api.url(), &["batch", "status", &job]);
    exits(&out, 0);
    assert!(stdout_of(&out).contains("in_progress"));
    // --max-time ends the wait, not the job.
    let api = BatchApi::start(Behaviour {
        statuses: vec!["in_progress"],
        ..Behaviour::default()
    });
    let out = mume(
        &sb,
        api.url(),
        &["batch", &rows, "--submit", "--wait", "--max-time", "1"],
    );
    exits(&out, 75);
    assert!(
        stderr_of(&out).contains("waiting for job"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(stdout_of(&out).lines().count(), 1, "the job id, no results");
}

#[test]
fn a_submission_that_stops_partway_keeps_what_it_made() {
    let api = BatchApi::start(Behaviour {
        statuses: vec!["completed"],
        batches_allowed: Some(1),
        ..Behaviour::default()
    });
    let sb = Sandbox::new();
    let rows = rows(&sb, &[json!("a"), json!("b"), json!("c")]);
    let out = mume(
        &sb,
        api.url(),
        &["batch", &rows, "--submit", "--max-rows", "2"],
    );
    exits(&out, 64);
    let job = stdout_of(&out).trim().to_string();
    assert!(
        !job.is_empty(),
        "the job id is printed: its first batch runs"
    );
    let err = stderr_of(&out);
    assert!(
        err.contains("stopped at part 2 of 2") && err.contains("token limit"),
        "{err}"
    );
    // Fetch: the rows of the batch made, and the others as failed.
    let out = mume(&sb, api.url(), &["batch", "fetch", &job]);
    exits(&out, 75);
    let results: Vec<Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results[0]["content"], "re a");
    assert_eq!(results[1]["content"], "re b");
    assert!(
        results[2]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("never submitted"),
        "{}",
        results[2]
    );
}

#[test]
fn what_a_server_says_of_a_batch_cannot_rename_it_or_reach_the_terminal() {
    // Found by a hostile pass: a look's `id` replaced the batch's (even with a path), and
    // its status reached the terminal with its escape sequences.
    let api = BatchApi::start(Behaviour {
        statuses: vec!["in_progress"],
        renamed: Some("../../files/file-in0/content?x="),
        ..Behaviour::default()
    });
    let sb = Sandbox::new();
    let rows = rows(&sb, &[json!("a")]);
    let out = mume(&sb, api.url(), &["batch", &rows, "--submit"]);
    let job = stdout_of(&out).trim().to_string();
    for _ in 0..2 {
        let out = mume(&sb, api.url(), &["batch", "status", &job]);
        exits(&out, 0);
        assert!(!stdout_of(&out).contains('\u{1b}'), "{:?}", stdout_of(&out));
        assert!(stdout_of(&out).contains("batch_0"), "{}", stdout_of(&out));
    }
    let looks: Vec<String> = api
        .server
        .seen()
        .iter()
        .filter(|s| s.route().0 == "GET")
        .map(|s| s.route().1.to_string())
        .collect();
    assert_eq!(looks, ["/v1/batches/batch_0", "/v1/batches/batch_0"]);
}

#[test]
fn a_file_that_cannot_be_downloaded_fails_its_rows_only() {
    let api = BatchApi::start(Behaviour {
        statuses: vec!["completed"],
        lost_output: Some(1),
        ..Behaviour::default()
    });
    let sb = Sandbox::new();
    let rows = rows(&sb, &[json!("a"), json!("b"), json!("c")]);
    let out = mume(
        &sb,
        api.url(),
        &["batch", &rows, "--submit", "--max-rows", "2"],
    );
    let job = stdout_of(&out).trim().to_string();
    let out = mume(&sb, api.url(), &["batch", "fetch", &job]);
    exits(&out, 75);
    let results: Vec<Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["content"], "re a");
    assert_eq!(results[1]["content"], "re b");
    let message = results[2]["error"]["message"].as_str().unwrap();
    assert!(message.contains("could not be downloaded"), "{message}");
    // --dry-run has nothing to show for the job commands: refused, nothing sent.
    let sent = api.server.count();
    for command in [
        vec!["fetch", job.as_str()],
        vec!["cancel", job.as_str()],
        vec!["status"],
        vec!["list"],
    ] {
        let mut args = vec!["batch"];
        args.extend(command);
        args.push("--dry-run");
        let out = mume(&sb, api.url(), &args);
        exits(&out, 2);
    }
    assert_eq!(api.server.count(), sent);
}

#[test]
fn a_returned_line_longer_than_any_answer_fails_its_row_only() {
    let api = BatchApi::start(Behaviour {
        statuses: vec!["completed"],
        ..Behaviour::default()
    });
    let sb = Sandbox::new();
    let rows = rows(&sb, &[json!("a"), json!("huge"), json!("c")]);
    let out = mume(&sb, api.url(), &["batch", &rows, "--submit", "--wait"]);
    exits(&out, 75);
    let results: Vec<Value> = stdout_of(&out)
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["content"], "re a");
    assert!(
        results[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("longer than 64 MiB"),
        "{}",
        results[1]
    );
    assert_eq!(results[2]["content"], "re c");
}
