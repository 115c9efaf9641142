//! The shared state of a memory store: objects (and directory markers) in a sorted map, and
//! the multipart uploads in progress.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::SystemTime;

use bytes::Bytes;
use storage_types::{Metadata, WriteOptions};

use crate::multipart::Upload;

/// One stored object: its bytes and metadata. Directory markers have empty data and `Dir` mode.
#[derive(Debug, Clone)]
pub(crate) struct Object {
    pub(crate) data: Bytes,
    pub(crate) meta: Metadata,
}

/// Objects by path (directory markers end with `/`) and uploads by id.
#[derive(Debug, Default)]
pub(crate) struct State {
    objects: RwLock<BTreeMap<String, Object>>,
    uploads: Mutex<HashMap<String, Upload>>,
    counter: AtomicU64,
}

impl State {
    pub(crate) fn objects(&self) -> RwLockReadGuard<'_, BTreeMap<String, Object>> {
        // A panic while holding the lock cannot leave a half-written map (inserts are single
        // calls), so a poisoned lock is still consistent.
        self.objects.read().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn objects_mut(&self) -> RwLockWriteGuard<'_, BTreeMap<String, Object>> {
        self.objects.write().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn uploads(&self) -> MutexGuard<'_, HashMap<String, Upload>> {
        self.uploads.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A number never handed out before by this store: ETags and upload ids.
    pub(crate) fn next_id(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// A new object holding `data`, with the metadata of `opts` and a fresh ETag.
    pub(crate) fn new_object(&self, data: Bytes, opts: &WriteOptions) -> Object {
        let mut meta = Metadata::file(data.len() as u64)
            .with_etag(format!("\"{:016x}\"", self.next_id()))
            .with_last_modified(SystemTime::now());
        meta.content_type = opts.content_type.clone();
        meta.content_encoding = opts.content_encoding.clone();
        meta.cache_control = opts.cache_control.clone();
        meta.content_disposition = opts.content_disposition.clone();
        meta.user_metadata = opts.user_metadata.clone();
        Object { data, meta }
    }

    /// The same object with new bytes, a new ETag and a new modification time.
    pub(crate) fn replace_data(&self, object: &Object, data: Bytes) -> Object {
        let mut meta = object.meta.clone();
        meta.size = data.len() as u64;
        meta.etag = Some(format!("\"{:016x}\"", self.next_id()));
        meta.last_modified = Some(SystemTime::now());
        Object { data, meta }
    }
}

/// Whether any key other than `dir` itself lies below the directory `dir` (ending in `/`).
pub(crate) fn has_children(objects: &BTreeMap<String, Object>, dir: &str) -> bool {
    objects
        .range(dir.to_owned()..)
        .take_while(|(key, _)| key.starts_with(dir))
        .any(|(key, _)| key.len() > dir.len())
}
