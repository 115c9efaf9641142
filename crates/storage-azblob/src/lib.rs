//! Azure Blob Storage backend of rs-storage, on Microsoft's official `azure_storage_blob` crate.
//!
//! Adds what that crate lacks: shared-key (account key) signing, hierarchical (delimiter)
//! listing, and service SAS for signed URLs. Every core operation; multipart uploads on staged
//! blocks; append blobs; copy; rename; directory markers; containers; customer-provided keys
//! and encryption scopes as a store default or per request.
//!
//! ```no_run
//! # async fn f() -> storage_types::Result<()> {
//! use storage_azblob::AzBlobBuilder;
//! use storage_types::StorageExt;
//!
//! let store = AzBlobBuilder::new("backups")
//!     .connection_string("UseDevelopmentStorage=true")?
//!     .build()?;
//! store.write_bytes("a.txt", "hello").await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod append;
mod backend;
mod bucket;
mod config;
mod copy;
mod cpk;
mod delimiter;
mod error;
mod headers;
mod lister;
mod multipart;
mod presign;
mod reader;
mod sas;
mod shared_key;
mod transport;
mod writer;

/// Entry points for the fuzz targets (`integration-tests/fuzz`): the parsers this crate wrote
/// itself, reachable without a server. Not part of the API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    use storage_types::Entry;

    use crate::AzBlobStorage;

    /// The leaf elements of a List Blobs page, as the lister reads them.
    pub fn list_xml_leaves(xml: &str) -> Vec<(String, String)> {
        crate::xml::leaves(xml)
    }

    /// The entries `store` makes of a List Blobs page below `prefix`.
    pub fn list_page(
        store: &AzBlobStorage,
        prefix: &str,
        recursive: bool,
        xml: &str,
    ) -> Vec<Entry> {
        crate::lister::entries_of(store, prefix, recursive, false, xml)
    }
}
mod xml;

pub use backend::AzBlobStorage;
pub use config::{
    AzBlobBuilder, DEFAULT_BLOCK_SIZE, DEFAULT_CONCURRENCY, DEV_ACCOUNT, DEV_ACCOUNT_KEY, URL_KEYS,
};
pub use sas::container_sas_token;

/// The URL scheme of this backend: `azblob://container/prefix` (also `azure://`).
pub const SCHEME: &str = "azblob";
