//! The request parts that come from files: tool definitions, the JSON schema for
//! structured output, and image attachments, read within the deadline.

use std::path::Path;

use anyhow::Result;
use serde_json::{Map, Value, json};

use super::gather::READING_FILES;
use crate::error::{USAGE, fail};
use crate::lifecycle::Deadline;
use crate::settings::{FieldFile, Request};

/// The request fields, with those whose value is a file's read in their place.
pub(crate) fn fields(request: &Request, deadline: Deadline) -> Result<Map<String, Value>> {
    let mut fields = request.fields.clone();
    let files = request.files.clone();
    let read = deadline.bound(READING_FILES, move || {
        let read = files.into_iter().map(|(key, file)| {
            let value = match file {
                FieldFile::Tools(path) => read_tools(&path)?,
                FieldFile::Schema(schema) => response_format(&schema)?,
            };
            Ok((key, value))
        });
        read.collect::<Result<Vec<_>>>()
    })?;
    fields.extend(read);
    Ok(fields)
}

/// `-a`: each attachment as an image part.
pub(crate) fn attachments(attach: &[String], deadline: Deadline) -> Result<Vec<Value>> {
    if attach.is_empty() {
        return Ok(Vec::new());
    }
    let attach = attach.to_vec();
    deadline.bound(READING_FILES, move || {
        attach.iter().map(|a| attachment(a)).collect()
    })
}

/// Reads `--tools FILE`: a JSON array of OpenAI tool objects.
pub(crate) fn read_tools(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        fail(
            USAGE,
            format!("cannot read --tools file {}: {e}", path.display()),
        )
    })?;
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        fail(
            USAGE,
            format!("--tools file {} is not valid JSON: {e}", path.display()),
        )
    })?;
    let Some(tools) = value.as_array() else {
        return Err(fail(
            USAGE,
            format!(
                "--tools file {} must hold a JSON array of tools",
                path.display()
            ),
        ));
    };
    for (i, tool) in tools.iter().enumerate() {
        let name = tool.pointer("/function/name").and_then(Value::as_str);
        if tool.get("type").and_then(Value::as_str) != Some("function") || name.is_none() {
            return Err(fail(
                USAGE,
                format!(
                    "--tools file {}: tool {i} needs \"type\": \"function\" and a function.name",
                    path.display()
                ),
            ));
        }
    }
    Ok(value)
}

/// `--schema FILE|JSON` as a `response_format`; a value with the `{name, schema}` wrapper
/// is sent as given.
pub(crate) fn response_format(arg: &str) -> Result<Value> {
    let trimmed = arg.trim_start();
    let (text, origin) = if trimmed.starts_with('{') {
        (arg.to_string(), "--schema value".to_string())
    } else {
        let text = std::fs::read_to_string(arg)
            .map_err(|e| fail(USAGE, format!("cannot read --schema file {arg}: {e}")))?;
        (text, format!("--schema file {arg}"))
    };
    let schema: Value = serde_json::from_str(&text)
        .map_err(|e| fail(USAGE, format!("{origin} is not valid JSON: {e}")))?;
    if !schema.is_object() {
        return Err(fail(USAGE, format!("{origin} must be a JSON object")));
    }
    let wrapped = schema.get("name").is_some() && schema.get("schema").is_some();
    let json_schema = if wrapped {
        schema
    } else {
        json!({"name": "response", "schema": schema, "strict": true})
    };
    Ok(json!({"type": "json_schema", "json_schema": json_schema}))
}

/// `--attach FILE|URL`: an `image_url` content part; local files become data URLs.
pub(crate) fn attachment(arg: &str) -> Result<Value> {
    let lower = arg.to_ascii_lowercase();
    let url = if ["http://", "https://", "data:"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        arg.to_string()
    } else {
        let bytes = std::fs::read(arg)
            .map_err(|e| fail(USAGE, format!("cannot read attachment {arg}: {e}")))?;
        let mime = image_type(&bytes).ok_or_else(|| {
            fail(
                USAGE,
                format!("attachment {arg} is not a PNG, JPEG, GIF or WebP image"),
            )
        })?;
        format!("data:{mime};base64,{}", base64(&bytes))
    };
    Ok(json!({"type": "image_url", "image_url": {"url": url}}))
}

fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, want) in cases {
            assert_eq!(base64(input.as_bytes()), want);
        }
    }

    #[test]
    fn schema_is_wrapped_unless_already() {
        let v = response_format(r#"{"type":"object"}"#).unwrap();
        assert_eq!(v["json_schema"]["name"], "response");
        assert_eq!(v["json_schema"]["strict"], true);
        let v = response_format(r#"{"name":"x","schema":{"type":"object"}}"#).unwrap();
        assert_eq!(v["json_schema"]["name"], "x");
        assert!(v["json_schema"].get("strict").is_none());
    }

    #[test]
    fn images_by_magic_bytes() {
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(image_type(b"%PDF-1.4"), None);
    }
}
