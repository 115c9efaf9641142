//! [`GcsBuilder`]: configuration of a GCS store from code, URL query keys and the environment
//! (Application Default Credentials, `GOOGLE_APPLICATION_CREDENTIALS`).

use std::collections::BTreeMap;
use std::fmt;

use storage_types::{CustomerKey, Encryption, Error, Result};

use crate::backend::GcsStorage;

/// Default size of the chunks of a resumable upload (the memory one streamed write holds).
pub const DEFAULT_CHUNK_SIZE: u64 = 8 << 20;
/// Default largest body sent as one single-shot upload; larger ones are resumable.
pub const DEFAULT_SINGLE_UPLOAD_LIMIT: u64 = 16 << 20;

/// The URL query keys `from_query` accepts (after lower-casing and `_` -> `-`).
pub const URL_KEYS: &[&str] = &[
    "endpoint",
    "credentials-file",
    "credentials-base64",
    "anonymous",
    "project-id",
    "storage-class",
    "predefined-acl",
    "encryption-key",
    "kms-key-name",
    "chunk-size",
    "single-upload-limit",
    "max-retries",
    "timeout",
    "loose",
];

/// Where the store's credentials come from.
#[derive(Clone, Default)]
pub(crate) enum CredentialSource {
    /// Application Default Credentials: `GOOGLE_APPLICATION_CREDENTIALS`, gcloud's file, or
    /// the metadata server.
    #[default]
    Default,
    /// A credentials JSON document (a service-account key, or an authorized user).
    Json(serde_json::Value),
    /// A credentials file, read when the store is built.
    File(String),
    /// No credentials (public buckets, local test servers).
    Anonymous,
}

/// Configuration of a [`GcsStorage`].
///
/// ```no_run
/// # async fn f() -> storage_types::Result<()> {
/// use storage_gcs::GcsBuilder;
///
/// let store = GcsBuilder::new("backups")
///     .root("tidb/2024")
///     .credentials_file("/etc/keys/backup-sa.json")
///     .build()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct GcsBuilder {
    pub(crate) bucket: String,
    pub(crate) root: String,
    pub(crate) endpoint: Option<String>,
    pub(crate) credentials: CredentialSource,
    pub(crate) project_id: Option<String>,
    pub(crate) storage_class: Option<String>,
    pub(crate) predefined_acl: Option<String>,
    pub(crate) encryption: Option<Encryption>,
    pub(crate) chunk_size: Option<u64>,
    pub(crate) single_upload_limit: Option<u64>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) timeout: Option<std::time::Duration>,
    pub(crate) loose: bool,
}

impl fmt::Debug for GcsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let credentials = match &self.credentials {
            CredentialSource::Default => "application default",
            CredentialSource::Json(_) => "<credentials JSON>",
            CredentialSource::File(_) => "<credentials file>",
            CredentialSource::Anonymous => "anonymous",
        };
        f.debug_struct("GcsBuilder")
            .field("bucket", &self.bucket)
            .field("root", &self.root)
            .field("endpoint", &self.endpoint)
            .field("credentials", &credentials)
            .field("project_id", &self.project_id)
            .field("storage_class", &self.storage_class)
            .field("encryption", &self.encryption)
            .finish_non_exhaustive()
    }
}

impl GcsBuilder {
    /// A store on `bucket`.
    pub fn new(bucket: impl Into<String>) -> Self {
        GcsBuilder {
            bucket: bucket.into(),
            ..GcsBuilder::default()
        }
    }

    /// The prefix inside the bucket that paths are relative to.
    pub fn root(mut self, root: impl Into<String>) -> Self {
        self.root = root.into();
        self
    }

