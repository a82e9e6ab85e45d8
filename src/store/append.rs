//! Writing conversations: appends happen under an exclusive lock and in one write, so
//! concurrent mume processes never interleave, and a failed write is undone.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::Value;

use super::{dir, parse, sendable};

/// A sortable, time-based id for a new conversation; `salt` varies it between attempts.
fn new_id(salt: u32) -> String {
    let now = jiff::Timestamp::now();
    let noise =
        now.subsec_nanosecond() as u32 ^ std::process::id() ^ salt.wrapping_mul(0x9E37_79B9);
    format!("{}-{:04x}", now.strftime("%Y%m%d-%H%M%S"), noise & 0xffff)
}

/// Appends one exchange to a conversation as one unit: `system` (when the conversation's
/// own system message differs from it), then `lines`, then `last`, the answer.
///
/// `read` is what the conversation held when the run read it. When the file was removed
/// since (`history prune`, `history rm`), it is written again whole, `read` first, and
/// said so: the conversation the model saw is not cut to its last exchange.
///
/// Other mume processes may write the same file at once. The exchange is written under an
/// exclusive lock, into the file that is at `path` at that moment (another process may have
/// removed or replaced it since it was opened), and a failed write is undone, so the file
/// is either as it was or holds the whole exchange. A new file appears with its first
/// exchange in it, never empty. Folders are made 0700 and files 0600.
///
/// While another process holds the lock, `wait` is called every few milliseconds, so that
/// the caller can end the run meanwhile (`--max-time`, a signal).
pub(crate) fn append(
    path: &Path,
    read: &[Value],
    system: Option<&Value>,
    lines: &[Value],
    last: &impl Serialize,
    wait: &mut dyn FnMut(),
) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_dir(parent)?;
    }
    let shown = path.display();
    // Each round loses only to another process creating or replacing the file meanwhile.
    for _ in 0..16 {
        let mut file = match OpenOptions::new().read(true).append(true).open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let system = system.and_then(|wanted| differs(read, wanted));
                let write = |file: &File| write_exchange(file, read, system, lines, last, false);
                if create_with(path, write).with_context(|| format!("writing {shown}"))? {
                    if !read.is_empty() {
                        crate::output::ui::warn(&format!(
                            "{shown} was removed while this run continued it; written again whole"
                        ));
                    }
                    return Ok(());
                }
                continue;
            }
            Err(e) => return Err(e).with_context(|| format!("opening {shown}")),
        };
        lock(&file, wait).with_context(|| format!("locking {shown}"))?;
        if !still_at(&file, path) {
            continue;
        }
        let len = file.metadata()?.len();
        let system = match system {
            Some(wanted) if len > 0 => changed_system(&mut file, path, wanted)?,
            other => other,
        };
        let torn = !ends_in_newline(&mut file, len)?;
        if let Err(e) = write_exchange(&file, &[], system, lines, last, torn) {
            // Undo a partial write (a full disk): a torn line would be skipped, but the
            // file must stay as it was.
            let _ = file.set_len(len);
            return Err(e).with_context(|| format!("writing {shown}"));
        }
        return Ok(());
    }
    Err(anyhow::anyhow!(
        "writing {shown}: the file keeps being replaced by another program"
    ))
}

/// Waits for the exclusive lock of `file`, calling `wait` every few milliseconds.
fn lock(file: &File, wait: &mut dyn FnMut()) -> io::Result<()> {
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::WouldBlock) => {
                wait();
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
        }
    }
}

/// `wanted`, unless it is the system message the conversation in `file` holds already.
fn changed_system<'a>(
    file: &mut File,
    path: &Path,
    wanted: &'a Value,
) -> Result<Option<&'a Value>> {
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(0))?;
    file.read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", path.display()))?;
    let held = parse(&bytes, path)?;
    Ok(differs(&held, wanted))
}

/// `wanted`, unless it is the last system message of `held`.
fn differs<'a>(held: &[Value], wanted: &'a Value) -> Option<&'a Value> {
    let current = held.iter().rev().find(|m| m["role"] == "system");
    current
        .is_none_or(|m| sendable(m) != sendable(wanted))
        .then_some(wanted)
}

/// Saves the first exchange of a new conversation in the store under a fresh id, and
/// returns its path. An id another run took at the same moment is passed over, so two
/// conversations never mix.
pub(crate) fn append_new(
    system: Option<&Value>,
    lines: &[Value],
    last: &impl Serialize,
) -> Result<PathBuf> {
    append_new_in(&dir()?, system, lines, last)
}

fn append_new_in(
    dir: &Path,
    system: Option<&Value>,
    lines: &[Value],
    last: &impl Serialize,
) -> Result<PathBuf> {
    create_private_dir(dir)?;
    let write = |file: &File| write_exchange(file, &[], system, lines, last, false);
    for salt in 0..16 {
        let path = dir.join(format!("{}.jsonl", new_id(salt)));
        if create_with(&path, write).with_context(|| format!("writing {}", path.display()))? {
            return Ok(path);
        }
    }
    Err(anyhow::anyhow!(
        "writing in {}: no free conversation id",
        dir.display()
    ))
}

