//! The [`Storage`] trait: the one object-safe API every program is written against.

use std::any::Any;
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
use crate::response::{
    Lister, MultipartUpload, Part, PresignMethod, PresignedRequest, Reader, StorageInfo,
};

/// A store of objects: local files, memory, a bucket of S3, GCS or Azure Blob.
///
/// Use it as `Arc<dyn Storage>`. Paths are `/`-separated and relative to the store's root; a
/// trailing `/` names a directory; paths that could escape the root are refused with
/// `InvalidInput`. Optional arguments live in each operation's options struct. The optional
/// features (multipart, append, copy, rename, presign, create_dir, buckets) are methods here
/// too: a backend that lacks one answers [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported),
/// and [`info`](Storage::info) tells in advance.
///
/// Backends do not implement this trait directly: they implement
/// [`Backend`](crate::backend::Backend), and every `Backend` is a `Storage` through one central
/// layer that normalises paths, checks options against the capability, enforces declared body
/// lengths, reports progress, adds error context and emits one tracing span per call.
///
/// ```
/// use std::sync::Arc;
/// use storage_types::{Storage, StorageExt, WriteOptions};
///
/// async fn save(store: Arc<dyn Storage>) -> storage_types::Result<()> {
///     store.write("reports/raw.csv", "id,total\n".into()).await?;
///     let csv = WriteOptions::default().with_content_type("text/csv");
///     store.write_with("reports/a.csv", "id,total\n".into(), csv).await?;
///     let bytes = store.read_bytes("reports/a.csv").await?;
///     assert_eq!(bytes, "id,total\n");
///     Ok(())
/// }
/// ```
#[async_trait]
pub trait Storage: Send + Sync + Debug {
    /// The service, where the store points, and what it supports.
    fn info(&self) -> &StorageInfo;

    /// The concrete store, to reach a backend's own API (for example its SDK client) from a
    /// `dyn Storage`: `store.as_any().downcast_ref::<S3Storage>()`.
    fn as_any(&self) -> &dyn Any;

    /// The metadata of the object at `path`, or of the directory if `path` ends with `/`.
    ///
    /// Errors: `NotFound` if nothing is there; `IsDirectory` where the service can tell that an
    /// object path names a directory (local files); `ConditionNotMet` for a failed
    /// `if_match`/`if_none_match`.
    ///
    /// The plain form of [`stat_with`](Storage::stat_with), with default options.
    async fn stat(&self, path: &str) -> Result<Metadata> {
        self.stat_with(path, StatOptions::default()).await
    }

    /// [`stat`](Storage::stat) with options.
    async fn stat_with(&self, path: &str, opts: StatOptions) -> Result<Metadata>;

    /// Opens the object at `path` for reading, whole or a range; the bytes stream as polled.
    ///
    /// Errors: `NotFound`; `IsDirectory` for a directory path; `RangeNotSatisfiable` for a range
    /// that starts at or past the end; `ConditionNotMet`. A stream that ends early yields an
    /// `IntegrityMismatch` error instead of a short body.
    ///
    /// The plain form of [`read_with`](Storage::read_with), with default options.
    async fn read(&self, path: &str) -> Result<Reader> {
        self.read_with(path, ReadOptions::default()).await
    }

    /// [`read`](Storage::read) with options.
    async fn read_with(&self, path: &str, opts: ReadOptions) -> Result<Reader>;

    /// Creates or replaces the object at `path` with `body`, returning what the store knows of
    /// the new object (at least its size).
    ///
    /// A write that fails (a body error, a body shorter or longer than declared, a failed
    /// condition) leaves the previous object, or none: never a partial one.
    ///
    /// The plain form of [`write_with`](Storage::write_with), with default options.
    async fn write(&self, path: &str, body: Body) -> Result<Metadata> {
        self.write_with(path, body, WriteOptions::default()).await
    }

    /// [`write`](Storage::write) with options.
    async fn write_with(&self, path: &str, body: Body, opts: WriteOptions) -> Result<Metadata>;

    /// Deletes the object at `path`, or the empty directory if `path` ends with `/`. Deleting
    /// something that does not exist succeeds.
    ///
    /// The plain form of [`delete_with`](Storage::delete_with), with default options.
    async fn delete(&self, path: &str) -> Result<()> {
        self.delete_with(path, DeleteOptions::default()).await
    }

