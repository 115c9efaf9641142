//! [`S3Storage`]: the store, how an [`S3Builder`] builds it, and its `Backend` implementation.
//! Each operation is an `S3Storage` method written in its own module (reader, writer, lister,
//! delete, multipart, copy, presign, bucket); this file names none of those modules.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{Credentials, Region, RequestChecksumCalculation};
use storage_types::backend::{Backend, read_in_parts_of, reads_in_parts};
use storage_types::{
    Body, BucketOptions, Capability, CompleteOptions, CopyOptions, DeleteOptions, Encryption,
    Error, Extensions, ListOptions, Lister, Metadata, MultipartUpload, ObjectPath, Part,
    PartOptions, PresignMethod, PresignOptions, PresignedRequest, ReadOptions, Reader, Result,
    StatOptions, StorageInfo, WriteOptions,
};

use crate::capability::{DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE, MIN_PART_SIZE, capability};
use crate::compat::CollapseRepeatedHeaders;
use crate::config::{ChecksumMode, S3Builder, S3Options};
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
    /// builds the store.
    pub async fn build(self) -> Result<S3Storage> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = &self.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(profile) = &self.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(endpoint) = &self.endpoint {
            loader = loader.endpoint_url(endpoint);
        }
        if self.anonymous {
            loader = loader.no_credentials();
        } else if let (Some(ak), Some(sk)) = (&self.access_key, &self.secret_key) {
            let creds = Credentials::new(ak, sk, self.session_token.clone(), None, "rs-storage");
            loader = loader.credentials_provider(creds);
        }
        if let Some(attempts) = self.max_attempts {
            loader = loader.retry_config(RetryConfig::standard().with_max_attempts(attempts));
        }
        if self.timeout.is_some() || self.attempt_timeout.is_some() {
            let mut timeouts = TimeoutConfig::builder();
            timeouts
                .set_operation_timeout(self.timeout)
                .set_operation_attempt_timeout(self.attempt_timeout);
            loader = loader.timeout_config(timeouts.build());
        }
        let shared = loader.load().await;
        let over_tls = shared
            .endpoint_url()
            .is_none_or(|url| url.to_ascii_lowercase().starts_with("https://"));
        let mut config = aws_sdk_s3::config::Builder::from(&shared);
        if shared.region().is_none() {
            config = config.region(Region::new("us-east-1"));
        }
        if let Some(role_arn) = &self.role_arn {
            let mut role = aws_config::sts::AssumeRoleProvider::builder(role_arn)
                .session_name("rs-storage")
                .configure(&shared);
            if let Some(external_id) = &self.external_id {
                role = role.external_id(external_id);
            }
            config = config.credentials_provider(role.build().await);
        }
        let checksum = match self.checksum {
            ChecksumMode::WhenSupported => RequestChecksumCalculation::WhenSupported,
            ChecksumMode::WhenRequired => RequestChecksumCalculation::WhenRequired,
        };
        // Only S3-compatible stores need the fix for repeated headers; every interceptor costs
        // each request about 1% of its client CPU, so AWS itself goes without.
        if self.endpoint.is_some() {
            config = config.interceptor(CollapseRepeatedHeaders);
        }
        let config = config
            .force_path_style(self.force_path_style)
            .request_checksum_calculation(checksum)
            .build();
        let builder = S3Builder {
            over_tls: Some(over_tls),
            ..self
        };
        builder.build_with_client(aws_sdk_s3::Client::from_conf(config))
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
