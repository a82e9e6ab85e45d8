//! The flags of `mume batch` and its job commands.

use std::path::PathBuf;

use clap::{Subcommand, ValueHint};

/// `mume batch`: its own flags; the request flags of a single request apply to every row.
#[derive(Debug, clap::Args)]
pub(crate) struct Batch {
    /// A job submitted with --submit
    #[command(subcommand)]
    pub(crate) action: Option<BatchAction>,

    /// The rows, one JSON value a line: a prompt string, an object with `prompt` or
    /// `messages`, or an OpenAI Batch API request line; `-` or none reads stdin
    #[arg(value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) file: Option<PathBuf>,

    /// Write the results to FILE; a run with the same FILE resumes where this one stopped
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) output: Option<PathBuf>,

    /// Requests at once, 1 to 256 [default: 4]
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) jobs: Option<u16>,

    /// Start at most N requests a minute
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) rpm: Option<u32>,

    /// Read every line as a plain-text prompt
    #[arg(long)]
    pub(crate) text: bool,

    /// Write results in the OpenAI Batch API's output format, with whole response bodies
    #[arg(long)]
    pub(crate) raw: bool,

    /// Run the rows on the server's Batch API instead of here; prints the job's id
    #[arg(long, help_heading = "Provider batches")]
    pub(crate) submit: bool,

    /// With --submit: wait for the job to end, then fetch its results
    #[arg(long, requires = "submit", help_heading = "Provider batches")]
    pub(crate) wait: bool,

    /// With --submit: at most N rows a provider batch [default: 50000]
    #[arg(long, value_name = "N", requires = "submit", value_parser = clap::value_parser!(u32).range(1..), help_heading = "Provider batches")]
    pub(crate) max_rows: Option<u32>,

    /// With --submit: at most SIZE of request lines a provider batch [default: 200MB]
    #[arg(long, value_name = "SIZE", requires = "submit", value_parser = crate::check::parse_size, help_heading = "Provider batches")]
    pub(crate) max_bytes: Option<u64>,
}

/// What `mume batch` does with a job submitted with --submit.
#[derive(Debug, Subcommand)]
pub(crate) enum BatchAction {
    /// Show a job: rows done and failed, each provider batch's status
    Status {
        /// The job's id, a unique prefix of it, or a provider batch id [default: the newest]
        job: Option<String>,
        /// Wait until every batch of the job has ended
        #[arg(long)]
        wait: bool,
    },
    /// Write a job's results in input order, as a local run writes them
    Fetch {
        /// The job's id, a unique prefix of it, or a provider batch id [default: the newest]
        job: Option<String>,
        /// Write to FILE instead of the --output given at submit
        #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
        output: Option<PathBuf>,
        /// Results in the OpenAI Batch API's output format
        #[arg(long)]
        raw: bool,
        /// Wait until every batch of the job has ended
        #[arg(long)]
        wait: bool,
    },
    /// Cancel a job's batches that are still running
    Cancel {
        /// The job's id, a unique prefix of it, or a provider batch id
        job: String,
    },
    /// List the jobs submitted from this machine, newest first
    List {
        /// List the server's batches instead
        #[arg(long)]
        remote: bool,
    },
}

pub(super) const BATCH_EXAMPLES: &str = "\
Examples:
  mume batch rows.jsonl --output answers.jsonl -j 16 -s \"Classify the sentiment.\"
  jq -c '{id: .sku, prompt: .review}' reviews.jsonl | mume batch --schema label.json
  mume batch --text questions.txt > answers.jsonl     one prompt a line
  mume batch requests.jsonl --raw --output out.jsonl  OpenAI Batch API files
  mume batch rows.jsonl --submit --output out.jsonl   on the server's Batch API
  mume batch status --wait && mume batch fetch        its results, in input order

A rows file named status, fetch, cancel or list is given as ./status.";
