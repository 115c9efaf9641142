//! The one place where S3 errors become rs-storage errors: by HTTP status and S3 error code.

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use storage_types::{Error, ErrorKind};

/// What a store with no credentials says: every way to give some, on one line.
pub(crate) const NO_CREDENTIALS: &str = "no S3 credentials found: give access-key and \
    secret-access-key (URL keys), set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, name a \
    profile (profile= or AWS_PROFILE), assume a role (role-arn=, or AWS_ROLE_ARN with \
    AWS_WEB_IDENTITY_TOKEN_FILE), or set anonymous=true for a public bucket";

/// The credentials failure behind an error, if the request never got credentials.
fn credentials_failure<'e>(
    err: &'e (dyn std::error::Error + 'static),
) -> Option<&'e CredentialsError> {
    let mut next: Option<&'e (dyn std::error::Error + 'static)> = Some(err);
    while let Some(current) = next {
        if let Some(found) = current.downcast_ref::<CredentialsError>() {
            return Some(found);
        }
        next = current.source();
    }
    None
}

/// A credentials failure as our error: no credentials anywhere (the chain ended on the
/// instance metadata service, absent off EC2) names the ways to give them.
fn credentials_error(found: &CredentialsError, causes: String) -> Error {
    let nothing_found =
        matches!(found, CredentialsError::CredentialsNotLoaded(_)) || causes.contains("IMDS");
    let text = if nothing_found {
        NO_CREDENTIALS.to_owned()
    } else {
        format!("cannot load S3 credentials: {found}")
    };
    Error::new(ErrorKind::Unauthenticated, text).with_source(causes)
}

/// Maps any SDK error to our error kind, keeping the SDK error as the source.
pub(crate) fn map_sdk_error<E>(err: SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    if let Some(found) = credentials_failure(&err) {
        return credentials_error(found, causes(&err));
    }
    let status = err.raw_response().map(|r| r.status().as_u16());
    // A bucket in another region than the store was told: S3 redirects and names it.
    if let Some(region) = err
        .raw_response()
        .filter(|r| r.status().as_u16() == 301)
        .and_then(|r| r.headers().get(crate::region::BUCKET_REGION))
    {
        return Error::invalid_input(format!(
            "HTTP 301: the bucket is in region {region}, not the one configured; \
             set region={region} (or leave the region unset to follow it)"
        ));
    }
    let code = err.code().map(str::to_owned);
    let message = err.message().map(str::to_owned);
    let (kind, temporary) = match &err {
        SdkError::TimeoutError(_) => (ErrorKind::TimedOut, true),
        SdkError::DispatchFailure(failure) => {
            let kind = if failure.is_timeout() {
                ErrorKind::TimedOut
            } else if failure.is_io() {
                ErrorKind::Unavailable
            } else {
                ErrorKind::Unexpected
            };
            (kind, failure.is_io() || failure.is_timeout())
        }
        SdkError::ConstructionFailure(_) => (ErrorKind::InvalidInput, false),
        // An answer that could not be read whole (the connection dropped or the body ended
        // early) or made no sense: the way to the service failed, and a retry may pass.
        SdkError::ResponseError(_) => (ErrorKind::Unavailable, true),
        _ => classify(status, code.as_deref()),
    };
    let mut text = String::new();
    if let Some(status) = status {
        text.push_str(&format!("HTTP {status}"));
    }
    if let Some(code) = &code {
        text.push_str(&format!(" {code}"));
    }
    if let Some(message) = &message {
        text.push_str(&format!(": {message}"));
    }
    let text = if text.is_empty() {
        err.to_string()
    } else {
        text.trim().to_owned()
    };
    let mut mapped = Error::new(kind, text).with_temporary(temporary);
    // A service error with a code says all in its code and message; anything else (a response
    // that could not be read, a connection failure) needs the causes the SDK recorded. Their
    // Display texts only: the Debug form dumps whole responses.
    if code.is_none() {
        mapped = mapped.with_source(causes(&err));
    }
    mapped
}

