//! [`GcsStorage`]: the store, how a [`GcsBuilder`] builds it, and its `Backend`
//! implementation, which calls the methods each operation module adds to the store (this
//! module names none of them: they depend on it, never the reverse).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use google_cloud_auth::credentials::Credentials;
use google_cloud_auth::signer::Signer;
use google_cloud_storage::client::{Storage, StorageControl};
use storage_types::backend::Backend;
use storage_types::{
    Body, BucketOptions, Capability, CompleteOptions, CopyOptions, DeleteOptions, Encryption,
    Error, ListOptions, Lister, Metadata, MultipartUpload, ObjectPath, Part, PartOptions,
    PresignMethod, PresignOptions, PresignedRequest, ReadOptions, Reader, Result, StatOptions,
    StorageInfo, WriteOptions,
};

use crate::capability::{
    CHUNK_QUANTUM, DEFAULT_CONNECT_TIMEOUT, DEFAULT_PART_SIZE, DEFAULT_SINGLE_UPLOAD_LIMIT,
    capability,
};
use crate::config::GcsBuilder;
use crate::control::{Control, Recipe};
use crate::encryption::GcsEncryption;
use crate::retry::Retry;
use crate::{credentials, deadline};

/// A store on one GCS bucket, below an optional prefix.
///
/// Cheap to clone. [`client`](GcsStorage::client) and [`control`](GcsStorage::control) hand
/// back the SDK's clients.
#[derive(Clone)]
pub struct GcsStorage {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) storage: Storage,
    pub(crate) control: Control,
    pub(crate) bucket: String,
    /// `projects/_/buckets/<bucket>`, as the SDK names buckets.
    pub(crate) bucket_path: String,
    /// The object-name prefix, empty or ending with `/`.
    pub(crate) root: String,
    pub(crate) endpoint: Option<String>,
    pub(crate) project_id: Option<String>,
    pub(crate) signer: Option<Signer>,
    pub(crate) info: StorageInfo,
    pub(crate) default_encryption: Option<Encryption>,
    pub(crate) storage_class: Option<String>,
    pub(crate) predefined_acl: Option<String>,
    pub(crate) chunk_size: u64,
    pub(crate) single_upload_limit: u64,
    /// The store's `timeout`, applied to every call that is one request.
    pub(crate) timeout: Option<Duration>,
    /// The store's retry settings, for requests that need a policy of their own.
    pub(crate) retry: Retry,
    /// The credentials the clients were built with, for the requests the streamed upload
    /// sends itself (see `resumable`).
    pub(crate) credentials: Credentials,
    /// The HTTP client of those requests.
    pub(crate) http: reqwest::Client,
}

impl fmt::Debug for GcsStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GcsStorage")
            .field("bucket", &self.inner.bucket)
            .field("root", &self.inner.root)
            .field("endpoint", &self.inner.endpoint)
            .field("signer", &self.inner.signer.is_some())
            .finish_non_exhaustive()
    }
}

impl GcsStorage {
    /// What this backend declares under each kind of credential, fullest first: signed URLs
    /// need a signer (a service-account key, or Application Default Credentials that can ask
    /// the IAM API to sign). A store's [`StorageInfo`] carries the one that
    /// matches its configuration; `cargo xtask docs` renders docs/compatibility.md from these.
    pub fn declared_capabilities() -> Vec<(&'static str, Capability)> {
        vec![
            (
                "credentials that can sign (a service-account key; ADC on Google Cloud)",
                capability(true),
            ),
            (
                "credentials that cannot sign (anonymous, user credentials)",
                capability(false),
            ),
        ]
    }

    /// A builder; see [`GcsBuilder`].
    pub fn builder(bucket: impl Into<String>) -> GcsBuilder {
        GcsBuilder::new(bucket)
    }

