//! object_store's `MultipartStore` over rs-storage multipart uploads, for backends that
//! declare [`Feature::Multipart`](storage_types::Feature::Multipart) (others answer
//! `NotSupported`; [`StorageObjectStore::multipart_store`] tells in advance).
//!
//! object_store numbers parts from 0 and hands back only an opaque content id per part;
//! rs-storage numbers them from 1 and completes with each part's number, ETag and size. The
//! content id carries all three (`number:size:etag`), so completion needs no lookup.

use async_trait::async_trait;
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path;
use object_store::{MultipartId, PutMultipartOptions, PutPayload, PutResult, Result};
use storage_types::{Body, MultipartUpload as Handle, Operation, Part};

use crate::attributes::write_options;
use crate::error::{self, generic};
use crate::paths;
use crate::put::{body, put_result};
use crate::store::StorageObjectStore;

#[async_trait]
impl MultipartStore for StorageObjectStore {
    async fn create_multipart(&self, path: &Path) -> Result<MultipartId> {
        self.create_multipart_opts(path, PutMultipartOptions::default())
            .await
    }

    async fn create_multipart_opts(
        &self,
        path: &Path,
        opts: PutMultipartOptions,
    ) -> Result<MultipartId> {
        let service = self.service();
        let raw = paths::object(service, path)?;
        let write = write_options(
            self.store.info(),
            Operation::CreateMultipart,
            &opts.attributes,
            &opts.tags,
        )?;
        let upload = self
            .store
            .create_multipart_with(&raw, write)
            .await
            .map_err(|err| error::map(err, service, path.as_ref()))?;
        Ok(upload.upload_id)
    }

    async fn put_part(
        &self,
        path: &Path,
        id: &MultipartId,
        part_idx: usize,
        data: PutPayload,
    ) -> Result<PartId> {
        let service = self.service();
        let upload = self.handle(path, id)?;
        let number = u32::try_from(part_idx + 1)
            .map_err(|_| generic(service, format!("part index {part_idx} is too large")))?;
        let part = self
            .store
            .upload_part(&upload, number, body(data))
            .await
            .map_err(|err| error::map(err, service, path.as_ref()))?;
        Ok(PartId {
            content_id: format!("{}:{}:{}", part.number, part.size, part.etag),
        })
    }

    async fn complete_multipart(
        &self,
        path: &Path,
        id: &MultipartId,
        parts: Vec<PartId>,
    ) -> Result<PutResult> {
        let service = self.service();
        let upload = self.handle(path, id)?;
        let parts = parts
            .iter()
            .map(|part| decode(service, &part.content_id))
            .collect::<Result<Vec<Part>>>()?;
        let raw = upload.path.as_str().to_owned();
        let mapped = |err| error::map(err, service, path.as_ref());
        let written = if parts.is_empty() {
            // rs-storage refuses an upload without parts; object_store's stores write an
            // empty object.
            self.store.abort_multipart(&upload).await.map_err(mapped)?;
            self.store
                .write(&raw, Body::empty())
                .await
                .map_err(mapped)?
        } else {
            self.store
                .complete_multipart(&upload, &parts)
                .await
                .map_err(|err| error::for_complete(err, service, path.as_ref()))?
        };
        Ok(put_result(self, &raw, written).await)
    }

    async fn abort_multipart(&self, path: &Path, id: &MultipartId) -> Result<()> {
        let upload = self.handle(path, id)?;
        self.store
            .abort_multipart(&upload)
            .await
            .map_err(|err| error::map(err, self.service(), path.as_ref()))
    }
}

impl StorageObjectStore {
    fn handle(&self, path: &Path, id: &MultipartId) -> Result<Handle> {
        let service = self.service();
        Handle::new(&paths::object(service, path)?, id.clone())
            .map_err(|err| error::map(err, service, path.as_ref()))
    }
}

/// The part a content id of [`MultipartStore::put_part`] stands for.
fn decode(service: &'static str, content_id: &str) -> Result<Part> {
    let mut fields = content_id.splitn(3, ':');
    let (number, size, etag) = (fields.next(), fields.next(), fields.next());
    let parsed = number
        .and_then(|n| n.parse().ok())
        .zip(size.and_then(|s| s.parse().ok()))
        .zip(etag);
    match parsed {
        Some(((number, size), etag)) => Ok(Part {
            number,
            etag: etag.to_owned(),
            size,
        }),
        None => Err(generic(
            service,
            format!("`{content_id}` is not a part id of this store"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_ids_round_trip_with_colons_in_etags() {
        let part = decode("t", "3:42:\"a:b\"").unwrap();
        assert_eq!(
            (part.number, part.size, part.etag.as_str()),
            (3, 42, "\"a:b\"")
        );
        assert!(decode("t", "nonsense").is_err());
    }
}
