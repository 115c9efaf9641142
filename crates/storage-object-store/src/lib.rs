//! An [`object_store::ObjectStore`] over any rs-storage [`Storage`](storage_types::Storage), so
//! that the tools built on object_store (DataFusion, delta-rs, Polars, ...) run on every
//! rs-storage backend: local files, memory, S3, GCS and Azure Blob.
//!
//! [`StorageObjectStore`] wraps an `Arc<dyn Storage>`. Reads and writes stream; conditional
//! requests, byte ranges (suffix ranges included), listings with and without a delimiter,
//! copies and renames map onto the matching rs-storage calls and options. Where the backend
//! declares [`Feature::Multipart`](storage_types::Feature::Multipart),
//! [`StorageObjectStore::multipart_store`] gives the [`MultipartStore`](object_store::multipart::MultipartStore)
//! view as well, and `put_multipart` uploads parts as they come.
//!
//! The adapter is a [`PaginatedListStore`](object_store::list::PaginatedListStore) too: pages
//! of a raw key prefix, resumed by a token, over the name prefixes of
//! [`Storage::list_prefix`](storage_types::Storage::list_prefix).
//!
//! What does not map (Content-Language, object tags) is refused
//! with `NotImplemented` or `NotSupported` rather than dropped; `docs/interop.md` lists every
//! difference.
//!
//! ```
//! # tokio_test_block_on(async {
//! use std::sync::Arc;
//! use object_store::{ObjectStore, ObjectStoreExt, path::Path};
//! use storage_object_store::StorageObjectStore;
//!
//! let store = StorageObjectStore::new(Arc::new(storage_memory::MemoryStorage::new()));
//! let path = Path::from("tables/a.parquet");
//! store.put(&path, "PAR1".into()).await.unwrap();
//! let bytes = store.get(&path).await.unwrap().bytes().await.unwrap();
//! assert_eq!(bytes, "PAR1");
//! # });
//! # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
//! # }
//! ```
#![deny(missing_docs)]

mod attributes;
mod copy;
mod delete;
mod error;
mod get;
mod list;
mod meta;
mod multipart;
mod paginated;
mod paths;
mod put;
mod store;
mod upload;

pub use store::StorageObjectStore;
