//! The one error type of rs-storage: a kind to branch on, plus the context of the failed call.

use crate::named::named_enum;
use std::error::Error as StdError;
use std::fmt;

use crate::operation::Operation;

/// Result with [`Error`] as the error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

named_enum! {
    /// What went wrong, independent of the service. Callers branch on this.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    #[non_exhaustive]
    pub enum ErrorKind {
        /// The object, upload or bucket does not exist.
        NotFound => "not found",
        /// The target exists and the call asked not to replace it.
        AlreadyExists => "already exists",
        /// The credentials are valid but do not allow the call.
        PermissionDenied => "permission denied",
        /// The credentials are missing, malformed or rejected.
        Unauthenticated => "unauthenticated",
        /// A precondition (`if_match`, `if_none_match`, an append offset) did not hold.
        ConditionNotMet => "condition not met",
        /// The requested byte range starts at or past the end of the object.
        RangeNotSatisfiable => "range not satisfiable",
        /// The backend does not support the operation or an option of it.
        Unsupported => "unsupported",
        /// The arguments are invalid: a path that escapes the root, a bad range, a bad part list.
        InvalidInput => "invalid input",
        /// The path names a directory where an object was expected.
        IsDirectory => "is a directory",
        /// The path names an object where a directory was expected.
        NotDirectory => "not a directory",
        /// A directory cannot be removed because it still has entries.
        DirectoryNotEmpty => "directory not empty",
        /// The service throttled the call; retry later.
        RateLimited => "rate limited",
        /// The call did not finish in time.
        TimedOut => "timed out",
        /// The body was shorter or longer than declared, or its checksum did not match.
        IntegrityMismatch => "integrity mismatch",
        /// The service or the way to it failed: a 5xx answer other than throttling, a connection
        /// that could not be made or broke off, a body that stopped arriving. Temporary by default:
        /// a retry may succeed.
        Unavailable => "unavailable",
        /// Anything else: a service error with no better kind, an I/O failure.
        Unexpected => "unexpected",
    }
}

impl ErrorKind {
    /// What an HTTP status means when the service gave no more specific error code, and
    /// whether a retry may help. Shared by the HTTP backends so that they agree; 409 Conflict
    /// means different things per service and is left to each.
    ///
    /// ```
    /// use storage_types::ErrorKind;
    ///
    /// assert_eq!(ErrorKind::from_http_status(404), (ErrorKind::NotFound, false));
    /// assert_eq!(ErrorKind::from_http_status(503), (ErrorKind::RateLimited, true));
    /// ```
    pub fn from_http_status(status: u16) -> (ErrorKind, bool) {
        match status {
            304 | 412 => (ErrorKind::ConditionNotMet, false),
            400 | 413 => (ErrorKind::InvalidInput, false),
            401 => (ErrorKind::Unauthenticated, false),
            403 => (ErrorKind::PermissionDenied, false),
            404 => (ErrorKind::NotFound, false),
            408 => (ErrorKind::TimedOut, true),
            416 => (ErrorKind::RangeNotSatisfiable, false),
            429 | 503 => (ErrorKind::RateLimited, true),
            500..=599 => (ErrorKind::Unavailable, true),
            _ => (ErrorKind::Unexpected, false),
        }
    }

    /// Whether an error of this kind is, by default, worth retrying.
    pub fn is_temporary_by_default(self) -> bool {
        matches!(
            self,
            ErrorKind::RateLimited | ErrorKind::TimedOut | ErrorKind::Unavailable
        )
    }
}

