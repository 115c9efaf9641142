//! [`S3Storage`]: the `Backend` implementation, mapping each operation to the SDK calls that
//! live in the per-operation modules.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use storage_types::backend::Backend;
use storage_types::{
    Body, BucketOptions, Capability, CompleteOptions, CopyOptions, DeleteOptions, Encryption,
    Error, Extensions, Feature, Limits, ListOptions, Lister, Metadata, MultipartUpload, ObjectPath,
    Operation, Pair, Part, PartOptions, PresignMethod, PresignOptions, PresignedRequest,
    ReadOptions, Reader, Result, StatOptions, StorageInfo, WriteOptions,
};

use crate::config::{DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE, S3Builder};
use crate::sse::{Sse, SseC};
use crate::{S3Options, bucket, copy, lister, multipart, presign, reader, writer};

/// A store on one S3 bucket (or S3-compatible store), below an optional prefix.
///
/// Cheap to clone. Reach the SDK client with [`client`](S3Storage::client), and build one from
/// an existing client with [`from_client`](S3Storage::from_client), to move a program over one
/// call at a time.
#[derive(Clone)]
pub struct S3Storage {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) client: aws_sdk_s3::Client,
    pub(crate) bucket: String,
    /// The key prefix, empty or ending with `/`.
    pub(crate) root: String,
    pub(crate) info: StorageInfo,
    pub(crate) default_sse: Option<Sse>,
    pub(crate) defaults: S3Options,
    pub(crate) storage_class: Option<String>,
    pub(crate) part_size: u64,
    pub(crate) concurrency: usize,
    /// Uploads send `UNSIGNED-PAYLOAD` instead of a SHA-256 of the body.
    pub(crate) unsigned_payload: bool,
}

impl fmt::Debug for S3Storage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Storage")
            .field("bucket", &self.inner.bucket)
            .field("root", &self.inner.root)
            .field(
                "default_encryption",
                &self.inner.default_sse.as_ref().map(|_| "<set>"),
            )
            .finish_non_exhaustive()
    }
}

impl S3Storage {
    /// What this backend declares, the same under every credential. A store's
    /// [`StorageInfo`] carries it; `cargo xtask docs` renders docs/compatibility.md from it.
    pub fn declared_capabilities() -> Vec<(&'static str, Capability)> {
        vec![("any credentials", capability())]
    }

    /// A builder; see [`S3Builder`].
    pub fn builder(bucket: impl Into<String>) -> S3Builder {
        S3Builder::new(bucket)
    }

    /// A store on `bucket` using an existing SDK client and its configuration.
    pub fn from_client(client: aws_sdk_s3::Client, bucket: impl Into<String>) -> Result<Self> {
        S3Builder::new(bucket).build_with_client(client)
    }

    pub(crate) fn new(client: aws_sdk_s3::Client, config: S3Builder) -> Result<Self> {
        if config.bucket.is_empty() {
            return Err(Error::invalid_input("an S3 store needs a bucket name"));
        }
        let root = match ObjectPath::parse_dir(&config.root) {
            Ok(root) => root.as_str().to_owned(),
            Err(err) => return Err(err),
        };
        let part_size = config.part_size.unwrap_or(DEFAULT_PART_SIZE);
        if part_size < MIN_PART_SIZE {
            return Err(Error::invalid_input(format!(
                "the S3 part size must be at least {MIN_PART_SIZE} bytes"
            )));
        }
        // Unsigned where `build` saw a TLS endpoint, signed otherwise (plain http, or a
        // client handed over whose endpoint we cannot see), unless configured.
        let unsigned_payload = !config
            .payload_signing
            .unwrap_or(config.over_tls != Some(true));
        let info = StorageInfo::new(crate::SCHEME, config.bucket.clone(), capability())
            .with_root(root.clone())
            .with_loose(config.loose);
        Ok(S3Storage {
            inner: Arc::new(Inner {
                client,
                bucket: config.bucket,
                root,
                info,
                default_sse: config.encryption.as_ref().and_then(Sse::of),
                defaults: config.options,
                storage_class: config.storage_class,
                part_size,
                concurrency: config.concurrency.unwrap_or(DEFAULT_CONCURRENCY).max(1),
                unsigned_payload,
            }),
        })
    }

    /// The SDK client, for calls rs-storage does not wrap.
    pub fn client(&self) -> &aws_sdk_s3::Client {
        &self.inner.client
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.inner.bucket
    }

