//! `list`, `list_with_offset` and `list_with_delimiter`, over rs-storage's directory listings.
//!
//! object_store lists by path prefix (segment-wise: `foo` covers `foo/x`, not `foo.bar`),
//! which is exactly rs-storage's listing of the directory `foo/`. Recursive listings keep
//! objects only (directory markers are not objects to object_store); one-level listings give
//! subdirectories as common prefixes. A prefix that names no directory (nothing there, or an
//! object) lists empty. The offset of `list_with_offset` becomes `start_after` where the
//! backend honours it, and is applied here as well, so it stays exclusive on every service.

use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt, future};
use object_store::path::Path;
use object_store::{ListResult, ObjectMeta, Result};
use storage_types::{Entry, ErrorKind, ListOptions, Lister, Operation, Pair};

use crate::error;
use crate::meta::object_meta;
use crate::paths;
use crate::store::StorageObjectStore;

impl StorageObjectStore {
    /// Every object below `prefix` (after `offset`, if given), as the listing streams: the
    /// work of `ObjectStore::list` and `ObjectStore::list_with_offset`.
    pub(crate) fn list_objects(
        &self,
        prefix: Option<&Path>,
        offset: Option<&Path>,
    ) -> BoxStream<'static, Result<ObjectMeta>> {
        let service = self.service();
        let store = self.store.clone();
        let dir = paths::directory(service, prefix);
        let offset = offset.cloned();
        let mut opts = ListOptions::default().recursive();
        if let Some(offset) = offset.as_ref().filter(|o| !o.as_ref().is_empty())
            && self.offset_pushdown
            && store
                .info()
                .capability
                .supports_pair(Operation::List, Pair::StartAfter)
        {
            opts.start_after = Some(offset.as_ref().to_owned());
        }
        let entries = futures_util::stream::once(async move {
            let dir = dir?;
            open(&store, &dir, opts).await
        })
        .try_flatten();
        entries
            .try_filter_map(move |entry| {
                let keep = entry.metadata.is_file().then(|| {
                    let location = paths::location(&entry.path);
                    object_meta(location, &entry.metadata)
                });
                let keep = keep.filter(|meta| offset.as_ref().is_none_or(|o| meta.location > *o));
                future::ready(Ok(keep))
            })
            .boxed()
    }

    /// One level below `prefix`: its objects, and its subdirectories as common prefixes; the
    /// work of `ObjectStore::list_with_delimiter`.
    pub(crate) async fn list_level(&self, prefix: Option<&Path>) -> Result<ListResult> {
        let dir = paths::directory(self.service(), prefix)?;
        let entries: Vec<Entry> = open(&self.store, &dir, ListOptions::default())
            .await?
            .try_collect()
            .await?;
        let mut result = ListResult {
            common_prefixes: Vec::new(),
            objects: Vec::new(),
            extensions: Default::default(),
        };
        for entry in entries {
            let location = paths::location(&entry.path);
            if entry.metadata.is_dir() {
                result.common_prefixes.push(location);
            } else {
                result.objects.push(object_meta(location, &entry.metadata));
            }
        }
        Ok(result)
    }
}

/// Opens the listing of `dir`, as a stream of object_store results. A directory that is not
/// there, or is an object, lists empty.
async fn open(
    store: &std::sync::Arc<dyn storage_types::Storage>,
    dir: &str,
    opts: ListOptions,
) -> Result<BoxStream<'static, Result<Entry>>> {
    let service = store.info().service;
    let lister: Lister = match store.list_with(dir, opts).await {
        Ok(lister) => lister,
        Err(err) if is_absent(err.kind()) => return Ok(futures_util::stream::empty().boxed()),
        Err(err) => return Err(error::map(err, service, dir)),
    };
    let shown = dir.to_owned();
    Ok(lister
        .map_err(move |err| error::map(err, service, &shown))
        .boxed())
}

fn is_absent(kind: ErrorKind) -> bool {
    matches!(kind, ErrorKind::NotFound | ErrorKind::NotDirectory)
}
