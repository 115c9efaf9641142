//! Uploads over the JSON API: `uploadType=multipart` (metadata, media and the official client's
//! optional trailing checksums part), `uploadType=media`, and resumable sessions (start, chunked
//! PUTs, status queries, cancellation). Nothing is stored until an upload completes and its
//! checksums and preconditions hold.

use super::{Query, json_response, object_json, request_csek};
use crate::AppState;
use crate::csek::Csek;
use crate::errors::{ApiError, ApiResult, Kind};
use crate::store::{NewObject, Object, ObjectAttrs, Preconditions};
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode, header};
use md5::Digest as _;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

/// An open resumable upload.
#[derive(Debug)]
pub(crate) struct Session {
    bucket: String,
    name: String,
    attrs: ObjectAttrs,
    csek: Option<Csek>,
    preconditions: Preconditions,
    declared: Declared,
    data: Vec<u8>,
    /// Set once finalised, so that a client re-querying a finished session gets the object.
    finished: Option<Value>,
}

/// Checksums the client declared for the whole object.
#[derive(Debug, Default, Clone)]
struct Declared {
    crc32c: Option<u32>,
    md5: Option<Vec<u8>>,
}

/// `POST /upload/storage/v1/b/{bucket}/o?uploadType=...`
pub(super) async fn start(
    state: &AppState,
    bucket: &str,
    query: &Query,
    request: Request<Body>,
) -> ApiResult<Response> {
    let (parts, body) = request.into_parts();
    let body = read_body(body).await?;
    let key = request_csek(&parts.headers)?;
    let preconditions = query.preconditions()?;
    match query.get("uploadType") {
        Some("multipart") => {
            let (resource, data, trailing) = split_multipart(&parts.headers, &body)?;
            let (name, attrs, mut declared) = resource_fields(query, &resource)?;
            declared.merge(parse_declared(&trailing)?);
            let new = NewObject {
                data,
                attrs,
                csek: key,
                component_count: 0,
            };
            let object = finish(state, bucket, &name, new, &preconditions, &declared)?;
            Ok(json_response(StatusCode::OK, &object_json(&object, true)))
        }
        Some("media") => {
            let (name, mut attrs, declared) = resource_fields(query, &Value::Null)?;
            attrs.content_type = header_str(&parts.headers, header::CONTENT_TYPE.as_str());
            let new = NewObject {
                data: body,
                attrs,
                csek: key,
                component_count: 0,
            };
            let object = finish(state, bucket, &name, new, &preconditions, &declared)?;
            Ok(json_response(StatusCode::OK, &object_json(&object, true)))
        }
        Some("resumable") => {
            let resource = if body.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(&body)
                    .map_err(|e| ApiError::bad_request(format!("metadata is not JSON: {e}")))?
            };
            let (name, mut attrs, declared) = resource_fields(query, &resource)?;
            if attrs.content_type.is_empty() {
                attrs.content_type = header_str(&parts.headers, "x-upload-content-type");
            }
            // Fail early on a missing bucket or a create-only precondition, as GCS does.
            state.store.get_bucket(bucket)?;
            let current = state.store.get_object(bucket, &name, 0).ok();
            preconditions.check(current.as_ref())?;
            let id = format!("{:016x}", state.next_id.fetch_add(1, Ordering::Relaxed));
            let location = format!(
                "http://{}/upload/storage/v1/b/{}/o?uploadType=resumable&name={}&upload_id={id}",
                request_host(&parts, state.port),
                percent_encoding::utf8_percent_encode(bucket, super::ENCODED),
                percent_encoding::utf8_percent_encode(&name, super::ENCODED),
            );
            let session = Session {
                bucket: bucket.to_string(),
                name,
                attrs,
                csek: key,
                preconditions,
                declared,
                data: Vec::new(),
                finished: None,
            };
            state.sessions().insert(id, session);
            let mut response = StatusCode::OK.into_response();
            response.headers_mut().insert(
                header::LOCATION,
                http::HeaderValue::from_str(&location)
                    .map_err(|_| ApiError::bad_request("cannot build the upload URL"))?,
            );
            Ok(response)
        }
        other => Err(ApiError::bad_request(format!(
            "unsupported uploadType {other:?}"
        ))),
    }
}

