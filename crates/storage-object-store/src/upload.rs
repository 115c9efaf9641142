//! `put_multipart`: object_store's `MultipartUpload` over an rs-storage multipart upload.
//!
//! Parts are numbered in the order `put_part` is called, which is the order object_store
//! promises they are assembled in, and go up as their futures are polled, concurrently if
//! the caller polls several. An upload completed with no parts writes an empty object, as
//! object_store's stores do (rs-storage refuses to complete an upload without parts).

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use object_store::path::Path;
use object_store::{
    MultipartUpload, PutMultipartOptions, PutPayload, PutResult, Result, UploadPart,
};
use storage_types::{
    Body, Feature, MultipartUpload as Handle, Operation, Part, Storage, WriteOptions,
};

use crate::attributes::write_options;
use crate::error::{self, not_implemented};
use crate::paths;
use crate::put::{body, put_result};
use crate::store::StorageObjectStore;

impl StorageObjectStore {
    /// Starts an upload to `location`: the work of `ObjectStore::put_multipart_opts`.
    pub(crate) async fn start_upload(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        let service = self.service();
        if !self.has(Feature::Multipart) {
            return Err(not_implemented(
                "put_multipart (the backend has no multipart uploads)",
                service,
            ));
        }
        let path = paths::object(service, location)?;
        let info = self.store.info();
        let write = write_options(
            info,
            Operation::CreateMultipart,
            &opts.attributes,
            &opts.tags,
        )?;
        let handle = self
            .store
            .create_multipart_with(&path, write.clone())
            .await
            .map_err(|err| error::map(err, service, location.as_ref()))?;
        Ok(Box::new(StorageUpload {
            adapter: self.clone(),
            location: location.clone(),
            handle,
            write,
            parts: Arc::default(),
        }))
    }
}

/// A multipart upload in progress, from [`ObjectStore::put_multipart`](object_store::ObjectStore).
#[derive(Debug)]
pub(crate) struct StorageUpload {
    adapter: StorageObjectStore,
    location: Path,
    handle: Handle,
    /// The options the upload was created with, for an upload completed with no parts.
    write: WriteOptions,
    /// One slot per `put_part` call, filled when that part is up.
    parts: Arc<Mutex<Vec<Option<Part>>>>,
}

impl StorageUpload {
    fn store(&self) -> Arc<dyn Storage> {
        self.adapter.store.clone()
    }

    fn error(&self, err: storage_types::Error) -> object_store::Error {
        error::map(err, self.adapter.service(), self.location.as_ref())
    }
}

#[async_trait]
impl MultipartUpload for StorageUpload {
    fn put_part(&mut self, data: PutPayload) -> UploadPart {
        let slot = {
            let mut parts = self.parts.lock().unwrap_or_else(PoisonError::into_inner);
            parts.push(None);
            parts.len() - 1
        };
        let (store, handle, parts) = (self.store(), self.handle.clone(), self.parts.clone());
        let (service, location) = (self.adapter.service(), self.location.to_string());
        Box::pin(async move {
            let number = u32::try_from(slot + 1)
                .map_err(|_| error::generic(service, "too many parts for one upload"))?;
            let part = store
                .upload_part(&handle, number, body(data))
                .await
                .map_err(|err| error::map(err, service, &location))?;
            parts.lock().unwrap_or_else(PoisonError::into_inner)[slot] = Some(part);
            Ok(())
        })
    }

    async fn complete(&mut self) -> Result<PutResult> {
        let parts: Vec<Part> = {
            let parts = self.parts.lock().unwrap_or_else(PoisonError::into_inner);
            match parts.iter().cloned().collect::<Option<Vec<_>>>() {
                Some(parts) => parts,
                None => {
                    return Err(error::generic(
                        self.adapter.service(),
                        "complete called before every put_part finished",
                    ));
                }
            }
        };
        let store = self.store();
        let path = self.handle.path.as_str().to_owned();
        let written = if parts.is_empty() {
            store
                .abort_multipart(&self.handle)
                .await
                .map_err(|err| self.error(err))?;
            store
                .write_with(&path, Body::empty(), self.write.clone())
                .await
                .map_err(|err| self.error(err))?
        } else {
            store
                .complete_multipart(&self.handle, &parts)
                .await
                .map_err(|err| {
                    error::for_complete(err, self.adapter.service(), self.location.as_ref())
                })?
        };
        Ok(put_result(&self.adapter, &path, written).await)
    }

    async fn abort(&mut self) -> Result<()> {
        self.store()
            .abort_multipart(&self.handle)
            .await
            .map_err(|err| self.error(err))
    }
}