    /// The service endpoint (default `https://storage.googleapis.com`); a local test server is
    /// `http://127.0.0.1:PORT`. Both the JSON and the gRPC API are reached there.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into().trim_end_matches('/').to_owned());
        self
    }

    /// Credentials from a JSON key file (a service-account key also signs URLs).
    pub fn credentials_file(mut self, path: impl Into<String>) -> Self {
        self.credentials = CredentialSource::File(path.into());
        self
    }

    /// Credentials from a JSON document (the content of a key file).
    pub fn credentials_json(mut self, json: serde_json::Value) -> Self {
        self.credentials = CredentialSource::Json(json);
        self
    }

    /// No credentials at all: public data or a local test server.
    pub fn anonymous(mut self) -> Self {
        self.credentials = CredentialSource::Anonymous;
        self
    }

    /// The project that owns new buckets and whose buckets are listed.
    pub fn project_id(mut self, project: impl Into<String>) -> Self {
        self.project_id = Some(project.into());
        self
    }

    /// The default storage class of writes (`STANDARD`, `NEARLINE`, `COLDLINE`, `ARCHIVE`).
    pub fn storage_class(mut self, class: impl Into<String>) -> Self {
        self.storage_class = Some(class.into());
        self
    }

    /// A predefined ACL applied to writes (`private`, `bucketOwnerFullControl`, ...).
    pub fn predefined_acl(mut self, acl: impl Into<String>) -> Self {
        self.predefined_acl = Some(acl.into());
        self
    }

    /// The default encryption: `Encryption::Kms { key_id }` is a Cloud KMS key name (CMEK),
    /// `Encryption::CustomerKey` a customer-supplied key (CSEK, sent on reads too).
    pub fn encryption(mut self, encryption: Encryption) -> Self {
        self.encryption = Some(encryption);
        self
    }

    /// The chunk size of resumable uploads: what one streamed write holds in memory.
    pub fn chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = Some(bytes);
        self
    }

    /// The largest body sent as one request; larger (and unknown-length) bodies go up as
    /// resumable uploads.
    pub fn single_upload_limit(mut self, bytes: u64) -> Self {
        self.single_upload_limit = Some(bytes);
        self
    }

    /// Retries per request after the first attempt (the SDK's policy for errors GCS calls
    /// retryable; default: the SDK's own limit).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// A limit on each request, retries included: the SDK retries a request until it succeeds,
    /// runs out of attempts or reaches this limit, whose remaining time is also each attempt's
    /// deadline, so a stalled server ends in `TimedOut`. A download is bounded until its
    /// response starts; the SDK resumes a body that then stops. Default: the SDK's 300 s.
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Loose mode: options GCS cannot honour are dropped instead of refused.
    pub fn loose(mut self, on: bool) -> Self {
        self.loose = on;
        self
    }

    /// Fills what is not set yet from the environment: `GOOGLE_CLOUD_PROJECT` for the
    /// project. Credentials come from Application Default Credentials unless set.
    pub fn from_env(mut self) -> Self {
        if self.project_id.is_none() {
            self.project_id = std::env::var("GOOGLE_CLOUD_PROJECT")
                .ok()
                .filter(|v| !v.is_empty());
        }
        self
    }

    /// A builder from URL query keys (see [`URL_KEYS`]):
    /// `gcs://bucket/prefix?credentials-file=..&storage-class=..`. Keys must already be
    /// lower-case with `-` for `_`. An unknown key is an error. The environment fills the rest.
    pub fn from_query(bucket: &str, root: &str, query: &BTreeMap<String, String>) -> Result<Self> {
        let mut b = GcsBuilder::new(bucket).root(root);
        for (key, value) in query {
            match key.as_str() {
                "endpoint" => b = b.endpoint(value.clone()),
                "credentials-file" => b = b.credentials_file(value.clone()),
                "credentials-base64" => b = b.credentials_json(json_of_base64(value)?),
                "anonymous" => {
                    if flag(value) {
                        b = b.anonymous();
                    }
                }
                "project-id" => b.project_id = Some(value.clone()),
                "storage-class" => b.storage_class = Some(value.clone()),
                "predefined-acl" => b.predefined_acl = Some(value.clone()),
                "encryption-key" => {
                    b.encryption = Some(Encryption::CustomerKey(CustomerKey::from_base64(value)?))
                }
                "kms-key-name" => b.encryption = Some(Encryption::kms(value.clone())),
                "chunk-size" => b.chunk_size = Some(number(key, value)?),
                "single-upload-limit" => b.single_upload_limit = Some(number(key, value)?),
                "max-retries" => b.max_retries = Some(number(key, value)?),
                "timeout" => b.timeout = Some(std::time::Duration::from_secs(number(key, value)?)),
                "loose" => b.loose = flag(value),
                other => {
                    return Err(Error::invalid_input(format!(
                        "unknown gcs URL key `{other}`; accepted keys: {}",
                        URL_KEYS.join(", ")
                    )));
                }
            }
        }
        Ok(b.from_env())
    }

    /// Builds the store: creates the SDK's clients (no request is sent yet).
    pub async fn build(self) -> Result<GcsStorage> {
        GcsStorage::new(self).await
    }
}

/// A credentials JSON document given as base64 (go-storage's `credential=base64:...`).
fn json_of_base64(text: &str) -> Result<serde_json::Value> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| Error::invalid_input("`credentials-base64` is not base64"))?;
    // serde's message could quote the document: say only that it is not JSON.
    serde_json::from_slice(&bytes)
        .map_err(|_| Error::invalid_input("`credentials-base64` does not hold a JSON document"))
}

fn flag(value: &str) -> bool {
    matches!(value.to_ascii_lowercase().as_str(), "" | "true" | "1")
}

fn number<T: std::str::FromStr>(key: &str, value: &str) -> Result<T> {
    value
        .parse()
        .map_err(|_| Error::invalid_input(format!("`{key}` takes a number, not `{value}`")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn query(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn backup_tool_keys() {
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let q = query(&[
            ("endpoint", "http://127.0.0.1:4443/"),
            ("storage-class", "NEARLINE"),
            ("predefined-acl", "bucketOwnerFullControl"),
            ("encryption-key", &key),
            ("project-id", "p1"),
            ("anonymous", "true"),
        ]);
        let b = GcsBuilder::from_query("bkt", "p", &q).unwrap();
        assert_eq!(b.endpoint.as_deref(), Some("http://127.0.0.1:4443"));
        assert_eq!(b.storage_class.as_deref(), Some("NEARLINE"));
        assert_eq!(b.project_id.as_deref(), Some("p1"));
        assert!(matches!(b.credentials, CredentialSource::Anonymous));
        assert!(matches!(b.encryption, Some(Encryption::CustomerKey(_))));
        assert!(!format!("{b:?}").contains(&key), "{b:?}");
        let kms = GcsBuilder::from_query("b", "", &query(&[("kms-key-name", "k1")])).unwrap();
        assert_eq!(kms.encryption, Some(Encryption::kms("k1")));
    }

    #[test]
    fn bad_keys_are_named() {
        let err = GcsBuilder::from_query("b", "", &query(&[("colour", "x")])).unwrap_err();
        assert!(err.to_string().contains("accepted keys: endpoint"), "{err}");
        let short = base64::engine::general_purpose::STANDARD.encode([1u8; 16]);
        let err = GcsBuilder::from_query("b", "", &query(&[("encryption-key", &short)]));
        assert!(err.unwrap_err().to_string().contains("32 bytes"));
        let err = GcsBuilder::from_query("b", "", &query(&[("chunk-size", "big")]));
        assert!(err.unwrap_err().to_string().contains("number"));
    }
}