/// Writes the exchange's lines to `file` through a buffer: a long answer is serialized
/// straight into the file, not first into memory whole.
fn write_exchange(
    file: &File,
    before: &[Value],
    system: Option<&Value>,
    lines: &[Value],
    last: &impl Serialize,
    torn: bool,
) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(64 * 1024, file);
    if torn {
        out.write_all(b"\n")?;
    }
    for line in before.iter().chain(system).chain(lines) {
        serde_json::to_writer(&mut out, line)?;
        out.write_all(b"\n")?;
    }
    serde_json::to_writer(&mut out, last)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Creates `path` holding what `write` writes, all at once: written to a file of our own
/// first, then linked into place. False when another process created `path` first.
fn create_with(path: &Path, write: impl Fn(&File) -> io::Result<()>) -> io::Result<bool> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let (own, file) = own_file(path, &options)?;
    let written = write(&file);
    drop(file);
    let linked = written.map(|()| fs::hard_link(&own, path));
    let _ = fs::remove_file(&own);
    match linked? {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        // A file system without hard links: create in place, and take it back on failure.
        Err(_) => {
            let file = match options.open(path) {
                Ok(file) => file,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
                Err(e) => return Err(e),
            };
            write(&file).inspect_err(|_| {
                let _ = fs::remove_file(path);
            })?;
            Ok(true)
        }
    }
}

/// A new file of our own beside `path`, under a name nobody can guess or have made ready
/// (`create_new` also refuses a link planted under that name).
fn own_file(path: &Path, options: &OpenOptions) -> io::Result<(PathBuf, File)> {
    use std::hash::{BuildHasher, RandomState};
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut last = None;
    for _ in 0..8 {
        let noise = RandomState::new().hash_one(SystemTime::now());
        let own = path.with_file_name(format!(".{name}.{}-{noise:016x}.tmp", std::process::id()));
        match options.open(&own) {
            Ok(file) => return Ok((own, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free name")))
}

/// Fails unless a conversation can be written at `path` (`None`: a new one in the store),
/// so that an answer is not paid for and then lost for want of a place to keep it.
pub(crate) fn check_writable(path: Option<&Path>) -> Result<()> {
    let target = match path {
        Some(path) => path.to_path_buf(),
        None => dir()?.join("new.jsonl"),
    };
    let shown = target.display();
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_dir(parent)?;
    }
    if path.is_some() && target.exists() {
        OpenOptions::new()
            .append(true)
            .open(&target)
            .with_context(|| format!("cannot write to {shown}"))?;
        return Ok(());
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    let (own, _) = own_file(&target, &options).with_context(|| format!("cannot create {shown}"))?;
    let _ = fs::remove_file(own);
    Ok(())
}

/// True when `file` is still the file at `path`: not removed, not replaced.
pub(crate) fn still_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(held), Ok(named)) => held.dev() == named.dev() && held.ino() == named.ino(),
        _ => false,
    }
}

/// The file of length `len` ends its last line (an empty file does).
pub(crate) fn ends_in_newline(file: &mut File, len: u64) -> Result<bool> {
    if len == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::read;
    use serde_json::json;

    #[test]
    fn append_repairs_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("c.jsonl");
        let user = json!({"role": "user", "content": "a"});
        append(
            &path,
            &[],
            None,
            &[user],
            &json!({"role": "assistant", "content": "b"}),
            &mut || {},
        )
        .unwrap();
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"role\":\"assist\xe2\x82").unwrap();
        append(
            &path,
            &[],
            None,
            &[],
            &json!({"role": "user", "content": "c"}),
            &mut || {},
        )
        .unwrap();
        let messages = read(&path).unwrap();
        assert_eq!(messages.len(), 3, "the torn line is skipped, the rest kept");
        assert_eq!(messages[2]["content"], "c");
    }

    #[test]
    fn the_system_message_is_written_only_when_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        let terse = json!({"role": "system", "content": "terse"});
        let verbose = json!({"role": "system", "content": "verbose"});
        let answer = json!({"role": "assistant", "content": "ok"});
        for system in [&terse, &terse, &verbose, &verbose] {
            append(&path, &[], Some(system), &[], &answer, &mut || {}).unwrap();
        }
        let systems: Vec<Value> = read(&path)
            .unwrap()
            .into_iter()
            .filter(|m| m["role"] == "system")
            .collect();
        assert_eq!(systems, [terse, verbose]);
        assert!(
            fs::read_dir(dir.path()).unwrap().count() == 1,
            "no file of our own is left beside the conversation"
        );
    }

    #[test]
    fn new_conversations_never_share_a_file() {
        // Far more than 2^8 new conversations in the same second: their 16-bit ids collide.
        let dir = tempfile::tempdir().unwrap();
        let answer = json!({"role": "assistant", "content": "ok"});
        for _ in 0..2000 {
            append_new_in(dir.path(), None, &[], &answer).unwrap();
        }
        for entry in fs::read_dir(dir.path()).unwrap() {
            assert_eq!(read(&entry.unwrap().path()).unwrap().len(), 1);
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2000);
    }
}
