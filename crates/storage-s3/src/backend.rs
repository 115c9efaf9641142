//! [`S3Storage`]: the store, how an [`S3Builder`] builds it, and its `Backend` implementation.
//! Each operation is an `S3Storage` method written in its own module (reader, writer, lister,
//! delete, multipart, copy, presign, bucket); this file names none of those modules.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use storage_types::backend::{Backend, read_in_parts_of, reads_in_parts};
use storage_types::{
    Body, BucketOptions, Capability, CompleteOptions, CopyOptions, DeleteOptions, Encryption,
    Error, Extensions, ListOptions, Lister, Metadata, MultipartUpload, ObjectPath, Part,
    PartOptions, PresignMethod, PresignOptions, PresignedRequest, ReadOptions, Reader, Result,
    StatOptions, StorageInfo, WriteOptions,
};

use crate::capability::{DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE, MIN_PART_SIZE, capability};
use crate::config::{S3Builder, S3Options};
use crate::encryption::{Sse, SseC};

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
    /// Ask the bucket for its region before the first request: the endpoint (empty for
    /// Amazon's) that regions learnt are kept under, when the store should ask.
    detect_region: Option<String>,
    /// The client for the bucket's own region, once asked.
    in_region: tokio::sync::OnceCell<aws_sdk_s3::Client>,
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

impl S3Builder {
    /// Loads the SDK configuration (the default chain, overridden by what was set here) and
    /// builds the store. Nothing is sent yet: a store whose region nobody gave (no `region`,
    /// no `AWS_REGION`, no profile) asks the bucket for it on its first request.
    pub async fn build(self) -> Result<S3Storage> {
        self.check_provider()?;
        let built = crate::client::sdk_client(&self).await;
        let builder = S3Builder {
            over_tls: Some(built.over_tls),
            detect_region: built.detect_region,
            ..self
        };
        builder.build_with_client(built.client)
    }

    /// Builds the store on an existing SDK client (whose own configuration then applies:
    /// endpoint, credentials, retries, checksums). Upload bodies stay signed unless
    /// [`payload_signing`](Self::payload_signing) says otherwise, since the client's endpoint
    /// is not visible here.
    pub fn build_with_client(self, client: aws_sdk_s3::Client) -> Result<S3Storage> {
        S3Storage::new(client, self)
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

    /// The store a builder describes, on `client`.
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
                detect_region: config
                    .detect_region
                    .then(|| config.endpoint.clone().unwrap_or_default()),
                in_region: tokio::sync::OnceCell::new(),
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

    /// The SDK client, for calls rs-storage does not wrap (once the store has learnt its
    /// bucket's region, the client for that region).
    pub fn client(&self) -> &aws_sdk_s3::Client {
        self.inner.in_region.get().unwrap_or(&self.inner.client)
    }

    /// The client every operation sends with: for a store that was given no region, the one
    /// for the bucket's own region, asked for once (see `region.rs`).
    pub(crate) async fn s3(&self) -> &aws_sdk_s3::Client {
        let Some(endpoint) = &self.inner.detect_region else {
            return &self.inner.client;
        };
        let inner = &self.inner;
        inner
            .in_region
            .get_or_init(|| {
                crate::region::client_for_bucket(&inner.client, endpoint, &inner.bucket)
            })
            .await
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

fn no_append() -> Error {
    Error::unsupported("S3 has no appendable objects (S3 Express One Zone is not wrapped yet)")
}

#[async_trait]
impl Backend for S3Storage {
    fn info(&self) -> &StorageInfo {
        &self.inner.info
    }

    async fn stat(&self, path: &ObjectPath, opts: StatOptions) -> Result<Metadata> {
        self.stat_object(path, opts).await
    }

    async fn read(&self, path: &ObjectPath, opts: ReadOptions) -> Result<Reader> {
        if reads_in_parts(&opts) {
            return read_in_parts_of(self, path, opts).await;
        }
        self.read_object(path, opts).await
    }

    async fn write(&self, path: &ObjectPath, body: Body, opts: WriteOptions) -> Result<Metadata> {
        self.write_object(path, body, opts).await
    }

    async fn delete(&self, path: &ObjectPath, opts: DeleteOptions) -> Result<()> {
        self.delete_object(path, opts).await
    }

    async fn delete_many(&self, paths: &[ObjectPath]) -> Result<()> {
        self.delete_objects(paths).await
    }

    async fn list(&self, dir: &ObjectPath, opts: ListOptions) -> Result<Lister> {
        Ok(self.list_objects(dir, opts))
    }

    async fn create_multipart(
        &self,
        path: &ObjectPath,
        opts: WriteOptions,
    ) -> Result<MultipartUpload> {
        self.create_upload(path, &opts).await
    }

    async fn upload_part(
        &self,
        upload: &MultipartUpload,
        number: u32,
        body: Body,
        opts: PartOptions,
    ) -> Result<Part> {
        self.upload_one_part(upload, number, body, opts).await
    }

    async fn complete_multipart(
        &self,
        upload: &MultipartUpload,
        parts: &[Part],
        opts: CompleteOptions,
    ) -> Result<Metadata> {
        self.complete_upload(upload, parts, opts).await
    }

    async fn abort_multipart(&self, upload: &MultipartUpload) -> Result<()> {
        self.abort_upload(upload).await
    }

    async fn list_parts(&self, upload: &MultipartUpload) -> Result<Vec<Part>> {
        self.list_upload_parts(upload).await
    }

    async fn list_multipart_uploads(&self, dir: &ObjectPath) -> Result<Vec<MultipartUpload>> {
        self.list_uploads(dir).await
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
        self.copy_object(from, to, &opts).await
    }

    async fn rename(&self, from: &ObjectPath, to: &ObjectPath, opts: CopyOptions) -> Result<()> {
        self.copy_object(from, to, &opts).await?;
        self.delete_object(from, DeleteOptions::default()).await
    }

    async fn presign(
        &self,
        method: PresignMethod,
        path: &ObjectPath,
        expires: Duration,
        opts: PresignOptions,
    ) -> Result<PresignedRequest> {
        self.presign_request(method, path, expires, opts).await
    }

    async fn create_dir(&self, dir: &ObjectPath) -> Result<()> {
        self.create_dir_marker(dir).await
    }

    async fn create_bucket(&self, name: &str, opts: BucketOptions) -> Result<()> {
        self.create_named_bucket(name, opts).await
    }

    async fn delete_bucket(&self, name: &str) -> Result<()> {
        self.delete_named_bucket(name).await
    }

    async fn list_buckets(&self) -> Result<Vec<String>> {
        self.list_bucket_names().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn payloads_are_unsigned_over_tls_only_by_default() {
        async fn unsigned(endpoint: &str, setting: Option<bool>) -> bool {
            let mut b = S3Builder::new("b")
                .endpoint(endpoint)
                .region("us-east-1")
                .credentials("AK", "SK", None);
            if let Some(on) = setting {
                b = b.payload_signing(on);
            }
            b.build().await.unwrap().inner.unsigned_payload
        }
        assert!(unsigned("https://s3.example.com", None).await);
        assert!(!unsigned("http://127.0.0.1:9000", None).await);
        assert!(unsigned("http://127.0.0.1:9000", Some(false)).await);
        assert!(!unsigned("https://s3.example.com", Some(true)).await);
    }
}
