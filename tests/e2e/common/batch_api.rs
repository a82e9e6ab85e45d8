//! A fake OpenAI Files and Batches API with state: uploaded files kept, a scripted status
//! sequence per batch (one step a look), output lines shuffled, failed rows in the error
//! file, paged listing, and switches for the ways real servers differ.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::server::{Answer, Reply, Seen, Server};

/// How the fake behaves.
#[derive(Clone)]
pub struct Behaviour {
    /// The statuses a batch goes through, one a look; it stays at the last.
    pub statuses: Vec<&'static str>,
    /// Bodies sent as a JSON string holding the completion (Llama Stack).
    pub string_bodies: bool,
    /// Failed rows as `{"error": {"type", "message"}}`, no code, no response.
    pub codeless_errors: bool,
    /// The status of every Files request (`None`: the API is there).
    pub files_status: Option<u16>,
    /// Asks to be asked again at once (`retry-after-ms: 1`), so that waits are short.
    pub hurry: bool,
    /// Refuses (400) to make more than this many batches.
    pub batches_allowed: Option<usize>,
    /// Answers a look at a batch with this id instead of its own.
    pub renamed: Option<&'static str>,
    /// The output file of this batch (by number) cannot be downloaded (404).
    pub lost_output: Option<usize>,
}

impl Default for Behaviour {
    fn default() -> Behaviour {
        Behaviour {
            statuses: vec!["validating", "in_progress", "completed"],
            string_bodies: false,
            codeless_errors: false,
            files_status: None,
            hurry: true,
            batches_allowed: None,
            renamed: None,
            lost_output: None,
        }
    }
}

#[derive(Default)]
struct State {
    files: HashMap<String, String>,
    batches: Vec<Batch>,
}

struct Batch {
    id: String,
    input_file_id: String,
    metadata: Value,
    looks: usize,
    cancelled: bool,
    /// The lines of the output and error files once the batch completes.
    output: Vec<String>,
    errors: Vec<String>,
    total: usize,
}

pub struct BatchApi {
    pub server: Server,
    state: Arc<Mutex<State>>,
}

impl BatchApi {
    pub fn start(behaviour: Behaviour) -> BatchApi {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        let server = Server::start(move |_, seen| {
            let answer = route(&behaviour, &mut shared.lock().unwrap(), seen);
            Reply::Answer(answer)
        });
        BatchApi { server, state }
    }

    pub fn url(&self) -> &str {
        &self.server.url
    }

    /// The input files uploaded, in order.
    pub fn uploads(&self) -> Vec<String> {
        let state = self.state.lock().unwrap();
        let mut files: Vec<(&String, &String)> = state
            .files
            .iter()
            .filter(|(id, _)| id.starts_with("file-in"))
            .collect();
        files.sort_by_key(|(id, _)| id[7..].parse::<usize>().unwrap());
        files.into_iter().map(|(_, text)| text.clone()).collect()
    }

    /// The batches made, with their metadata.
    pub fn batches(&self) -> Vec<(String, Value)> {
        let state = self.state.lock().unwrap();
        state
            .batches
            .iter()
            .map(|b| (b.id.clone(), b.metadata.clone()))
            .collect()
    }
}

