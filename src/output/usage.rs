//! The token counts shown after an answer (`--usage`): a line for people, or one JSON
//! line with the cost, the request id and the timings for scripts (`--usage=json`).

use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::api::assemble::Answer;

/// How `--usage` shows token counts: a line for people, or one of JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum UsageFormat {
    Text,
    Json,
}

/// When the exchange began, and when its first text, reasoning or call arrived (streams).
pub(crate) struct Timing {
    pub(crate) started: Instant,
    pub(crate) first_token: Option<Instant>,
}

/// `tokens: 5 prompt, 2 completion, 7 total`, with `?` for a count the server left out.
pub(crate) fn text_line(usage: &Value) -> String {
    let n = |k: &str| {
        usage
            .get(k)
            .and_then(Value::as_u64)
            .map_or("?".into(), |v| v.to_string())
    };
    format!(
        "tokens: {} prompt, {} completion, {} total",
        n("prompt_tokens"),
        n("completion_tokens"),
        n("total_tokens")
    )
}

/// The counts of a server's `usage`, and its cost. Counts are whole numbers and a cost a
/// number, both not negative; anything else a server sends is left out, so that what is
/// summed adds up.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct Counts {
    pub(crate) prompt: Option<u64>,
    pub(crate) completion: Option<u64>,
    pub(crate) total: Option<u64>,
    pub(crate) reasoning: Option<u64>,
    pub(crate) cached: Option<u64>,
    pub(crate) cost: Option<f64>,
}

impl Counts {
    pub(crate) fn of(usage: &Value) -> Counts {
        let count = |pointer: &str| usage.pointer(pointer).and_then(Value::as_u64);
        Counts {
            prompt: count("/prompt_tokens"),
            completion: count("/completion_tokens"),
            total: count("/total_tokens"),
            reasoning: count("/completion_tokens_details/reasoning_tokens"),
            cached: count("/prompt_tokens_details/cached_tokens"),
            cost: (usage.get("cost").and_then(Value::as_f64))
                .filter(|c| c.is_finite() && *c >= 0.0),
        }
    }
}

/// The `--usage=json` line: the model (the one that answered, when the server named it,
/// else `asked`), the counts, the cost when the server sent one, the request id, the
/// latency and, for a stream, the time to the first token.
pub(crate) fn json_line(
    answer: &Answer,
    asked: &str,
    request_id: Option<&str>,
    timing: &Timing,
) -> Value {
    let usage = answer.usage.as_ref().unwrap_or(&Value::Null);
    let mut line = Map::new();
    line.insert(
        "model".into(),
        Value::from(answer.model.as_deref().unwrap_or(asked)),
    );
    let counts = Counts::of(usage);
    for (key, n) in [
        ("prompt_tokens", counts.prompt),
        ("completion_tokens", counts.completion),
        ("total_tokens", counts.total),
    ] {
        line.insert(key.into(), Value::from(n));
    }
    for (key, n) in [
        ("reasoning_tokens", counts.reasoning),
        ("cached_tokens", counts.cached),
    ] {
        if let Some(n) = n {
            line.insert(key.into(), Value::from(n));
        }
    }
    if let Some(cost) = counts.cost {
        line.insert("cost".into(), Value::from(cost));
    }
    line.insert("request_id".into(), Value::from(request_id));
    let ms = |since: Duration| (since.as_secs_f64() * 10_000.0).round() / 10.0;
    line.insert(
        "latency_ms".into(),
        Value::from(ms(timing.started.elapsed())),
    );
    if let Some(first) = timing.first_token {
        let waited = first.saturating_duration_since(timing.started);
        line.insert("first_token_ms".into(), Value::from(ms(waited)));
    }
    Value::Object(line)
}
