//! [`AzBlobStorage`]: the `Backend` implementation, mapping each operation to the SDK calls in
//! the per-operation modules.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use azure_core::http::policies::Policy;
use azure_core::http::{ClientOptions, ExponentialRetryOptions, RetryOptions, Url};
use azure_storage_blob::models::AccessTier;
use azure_storage_blob::{BlobContainerClient, BlobServiceClient, BlobServiceClientOptions};
use storage_types::backend::Backend;
use storage_types::{
    Body, BucketOptions, Capability, CompleteOptions, CopyOptions, DeleteOptions, Encryption,
    Error, Feature, Limits, ListOptions, Lister, Metadata, MultipartUpload, ObjectPath, Operation,
    Pair, Part, PartOptions, PresignMethod, PresignOptions, PresignedRequest, ReadOptions, Reader,
    Result, StatOptions, StorageInfo, WriteOptions,
};

use crate::config::{AzBlobBuilder, DEFAULT_BLOCK_SIZE, DEFAULT_CONCURRENCY};
use crate::cpk::AzureEncryption;
use crate::delimiter::DelimiterPolicy;
use crate::shared_key::{AccountKey, SharedKeyPolicy};
use crate::{append, bucket, copy, lister, multipart, presign, reader, writer};

/// A store on one Azure Blob container, below an optional prefix.
///
/// Cheap to clone. [`client`](AzBlobStorage::client) hands back the SDK's container client.
#[derive(Clone)]
pub struct AzBlobStorage {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) service: BlobServiceClient,
    pub(crate) container: BlobContainerClient,
    pub(crate) container_name: String,
    /// The blob-name prefix, empty or ending with `/`.
    pub(crate) root: String,
    pub(crate) key: Option<Arc<AccountKey>>,
    pub(crate) sas_token: Option<String>,
    pub(crate) info: StorageInfo,
    pub(crate) default_encryption: Option<Encryption>,
    pub(crate) tier: Option<AccessTier>,
    pub(crate) block_size: u64,
    pub(crate) concurrency: usize,
    /// Whether the endpoint is reached over TLS, which already guards every byte in transit.
    pub(crate) over_tls: bool,
}

impl fmt::Debug for AzBlobStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzBlobStorage")
            .field("container", &self.inner.container_name)
            .field("root", &self.inner.root)
            .field("shared_key", &self.inner.key.is_some())
            .field("sas", &self.inner.sas_token.is_some())
            .finish_non_exhaustive()
    }
}

impl AzBlobStorage {
    /// What this backend declares under each kind of credential, fullest first: signed URLs
    /// need the account key; bucket (container) management is off under any SAS token. A
    /// store's [`StorageInfo`] carries the one that matches its configuration; `cargo xtask
    /// docs` renders docs/compatibility.md from these.
    pub fn declared_capabilities() -> Vec<(&'static str, Capability)> {
        vec![
            (
                "an account key (or a connection string with one)",
                capability(true, true),
            ),
            (
                "a token credential (Microsoft Entra ID)",
                capability(false, true),
            ),
            ("a SAS token", capability(false, false)),
        ]
    }

    /// A builder; see [`AzBlobBuilder`].
    pub fn builder(container: impl Into<String>) -> AzBlobBuilder {
        AzBlobBuilder::new(container)
    }

