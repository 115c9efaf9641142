//! GCS object resources (and the SDK's read highlights) as rs-storage [`Metadata`].
//!
//! The ETag rs-storage reports for a GCS object is its generation number: it changes exactly
//! when the content does, and GCS's preconditions speak generations (see `conditions`).

use std::time::SystemTime;

use google_cloud_storage::model::Object;
use google_cloud_storage::model_ext::ObjectHighlights;
use storage_types::Metadata;

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

fn time(t: Option<&google_cloud_wkt::Timestamp>) -> Option<SystemTime> {
    t.and_then(|t| SystemTime::try_from(*t).ok())
}

/// The metadata of an object resource (from gRPC calls and upload replies).
pub(crate) fn metadata(object: &Object) -> Metadata {
    let mut meta = Metadata::file(u64::try_from(object.size).unwrap_or_default());
    meta.etag = Some(object.generation.to_string());
    meta.version = Some(object.generation.to_string());
    meta.last_modified = time(object.update_time.as_ref()).or(time(object.create_time.as_ref()));
    meta.content_type = non_empty(&object.content_type);
    meta.content_encoding = non_empty(&object.content_encoding);
    meta.cache_control = non_empty(&object.cache_control);
    meta.content_disposition = non_empty(&object.content_disposition);
    meta.user_metadata = object
        .metadata
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    meta.storage_class = non_empty(&object.storage_class);
    meta.kms_key_id = non_empty(&object.kms_key);
    meta
}

/// The metadata a download reports in its headers.
pub(crate) fn from_highlights(h: &ObjectHighlights) -> Metadata {
    let mut meta = Metadata::file(u64::try_from(h.size).unwrap_or_default());
    meta.etag = Some(h.generation.to_string());
    meta.version = Some(h.generation.to_string());
    meta.content_type = non_empty(&h.content_type);
    meta.content_encoding = non_empty(&h.content_encoding);
    meta.content_disposition = non_empty(&h.content_disposition);
    meta.user_metadata = h
        .metadata
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    meta.storage_class = non_empty(&h.storage_class);
    meta
}

/// The SHA256 of the customer key an object is encrypted with, if any.
pub(crate) fn key_sha256(object: &Object) -> Option<&[u8]> {
    object
        .customer_encryption
        .as_ref()
        .map(|c| c.key_sha256_bytes.as_ref())
}

/// A resource with an object's name and headers only (no output fields), for a compose that
/// must keep them.
pub(crate) fn headers_of(object: &Object) -> Object {
    Object::new()
        .set_name(object.name.clone())
        .set_bucket(object.bucket.clone())
        .set_content_type(object.content_type.clone())
        .set_content_encoding(object.content_encoding.clone())
        .set_cache_control(object.cache_control.clone())
        .set_content_disposition(object.content_disposition.clone())
        .set_content_language(object.content_language.clone())
        .set_storage_class(object.storage_class.clone())
        .set_metadata(object.metadata.clone())
}
