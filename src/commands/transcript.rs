//! `mume history show`: a conversation as a Markdown transcript, a format kept stable
//! between versions (the README documents it):
//!
//! - a first line `# ID · MODEL · TIME` (the model of the last answer, the time of the
//!   first; `-` where there is none);
//! - a section per message, `## system`, `## user`, `## assistant (MODEL)` or
//!   `## tool (CALL_ID)`, then a blank line and the message's text as it was;
//! - an answer's reasoning first, as a block quote; its tool calls after its text, as a
//!   fenced `json` block holding one call a line.

use serde_json::Value;

use crate::text::one_line;

/// The transcript of the conversation `id`.
pub(crate) fn markdown(id: &str, messages: &[Value]) -> String {
    let answers = || messages.iter().filter(|m| m["role"] == "assistant");
    let model = answers().filter_map(|m| m["model"].as_str()).next_back();
    let time = answers().find_map(|m| m["time"].as_str());
    let mut out = format!(
        "# {} · {} · {}\n",
        one_line(id),
        one_line(model.unwrap_or("-")),
        one_line(time.unwrap_or("-"))
    );
    for message in messages {
        out.push('\n');
        section(&mut out, message);
    }
    out
}

fn section(out: &mut String, message: &Value) {
    let role = message["role"].as_str().unwrap_or("unknown");
    let tag = match role {
        "assistant" => message["model"].as_str(),
        "tool" => message["tool_call_id"].as_str(),
        _ => None,
    };
    match tag {
        Some(tag) => out.push_str(&format!("## {} ({})\n", one_line(role), one_line(tag))),
        None => out.push_str(&format!("## {}\n", one_line(role))),
    }
    let mut parts = Vec::new();
    if let Some(reasoning) = message["reasoning"]
        .as_str()
        .filter(|r| !r.trim().is_empty())
    {
        let quoted: Vec<String> = reasoning
            .trim_end()
            .lines()
            .map(|line| format!("> {line}").trim_end().to_string())
            .collect();
        parts.push(quoted.join("\n"));
    }
    let text = text(&message["content"]);
    if !text.trim().is_empty() {
        parts.push(text.trim_end_matches('\n').to_string());
    }
    if let Some(calls) = message["tool_calls"].as_array().filter(|c| !c.is_empty()) {
        let lines: Vec<String> = calls.iter().map(Value::to_string).collect();
        parts.push(format!("```json\n{}\n```", lines.join("\n")));
    }
    for part in parts {
        out.push('\n');
        out.push_str(&part);
        out.push('\n');
    }
}

/// A message's content as text: a string as it is, parts as their text (`[image_url]`
/// for one that has none).
pub(super) fn text(content: &Value) -> String {
    match content {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts
            .iter()
            .map(|part| match part["text"].as_str() {
                Some(text) => text.to_string(),
                None => format!("[{}]", part["type"].as_str().unwrap_or("part")),
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}