fn route(behaviour: &Behaviour, state: &mut State, seen: &Seen) -> Answer {
    let (method, target) = seen.route();
    let path = target.split('?').next().unwrap_or_default();
    let parts: Vec<&str> = path.trim_start_matches("/v1/").split('/').collect();
    let ok = |value: Value| {
        let answer = Answer::status(200, &value.to_string());
        match behaviour.hurry {
            true => answer.header("retry-after-ms", "1"),
            false => answer,
        }
    };
    match (method, parts.as_slice()) {
        (_, ["files", ..]) if behaviour.files_status.is_some() => {
            Answer::status(behaviour.files_status.unwrap(), "<html>Not Found</html>")
        }
        ("POST", ["files"]) => {
            let text = multipart_file(seen);
            let id = format!("file-in{}", state.files.len());
            let bytes = text.len();
            state.files.insert(id.clone(), text);
            ok(json!({"id": id, "object": "file", "purpose": "batch", "bytes": bytes}))
        }
        ("GET", ["files", id, "content"])
            if behaviour
                .lost_output
                .is_some_and(|n| *id == format!("file-out-batch_{n}")) =>
        {
            Answer::status(404, r#"{"error":{"message":"no such file"}}"#)
        }
        ("GET", ["files", id, "content"]) => match state.files.get(*id) {
            Some(text) => Answer::status(200, text),
            None => Answer::status(404, r#"{"error":{"message":"no such file"}}"#),
        },
        ("POST", ["batches"])
            if behaviour
                .batches_allowed
                .is_some_and(|n| state.batches.len() >= n) =>
        {
            Answer::status(
                400,
                r#"{"error":{"message":"enqueued token limit reached for the model"}}"#,
            )
        }
        ("POST", ["batches"]) => {
            let request: Value = serde_json::from_str(seen.body_text()).unwrap();
            let input_file_id = request["input_file_id"].as_str().unwrap().to_string();
            let Some(input) = state.files.get(&input_file_id) else {
                return Answer::status(400, r#"{"error":{"message":"no such file"}}"#);
            };
            let (output, errors) = run(behaviour, input);
            let batch = Batch {
                id: format!("batch_{}", state.batches.len()),
                input_file_id,
                metadata: request["metadata"].clone(),
                looks: 0,
                cancelled: false,
                total: input.lines().count(),
                output,
                errors,
            };
            let seen = object(behaviour, &batch, state);
            state.batches.push(batch);
            let index = state.batches.len() - 1;
            publish(state, index, &seen);
            ok(object(behaviour, &state.batches[index], state))
        }
        ("GET", ["batches"]) => {
            let query = target.split_once('?').map_or("", |(_, q)| q);
            let after = query.split('&').find_map(|kv| kv.strip_prefix("after="));
            let limit: usize = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("limit="))
                .and_then(|l| l.parse().ok())
                .unwrap_or(20)
                .min(2);
            let newest_first: Vec<&Batch> = state.batches.iter().rev().collect();
            let start = after.map_or(0, |a| {
                newest_first
                    .iter()
                    .position(|b| b.id == a)
                    .map_or(0, |i| i + 1)
            });
            let page: Vec<Value> = newest_first
                .iter()
                .skip(start)
                .take(limit)
                .map(|b| object(behaviour, b, state))
                .collect();
            let has_more = start + limit < newest_first.len();
            ok(json!({"object": "list", "data": page, "has_more": has_more}))
        }
        ("GET", ["batches", id]) => {
            let Some(index) = state.batches.iter().position(|b| b.id == *id) else {
                return Answer::status(404, r#"{"error":{"message":"no such batch"}}"#);
            };
            state.batches[index].looks += 1;
            let seen = object(behaviour, &state.batches[index], state);
            publish(state, index, &seen);
            let mut object = object(behaviour, &state.batches[index], state);
            if let Some(renamed) = behaviour.renamed {
                object["id"] = json!(renamed);
                object["status"] = json!(format!(
                    "{}\u{1b}[2J\u{1b}]0;PWN\u{7}",
                    object["status"].as_str().unwrap()
                ));
            }
            ok(object)
        }
        ("POST", ["batches", id, "cancel"]) => {
            let Some(index) = state.batches.iter().position(|b| b.id == *id) else {
                return Answer::status(404, r#"{"error":{"message":"no such batch"}}"#);
            };
            let status = object(behaviour, &state.batches[index], state)["status"].clone();
            if status == "completed" {
                // As LiteLLM passes a 409 on: a 500.
                return Answer::status(
                    500,
                    r#"{"error":{"message":"cannot cancel a completed batch"}}"#,
                );
            }
            state.batches[index].cancelled = true;
            let object = object(behaviour, &state.batches[index], state);
            ok(object)
        }
        _ => Answer::status(404, r#"{"error":{"message":"no such route"}}"#),
    }
}

/// The batch as the API shows it after its looks so far.
fn object(behaviour: &Behaviour, batch: &Batch, state: &State) -> Value {
    let step = batch.looks.min(behaviour.statuses.len() - 1);
    let status = if batch.cancelled {
        "cancelled"
    } else {
        behaviour.statuses[step]
    };
    let ended = matches!(status, "completed" | "cancelled" | "expired" | "failed");
    let (output_id, error_id) = (
        format!("file-out-{}", batch.id),
        format!("file-err-{}", batch.id),
    );
    let published = |id: &String| (ended && state.files.contains_key(id)).then(|| id.clone());
    let (completed, failed) = match ended {
        true => (batch.output.len(), batch.errors.len()),
        false => (0, 0),
    };
    json!({
        "id": batch.id,
        "object": "batch",
        "endpoint": "/v1/chat/completions",
        "input_file_id": batch.input_file_id,
        "completion_window": "24h",
        "status": status,
        "output_file_id": published(&output_id),
        "error_file_id": published(&error_id),
        "request_counts": {"total": batch.total, "completed": completed, "failed": failed},
        "metadata": batch.metadata,
        "errors": if status == "failed" { json!({"data": [{"code": "invalid_request", "message": "the file is not valid", "line": 1}]}) } else { Value::Null },
    })
}

/// Makes a batch's output and error files once it has ended (a cancelled batch keeps the
/// rows finished before, as OpenAI does: here, none).
fn publish(state: &mut State, index: usize, object: &Value) {
    let status = object["status"].as_str().unwrap_or_default();
    let batch = &state.batches[index];
    if status != "completed" || state.files.contains_key(&format!("file-out-{}", batch.id)) {
        return;
    }
    let (output, errors) = (batch.output.join(""), batch.errors.join(""));
    let id = batch.id.clone();
    state.files.insert(format!("file-out-{id}"), output);
    if !errors.is_empty() {
        state.files.insert(format!("file-err-{id}"), errors);
    }
}

/// Answers every request line of an input file; the output and error lines, shuffled.
/// A prompt `fail` is a 400; `expire` comes back as `batch_expired`; `lost` not at all.
fn run(behaviour: &Behaviour, input: &str) -> (Vec<String>, Vec<String>) {
    let (mut output, mut errors) = (Vec::new(), Vec::new());
    for (i, line) in input.lines().enumerate() {
        let request: Value = serde_json::from_str(line).unwrap();
        let custom_id = request["custom_id"].clone();
        let messages = request["body"]["messages"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let prompt = messages
            .last()
            .map(|m| m["content"].as_str().unwrap_or_default().to_string())
            .unwrap_or_default();
        // `huge`: an answer longer than any line fetch reads whole.
        let prompt = match prompt.as_str() {
            "huge" => "h".repeat(65 << 20),
            _ => prompt,
        };
        // `think`: an answer that opens with its reasoning in <think> tags.
        let content = match prompt.as_str() {
            "think" => "<think>plan</think>done".to_string(),
            _ => format!("re {prompt}"),
        };
        let completion = json!({
            "id": format!("chatcmpl-{i}"),
            "object": "chat.completion",
            "model": request["body"]["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
        });
        let body = match behaviour.string_bodies {
            true => Value::String(completion.to_string()),
            false => completion,
        };
        let line = match prompt.as_str() {
            "lost" => continue,
            "fail" if behaviour.codeless_errors => {
                json!({"custom_id": custom_id, "error": {"type": "InvalidRequest", "message": "the model refused it"}})
            }
            // Llama Stack's words for a request its upstream refused.
            "refuse" => {
                json!({"custom_id": custom_id, "error": {"code": "request_failed", "message": "Error code: 400 - refused"}})
            }
            "fail" => {
                json!({"id": format!("batch_req_{i}"), "custom_id": custom_id, "response": {"status_code": 400, "request_id": format!("req_{i}"), "body": {"error": {"message": "the model refused it", "type": "invalid_request_error"}}}, "error": null})
            }
            "expire" => {
                json!({"id": format!("batch_req_{i}"), "custom_id": custom_id, "response": null, "error": {"code": "batch_expired", "message": "This request could not be executed before the completion window expired."}})
            }
            _ => {
                json!({"id": format!("batch_req_{i}"), "custom_id": custom_id, "response": {"status_code": 200, "request_id": format!("req_{i}"), "body": body}, "error": null})
            }
        };
        let failed = matches!(prompt.as_str(), "fail" | "expire" | "refuse");
        match failed {
            true => errors.push(line.to_string() + "\n"),
            false => output.push(line.to_string() + "\n"),
        }
    }
    // Output files are not in input order: reversed, then every other line swapped.
    output.reverse();
    for pair in output.chunks_mut(2) {
        pair.reverse();
    }
    (output, errors)
}

/// The file part of a multipart body.
fn multipart_file(seen: &Seen) -> String {
    let content_type = seen.header("content-type").unwrap_or_default();
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .unwrap()
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    for part in seen.body_text().split(&delimiter) {
        if part.contains("name=\"file\"") {
            let content = part.split_once("\r\n\r\n").unwrap().1;
            return content.strip_suffix("\r\n").unwrap_or(content).to_string();
        }
    }
    panic!("no file part in {:?}", seen.body_text());
}
