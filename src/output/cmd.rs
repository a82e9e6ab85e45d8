//! The answer of `mume cmd` read as one shell command (SPEC §12): a single fenced block
//! becomes its content, an answer wrapped in backticks is unwrapped, a `$ ` prompt is
//! dropped, white space around it is trimmed. An answer that is not one command (several
//! blocks, prose beside its block, paragraphs, lines that are not one command) is refused.

use anyhow::Result;

use crate::error::{DECLINED, fail};
use crate::output::{Out, ui};

/// Prints the one command the answer is; an answer that is not one goes to stderr, and
/// the run declines (exit 3).
pub(crate) fn print(out: &mut Out, answer: &str) -> Result<()> {
    match command(answer) {
        Some(command) => Ok(out.write_line(&command)?),
        None => {
            ui::note(&crate::text::escape(answer.trim_end_matches('\n')));
            Err(fail(
                DECLINED,
                "the answer is not one command (it is above); mume cmd -c can ask again",
            ))
        }
    }
}

/// The one command `answer` holds, or `None` when it holds something else.
pub(crate) fn command(answer: &str) -> Option<String> {
    let text = answer.trim();
    if text.is_empty() {
        return None;
    }
    let fenced = fenced(text)?;
    let (body, from_fence) = match fenced {
        Some(body) => (body, true),
        None => (unwrapped(text), false),
    };
    let lines: Vec<&str> = body.lines().map(without_prompt).collect();
    let command = lines.join("\n").trim().to_string();
    if command.is_empty() {
        return None;
    }
    // Outside a fence, lines are one command only when each ends in a continuation: a
    // second line could be a second command, or a word of explanation.
    let continued = |line: &&str| line.trim_end().ends_with('\\');
    let lines: Vec<&str> = command.lines().collect();
    if !from_fence && !lines[..lines.len() - 1].iter().all(continued) {
        return None;
    }
    Some(command)
}

/// The inside of the answer's one fenced block; `Some(None)` when it has none, `None`
/// when it has several, or text beside its block.
fn fenced(text: &str) -> Option<Option<&str>> {
    let is_fence = |line: &&str| {
        let trimmed = line.trim_start();
        trimmed.starts_with("```") || trimmed.starts_with("~~~")
    };
    let lines: Vec<&str> = text.lines().collect();
    let opens: Vec<usize> = (0..lines.len()).filter(|&i| is_fence(&lines[i])).collect();
    match opens.as_slice() {
        [] => Some(None),
        // Opening and closing fences, on the first and last lines: nothing else beside.
        [first, last] if *first == 0 && *last == lines.len() - 1 => {
            let start = lines[0].len() + 1;
            let end = text.len() - lines[*last].len();
            Some(Some(text.get(start..end).unwrap_or("")))
        }
        // A block left open at the end, as a model cut short may leave it.
        [first] if *first == 0 && lines.len() > 1 => Some(Some(&text[lines[0].len() + 1..])),
        _ => None,
    }
}

/// An answer wrapped in one pair of backticks (or three, on one line), without them.
fn unwrapped(text: &str) -> &str {
    for mark in ["```", "`"] {
        if let Some(inner) = text.strip_prefix(mark).and_then(|t| t.strip_suffix(mark))
            && !inner.contains('`')
        {
            return inner.trim();
        }
    }
    text
}

/// A line without a shell prompt (`$ `) before its command.
fn without_prompt(line: &str) -> &str {
    let trimmed = line.trim_start();
    trimmed.strip_prefix("$ ").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(answer: &str) -> Option<String> {
        command(answer)
    }

    #[test]
    fn the_shapes_models_answer_in() {
        assert_eq!(cleaned("ls -la\n"), Some("ls -la".into()));
        assert_eq!(cleaned("  `du -sh *`  "), Some("du -sh *".into()));
        assert_eq!(
            cleaned("```\nfind . -size +100M\n```"),
            Some("find . -size +100M".into())
        );
        assert_eq!(
            cleaned("```bash\n$ find . -mtime -1\n```\n"),
            Some("find . -mtime -1".into())
        );
        assert_eq!(cleaned("$ git status"), Some("git status".into()));
        assert_eq!(
            cleaned("```sh\ngit log --oneline | head\n"),
            Some("git log --oneline | head".into())
        );
        // A command over several lines, continued, is kept whole.
        assert_eq!(
            cleaned("tar -czf out.tgz \\\n  src/ \\\n  tests/"),
            Some("tar -czf out.tgz \\\n  src/ \\\n  tests/".into())
        );
        // A fenced script is one command however many lines it has.
        assert_eq!(
            cleaned("```bash\nfor f in *.log; do\n  gzip \"$f\"\ndone\n```"),
            Some("for f in *.log; do\n  gzip \"$f\"\ndone".into())
        );
        // Backticks inside a command are its own.
        assert_eq!(cleaned("echo `date`"), Some("echo `date`".into()));
    }

    #[test]
    fn what_is_not_one_command_is_refused() {
        for answer in [
            "",
            "   \n",
            "```\nls\n```\nThis lists the files.",
            "Run this:\n```\nls\n```",
            "```\nls -l\n```\nor\n```\nls -la\n```",
            "ls -la\n\nThis shows hidden files too.",
            "ls -l\nls -la",
            "```\n```",
        ] {
            assert_eq!(command(answer), None, "{answer:?}");
        }
    }
}
