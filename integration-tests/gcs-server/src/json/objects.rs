//! Object metadata, deletion and listing over the JSON API.

use super::{Query, json_response, object_json, request_csek};
use crate::AppState;
use crate::csek::check_metadata_access;
use crate::errors::{ApiError, ApiResult};
use crate::store::ListQuery;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};
use serde_json::json;

pub(super) fn get(
    state: &AppState,
    bucket: &str,
    name: &str,
    query: &Query,
    headers: &HeaderMap,
) -> ApiResult<Response> {
    let key = request_csek(headers)?;
    let object = state.store.get_object(bucket, name, query.generation()?)?;
    query.preconditions()?.check_read(&object)?;
    let show_hashes = check_metadata_access(&object, key.as_ref())?;
    Ok(json_response(
        StatusCode::OK,
        &object_json(&object, show_hashes),
    ))
}

pub(super) fn delete(
    state: &AppState,
    bucket: &str,
    name: &str,
    query: &Query,
) -> ApiResult<Response> {
    state
        .store
        .delete_object(bucket, name, query.generation()?, &query.preconditions()?)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) fn list(state: &AppState, bucket: &str, query: &Query) -> ApiResult<Response> {
    let page_size = match query.get_i64("maxResults")? {
        None | Some(0) => 1000,
        Some(n) if n < 0 => return Err(ApiError::bad_request("maxResults must be positive")),
        Some(n) => usize::try_from(n.min(1000)).unwrap_or(1000),
    };
    let list = ListQuery {
        prefix: query.get("prefix").unwrap_or_default().to_string(),
        delimiter: query.get("delimiter").unwrap_or_default().to_string(),
        include_trailing_delimiter: query.get("includeTrailingDelimiter") == Some("true"),
        start_offset: query.get("startOffset").unwrap_or_default().to_string(),
        end_offset: query.get("endOffset").unwrap_or_default().to_string(),
        page_size,
        page_token: query.get("pageToken").unwrap_or_default().to_string(),
    };
    let page = state.store.list_objects(bucket, &list)?;
    let mut body = json!({ "kind": "storage#objects" });
    if !page.objects.is_empty() {
        let items: Vec<_> = page
            .objects
            .iter()
            .map(|o| object_json(o, o.csek_sha256.is_none()))
            .collect();
        body["items"] = json!(items);
    }
    if !page.prefixes.is_empty() {
        body["prefixes"] = json!(page.prefixes);
    }
    if let Some(token) = page.next_page_token {
        body["nextPageToken"] = json!(token);
    }
    Ok(json_response(StatusCode::OK, &body))
}
