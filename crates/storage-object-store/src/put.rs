//! `put_opts`: writes, with `PutMode` mapped to rs-storage's conditional writes.
//!
//! `PutMode::Create` is `if_none_match: *` (a failed condition is `AlreadyExists`);
//! `PutMode::Update` is `if_match` on the ETag it names (a failed condition, or a missing
//! object, is `Precondition`). The payload goes to the backend chunk by chunk, as it is.

use object_store::path::Path;
use object_store::{PutMode, PutOptions, PutPayload, PutResult, Result};
use storage_types::{Body, Metadata, Operation, Pair};

use crate::attributes::write_options;
use crate::error::{self, not_implemented};
use crate::paths;
use crate::store::StorageObjectStore;

impl StorageObjectStore {
    /// The work of `ObjectStore::put_opts`.
    pub(crate) async fn write_object(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        let service = self.service();
        let info = self.store.info();
        let path = paths::object(service, location)?;
        let mut write = write_options(info, Operation::Write, &opts.attributes, &opts.tags)?;
        let (pair, name) = match &opts.mode {
            PutMode::Overwrite => (None, ""),
            PutMode::Create => (Some(Pair::IfNoneMatch), "PutMode::Create"),
            PutMode::Update(_) => (Some(Pair::IfMatch), "PutMode::Update"),
        };
        if let Some(pair) = pair
            && !info.capability.supports_pair(Operation::Write, pair)
        {
            return Err(not_implemented(format!("put_opts with {name}"), service));
        }
        match &opts.mode {
            PutMode::Overwrite => {}
            PutMode::Create => write.if_none_match = Some("*".into()),
            PutMode::Update(version) => match &version.e_tag {
                Some(tag) => write.if_match = Some(tag.clone()),
                None => {
                    return Err(not_implemented(
                        "put_opts with PutMode::Update by version without an ETag",
                        service,
                    ));
                }
            },
        }
        let shown = location.as_ref();
        let written = self
            .store
            .write_with(&path, body(payload), write)
            .await
            .map_err(|err| match opts.mode {
                PutMode::Create => error::for_create(err, service, shown),
                _ => error::map(err, service, shown),
            })?;
        Ok(put_result(self, &path, written).await)
    }
}

/// A payload as a write body: one chunk stays in memory as it is; several stream.
pub(crate) fn body(payload: PutPayload) -> Body {
    let size = payload.content_length() as u64;
    if payload.as_ref().len() == 1 {
        return Body::from_bytes(payload.as_ref()[0].clone());
    }
    let chunks = payload.into_iter().map(Ok::<_, storage_types::Error>);
    Body::from_stream(futures_util::stream::iter(chunks), Some(size))
}

/// The `PutResult` of a write. A backend that reports no ETag for a write is asked with a
/// `stat`, since object_store callers use the ETag for their next conditional write; if that
/// fails, the result carries none.
pub(crate) async fn put_result(
    adapter: &StorageObjectStore,
    path: &str,
    written: Metadata,
) -> PutResult {
    let mut meta = written;
    if meta.etag.is_none()
        && let Ok(current) = adapter.store.stat(path).await
    {
        meta = current;
    }
    PutResult {
        e_tag: meta.etag,
        version: meta.version,
        extensions: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use object_store::{ObjectStore, ObjectStoreExt, UpdateVersion};

    use super::*;

    #[tokio::test]
    async fn modes_map_to_conditions() {
        let store = StorageObjectStore::new(Arc::new(storage_memory::MemoryStorage::new()));
        let path = Path::from("p");
        let v1 = store
            .put_opts(&path, "a".into(), PutMode::Create.into())
            .await
            .unwrap();
        let err = store
            .put_opts(&path, "b".into(), PutMode::Create.into())
            .await
            .unwrap_err();
        assert!(
            matches!(err, object_store::Error::AlreadyExists { .. }),
            "{err}"
        );
        let stale = UpdateVersion::from(v1.clone());
        store
            .put_opts(&path, "c".into(), PutMode::Update(v1.into()).into())
            .await
            .unwrap();
        let err = store
            .put_opts(&path, "d".into(), PutMode::Update(stale).into())
            .await
            .unwrap_err();
        assert!(
            matches!(err, object_store::Error::Precondition { .. }),
            "{err}"
        );
        assert_eq!(store.get(&path).await.unwrap().bytes().await.unwrap(), "c");
    }
}
