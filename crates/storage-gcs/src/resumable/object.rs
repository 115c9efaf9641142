//! The answer that finalises the upload: the JSON object resource as the SDK's `Object` (the
//! fields `object::metadata` reads), checked against what was sent: its size, its CRC32C and a
//! known MD5 (as the SDK checks its uploads).

use std::collections::BTreeMap;

use base64::Engine;
use base64::prelude::BASE64_STANDARD;
use google_cloud_storage::model::Object;
use google_cloud_wkt::Timestamp;
use serde_json::Value;
use storage_types::{Checksum, Error, ErrorKind, Metadata, Result};

use super::transport::Answer;
use crate::object::metadata;

/// The metadata of the object the upload made, of `size` bytes with CRC32C `crc32c`.
pub(super) fn finished(
    answer: &Answer,
    size: u64,
    crc32c: u32,
    known: Option<Checksum>,
) -> Result<Metadata> {
    let json: Value = serde_json::from_slice(&answer.body)
        .map_err(|_| Error::unexpected("GCS finalised the upload with no object resource"))?;
    let object = object_of(&json)?;
    let mismatch = |what: String| Err(Error::new(ErrorKind::IntegrityMismatch, what));
    if u64::try_from(object.size).ok() != Some(size) {
        return mismatch(format!(
            "GCS stored {} bytes of the {size} uploaded",
            object.size
        ));
    }
    if let Some(stored) = json["crc32c"].as_str()
        && decoded(stored) != Some(crc32c.to_be_bytes().to_vec())
    {
        return mismatch("the stored object's CRC32C is not that of the bytes uploaded".into());
    }
    if let (Some(Checksum::Md5(md5)), Some(stored)) = (known, json["md5Hash"].as_str())
        && decoded(stored) != Some(md5.to_vec())
    {
        return mismatch("the stored object's MD5 is not the one given with the write".into());
    }
    Ok(metadata(&object))
}

fn decoded(base64: &str) -> Option<Vec<u8>> {
    BASE64_STANDARD.decode(base64).ok()
}

/// The fields of a JSON object resource that `object::metadata` reads.
fn object_of(json: &Value) -> Result<Object> {
    // The JSON API writes 64-bit numbers as strings; some emulators as numbers.
    let number = |key: &str| match &json[key] {
        Value::String(text) => text.parse::<i64>().ok(),
        value => value.as_i64(),
    };
    let text = |key: &str| json[key].as_str().unwrap_or_default().to_owned();
    let time = |key: &str| json[key].as_str().and_then(|t| Timestamp::try_from(t).ok());
    let missing = |key: &str| Error::unexpected(format!("GCS answered an object with no {key}"));
    let user_metadata: BTreeMap<String, String> = json["metadata"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
        .collect();
    Ok(Object::new()
        .set_size(number("size").ok_or_else(|| missing("size"))?)
        .set_generation(number("generation").ok_or_else(|| missing("generation"))?)
        .set_or_clear_update_time(time("updated"))
        .set_or_clear_create_time(time("timeCreated"))
        .set_content_type(text("contentType"))
        .set_content_encoding(text("contentEncoding"))
        .set_cache_control(text("cacheControl"))
        .set_content_disposition(text("contentDisposition"))
        .set_storage_class(text("storageClass"))
        .set_kms_key(text("kmsKeyName"))
        .set_metadata(user_metadata))
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use reqwest::header::HeaderMap;

    use super::*;

    fn answer(json: &Value) -> Answer {
        Answer {
            status: 200,
            headers: HeaderMap::new(),
            body: Bytes::from(json.to_string()),
        }
    }

    #[test]
    fn the_object_resource_is_the_metadata_and_matches_what_was_sent() {
        let crc = crc32c::crc32c(b"hello");
        let json = serde_json::json!({
            "size": "5",
            "generation": "1712",
            "updated": "2025-01-02T03:04:05.678Z",
            "contentType": "text/plain",
            "metadata": {"a": "b"},
            "storageClass": "STANDARD",
            "crc32c": BASE64_STANDARD.encode(crc.to_be_bytes()),
        });
        let meta = finished(&answer(&json), 5, crc, None).unwrap();
        assert_eq!(meta.etag.as_deref(), Some("1712"));
        assert_eq!(meta.size, 5);
        assert_eq!(meta.content_type.as_deref(), Some("text/plain"));
        assert_eq!(meta.user_metadata.get("a").map(String::as_str), Some("b"));
        assert!(meta.last_modified.is_some());

        let err = finished(&answer(&json), 6, crc, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::IntegrityMismatch);
        let err = finished(&answer(&json), 5, crc ^ 1, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::IntegrityMismatch);
    }
}
