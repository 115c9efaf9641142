//! [`GcsBuilder`]: configuration of a GCS store from code, URL query keys and the environment
//! (Application Default Credentials, `GOOGLE_APPLICATION_CREDENTIALS`). Plain data and
//! parsing: building the store is in `backend`, the defaults are in `capability`.

use std::collections::BTreeMap;
use std::fmt;

use storage_types::backend::UrlKeys;
use storage_types::{CustomerKey, Encryption, Error, Result};

/// The service name URL-key errors give.
const SERVICE: &str = "gcs";

/// The variable Google's client libraries read for an emulator's address.
pub(crate) const EMULATOR_HOST_VARIABLE: &str = "STORAGE_EMULATOR_HOST";

/// Path suffixes of the JSON API that an endpoint may carry (TiKV and the Go client write
/// `https://www.googleapis.com/storage/v1/`); the SDK adds them itself.
const API_SUFFIXES: [&str; 2] = ["/upload/storage/v1", "/storage/v1"];

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

/// Configuration of a `GcsStorage`; `build()` makes the store.
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
    pub(crate) connect_timeout: Option<std::time::Duration>,
    pub(crate) attempt_timeout: Option<std::time::Duration>,
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
    /// `http://127.0.0.1:PORT`. Both the JSON and the gRPC API are reached there. A trailing
    /// `/storage/v1/` or `/upload/storage/v1/` (as TiKV and BR write endpoints) is dropped: the
    /// SDK adds the API's path itself.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        let endpoint = endpoint.into();
        let mut base = endpoint.trim_end_matches('/');
        for suffix in API_SUFFIXES {
            if let Some(stripped) = base.strip_suffix(suffix) {
                base = stripped;
                break;
            }
        }
        self.endpoint = Some(base.to_owned());
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

    /// The chunk size of resumable uploads: what one streamed write holds in memory, and the
    /// part size of parallel composite uploads (default `DEFAULT_PART_SIZE`, 8 MiB).
    pub fn chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = Some(bytes);
        self
    }

    /// The largest body sent as one request; larger (and unknown-length) bodies go up as
    /// resumable uploads (default `DEFAULT_SINGLE_UPLOAD_LIMIT`, 16 MiB).
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

    /// How long a call keeps trying to reach a service that cannot be connected to at all (the
    /// connection is refused, the host name does not resolve): past this, the next such
    /// failure ends the call with `Unavailable` (temporary) instead of the SDK retrying it for
    /// up to its 300 s. A service that answers, even with 503 or 429, is retried as before.
    /// Default: `DEFAULT_CONNECT_TIMEOUT`, 5 s.
    pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// A limit on each attempt of a request: one that has not answered within it is dropped
    /// and sent again (up to the store's retries, within [`timeout`](Self::timeout)), and
    /// after a stalled gRPC request the store moves to a new connection. Applies to metadata,
    /// listings, copies, deletes, composes, single-request writes, each chunk of a resumable
    /// upload and a download until its headers arrive; set it above the time the largest of
    /// these takes (a chunk of [`chunk_size`](Self::chunk_size) bytes on a slow link).
    /// Default: none, each attempt may take what is left of the call's time.
    pub fn attempt_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Loose mode: options GCS cannot honour are dropped instead of refused.
    pub fn loose(mut self, on: bool) -> Self {
        self.loose = on;
        self
    }

    /// Fills what is not set yet from the environment: `GOOGLE_CLOUD_PROJECT` for the
    /// project, and `STORAGE_EMULATOR_HOST` as Google's client libraries read it (see
    /// [`build`](GcsBuilder::build), which reads it too). Credentials come from Application
    /// Default Credentials unless set.
    pub fn from_env(mut self) -> Self {
        if self.project_id.is_none() {
            self.project_id = std::env::var("GOOGLE_CLOUD_PROJECT")
                .ok()
                .filter(|v| !v.is_empty());
        }
        self.with_emulator_host(std::env::var(EMULATOR_HOST_VARIABLE).ok())
    }

    /// `STORAGE_EMULATOR_HOST` (`host:port`, or a URL), as Google's client libraries honour
    /// it: the emulator is the endpoint (over `http` when no scheme is given) and requests
    /// go unsigned. An endpoint the builder already has wins over it, as one given to
    /// Google's clients does, and credentials given explicitly are kept.
    pub(crate) fn with_emulator_host(mut self, host: Option<String>) -> Self {
        let Some(host) = host.map(|h| h.trim().to_owned()).filter(|h| !h.is_empty()) else {
            return self;
        };
        if self.endpoint.is_some() {
            return self;
        }
        self = match host.contains("://") {
            true => self.endpoint(host),
            false => self.endpoint(format!("http://{host}")),
        };
        if matches!(self.credentials, CredentialSource::Default) {
            self.credentials = CredentialSource::Anonymous;
        }
        self
    }

    /// A builder from URL query keys (see [`url_keys`]):
    /// `gcs://bucket/prefix?credentials-file=..&storage-class=..`. Keys are compared in any
    /// case with `_` for `-`; flags take `true/false`, `yes/no`, `on/off` or `1/0`; sizes take
    /// bytes or `8MiB`; `timeout` takes seconds or `500ms`. An unknown key is an error. The
    /// environment fills the rest.
    pub fn from_query(bucket: &str, root: &str, query: &BTreeMap<String, String>) -> Result<Self> {
        let mut keys = UrlKeys::new(SERVICE, query);
        let builder = GcsBuilder::new(bucket).root(root).with_keys(&mut keys)?;
        keys.finish()?;
        Ok(builder.from_env())
    }

    /// Takes every key this backend understands off `keys` (each `take_*` also records the key
    /// as accepted, which is what [`url_keys`] lists).
    fn with_keys(mut self, keys: &mut UrlKeys) -> Result<Self> {
        if let Some(endpoint) = keys.take_str("endpoint") {
            self = self.endpoint(endpoint);
        }
        // Credentials: a file wins over a document, which wins over `anonymous` (the order in
        // which the keys were applied when they were read alphabetically).
        let file = keys.take_str("credentials-file");
        let json = keys.take_with("credentials-base64", json_of_base64)?;
        if keys.take_bool("anonymous")? == Some(true) {
            self = self.anonymous();
        }
        if let Some(json) = json {
            self = self.credentials_json(json);
        }
        if let Some(file) = file {
            self = self.credentials_file(file);
        }
        if let Some(project) = keys.take_str("project-id") {
            self = self.project_id(project);
        }
        if let Some(class) = keys.take_str("storage-class") {
            self = self.storage_class(class);
        }
        if let Some(acl) = keys.take_str("predefined-acl") {
            self = self.predefined_acl(acl);
        }
        // A KMS key name wins over a customer key, as it did.
        let customer =
            keys.take_with("encryption-key", |_, value| CustomerKey::from_base64(value))?;
        if let Some(key) = customer {
            self = self.encryption(Encryption::CustomerKey(key));
        }
        if let Some(kms) = keys.take_str("kms-key-name") {
            self = self.encryption(Encryption::kms(kms));
        }
        if let Some(bytes) = keys.take_size("chunk-size")? {
            self = self.chunk_size(bytes);
        }
        if let Some(bytes) = keys.take_size("single-upload-limit")? {
            self = self.single_upload_limit(bytes);
        }
        if let Some(retries) = keys.take_num("max-retries")? {
            self = self.max_retries(retries);
        }
        if let Some(timeout) = keys.take_duration("timeout")? {
            self = self.timeout(timeout);
        }
        if let Some(timeout) = keys.take_duration("connect-timeout")? {
            self = self.connect_timeout(timeout);
        }
        if let Some(timeout) = keys.take_duration("attempt-timeout")? {
            self = self.attempt_timeout(timeout);
        }
        if let Some(loose) = keys.take_bool("loose")? {
            self = self.loose(loose);
        }
        Ok(self)
    }
}

/// The URL query keys [`GcsBuilder::from_query`] accepts (compared in any case, `_` for `-`),
/// read off its parsing code.
pub fn url_keys() -> Vec<&'static str> {
    let mut keys = UrlKeys::new(SERVICE, &BTreeMap::new());
    // An empty query has no value to refuse: every key is taken and none is set.
    let _ = GcsBuilder::default().with_keys(&mut keys);
    keys.accepted()
}

/// A credentials JSON document given as base64 (go-storage's `credential=base64:...`).
fn json_of_base64(key: &str, text: &str) -> Result<serde_json::Value> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| Error::invalid_input(format!("`{key}` is not base64")))?;
    // serde's message could quote the document: say only that it is not JSON.
    serde_json::from_slice(&bytes)
        .map_err(|_| Error::invalid_input(format!("`{key}` does not hold a JSON document")))
}

#[cfg(test)]
mod tests;
