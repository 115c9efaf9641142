//! ComposeObject over gRPC: concatenates up to 32 sources into a destination. As in GCS, the
//! sources must share one storage class, and the destination takes the class its resource
//! names, else the bucket's default (never the sources').

use super::{attrs_from_proto, bucket_id, object_proto, preconditions};
use crate::AppState;
use crate::csek::{Csek, check_data_access};
use crate::errors::{ApiError, ApiResult};
use crate::store::NewObject;
use bytes::{Bytes, BytesMut};
use googleapis_tonic_google_storage_v2::google::storage::v2;

/// GCS's limit on the number of sources of one compose.
const MAX_SOURCES: usize = 32;

pub(super) fn compose(state: &AppState, req: v2::ComposeObjectRequest) -> ApiResult<v2::Object> {
    let destination = req
        .destination
        .as_ref()
        .ok_or_else(|| ApiError::bad_request("ComposeObject needs a destination"))?;
    let bucket = bucket_id(&destination.bucket)?;
    if destination.name.is_empty() {
        return Err(ApiError::bad_request("the compose destination has no name"));
    }
    if req.source_objects.is_empty() || req.source_objects.len() > MAX_SOURCES {
        return Err(ApiError::bad_request(format!(
            "a compose takes 1 to {MAX_SOURCES} source objects, not {}",
            req.source_objects.len()
        )));
    }
    // All sources must be under the request's key (or none), and the result is under it too.
    let key = Csek::from_common_params(req.common_object_request_params.as_ref())?;
    let mut data = BytesMut::new();
    let mut components = 0;
    let mut class: Option<String> = None;
    for source in &req.source_objects {
        let object = state
            .store
            .get_object(bucket, &source.name, source.generation)?;
        let if_generation_match = source
            .object_preconditions
            .as_ref()
            .and_then(|p| p.if_generation_match);
        preconditions(if_generation_match, None, None, None).check(Some(&object))?;
        check_data_access(&object, key.as_ref())?;
        let source_class = &object.attrs.storage_class;
        match &class {
            Some(first) if first != source_class => {
                return Err(ApiError::bad_request(format!(
                    "The source objects of a compose must share one storage class: \
                     {first} and {source_class} ({})",
                    source.name
                )));
            }
            Some(_) => {}
            None => class = Some(source_class.clone()),
        }
        data.extend_from_slice(&object.data);
        components += object.component_count.max(1);
    }
    let data: Bytes = data.freeze();
    if let Some(want) = req.object_checksums.as_ref().and_then(|c| c.crc32c)
        && want != crc32c::crc32c(&data)
    {
        return Err(ApiError::bad_request(
            "the object_checksums of the request do not match the composed data",
        ));
    }
    let mut attrs = attrs_from_proto(destination);
    if !req.kms_key.is_empty() {
        attrs.kms_key_name.clone_from(&req.kms_key);
    }
    let pre = preconditions(
        req.if_generation_match,
        None,
        req.if_metageneration_match,
        None,
    );
    let object = state.store.put_object(
        bucket,
        &destination.name,
        NewObject {
            data,
            attrs,
            csek: key,
            component_count: components,
        },
        &pre,
    )?;
    if req.delete_source_objects == Some(true) {
        for source in &req.source_objects {
            if source.name != destination.name {
                // Best effort: the compose already succeeded; a source gone meanwhile is fine.
                let _ = state
                    .store
                    .delete_object(bucket, &source.name, 0, &Default::default());
            }
        }
    }
    Ok(object_proto(&object, true))
}