/// An rs-storage error: a [`ErrorKind`], a message, and where it happened.
///
/// `Display` is one line: `service operation path: kind: message`, with ` (temporary)` when a
/// retry may help. The underlying error is [`source`](StdError::source)'s, not repeated in
/// `Display`, so that error reports (anyhow's `{:#}`) print each cause once; `{:#}` of an
/// `Error` itself appends the chain of sources.
///
/// ```
/// use storage_types::{Error, ErrorKind, Operation};
///
/// let err = Error::new(ErrorKind::NotFound, "no such object")
///     .with_operation(Operation::Read)
///     .with_path("logs/a.txt")
///     .with_service("memory");
/// assert_eq!(err.kind(), ErrorKind::NotFound);
/// assert_eq!(err.to_string(), "memory read logs/a.txt: not found: no such object");
/// ```
pub struct Error {
    kind: ErrorKind,
    message: String,
    operation: Option<Operation>,
    path: Option<String>,
    service: Option<&'static str>,
    temporary: bool,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl Error {
    /// A new error of `kind`. Whether it is temporary follows the kind's default.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            operation: None,
            path: None,
            service: None,
            temporary: kind.is_temporary_by_default(),
            source: None,
        }
    }

    /// Shorthand for an [`ErrorKind::Unsupported`] error.
    pub fn unsupported(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Unsupported, message)
    }

    /// Shorthand for an [`ErrorKind::InvalidInput`] error.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidInput, message)
    }

    /// Shorthand for an [`ErrorKind::NotFound`] error.
    pub fn not_found(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::NotFound, message)
    }

    /// Shorthand for an [`ErrorKind::Unexpected`] error.
    pub fn unexpected(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Unexpected, message)
    }

    /// The kind, to branch on.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, without context.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The operation that failed, when known.
    pub fn operation(&self) -> Option<Operation> {
        self.operation
    }

    /// The path (relative to the store root) the operation acted on, when known.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The service (backend scheme) that failed, when known.
    pub fn service(&self) -> Option<&'static str> {
        self.service
    }

    /// Whether retrying the same call may succeed.
    pub fn is_temporary(&self) -> bool {
        self.temporary
    }

    /// Sets the operation.
    pub fn with_operation(mut self, operation: Operation) -> Self {
        self.operation = Some(operation);
        self
    }

    /// Sets the path.
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Sets the service.
    pub fn with_service(mut self, service: &'static str) -> Self {
        self.service = Some(service);
        self
    }

    /// Marks the error as temporary (worth a retry) or not.
    pub fn with_temporary(mut self, temporary: bool) -> Self {
        self.temporary = temporary;
        self
    }

    /// Attaches the underlying error.
    pub fn with_source(mut self, source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Fills in operation, path and service where they are not set yet. The central layer calls
    /// this so that backends need not repeat the context on every error.
    pub fn with_context(
        mut self,
        operation: Operation,
        path: Option<&str>,
        service: &'static str,
    ) -> Self {
        self.operation.get_or_insert(operation);
        if self.path.is_none() {
            self.path = path.map(str::to_owned);
        }
        self.service.get_or_insert(service);
        self
    }
}

impl From<std::io::Error> for Error {
    /// Maps an I/O error by its kind. Backends that know more map it themselves.
    fn from(err: std::io::Error) -> Self {
        use std::io::ErrorKind as Io;
        let kind = match err.kind() {
            Io::NotFound => ErrorKind::NotFound,
            Io::PermissionDenied => ErrorKind::PermissionDenied,
            Io::AlreadyExists => ErrorKind::AlreadyExists,
            Io::InvalidInput | Io::InvalidFilename => ErrorKind::InvalidInput,
            Io::IsADirectory => ErrorKind::IsDirectory,
            Io::NotADirectory => ErrorKind::NotDirectory,
            Io::DirectoryNotEmpty => ErrorKind::DirectoryNotEmpty,
            Io::TimedOut => ErrorKind::TimedOut,
            Io::Unsupported => ErrorKind::Unsupported,
            Io::UnexpectedEof => ErrorKind::IntegrityMismatch,
            Io::ConnectionReset
            | Io::ConnectionAborted
            | Io::ConnectionRefused
            | Io::BrokenPipe
            | Io::NotConnected => ErrorKind::Unavailable,
            _ => ErrorKind::Unexpected,
        };
        // Temporary as its kind is by default (timeouts, broken connections), or interrupted.
        let temporary = kind.is_temporary_by_default() || err.kind() == Io::Interrupted;
        // An io::Error that wraps one of ours (a failing body read through an adapter) keeps
        // the original error rather than a copy of its message.
        if err.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            if let Some(inner) = err.into_inner()
                && let Ok(ours) = inner.downcast::<Error>()
            {
                return *ours;
            }
            return Error::unexpected("i/o error");
        }
        // The message is left empty: the source says it all.
        Error::new(kind, "")
            .with_temporary(temporary)
            .with_source(err)
    }
}