/// `PUT` on a resumable upload URL: a chunk, a final chunk, or a status query.
pub(super) async fn put_chunk(
    state: &AppState,
    query: &Query,
    request: Request<Body>,
) -> ApiResult<Response> {
    let id = query
        .get("upload_id")
        .ok_or_else(|| ApiError::bad_request("missing upload_id"))?
        .to_string();
    let (parts, body) = request.into_parts();
    let body = read_body(body).await?;
    let key = request_csek(&parts.headers)?;
    let range = ContentRange::parse(parts.headers.get(header::CONTENT_RANGE), body.len())?;
    range.check_chunk_size(body.len())?;
    let mut sessions = state.sessions();
    let session = sessions
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found(format!("no such upload session: {id}")))?;
    if let Some(done) = &session.finished {
        return Ok(json_response(StatusCode::OK, done));
    }
    if key.is_some() && key != session.csek {
        return Err(ApiError::bad_request(
            "the chunk's customer-supplied key differs from the one the upload started with",
        ));
    }
    let persisted = session.data.len() as u64;
    if let Some(first) = range.first {
        if first > persisted {
            return Err(ApiError::bad_request(format!(
                "the chunk starts at byte {first} but only {persisted} bytes are persisted"
            )));
        }
        // Bytes already persisted are ignored, as GCS does when a client resends a chunk.
        let skip = usize::try_from(persisted - first).unwrap_or(usize::MAX);
        if skip < body.len() {
            session.data.extend_from_slice(&body[skip..]);
        }
    }
    let received = session.data.len() as u64;
    let total = match range.total {
        Total::Known(total) => Some(total),
        Total::UntilThisChunk => Some(received),
        Total::Unknown => None,
    };
    if total.is_some_and(|t| received > t) {
        let message = format!("received {received} bytes, more than the declared total");
        sessions.remove(&id);
        return Err(ApiError::bad_request(message));
    }
    if total != Some(received) {
        let mut response = StatusCode::PERMANENT_REDIRECT.into_response();
        if received > 0 {
            let value = format!("bytes=0-{}", received - 1);
            if let Ok(value) = http::HeaderValue::from_str(&value) {
                response.headers_mut().insert(header::RANGE, value);
            }
        }
        return Ok(response);
    }
    let mut declared = session.declared.clone();
    declared.merge(parse_x_goog_hash(&parts.headers)?);
    let new = NewObject {
        data: Bytes::from(std::mem::take(&mut session.data)),
        attrs: session.attrs.clone(),
        csek: session.csek,
        component_count: 0,
    };
    let result = finish(
        state,
        &session.bucket,
        &session.name,
        new,
        &session.preconditions,
        &declared,
    );
    match result {
        Ok(object) => {
            let body = object_json(&object, true);
            session.finished = Some(body.clone());
            Ok(json_response(StatusCode::OK, &body))
        }
        Err(e) => {
            // A failed upload leaves nothing behind, not even its session.
            sessions.remove(&id);
            Err(e)
        }
    }
}

/// `DELETE` on a resumable upload URL cancels it; GCS answers 499.
pub(super) fn cancel(state: &AppState, query: &Query) -> ApiResult<Response> {
    let id = query
        .get("upload_id")
        .ok_or_else(|| ApiError::bad_request("missing upload_id"))?;
    state
        .sessions()
        .remove(id)
        .ok_or_else(|| ApiError::not_found(format!("no such upload session: {id}")))?;
    Err(ApiError::new(
        Kind::Cancelled,
        "clientClosedRequest",
        "the upload was cancelled",
    ))
}

