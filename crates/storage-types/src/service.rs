//! The [`Backend`] trait: what a storage service implements. The central layer turns every
//! `Backend` into a [`Storage`](crate::Storage). Also the batch-delete fallback and the unique
//! tokens backends name their temporary objects with.

use std::fmt::Debug;
use std::time::Duration;

use async_trait::async_trait;

use crate::body::Body;
use crate::error::Result;
use crate::metadata::Metadata;
use crate::options::{
    BucketOptions, CompleteOptions, CopyOptions, DeleteOptions, ListOptions, PartOptions,
    PresignOptions, ReadOptions, StatOptions, WriteOptions,
};
use crate::path::ObjectPath;
use crate::response::{
    Lister, MultipartUpload, Part, PresignMethod, PresignedRequest, Reader, StorageInfo,
};

/// A storage service, as its implementor writes it.
///
/// Every method must be written: there are no defaults, so no operation can be forgotten
/// silently. Methods of a feature the backend does not declare in its
/// [`Capability`](crate::Capability) are never called (the central layer refuses the call
/// first); return [`Error::unsupported`](crate::Error::unsupported) from them.
///
/// What the central layer guarantees before a method runs:
/// - paths are normalised [`ObjectPath`]s that cannot escape the root; object operations
///   (read, write, multipart, append, copy, rename) never receive a directory path;
/// - every option set is declared for the operation in the capability (or was dropped in loose
///   mode), and every extension belongs to this backend's service;
/// - a `Body` with a declared length fails inside its stream when the length is wrong, so a
///   backend only has to stop and discard on a body error;
/// - a read's range is not empty, and a full-object range arrives as `None`.
///
/// What it does after: wraps a read's stream to check that it yields
/// [`Reader::content_length`] bytes; adds operation, path and service to errors; records a
/// tracing span.
#[async_trait]
pub trait Backend: Send + Sync + Debug + 'static {
    /// The service, root and capability. Called on every operation: return a stored value.
    fn info(&self) -> &StorageInfo;

    /// See [`Storage::stat`](crate::Storage::stat).
    async fn stat(&self, path: &ObjectPath, opts: StatOptions) -> Result<Metadata>;

    /// See [`Storage::read`](crate::Storage::read).
    async fn read(&self, path: &ObjectPath, opts: ReadOptions) -> Result<Reader>;

    /// See [`Storage::write`](crate::Storage::write).
    async fn write(&self, path: &ObjectPath, body: Body, opts: WriteOptions) -> Result<Metadata>;

    /// See [`Storage::delete`](crate::Storage::delete).
    async fn delete(&self, path: &ObjectPath, opts: DeleteOptions) -> Result<()>;

    /// See [`Storage::delete_many`](crate::Storage::delete_many). No path is the root.
    async fn delete_many(&self, paths: &[ObjectPath]) -> Result<()>;

    /// See [`Storage::list`](crate::Storage::list). `dir` always ends with `/` or is the root.
    /// A `name_prefix` (only where the capability declares it) is never empty and holds no
    /// `/`: list only entries of `dir` whose name starts with it, and, when recursive, every
    /// object below the subdirectories whose name does (the service's request prefix is
    /// `dir` followed by it).
    async fn list(&self, dir: &ObjectPath, opts: ListOptions) -> Result<Lister>;

    /// See [`Storage::create_multipart`](crate::Storage::create_multipart).
    async fn create_multipart(
        &self,
        path: &ObjectPath,
        opts: WriteOptions,
    ) -> Result<MultipartUpload>;

    /// See [`Storage::upload_part`](crate::Storage::upload_part). `number` is within the
    /// capability's part limit.
    async fn upload_part(
        &self,
        upload: &MultipartUpload,
        number: u32,
        body: Body,
        opts: PartOptions,
    ) -> Result<Part>;

    /// See [`Storage::complete_multipart`](crate::Storage::complete_multipart). `parts` is not
    /// empty and strictly ascending by number.
    async fn complete_multipart(
        &self,
        upload: &MultipartUpload,
        parts: &[Part],
        opts: CompleteOptions,
    ) -> Result<Metadata>;

    /// See [`Storage::abort_multipart`](crate::Storage::abort_multipart).
    async fn abort_multipart(&self, upload: &MultipartUpload) -> Result<()>;

    /// See [`Storage::list_parts`](crate::Storage::list_parts).
    async fn list_parts(&self, upload: &MultipartUpload) -> Result<Vec<Part>>;

    /// See [`Storage::list_multipart_uploads`](crate::Storage::list_multipart_uploads).
    async fn list_multipart_uploads(&self, dir: &ObjectPath) -> Result<Vec<MultipartUpload>>;

    /// See [`Storage::create_append`](crate::Storage::create_append).
    async fn create_append(&self, path: &ObjectPath, opts: WriteOptions) -> Result<Metadata>;

    /// See [`Storage::append`](crate::Storage::append).
    async fn append(
        &self,
        path: &ObjectPath,
        offset: u64,
        body: Body,
        opts: PartOptions,
    ) -> Result<u64>;

    /// See [`Storage::commit_append`](crate::Storage::commit_append).
    async fn commit_append(&self, path: &ObjectPath) -> Result<Metadata>;

    /// See [`Storage::copy`](crate::Storage::copy).
    async fn copy(&self, from: &ObjectPath, to: &ObjectPath, opts: CopyOptions) -> Result<()>;

    /// See [`Storage::rename`](crate::Storage::rename).
    async fn rename(&self, from: &ObjectPath, to: &ObjectPath, opts: CopyOptions) -> Result<()>;

    /// See [`Storage::presign`](crate::Storage::presign).
    async fn presign(
        &self,
        method: PresignMethod,
        path: &ObjectPath,
        expires: Duration,
        opts: PresignOptions,
    ) -> Result<PresignedRequest>;

    /// See [`Storage::create_dir`](crate::Storage::create_dir). `dir` ends with `/`.
    async fn create_dir(&self, dir: &ObjectPath) -> Result<()>;

    /// See [`Storage::create_bucket`](crate::Storage::create_bucket).
    async fn create_bucket(&self, name: &str, opts: BucketOptions) -> Result<()>;

    /// See [`Storage::delete_bucket`](crate::Storage::delete_bucket).
    async fn delete_bucket(&self, name: &str) -> Result<()>;

    /// See [`Storage::list_buckets`](crate::Storage::list_buckets).
    async fn list_buckets(&self) -> Result<Vec<String>>;
}

/// `delete_many` for backends without a batch delete: each path in turn, every one attempted;
/// the error names the first failure and how many failed.
pub async fn delete_each<B: Backend + ?Sized>(backend: &B, paths: &[ObjectPath]) -> Result<()> {
    let mut failures: Vec<crate::Error> = Vec::new();
    for path in paths {
        if let Err(err) = backend.delete(path, DeleteOptions::default()).await {
            failures.push(err.with_path(path.as_str()));
        }
    }
    many_failed(failures, paths.len())
}

/// One error for a batch: the first failure, with how many of the batch failed.
pub fn many_failed(failures: Vec<crate::Error>, total: usize) -> Result<()> {
    let count = failures.len();
    match failures.into_iter().next() {
        None => Ok(()),
        Some(first) if count == 1 => Err(first),
        Some(first) => {
            let message = format!("{count} of {total} deletes failed; the first");
            Err(crate::Error::new(first.kind(), message).with_source(first))
        }
    }
}

/// A fresh 16-hex-digit token for upload ids and temporary names: random per process
/// (SipHash's random keys), counted within it, so two calls never collide.
pub fn unique_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!("{:016x}", hasher.finish())
}