    /// The object key of a path.
    pub(crate) fn key(&self, path: &ObjectPath) -> String {
        format!("{}{}", self.inner.root, path.as_str())
    }

    /// The path of an object key, if it lies below the root and is a normal path.
    pub(crate) fn path_of(&self, key: &str) -> Option<ObjectPath> {
        let relative = key.strip_prefix(&self.inner.root)?;
        match ObjectPath::from_backend(relative) {
            Ok(path) => Some(path),
            Err(_) => {
                tracing::warn!(key, "skipping a key that is not a normal path");
                None
            }
        }
    }

    /// The encryption a write uses: the request's, else the store's default.
    pub(crate) fn write_sse(&self, requested: Option<&Encryption>) -> Option<Sse> {
        requested
            .and_then(Sse::of)
            .or_else(|| self.inner.default_sse.clone())
    }

    /// The customer key a read of an SSE-C object must send, if any.
    pub(crate) fn read_sse_c(&self, requested: Option<&Encryption>) -> Option<SseC> {
        self.write_sse(requested)
            .and_then(|sse| sse.customer().cloned())
    }

    /// The S3-only options of a call over the store's defaults.
    pub(crate) fn s3_options(&self, extensions: &Extensions) -> S3Options {
        extensions
            .get::<S3Options>()
            .unwrap_or(&S3Options::default())
            .over(&self.inner.defaults)
    }
}

/// S3's own part limits.
pub(crate) const MIN_PART_SIZE: u64 = 5 << 20;
pub(crate) const MAX_PART_SIZE: u64 = 5 << 30;
pub(crate) const MAX_PARTS: u32 = 10_000;

fn capability() -> Capability {
    let conditional = [Pair::IfMatch, Pair::IfNoneMatch];
    let stored = [
        Pair::ContentType,
        Pair::ContentEncoding,
        Pair::CacheControl,
        Pair::ContentDisposition,
        Pair::UserMetadata,
        Pair::StorageClass,
    ];
    let every_encryption = [
        Pair::EncryptionServiceManaged,
        Pair::EncryptionKms,
        Pair::EncryptionCustomerKey,
    ];
    let customer_key = [Pair::EncryptionCustomerKey];
    let checksums = [Pair::ContentMd5, Pair::Crc32c];
    let limits = Limits::none()
        .with_parts(Some(MIN_PART_SIZE), Some(MAX_PART_SIZE), MAX_PARTS)
        .with_object_sizes(Some(MAX_PART_SIZE), Some(5 << 40))
        .with_max_page_size(1000);
    Capability::new()
        .with_feature(Feature::Multipart)
        .with_feature(Feature::UploadListing)
        .with_feature(Feature::Copy)
        .with_feature(Feature::Rename)
        .with_feature(Feature::Presign)
        .with_feature(Feature::CreateDir)
        .with_feature(Feature::Buckets)
        .with_pairs(Operation::Stat, &conditional)
        .with_pairs(Operation::Stat, &[Pair::Version])
        .with_pairs(Operation::Stat, &customer_key)
        .with_pairs(Operation::Read, &conditional)
        .with_pairs(Operation::Read, &[Pair::Range, Pair::Version])
        .with_pairs(Operation::Read, &[Pair::PartSize, Pair::Concurrency])
        .with_pairs(Operation::Read, &customer_key)
        .with_pairs(Operation::Write, &stored)
        .with_pairs(Operation::Write, &conditional)
        .with_pairs(Operation::Write, &every_encryption)
        .with_pairs(Operation::Write, &checksums)
        .with_pairs(Operation::Write, &[Pair::PartSize, Pair::Concurrency])
        .with_pairs(Operation::Delete, &[Pair::Version])
        .with_pairs(Operation::List, &[Pair::PageSize, Pair::StartAfter])
        .with_pairs(Operation::CreateMultipart, &stored)
        .with_pairs(Operation::CreateMultipart, &every_encryption)
        .with_pairs(Operation::UploadPart, &customer_key)
        .with_pairs(Operation::UploadPart, &checksums)
        .with_pairs(Operation::CompleteMultipart, &[Pair::IfNoneMatch])
        .with_pairs(Operation::CompleteMultipart, &customer_key)
        .with_pairs(Operation::Copy, &[Pair::IfNoneMatch])
        .with_pairs(Operation::Copy, &every_encryption)
        .with_pairs(Operation::Rename, &[Pair::IfNoneMatch])
        .with_pairs(Operation::Rename, &every_encryption)
        .with_pairs(Operation::Presign, &[Pair::ContentType])
        .with_limits(limits)
}

