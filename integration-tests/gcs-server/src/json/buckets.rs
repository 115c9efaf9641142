//! Bucket creation, lookup, listing and deletion over the JSON API.

use super::{Query, json_response, rfc3339};
use crate::AppState;
use crate::errors::{ApiError, ApiResult};
use crate::store::Bucket;
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{Request, StatusCode};
use serde_json::{Value, json};

fn bucket_json(bucket: &Bucket) -> Value {
    json!({
        "kind": "storage#bucket",
        "id": bucket.name,
        "selfLink": format!("/storage/v1/b/{}", bucket.name),
        "name": bucket.name,
        "projectNumber": "0",
        "metageneration": bucket.metageneration.to_string(),
        "location": "US",
        "locationType": "multi-region",
        "storageClass": bucket.storage_class,
        "timeCreated": rfc3339(bucket.created),
        "updated": rfc3339(bucket.created),
        "etag": "CAE=",
    })
}

pub(super) async fn create(state: &AppState, request: Request<Body>) -> ApiResult<Response> {
    let body = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .map_err(|e| ApiError::bad_request(format!("cannot read the request body: {e}")))?;
    let resource: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("the bucket resource is not JSON: {e}")))?;
    let name = resource["name"]
        .as_str()
        .ok_or_else(|| ApiError::bad_request("the bucket resource has no name"))?;
    let class = resource["storageClass"].as_str().unwrap_or_default();
    let bucket = state.store.create_bucket(name, class)?;
    Ok(json_response(StatusCode::OK, &bucket_json(&bucket)))
}

pub(super) fn get(state: &AppState, name: &str) -> ApiResult<Response> {
    let bucket = state.store.get_bucket(name)?;
    Ok(json_response(StatusCode::OK, &bucket_json(&bucket)))
}

pub(super) fn list(state: &AppState, query: &Query) -> ApiResult<Response> {
    let page_size = query
        .get_i64("maxResults")?
        .filter(|n| *n > 0)
        .map_or(1000, |n| usize::try_from(n.min(1000)).unwrap_or(1000));
    let (buckets, next) = state.store.list_buckets(
        query.get("prefix").unwrap_or_default(),
        page_size,
        query.get("pageToken").unwrap_or_default(),
    );
    let mut body = json!({
        "kind": "storage#buckets",
        "items": buckets.iter().map(bucket_json).collect::<Vec<_>>(),
    });
    if let Some(next) = next {
        body["nextPageToken"] = json!(next);
    }
    Ok(json_response(StatusCode::OK, &body))
}

pub(super) fn delete(state: &AppState, name: &str, query: &Query) -> ApiResult<Response> {
    state
        .store
        .delete_bucket(name, query.get_i64("ifMetagenerationMatch")?)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