/// Checks the declared checksums and stores the object under its preconditions.
fn finish(
    state: &AppState,
    bucket: &str,
    name: &str,
    new: NewObject,
    preconditions: &Preconditions,
    declared: &Declared,
) -> ApiResult<Object> {
    let data = &new.data;
    if let Some(want) = declared.crc32c {
        let got = crc32c::crc32c(data);
        if got != want {
            return Err(ApiError::bad_request(format!(
                "Provided CRC32C \"{}\" doesn't match calculated CRC32C \"{}\".",
                BASE64.encode(want.to_be_bytes()),
                BASE64.encode(got.to_be_bytes())
            )));
        }
    }
    if let Some(want) = &declared.md5 {
        let got = md5::Md5::digest(data);
        if got.as_slice() != want.as_slice() {
            return Err(ApiError::bad_request(format!(
                "Provided MD5 hash \"{}\" doesn't match calculated MD5 hash \"{}\".",
                BASE64.encode(want),
                BASE64.encode(got)
            )));
        }
    }
    state.store.put_object(bucket, name, new, preconditions)
}

impl Declared {
    /// Later sources (trailing part, final-chunk header) add to what the metadata declared.
    fn merge(&mut self, other: Declared) {
        if other.crc32c.is_some() {
            self.crc32c = other.crc32c;
        }
        if other.md5.is_some() {
            self.md5 = other.md5;
        }
    }
}

/// The values GCS takes for `predefinedAcl`; it answers any other with 400. The server keeps
/// no ACLs, but refusing what GCS refuses shows that the parameter was sent.
const PREDEFINED_ACLS: [&str; 6] = [
    "authenticatedRead",
    "bucketOwnerFullControl",
    "bucketOwnerRead",
    "private",
    "projectPrivate",
    "publicRead",
];

/// The name, writable attributes and declared checksums of an object resource and the query.
fn resource_fields(query: &Query, resource: &Value) -> ApiResult<(String, ObjectAttrs, Declared)> {
    if let Some(acl) = query.get("predefinedAcl")
        && !PREDEFINED_ACLS.contains(&acl)
    {
        return Err(ApiError::bad_request(format!(
            "Invalid argument: predefinedAcl {acl:?}"
        )));
    }
    let text = |key: &str| resource[key].as_str().unwrap_or_default().to_string();
    let name = query
        .get("name")
        .map(str::to_string)
        .or_else(|| resource["name"].as_str().map(str::to_string))
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::bad_request("the upload names no object"))?;
    let mut metadata = BTreeMap::new();
    if let Some(map) = resource["metadata"].as_object() {
        for (k, v) in map {
            // A null value deletes a key in GCS; on a new object it simply is not set.
            if let Some(v) = v.as_str() {
                metadata.insert(k.clone(), v.to_string());
            }
        }
    }
    let attrs = ObjectAttrs {
        content_type: text("contentType"),
        content_encoding: text("contentEncoding"),
        content_disposition: text("contentDisposition"),
        content_language: text("contentLanguage"),
        cache_control: text("cacheControl"),
        storage_class: text("storageClass"),
        metadata,
        kms_key_name: query
            .get("kmsKeyName")
            .map(str::to_string)
            .unwrap_or_else(|| text("kmsKeyName")),
    };
    Ok((name, attrs, parse_declared(resource)?))
}

fn parse_declared(resource: &Value) -> ApiResult<Declared> {
    let mut declared = Declared::default();
    if let Some(crc) = resource["crc32c"].as_str() {
        declared.crc32c = Some(decode_crc32c(crc)?);
    }
    if let Some(md5) = resource["md5Hash"].as_str() {
        declared.md5 = Some(
            BASE64
                .decode(md5)
                .map_err(|_| ApiError::bad_request("md5Hash is not base64"))?,
        );
    }
    Ok(declared)
}

/// `x-goog-hash: crc32c=...,md5=...`, sent by the official client on a final chunk.
fn parse_x_goog_hash(headers: &HeaderMap) -> ApiResult<Declared> {
    let mut declared = Declared::default();
    for value in headers.get_all("x-goog-hash") {
        let value = value
            .to_str()
            .map_err(|_| ApiError::bad_request("x-goog-hash is not text"))?;
        for item in value.split(',') {
            match item.trim().split_once('=') {
                Some(("crc32c", v)) => declared.crc32c = Some(decode_crc32c(v)?),
                Some(("md5", v)) => {
                    declared.md5 = Some(
                        BASE64
                            .decode(v)
                            .map_err(|_| ApiError::bad_request("x-goog-hash md5 is not base64"))?,
                    );
                }
                _ => {}
            }
        }
    }
    Ok(declared)
}

