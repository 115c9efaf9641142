//! [`AzBlobStorage`]: the store and its `Backend` implementation. Each operation is a method
//! that an operation module (reader, writer, lister, delete, ...) adds to the store; this file
//! names none of them.

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
    Error, ListOptions, Lister, Metadata, MultipartUpload, ObjectPath, Part, PartOptions,
    PresignMethod, PresignOptions, PresignedRequest, ReadOptions, Reader, Result, StatOptions,
    StorageInfo, WriteOptions,
};

use crate::capability::{DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE, capability};
use crate::config::AzBlobBuilder;
use crate::credential::Auth;
use crate::delimiter::DelimiterPolicy;
use crate::encryption::AzureEncryption;
use crate::error::map_error;
use crate::shared_key::{AccountKey, SharedKeyPolicy};

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
    /// The part (block) size of streamed writes.
    pub(crate) part_size: u64,
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

    fn new(config: AzBlobBuilder) -> Result<Self> {
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
        check_encryption(&config)?;
        let auth = crate::credential::choose(&config)?;
        let key = match (&auth, &config.account_key) {
            (Auth::SharedKey, Some(key)) => Some(Arc::new(AccountKey::new(&account, key)?)),
            _ => None,
        };
        let mut per_try: Vec<Arc<dyn Policy>> = Vec::new();
        if let Some(key) = &key {
            per_try.push(Arc::new(SharedKeyPolicy {
                key: Arc::clone(key),
            }));
        }
        let credential = match auth {
            Auth::Token(credential) => Some(credential),
            Auth::SharedKey | Auth::Sas | Auth::Anonymous => None,
        };
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
        if credential.is_some() && url.scheme() != "https" {
            return Err(Error::invalid_input(format!(
                "an Entra ID token is only sent over https, and the endpoint is {endpoint}"
            )));
        }
        let service = BlobServiceClient::new(url, credential, Some(options)).map_err(map_error)?;
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
                part_size: config.block_size.unwrap_or(DEFAULT_PART_SIZE).max(1),
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

impl AzBlobBuilder {
    /// Builds the store.
    pub fn build(self) -> Result<AzBlobStorage> {
        AzBlobStorage::new(self)
    }
}

/// Refuses what Azure refuses, before any request (TiKV's `check_config`, BR's check): an
/// access tier with an encryption scope or a customer key (Set Blob Tier cannot be combined
/// with them). A scope and a key together are refused where they are set.
fn check_encryption(config: &AzBlobBuilder) -> Result<()> {
    let what = match &config.encryption {
        Some(Encryption::Kms { .. }) => "an encryption scope",
        Some(Encryption::CustomerKey(_)) => "a customer-provided key",
        _ => return Ok(()),
    };
    match &config.access_tier {
        Some(tier) => Err(Error::invalid_input(format!(
            "an access tier (`{tier}`) cannot be combined with {what}: Azure refuses to set \
             a blob's tier with either; drop `access-tier` or the encryption"
        ))),
        None => Ok(()),
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

#[async_trait]
impl Backend for AzBlobStorage {
    fn info(&self) -> &StorageInfo {
        &self.inner.info
    }

    async fn stat(&self, path: &ObjectPath, opts: StatOptions) -> Result<Metadata> {
        self.stat_object(path, opts).await
    }

    async fn read(&self, path: &ObjectPath, opts: ReadOptions) -> Result<Reader> {
        if storage_types::backend::reads_in_parts(&opts) {
            return storage_types::backend::read_in_parts_of(self, path, opts).await;
        }
        self.read_object(path, opts).await
    }

    async fn write(&self, path: &ObjectPath, body: Body, opts: WriteOptions) -> Result<Metadata> {
        self.write_object(path, body, opts).await
    }

    async fn delete(&self, path: &ObjectPath, _opts: DeleteOptions) -> Result<()> {
        self.delete_object(path).await
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
        self.create_upload(path, &opts)
    }

    async fn upload_part(
        &self,
        upload: &MultipartUpload,
        number: u32,
        body: Body,
        opts: PartOptions,
    ) -> Result<Part> {
        self.upload_block(upload, number, body, opts).await
    }

    async fn complete_multipart(
        &self,
        upload: &MultipartUpload,
        parts: &[Part],
        opts: CompleteOptions,
    ) -> Result<Metadata> {
        self.complete_upload(upload, parts, opts).await
    }

    async fn abort_multipart(&self, _upload: &MultipartUpload) -> Result<()> {
        // Uncommitted blocks are invisible and the service drops them after a week; there is
        // nothing to remove now.
        Ok(())
    }

    async fn list_parts(&self, upload: &MultipartUpload) -> Result<Vec<Part>> {
        self.list_upload_parts(upload).await
    }

    async fn list_multipart_uploads(&self, _dir: &ObjectPath) -> Result<Vec<MultipartUpload>> {
        Err(Error::unsupported(
            "Azure cannot list block uploads in progress",
        ))
    }

    async fn create_append(&self, path: &ObjectPath, opts: WriteOptions) -> Result<Metadata> {
        self.create_append_blob(path, &opts).await
    }

    async fn append(
        &self,
        path: &ObjectPath,
        offset: u64,
        body: Body,
        opts: PartOptions,
    ) -> Result<u64> {
        self.append_block(path, offset, body, opts).await
    }

    async fn commit_append(&self, path: &ObjectPath) -> Result<Metadata> {
        self.seal_append_blob(path).await
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
        self.presign_request(method, path, expires, opts)
    }

    async fn create_dir(&self, dir: &ObjectPath) -> Result<()> {
        self.create_dir_marker(dir).await
    }

    async fn create_bucket(&self, name: &str, _opts: BucketOptions) -> Result<()> {
        self.create_container(name).await
    }

    async fn delete_bucket(&self, name: &str) -> Result<()> {
        self.delete_container(name).await
    }

    async fn list_buckets(&self) -> Result<Vec<String>> {
        self.list_containers().await
    }
}
