//! GetObject, ListObjects, DeleteObject and UpdateObject over gRPC.

use super::{bucket_id, object_proto, preconditions};
use crate::AppState;
use crate::csek::{Csek, check_metadata_access};
use crate::errors::{ApiError, ApiResult};
use crate::store::ListQuery;
use googleapis_tonic_google_storage_v2::google::storage::v2;

pub(super) fn get(state: &AppState, req: v2::GetObjectRequest) -> ApiResult<v2::Object> {
    let bucket = bucket_id(&req.bucket)?;
    let key = Csek::from_common_params(req.common_object_request_params.as_ref())?;
    let object = state
        .store
        .get_object(bucket, &req.object, req.generation)?;
    preconditions(
        req.if_generation_match,
        req.if_generation_not_match,
        req.if_metageneration_match,
        req.if_metageneration_not_match,
    )
    .check(Some(&object))?;
    let show_hashes = check_metadata_access(&object, key.as_ref())?;
    Ok(object_proto(&object, show_hashes))
}

pub(super) fn list(
    state: &AppState,
    req: v2::ListObjectsRequest,
) -> ApiResult<v2::ListObjectsResponse> {
    let bucket = bucket_id(&req.parent)?;
    let page_size = match req.page_size {
        0 => 1000,
        n if n < 0 => return Err(ApiError::bad_request("page_size must not be negative")),
        n => usize::try_from(n.min(1000)).unwrap_or(1000),
    };
    let query = ListQuery {
        prefix: req.prefix,
        delimiter: req.delimiter,
        include_trailing_delimiter: req.include_trailing_delimiter,
        start_offset: req.lexicographic_start,
        end_offset: req.lexicographic_end,
        page_size,
        page_token: req.page_token,
    };
    let page = state.store.list_objects(bucket, &query)?;
    Ok(v2::ListObjectsResponse {
        objects: page
            .objects
            .iter()
            .map(|o| object_proto(o, o.csek_sha256.is_none()))
            .collect(),
        prefixes: page.prefixes,
        next_page_token: page.next_page_token.unwrap_or_default(),
    })
}

pub(super) fn delete(state: &AppState, req: v2::DeleteObjectRequest) -> ApiResult<()> {
    let bucket = bucket_id(&req.bucket)?;
    let pre = preconditions(
        req.if_generation_match,
        req.if_generation_not_match,
        req.if_metageneration_match,
        req.if_metageneration_not_match,
    );
    state
        .store
        .delete_object(bucket, &req.object, req.generation, &pre)
}

/// Updates the fields named by `update_mask` (required, as in GCS; `*` means all of them).
pub(super) fn update(state: &AppState, req: v2::UpdateObjectRequest) -> ApiResult<v2::Object> {
    let resource = req
        .object
        .ok_or_else(|| ApiError::bad_request("UpdateObject needs an object"))?;
    let mask = req
        .update_mask
        .ok_or_else(|| ApiError::bad_request("UpdateObject needs an update_mask"))?;
    let bucket = bucket_id(&resource.bucket)?;
    let key = Csek::from_common_params(req.common_object_request_params.as_ref())?;
    let pre = preconditions(
        req.if_generation_match,
        req.if_generation_not_match,
        req.if_metageneration_match,
        req.if_metageneration_not_match,
    );
    let updated = state.store.update_object(
        bucket,
        &resource.name,
        resource.generation,
        &pre,
        |object| {
            check_metadata_access(object, key.as_ref())?;
            let a = &mut object.attrs;
            for path in &mask.paths {
                let all = path == "*";
                if all || path == "content_type" {
                    a.content_type.clone_from(&resource.content_type);
                }
                if all || path == "content_encoding" {
                    a.content_encoding.clone_from(&resource.content_encoding);
                }
                if all || path == "content_disposition" {
                    a.content_disposition
                        .clone_from(&resource.content_disposition);
                }
                if all || path == "content_language" {
                    a.content_language.clone_from(&resource.content_language);
                }
                if all || path == "cache_control" {
                    a.cache_control.clone_from(&resource.cache_control);
                }
                if all || path == "metadata" {
                    a.metadata = resource.metadata.clone().into_iter().collect();
                } else if let Some(key) = path.strip_prefix("metadata.") {
                    match resource.metadata.get(key) {
                        Some(value) => a.metadata.insert(key.to_string(), value.clone()),
                        None => a.metadata.remove(key),
                    };
                }
            }
            Ok(())
        },
    )?;
    let show_hashes = key.is_some() || updated.csek_sha256.is_none();
    Ok(super::object_proto(&updated, show_hashes))
}
