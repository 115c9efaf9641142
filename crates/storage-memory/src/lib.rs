//! In-process memory backend of rs-storage: a sorted map of objects behind a lock.
//!
//! Useful for tests and caches. Every clone of a [`MemoryStorage`] shares the same objects;
//! nothing survives the process. It supports every core operation plus multipart uploads,
//! appends, copy, rename and directories (explicit markers, as object stores keep them).
//!
//! ```
//! # futures_executor::block_on(async {
//! use storage_memory::MemoryStorage;
//! use storage_types::{Storage, StorageExt};
//!
//! let store = MemoryStorage::new();
//! store.write_bytes("a/b.txt", "hello").await.unwrap();
//! assert_eq!(store.read_bytes("a/b.txt").await.unwrap(), "hello");
//! # });
//! ```
#![deny(missing_docs)]

mod backend;
mod lister;
mod multipart;
mod state;

pub use backend::MemoryStorage;

/// The URL scheme of this backend: `memory://name`.
pub const SCHEME: &str = "memory";
