//! `delete_stream` (and so `delete`): deletes in batches through rs-storage's `delete_many`,
//! which backends with a batch delete (S3) send as one request per 1,000 keys.
//!
//! Every path is answered in the order given. When a batch fails, its paths are deleted one
//! by one, so that each gets its own result.

use futures_util::stream::BoxStream;
use futures_util::{StreamExt, stream};
use object_store::Result;
use object_store::path::Path;

use crate::error;
use crate::paths;
use crate::store::StorageObjectStore;

/// Paths deleted per `delete_many` call.
const BATCH: usize = 1000;

impl StorageObjectStore {
    /// The work of `ObjectStore::delete_stream`.
    pub(crate) fn delete_objects(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        let adapter = self.clone();
        locations
            .ready_chunks(BATCH)
            .then(move |batch| {
                let adapter = adapter.clone();
                async move { stream::iter(delete_batch(&adapter, batch).await) }
            })
            .flatten()
            .boxed()
    }
}

async fn delete_batch(adapter: &StorageObjectStore, batch: Vec<Result<Path>>) -> Vec<Result<Path>> {
    let service = adapter.service();
    let mut raw = Vec::with_capacity(batch.len());
    for location in batch.iter().flatten() {
        match paths::object(service, location) {
            Ok(path) => raw.push(path),
            // A path the store cannot take: let the one-by-one pass report it.
            Err(_) => return delete_each(adapter, batch).await,
        }
    }
    if raw.is_empty() || adapter.store.delete_many(&raw).await.is_ok() {
        return batch;
    }
    delete_each(adapter, batch).await
}

async fn delete_each(adapter: &StorageObjectStore, batch: Vec<Result<Path>>) -> Vec<Result<Path>> {
    let service = adapter.service();
    let mut results = Vec::with_capacity(batch.len());
    for location in batch {
        let result = match location {
            Ok(location) => match paths::object(service, &location) {
                Ok(path) => adapter
                    .store
                    .delete(&path)
                    .await
                    .map(|()| location.clone())
                    .map_err(|err| error::map(err, service, location.as_ref())),
                Err(err) => Err(err),
            },
            Err(err) => Err(err),
        };
        results.push(result);
    }
    results
}
