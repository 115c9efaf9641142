//! CreateBucket, GetBucket, DeleteBucket and ListBuckets over gRPC.

use super::{bucket_id, bucket_resource, timestamp};
use crate::AppState;
use crate::errors::{ApiError, ApiResult};
use crate::store::Bucket;
use googleapis_tonic_google_storage_v2::google::storage::v2;

fn bucket_proto(bucket: &Bucket) -> v2::Bucket {
    v2::Bucket {
        name: bucket_resource(&bucket.name),
        bucket_id: bucket.name.clone(),
        etag: "CAE=".to_string(),
        project: "projects/0".to_string(),
        metageneration: bucket.metageneration,
        location: "US".to_string(),
        location_type: "multi-region".to_string(),
        storage_class: bucket.storage_class.clone(),
        create_time: timestamp(bucket.created),
        update_time: timestamp(bucket.created),
        ..Default::default()
    }
}

/// `parent` is `projects/_` or `projects/ID`; the name comes from `bucket_id`.
pub(super) fn create(state: &AppState, req: v2::CreateBucketRequest) -> ApiResult<v2::Bucket> {
    if !req.parent.starts_with("projects/") {
        return Err(ApiError::bad_request(format!(
            "invalid parent {:?}, expected projects/PROJECT",
            req.parent
        )));
    }
    let class = req.bucket.as_ref().map_or("", |b| b.storage_class.as_str());
    let bucket = state.store.create_bucket(&req.bucket_id, class)?;
    Ok(bucket_proto(&bucket))
}

pub(super) fn get(state: &AppState, req: v2::GetBucketRequest) -> ApiResult<v2::Bucket> {
    let bucket = state.store.get_bucket(bucket_id(&req.name)?)?;
    if req
        .if_metageneration_match
        .is_some_and(|m| m != bucket.metageneration)
    {
        return Err(ApiError::precondition(
            "bucket metageneration does not match",
        ));
    }
    Ok(bucket_proto(&bucket))
}

pub(super) fn delete(state: &AppState, req: v2::DeleteBucketRequest) -> ApiResult<()> {
    state
        .store
        .delete_bucket(bucket_id(&req.name)?, req.if_metageneration_match)
}

pub(super) fn list(
    state: &AppState,
    req: v2::ListBucketsRequest,
) -> ApiResult<v2::ListBucketsResponse> {
    if !req.parent.starts_with("projects/") {
        return Err(ApiError::bad_request(
            "ListBuckets needs parent projects/PROJECT",
        ));
    }
    let page_size = match req.page_size {
        n if n <= 0 => 1000,
        n => usize::try_from(n.min(1000)).unwrap_or(1000),
    };
    let (buckets, next) = state
        .store
        .list_buckets(&req.prefix, page_size, &req.page_token);
    Ok(v2::ListBucketsResponse {
        buckets: buckets.iter().map(bucket_proto).collect(),
        next_page_token: next.unwrap_or_default(),
        unreachable: Vec::new(),
    })
}