    pub(crate) async fn new(config: GcsBuilder) -> Result<Self> {
        let emulator = std::env::var(crate::config::EMULATOR_HOST_VARIABLE).ok();
        let config = config.with_emulator_host(emulator);
        if config.bucket.is_empty() {
            return Err(Error::invalid_input("a GCS store needs a bucket name"));
        }
        let root = ObjectPath::parse_dir(&config.root)?.as_str().to_owned();
        let chunk_size = config.chunk_size.unwrap_or(DEFAULT_PART_SIZE);
        // The SDK sends resumable chunks in multiples of 256 KiB.
        if chunk_size == 0 || !chunk_size.is_multiple_of(CHUNK_QUANTUM) {
            return Err(Error::invalid_input(format!(
                "chunk_size must be a positive multiple of 256 KiB, not {chunk_size} bytes"
            )));
        }
        let single_upload_limit = config
            .single_upload_limit
            .unwrap_or(DEFAULT_SINGLE_UPLOAD_LIMIT);
        let creds = credentials::resolve(&config.credentials).await?;
        let mut storage = Storage::builder()
            .with_credentials(creds.credentials.clone())
            .with_resumable_upload_threshold(
                usize::try_from(single_upload_limit).unwrap_or(usize::MAX),
            )
            .with_resumable_upload_buffer_size(usize::try_from(chunk_size).unwrap_or(usize::MAX));
        let retry = Retry {
            retries: config.max_retries,
            timeout: config.timeout,
            connect_timeout: config.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            attempt_timeout: config.attempt_timeout,
        };
        storage = storage.with_retry_policy(retry.policy());
        // No redirects and no decompression, as the SDK's client for uploads.
        let http = reqwest::Client::builder()
            .connect_timeout(retry.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .gzip(false)
            .deflate(false)
            .build()
            .map_err(|err| {
                Error::invalid_input("cannot create the HTTP client").with_source(err)
            })?;

        if let Some(endpoint) = &config.endpoint {
            storage = storage.with_endpoint(endpoint.clone());
        }
        let storage = storage.build().await.map_err(client_error)?;
        let control = Control::new(Recipe {
            credentials: creds.credentials.clone(),
            endpoint: config.endpoint.clone(),
            retry,
        })
        .await?;
        let capability = capability(creds.signer.is_some());
        let info = StorageInfo::new(crate::SCHEME, config.bucket.clone(), capability)
            .with_root(root.clone())
            .with_loose(config.loose);
        Ok(GcsStorage {
            inner: Arc::new(Inner {
                storage,
                control,
                bucket_path: format!("projects/_/buckets/{}", config.bucket),
                bucket: config.bucket,
                root,
                endpoint: config.endpoint,
                project_id: config.project_id,
                signer: creds.signer,
                info,
                default_encryption: config.encryption,
                storage_class: config.storage_class,
                predefined_acl: config.predefined_acl,
                chunk_size,
                single_upload_limit,
                timeout: config.timeout,
                retry,
                credentials: creds.credentials,
                http,
            }),
        })
    }

    /// `call` under the store's timeout.
    async fn within<T>(&self, call: impl std::future::Future<Output = Result<T>>) -> Result<T> {
        deadline::within(self.inner.timeout, call).await
    }

    /// The SDK's data-plane client (object reads and writes over the JSON API).
    pub fn client(&self) -> &Storage {
        &self.inner.storage
    }

    /// The SDK's control-plane client (metadata, listing, copies, buckets over gRPC). The
    /// store replaces its client after a request stalled (a new client dials a new
    /// connection), so this is the current one.
    pub fn control(&self) -> StorageControl {
        self.inner.control.client().0
    }

    /// The bucket, as `projects/_/buckets/<name>`.
    pub(crate) fn bucket_path(&self) -> &str {
        &self.inner.bucket_path
    }

    /// The object name of a path.
    pub(crate) fn object_name(&self, path: &ObjectPath) -> String {
        format!("{}{}", self.inner.root, path.as_str())
    }

    /// The path of an object name, if it lies below the root and is a normal path.
    pub(crate) fn path_of(&self, name: &str) -> Option<ObjectPath> {
        let relative = name.strip_prefix(&self.inner.root)?;
        ObjectPath::from_backend(relative).ok()
    }

    /// The encryption of a request: its own, else the store's default.
    pub(crate) fn encryption(&self, requested: Option<&Encryption>) -> Result<GcsEncryption> {
        GcsEncryption::of(requested.or(self.inner.default_encryption.as_ref()))
    }
}

impl GcsBuilder {
    /// Builds the store: creates the SDK's clients (no request is sent yet). As Google's
    /// client libraries do, `STORAGE_EMULATOR_HOST` (`host:port`) names an emulator to use
    /// without credentials unless an endpoint is set. With Application Default Credentials
    /// and no source for them (no `GOOGLE_APPLICATION_CREDENTIALS`, no gcloud file, no
    /// metadata server, which is asked for at most a second), the error is `Unauthenticated`
    /// and names the ways to give credentials.
    pub async fn build(self) -> Result<GcsStorage> {
        GcsStorage::new(self).await
    }
}

fn client_error(err: google_cloud_gax::client_builder::Error) -> Error {
    Error::invalid_input("cannot create the GCS client").with_source(err.to_string())
}

#[async_trait]
impl Backend for GcsStorage {
    fn info(&self) -> &StorageInfo {
        &self.inner.info
    }

