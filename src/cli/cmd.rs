//! `mume cmd`'s own arguments.

pub(super) const CMD_EXAMPLES: &str = "\
Examples:
  mume cmd find files over 100 MB changed this week
  ls -la | mume cmd delete the empty ones        stdin is context
  mume cmd -c keep hidden files                  revise the last one
  mume cmd --shell fish list my abbreviations";

/// `mume cmd`: the wish, and the shell the command is for.
#[derive(Debug, clap::Args)]
pub(crate) struct Cmd {
    /// What the command should do; the words are joined with spaces
    #[arg(value_name = "WISH", required = true)]
    pub(crate) words: Vec<String>,

    /// The shell the command is for [default: the name of $SHELL, else sh]
    #[arg(long, value_name = "NAME")]
    pub(crate) shell: Option<String>,
}
