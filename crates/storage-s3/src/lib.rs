//! Amazon S3 (and S3-compatible) backend of rs-storage, on the official `aws-sdk-s3`.
//!
//! Every core operation, multipart uploads, copy (multipart above 5 GiB), rename, signed URLs,
//! directory markers and buckets; SSE-S3, SSE-KMS and SSE-C as a store default or per request;
//! conditional reads and writes; streamed writes that switch to a concurrent multipart upload
//! above one part, with memory bounded by part size x (concurrency + 1).
//!
//! A team already on the SDK can hand us its client and still reach it:
//!
//! ```no_run
//! # async fn f(client: aws_sdk_s3::Client) -> storage_types::Result<()> {
//! use storage_s3::S3Storage;
//! use storage_types::StorageExt;
//!
//! let store = S3Storage::from_client(client, "backups")?;
//! store.write_bytes("a.txt", "hello").await?;
//! let head = store.client().head_object().bucket("backups").key("a.txt").send().await;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod backend;
mod bucket;
mod capability;
mod client;
mod compat;
mod config;
mod copy;
mod delete;
mod encryption;
mod error;
mod extension;
mod headers;
mod lister;
mod multipart;
mod presign;
mod reader;
mod region;
mod retry;
#[cfg(test)]
mod stub;
#[cfg(test)]
mod wire_tests;
mod writer;

pub use backend::S3Storage;
pub use capability::{DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE};
pub use config::{ChecksumMode, Provider, S3Builder, S3Options, url_keys};

/// The URL scheme of this backend: `s3://bucket/prefix`.
pub const SCHEME: &str = "s3";
