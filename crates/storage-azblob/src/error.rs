//! The one place where Azure errors become rs-storage errors: by error code (`x-ms-error-code`)
//! and HTTP status.

use azure_core::error::ErrorKind as AzureKind;
use storage_types::{Error, ErrorKind};

/// Maps an `azure_core` error, keeping its text as the source.
pub(crate) fn map_error(err: azure_core::Error) -> Error {
    let (kind, temporary, status, code) = match err.kind() {
        AzureKind::HttpResponse {
            status, error_code, ..
        } => {
            let status = u16::from(*status);
            let (kind, temporary) = classify(Some(status), error_code.as_deref());
            (kind, temporary, Some(status), error_code.clone())
        }
        AzureKind::Io | AzureKind::Connection => (ErrorKind::Unavailable, true, None, None),
        AzureKind::Credential => (ErrorKind::Unauthenticated, false, None, None),
        AzureKind::DataConversion => (ErrorKind::Unexpected, false, None, None),
        _ => (ErrorKind::Unexpected, false, None, None),
    };
    let mut text = String::new();
    if let Some(status) = status {
        text.push_str(&format!("HTTP {status}"));
    }
    if let Some(code) = code.filter(|c| c.parse::<u16>().is_err()) {
        text.push_str(&format!(" {code}"));
    }
    let text = if text.is_empty() {
        "request failed".to_owned()
    } else {
        text
    };
    let mapped = Error::new(kind, text).with_temporary(temporary);
    // An HTTP error says all in its status and code (its text is the raw XML body); anything
    // else needs the SDK's own words.
    match status {
        Some(_) => mapped,
        None => mapped.with_source(one_line(&err)),
    }
}

/// The error's own text, without the raw response dump some variants carry.
fn one_line(err: &azure_core::Error) -> String {
    let text = err.to_string();
    text.lines().next().unwrap_or_default().to_owned()
}

/// The kind, and whether to retry, for an HTTP status and Azure error code.
pub(crate) fn classify(status: Option<u16>, code: Option<&str>) -> (ErrorKind, bool) {
    match code {
        Some("BlobNotFound" | "ContainerNotFound" | "ResourceNotFound") => {
            return (ErrorKind::NotFound, false);
        }
        Some("BlobAlreadyExists" | "ContainerAlreadyExists") => {
            return (ErrorKind::AlreadyExists, false);
        }
        Some(
            "ConditionNotMet"
            | "AppendPositionConditionNotMet"
            | "MaxBlobSizeConditionNotMet"
            | "TargetConditionNotMet"
            | "SourceConditionNotMet",
        ) => return (ErrorKind::ConditionNotMet, false),
        Some("InvalidRange") => return (ErrorKind::RangeNotSatisfiable, false),
        Some("ServerBusy" | "OperationTimedOut") => return (ErrorKind::RateLimited, true),
        Some(
            "AuthenticationFailed" | "NoAuthenticationInformation" | "InvalidAuthenticationInfo",
        ) => {
            return (ErrorKind::Unauthenticated, false);
        }
        Some(
            "AuthorizationFailure"
            | "AuthorizationPermissionMismatch"
            | "InsufficientAccountPermissions"
            | "AuthorizationResourceTypeMismatch",
        ) => return (ErrorKind::PermissionDenied, false),
        Some("Md5Mismatch" | "Crc64Mismatch" | "InvalidMd5") => {
            return (ErrorKind::IntegrityMismatch, false);
        }
        Some("InvalidBlockList" | "InvalidBlockId" | "InvalidBlobType" | "InvalidHeaderValue") => {
            return (ErrorKind::InvalidInput, false);
        }
        // A customer-key blob read without its key (or a plain one with a key): a 409 that is
        // a missing parameter, as S3 and GCS answer it (400), not something already there.
        Some(
            "BlobUsesCustomerSpecifiedEncryption" | "BlobDoesNotUseCustomerSpecifiedEncryption",
        ) => {
            return (ErrorKind::InvalidInput, false);
        }
        Some("ContainerBeingDeleted" | "ContainerDisabled") => {
            return (ErrorKind::Unavailable, true);
        }
        Some("FeatureNotSupported" | "UnsupportedHeader") => {
            return (ErrorKind::Unsupported, false);
        }
        _ => {}
    }
    match status {
        // On Azure a bare conflict is something already there (a blob, a container, a lease).
        Some(409) => (ErrorKind::AlreadyExists, false),
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
            classify(Some(404), Some("BlobNotFound")),
            (ErrorKind::NotFound, false)
        );
        assert_eq!(
            classify(Some(404), Some("ContainerNotFound")).0,
            ErrorKind::NotFound
        );
        assert_eq!(
            classify(Some(409), Some("BlobAlreadyExists")).0,
            ErrorKind::AlreadyExists
        );
        assert_eq!(
            classify(Some(412), Some("AppendPositionConditionNotMet")).0,
            ErrorKind::ConditionNotMet
        );
        assert_eq!(
            classify(Some(503), Some("ServerBusy")),
            (ErrorKind::RateLimited, true)
        );
        assert_eq!(
            classify(Some(403), Some("AuthenticationFailed")).0,
            ErrorKind::Unauthenticated
        );
        assert_eq!(
            classify(Some(403), Some("AuthorizationFailure")).0,
            ErrorKind::PermissionDenied
        );
        assert_eq!(
            classify(Some(400), Some("InvalidBlockList")).0,
            ErrorKind::InvalidInput
        );
        assert_eq!(
            classify(Some(409), Some("BlobUsesCustomerSpecifiedEncryption")).0,
            ErrorKind::InvalidInput
        );
    }

    #[test]
    fn statuses_without_codes() {
        assert_eq!(classify(Some(304), None).0, ErrorKind::ConditionNotMet);
        assert_eq!(classify(Some(412), None).0, ErrorKind::ConditionNotMet);
        assert_eq!(classify(Some(416), None).0, ErrorKind::RangeNotSatisfiable);
        assert_eq!(classify(Some(500), None), (ErrorKind::Unavailable, true));
        assert_eq!(classify(None, None), (ErrorKind::Unexpected, false));
    }
}