    pub(crate) fn new(config: AzBlobBuilder) -> Result<Self> {
        if config.container.is_empty() {
            return Err(Error::invalid_input(
                "an Azure Blob store needs a container name",
            ));
        }
        let root = ObjectPath::parse_dir(&config.root)?.as_str().to_owned();
        let endpoint = match (&config.endpoint, &config.account) {
            (Some(endpoint), _) => endpoint.clone(),
            (None, Some(account)) => format!("https://{account}.blob.core.windows.net"),
            (None, None) => {
                return Err(Error::invalid_input(
                    "an Azure Blob store needs an account name or an endpoint",
                ));
            }
        };
        let over_tls = endpoint.to_ascii_lowercase().starts_with("https://");
        let account = match &config.account {
            Some(account) => account.clone(),
            // `https://<account>.blob...` or an emulator's `http://host:port/<account>`.
            None => account_of(&endpoint).ok_or_else(|| {
                Error::invalid_input("cannot tell the account name from the endpoint; set it")
            })?,
        };
        let key = match &config.account_key {
            Some(key) => Some(Arc::new(AccountKey::new(&account, key)?)),
            None => None,
        };
        let mut per_try: Vec<Arc<dyn Policy>> = Vec::new();
        if let Some(key) = &key {
            per_try.push(Arc::new(SharedKeyPolicy {
                key: Arc::clone(key),
            }));
        }
        let retry = RetryOptions::exponential(ExponentialRetryOptions {
            max_retries: config.max_retries.unwrap_or(3),
            ..Default::default()
        });
        let options = BlobServiceClientOptions {
            client_options: ClientOptions {
                per_call_policies: vec![Arc::new(DelimiterPolicy)],
                per_try_policies: per_try,
                retry,
                transport: match (&config.transport, config.timeout) {
                    (Some(transport), _) => Some(transport.clone()),
                    (None, Some(timeout)) => Some(crate::transport::with_timeout(timeout)?),
                    (None, None) => None,
                },
                ..Default::default()
            },
            ..Default::default()
        };
        let mut url = Url::parse(&endpoint)
            .map_err(|err| Error::invalid_input(format!("bad endpoint {endpoint:?}: {err}")))?;
        if let Some(sas) = &config.sas_token {
            url.set_query(Some(sas));
        }
        let service = BlobServiceClient::new(url, config.credential.clone(), Some(options))
            .map_err(crate::error::map_error)?;
        let container = service.blob_container_client(&config.container);
        let tier = match &config.access_tier {
            Some(tier) => Some(tier.parse::<AccessTier>().map_err(|_| {
                Error::invalid_input(format!(
                    "unknown access tier `{tier}` (Hot, Cool, Cold, Archive)"
                ))
            })?),
            None => None,
        };
        let capability = capability(key.is_some(), config.sas_token.is_none());
        let info = StorageInfo::new(crate::SCHEME, config.container.clone(), capability)
            .with_root(root.clone())
            .with_loose(config.loose);
        Ok(AzBlobStorage {
            inner: Arc::new(Inner {
                service,
                container,
                container_name: config.container,
                root,
                key,
                sas_token: config.sas_token,
                info,
                default_encryption: config.encryption,
                tier,
                block_size: config.block_size.unwrap_or(DEFAULT_BLOCK_SIZE).max(1),
                concurrency: config.concurrency.unwrap_or(DEFAULT_CONCURRENCY).max(1),
                over_tls,
            }),
        })
    }

    /// The SDK's container client, for calls rs-storage does not wrap.
    pub fn client(&self) -> &BlobContainerClient {
        &self.inner.container
    }

    /// The SDK's service client (containers of the account).
    pub fn service_client(&self) -> &BlobServiceClient {
        &self.inner.service
    }

    /// The blob name of a path.
    pub(crate) fn blob_name(&self, path: &ObjectPath) -> String {
        format!("{}{}", self.inner.root, path.as_str())
    }

    /// The path of a blob name, if it lies below the root and is a normal path.
    pub(crate) fn path_of(&self, name: &str) -> Option<ObjectPath> {
        let relative = name.strip_prefix(&self.inner.root)?;
        ObjectPath::from_backend(relative).ok()
    }

    /// The encryption of a request: its own, else the store's default.
    pub(crate) fn encryption(&self, requested: Option<&Encryption>) -> AzureEncryption {
        AzureEncryption::of(requested.or(self.inner.default_encryption.as_ref()))
    }
}

