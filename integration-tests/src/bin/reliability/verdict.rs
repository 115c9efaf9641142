//! What became of one scenario, and how an error counts.

use std::fmt;

use storage_types::{Error, ErrorKind};

/// The outcome of one cell. Corrupt, partial, hung, untyped and missed are failures of the
/// run, and so is a transient fault not recovered from unless the service's contract is the
/// reason; recovered and typed errors are the two acceptable answers to a fault.
#[derive(Debug, Clone)]
pub(crate) enum Verdict {
    /// The operation succeeded (after retries) and its result checked out.
    Recovered,
    /// The operation failed with an error of a meaningful kind, and left nothing half-done.
    Typed {
        kind: ErrorKind,
        temporary: bool,
        /// The error's text with its causes, for the progress line.
        message: String,
    },
    /// A transient fault struck once, and the operation still failed (with a typed error,
    /// leaving nothing half-done): a retry should have got past it. `reason` is the service's
    /// contract that allows it, documented in docs/reliability.md; without one the run fails.
    NotRecovered {
        kind: ErrorKind,
        temporary: bool,
        message: String,
        reason: Option<&'static str>,
    },
    /// The operation failed with `ErrorKind::Unexpected`: a caller cannot tell what happened.
    Untyped(String),
    /// The operation returned data, or left an object, that differs from what was stored.
    Corrupt(String),
    /// A failed write left something that is neither the old object nor the new one, or an
    /// upload that was given up was not aborted.
    Partial(String),
    /// The operation did not end within the hang limit.
    Hung,
    /// The fault never struck: the scenario proves nothing. Holds the requests the proxy saw.
    Missed(String),
    /// The setup or the check around the operation failed, so the cell could not be judged.
    Broken(String),
}

impl Verdict {
    /// The verdict of a failed operation whose aftermath checked out.
    pub(crate) fn of_error(err: &Error) -> Verdict {
        match err.kind() {
            ErrorKind::Unexpected => Verdict::Untyped(err.to_string()),
            kind => Verdict::Typed {
                kind,
                temporary: err.is_temporary(),
                message: format!("{err:#}"),
            },
        }
    }

    /// The verdict with `note` added to its error's message (what the failed call left
    /// behind that the service allows); other verdicts as they are.
    pub(crate) fn noting(self, note: &str) -> Verdict {
        match self {
            Verdict::Typed {
                kind,
                temporary,
                message,
            } => Verdict::Typed {
                kind,
                temporary,
                message: format!("{message}; left behind: {note}"),
            },
            Verdict::Untyped(message) => {
                Verdict::Untyped(format!("{message}; left behind: {note}"))
            }
            other => other,
        }
    }

    /// What a typed error becomes after a transient fault that struck once: not recovered.
    pub(crate) fn after_one_fault(self, reason: Option<&'static str>) -> Verdict {
        match self {
            Verdict::Typed {
                kind,
                temporary,
                message,
            } => Verdict::NotRecovered {
                kind,
                temporary,
                message,
                reason,
            },
            other => other,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Recovered => f.write_str("recovered"),
            Verdict::Typed {
                kind,
                temporary,
                message,
            } => {
                let temporary = if *temporary { ", temporary" } else { "" };
                write!(f, "typed error ({}{temporary}): {message}", kind.as_str())
            }
            Verdict::NotRecovered {
                kind,
                temporary,
                message,
                reason,
            } => {
                let temporary = if *temporary { ", temporary" } else { "" };
                match reason {
                    Some(reason) => write!(
                        f,
                        "not recovered ({}{temporary}: {message}), as {reason}",
                        kind.as_str()
                    ),
                    None => write!(
                        f,
                        "NOT RECOVERED from a fault that struck once ({}{temporary}): {message}",
                        kind.as_str()
                    ),
                }
            }
            Verdict::Untyped(message) => write!(f, "UNTYPED error: {message}"),
            Verdict::Corrupt(what) => write!(f, "CORRUPT: {what}"),
            Verdict::Partial(what) => write!(f, "PARTIAL: {what}"),
            Verdict::Hung => f.write_str("HUNG"),
            Verdict::Missed(seen) => write!(f, "MISSED: the fault never struck; {seen}"),
            Verdict::Broken(what) => write!(f, "BROKEN: {what}"),
        }
    }
}
