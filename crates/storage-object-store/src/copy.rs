//! `copy_opts` and `rename_opts` (and so `copy`, `copy_if_not_exists`, `rename`,
//! `rename_if_not_exists`).
//!
//! Create-only modes are `if_none_match: *` on rs-storage's copy and rename. A backend without
//! server-side copy gets a streamed read-then-write (create-only through a conditional
//! write); one without rename gets a copy then a delete of the source, as object_store's
//! default `rename_opts` does.

use object_store::path::Path;
use object_store::{CopyMode, CopyOptions, RenameOptions, RenameTargetMode, Result};
use storage_types::{Body, CopyOptions as OurCopyOptions, Feature, WriteOptions};

use crate::error;
use crate::paths;
use crate::store::StorageObjectStore;

impl StorageObjectStore {
    /// The work of `ObjectStore::copy_opts`.
    pub(crate) async fn copy_object(
        &self,
        from: &Path,
        to: &Path,
        options: CopyOptions,
    ) -> Result<()> {
        transfer(self, from, to, options.mode == CopyMode::Create, false).await
    }

    /// The work of `ObjectStore::rename_opts`.
    pub(crate) async fn rename_object(
        &self,
        from: &Path,
        to: &Path,
        options: RenameOptions,
    ) -> Result<()> {
        let create = options.target_mode == RenameTargetMode::Create;
        transfer(self, from, to, create, true).await
    }
}

/// Copies (or moves, if `remove` is set) `from` to `to`; `create` refuses an existing `to`.
async fn transfer(
    adapter: &StorageObjectStore,
    from: &Path,
    to: &Path,
    create: bool,
    remove: bool,
) -> Result<()> {
    let service = adapter.service();
    let (source, target) = (paths::object(service, from)?, paths::object(service, to)?);
    if source == target {
        return same_object(adapter, from, &source, create).await;
    }
    let mut opts = OurCopyOptions::default();
    if create {
        opts.if_none_match = Some("*".into());
    }
    let store = &adapter.store;
    let result = match (
        remove,
        adapter.has(Feature::Rename),
        adapter.has(Feature::Copy),
    ) {
        (true, true, _) => store.rename_with(&source, &target, opts).await,
        (_, _, true) => store.copy_with(&source, &target, opts).await,
        (_, _, false) => stream_copy(adapter, &source, &target, create).await,
    };
    result.map_err(|err| match err.kind() {
        // A missing source is the only thing a copy finds missing.
        storage_types::ErrorKind::NotFound | storage_types::ErrorKind::IsDirectory => {
            error::for_read(err, service, from.as_ref())
        }
        _ if create => error::for_create(err, service, to.as_ref()),
        _ => error::map(err, service, to.as_ref()),
    })?;
    if remove && !adapter.has(Feature::Rename) {
        store
            .delete(&source)
            .await
            .map_err(|err| error::map(err, service, from.as_ref()))?;
    }
    Ok(())
}

/// A copy of an object onto itself: nothing to do if it exists, which a create-only copy
/// refuses.
async fn same_object(
    adapter: &StorageObjectStore,
    location: &Path,
    path: &str,
    create: bool,
) -> Result<()> {
    let service = adapter.service();
    adapter
        .store
        .stat(path)
        .await
        .map_err(|err| error::for_read(err, service, location.as_ref()))?;
    if create {
        return Err(error::for_create(
            storage_types::Error::new(
                storage_types::ErrorKind::ConditionNotMet,
                "the source is the destination, and it exists",
            ),
            service,
            location.as_ref(),
        ));
    }
    Ok(())
}

/// A copy through the client for backends without one on the service: the source streams
/// into the write, never held whole.
async fn stream_copy(
    adapter: &StorageObjectStore,
    source: &str,
    target: &str,
    create: bool,
) -> storage_types::Result<()> {
    let reader = adapter.store.read(source).await?;
    let length = reader.content_length();
    let body = Body::from_stream(reader.into_stream(), Some(length));
    let mut opts = WriteOptions::default();
    if create {
        opts.if_none_match = Some("*".into());
    }
    adapter.store.write_with(target, body, opts).await?;
    Ok(())
}
