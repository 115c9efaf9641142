//! Media downloads (`alt=media`): whole and ranged reads with the `x-goog-*` headers the official
//! client requires. The XML API (signed URLs) serves its reads through the same function.

use super::{Query, request_csek};
use crate::AppState;
use crate::csek::check_data_access;
use crate::errors::{ApiError, ApiResult, Kind};
use crate::store::Object;
use axum::body::Body;
use axum::response::Response;
use http::{HeaderMap, HeaderValue, StatusCode, header};

pub(super) fn get_media(
    state: &AppState,
    bucket: &str,
    name: &str,
    query: &Query,
    headers: &HeaderMap,
) -> ApiResult<Response> {
    let key = request_csek(headers)?;
    let object = state.store.get_object(bucket, name, query.generation()?)?;
    query.preconditions()?.check_read(&object)?;
    check_data_access(&object, key.as_ref())?;
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    media_response(&object, range, true)
}

/// A byte range resolved against an object's size: `start..end` (end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub(crate) start: u64,
    pub(crate) end: u64,
}

/// Resolves a `Range` header. `Ok(None)` means "send everything": no header, a header we do not
/// understand (HTTP says to ignore it), or an empty object (GCS answers 200 for those).
pub(crate) fn resolve_range(range: Option<&str>, size: u64) -> ApiResult<Option<Resolved>> {
    let Some(spec) = range.and_then(|r| r.trim().strip_prefix("bytes=")) else {
        return Ok(None);
    };
    let Some((first, last)) = spec.split_once('-') else {
        return Ok(None);
    };
    if size == 0 {
        return Ok(None);
    }
    let unsatisfiable = || {
        Err(ApiError::new(
            Kind::RangeNotSatisfiable,
            "requestedRangeNotSatisfiable",
            format!("The requested range {spec:?} cannot be satisfied for a {size}-byte object."),
        ))
    };
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        let Ok(suffix) = last.parse::<u64>() else {
            return Ok(None);
        };
        if suffix == 0 {
            return unsatisfiable();
        }
        return Ok(Some(Resolved {
            start: size.saturating_sub(suffix),
            end: size,
        }));
    }
    let Ok(start) = first.parse::<u64>() else {
        return Ok(None);
    };
    let end = if last.is_empty() {
        size
    } else {
        match last.parse::<u64>() {
            Ok(l) if l >= start => (l + 1).min(size),
            _ => return Ok(None),
        }
    };
    if start >= size {
        return unsatisfiable();
    }
    Ok(Some(Resolved { start, end }))
}

/// The reply of a media read: 200 with the whole object and its hashes, or 206 with a slice.
pub(crate) fn media_response(
    object: &Object,
    range: Option<&str>,
    send_body: bool,
) -> ApiResult<Response> {
    let size = object.size();
    let resolved = resolve_range(range, size)?;
    let mut headers = HeaderMap::new();
    let a = &object.attrs;
    put(
        &mut headers,
        "x-goog-generation",
        object.generation.to_string(),
    );
    put(
        &mut headers,
        "x-goog-metageneration",
        object.metageneration.to_string(),
    );
    put(
        &mut headers,
        "x-goog-stored-content-length",
        size.to_string(),
    );
    let stored_encoding = if a.content_encoding.is_empty() {
        "identity"
    } else {
        a.content_encoding.as_str()
    };
    put(
        &mut headers,
        "x-goog-stored-content-encoding",
        stored_encoding.to_string(),
    );
    put(
        &mut headers,
        "x-goog-storage-class",
        a.storage_class.clone(),
    );
    put(&mut headers, "etag", object.http_etag());
    let content_type = if a.content_type.is_empty() {
        "application/octet-stream"
    } else {
        a.content_type.as_str()
    };
    put(&mut headers, "content-type", content_type.to_string());
    for (name, value) in [
        ("content-language", &a.content_language),
        ("content-disposition", &a.content_disposition),
        ("cache-control", &a.cache_control),
        ("content-encoding", &a.content_encoding),
    ] {
        if !value.is_empty() {
            put(&mut headers, name, value.clone());
        }
    }
    for (key, value) in &a.metadata {
        if let Ok(name) = http::HeaderName::from_bytes(format!("x-goog-meta-{key}").as_bytes())
            && let Ok(value) = HeaderValue::from_str(value)
        {
            headers.insert(name, value);
        }
    }
    if let Some(sha) = object.csek_sha256 {
        put(
            &mut headers,
            "x-goog-encryption-algorithm",
            "AES256".to_string(),
        );
        put(
            &mut headers,
            "x-goog-encryption-key-sha256",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, sha),
        );
    }
    let (status, body) = match resolved {
        None => {
            // Hashes describe the whole object, so only whole reads carry them.
            put(&mut headers, "x-goog-hash", object.x_goog_hash());
            (StatusCode::OK, object.data.clone())
        }
        Some(r) => {
            put(
                &mut headers,
                "content-range",
                format!("bytes {}-{}/{size}", r.start, r.end - 1),
            );
            let (start, end) = (to_usize(r.start), to_usize(r.end));
            (StatusCode::PARTIAL_CONTENT, object.data.slice(start..end))
        }
    };
    put(&mut headers, "content-length", body.len().to_string());
    let mut response = Response::new(if send_body {
        Body::from(body)
    } else {
        Body::empty()
    });
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Ok(response)
}

fn put(headers: &mut HeaderMap, name: &'static str, value: String) {
    if let Ok(v) = HeaderValue::from_str(&value) {
        headers.insert(name, v);
    }
}

fn to_usize(v: u64) -> usize {
    usize::try_from(v).expect("ranges are clamped to the size of an in-memory object")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ranges_resolve_like_gcs() {
        let r = |s: &str| resolve_range(Some(s), 10);
        assert_eq!(r("bytes=2-4").unwrap(), Some(Resolved { start: 2, end: 5 }));
        assert_eq!(r("bytes=2-").unwrap(), Some(Resolved { start: 2, end: 10 }));
        assert_eq!(r("bytes=-3").unwrap(), Some(Resolved { start: 7, end: 10 }));
        assert_eq!(
            r("bytes=-30").unwrap(),
            Some(Resolved { start: 0, end: 10 })
        );
        assert_eq!(
            r("bytes=5-100").unwrap(),
            Some(Resolved { start: 5, end: 10 })
        );
        assert_eq!(r("bytes=10-").unwrap_err().kind, Kind::RangeNotSatisfiable);
        assert_eq!(r("items=1-2").unwrap(), None);
        assert_eq!(resolve_range(Some("bytes=0-"), 0).unwrap(), None);
    }
}
