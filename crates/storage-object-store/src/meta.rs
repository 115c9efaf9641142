//! rs-storage [`Metadata`] as object_store's `ObjectMeta` and `Attributes`.

use std::time::SystemTime;

use chrono::{DateTime, Utc};
use object_store::path::Path;
use object_store::{Attribute, Attributes, ObjectMeta};
use storage_types::Metadata;

/// The `ObjectMeta` of the object at `location`. A backend that reports no modification time
/// gives the Unix epoch, since object_store requires one.
pub(crate) fn object_meta(location: Path, meta: &Metadata) -> ObjectMeta {
    ObjectMeta {
        location,
        last_modified: datetime(meta.last_modified.unwrap_or(SystemTime::UNIX_EPOCH)),
        size: meta.size,
        e_tag: meta.etag.clone(),
        version: meta.version.clone(),
    }
}

/// The stored headers and user metadata of an object, as `Attributes`.
pub(crate) fn attributes(meta: &Metadata) -> Attributes {
    let headers = [
        (Attribute::ContentType, &meta.content_type),
        (Attribute::ContentEncoding, &meta.content_encoding),
        (Attribute::CacheControl, &meta.cache_control),
        (Attribute::ContentDisposition, &meta.content_disposition),
        (Attribute::StorageClass, &meta.storage_class),
    ];
    let mut attributes = Attributes::new();
    for (key, value) in headers {
        if let Some(value) = value {
            attributes.insert(key, value.clone().into());
        }
    }
    for (key, value) in &meta.user_metadata {
        attributes.insert(
            Attribute::Metadata(key.clone().into()),
            value.clone().into(),
        );
    }
    attributes
}

/// A `SystemTime` as chrono's UTC time.
pub(crate) fn datetime(at: SystemTime) -> DateTime<Utc> {
    DateTime::<Utc>::from(at)
}
