//! The typed failure that carries an exit code, and the exit-code table of the contract.
//!
//! Everything that does not need a particular exit code stays a plain `anyhow::Error` and
//! exits with 1; `main` finds a `Failure` anywhere in the error chain and uses its code.

use std::fmt;

pub(crate) const USAGE: u8 = 2;
pub(crate) const DECLINED: u8 = 3;
pub(crate) const REJECTED: u8 = 64;
pub(crate) const BAD_INPUT: u8 = 65;
pub(crate) const UNAVAILABLE: u8 = 69;
pub(crate) const TEMPORARY: u8 = 75;
pub(crate) const PROTOCOL: u8 = 76;
pub(crate) const PERMISSION: u8 = 77;
pub(crate) const CONFIG: u8 = 78;

/// An error whose exit code is part of the contract.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// A connection that broke while the answer was arriving. `shown` when some of the answer
/// was already written or kept: then it is not tried again.
#[derive(Debug)]
pub(crate) struct Broken {
    pub(crate) message: String,
    pub(crate) shown: bool,
}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Broken {}

/// A failed read of a body: the server silent for `--timeout` (the body reader says for
/// how long) or a broken connection, either tried again unless some of the answer was
/// `shown` already (a timeout before the body is retried, SPEC §6).
pub(crate) fn broken(e: &std::io::Error, shown: bool) -> anyhow::Error {
    if e.kind() == std::io::ErrorKind::TimedOut {
        return anyhow::Error::new(Broken {
            message: e.to_string(),
            shown,
        });
    }
    // reqwest's own words ("error decoding response body") hide the cause.
    let mut cause: &dyn std::error::Error = e;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    let cause = crate::text::one_line(&cause.to_string());
    anyhow::Error::new(Broken {
        message: format!("the connection broke: {cause}"),
        shown,
    })
}

/// Builds an `anyhow::Error` that exits with `code`.
pub(crate) fn fail(code: u8, message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Failure {
        code,
        message: message.into(),
    })
}

/// The exit code an HTTP status maps to when the server refused the request.
pub(crate) fn code_for_status(status: u16) -> u8 {
    match status {
        401..=403 => PERMISSION,
        413 => BAD_INPUT,
        408 | 409 | 429 | 500..=599 => TEMPORARY,
        400..=499 => REJECTED,
        _ => TEMPORARY,
    }
}

/// The exit code for an error chain: the first `Failure` found (a broken connection is
/// temporary), else 1.
pub(crate) fn exit_code(err: &anyhow::Error) -> u8 {
    err.chain()
        .find_map(|e| {
            e.downcast_ref::<Failure>()
                .map(|f| f.code)
                .or_else(|| e.downcast_ref::<Broken>().map(|_| TEMPORARY))
        })
        .unwrap_or(1)
}

/// True when the chain holds a broken pipe: the reader went away, which is not an error.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_the_contract() {
        assert_eq!(code_for_status(400), REJECTED);
        assert_eq!(code_for_status(404), REJECTED);
        assert_eq!(code_for_status(422), REJECTED);
        assert_eq!(code_for_status(401), PERMISSION);
        assert_eq!(code_for_status(402), PERMISSION);
        assert_eq!(code_for_status(403), PERMISSION);
        assert_eq!(code_for_status(413), BAD_INPUT);
        assert_eq!(code_for_status(429), TEMPORARY);
        assert_eq!(code_for_status(503), TEMPORARY);
    }

    #[test]
    fn failure_found_under_context() {
        let err = fail(PROTOCOL, "bad json").context("reading the answer");
        assert_eq!(exit_code(&err), PROTOCOL);
        assert_eq!(exit_code(&anyhow::anyhow!("plain")), 1);
    }
}
