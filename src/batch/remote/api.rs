//! The OpenAI Files and Batches API, as far as a job needs it: upload an input file,
//! create a batch, look at it, cancel it, list them, download an output file.

use std::fs::File;

use anyhow::Result;
use reqwest::Method;
use serde_json::{Value, json};

use crate::api::assemble::read_body;
use crate::error::{PROTOCOL, REJECTED, exit_code, fail};
use crate::http::{Client, Failed, Trouble};

/// Uploads a part's input file; its file id.
pub(super) fn upload(client: &Client, file: &File, len: u64, name: &str) -> Result<String> {
    let fields = [("purpose", "batch")];
    let response = client
        .upload("/files", &fields, file, len, name)
        .map_err(no_batch_api)?;
    let uploaded = json_of(response, "the uploaded file")?;
    id_of(&uploaded, "the uploaded file")
}

/// A server without the Files API answers 404, 405 or 501: a hint beats the status.
fn no_batch_api(failed: Failed) -> anyhow::Error {
    match failed.trouble {
        Trouble::Status {
            status: 404 | 405 | 501,
            ..
        } => fail(
            REJECTED,
            format!(
                "{:#} (hint: this server has no Batch API; run mume batch without --submit to send the rows from here)",
                failed.error
            ),
        ),
        _ => failed.error,
    }
}

/// Creates the batch of an uploaded part; the batch object.
pub(super) fn create(client: &Client, file_id: &str, job: &str, part: usize) -> Result<Value> {
    let body = json!({
        "input_file_id": file_id,
        "endpoint": "/v1/chat/completions",
        "completion_window": "24h",
        "metadata": {"mume_job": job, "mume_part": part.to_string()},
    });
    let response = client
        .try_send(Method::POST, "/batches", Some(body.to_string().as_bytes()))
        .map_err(|failed| failed.error)?;
    let batch = json_of(response, "the new batch")?;
    id_of(&batch, "the new batch")?;
    Ok(batch)
}

/// A batch as the server has it now, and when the server asks to be asked again.
pub(super) fn get(
    client: &Client,
    batch_id: &str,
) -> Result<(Value, Option<std::time::Duration>), Failed> {
    let response = client.try_send(Method::GET, &format!("/batches/{batch_id}"), None)?;
    let again = crate::http::retry::retry_after(response.headers());
    let batch = json_of(response, "the batch").map_err(|e| Failed::new(e, Trouble::Final))?;
    Ok((batch, again))
}

/// Asks for a batch to be cancelled; the batch object, or the failure.
pub(super) fn cancel(client: &Client, batch_id: &str) -> Result<Value, Failed> {
    let path = format!("/batches/{batch_id}/cancel");
    let response = client.try_send(Method::POST, &path, None)?;
    json_of(response, "the batch").map_err(|e| Failed::new(e, Trouble::Final))
}

/// A page of the server's batches, after `after` when given.
pub(super) fn list(client: &Client, after: Option<&str>) -> Result<Value> {
    let path = match after {
        Some(after) => format!("/batches?limit=100&after={after}"),
        None => "/batches?limit=100".to_string(),
    };
    let response = client
        .try_send(Method::GET, &path, None)
        .map_err(|f| f.error)?;
    json_of(response, "the list of batches")
}

/// Copies an output or error file into `to`; a download that breaks starts over.
pub(super) fn download(client: &Client, file_id: &str, to: &mut File) -> Result<()> {
    use std::io::Seek;
    let path = format!("/files/{file_id}/content");
    client.send_with(Method::GET, &path, None, &mut |mut response| {
        to.set_len(0)?;
        to.rewind()?;
        std::io::copy(&mut response, to).map_err(|e| crate::error::broken(&e, false))?;
        Ok(())
    })
}

fn json_of(mut response: crate::http::Response<'_>, what: &str) -> Result<Value> {
    let body = read_body(&mut response)?;
    serde_json::from_slice(&body)
        .map_err(|e| fail(PROTOCOL, format!("{what} is not valid JSON: {e}")))
}

fn id_of(object: &Value, what: &str) -> Result<String> {
    object["id"]
        .as_str()
        .filter(|id| plain_id(id))
        .map(String::from)
        .ok_or_else(|| {
            fail(
                PROTOCOL,
                format!("{what} has no id mume can use (letters, digits, `-`, `_`, `.`, `:`)"),
            )
        })
}

/// An id that can stand in a URL's path as it is: letters, digits, `-`, `_`, `.` and `:`,
/// not `.` or `..`. Files and batches are named so by OpenAI and the servers that follow it.
pub(super) fn plain_id(id: &str) -> bool {
    !id.is_empty()
        && id != "."
        && id != ".."
        && id.len() <= 256
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// The exit code of a failure, for callers that go on after one.
pub(super) fn code_of(failed: &Failed) -> u8 {
    exit_code(&failed.error)
}