fn decode_crc32c(value: &str) -> ApiResult<u32> {
    BASE64
        .decode(value)
        .ok()
        .and_then(|b| <[u8; 4]>::try_from(b.as_slice()).ok())
        .map(u32::from_be_bytes)
        .ok_or_else(|| ApiError::bad_request(format!("invalid crc32c {value:?}")))
}

/// GCS takes the chunks of a resumable upload in multiples of 256 KiB; only the chunk that
/// completes the upload may be of any size.
const CHUNK_QUANTUM: usize = 256 * 1024;

/// The total size a `Content-Range` declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Total {
    Known(u64),
    Unknown,
    /// `bytes N-*/*`: the official client's single PUT of a stream of unknown size.
    UntilThisChunk,
}

/// A parsed `Content-Range` of a resumable upload PUT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ContentRange {
    /// Where the body starts; `None` for `bytes */...` (no data).
    first: Option<u64>,
    total: Total,
}

impl ContentRange {
    /// Refuses a chunk that does not complete the upload unless its size is a multiple of
    /// 256 KiB, with the words GCS uses.
    fn check_chunk_size(&self, body_len: usize) -> ApiResult<()> {
        let Some(first) = self.first else {
            return Ok(());
        };
        let completes = match self.total {
            Total::Known(total) => first + body_len as u64 >= total,
            Total::UntilThisChunk => true,
            Total::Unknown => false,
        };
        if completes || body_len.is_multiple_of(CHUNK_QUANTUM) {
            return Ok(());
        }
        Err(ApiError::bad_request(format!(
            "Invalid request. The number of bytes uploaded is required to be a multiple of \
             {CHUNK_QUANTUM}, except for the final request. The received request contained \
             {body_len} bytes, which does not meet this requirement."
        )))
    }

    fn parse(header: Option<&http::HeaderValue>, body_len: usize) -> ApiResult<Self> {
        let Some(header) = header else {
            // No Content-Range: the body is the whole object.
            return Ok(Self {
                first: Some(0),
                total: Total::Known(body_len as u64),
            });
        };
        let bad = || ApiError::bad_request(format!("invalid Content-Range {header:?}"));
        let spec = header
            .to_str()
            .ok()
            .and_then(|h| h.trim().strip_prefix("bytes "))
            .ok_or_else(bad)?;
        let (range, total) = spec.split_once('/').ok_or_else(bad)?;
        let total = match total.trim() {
            "*" => Total::Unknown,
            t => Total::Known(t.parse().map_err(|_| bad())?),
        };
        if range.trim() == "*" {
            return Ok(Self { first: None, total });
        }
        let (first, last) = range.split_once('-').ok_or_else(bad)?;
        let first: u64 = first.trim().parse().map_err(|_| bad())?;
        if last.trim() == "*" {
            let total = match total {
                Total::Unknown => Total::UntilThisChunk,
                known => known,
            };
            return Ok(Self {
                first: Some(first),
                total,
            });
        }
        let last: u64 = last.trim().parse().map_err(|_| bad())?;
        if last < first || last - first + 1 != body_len as u64 {
            return Err(ApiError::bad_request(format!(
                "Content-Range {spec:?} does not match the {body_len}-byte body"
            )));
        }
        Ok(Self {
            first: Some(first),
            total,
        })
    }
}

/// Splits a `multipart/related` body into the resource JSON, the media, and the optional third
/// (checksums) part the official client sends when it computed hashes while streaming.
fn split_multipart(headers: &HeaderMap, body: &[u8]) -> ApiResult<(Value, Bytes, Value)> {
    let content_type = header_str(headers, header::CONTENT_TYPE.as_str());
    let boundary = content_type
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .next()
        .map(|b| b.trim_matches('"').to_string())
        .ok_or_else(|| ApiError::bad_request("multipart upload without a boundary"))?;
    let parts = multipart_parts(body, &boundary)?;
    let json = |part: &(String, &[u8])| -> ApiResult<Value> {
        serde_json::from_slice(part.1)
            .map_err(|e| ApiError::bad_request(format!("a multipart JSON part is invalid: {e}")))
    };
    match parts.as_slice() {
        [meta, media] => Ok((json(meta)?, Bytes::copy_from_slice(media.1), Value::Null)),
        [meta, media, sums] => Ok((json(meta)?, Bytes::copy_from_slice(media.1), json(sums)?)),
        _ => Err(ApiError::bad_request(format!(
            "a multipart upload has 2 or 3 parts, not {}",
            parts.len()
        ))),
    }
}

