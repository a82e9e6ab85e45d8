//! `mume history`'s and `mume roles`'s actions.

use clap::{Subcommand, ValueEnum};

/// `mume roles`'s actions.
#[derive(Debug, Subcommand)]
pub(crate) enum RolesAction {
    /// Print a role as a role file: its settings, and its text with its parameters filled (-p, then defaults)
    Show {
        /// The role's name, or the path of a role file
        #[arg(value_name = "ROLE")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum HistoryAction {
    /// Print one conversation (`--json`: as a messages array)
    Show {
        /// Conversation id, or a unique prefix of one
        id: String,
    },
    /// Delete one conversation
    Rm {
        /// Conversation id, or a unique prefix of one
        id: String,
    },
    /// List the conversations where a message holds TEXT (any case), newest first
    Search {
        /// The text to look for; several words are joined with spaces
        #[arg(required = true)]
        text: Vec<String>,
    },
    /// Delete the conversations last written more than AGE ago; --dry-run lists them
    Prune {
        /// How old: a number and a unit, e.g. 30d, 12h, 2w
        #[arg(long, value_name = "AGE")]
        older_than: String,
    },
    /// Sum the requests, tokens and cost of the stored answers (--json: a line a group)
    Stats {
        /// Only answers of the last AGE: a number and a unit, e.g. 7d, 12h, 2w
        #[arg(long, value_name = "AGE")]
        since: Option<String>,
        /// A sum for each model, or each day (UTC)
        #[arg(long, value_name = "WHAT")]
        by: Option<StatsBy>,
    },
}

/// What `history stats` sums by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StatsBy {
    Model,
    Day,
}
