//! Google Cloud Storage backend of rs-storage, on Google's official `google-cloud-storage`
//! crate: its `Storage` client for uploads and downloads (JSON API) and its `StorageControl`
//! client for metadata, listings, copies, composition and buckets (gRPC).
//!
//! Every core operation; multipart uploads and appends on object composition; copy (rewrite);
//! rename; V4 signed URLs; directory markers; buckets; customer-supplied keys (CSEK) and Cloud
//! KMS keys (CMEK) as a store default or per request. ETags are generation numbers, and
//! `if_match` / `if_none_match` become generation preconditions.
//!
//! ```no_run
//! # async fn f() -> storage_types::Result<()> {
//! use storage_gcs::GcsBuilder;
//! use storage_types::StorageExt;
//!
//! let store = GcsBuilder::new("backups").root("tidb").build().await?;
//! store.write_bytes("a.txt", "hello").await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod append;
mod attempt;
mod backend;
mod bucket;
mod capability;
mod compose;
mod composite;
mod conditions;
mod config;
mod control;
mod copy;
mod credentials;
mod deadline;
mod delete;
mod encryption;
mod error;
mod lister;
mod multipart;
mod object;
mod paging;
mod presign;
mod reader;
mod resumable;
mod retry;
mod writer;

pub use backend::GcsStorage;
pub use capability::{
    DEFAULT_CONCURRENCY, DEFAULT_CONNECT_TIMEOUT, DEFAULT_PART_SIZE, DEFAULT_SINGLE_UPLOAD_LIMIT,
};
pub use config::{GcsBuilder, url_keys};

/// The URL scheme of this backend: `gcs://bucket/prefix` (also `gs://`).
pub const SCHEME: &str = "gcs";
