//! Roles kept as files: where they are looked for, and reading one. A role file's text is
//! the role's system message; TOML front matter between two `+++` lines may give its other
//! settings. In a folder, `NAME.md` and `NAME/system.md` (the layout of fabric's pattern
//! library) are both the role NAME.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Deserialize;

use super::Role;
use crate::error::{CONFIG, fail};

/// A role file found for a name, and its bytes, or why they could not be read.
#[derive(Debug, Clone)]
pub(crate) struct RoleFile {
    pub(crate) name: String,
    pub(crate) path: PathBuf,
    pub(crate) bytes: std::result::Result<Vec<u8>, String>,
}

/// The most a role file may hold: a system message, not a corpus (that is what -f is for).
const ROLE_LIMIT: u64 = 1 << 20;

/// Reads a role file: a regular file (not a FIFO or a device, which could keep the run
/// waiting or fill its memory) of at most `ROLE_LIMIT` bytes.
pub(crate) fn read_role(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file"
        };
        return Err(std::io::Error::other(what));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(ROLE_LIMIT + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > ROLE_LIMIT {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB",
            ROLE_LIMIT >> 20
        )));
    }
    Ok(bytes)
}

/// The folders role files are looked for in, in order: `roles/` in the config folder
/// (`$XDG_CONFIG_HOME/mume`, else `~/.config/mume`), then each of config's `roles_path`,
/// where `~/` is the home folder and a relative path is taken from the config file's
/// folder.
pub(crate) fn role_dirs(
    env: impl Fn(&str) -> Option<String>,
    config_file: Option<&Path>,
    roles_path: &[String],
) -> Vec<PathBuf> {
    let home = env("HOME").map(PathBuf::from);
    let config_dir = env("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| home.as_ref().map(|h| h.join(".config")));
    let mut dirs: Vec<PathBuf> = config_dir
        .map(|dir| dir.join("mume").join("roles"))
        .into_iter()
        .collect();
    let beside = config_file.and_then(Path::parent).map(Path::to_path_buf);
    for entry in roles_path {
        let dir = match (entry.strip_prefix("~/"), &home) {
            (Some(rest), Some(home)) => home.join(rest),
            _ if entry == "~" => home.clone().unwrap_or_else(|| PathBuf::from(entry)),
            _ => match &beside {
                Some(beside) => beside.join(entry),
                None => PathBuf::from(entry),
            },
        };
        dirs.push(dir);
    }
    dirs
}

/// The two places a role NAME may be in a folder.
fn candidates(dir: &Path, name: &str) -> [PathBuf; 2] {
    [
        dir.join(format!("{name}.md")),
        dir.join(name).join("system.md"),
    ]
}

/// Whether a word can name a role file: a file name, not hidden, one line.
fn is_file_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains('/')
        && !name.chars().any(char::is_control)
}

/// The first file in `dirs` that is the role `name`, read, or why it cannot be; `None`
/// when there is none.
pub(crate) fn find_role(name: &str, dirs: &[PathBuf]) -> Option<RoleFile> {
    if !is_file_name(name) {
        return None;
    }
    for dir in dirs {
        for path in candidates(dir, name) {
            let bytes = match read_role(&path) {
                Ok(bytes) => Ok(bytes),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                    ) =>
                {
                    continue;
                }
                Err(e) => Err(format!("cannot read role file {}: {e}", path.display())),
            };
            let name = name.to_string();
            return Some(RoleFile { name, path, bytes });
        }
    }
    None
}

/// Every role file in `dirs`, the first of each name, sorted by name; read when `read`
/// says so (a listing of names needs only the folders). A folder that is missing is no
/// roles.
pub(crate) fn list_roles(dirs: &[PathBuf], read: bool) -> Vec<RoleFile> {
    let mut found: BTreeMap<String, RoleFile> = BTreeMap::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut here: Vec<(String, PathBuf)> = entries
            .filter_map(|entry| {
                let entry = entry.ok()?;
                let file_name = entry.file_name().into_string().ok()?;
                let path = entry.path();
                let name = match file_name.strip_suffix(".md") {
                    Some(stem) if path.is_file() => stem.to_string(),
                    _ if path.join("system.md").is_file() => file_name,
                    _ => return None,
                };
                is_file_name(&name).then_some((name, path))
            })
            .collect();
        // `NAME.md` before `NAME/system.md`, as `find_role` looks.
        here.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.is_file().cmp(&a.1.is_file())));
        for (name, path) in here {
            let path = if path.is_dir() {
                path.join("system.md")
            } else {
                path
            };
            found.entry(name.clone()).or_insert_with(|| RoleFile {
                name,
                bytes: match read {
                    true => read_role(&path)
                        .map_err(|e| format!("cannot read role file {}: {e}", path.display())),
                    false => Ok(Vec::new()),
                },
                path,
            });
        }
    }
    found.into_values().collect()
}

/// The front matter a role file may start with.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    model: Option<String>,
    temperature: Option<f64>,
    max_tokens: Option<u64>,
    prompt: Option<String>,
    #[serde(default)]
    options: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    defaults: BTreeMap<String, String>,
}

