//! The shape of the code: imports point one way, from the modules that run things down to
//! the leaves (README, "How the code is laid out"). Read from the source, tests aside.

use std::path::{Path, PathBuf};

/// Each top-level module and its layer: a module may import only from lower layers.
const LAYERS: [(&str, u8); 18] = [
    ("redact", 0),
    ("text", 1),
    ("template", 1),
    ("error", 2),
    ("check", 3),
    ("config", 4),
    ("api", 5),
    ("output", 6),
    ("store", 7),
    ("cli", 7),
    ("lifecycle", 7),
    ("settings", 8),
    ("http", 9),
    ("exchange", 10),
    ("batch", 11),
    ("commands", 11),
    ("generate", 11),
    ("main", 12),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|&(_, l)| l)
}

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The top-level modules a source file names through `crate::`, its tests left out.
fn imports(text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(list) = rest.strip_prefix('{') {
            let list = &list[..list.find('}').unwrap_or(list.len())];
            found.extend(list.split(',').map(|item| {
                let item = item.trim();
                item[..item.find("::").unwrap_or(item.len())].to_string()
            }));
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            found.push(rest[..end].to_string());
        }
    }
    found
}

#[test]
fn imports_point_from_the_modules_that_run_things_down_to_the_leaves() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut upward = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_string_lossy().trim_end_matches(".rs").to_string();
        let own = layer(&module).unwrap_or_else(|| panic!("{module} has no layer in LAYERS"));
        let text = std::fs::read_to_string(file).unwrap();
        for import in imports(&text) {
            if import != module && layer(&import).is_some_and(|l| l >= own) {
                upward.push(format!("{} imports {import}", relative.display()));
            }
        }
    }
    upward.sort();
    upward.dedup();
    assert!(upward.is_empty(), "imports against the layers: {upward:#?}");
}

#[test]
fn the_import_reader_sees_every_form() {
    let text = "use crate::http::Client;\nuse crate::{api, output::ui};\nlet x = crate::store::read(p);\n#[cfg(test)]\nuse crate::main;";
    assert_eq!(imports(text), ["http", "api", "output", "store"]);
}
