//! `noop://`: a store that discards what is written (after reading and checking the body) and
//! holds nothing, as the backup tools' `noop://` does for dry runs and benchmarks.

use std::time::Duration;

use async_trait::async_trait;
use futures_util::StreamExt;
use storage_types::backend::Backend;
use storage_types::backend::verify_checksum;
use storage_types::{
    Body, BucketOptions, Capability, CompleteOptions, CopyOptions, DeleteOptions, Error,
    ListOptions, Lister, Metadata, MultipartUpload, ObjectPath, Operation, Pair, Part, PartOptions,
    PresignMethod, PresignOptions, PresignedRequest, ReadOptions, Reader, Result, StatOptions,
    StorageInfo, WriteOptions,
};

/// The URL scheme of the discarding store.
pub(crate) const SCHEME: &str = "noop";

/// A store that accepts every write and keeps nothing: reads and stats find nothing, listings
/// are empty, deletes succeed.
#[derive(Debug, Clone)]
pub struct NoopStorage {
    info: StorageInfo,
}

impl Default for NoopStorage {
    fn default() -> Self {
        NoopStorage::new()
    }
}

impl NoopStorage {
    /// A discarding store.
    pub fn new() -> Self {
        let capability = Capability::new()
            .with_pairs(
                Operation::Write,
                &[
                    Pair::ContentType,
                    Pair::ContentEncoding,
                    Pair::CacheControl,
                    Pair::ContentDisposition,
                    Pair::UserMetadata,
                    Pair::StorageClass,
                    Pair::ContentMd5,
                    Pair::Crc32c,
                    Pair::PartSize,
                    Pair::Concurrency,
                ],
            )
            .with_pairs(
                Operation::List,
                &[Pair::PageSize, Pair::StartAfter, Pair::NamePrefix],
            );
        NoopStorage {
            info: StorageInfo::new(SCHEME, "noop", capability),
        }
    }
}

fn nothing_here() -> Error {
    Error::not_found("a noop store holds nothing")
}

fn not_a_feature() -> Error {
    Error::unsupported("a noop store has no optional features")
}

#[async_trait]
impl Backend for NoopStorage {
    fn info(&self) -> &StorageInfo {
        &self.info
    }

    async fn stat(&self, path: &ObjectPath, _opts: StatOptions) -> Result<Metadata> {
        match path.is_root() {
            true => Ok(Metadata::dir()),
            false => Err(nothing_here()),
        }
    }

    async fn read(&self, _path: &ObjectPath, _opts: ReadOptions) -> Result<Reader> {
        Err(nothing_here())
    }

    async fn write(&self, _path: &ObjectPath, body: Body, opts: WriteOptions) -> Result<Metadata> {
        // The body is read to its end (and checked), so a writer sees its failures, as it
        // would on a real store; its bytes go nowhere.
        let mut stream = verify_checksum(body, opts.checksum).into_stream();
        let mut size = 0u64;
        while let Some(chunk) = stream.next().await {
            size += chunk?.len() as u64;
        }
        Ok(Metadata::file(size))
    }

    async fn delete(&self, _path: &ObjectPath, _opts: DeleteOptions) -> Result<()> {
        Ok(())
    }

    async fn delete_many(&self, _paths: &[ObjectPath]) -> Result<()> {
        Ok(())
    }

    async fn list(&self, _dir: &ObjectPath, _opts: ListOptions) -> Result<Lister> {
        Ok(Lister::new(futures_util::stream::empty()))
    }

    async fn create_multipart(&self, _: &ObjectPath, _: WriteOptions) -> Result<MultipartUpload> {
        Err(not_a_feature())
    }

    async fn upload_part(
        &self,
        _: &MultipartUpload,
        _: u32,
        _: Body,
        _: PartOptions,
    ) -> Result<Part> {
        Err(not_a_feature())
    }

    async fn complete_multipart(
        &self,
        _: &MultipartUpload,
        _: &[Part],
        _: CompleteOptions,
    ) -> Result<Metadata> {
        Err(not_a_feature())
    }

    async fn abort_multipart(&self, _: &MultipartUpload) -> Result<()> {
        Err(not_a_feature())
    }

    async fn list_parts(&self, _: &MultipartUpload) -> Result<Vec<Part>> {
        Err(not_a_feature())
    }

    async fn list_multipart_uploads(&self, _: &ObjectPath) -> Result<Vec<MultipartUpload>> {
        Err(not_a_feature())
    }

    async fn create_append(&self, _: &ObjectPath, _: WriteOptions) -> Result<Metadata> {
        Err(not_a_feature())
    }

    async fn append(&self, _: &ObjectPath, _: u64, _: Body, _: PartOptions) -> Result<u64> {
        Err(not_a_feature())
    }

    async fn commit_append(&self, _: &ObjectPath) -> Result<Metadata> {
        Err(not_a_feature())
    }

    async fn copy(&self, _: &ObjectPath, _: &ObjectPath, _: CopyOptions) -> Result<()> {
        Err(not_a_feature())
    }

    async fn rename(&self, _: &ObjectPath, _: &ObjectPath, _: CopyOptions) -> Result<()> {
        Err(not_a_feature())
    }

    async fn presign(
        &self,
        _: PresignMethod,
        _: &ObjectPath,
        _: Duration,
        _: PresignOptions,
    ) -> Result<PresignedRequest> {
        Err(not_a_feature())
    }

    async fn create_dir(&self, _: &ObjectPath) -> Result<()> {
        Err(not_a_feature())
    }

    async fn create_bucket(&self, _: &str, _: BucketOptions) -> Result<()> {
        Err(not_a_feature())
    }

    async fn delete_bucket(&self, _: &str) -> Result<()> {
        Err(not_a_feature())
    }

    async fn list_buckets(&self) -> Result<Vec<String>> {
        Err(not_a_feature())
    }
}

#[cfg(test)]
mod tests {
    use storage_types::{ErrorKind, Storage, StorageExt};

    use super::*;

    #[tokio::test]
    async fn writes_vanish() {
        let store: std::sync::Arc<dyn Storage> = std::sync::Arc::new(NoopStorage::new());
        let meta = store.write("a/b", "hello".into()).await;
        assert_eq!(meta.unwrap().size, 5);
        let read = store.read_bytes("a/b").await.unwrap_err();
        assert_eq!(read.kind(), ErrorKind::NotFound);
        assert!(store.list_all("").await.unwrap().is_empty());
        store.delete("a/b").await.unwrap();
    }
}