    /// [`delete`](Storage::delete) with options.
    async fn delete_with(&self, path: &str, opts: DeleteOptions) -> Result<()>;

    /// Deletes many objects (or empty directories), each as [`delete`](Storage::delete) would;
    /// missing ones are fine. Backends that can delete many in one request (S3 DeleteObjects,
    /// 1,000 at a time) do. If some fail, the error names the first failure and how many
    /// failed; the others are deleted.
    async fn delete_many(&self, paths: &[String]) -> Result<()>;

    /// Lists the directory `path` (a trailing `/` is implied): one level, with subdirectories as
    /// directory entries, or with [`ListOptions::recursive`] every object below it. Entries come
    /// in lexicographic order of their paths where the service gives one, each exactly once.
    ///
    /// The plain form of [`list_with`](Storage::list_with), with default options.
    async fn list(&self, path: &str) -> Result<Lister> {
        self.list_with(path, ListOptions::default()).await
    }

    /// [`list`](Storage::list) with options.
    async fn list_with(&self, path: &str, opts: ListOptions) -> Result<Lister>;

    /// Lists every object whose path starts with `prefix` as a string, not only the objects of
    /// a directory: `v1/backupmeta` lists `v1/backupmeta`, `v1/backupmeta.1` and
    /// `v1/backupmeta_x/a`, not `v1/backup`. A prefix ending with `/` lists that directory; the
    /// empty prefix lists the whole store. Objects only, as a recursive
    /// [`list`](Storage::list) gives them: streamed, in lexicographic order of their paths where
    /// the service gives one, each exactly once.
    ///
    /// The prefix is split at its last `/` into a directory and a
    /// [`name_prefix`](ListOptions::name_prefix) that the backend hands to the service (the
    /// request prefix of S3, GCS and Azure) or applies while it walks (local files, memory).
    /// Errors: `InvalidInput` for a prefix that could leave the root (`..`, absolute, NUL).
    ///
    /// The plain form of [`list_prefix_with`](Storage::list_prefix_with), with default options.
    async fn list_prefix(&self, prefix: &str) -> Result<Lister> {
        self.list_prefix_with(prefix, ListOptions::default()).await
    }

    /// [`list_prefix`](Storage::list_prefix) with options: `page_size` and `start_after` as
    /// for [`list_with`](Storage::list_with). The listing is always recursive, and its name
    /// prefix comes from `prefix`: setting [`ListOptions::name_prefix`] too is `InvalidInput`.
    /// (For one level, with directories, list the directory with a `name_prefix`.)
    async fn list_prefix_with(&self, prefix: &str, opts: ListOptions) -> Result<Lister>;

    /// Starts a multipart upload to `path`. Nothing is visible at `path` until completion.
    ///
    /// The plain form of [`create_multipart_with`](Storage::create_multipart_with), with default options.
    async fn create_multipart(&self, path: &str) -> Result<MultipartUpload> {
        self.create_multipart_with(path, WriteOptions::default())
            .await
    }

    /// [`create_multipart`](Storage::create_multipart) with options.
    async fn create_multipart_with(
        &self,
        path: &str,
        opts: WriteOptions,
    ) -> Result<MultipartUpload>;

    /// Uploads part `number` (from 1) of `upload`; uploading a number again replaces that part.
    /// Parts may go up in any order and concurrently.
    ///
    /// The plain form of [`upload_part_with`](Storage::upload_part_with), with default options.
    async fn upload_part(&self, upload: &MultipartUpload, number: u32, body: Body) -> Result<Part> {
        self.upload_part_with(upload, number, body, PartOptions::default())
            .await
    }

    /// [`upload_part`](Storage::upload_part) with options.
    async fn upload_part_with(
        &self,
        upload: &MultipartUpload,
        number: u32,
        body: Body,
        opts: PartOptions,
    ) -> Result<Part>;

    /// Assembles `parts` (ascending by number) into the object.
    ///
    /// Errors: `InvalidInput` for an empty, unordered or unknown part list; `NotFound` for an
    /// unknown upload.
    ///
    /// The plain form of [`complete_multipart_with`](Storage::complete_multipart_with), with default options.
    async fn complete_multipart(
        &self,
        upload: &MultipartUpload,
        parts: &[Part],
    ) -> Result<Metadata> {
        self.complete_multipart_with(upload, parts, CompleteOptions::default())
            .await
    }

