//! The one place where GCS errors become rs-storage errors: by HTTP status (JSON API), gRPC
//! code (control API), and the SDK's own integrity and transport errors.

use std::error::Error as StdError;

use google_cloud_gax::error::rpc::Code;
use google_cloud_storage::error::{ReadError, WriteError};
use storage_types::{Error, ErrorKind};

/// Maps an SDK error, keeping its one-line text as the source.
pub(crate) fn map_error(err: google_cloud_storage::Error) -> Error {
    let (kind, temporary) = classify(&err);
    let text = match (err.http_status_code(), err.status()) {
        (Some(status), Some(s)) => format!("HTTP {status} {}", s.code.name()),
        (Some(status), None) => format!("HTTP {status}"),
        (None, Some(s)) => format!("gRPC {}", s.code.name()),
        (None, None) => "request failed".to_owned(),
    };
    Error::new(kind, text)
        .with_temporary(temporary)
        .with_source(one_line(&err))
}

fn classify(err: &google_cloud_storage::Error) -> (ErrorKind, bool) {
    if let Some(kind) = integrity(err) {
        return kind;
    }
    if let Some(status) = err.http_status_code() {
        return from_status(status);
    }
    if let Some(status) = err.status() {
        return from_code(status.code);
    }
    if err.is_authentication() {
        return (ErrorKind::Unauthenticated, false);
    }
    if err.is_timeout() {
        return (ErrorKind::TimedOut, true);
    }
    if err.is_io() || err.is_connect() || err.is_transport() {
        return (ErrorKind::Unavailable, true);
    }
    if err.is_exhausted() {
        // Retries ran out: what failed last says more (a 429, a 503 ...).
        let last = err
            .source()
            .and_then(|e| e.downcast_ref::<google_cloud_storage::Error>());
        return last.map_or((ErrorKind::Unavailable, true), classify);
    }
    (ErrorKind::Unexpected, false)
}

/// GCS's statuses: 404 not found, 412 (and 304) condition not met, 416 range, 429 rate
/// limited, 5xx temporary.
pub(crate) fn from_status(status: u16) -> (ErrorKind, bool) {
    match status {
        // Bucket not empty, or a concurrent change: a condition of the request did not hold.
        409 => (ErrorKind::ConditionNotMet, false),
        status => ErrorKind::from_http_status(status),
    }
}

/// The gRPC codes of `google.storage.v2`.
pub(crate) fn from_code(code: Code) -> (ErrorKind, bool) {
    match code {
        Code::NotFound => (ErrorKind::NotFound, false),
        Code::AlreadyExists => (ErrorKind::AlreadyExists, false),
        // GCS answers failed preconditions (HTTP 412) with FAILED_PRECONDITION.
        Code::FailedPrecondition | Code::Aborted => (ErrorKind::ConditionNotMet, false),
        Code::InvalidArgument => (ErrorKind::InvalidInput, false),
        Code::OutOfRange => (ErrorKind::RangeNotSatisfiable, false),
        Code::PermissionDenied => (ErrorKind::PermissionDenied, false),
        Code::Unauthenticated => (ErrorKind::Unauthenticated, false),
        Code::ResourceExhausted => (ErrorKind::RateLimited, true),
        Code::Unimplemented => (ErrorKind::Unsupported, false),
        Code::DeadlineExceeded => (ErrorKind::TimedOut, true),
        Code::Unavailable | Code::Internal | Code::Unknown => (ErrorKind::Unavailable, true),
        _ => (ErrorKind::Unexpected, false),
    }
}

/// Checksum mismatches and short reads the SDK detected itself, found in the source chain.
fn integrity(err: &google_cloud_storage::Error) -> Option<(ErrorKind, bool)> {
    let mut source: Option<&(dyn StdError + 'static)> = err.source();
    while let Some(current) = source {
        if let Some(read) = current.downcast_ref::<ReadError>() {
            return match read {
                ReadError::ChecksumMismatch(_) => Some((ErrorKind::IntegrityMismatch, false)),
                // A body that ended early or ran long is never handed over as the object.
                ReadError::ShortRead(_) => Some((ErrorKind::IntegrityMismatch, true)),
                ReadError::LongRead { .. } => Some((ErrorKind::IntegrityMismatch, false)),
                _ => None,
            };
        }
        if let Some(WriteError::ChecksumMismatch { .. }) = current.downcast_ref::<WriteError>() {
            return Some((ErrorKind::IntegrityMismatch, false));
        }
        source = current.source();
    }
    None
}

/// The SDK error's first line (some carry the raw response body below it).
fn one_line(err: &google_cloud_storage::Error) -> String {
    err.to_string()
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(from_status(404).0, ErrorKind::NotFound);
        assert_eq!(from_status(403).0, ErrorKind::PermissionDenied);
        assert_eq!(from_status(412).0, ErrorKind::ConditionNotMet);
        assert_eq!(from_status(304).0, ErrorKind::ConditionNotMet);
        assert_eq!(from_status(416).0, ErrorKind::RangeNotSatisfiable);
        assert_eq!(from_status(429), (ErrorKind::RateLimited, true));
        assert_eq!(from_status(503), (ErrorKind::RateLimited, true));
        assert_eq!(from_status(500), (ErrorKind::Unavailable, true));
        assert_eq!(from_status(409).0, ErrorKind::ConditionNotMet);
    }

    #[test]
    fn grpc_codes() {
        assert_eq!(from_code(Code::NotFound).0, ErrorKind::NotFound);
        assert_eq!(
            from_code(Code::FailedPrecondition).0,
            ErrorKind::ConditionNotMet
        );
        assert_eq!(
            from_code(Code::OutOfRange).0,
            ErrorKind::RangeNotSatisfiable
        );
        assert_eq!(
            from_code(Code::ResourceExhausted),
            (ErrorKind::RateLimited, true)
        );
        assert_eq!(from_code(Code::Unavailable), (ErrorKind::Unavailable, true));
        assert_eq!(from_code(Code::InvalidArgument).0, ErrorKind::InvalidInput);
    }

    #[test]
    fn sdk_errors_keep_their_status() {
        let status = google_cloud_gax::error::rpc::Status::default()
            .set_code(Code::NotFound)
            .set_message("no such object");
        let err = map_error(google_cloud_storage::Error::service(status));
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(err.to_string().contains("NOT_FOUND"), "{err}");
    }
}
