//! kvproto's `backup.StorageBackend` (pingcap/kvproto `proto/brpb.proto`), the message TiKV's
//! `external_storage` and BR hand each other, as plain Rust structs with no protobuf
//! dependency: a program holding kvproto's generated types copies the fields over (they have
//! the same names) and calls [`open_backend`].
//!
//! Each field maps to the URL key BR uses for it (`S3.force_path_style` is
//! `force-path-style`, `GCS.credentials_blob` is the key file's content), so a backend opens
//! through the same code as BR's URL would: [`StorageBackend::to_url`] shows the URL.
//! As in proto3, an empty string is an unset field.
//!
//! | variant | what happens |
//! |---|---|
//! | `Noop`, `Local`, `S3`, `Gcs`, `AzureBlobStorage` | opened as `noop://`, `fs://`, `s3://`, `gcs://`, `azblob://` |
//! | `CloudDynamic` | `provider_name` `s3`/`aws`, `gcs`/`gcp`, `azure`/`azblob` (as TiKV reads it): the provider's message from `bucket` and `attrs` (named like its fields); any other provider is refused |
//! | `Hdfs` | refused (`Unsupported`): TiKV runs Hadoop's `hdfs dfs` command for it |

mod mapping;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use storage_types::{Result, Storage};

pub use mapping::FIELDS;

/// `backup.StorageBackend`: its `oneof backend`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum StorageBackend {
    /// `noop`: files go nowhere.
    Noop(Noop),
    /// `local`: a directory.
    Local(Local),
    /// `s3`: Amazon S3 or an S3-compatible store.
    S3(S3),
    /// `gcs`: Google Cloud Storage.
    Gcs(Gcs),
    /// `cloud_dynamic`: a provider named by a string, its fields as a map.
    CloudDynamic(CloudDynamic),
    /// `hdfs`: HDFS through Hadoop's command-line client.
    Hdfs(Hdfs),
    /// `azure_blob_storage`: Azure Blob Storage.
    AzureBlobStorage(AzureBlobStorage),
}

/// `backup.Noop`: saves files into the void.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct Noop {}

/// `backup.Local`: saves files below a local directory.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct Local {
    /// The directory (made if missing).
    pub path: String,
}

/// `backup.S3`.
#[derive(Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)] // The fields are kvproto's; the table in docs/urls.md says what each does.
pub struct S3 {
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    pub prefix: String,
    pub storage_class: String,
    pub sse: String,
    pub acl: String,
    pub access_key: String,
    pub secret_access_key: String,
    pub force_path_style: bool,
    pub sse_kms_key_id: String,
    pub role_arn: String,
    pub external_id: String,
    pub object_lock_enabled: bool,
    pub session_token: String,
    pub provider: String,
}

/// `backup.GCS`.
#[derive(Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)] // The fields are kvproto's; the table in docs/urls.md says what each does.
pub struct Gcs {
    pub endpoint: String,
    pub bucket: String,
    pub prefix: String,
    pub storage_class: String,
    pub predefined_acl: String,
    /// A credentials JSON document (a service-account key file's content).
    pub credentials_blob: String,
}

/// `backup.AzureCustomerKey`: a customer-provided AES-256 key.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AzureCustomerKey {
    /// The key, base64.
    pub encryption_key: String,
    /// The SHA-256 of the key, base64 (checked against the key when given).
    pub encryption_key_sha256: String,
}

/// `backup.AzureBlobStorage`.
#[derive(Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)] // The fields are kvproto's; the table in docs/urls.md says what each does.
pub struct AzureBlobStorage {
    pub endpoint: String,
    /// The container.
    pub bucket: String,
    pub prefix: String,
    /// The access tier.
    pub storage_class: String,
    pub account_name: String,
    pub shared_key: String,
    pub access_sig: String,
    pub encryption_scope: String,
    pub encryption_key: Option<AzureCustomerKey>,
}

