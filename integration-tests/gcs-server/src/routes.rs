//! The single entry point: checks the caller's credentials, sends each request to the gRPC,
//! JSON or XML (signed URL) half, and logs it when asked to.

use crate::{AppState, auth, grpc, json, signed};
use axum::body::Body;
use axum::extract::State;
use axum::http::Request;
use axum::response::Response;
use std::sync::Arc;

pub(crate) async fn dispatch(
    State(state): State<Arc<AppState>>,
    request: Request<Body>,
) -> Response {
    let method = request.method().clone();
    // Only the path is logged: queries of signed URLs carry signatures.
    let path = request.uri().path().to_string();
    let is_grpc = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/grpc"));
    // Signed URLs carry their own proof, and a resumable upload's session URL is itself the
    // credential (GCS takes its chunks without an Authorization header).
    let needs_token = !state.allow_anonymous
        && (is_grpc || (json::handles(&path) && !json::is_upload_session(&request)));
    let refused = match needs_token {
        true => auth::check(&state.signing_key, request.headers()).err(),
        false => None,
    };
    let response = if let Some(refusal) = refused {
        match is_grpc {
            true => refusal.to_status().into_http::<Body>(),
            false => axum::response::IntoResponse::into_response(refusal),
        }
    } else if is_grpc {
        grpc::dispatch(state.clone(), request).await
    } else if json::handles(&path) {
        json::dispatch(state.clone(), request).await
    } else {
        signed::dispatch(state.clone(), request).await
    };
    if state.verbose {
        let status = response.status().as_u16();
        let grpc_status = response
            .headers()
            .get("grpc-status")
            .and_then(|v| v.to_str().ok())
            .map(|s| format!(" grpc-status={s}"))
            .unwrap_or_default();
        eprintln!("{method} {path} {status}{grpc_status}");
    }
    response
}
