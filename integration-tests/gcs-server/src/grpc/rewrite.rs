//! RewriteObject (copy) over gRPC. Objects larger than one step (`--rewrite-step` or the
//! request's `max_bytes_rewritten_per_call`, whichever is smaller) take several calls linked by
//! a rewrite token, as in GCS; the destination appears only with the final call, which is also
//! where the destination preconditions are checked.

use super::{attrs_from_proto, bucket_id, object_proto, preconditions};
use crate::AppState;
use crate::csek::{Csek, check_data_access};
use crate::errors::{ApiError, ApiResult};
use crate::store::{NewObject, Object, ObjectAttrs, Preconditions};
use googleapis_tonic_google_storage_v2::google::storage::v2;
use std::sync::atomic::Ordering;

/// A multi-call rewrite in progress. The source is pinned at the first call, so later changes
/// to it cannot mix two generations into one copy.
#[derive(Debug, Clone)]
pub(crate) struct Progress {
    source: Object,
    bucket: String,
    name: String,
    attrs: ObjectAttrs,
    key: Option<Csek>,
    preconditions: Preconditions,
    expected_crc32c: Option<u32>,
    copied: u64,
}

pub(super) fn rewrite(
    state: &AppState,
    req: v2::RewriteObjectRequest,
) -> ApiResult<v2::RewriteResponse> {
    let step = match u64::try_from(req.max_bytes_rewritten_per_call) {
        Ok(n) if n > 0 => n.min(state.rewrite_step),
        _ => state.rewrite_step,
    };
    let mut progress = if req.rewrite_token.is_empty() {
        start(state, &req)?
    } else {
        state
            .rewrites()
            .remove(&req.rewrite_token)
            .ok_or_else(|| ApiError::bad_request("invalid or expired rewrite_token"))?
    };
    let size = progress.source.size();
    progress.copied = (progress.copied + step).min(size);
    if progress.copied < size {
        let token = format!("rw{:016x}", state.next_id.fetch_add(1, Ordering::Relaxed));
        let reply = v2::RewriteResponse {
            total_bytes_rewritten: to_i64(progress.copied),
            object_size: to_i64(size),
            done: false,
            rewrite_token: token.clone(),
            resource: None,
        };
        state.rewrites().insert(token, progress);
        return Ok(reply);
    }
    if let Some(want) = progress.expected_crc32c
        && want != progress.source.crc32c
    {
        return Err(ApiError::bad_request(
            "the object_checksums of the request do not match the data",
        ));
    }
    let object = state.store.put_object(
        &progress.bucket,
        &progress.name,
        NewObject {
            data: progress.source.data.clone(),
            attrs: progress.attrs,
            csek: progress.key,
            component_count: progress.source.component_count,
        },
        &progress.preconditions,
    )?;
    Ok(v2::RewriteResponse {
        total_bytes_rewritten: to_i64(size),
        object_size: to_i64(size),
        done: true,
        rewrite_token: String::new(),
        resource: Some(object_proto(&object, true)),
    })
}

/// Validates the first call and pins the source.
fn start(state: &AppState, req: &v2::RewriteObjectRequest) -> ApiResult<Progress> {
    let source_bucket = bucket_id(&req.source_bucket)?;
    let bucket = bucket_id(&req.destination_bucket)?.to_string();
    if req.destination_name.is_empty() || req.source_object.is_empty() {
        return Err(ApiError::bad_request(
            "RewriteObject needs source_object and destination_name",
        ));
    }
    state.store.get_bucket(&bucket)?;
    let source =
        state
            .store
            .get_object(source_bucket, &req.source_object, req.source_generation)?;
    preconditions(
        req.if_source_generation_match,
        req.if_source_generation_not_match,
        req.if_source_metageneration_match,
        req.if_source_metageneration_not_match,
    )
    .check(Some(&source))?;
    let source_key = Csek::from_grpc(
        &req.copy_source_encryption_algorithm,
        &req.copy_source_encryption_key_bytes,
        &req.copy_source_encryption_key_sha256_bytes,
    )?;
    check_data_access(&source, source_key.as_ref())?;
    let key = Csek::from_common_params(req.common_object_request_params.as_ref())?;
    // A destination resource replaces the source's metadata; without one it is copied.
    let mut attrs = match &req.destination {
        Some(destination) => attrs_from_proto(destination),
        None => ObjectAttrs {
            kms_key_name: String::new(),
            ..source.attrs.clone()
        },
    };
    if !req.destination_kms_key.is_empty() {
        attrs.kms_key_name.clone_from(&req.destination_kms_key);
    }
    Ok(Progress {
        source,
        bucket,
        name: req.destination_name.clone(),
        attrs,
        key,
        preconditions: preconditions(
            req.if_generation_match,
            req.if_generation_not_match,
            req.if_metageneration_match,
            req.if_metageneration_not_match,
        ),
        expected_crc32c: req.object_checksums.as_ref().and_then(|c| c.crc32c),
        copied: 0,
    })
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
