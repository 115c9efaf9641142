//! One API for object and file storage: open a store by URL and use it as `Arc<dyn Storage>`.
//!
//! Each backend is a cargo feature (`fs` and `memory` by default, `s3`, `azblob`, `gcs`); the traits, options
//! and errors are those of [`storage_types`], re-exported here.
//!
//! | URL | store |
//! |---|---|
//! | `/abs/path`, `./rel/path`, `fs:///abs/path`, `file:///abs/path` | local files below that directory |
//! | `memory://name` | an in-process store, shared by every `open` of the same name |
//! | `s3://bucket/prefix?region=..&endpoint=..` | an S3 bucket (feature `s3`); keys in `storage_s3::url_keys()` |
//! | `azblob://container/prefix?account-name=..` (or `azure://`) | an Azure Blob container (feature `azblob`); keys in `storage_azblob::url_keys()` |
//! | `gcs://bucket/prefix?credentials-file=..` (or `gs://`) | a Google Cloud Storage bucket (feature `gcs`); keys in `storage_gcs::url_keys()` |
//!
//! [`kvproto::open_backend`] opens kvproto's `backup.StorageBackend` (TiKV's and BR's
//! configuration message, as plain structs) through the same URL keys.
//!
//! Every URL accepts `?loose=true`: options the backend cannot honour are then dropped instead
//! of refused. An unknown scheme or query key is an `InvalidInput` error naming what is
//! accepted.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> storage::Result<()> {
//! use storage::{StorageExt, open};
//!
//! let store = open("memory://example").await?;
//! store.write_bytes("hello.txt", "hi").await?;
//! assert_eq!(store.read_bytes("hello.txt").await?, "hi");
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

/// The README's example, compiled and run as a doctest so that it cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExample;

mod dialect;
pub mod kvproto;
mod location;
mod noop;
mod open;
mod redact;
mod storage_url;

pub use location::{Location, locate};
pub use noop::NoopStorage;
pub use open::{open, open_with, schemes};
pub use redact::redact_url;
/// tokio adapters (feature `io`, on by default): a write's body from any `AsyncRead`
/// ([`io::body_from_reader`]) or a local file ([`io::body_from_file`]), `AsyncRead` and
/// `AsyncWrite` over objects, a bandwidth limit.
#[cfg(feature = "io")]
pub use storage_io as io;
pub use storage_types as types;
pub use storage_types::{
    Body, ByteRange, Capability, CopyOptions, DeleteOptions, Encryption, Entry, EntryMode, Error,
    ErrorKind, Feature, ListOptions, Metadata, ObjectPath, Operation, Pair, PartOptions, Progress,
    ReadOptions, Reader, Result, StatOptions, Storage, StorageExt, StorageInfo, WriteOptions,
};
pub use storage_url::StorageUrl;
