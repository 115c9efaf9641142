//! The server driven by the official google-cloud-storage clients, in one test binary (one link,
//! shared helpers): the JSON half, the gRPC half, signed URLs, and what the server refuses as
//! GCS does.
#![allow(clippy::unwrap_used)]

mod grpc_api;
mod json_api;
mod refusals;
mod signed_urls;
mod support;
