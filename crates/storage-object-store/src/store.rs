//! [`StorageObjectStore`]: the adapter type, and its `ObjectStore` implementation, which hands
//! each operation to the module that maps it.
//!
//! Those modules add their operation to the type as a crate-private method (`write_object`
//! in put.rs, `read_object` in get.rs, ...), so that they depend on this module and this
//! module names none of them.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use futures_util::stream::BoxStream;
use object_store::multipart::MultipartStore;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult, RenameOptions, Result,
};
use storage_types::{Feature, Storage};

/// An [`ObjectStore`] backed by an rs-storage [`Storage`].
///
/// Cloning is cheap: clones share the store. Paths of object_store map one to one onto the
/// store's paths (relative to its root); a path holding `\`, which rs-storage reads as a
/// separator, is refused.
///
/// ```
/// use std::sync::Arc;
/// use storage_object_store::StorageObjectStore;
///
/// let store = StorageObjectStore::new(Arc::new(storage_memory::MemoryStorage::new()));
/// assert!(store.multipart_store().is_some());
/// assert_eq!(store.storage().info().service, "memory");
/// ```
#[derive(Debug, Clone)]
pub struct StorageObjectStore {
    pub(crate) store: Arc<dyn Storage>,
    /// Whether `list_with_offset` hands its offset to the backend as `start_after`.
    pub(crate) offset_pushdown: bool,
}

impl StorageObjectStore {
    /// An object store over `store`.
    pub fn new(store: Arc<dyn Storage>) -> Self {
        StorageObjectStore {
            store,
            offset_pushdown: true,
        }
    }

    /// Whether `list_with_offset` asks the backend to start after the offset (the default,
    /// where the backend honours `start_after`), or lists the whole prefix and skips up to
    /// the offset here. Turn it off for S3-compatible servers whose `StartAfter` is not a
    /// plain comparison of keys: SeaweedFS skips every key below `<offset>/`.
    pub fn with_offset_pushdown(mut self, enabled: bool) -> Self {
        self.offset_pushdown = enabled;
        self
    }

    /// The rs-storage store underneath, to reach its own API.
    pub fn storage(&self) -> &Arc<dyn Storage> {
        &self.store
    }

    /// The [`MultipartStore`] view, if the backend declares
    /// [`Feature::Multipart`]; `None` otherwise.
    pub fn multipart_store(&self) -> Option<&dyn MultipartStore> {
        self.has(Feature::Multipart)
            .then_some(self as &dyn MultipartStore)
    }

    pub(crate) fn has(&self, feature: Feature) -> bool {
        self.store.info().capability.has_feature(feature)
    }

    /// The backend's name, as object_store errors carry it.
    pub(crate) fn service(&self) -> &'static str {
        self.store.info().service
    }
}

impl fmt::Display for StorageObjectStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let info = self.store.info();
        write!(f, "StorageObjectStore({}:{}", info.service, info.name)?;
        if !info.root.is_empty() {
            write!(f, "/{}", info.root.trim_matches('/'))?;
        }
        f.write_str(")")
    }
}

#[async_trait]
impl ObjectStore for StorageObjectStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        self.write_object(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.start_upload(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        self.read_object(location, options).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        self.delete_objects(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        self.list_objects(prefix, None)
    }

    fn list_with_offset(
        &self,
        prefix: Option<&Path>,
        offset: &Path,
    ) -> BoxStream<'static, Result<ObjectMeta>> {
        self.list_objects(prefix, Some(offset))
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        self.list_level(prefix).await
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.copy_object(from, to, options).await
    }

    async fn rename_opts(&self, from: &Path, to: &Path, options: RenameOptions) -> Result<()> {
        self.rename_object(from, to, options).await
    }
}
