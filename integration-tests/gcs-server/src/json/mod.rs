//! The JSON API half (`/storage/v1/...`, `/upload/storage/v1/...`): routing, query parameters,
//! and the object resource as the JSON API renders it.

mod buckets;
pub(crate) mod download;
mod objects;
pub(crate) mod upload;

use crate::AppState;
use crate::csek::Csek;
use crate::errors::{ApiError, ApiResult};
use crate::store::{Object, Preconditions};
use axum::body::Body;
use axum::http::{Method, Request};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

/// Whether a request belongs to this half.
pub(crate) fn handles(path: &str) -> bool {
    [
        "/storage/v1/",
        "/upload/storage/v1/",
        "/download/storage/v1/",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

/// Whether a request continues a resumable upload (a chunk, a status query or a cancel on the
/// session URL), which GCS accepts without credentials.
pub(crate) fn is_upload_session<B>(request: &Request<B>) -> bool {
    let method = request.method();
    (method == Method::PUT || method == Method::DELETE)
        && request.uri().path().starts_with("/upload/storage/v1/")
        && Query::parse(request.uri().query())
            .get("upload_id")
            .is_some()
}

/// Routes a JSON API request; every failure becomes a JSON error document.
pub(crate) async fn dispatch(state: Arc<AppState>, request: Request<Body>) -> Response {
    route(state, request)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn route(state: Arc<AppState>, request: Request<Body>) -> ApiResult<Response> {
    let query = Query::parse(request.uri().query());
    // Split the raw path before decoding, so that an encoded `/` stays inside an object name.
    let raw: Vec<&str> = request
        .uri()
        .path()
        .trim_start_matches('/')
        .split('/')
        .collect();
    let segments = raw
        .iter()
        .map(|s| decode(s))
        .collect::<ApiResult<Vec<_>>>()?;
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let method = request.method().clone();
    match (method, segments.as_slice()) {
        (Method::POST, ["upload", "storage", "v1", "b", bucket, "o"]) => {
            upload::start(&state, bucket, &query, request).await
        }
        (Method::PUT, ["upload", "storage", "v1", "b", _, "o"]) => {
            upload::put_chunk(&state, &query, request).await
        }
        (Method::DELETE, ["upload", "storage", "v1", "b", _, "o"]) => {
            upload::cancel(&state, &query)
        }
        (Method::GET, ["download", "storage", "v1", "b", bucket, "o", object]) => {
            download::get_media(&state, bucket, object, &query, request.headers())
        }
        (Method::GET, ["storage", "v1", "b", bucket, "o", object])
            if query.get("alt") == Some("media") =>
        {
            download::get_media(&state, bucket, object, &query, request.headers())
        }
        (Method::GET, ["storage", "v1", "b", bucket, "o", object]) => {
            objects::get(&state, bucket, object, &query, request.headers())
        }
        (Method::DELETE, ["storage", "v1", "b", bucket, "o", object]) => {
            objects::delete(&state, bucket, object, &query)
        }
        (Method::GET, ["storage", "v1", "b", bucket, "o"]) => objects::list(&state, bucket, &query),
        (Method::POST, ["storage", "v1", "b"]) => buckets::create(&state, request).await,
        (Method::GET, ["storage", "v1", "b"]) => buckets::list(&state, &query),
        (Method::GET, ["storage", "v1", "b", bucket]) => buckets::get(&state, bucket),
        (Method::DELETE, ["storage", "v1", "b", bucket]) => buckets::delete(&state, bucket, &query),
        (method, _) => Err(ApiError::not_found(format!(
            "no JSON API route for {method} {}",
            request.uri().path()
        ))),
    }
}

fn decode(segment: &str) -> ApiResult<String> {
    percent_decode_str(segment)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| ApiError::bad_request("path is not valid UTF-8 after percent-decoding"))
}

/// Decoded query parameters; GCS takes the first value of a repeated key.
#[derive(Debug, Default)]
pub(crate) struct Query(HashMap<String, String>);

impl Query {
    pub(crate) fn parse(query: Option<&str>) -> Self {
        let mut map = HashMap::new();
        for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            map.entry(k.into_owned()).or_insert_with(|| v.into_owned());
        }
        Self(map)
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    pub(crate) fn get_i64(&self, key: &str) -> ApiResult<Option<i64>> {
        self.get(key)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| ApiError::bad_request(format!("invalid {key}: {v:?}")))
            })
            .transpose()
    }

    pub(crate) fn preconditions(&self) -> ApiResult<Preconditions> {
        Ok(Preconditions {
            if_generation_match: self.get_i64("ifGenerationMatch")?,
            if_generation_not_match: self.get_i64("ifGenerationNotMatch")?,
            if_metageneration_match: self.get_i64("ifMetagenerationMatch")?,
            if_metageneration_not_match: self.get_i64("ifMetagenerationNotMatch")?,
        })
    }

    /// The `generation` parameter; 0 (absent) selects the live generation.
    pub(crate) fn generation(&self) -> ApiResult<i64> {
        Ok(self.get_i64("generation")?.unwrap_or(0))
    }
}