/// `devstoreaccount1` from `http://127.0.0.1:10000/devstoreaccount1`, `acct` from
/// `https://acct.blob.core.windows.net`.
fn account_of(endpoint: &str) -> Option<String> {
    let url = Url::parse(endpoint).ok()?;
    let host = url.host_str()?;
    if let Some((account, _)) = host.split_once(".blob.") {
        return Some(account.to_owned());
    }
    url.path_segments()?
        .find(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Azure's block limits (service version 2019-12-12 and later).
pub(crate) const MAX_BLOCK_SIZE: u64 = 4000 << 20;
pub(crate) const MAX_BLOCKS: u32 = 50_000;

/// What this backend supports. Signed URLs need the account key; bucket (container) management
/// is off under any SAS token, which rarely grants it.
fn capability(has_key: bool, not_sas_only: bool) -> Capability {
    let conditional = [Pair::IfMatch, Pair::IfNoneMatch];
    let stored = [
        Pair::ContentType,
        Pair::ContentEncoding,
        Pair::CacheControl,
        Pair::ContentDisposition,
        Pair::UserMetadata,
        Pair::StorageClass,
    ];
    let encryption = [
        Pair::EncryptionServiceManaged,
        Pair::EncryptionKms,
        Pair::EncryptionCustomerKey,
    ];
    let customer_key = [Pair::EncryptionCustomerKey];
    let limits = Limits::none()
        .with_parts(None, Some(MAX_BLOCK_SIZE), MAX_BLOCKS)
        .with_object_sizes(
            Some(5000 << 20),
            Some(MAX_BLOCK_SIZE * u64::from(MAX_BLOCKS)),
        )
        .with_max_page_size(5000);
    let mut cap = Capability::new()
        .with_feature(Feature::Multipart)
        .with_feature(Feature::Append)
        .with_feature(Feature::Copy)
        .with_feature(Feature::Rename)
        .with_feature(Feature::CreateDir)
        .with_pairs(Operation::Stat, &conditional)
        .with_pairs(Operation::Stat, &customer_key)
        .with_pairs(Operation::Read, &conditional)
        .with_pairs(Operation::Read, &[Pair::Range])
        .with_pairs(Operation::Read, &[Pair::PartSize, Pair::Concurrency])
        .with_pairs(Operation::Read, &customer_key)
        .with_pairs(Operation::Write, &stored)
        .with_pairs(Operation::Write, &conditional)
        .with_pairs(Operation::Write, &encryption)
        .with_pairs(Operation::Write, &[Pair::PartSize, Pair::Concurrency])
        .with_pairs(Operation::Write, &[Pair::ContentMd5, Pair::Crc32c])
        .with_pairs(Operation::List, &[Pair::PageSize, Pair::StartAfter])
        .with_pairs(Operation::CreateMultipart, &stored)
        .with_pairs(Operation::CreateMultipart, &encryption)
        .with_pairs(Operation::UploadPart, &customer_key)
        .with_pairs(Operation::UploadPart, &[Pair::ContentMd5, Pair::Crc32c])
        .with_pairs(Operation::CompleteMultipart, &[Pair::IfNoneMatch])
        .with_pairs(Operation::CompleteMultipart, &customer_key)
        // Append blobs have no access tier: every stored header but the storage class.
        .with_pairs(Operation::CreateAppend, &stored[..5])
        .with_pairs(Operation::CreateAppend, &encryption)
        .with_pairs(Operation::Append, &customer_key)
        .with_pairs(Operation::Append, &[Pair::ContentMd5, Pair::Crc32c])
        .with_pairs(Operation::Copy, &[Pair::IfNoneMatch])
        .with_pairs(Operation::Rename, &[Pair::IfNoneMatch])
        .with_limits(limits);
    if has_key {
        cap = cap
            .with_feature(Feature::Presign)
            .with_pairs(Operation::Presign, &[Pair::ContentType]);
    }
    if not_sas_only {
        cap = cap.with_feature(Feature::Buckets);
    }
    cap
}

fn no_upload_listing() -> Error {
    Error::unsupported("Azure cannot list block uploads in progress")
}

#[async_trait]
impl Backend for AzBlobStorage {
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

    async fn delete(&self, path: &ObjectPath, _opts: DeleteOptions) -> Result<()> {
        bucket::delete(self, path).await
    }

    async fn delete_many(&self, paths: &[ObjectPath]) -> Result<()> {
        storage_types::backend::delete_each(self, paths).await
    }

    async fn list(&self, dir: &ObjectPath, opts: ListOptions) -> Result<Lister> {
        Ok(lister::list(self.clone(), dir, opts))
    }

    async fn create_multipart(
        &self,
        path: &ObjectPath,
        opts: WriteOptions,
    ) -> Result<MultipartUpload> {
        multipart::create(path, &opts)
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

    async fn abort_multipart(&self, _upload: &MultipartUpload) -> Result<()> {
        // Uncommitted blocks are invisible and the service drops them after a week; there is
        // nothing to remove now.
        Ok(())
    }

    async fn list_parts(&self, upload: &MultipartUpload) -> Result<Vec<Part>> {
        multipart::list_parts(self, upload).await
    }

    async fn list_multipart_uploads(&self, _dir: &ObjectPath) -> Result<Vec<MultipartUpload>> {
        Err(no_upload_listing())
    }

    async fn create_append(&self, path: &ObjectPath, opts: WriteOptions) -> Result<Metadata> {
        append::create(self, path, &opts).await
    }

    async fn append(
        &self,
        path: &ObjectPath,
        offset: u64,
        body: Body,
        opts: PartOptions,
    ) -> Result<u64> {
        append::append(self, path, offset, body, opts).await
    }

    async fn commit_append(&self, path: &ObjectPath) -> Result<Metadata> {
        append::seal(self, path).await
    }

    async fn copy(&self, from: &ObjectPath, to: &ObjectPath, opts: CopyOptions) -> Result<()> {
        copy::copy(self, from, to, &opts).await
    }

    async fn rename(&self, from: &ObjectPath, to: &ObjectPath, opts: CopyOptions) -> Result<()> {
        copy::copy(self, from, to, &opts).await?;
        bucket::delete(self, from).await
    }

    async fn presign(
        &self,
        method: PresignMethod,
        path: &ObjectPath,
        expires: Duration,
        opts: PresignOptions,
    ) -> Result<PresignedRequest> {
        presign::presign(self, method, path, expires, opts)
    }

    async fn create_dir(&self, dir: &ObjectPath) -> Result<()> {
        bucket::create_dir(self, dir).await
    }

    async fn create_bucket(&self, name: &str, _opts: BucketOptions) -> Result<()> {
        bucket::create_container(self, name).await
    }

    async fn delete_bucket(&self, name: &str) -> Result<()> {
        bucket::delete_container(self, name).await
    }

    async fn list_buckets(&self) -> Result<Vec<String>> {
        bucket::list_containers(self).await
    }
}