/// The parts of a multipart body as (headers, content).
fn multipart_parts<'a>(body: &'a [u8], boundary: &str) -> ApiResult<Vec<(String, &'a [u8])>> {
    let bad = |what: &str| ApiError::bad_request(format!("malformed multipart body: {what}"));
    let opening = format!("--{boundary}");
    let separator = format!("\r\n--{boundary}");
    let mut rest = body
        .strip_prefix(opening.as_bytes())
        .ok_or_else(|| bad("no opening boundary"))?;
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .ok_or_else(|| bad("no CRLF after a boundary"))?;
        // A part without headers starts with the blank line that ends them.
        let (part_headers, content) = if let Some(content) = rest.strip_prefix(b"\r\n") {
            (String::new(), content)
        } else {
            let end = find(rest, b"\r\n\r\n").ok_or_else(|| bad("part without headers end"))?;
            (
                String::from_utf8_lossy(&rest[..end]).into_owned(),
                &rest[end + 4..],
            )
        };
        let end = find(content, separator.as_bytes()).ok_or_else(|| bad("no closing boundary"))?;
        parts.push((part_headers, &content[..end]));
        rest = &content[end + separator.len()..];
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn header_str(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// The authority the client used, so that the upload URL leads back to this server. The
/// official client sends `Host: 127.0.0.1` without the port, so the bound port fills it in.
fn request_host(parts: &http::request::Parts, port: u16) -> String {
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_else(|| "127.0.0.1".to_string());
    let has_port = host
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok() && !host.ends_with(']'));
    if has_port {
        host
    } else {
        format!("{host}:{port}")
    }
}

async fn read_body(body: Body) -> ApiResult<Bytes> {
    axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|e| ApiError::bad_request(format!("cannot read the request body: {e}")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn range(h: &str, len: usize) -> ContentRange {
        ContentRange::parse(Some(&http::HeaderValue::from_str(h).unwrap()), len).unwrap()
    }

    #[test]
    fn content_ranges_parse() {
        assert_eq!(
            range("bytes */*", 0),
            ContentRange {
                first: None,
                total: Total::Unknown
            }
        );
        assert_eq!(
            range("bytes */0", 0),
            ContentRange {
                first: None,
                total: Total::Known(0)
            }
        );
        assert_eq!(
            range("bytes 0-3/10", 4),
            ContentRange {
                first: Some(0),
                total: Total::Known(10)
            }
        );
        assert_eq!(
            range("bytes 4-*/*", 9),
            ContentRange {
                first: Some(4),
                total: Total::UntilThisChunk
            }
        );
        assert!(
            ContentRange::parse(Some(&http::HeaderValue::from_static("bytes 0-3/10")), 3).is_err()
        );
    }

    #[test]
    fn only_the_final_chunk_may_be_of_any_size() {
        let quantum = CHUNK_QUANTUM;
        let check = |h: &str, len: usize| range(h, len).check_chunk_size(len);
        check(&format!("bytes 0-{}/*", quantum - 1), quantum).unwrap();
        check(&format!("bytes 0-{}/*", 2 * quantum - 1), 2 * quantum).unwrap();
        check("bytes 0-999/1000", 1000).unwrap();
        check("bytes 0-999/*", 1000).unwrap_err();
        check("bytes 0-999/5000", 1000).unwrap_err();
        check(&format!("bytes 0-{}/*", quantum), quantum + 1).unwrap_err();
        check("bytes */*", 0).unwrap();
        check("bytes 4-*/*", 9).unwrap();
    }

    #[test]
    fn multipart_splits_parts() {
        let body = b"--xx\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\r\n--xx\r\n\r\nDATA\r\n\r\n--xx--\r\n";
        let parts = multipart_parts(body, "xx").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].1, b"{\"a\":1}");
        assert_eq!(parts[1].1, b"DATA\r\n");
    }
}