/// The Display texts of an error's causes, joined.
fn causes(err: &(dyn std::error::Error + 'static)) -> String {
    let mut texts = Vec::new();
    let mut next = err.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !texts.contains(&text) {
            texts.push(text);
        }
        next = cause.source();
    }
    if texts.is_empty() {
        texts.push(err.to_string());
    }
    texts.join(": ")
}

/// The kind, and whether to retry, for an HTTP status and S3 error code.
pub(crate) fn classify(status: Option<u16>, code: Option<&str>) -> (ErrorKind, bool) {
    match code {
        Some("NoSuchKey" | "NoSuchBucket" | "NoSuchUpload" | "NotFound" | "NoSuchVersion") => {
            return (ErrorKind::NotFound, false);
        }
        Some("BucketAlreadyExists" | "BucketAlreadyOwnedByYou") => {
            return (ErrorKind::AlreadyExists, false);
        }
        Some("BucketNotEmpty") => return (ErrorKind::DirectoryNotEmpty, false),
        Some("PreconditionFailed" | "ConditionalRequestConflict") => {
            return (ErrorKind::ConditionNotMet, false);
        }
        Some("InvalidRange") => return (ErrorKind::RangeNotSatisfiable, false),
        Some("SlowDown" | "Throttling" | "ThrottlingException" | "RequestLimitExceeded") => {
            return (ErrorKind::RateLimited, true);
        }
        Some(
            "InvalidAccessKeyId"
            | "SignatureDoesNotMatch"
            | "ExpiredToken"
            | "InvalidToken"
            | "TokenRefreshRequired"
            | "AuthorizationHeaderMalformed",
        ) => return (ErrorKind::Unauthenticated, false),
        Some("AccessDenied" | "AllAccessDisabled") => return (ErrorKind::PermissionDenied, false),
        Some("BadDigest" | "InvalidDigest" | "XAmzContentChecksumMismatch") => {
            return (ErrorKind::IntegrityMismatch, false);
        }
        Some("RequestTimeout") => return (ErrorKind::TimedOut, true),
        Some("InvalidPart" | "InvalidPartOrder" | "EntityTooSmall" | "EntityTooLarge") => {
            return (ErrorKind::InvalidInput, false);
        }
        Some("NotImplemented") => return (ErrorKind::Unsupported, false),
        _ => {}
    }
    match status {
        // A conflict with another request on S3 (OperationAborted and the like): try again.
        Some(409) => (ErrorKind::ConditionNotMet, true),
        Some(status) => ErrorKind::from_http_status(status),
        None => (ErrorKind::Unexpected, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_win_over_statuses() {
        assert_eq!(
            classify(Some(404), Some("NoSuchKey")),
            (ErrorKind::NotFound, false)
        );
        assert_eq!(
            classify(Some(403), Some("SignatureDoesNotMatch")).0,
            ErrorKind::Unauthenticated
        );
        assert_eq!(
            classify(Some(403), Some("AccessDenied")).0,
            ErrorKind::PermissionDenied
        );
        assert_eq!(
            classify(Some(503), Some("SlowDown")),
            (ErrorKind::RateLimited, true)
        );
        assert_eq!(
            classify(Some(400), Some("BadDigest")).0,
            ErrorKind::IntegrityMismatch
        );
        assert_eq!(
            classify(Some(400), Some("InvalidPart")).0,
            ErrorKind::InvalidInput
        );
    }

    #[test]
    fn statuses_without_codes() {
        assert_eq!(classify(Some(412), None).0, ErrorKind::ConditionNotMet);
        assert_eq!(classify(Some(304), None).0, ErrorKind::ConditionNotMet);
        assert_eq!(classify(Some(416), None).0, ErrorKind::RangeNotSatisfiable);
        assert_eq!(classify(Some(404), None).0, ErrorKind::NotFound);
        assert_eq!(classify(Some(429), None), (ErrorKind::RateLimited, true));
        assert_eq!(classify(Some(500), None), (ErrorKind::Unavailable, true));
        assert_eq!(
            classify(Some(502), Some("Weird")),
            (ErrorKind::Unavailable, true)
        );
        assert_eq!(classify(None, None), (ErrorKind::Unexpected, false));
    }
}