/// `backup.Bucket`: the common part of a `CloudDynamic` backend.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
#[allow(missing_docs)] // The fields are kvproto's.
pub struct Bucket {
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    pub prefix: String,
    pub storage_class: String,
}

/// `backup.CloudDynamic`: a provider by name, with its other fields in `attrs` (named like the
/// fields of the provider's own message: `access_key`, `credentials_blob`, `shared_key` ...).
#[derive(Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)] // The fields are kvproto's.
pub struct CloudDynamic {
    pub bucket: Option<Bucket>,
    pub provider_name: String,
    pub attrs: BTreeMap<String, String>,
}

/// `backup.HDFS`.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct Hdfs {
    /// `hdfs:///some/path` or `hdfs://host:port/some/path`.
    pub remote: String,
}

/// Opens the store `backend` describes, as TiKV would; its root is the message's prefix (or
/// path).
///
/// Errors: `InvalidInput` for a missing bucket or path, a value BR would refuse, a
/// `CloudDynamic` attribute that is not a field of the provider; `Unsupported` for HDFS, a
/// `CloudDynamic` provider other than s3, gcs and azure, or a backend this build lacks (its
/// cargo feature); any error of the backend's constructor.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> storage::Result<()> {
/// use storage::kvproto::{Noop, StorageBackend, open_backend};
///
/// let store = open_backend(&StorageBackend::Noop(Noop {})).await?;
/// assert_eq!(store.info().service, "noop");
/// # Ok(()) }
/// ```
pub async fn open_backend(backend: &StorageBackend) -> Result<Arc<dyn Storage>> {
    let parsed = backend.to_url()?;
    let root = parsed.path().to_owned();
    crate::open::open_at(&parsed, &root).await
}

/// `***` for a secret that is set, nothing for one that is not.
fn masked(secret: &str) -> &'static str {
    if secret.is_empty() { "" } else { "***" }
}

impl fmt::Debug for S3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("storage_class", &self.storage_class)
            .field("sse", &self.sse)
            .field("acl", &self.acl)
            .field("access_key", &self.access_key)
            .field("secret_access_key", &masked(&self.secret_access_key))
            .field("force_path_style", &self.force_path_style)
            .field("sse_kms_key_id", &self.sse_kms_key_id)
            .field("role_arn", &self.role_arn)
            .field("external_id", &self.external_id)
            .field("object_lock_enabled", &self.object_lock_enabled)
            .field("session_token", &masked(&self.session_token))
            .field("provider", &self.provider)
            .finish()
    }
}

impl fmt::Debug for Gcs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gcs")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("storage_class", &self.storage_class)
            .field("predefined_acl", &self.predefined_acl)
            .field("credentials_blob", &masked(&self.credentials_blob))
            .finish()
    }
}

impl fmt::Debug for AzureCustomerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureCustomerKey")
            .field("encryption_key", &masked(&self.encryption_key))
            .field("encryption_key_sha256", &self.encryption_key_sha256)
            .finish()
    }
}

impl fmt::Debug for AzureBlobStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureBlobStorage")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("storage_class", &self.storage_class)
            .field("account_name", &self.account_name)
            .field("shared_key", &masked(&self.shared_key))
            .field("access_sig", &masked(&self.access_sig))
            .field("encryption_scope", &self.encryption_scope)
            .field("encryption_key", &self.encryption_key)
            .finish()
    }
}

impl fmt::Debug for CloudDynamic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let attrs: BTreeMap<&str, &str> = self
            .attrs
            .iter()
            .map(|(key, value)| match crate::redact::is_secret_key(key) {
                true => (key.as_str(), masked(value)),
                false => (key.as_str(), value.as_str()),
            })
            .collect();
        f.debug_struct("CloudDynamic")
            .field("bucket", &self.bucket)
            .field("provider_name", &self.provider_name)
            .field("attrs", &attrs)
            .finish()
    }
}
