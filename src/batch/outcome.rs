//! How one row of a batch ended: its answer, or its failure with the exit code a single
//! request would have ended with.

use crate::api::assemble::{self, Answer};
use crate::error::exit_code;
use crate::http::Reply;

/// How one row ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    Answered {
        reply: Reply,
        answer: Box<Answer>,
    },
    Failed {
        /// The exit code a single request would have ended with.
        code: u8,
        message: String,
        /// The failing response, when there was one.
        reply: Option<Reply>,
    },
}

impl Outcome {
    pub(crate) fn failed(code: u8, message: String) -> Outcome {
        Outcome::Failed {
            code,
            message,
            reply: None,
        }
    }

    pub(crate) fn ok(&self) -> bool {
        matches!(self, Outcome::Answered { .. })
    }

    /// A response read as a single request reads it: an answer, or the failure it is (a
    /// failing status, a body that is no answer, a declined answer); `<think>` taken out
    /// of the content when `split_think` says so.
    pub(crate) fn of(reply: Reply, split_think: bool) -> Outcome {
        if !(200..300).contains(&reply.status) {
            let failed = crate::http::failed_status(reply, Default::default(), None);
            return Outcome::Failed {
                code: exit_code(&failed.error),
                message: format!("{:#}", failed.error),
                reply: failed.reply,
            };
        }
        let read = assemble::answer_of(&reply.content_type, &reply.body, split_think)
            .and_then(|a| assemble::ending(&a).map(|()| a));
        match read {
            Ok(answer) => Outcome::Answered {
                reply,
                answer: Box::new(answer),
            },
            Err(e) => Outcome::Failed {
                code: exit_code(&e),
                message: format!("{e:#}"),
                reply: Some(reply),
            },
        }
    }
}
