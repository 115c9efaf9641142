//! The exit status of `stor`: one number per kind of failure, so that scripts can branch on
//! it without reading messages (the table `stor --help` prints and docs/cli.md explains).

use std::fmt;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use storage::{Error, ErrorKind};

/// Any failure the codes below do not name.
pub(crate) const OTHER: u8 = 1;
/// A command line `stor` refused before asking any store: clap's own errors exit 2 as well.
pub(crate) const USAGE: u8 = 2;
/// The object, directory or bucket does not exist.
pub(crate) const NOT_FOUND: u8 = 3;
/// The credentials are missing, rejected, or do not allow the call.
pub(crate) const DENIED: u8 = 4;
/// The service failed in a way a later retry may not (throttled, unavailable, timed out).
pub(crate) const TEMPORARY: u8 = 5;
/// The target exists, or a condition on it did not hold.
pub(crate) const CONFLICT: u8 = 6;
/// A job over several files finished some and failed others.
pub(crate) const PARTIAL: u8 = 7;
/// Ctrl-C (SIGINT): 128 + 2, as shells report it.
pub(crate) const INTERRUPTED: u8 = 130;
/// SIGTERM (`kill`, a service manager, a CI job's timeout): 128 + 15, as shells report it.
pub(crate) const TERMINATED: u8 = 143;

/// The table, for `stor --help` (keep it in step with the constants above).
pub(crate) const TABLE: &str = "Exit status:
  0    success
  1    any other error
  2    usage: a bad flag, argument, URL, scheme, URL key or range
  3    not found: the object, directory or bucket does not exist
  4    permission: credentials missing, rejected, or not allowed to do this
  5    temporary: throttled, unavailable or timed out after retries; try again later
  6    conflict: the bucket exists, a condition failed, or the bucket is not empty
  7    partial failure: a job over several files failed for some of them
  130  interrupted (Ctrl-C)
  143  terminated (SIGTERM)";

/// A command line refused before any store is asked: a directory without `-r`, a bad range.
#[derive(Debug)]
pub(crate) struct Usage(pub(crate) String);

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// A usage error with `message`, as an `anyhow::Error` (exit 2).
pub(crate) fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Usage(message.into()))
}

/// What a job over several files returns when it went on past failures and some files failed
/// (exit 7). The job prints each failure as it happens; this names them again at the end.
#[derive(Debug)]
pub(crate) struct PartialFailure {
    /// The files that failed.
    pub(crate) failed: Vec<String>,
    /// All the files of the job.
    pub(crate) total: u64,
}

/// How many failed files the final message names (all were printed as they failed).
const NAMED: usize = 10;

impl fmt::Display for PartialFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} of {} files failed: ", self.failed.len(), self.total)?;
        let shown: Vec<&str> = self.failed.iter().take(NAMED).map(String::as_str).collect();
        f.write_str(&shown.join(", "))?;
        if self.failed.len() > NAMED {
            write!(f, " and {} more", self.failed.len() - NAMED)?;
        }
        Ok(())
    }
}

/// An error and its causes on one line: a cause that a library already folded into the
/// message before it is not repeated.
pub(crate) fn one_line(err: &anyhow::Error) -> String {
    let mut line: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !line.last().is_some_and(|before| before.contains(&text)) {
            line.push(text);
        }
    }
    line.join(": ").replace('\n', " ")
}

impl std::error::Error for PartialFailure {}

/// The exit code of a failed command: the outermost error in the chain that says what it is.
pub(crate) fn code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if cause.is::<Usage>() {
            return USAGE;
        }
        if cause.is::<PartialFailure>() {
            return PARTIAL;
        }
        if let Some(storage) = storage_error(cause) {
            return of_storage(storage);
        }
    }
    OTHER
}

/// The exit status for a failed command.
pub(crate) fn status(err: &anyhow::Error) -> ExitCode {
    ExitCode::from(code(err))
}

/// A storage error, also where an adapter carried it inside an `io::Error` (whose `source`
/// skips the error it wraps).
fn storage_error<'a>(cause: &'a (dyn std::error::Error + 'static)) -> Option<&'a Error> {
    cause.downcast_ref::<Error>().or_else(|| {
        cause
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<Error>())
    })
}

fn of_storage(err: &Error) -> u8 {
    match err.kind() {
        ErrorKind::NotFound => NOT_FOUND,
        ErrorKind::PermissionDenied | ErrorKind::Unauthenticated => DENIED,
        ErrorKind::AlreadyExists | ErrorKind::ConditionNotMet | ErrorKind::DirectoryNotEmpty => {
            CONFLICT
        }
        // Refused before any request (the layer names the operation of every call): an
        // unknown scheme or URL key, a malformed URL, a path that leaves the root.
        ErrorKind::InvalidInput if err.operation().is_none() => USAGE,
        _ if err.is_temporary() => TEMPORARY,
        _ => OTHER,
    }
}

/// The signal that stopped a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// Ctrl-C (SIGINT).
    Interrupt,
    /// SIGTERM.
    Terminate,
}

