//! A file sent as a multipart form, streamed from disk: the part never sits in memory
//! whole, whatever its size.

use std::fs::File;
use std::os::unix::fs::FileExt;

use reqwest::multipart::{Form, Part};

use super::{Failed, Trouble};
use crate::error::fail;

/// How much of the file one piece of the body holds.
const PIECE: u64 = 256 * 1024;

/// The form: `fields` as text, then `file` (`len` bytes) under the field `file`, named
/// `name`. The file is read from its start with offsets of its own, so each attempt sends
/// it whole and the descriptor's position does not matter.
pub(super) fn form(
    fields: &[(&'static str, &str)],
    file: &File,
    len: u64,
    name: &str,
) -> Result<Form, Failed> {
    let file = file.try_clone().map_err(|e| {
        let error = fail(crate::error::BAD_INPUT, format!("cannot read {name}: {e}"));
        Failed::new(error, Trouble::Final)
    })?;
    let pieces = futures_util::stream::unfold((file, 0u64), move |(file, at)| async move {
        if at >= len {
            return None;
        }
        let mut piece = vec![0; PIECE.min(len - at) as usize];
        match file.read_at(&mut piece, at) {
            // The file shrank under us: the length announced cannot be kept.
            Ok(0) => Some((Err(std::io::ErrorKind::UnexpectedEof.into()), (file, len))),
            Ok(n) => {
                piece.truncate(n);
                Some((Ok::<_, std::io::Error>(piece), (file, at + n as u64)))
            }
            Err(e) => Some((Err(e), (file, len))),
        }
    });
    let part = Part::stream_with_length(reqwest::Body::wrap_stream(pieces), len)
        .file_name(name.to_string())
        .mime_str("application/jsonl")
        .map_err(|e| Failed::new(anyhow::anyhow!("{e}"), Trouble::Final))?;
    let mut form = Form::new();
    for (field, value) in fields {
        form = form.text(*field, value.to_string());
    }
    Ok(form.part("file", part))
}