    /// [`complete_multipart`](Storage::complete_multipart) with options.
    async fn complete_multipart_with(
        &self,
        upload: &MultipartUpload,
        parts: &[Part],
        opts: CompleteOptions,
    ) -> Result<Metadata>;

    /// Abandons `upload` and frees its parts. Idempotent, like `delete`: aborting an upload that
    /// is already gone (aborted, completed or unknown) succeeds.
    async fn abort_multipart(&self, upload: &MultipartUpload) -> Result<()>;

    /// The parts uploaded so far, ascending by number.
    async fn list_parts(&self, upload: &MultipartUpload) -> Result<Vec<Part>>;

    /// The uploads in progress below the directory `dir`.
    async fn list_multipart_uploads(&self, dir: &str) -> Result<Vec<MultipartUpload>>;

    /// Creates an empty appendable object at `path`, replacing an existing object.
    ///
    /// The plain form of [`create_append_with`](Storage::create_append_with), with default options.
    async fn create_append(&self, path: &str) -> Result<Metadata> {
        self.create_append_with(path, WriteOptions::default()).await
    }

    /// [`create_append`](Storage::create_append) with options.
    async fn create_append_with(&self, path: &str, opts: WriteOptions) -> Result<Metadata>;

    /// Appends `body` to the appendable object at `path`, whose current length must be
    /// `offset` (else `ConditionNotMet`); returns the new length. A failed append leaves the
    /// object at its previous length.
    ///
    /// The plain form of [`append_with`](Storage::append_with), with default options.
    async fn append(&self, path: &str, offset: u64, body: Body) -> Result<u64> {
        self.append_with(path, offset, body, PartOptions::default())
            .await
    }

    /// [`append`](Storage::append) with options.
    async fn append_with(
        &self,
        path: &str,
        offset: u64,
        body: Body,
        opts: PartOptions,
    ) -> Result<u64>;

    /// Finishes an appendable object: no more appends are needed. Returns its metadata.
    async fn commit_append(&self, path: &str) -> Result<Metadata>;

    /// Copies the object `from` to `to` on the service, replacing `to`.
    ///
    /// The plain form of [`copy_with`](Storage::copy_with), with default options.
    async fn copy(&self, from: &str, to: &str) -> Result<()> {
        self.copy_with(from, to, CopyOptions::default()).await
    }

    /// [`copy`](Storage::copy) with options.
    async fn copy_with(&self, from: &str, to: &str, opts: CopyOptions) -> Result<()>;

    /// Moves the object `from` to `to`, replacing `to`.
    ///
    /// The plain form of [`rename_with`](Storage::rename_with), with default options.
    async fn rename(&self, from: &str, to: &str) -> Result<()> {
        self.rename_with(from, to, CopyOptions::default()).await
    }

    /// [`rename`](Storage::rename) with options.
    async fn rename_with(&self, from: &str, to: &str, opts: CopyOptions) -> Result<()>;

    /// A signed request for `method` on `path`, valid for `expires`.
    ///
    /// The plain form of [`presign_with`](Storage::presign_with), with default options.
    async fn presign(
        &self,
        method: PresignMethod,
        path: &str,
        expires: Duration,
    ) -> Result<PresignedRequest> {
        self.presign_with(method, path, expires, PresignOptions::default())
            .await
    }

    /// [`presign`](Storage::presign) with options.
    async fn presign_with(
        &self,
        method: PresignMethod,
        path: &str,
        expires: Duration,
        opts: PresignOptions,
    ) -> Result<PresignedRequest>;

    /// Creates the directory `path` (a trailing `/` is implied); creating it again succeeds.
    async fn create_dir(&self, path: &str) -> Result<()>;

    /// Creates a bucket (container) in the store's account.
    ///
    /// The plain form of [`create_bucket_with`](Storage::create_bucket_with), with default options.
    async fn create_bucket(&self, name: &str) -> Result<()> {
        self.create_bucket_with(name, BucketOptions::default())
            .await
    }

    /// [`create_bucket`](Storage::create_bucket) with options.
    async fn create_bucket_with(&self, name: &str, opts: BucketOptions) -> Result<()>;

    /// Deletes an empty bucket (container).
    async fn delete_bucket(&self, name: &str) -> Result<()>;

    /// The buckets (containers) of the store's account.
    async fn list_buckets(&self) -> Result<Vec<String>>;
}
