//! The subcommands: `models`, `history`, `roles` and `config`.

pub(crate) mod config;
pub(crate) mod history;
pub(crate) mod roles;
pub(crate) mod shell_init;
pub(crate) mod stats;
mod transcript;

use anyhow::Result;
use reqwest::Method;
use serde_json::Value;

use crate::api::assemble;
use crate::error::{PROTOCOL, fail};
use crate::http::Client;
use crate::output::Out;
use crate::settings::Settings;

/// `mume models`: the server's model ids, sorted, one a line; `--json` the body as received.
pub(crate) fn models(settings: &Settings) -> Result<u8> {
    let client = Client::new(&settings.transport)?;
    let mut response = client.send(Method::GET, "/models", None)?;
    let body = assemble::read_body(&mut response)?;
    let mut out = Out::stdout();
    if settings.output.json {
        out.write_line(&String::from_utf8_lossy(&body))?;
        out.flush()?;
        return Ok(0);
    }
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| fail(PROTOCOL, format!("the model list is not valid JSON: {e}")))?;
    let list = value
        .get("data")
        .or_else(|| value.get("models"))
        .and_then(Value::as_array)
        .ok_or_else(|| fail(PROTOCOL, "the model list has no `data` array"))?;
    let mut ids: Vec<&str> = list
        .iter()
        .filter_map(|m| {
            m.get("id")
                .or_else(|| m.get("name"))
                .and_then(Value::as_str)
        })
        .collect();
    ids.sort_unstable();
    for id in ids {
        // The ids are the server's text, bound for a terminal.
        out.write_line(&crate::text::escape(&crate::redact::redact(id)))?;
    }
    out.flush()?;
    Ok(0)
}

/// `mume config path`: where the config file is read from, whether or not it exists.
pub(crate) fn config_path() -> Result<u8> {
    let path = crate::config::path()
        .map(|(p, _)| p.display().to_string())
        .ok_or_else(|| anyhow::anyhow!("no config file path: HOME is not set"))?;
    let mut out = Out::stdout();
    out.write_line(&path)?;
    out.flush()?;
    Ok(0)
}