/// Reads a role file: its front matter, if any, then its text as the system message.
/// Errors are configuration errors naming the file and, for the front matter, the line.
pub(crate) fn parse_role_file(bytes: &[u8], path: &Path) -> Result<Role> {
    let bad = |at: Option<usize>, message: String| {
        let at = at.map(|line| format!(", line {line}")).unwrap_or_default();
        fail(
            CONFIG,
            format!("bad role file {}{at}: {message}", path.display()),
        )
    };
    let text = std::str::from_utf8(bytes)
        .map_err(|e| bad(None, format!("not UTF-8 (at byte {})", e.valid_up_to())))?;
    let text = crate::check::strip_bom(text);
    let splits = front_matter_splits(text);
    let (front, body) = match splits.as_deref() {
        None => (FrontMatter::default(), text),
        Some([]) => {
            return Err(bad(
                Some(1),
                "the front matter's +++ is never closed".into(),
            ));
        }
        // A `+++` line inside a multi-line string is not the end: the first end after
        // which the front matter reads is (of the first few, so that a file of fences
        // costs little); none reads, the first one's error is told.
        Some(splits) => {
            let read = |front: &str| toml::from_str::<FrontMatter>(front);
            match splits
                .iter()
                .take(FENCES_TRIED)
                .find_map(|&(f, b)| read(f).ok().map(|f| (f, b)))
            {
                Some(found) => found,
                None => {
                    let front = splits[0].0;
                    let e = read(front).unwrap_err();
                    // The front matter starts on the file's second line.
                    let line = e
                        .span()
                        .map(|span| front[..span.start].matches('\n').count() + 2);
                    return Err(bad(line, e.message().trim_end().to_string()));
                }
            }
        }
    };
    let body = body.trim_start_matches(['\n', '\r']).trim_end();
    let role = Role {
        system: (!body.is_empty()).then(|| body.to_string()),
        model: front.model,
        temperature: front.temperature,
        max_tokens: front.max_tokens,
        prompt: front.prompt,
        options: front.options,
        defaults: front.defaults,
    };
    super::check_role(&role).map_err(|e| bad(None, e))?;
    Ok(role)
}

/// How many `+++` lines are tried as the end of the front matter.
const FENCES_TRIED: usize = 8;

