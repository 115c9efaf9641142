//! What the suite is made of: a [`Case`] with its [`Need`]s, the [`Outcome`] of running it, and
//! the [`Report`] of a whole run.

use std::fmt;
use std::time::Duration;

use futures_util::future::BoxFuture;
use storage_types::{Capability, Feature, Operation, Pair};

pub use crate::ctx::Ctx;

/// How long one case may take before it counts as failed. Generous, because cloud backends run
/// the same cases against a remote service.
pub const CASE_TIMEOUT: Duration = Duration::from_secs(60);

/// How many cases run at once against the same store.
pub const PARALLEL_CASES: usize = 8;

/// The body of a case: an async function of the case's context.
pub type CaseFn = for<'a> fn(&'a Ctx) -> BoxFuture<'a, anyhow::Result<()>>;

/// Something a case needs from the store's [`Capability`]. A case whose needs are not all
/// declared is reported as unsupported instead of being run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// An optional feature (multipart, append, copy, ...).
    Feature(Feature),
    /// An option ("pair") of an operation.
    Pair(Operation, Pair),
    /// A test server that checks what the case relies on; the text says what the server used
    /// does not check (see [`ServerGap`]).
    Server(&'static str),
    /// A backend that does what the case checks; the text says what the backend under test
    /// cannot do (see [`BackendGap`]).
    Backend(&'static str),
}

/// A case the test server in use cannot judge, and why: moto, for instance, accepts reads of
/// customer-key objects without the key, so it can neither pass nor fail the case. The case is
/// reported as unsupported with the reason, never as passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerGap {
    /// The case's full name (`topic::case`).
    pub case: &'static str,
    /// What the server does not do.
    pub reason: &'static str,
}

/// A case the backend under test cannot pass on any server, and why (a limit of the vendor SDK
/// it wraps, say). Reported as unsupported with the reason, never as passed; the backend's
/// page documents it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackendGap {
    /// The case's full name (`topic::case`).
    pub case: &'static str,
    /// What the backend does not do.
    pub reason: &'static str,
}

impl Need {
    /// Whether `capability` declares this need.
    pub fn is_met(&self, capability: &Capability) -> bool {
        match *self {
            Need::Feature(feature) => capability.has_feature(feature),
            Need::Pair(operation, pair) => capability.supports_pair(operation, pair),
            Need::Server(_) | Need::Backend(_) => true,
        }
    }
}

impl fmt::Display for Need {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Need::Feature(feature) => write!(f, "feature `{feature}`"),
            Need::Pair(operation, pair) => write!(f, "option `{pair}` of {operation}"),
            Need::Server(gap) => write!(f, "a test server that {gap}"),
            Need::Backend(gap) => write!(f, "a backend that {gap}"),
        }
    }
}

/// One conformance case: a name, what it needs, and the async function that checks it.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// `<topic>::<what it checks>`; the runner's filter matches substrings of it.
    pub name: &'static str,
    /// What the store must declare for the case to run.
    pub needs: &'static [Need],
    run: CaseFn,
}

impl Case {
    /// A case. Backend authors may add their own next to [`all_cases`](crate::all_cases).
    pub const fn new(name: &'static str, needs: &'static [Need], run: CaseFn) -> Self {
        Case { name, needs, run }
    }

    /// The first need `capability` does not declare, if any.
    pub fn missing_need(&self, capability: &Capability) -> Option<Need> {
        self.needs
            .iter()
            .copied()
            .find(|need| !need.is_met(capability))
    }

    /// Runs the case in `ctx`, without checking its needs or applying a timeout.
    pub fn call<'a>(&self, ctx: &'a Ctx) -> BoxFuture<'a, anyhow::Result<()>> {
        (self.run)(ctx)
    }
}

/// What became of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every assertion held.
    Passed,
    /// An assertion failed, the case returned an error, panicked or timed out.
    Failed(String),
    /// The store does not declare this need, so the case did not run.
    Unsupported(Need),
}

/// The result of a run: counts and the outcome of every case, in the order of the case list.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Cases that did not run because the store lacks what they need.
    pub unsupported: usize,
    /// Every case's name and outcome.
    pub outcomes: Vec<(&'static str, Outcome)>,
}

impl Report {
    /// A report of these outcomes, counted.
    pub fn new(outcomes: Vec<(&'static str, Outcome)>) -> Self {
        let mut report = Report {
            outcomes,
            ..Report::default()
        };
        for (_, outcome) in &report.outcomes {
            match outcome {
                Outcome::Passed => report.passed += 1,
                Outcome::Failed(_) => report.failed += 1,
                Outcome::Unsupported(_) => report.unsupported += 1,
            }
        }
        report
    }

    /// Whether no case failed.
    pub fn is_success(&self) -> bool {
        self.failed == 0
    }

    /// One line per case: `ok   <name>`, `FAIL <name>: <error>` or
    /// `unsupported <name>: needs <need>`.
    pub fn case_lines(&self) -> impl Iterator<Item = String> + '_ {
        self.outcomes.iter().map(|(name, outcome)| match outcome {
            Outcome::Passed => format!("ok   {name}"),
            Outcome::Failed(error) => format!("FAIL {name}: {error}"),
            Outcome::Unsupported(need) => format!("unsupported {name}: needs {need}"),
        })
    }

    /// The summary line: `conformance <service>: <N> passed, <M> failed, <K> unsupported`.
    pub fn summary(&self, service: &str) -> String {
        format!(
            "conformance {service}: {} passed, {} failed, {} unsupported",
            self.passed, self.failed, self.unsupported
        )
    }
}
