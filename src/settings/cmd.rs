//! What `mume cmd` changes in a request: the shell the command is for, and the built-in
//! system message that asks for one command of it (SPEC §12).

use super::World;
use crate::cli::Cmd;

/// `mume cmd`'s built-in system message: replaced by `-s` or a role's own, and never by
/// the config's general `system`.
pub(super) fn system_for(args: &Cmd, world: &World) -> String {
    let os = world.os.as_deref().unwrap_or(std::env::consts::OS);
    system(os, &shell(args, world))
}

/// The shell named by `--shell`, else the name of `$SHELL`, else `sh`.
pub(super) fn shell(args: &Cmd, world: &World) -> String {
    if let Some(shell) = &args.shell {
        return shell.clone();
    }
    world
        .var("SHELL")
        .and_then(|path| path.rsplit('/').next())
        .filter(|name| !name.is_empty())
        .unwrap_or("sh")
        .to_string()
}

/// The system message that asks for one command of `shell` on `os`.
pub(super) fn system(os: &str, shell: &str) -> String {
    format!(
        "You turn a request into one command for the {shell} shell on {os}. Answer with \
         the command alone: no explanation, no Markdown, no code fences. If the request \
         cannot be met by one command, say so in one sentence."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world(shell: Option<&str>) -> World {
        let mut world = World::default();
        if let Some(shell) = shell {
            world.env.insert("SHELL", shell.to_string());
        }
        world
    }

    #[test]
    fn the_shell_is_named_by_the_flag_then_shell_then_sh() {
        let args = |shell: Option<&str>| Cmd {
            words: vec!["x".into()],
            shell: shell.map(String::from),
        };
        assert_eq!(shell(&args(None), &world(Some("/usr/bin/zsh"))), "zsh");
        assert_eq!(
            shell(&args(Some("fish")), &world(Some("/bin/bash"))),
            "fish"
        );
        assert_eq!(shell(&args(None), &world(None)), "sh");
        assert!(system("Linux (Debian)", "zsh").contains("zsh shell on Linux (Debian)"));
    }
}
