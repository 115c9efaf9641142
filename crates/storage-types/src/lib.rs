//! The traits, options, errors and capabilities shared by every rs-storage backend.
//!
//! A program is written against [`Storage`] (used as `Arc<dyn Storage>`) and runs on any
//! backend: local files, memory, S3, GCS, Azure Blob. This crate has no runtime, HTTP client or
//! SDK in it; backends live in their own crates and implement [`backend::Backend`].
//!
//! - [`Storage`]: stat, read, write, delete, list, and the optional features (multipart,
//!   append, copy, rename, presign, create_dir, buckets), which answer
//!   [`ErrorKind::Unsupported`] where a backend lacks them.
//! - One options struct per operation ([`ReadOptions`], [`WriteOptions`], ...): go-storage's
//!   "pairs". An option the backend cannot honour is refused, naming it, unless the store is in
//!   loose mode. Service-only options are typed [`Extension`]s.
//! - [`Capability`]: what a backend supports, declared once and checked centrally.
//! - [`Encryption`]: service-managed, KMS key or customer key, the same on every cloud.
//! - [`Error`] with an [`ErrorKind`] to branch on and the context of the call.
//! - [`ObjectPath`]: normalisation that no path can escape.
//!
//! ```
//! use storage_types::{ErrorKind, ReadOptions, Storage, StorageExt};
//!
//! async fn head(store: &dyn Storage, path: &str) -> storage_types::Result<Option<bytes::Bytes>> {
//!     match store.read_with(path, ReadOptions::default().with_range(0..16)).await {
//!         Ok(reader) => Ok(Some(reader.bytes().await?)),
//!         Err(err) if err.kind() == ErrorKind::NotFound => Ok(None),
//!         Err(err) => Err(err),
//!     }
//! }
//! ```
#![deny(missing_docs)]

pub mod backend;
mod body;
mod capability;
mod conditions;
mod encryption;
mod error;
mod ext;
mod extension;
mod layer;
mod metadata;
mod named;
mod operation;
mod options;
mod part_uploads;
mod parts;
mod parts_read;
mod path;
mod progress;
mod range;
mod response;
mod resume;
mod service;
mod storage;
pub mod telemetry;
#[cfg(test)]
mod telemetry_tests;
mod url_keys;
mod verify;

pub use body::{Body, BoxStream, ByteStream};
pub use capability::{Capability, Limits, Pair, PairSet};
pub use encryption::{CustomerKey, Encryption};
pub use error::{Error, ErrorKind, Result};
pub use ext::StorageExt;
pub use extension::{Extension, Extensions};
pub use metadata::{Entry, EntryMode, Metadata};
pub use operation::{Feature, Operation};
pub use options::{
    BucketOptions, Checksum, CompleteOptions, CopyOptions, DeleteOptions, ListOptions, PartOptions,
    PresignOptions, ReadOptions, StatOptions, WriteOptions,
};
pub use path::ObjectPath;
pub use progress::Progress;
pub use range::ByteRange;
pub use response::{
    Lister, MultipartUpload, Part, PresignMethod, PresignedRequest, Reader, StorageInfo,
};
pub use storage::Storage;