/// The customer-supplied key of a request, from the `x-goog-encryption-*` headers.
pub(crate) fn request_csek(headers: &http::HeaderMap) -> ApiResult<Option<Csek>> {
    Csek::from_headers(headers, "x-goog-encryption")
}

pub(crate) fn rfc3339(time: SystemTime) -> String {
    jiff::Timestamp::try_from(time).map_or_else(|_| String::new(), |t| t.to_string())
}

/// The object resource of the JSON API. Hashes are hidden for CSEK objects read without the key.
pub(crate) fn object_json(object: &Object, show_hashes: bool) -> Value {
    let a = &object.attrs;
    let id = format!("{}/{}/{}", object.bucket, object.name, object.generation);
    let encoded = percent_encoding::utf8_percent_encode(&object.name, ENCODED).to_string();
    let mut v = json!({
        "kind": "storage#object",
        "id": id,
        "selfLink": format!("/storage/v1/b/{}/o/{encoded}", object.bucket),
        "mediaLink": format!(
            "/download/storage/v1/b/{}/o/{encoded}?generation={}&alt=media",
            object.bucket, object.generation
        ),
        "name": object.name,
        "bucket": object.bucket,
        "generation": object.generation.to_string(),
        "metageneration": object.metageneration.to_string(),
        "size": object.size().to_string(),
        "storageClass": a.storage_class,
        "timeCreated": rfc3339(object.created),
        "updated": rfc3339(object.updated),
        "timeStorageClassUpdated": rfc3339(object.created),
        "timeFinalized": rfc3339(object.created),
        "etag": object.etag(),
    });
    let fields = [
        ("contentType", &a.content_type),
        ("contentEncoding", &a.content_encoding),
        ("contentDisposition", &a.content_disposition),
        ("contentLanguage", &a.content_language),
        ("cacheControl", &a.cache_control),
        ("kmsKeyName", &a.kms_key_name),
    ];
    for (key, value) in fields {
        if !value.is_empty() {
            v[key] = json!(value);
        }
    }
    if !a.metadata.is_empty() {
        v["metadata"] = json!(a.metadata);
    }
    if object.component_count > 0 {
        v["componentCount"] = json!(object.component_count);
    }
    if show_hashes {
        v["crc32c"] = json!(object.crc32c_base64());
        // Composite objects have a CRC32C only.
        if let Some(md5) = object.md5_base64() {
            v["md5Hash"] = json!(md5);
        }
    }
    if let Some(sha) = object.csek_sha256 {
        v["customerEncryption"] = json!({
            "encryptionAlgorithm": "AES256",
            "keySha256": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, sha),
        });
    }
    v
}

/// The characters GCS clients percent-encode in object names (everything but unreserved).
pub(crate) const ENCODED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub(crate) fn json_response(status: http::StatusCode, body: &Value) -> Response {
    (
        status,
        [(
            http::header::CONTENT_TYPE,
            "application/json; charset=UTF-8",
        )],
        body.to_string(),
    )
        .into_response()
}