/// Each way to take front matter off the text (a first line `+++`, up to a later such
/// line) with the text after it, nearest end first; `None` without front matter.
fn front_matter_splits(text: &str) -> Option<Vec<(&str, &str)>> {
    let is_fence = |line: &str| line.trim_end() == "+++";
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if !is_fence(&text[..first_end]) {
        return None;
    }
    let mut splits = Vec::new();
    let mut at = first_end;
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        if is_fence(&text[at..end]) {
            splits.push((&text[first_end..at], &text[end..]));
        }
        at = end;
    }
    Some(splits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Role> {
        parse_role_file(text.as_bytes(), Path::new("/r/x.md"))
    }

    #[test]
    fn text_alone_is_the_system_message() {
        let role = parse("\n# IDENTITY\n\nYou summarize.\n\n").unwrap();
        assert_eq!(role.system.as_deref(), Some("# IDENTITY\n\nYou summarize."));
        assert_eq!(role.model, None);
    }

    #[test]
    fn front_matter_gives_the_other_settings() {
        let role = parse(
            "+++\nmodel = \"m\"\ntemperature = 0.2\nmax_tokens = 9\nprompt = \"In {{lang}}: {{input}}\"\n[options]\ntop_p = 0.5\n[defaults]\nlang = \"French\"\n+++\nTranslate.\n",
        )
        .unwrap();
        assert_eq!(role.system.as_deref(), Some("Translate."));
        assert_eq!(role.model.as_deref(), Some("m"));
        assert_eq!(role.temperature, Some(0.2));
        assert_eq!(role.max_tokens, Some(9));
        assert_eq!(role.prompt.as_deref(), Some("In {{lang}}: {{input}}"));
        assert_eq!(role.options["top_p"], 0.5);
        assert_eq!(role.defaults["lang"], "French");
    }

    #[test]
    fn crlf_and_a_bom_are_read() {
        let role = parse("\u{feff}+++\r\nmodel = \"m\"\r\n+++\r\nHi.\r\n").unwrap();
        assert_eq!(role.model.as_deref(), Some("m"));
        assert_eq!(role.system.as_deref(), Some("Hi."));
    }

    #[test]
    fn front_matter_only_has_no_system() {
        let role = parse("+++\nprompt = \"p\"\n+++\n").unwrap();
        assert_eq!(role.system, None);
        assert_eq!(role.prompt.as_deref(), Some("p"));
    }

    #[test]
    fn a_plus_line_inside_a_string_does_not_end_the_front_matter() {
        let role = parse("+++\nprompt = \"\"\"\na\n+++\nb\"\"\"\n+++\nText.\n+++\nmore\n").unwrap();
        assert_eq!(role.prompt.as_deref(), Some("a\n+++\nb"));
        assert_eq!(role.system.as_deref(), Some("Text.\n+++\nmore"));
    }

    #[test]
    fn a_file_of_fences_is_read_quickly() {
        let text = "+++\n\"\n".to_string() + &"+++\n".repeat(60_000);
        let started = std::time::Instant::now();
        assert!(parse(&text).is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn plus_signs_later_in_the_text_are_text() {
        let role = parse("Hi\n+++\nmodel = 1\n+++\n").unwrap();
        assert_eq!(role.system.as_deref(), Some("Hi\n+++\nmodel = 1\n+++"));
    }

    #[test]
    fn errors_name_the_file_and_the_line() {
        let message = |text: &str| format!("{:#}", parse(text).unwrap_err());
        let m = message("+++\nmodel = \"m\"\ntemprature = 1\n+++\nx\n");
        assert!(m.starts_with("bad role file /r/x.md, line 3: "), "{m}");
        assert!(m.contains("temprature"), "{m}");
        let m = message("+++\nmodel = \"m\"\n");
        assert!(m.contains("/r/x.md, line 1"), "{m}");
        assert!(m.contains("never closed"), "{m}");
        let m = message("+++\nsystem = \"s\"\n+++\n");
        assert!(m.contains("line 2") && m.contains("system"), "{m}");
        let m = message("Use {{input}} here.");
        assert!(m.contains("{{input}}"), "{m}");
        let m = message("+++\ntemperature = 7\n+++\n");
        assert!(m.contains("temperature"), "{m}");
        let err = parse_role_file(b"ab\xffc", Path::new("/r/x.md")).unwrap_err();
        assert!(format!("{err:#}").contains("not UTF-8 (at byte 2)"));
    }

    #[test]
    fn folders_are_looked_in_order() {
        let env = |name: &str| match name {
            "HOME" => Some("/h".to_string()),
            _ => None,
        };
        let dirs = role_dirs(
            env,
            Some(Path::new("/c/mume/config.toml")),
            &["~/fabric".into(), "patterns".into(), "/abs".into()],
        );
        let dirs: Vec<&str> = dirs.iter().map(|d| d.to_str().unwrap()).collect();
        assert_eq!(
            dirs,
            [
                "/h/.config/mume/roles",
                "/h/fabric",
                "/c/mume/patterns",
                "/abs"
            ]
        );
    }

    #[test]
    fn files_are_found_and_listed_first_of_each_name() {
        let one = tempfile::tempdir().unwrap();
        let two = tempfile::tempdir().unwrap();
        std::fs::write(one.path().join("a.md"), "one a").unwrap();
        std::fs::create_dir(two.path().join("a")).unwrap();
        std::fs::write(two.path().join("a").join("system.md"), "two a").unwrap();
        std::fs::create_dir(two.path().join("b")).unwrap();
        std::fs::write(two.path().join("b").join("system.md"), "two b").unwrap();
        std::fs::create_dir(two.path().join("empty")).unwrap();
        std::fs::write(two.path().join(".hidden.md"), "no").unwrap();
        std::fs::write(two.path().join("notes.txt"), "no").unwrap();
        let dirs = [one.path().to_path_buf(), two.path().to_path_buf()];
        let a = find_role("a", &dirs).unwrap();
        assert_eq!(a.bytes.unwrap(), b"one a");
        let b = find_role("b", &dirs).unwrap();
        assert_eq!(b.path, two.path().join("b").join("system.md"));
        assert!(find_role("empty", &dirs).is_none());
        assert!(find_role(".hidden", &dirs).is_none());
        let listed: Vec<(String, Vec<u8>)> = list_roles(&dirs, true)
            .into_iter()
            .map(|f| (f.name, f.bytes.unwrap()))
            .collect();
        assert_eq!(
            listed,
            [
                ("a".to_string(), b"one a".to_vec()),
                ("b".to_string(), b"two b".to_vec())
            ]
        );
    }

    #[test]
    fn only_regular_files_of_a_bounded_size_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo.md");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        // Opening a FIFO with no writer would wait forever: it is refused unopened.
        let err = read_role(&fifo).unwrap_err();
        assert_eq!(err.to_string(), "not a regular file");
        let big = dir.path().join("big.md");
        std::fs::write(&big, vec![b'a'; (ROLE_LIMIT + 1) as usize]).unwrap();
        assert_eq!(
            read_role(&big).unwrap_err().to_string(),
            "larger than 1 MiB"
        );
        assert_eq!(read_role(dir.path()).unwrap_err().to_string(), "a folder");
        // A listing names only regular files, and says why one cannot be read.
        let listed = list_roles(&[dir.path().to_path_buf()], true);
        assert_eq!(listed.len(), 1);
        assert!(
            listed[0]
                .bytes
                .as_ref()
                .unwrap_err()
                .contains("larger than 1 MiB")
        );
        let dirs = [dir.path().to_path_buf()];
        let fifo = find_role("fifo", &dirs).unwrap();
        assert!(
            fifo.bytes
                .unwrap_err()
                .ends_with("fifo.md: not a regular file")
        );
    }
}
