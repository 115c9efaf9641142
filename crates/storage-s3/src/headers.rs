//! The stored headers of a write (content type and the like, user metadata, storage class, ACL)
//! set on PutObject and CreateMultipartUpload alike.

use std::collections::HashMap;

use storage_types::WriteOptions;

/// User metadata as the SDK wants it, `None` when empty.
pub(crate) fn user_metadata(opts: &WriteOptions) -> Option<HashMap<String, String>> {
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

/// Sets the stored headers of `$opts` on a write-type request.
macro_rules! with_write_headers {
    ($req:expr, $opts:expr, $s3opts:expr, $storage_class:expr) => {{
        let opts: &storage_types::WriteOptions = $opts;
        $req.set_content_type(opts.content_type.clone())
            .set_content_encoding(opts.content_encoding.clone())
            .set_cache_control(opts.cache_control.clone())
            .set_content_disposition(opts.content_disposition.clone())
            .set_metadata($crate::headers::user_metadata(opts))
            .set_storage_class(
                opts.storage_class
                    .clone()
                    .or_else(|| $storage_class.clone())
                    .map(|c| aws_sdk_s3::types::StorageClass::from(c.as_str())),
            )
            .set_acl(
                $s3opts
                    .acl
                    .as_deref()
                    .map(aws_sdk_s3::types::ObjectCannedAcl::from),
            )
    }};
}

pub(crate) use with_write_headers;
