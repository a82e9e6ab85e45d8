//! `mume history stats`: what the stored answers cost, summed from the usage each
//! assistant line recorded (SPEC §13). The store is read a line at a time, so memory stays
//! bounded however many conversations it holds.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};

use anyhow::Result;
use serde_json::{Value, json};

use crate::output::usage::Counts;
use crate::output::{Out, ui};
use crate::store;

/// How the sums are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum By {
    Model,
    Day,
}

/// The sums of one group.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Sums {
    requests: u64,
    prompt: u64,
    completion: u64,
    reasoning: u64,
    cached: u64,
    cost: f64,
    /// Whether any answer's server reported a cost.
    costed: bool,
    /// Answers whose server reported no usage.
    without_usage: u64,
}

impl Sums {
    fn add(&mut self, line: &Value) {
        self.requests = self.requests.saturating_add(1);
        let Some(usage) = line.get("usage").filter(|u| u.is_object()) else {
            self.without_usage = self.without_usage.saturating_add(1);
            return;
        };
        let counts = Counts::of(usage);
        // A stored count of any size adds up without overflow.
        let add = |sum: &mut u64, n: Option<u64>| *sum = sum.saturating_add(n.unwrap_or(0));
        add(&mut self.prompt, counts.prompt);
        add(&mut self.completion, counts.completion);
        add(&mut self.reasoning, counts.reasoning);
        add(&mut self.cached, counts.cached);
        if let Some(cost) = counts.cost {
            self.cost += cost;
            self.costed = true;
        }
    }
}

/// Sums the answers received at `since` or later, grouped `by` model or day (UTC), or all
/// together. An answer is an assistant line with the time mume wrote on it; assistant
/// lines given with `--messages` carry none and were no request.
pub(crate) fn stats(
    since: Option<jiff::Timestamp>,
    by: Option<By>,
    json: bool,
    out: &mut Out,
) -> Result<u8> {
    let (mut groups, untimed) = sum_store(since, by)?;
    if by.is_none() && groups.is_empty() {
        groups.insert("all".to_string(), Sums::default());
    }
    let width = groups.keys().map(|k| k.chars().count()).max().unwrap_or(0);
    for (key, sums) in &groups {
        out.write_line(&match json {
            true => row_json(by, key, sums).to_string(),
            false => row_text(by, key, width, sums),
        })?;
    }
    out.flush()?;
    let without: u64 = groups.values().map(|s| s.without_usage).sum();
    if without > 0 {
        ui::warn(&format!(
            "{} had no usage recorded: counted as requests only",
            plural(without, "answer")
        ));
    }
    if untimed > 0 {
        ui::warn(&format!(
            "{} without a time (given with --messages, or edited) left out",
            plural(untimed, "assistant line")
        ));
    }
    Ok(0)
}

/// The sums of each group over the store, read a line at a time, and how many assistant
/// lines had no time.
fn sum_store(
    since: Option<jiff::Timestamp>,
    by: Option<By>,
) -> Result<(BTreeMap<String, Sums>, u64)> {
    let mut groups: BTreeMap<String, Sums> = BTreeMap::new();
    let mut untimed = 0u64;
    for (path, _) in store::list()? {
        let file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(e) => {
                ui::warn(&format!("{}: {e}", path.display()));
                continue;
            }
        };
        for line in BufReader::new(file).split(b'\n') {
            let Ok(line) = line else { break };
            // A byte that is not UTF-8 spoils a character, not the line or the rest.
            let Ok(value) = serde_json::from_str::<Value>(&String::from_utf8_lossy(&line)) else {
                continue;
            };
            if value["role"] != "assistant" {
                continue;
            }
            let Some(time) = value["time"]
                .as_str()
                .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            else {
                untimed += 1;
                continue;
            };
            if since.is_some_and(|since| time < since) {
                continue;
            }
            let key = match by {
                Some(By::Model) => match value["model"].as_str() {
                    Some(model) => model.to_string(),
                    None => "(no model)".to_string(),
                },
                Some(By::Day) => time.to_zoned(jiff::tz::TimeZone::UTC).date().to_string(),
                None => "all".to_string(),
            };
            groups.entry(key).or_default().add(&value);
        }
    }
    Ok((groups, untimed))
}

/// A sum of decimal prices without its float noise (0.1 + 0.2): no price is finer than a
/// billionth. Sums too large to scale stay as they are.
fn rounded(cost: f64) -> f64 {
    match cost.is_finite() && cost.abs() < 1e290 {
        true => (cost * 1e9).round() / 1e9,
        false => cost,
    }
}

/// `1 answer`, `2 answers`, for counts summed as u64.
fn plural(n: u64, what: &str) -> String {
    crate::text::plural(usize::try_from(n).unwrap_or(usize::MAX), what)
}

fn row_json(by: Option<By>, key: &str, sums: &Sums) -> Value {
    let mut row = json!({
        "requests": sums.requests,
        "prompt_tokens": sums.prompt,
        "completion_tokens": sums.completion,
        "reasoning_tokens": sums.reasoning,
        "cached_tokens": sums.cached,
        "cost": sums.costed.then(|| rounded(sums.cost)),
        "without_usage": sums.without_usage,
    });
    match by {
        Some(By::Model) => row["model"] = json!(key),
        Some(By::Day) => row["day"] = json!(key),
        None => {}
    }
    row
}

/// A group's line, its key padded to `width` characters.
fn row_text(by: Option<By>, key: &str, width: usize, sums: &Sums) -> String {
    let head = match by {
        Some(_) => format!("{:width$}  ", crate::text::one_line(key)),
        None => String::new(),
    };
    let cost = match sums.costed {
        true => format!("cost {}", rounded(sums.cost)),
        false => "no cost reported".to_string(),
    };
    format!(
        "{head}{}, {} prompt, {} completion, {} reasoning, {} cached tokens, {cost}",
        plural(sums.requests, "request"),
        sums.prompt,
        sums.completion,
        sums.reasoning,
        sums.cached
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_add_usage_and_count_lines_without_it() {
        let mut sums = Sums::default();
        sums.add(
            &json!({"usage": {"prompt_tokens": 5, "completion_tokens": 2,
            "completion_tokens_details": {"reasoning_tokens": 1}, "cost": 0.5}}),
        );
        sums.add(&json!({"usage": {"prompt_tokens": "x", "cost": -1}}));
        sums.add(&json!({"content": "no usage"}));
        assert_eq!(sums.requests, 3);
        assert_eq!((sums.prompt, sums.completion, sums.reasoning), (5, 2, 1));
        assert_eq!(sums.cost, 0.5);
        assert_eq!(sums.without_usage, 1);
        let mut noisy = Sums::default();
        for _ in 0..5 {
            noisy.add(&json!({"usage": {"cost": 0.0012}}));
        }
        assert_eq!(row_json(None, "all", &noisy)["cost"], json!(0.006));
        let text = row_text(Some(By::Model), "m", 3, &sums);
        assert!(text.starts_with("m    3 requests, 5 prompt"), "{text}");
        // Counts of any size add up without overflow.
        let huge = json!({"usage": {"prompt_tokens": u64::MAX, "cost": f64::MAX}});
        sums.add(&huge);
        sums.add(&huge);
        assert_eq!(sums.prompt, u64::MAX);
        assert!(
            row_json(None, "all", &sums)
                .to_string()
                .contains("18446744073709551615")
        );
    }
}
