//! What a store knows about an object or directory: [`Metadata`] and list [`Entry`]s.

use std::collections::BTreeMap;
use std::time::SystemTime;

use crate::path::ObjectPath;

/// Whether an entry is an object (file) or a directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryMode {
    /// An object holding bytes.
    File,
    /// A directory: a prefix of other entries, or an explicit marker.
    Dir,
}

/// An object's or a directory's metadata. Fields a service does not report are `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metadata {
    /// Object or directory.
    pub mode: EntryMode,
    /// The object's size in bytes (0 for directories).
    pub size: u64,
    /// The entity tag, as the service sends it (quotes included where it sends them).
    pub etag: Option<String>,
    /// When the object was last written.
    pub last_modified: Option<SystemTime>,
    /// The stored `Content-Type`.
    pub content_type: Option<String>,
    /// The stored `Content-Encoding`.
    pub content_encoding: Option<String>,
    /// The stored `Cache-Control`.
    pub cache_control: Option<String>,
    /// The stored `Content-Disposition`.
    pub content_disposition: Option<String>,
    /// User-defined metadata.
    pub user_metadata: BTreeMap<String, String>,
    /// The version or generation, where the service keeps versions.
    pub version: Option<String>,
    /// The storage class (tier).
    pub storage_class: Option<String>,
    /// The KMS key the service encrypted the object with, as the service names it: an S3 key
    /// ARN, a GCS key resource name (with its version), an Azure encryption scope. `None` when
    /// the object is not under a KMS key or the service does not say.
    pub kms_key_id: Option<String>,
}

impl Metadata {
    /// Metadata of an object of `size` bytes, with nothing else known.
    pub fn file(size: u64) -> Self {
        Metadata {
            mode: EntryMode::File,
            size,
            etag: None,
            last_modified: None,
            content_type: None,
            content_encoding: None,
            cache_control: None,
            content_disposition: None,
            user_metadata: BTreeMap::new(),
            version: None,
            storage_class: None,
            kms_key_id: None,
        }
    }

    /// Metadata of a directory.
    pub fn dir() -> Self {
        Metadata {
            mode: EntryMode::Dir,
            ..Metadata::file(0)
        }
    }

    /// Whether this is a directory.
    pub fn is_dir(&self) -> bool {
        self.mode == EntryMode::Dir
    }

    /// Whether this is an object.
    pub fn is_file(&self) -> bool {
        self.mode == EntryMode::File
    }

    /// Sets the ETag.
    pub fn with_etag(mut self, etag: impl Into<String>) -> Self {
        self.etag = Some(etag.into());
        self
    }

    /// Sets the last-modified time.
    pub fn with_last_modified(mut self, at: SystemTime) -> Self {
        self.last_modified = Some(at);
        self
    }
}

/// One entry of a listing: its path (relative to the store root) and what the listing told
/// about it. Directories' paths end with `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The entry's path.
    pub path: ObjectPath,
    /// What the listing reported; may be less than [`stat`](crate::Storage::stat) gives.
    pub metadata: Metadata,
}

impl Entry {
    /// An entry.
    pub fn new(path: ObjectPath, metadata: Metadata) -> Self {
        Entry { path, metadata }
    }
}