fn no_append() -> Error {
    Error::unsupported("S3 has no appendable objects (S3 Express One Zone is not wrapped yet)")
}

#[async_trait]
impl Backend for S3Storage {
    fn info(&self) -> &StorageInfo {
        &self.inner.info
    }

    async fn stat(&self, path: &ObjectPath, opts: StatOptions) -> Result<Metadata> {
        reader::stat(self, path, opts).await
    }

    async fn read(&self, path: &ObjectPath, opts: ReadOptions) -> Result<Reader> {
        if storage_types::backend::reads_in_parts(&opts) {
            return storage_types::backend::read_in_parts_of(self, path, opts).await;
        }
        reader::read(self, path, opts).await
    }

    async fn write(&self, path: &ObjectPath, body: Body, opts: WriteOptions) -> Result<Metadata> {
        writer::write(self, path, body, opts).await
    }

    async fn delete(&self, path: &ObjectPath, opts: DeleteOptions) -> Result<()> {
        bucket::delete(self, path, opts).await
    }

    async fn delete_many(&self, paths: &[ObjectPath]) -> Result<()> {
        bucket::delete_many(self, paths).await
    }

    async fn list(&self, dir: &ObjectPath, opts: ListOptions) -> Result<Lister> {
        Ok(lister::list(self.clone(), dir, opts))
    }

    async fn create_multipart(
        &self,
        path: &ObjectPath,
        opts: WriteOptions,
    ) -> Result<MultipartUpload> {
        multipart::create(self, path, &opts).await
    }

    async fn upload_part(
        &self,
        upload: &MultipartUpload,
        number: u32,
        body: Body,
        opts: PartOptions,
    ) -> Result<Part> {
        multipart::upload_part(self, upload, number, body, opts).await
    }

    async fn complete_multipart(
        &self,
        upload: &MultipartUpload,
        parts: &[Part],
        opts: CompleteOptions,
    ) -> Result<Metadata> {
        multipart::complete(self, upload, parts, opts).await
    }

    async fn abort_multipart(&self, upload: &MultipartUpload) -> Result<()> {
        multipart::abort(self, upload).await
    }

    async fn list_parts(&self, upload: &MultipartUpload) -> Result<Vec<Part>> {
        multipart::list_parts(self, upload).await
    }

    async fn list_multipart_uploads(&self, dir: &ObjectPath) -> Result<Vec<MultipartUpload>> {
        multipart::list_uploads(self, dir).await
    }

    async fn create_append(&self, _path: &ObjectPath, _opts: WriteOptions) -> Result<Metadata> {
        Err(no_append())
    }

    async fn append(
        &self,
        _path: &ObjectPath,
        _offset: u64,
        _body: Body,
        _opts: PartOptions,
    ) -> Result<u64> {
        Err(no_append())
    }

    async fn commit_append(&self, _path: &ObjectPath) -> Result<Metadata> {
        Err(no_append())
    }

    async fn copy(&self, from: &ObjectPath, to: &ObjectPath, opts: CopyOptions) -> Result<()> {
        copy::copy(self, from, to, &opts).await
    }

    async fn rename(&self, from: &ObjectPath, to: &ObjectPath, opts: CopyOptions) -> Result<()> {
        copy::copy(self, from, to, &opts).await?;
        bucket::delete(self, from, DeleteOptions::default()).await
    }

    async fn presign(
        &self,
        method: PresignMethod,
        path: &ObjectPath,
        expires: Duration,
        opts: PresignOptions,
    ) -> Result<PresignedRequest> {
        presign::presign(self, method, path, expires, opts).await
    }

    async fn create_dir(&self, dir: &ObjectPath) -> Result<()> {
        bucket::create_dir(self, dir).await
    }

    async fn create_bucket(&self, name: &str, opts: BucketOptions) -> Result<()> {
        bucket::create_bucket(self, name, opts).await
    }

    async fn delete_bucket(&self, name: &str) -> Result<()> {
        bucket::delete_bucket(self, name).await
    }

    async fn list_buckets(&self) -> Result<Vec<String>> {
        bucket::list_buckets(self).await
    }
}
