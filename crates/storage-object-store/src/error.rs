//! rs-storage errors as object_store errors, mapped here and nowhere else.
//!
//! The kinds that object_store callers branch on (not found, already exists, precondition,
//! not modified, not supported, permission) get their own variants; everything else is
//! `Generic`, carrying our error (kind, operation, path, service) as its source.

use object_store::Error as OsError;
use storage_types::{Error, ErrorKind};

/// Maps `err`, met while acting on `path` of `service`.
///
/// `IsDirectory` and `NotDirectory` stay `Generic` here; reads use [`for_read`], for which a
/// directory is simply not an object.
pub(crate) fn map(err: Error, service: &'static str, path: &str) -> OsError {
    let path = path.to_owned();
    match err.kind() {
        ErrorKind::NotFound => OsError::NotFound {
            path,
            source: Box::new(err),
        },
        ErrorKind::AlreadyExists => OsError::AlreadyExists {
            path,
            source: Box::new(err),
        },
        ErrorKind::ConditionNotMet => OsError::Precondition {
            path,
            source: Box::new(err),
        },
        ErrorKind::Unsupported => OsError::NotSupported {
            source: Box::new(err),
        },
        ErrorKind::PermissionDenied => OsError::PermissionDenied {
            path,
            source: Box::new(err),
        },
        ErrorKind::Unauthenticated => OsError::Unauthenticated {
            path,
            source: Box::new(err),
        },
        _ => OsError::Generic {
            store: service,
            source: Box::new(err),
        },
    }
}

/// Maps an error of a read, a stat or a copy's source: a directory where an object was
/// expected is `NotFound`, as object_store's stores answer for a prefix.
pub(crate) fn for_read(err: Error, service: &'static str, path: &str) -> OsError {
    match err.kind() {
        ErrorKind::IsDirectory | ErrorKind::NotDirectory => OsError::NotFound {
            path: path.to_owned(),
            source: Box::new(err),
        },
        _ => map(err, service, path),
    }
}

/// Maps an error of a create-only call (`PutMode::Create`, `copy_if_not_exists`): the failed
/// condition means the target exists.
pub(crate) fn for_create(err: Error, service: &'static str, path: &str) -> OsError {
    match err.kind() {
        ErrorKind::ConditionNotMet => OsError::AlreadyExists {
            path: path.to_owned(),
            source: Box::new(err),
        },
        _ => map(err, service, path),
    }
}

/// Maps an error of completing a multipart upload. rs-storage answers `NotFound` for an
/// upload that is gone (aborted, completed, or, on Azure, discarded by another upload's
/// commit); to object_store `NotFound` means a missing object, so that is `Generic`.
pub(crate) fn for_complete(err: Error, service: &'static str, path: &str) -> OsError {
    match err.kind() {
        ErrorKind::NotFound => OsError::Generic {
            store: service,
            source: Box::new(err),
        },
        _ => map(err, service, path),
    }
}

/// Maps a failed `if_none_match` (or `if_modified_since`) of a read: `NotModified`.
pub(crate) fn not_modified(err: Error, path: &str) -> OsError {
    OsError::NotModified {
        path: path.to_owned(),
        source: Box::new(err),
    }
}

/// An operation, or an option of one, that this backend cannot carry out at all.
pub(crate) fn not_implemented(operation: impl Into<String>, service: &'static str) -> OsError {
    OsError::NotImplemented {
        operation: operation.into(),
        implementer: format!("StorageObjectStore over {service}"),
    }
}

/// An error of the adapter itself, for arguments object_store allows and rs-storage cannot
/// express.
pub(crate) fn generic(service: &'static str, message: impl Into<String>) -> OsError {
    OsError::Generic {
        store: service,
        source: Box::new(Error::new(ErrorKind::InvalidInput, message)),
    }
}