impl Stop {
    /// The exit code: 128 + the signal's number.
    pub(crate) fn code(self) -> u8 {
        match self {
            Stop::Interrupt => INTERRUPTED,
            Stop::Terminate => TERMINATED,
        }
    }

    /// The one line printed on the way out.
    fn message(self) -> &'static str {
        match self {
            Stop::Interrupt => "stor: interrupted",
            Stop::Terminate => "stor: terminated",
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM, whichever comes first. A signal that cannot be watched is
/// never reported, and then kills the process as usual.
pub(crate) async fn stop() -> Stop {
    tokio::select! {
        () = ctrl_c() => Stop::Interrupt,
        () = sigterm() => Stop::Terminate,
    }
}

/// Resolves on Ctrl-C; never, where the signal cannot be watched (then Ctrl-C kills as usual).
pub(crate) async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Resolves on SIGTERM; never, where it cannot be watched (then it kills as usual) or does not
/// exist (Windows).
async fn sigterm() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        // The handler is installed on the first poll: from then on SIGTERM no longer kills.
        if let Ok(mut term) = signal(SignalKind::terminate())
            && term.recv().await.is_some()
        {
            return;
        }
    }
    std::future::pending::<()>().await;
}

/// After `signal`, with the command's work already dropped: the stores' guards have started
/// aborting open multipart uploads and removing staged parts as tasks; give those a moment (a
/// second Ctrl-C or SIGTERM skips it), then exit 128 + the signal's number. `exit` rather than
/// a return, because a write to a stdout nobody reads blocks a thread the runtime would wait
/// for.
pub(crate) async fn stopped(signal: Stop) -> ExitCode {
    eprintln!("{}", signal.message());
    let settle = async {
        let deadline = Instant::now() + Duration::from_secs(1);
        let runtime = tokio::runtime::Handle::current();
        while runtime.metrics().num_alive_tasks() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::select! {
        () = settle => {}
        _ = stop() => {}
    }
    std::process::exit(i32::from(signal.code()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;
    use storage::Operation;

    fn failed(kind: ErrorKind) -> anyhow::Error {
        anyhow::Error::new(Error::new(kind, "x").with_operation(Operation::Read))
            .context("s3://b/x")
    }

    #[test]
    fn each_kind_has_its_code() {
        assert_eq!(code(&failed(ErrorKind::NotFound)), NOT_FOUND);
        assert_eq!(code(&failed(ErrorKind::PermissionDenied)), DENIED);
        assert_eq!(code(&failed(ErrorKind::Unauthenticated)), DENIED);
        assert_eq!(code(&failed(ErrorKind::AlreadyExists)), CONFLICT);
        assert_eq!(code(&failed(ErrorKind::ConditionNotMet)), CONFLICT);
        assert_eq!(code(&failed(ErrorKind::DirectoryNotEmpty)), CONFLICT);
        assert_eq!(code(&failed(ErrorKind::RateLimited)), TEMPORARY);
        assert_eq!(code(&failed(ErrorKind::Unavailable)), TEMPORARY);
        assert_eq!(code(&failed(ErrorKind::TimedOut)), TEMPORARY);
        assert_eq!(code(&failed(ErrorKind::RangeNotSatisfiable)), OTHER);
        assert_eq!(code(&failed(ErrorKind::Unexpected)), OTHER);
        // A 400 from the service is not the user's command line.
        assert_eq!(code(&failed(ErrorKind::InvalidInput)), OTHER);
    }

    #[test]
    fn refusals_before_any_request_are_usage() {
        let url = anyhow::Error::new(Error::invalid_input("unknown scheme")).context("x://y");
        assert_eq!(code(&url), USAGE);
        let ours: anyhow::Result<()> = Err(usage("use -r"));
        assert_eq!(code(&ours.context("a -> b").unwrap_err()), USAGE);
    }

    #[test]
    fn partial_failures_and_plain_errors() {
        let partial = anyhow::Error::new(PartialFailure {
            failed: vec!["a".into(), "b".into()],
            total: 5,
        });
        assert_eq!(code(&partial), PARTIAL);
        assert_eq!(partial.to_string(), "2 of 5 files failed: a, b");
        assert_eq!(code(&anyhow::anyhow!("something")), OTHER);
    }

    #[test]
    fn signals_exit_with_128_plus_their_number() {
        assert_eq!(Stop::Interrupt.code(), 128 + 2);
        assert_eq!(Stop::Terminate.code(), 128 + 15);
        for code in [INTERRUPTED, TERMINATED] {
            assert!(
                TABLE.contains(&format!("\n  {code}  ")),
                "{code} missing from TABLE"
            );
        }
    }

    #[test]
    fn a_storage_error_inside_an_io_error_keeps_its_code() {
        let inner = Error::new(ErrorKind::NotFound, "gone").with_operation(Operation::Read);
        let io = std::io::Error::from(inner);
        assert_eq!(code(&anyhow::Error::new(io).context("cat")), NOT_FOUND);
    }
}
