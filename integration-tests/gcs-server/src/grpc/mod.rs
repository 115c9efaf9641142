//! The gRPC half: unary `google.storage.v2.Storage` methods served with tonic's `Grpc` and the
//! prost message types of `googleapis-tonic-google-storage-v2`, routed by request path, plus the
//! conversions between the store and those messages.

mod buckets;
mod compose;
mod objects;
pub(crate) mod rewrite;

use crate::AppState;
use crate::errors::{ApiError, ApiResult};
use crate::store::{Object, Preconditions};
use axum::body::Body;
use axum::http::Request;
use axum::response::Response;
use googleapis_tonic_google_storage_v2::google::storage::v2;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

const SERVICE: &str = "/google.storage.v2.Storage/";

/// Serves one gRPC request.
pub(crate) async fn dispatch(state: Arc<AppState>, request: Request<Body>) -> Response {
    let path = request.uri().path().to_string();
    let method = path.strip_prefix(SERVICE).unwrap_or_default();
    match method {
        "GetObject" => unary(state, request, objects::get).await,
        "ListObjects" => unary(state, request, objects::list).await,
        "DeleteObject" => unary(state, request, objects::delete).await,
        "UpdateObject" => unary(state, request, objects::update).await,
        "RewriteObject" => unary(state, request, rewrite::rewrite).await,
        "ComposeObject" => unary(state, request, compose::compose).await,
        "CreateBucket" => unary(state, request, buckets::create).await,
        "GetBucket" => unary(state, request, buckets::get).await,
        "DeleteBucket" => unary(state, request, buckets::delete).await,
        "ListBuckets" => unary(state, request, buckets::list).await,
        _ => {
            let status = tonic::Status::unimplemented(format!("{path} is not implemented"));
            status.into_http::<Body>()
        }
    }
}

/// Decodes the request message, runs `handler` and encodes its reply or error as gRPC.
async fn unary<Req, Resp>(
    state: Arc<AppState>,
    request: Request<Body>,
    handler: fn(&AppState, Req) -> ApiResult<Resp>,
) -> Response
where
    Req: prost::Message + Default + Send + 'static,
    Resp: prost::Message + Default + Send + 'static,
{
    let service = tower_fn(move |request: tonic::Request<Req>| {
        let reply = handler(&state, request.into_inner())
            .map(tonic::Response::new)
            .map_err(|e| e.to_status());
        std::future::ready(reply)
    });
    let mut grpc = tonic::server::Grpc::new(tonic_prost::ProstCodec::<Resp, Req>::default());
    grpc.unary(service, request).await.map(Body::new)
}

/// A `tonic::server::UnaryService` from a closure, so no tower dependency is needed.
struct FnService<F>(F);

fn tower_fn<F>(f: F) -> FnService<F> {
    FnService(f)
}

impl<F, Req, Resp> tonic::server::UnaryService<Req> for FnService<F>
where
    F: FnMut(
        tonic::Request<Req>,
    ) -> std::future::Ready<Result<tonic::Response<Resp>, tonic::Status>>,
{
    type Response = Resp;
    type Future = std::future::Ready<Result<tonic::Response<Resp>, tonic::Status>>;

    fn call(&mut self, request: tonic::Request<Req>) -> Self::Future {
        (self.0)(request)
    }
}

/// `projects/_/buckets/NAME` (any project) to `NAME`.
pub(crate) fn bucket_id(resource: &str) -> ApiResult<&str> {
    resource
        .strip_prefix("projects/")
        .and_then(|r| r.split_once("/buckets/"))
        .map(|(_, name)| name)
        .filter(|name| !name.is_empty() && !name.contains('/'))
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "invalid bucket name {resource:?}, expected projects/_/buckets/NAME"
            ))
        })
}

pub(crate) fn bucket_resource(name: &str) -> String {
    format!("projects/_/buckets/{name}")
}

pub(crate) fn timestamp(time: SystemTime) -> Option<prost_types::Timestamp> {
    let d = time.duration_since(UNIX_EPOCH).ok()?;
    Some(prost_types::Timestamp {
        seconds: i64::try_from(d.as_secs()).ok()?,
        nanos: i32::try_from(d.subsec_nanos()).ok()?,
    })
}

/// The v2 `Object` message. Hashes are hidden for CSEK objects read without the key.
pub(crate) fn object_proto(object: &Object, show_hashes: bool) -> v2::Object {
    let a = &object.attrs;
    v2::Object {
        name: object.name.clone(),
        bucket: bucket_resource(&object.bucket),
        etag: object.etag(),
        generation: object.generation,
        metageneration: object.metageneration,
        storage_class: a.storage_class.clone(),
        size: i64::try_from(object.size()).unwrap_or(i64::MAX),
        content_encoding: a.content_encoding.clone(),
        content_disposition: a.content_disposition.clone(),
        cache_control: a.cache_control.clone(),
        content_language: a.content_language.clone(),
        content_type: a.content_type.clone(),
        create_time: timestamp(object.created),
        finalize_time: timestamp(object.created),
        update_time: timestamp(object.updated),
        update_storage_class_time: timestamp(object.created),
        component_count: object.component_count,
        checksums: show_hashes.then(|| v2::ObjectChecksums {
            crc32c: Some(object.crc32c),
            md5_hash: object.md5.map(|md5| md5.to_vec()).unwrap_or_default(),
        }),
        kms_key: a.kms_key_name.clone(),
        metadata: a.metadata.clone().into_iter().collect(),
        customer_encryption: object.csek_sha256.map(|sha| v2::CustomerEncryption {
            encryption_algorithm: "AES256".to_string(),
            key_sha256_bytes: sha.to_vec(),
        }),
        ..Default::default()
    }
}

pub(crate) fn preconditions(
    if_generation_match: Option<i64>,
    if_generation_not_match: Option<i64>,
    if_metageneration_match: Option<i64>,
    if_metageneration_not_match: Option<i64>,
) -> Preconditions {
    Preconditions {
        if_generation_match,
        if_generation_not_match,
        if_metageneration_match,
        if_metageneration_not_match,
    }
}

/// Writable attributes from a request's `Object` (compose and rewrite destinations).
pub(crate) fn attrs_from_proto(object: &v2::Object) -> crate::store::ObjectAttrs {
    crate::store::ObjectAttrs {
        content_type: object.content_type.clone(),
        content_encoding: object.content_encoding.clone(),
        content_disposition: object.content_disposition.clone(),
        content_language: object.content_language.clone(),
        cache_control: object.cache_control.clone(),
        storage_class: object.storage_class.clone(),
        metadata: object.metadata.clone().into_iter().collect(),
        kms_key_name: object.kms_key.clone(),
    }
}
