//! The stored headers of a write (content type and the like, user metadata, access tier) and
//! its encryption, set alike on Put Blob, Put Block List and Create Append Blob options.

use std::collections::HashMap;

use azure_storage_blob::models::AccessTier;
use storage_types::{Error, Result, WriteOptions};

/// User metadata as the SDK wants it, `None` when empty.
pub(crate) fn metadata(opts: &WriteOptions) -> Option<HashMap<String, String>> {
    if opts.user_metadata.is_empty() {
        return None;
    }
    Some(
        opts.user_metadata
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

/// The access tier of a write: its storage class, else the store's default.
pub(crate) fn tier(
    opts: &WriteOptions,
    default: Option<&AccessTier>,
) -> Result<Option<AccessTier>> {
    match &opts.storage_class {
        Some(class) => class.parse::<AccessTier>().map(Some).map_err(|_| {
            Error::invalid_input(format!(
                "unknown access tier `{class}` (Hot, Cool, Cold, Archive)"
            ))
        }),
        None => Ok(default.cloned()),
    }
}

/// Sets the stored headers, metadata and encryption of `$opts` on an SDK options struct with
/// the `blob_*` header fields (the tier, where the blob type has one, is set apart).
macro_rules! with_write_headers {
    ($target:expr, $opts:expr, $encryption:expr) => {{
        let opts: &storage_types::WriteOptions = $opts;
        let mut target = $target;
        target.blob_content_type = opts.content_type.clone();
        target.blob_content_encoding = opts.content_encoding.clone();
        target.blob_cache_control = opts.cache_control.clone();
        target.blob_content_disposition = opts.content_disposition.clone();
        target.metadata = $crate::headers::metadata(opts);
        target.encryption_scope = $encryption.scope.clone();
        $crate::encryption::with_cpk!(target, $encryption.cpk.as_ref())
    }};
}

pub(crate) use with_write_headers;
