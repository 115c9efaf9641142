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
mod capability;
mod config;
mod copy;
mod credential;
mod delete;
mod delimiter;
mod encryption;
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
mod xml;

/// Entry points for the fuzz targets (`integration-tests/fuzz`): the parsers this crate wrote
/// itself, reachable without a server. Not part of the API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    use storage_types::{Entry, Result};

    use crate::AzBlobStorage;

    /// The leaf elements of a List Blobs page, as the lister reads them; an error if the page
    /// is not well-formed XML.
    pub fn list_xml_leaves(xml: &str) -> Result<Vec<(String, String)>> {
        crate::xml::leaves(xml)
    }

    /// The entries `store` makes of a List Blobs page below `prefix`; none if the page is not
    /// well-formed XML (a listing fails on such a page).
    pub fn list_page(
        store: &AzBlobStorage,
        prefix: &str,
        recursive: bool,
        xml: &str,
    ) -> Vec<Entry> {
        crate::lister::entries_of(store, prefix, recursive, false, xml).unwrap_or_default()
    }
}

pub use backend::AzBlobStorage;
pub use capability::{DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE};
pub use config::{AzBlobBuilder, DEV_ACCOUNT, DEV_ACCOUNT_KEY, EntraId, url_keys};
pub use sas::container_sas_token;

/// The URL scheme of this backend: `azblob://container/prefix` (also `azure://`).
pub const SCHEME: &str = "azblob";
