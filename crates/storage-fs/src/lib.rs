//! Local filesystem backend of rs-storage, the embedded default.
//!
//! Objects are files below a root directory; directories are directories. Writes are atomic: the
//! body goes to a temporary file in the target's directory, which is renamed over the target
//! only when the body is complete, so a failed or cancelled write leaves the previous file (or
//! none) and no temporary litter. No path, and no symlink, leads outside the root.
//!
//! Writes are also durable by default: the temporary file is synced to the disk before the
//! rename and its directory after, so a write that returned survives a power cut.
//! [`FsStorage::with_sync(false)`](FsStorage::with_sync) (URL key `sync=false`) trades that
//! for speed on scratch data.
//!
//! Names starting with `.stor-` are reserved for that machinery (temporary files, staged
//! multipart uploads under `.stor-multipart/`): they are refused as paths and never listed.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> storage_types::Result<()> {
//! use storage_fs::FsStorage;
//! use storage_types::{Storage, StorageExt};
//!
//! let dir = tempfile::tempdir()?;
//! let store = FsStorage::new(dir.path())?;
//! store.write_bytes("reports/2024.csv", "id,total\n").await?;
//! assert_eq!(store.read_bytes("reports/2024.csv").await?, "id,total\n");
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod append;
mod backend;
mod blocking;
mod copy;
mod durable;
#[cfg(test)]
mod durable_tests;
mod lister;
mod multipart;
mod paths;
mod reader;
mod temp;
mod writer;

pub use backend::FsStorage;

/// The URL scheme of this backend: `fs:///absolute/path` (also `file://`).
pub const SCHEME: &str = "fs";