    async fn stat(&self, path: &ObjectPath, opts: StatOptions) -> Result<Metadata> {
        self.within(self.stat_object(path, opts)).await
    }

    async fn read(&self, path: &ObjectPath, opts: ReadOptions) -> Result<Reader> {
        if storage_types::backend::reads_in_parts(&opts) {
            return storage_types::backend::read_in_parts_of(self, path, opts).await;
        }
        self.within(self.read_object(path, opts)).await
    }

    async fn write(&self, path: &ObjectPath, body: Body, opts: WriteOptions) -> Result<Metadata> {
        let single_shot = body
            .size()
            .is_some_and(|size| size <= self.inner.single_upload_limit);
        let name = self.object_name(path);
        // A body sent as one request is bounded whole; a resumable upload, which no single
        // limit fits, only while it makes no progress.
        if single_shot {
            self.within(self.write_object(&name, body, opts)).await
        } else {
            deadline::while_progressing(self.inner.timeout, body, |body| {
                self.write_object(&name, body, opts)
            })
            .await
        }
    }

    async fn delete(&self, path: &ObjectPath, opts: DeleteOptions) -> Result<()> {
        self.within(self.delete_path(path, opts.version.as_deref()))
            .await
    }

    async fn delete_many(&self, paths: &[ObjectPath]) -> Result<()> {
        self.delete_paths(paths).await
    }

    async fn list(&self, dir: &ObjectPath, opts: ListOptions) -> Result<Lister> {
        Ok(self.list_entries(dir, opts, false))
    }

    async fn create_multipart(
        &self,
        path: &ObjectPath,
        opts: WriteOptions,
    ) -> Result<MultipartUpload> {
        self.create_upload(path, opts).await
    }

    async fn upload_part(
        &self,
        upload: &MultipartUpload,
        number: u32,
        body: Body,
        opts: PartOptions,
    ) -> Result<Part> {
        self.upload_staged_part(upload, number, body, opts).await
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
        self.list_uploads_below(dir).await
    }

    async fn create_append(&self, path: &ObjectPath, opts: WriteOptions) -> Result<Metadata> {
        self.create_appendable(path, opts).await
    }

    async fn append(
        &self,
        path: &ObjectPath,
        offset: u64,
        body: Body,
        opts: PartOptions,
    ) -> Result<u64> {
        self.append_at(path, offset, body, opts).await
    }

    async fn commit_append(&self, path: &ObjectPath) -> Result<Metadata> {
        self.commit_appended(path).await
    }

    async fn copy(&self, from: &ObjectPath, to: &ObjectPath, opts: CopyOptions) -> Result<()> {
        self.copy_object(from, to, &opts).await
    }

    async fn rename(&self, from: &ObjectPath, to: &ObjectPath, opts: CopyOptions) -> Result<()> {
        self.rename_object(from, to, &opts).await
    }

    async fn presign(
        &self,
        method: PresignMethod,
        path: &ObjectPath,
        expires: Duration,
        opts: PresignOptions,
    ) -> Result<PresignedRequest> {
        self.sign_url(method, path, expires, opts).await
    }

    async fn create_dir(&self, dir: &ObjectPath) -> Result<()> {
        self.create_dir_marker(dir).await
    }

    async fn create_bucket(&self, name: &str, _opts: BucketOptions) -> Result<()> {
        self.create_named_bucket(name).await
    }

    async fn delete_bucket(&self, name: &str) -> Result<()> {
        self.delete_named_bucket(name).await
    }

    async fn list_buckets(&self) -> Result<Vec<String>> {
        self.bucket_names().await
    }
}
