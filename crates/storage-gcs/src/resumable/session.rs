//! The start of a resumable upload: a POST with the object's resource (its headers, user
//! metadata, storage class, a checksum given with the write) and the write's conditions,
//! answered with the session URL in `Location`. Until that answer the upload does not exist,
//! so the start is retried as any request that changed nothing.

use base64::Engine;
use base64::prelude::BASE64_STANDARD;
use reqwest::Url;
use serde_json::{Map, Value, json};
use storage_types::{Checksum, Error, Result};

use super::Streamed;
use super::chunk::Session;
use super::transport::{Attempts, Sender, retryable, status_error};
use crate::GcsStorage;

/// The JSON API's host, when the store names no endpoint.
const DEFAULT_ENDPOINT: &str = "https://storage.googleapis.com";

/// Starts the upload of `upload` and returns its session.
pub(super) async fn start<'a>(store: &'a GcsStorage, upload: &Streamed<'a>) -> Result<Session<'a>> {
    let endpoint = store
        .inner
        .endpoint
        .as_deref()
        .unwrap_or(DEFAULT_ENDPOINT)
        .trim_end_matches('/');
    let mut url = Url::parse(&format!(
        "{endpoint}/upload/storage/v1/b/{}/o",
        store.inner.bucket
    ))
    .map_err(|_| Error::invalid_input("the GCS endpoint is not a URL"))?;
    url.query_pairs_mut()
        .extend_pairs(query(store, upload).iter().map(|(k, v)| (k, v)));
    let body = resource(store, upload).to_string();
    let sender = Sender {
        store,
        encryption: upload.encryption,
    };
    let mut attempts = Attempts::new(store.inner.retry);
    loop {
        let mut req = store
            .inner
            .http
            .post(url.clone())
            .header("content-type", "application/json; charset=UTF-8")
            .body(body.clone());
        if let Some(size) = upload.size {
            // GCS then refuses an upload that ends at another size.
            req = req.header("x-upload-content-length", size);
        }
        let (error, never_connected) = match sender.send(req, attempts.deadline()).await? {
            Ok(answer) if (200..300).contains(&answer.status) => {
                let location = answer
                    .headers
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .ok_or_else(|| {
                        Error::unexpected("GCS started an upload with no session URL")
                    })?;
                let url = url
                    .join(location)
                    .map_err(|_| Error::unexpected("GCS answered a session URL that is no URL"))?;
                return Ok(Session { sender, url });
            }
            Ok(answer) if retryable(answer.status) => {
                (status_error(&answer, "the upload's start"), false)
            }
            Ok(answer) => return Err(status_error(&answer, "the upload's start")),
            Err(no_answer) => (no_answer.error, no_answer.never_connected),
        };
        attempts.failed(error, never_connected).await?;
    }
}

/// The query of the start: the object's name, the write's conditions, the bucket's ACL and
/// the KMS key.
fn query(store: &GcsStorage, upload: &Streamed<'_>) -> Vec<(&'static str, String)> {
    let mut query = vec![
        ("uploadType", "resumable".to_owned()),
        ("name", upload.name.to_owned()),
    ];
    if let Some(generation) = upload.conditions.if_match {
        query.push(("ifGenerationMatch", generation.to_string()));
    }
    if let Some(generation) = upload.conditions.if_not_match {
        query.push(("ifGenerationNotMatch", generation.to_string()));
    }
    if let Some(acl) = &store.inner.predefined_acl {
        query.push(("predefinedAcl", acl.clone()));
    }
    if let Some(kms) = &upload.encryption.kms_key {
        query.push(("kmsKeyName", kms.clone()));
    }
    query
}

/// The object resource of the start, with what `writer::Settings::apply` gives the SDK.
fn resource(store: &GcsStorage, upload: &Streamed<'_>) -> Value {
    let opts = upload.opts;
    let mut resource = Map::new();
    let texts = [
        ("contentType", &opts.content_type),
        ("contentEncoding", &opts.content_encoding),
        ("cacheControl", &opts.cache_control),
        ("contentDisposition", &opts.content_disposition),
        (
            "storageClass",
            if opts.storage_class.is_some() {
                &opts.storage_class
            } else {
                &store.inner.storage_class
            },
        ),
    ];
    for (key, value) in texts {
        if let Some(value) = value {
            resource.insert(key.to_owned(), json!(value));
        }
    }
    if !opts.user_metadata.is_empty() {
        resource.insert("metadata".to_owned(), json!(opts.user_metadata));
    }
    // GCS checks a checksum declared here before it finalises the object.
    match opts.checksum {
        Some(Checksum::Crc32c(crc)) => {
            let crc = BASE64_STANDARD.encode(crc.to_be_bytes());
            resource.insert("crc32c".to_owned(), json!(crc));
        }
        Some(Checksum::Md5(md5)) => {
            resource.insert("md5Hash".to_owned(), json!(BASE64_STANDARD.encode(md5)));
        }
        _ => {}
    }
    Value::Object(resource)
}