impl From<Error> for std::io::Error {
    fn from(err: Error) -> Self {
        use std::io::ErrorKind as Io;
        let kind = match err.kind {
            ErrorKind::NotFound => Io::NotFound,
            ErrorKind::PermissionDenied | ErrorKind::Unauthenticated => Io::PermissionDenied,
            ErrorKind::AlreadyExists => Io::AlreadyExists,
            ErrorKind::InvalidInput => Io::InvalidInput,
            ErrorKind::TimedOut => Io::TimedOut,
            ErrorKind::Unsupported => Io::Unsupported,
            _ => Io::Other,
        };
        std::io::Error::new(kind, err)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut wrote_context = false;
        if let Some(service) = self.service {
            f.write_str(service)?;
            wrote_context = true;
        }
        if let Some(operation) = self.operation {
            if wrote_context {
                f.write_str(" ")?;
            }
            f.write_str(operation.as_str())?;
            wrote_context = true;
        }
        if let Some(path) = &self.path {
            if wrote_context {
                f.write_str(" ")?;
            }
            write_one_line(f, path)?;
            wrote_context = true;
        }
        if wrote_context {
            f.write_str(": ")?;
        }
        write!(f, "{}", self.kind)?;
        if !self.message.is_empty() {
            f.write_str(": ")?;
            write_one_line(f, &self.message)?;
        }
        if self.temporary {
            f.write_str(" (temporary)")?;
        }
        // The causes are `source()`'s to tell, so that a report walking the chain (anyhow's
        // `{:#}`) prints each once; `{:#}` of this error prints them itself.
        if f.alternate() {
            let mut cause = self.source();
            while let Some(err) = cause {
                f.write_str(": ")?;
                write_one_line(f, &err.to_string())?;
                cause = err.source();
            }
        }
        Ok(())
    }
}

/// Writes `text` with line breaks replaced by spaces, so that `Display` stays one line.
fn write_one_line(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    if text.contains(['\n', '\r']) {
        f.write_str(&text.replace(['\n', '\r'], " "))
    } else {
        f.write_str(text)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("operation", &self.operation)
            .field("path", &self.path)
            .field("service", &self.service)
            .field("temporary", &self.temporary)
            .field("source", &self.source)
            .finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_line_with_context() {
        let err = Error::new(ErrorKind::Unexpected, "first\nsecond")
            .with_context(Operation::Write, Some("a/b"), "fs")
            .with_source(std::io::Error::other("disk\nfull"));
        let shown = err.to_string();
        assert!(!shown.contains('\n'), "{shown}");
        assert_eq!(shown, "fs write a/b: unexpected: first second");
        assert_eq!(
            format!("{err:#}"),
            "fs write a/b: unexpected: first second: disk full"
        );
        let chained = Error::new(ErrorKind::Unavailable, "send failed").with_source(err);
        assert_eq!(
            format!("{chained:#}"),
            "unavailable: send failed (temporary): fs write a/b: unexpected: first second: disk full"
        );
    }

    #[test]
    fn context_does_not_override_what_the_backend_set() {
        let err = Error::not_found("x").with_path("inner").with_context(
            Operation::Stat,
            Some("outer"),
            "s3",
        );
        assert_eq!(err.path(), Some("inner"));
        assert_eq!(err.operation(), Some(Operation::Stat));
    }

    #[test]
    fn io_errors_map_by_kind_and_round_trip() {
        let err: Error = std::io::Error::from(std::io::ErrorKind::NotFound).into();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let ours = Error::new(ErrorKind::ConditionNotMet, "etag changed");
        let io: std::io::Error = ours.into();
        let back: Error = io.into();
        assert_eq!(back.kind(), ErrorKind::ConditionNotMet);
        assert_eq!(back.message(), "etag changed");
    }

    #[test]
    fn rate_limited_is_temporary_by_default() {
        assert!(Error::new(ErrorKind::RateLimited, "slow down").is_temporary());
        assert!(!Error::not_found("gone").is_temporary());
    }
}
