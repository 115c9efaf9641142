//! [`S3Builder`]: configuration of an S3 store from code, from URL query keys and from the
//! environment (the standard AWS credential chain: env, profile, web identity, IMDS), and the
//! S3-only options ([`S3Options`]) a store holds as defaults. Plain data and parsing: the store
//! is built in `backend.rs`.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use storage_types::backend::UrlKeys;
use storage_types::{CustomerKey, Encryption, Error, Result};

/// The service name URL-key errors carry (the crate's `SCHEME`).
const SERVICE: &str = "s3";

/// How the SDK adds checksums to uploads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChecksumMode {
    /// A CRC32 on every upload that supports one (the SDK's default): the service verifies
    /// every byte we send.
    #[default]
    WhenSupported,
    /// Checksums only where the operation requires one (for stores that reject the newer
    /// checksum headers).
    WhenRequired,
}

/// Options only S3 has. Put it on any operation's options with `with_extension`; each
/// operation uses the fields that apply to it (an ACL only on writes, for instance).
///
/// ```
/// use storage_s3::S3Options;
/// use storage_types::WriteOptions;
///
/// let opts = WriteOptions::default()
///     .with_extension(S3Options::default().with_acl("bucket-owner-full-control"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct S3Options {
    /// A canned ACL (`private`, `bucket-owner-full-control`, ...) for writes and copies.
    pub acl: Option<String>,
    /// The account id that must own the bucket, or the request fails.
    pub expected_bucket_owner: Option<String>,
    /// Confirms that the requester pays for a requester-pays bucket.
    pub request_payer: bool,
    /// The SSE-KMS encryption context: base64 of a JSON object.
    pub kms_encryption_context: Option<String>,
    /// Whether SSE-KMS uses an S3 Bucket Key.
    pub bucket_key_enabled: Option<bool>,
}

impl S3Options {
    /// Sets a canned ACL.
    pub fn with_acl(mut self, acl: impl Into<String>) -> Self {
        self.acl = Some(acl.into());
        self
    }

    /// Sets the expected bucket owner.
    pub fn with_expected_bucket_owner(mut self, owner: impl Into<String>) -> Self {
        self.expected_bucket_owner = Some(owner.into());
        self
    }

    /// Confirms requester-pays.
    pub fn with_request_payer(mut self) -> Self {
        self.request_payer = true;
        self
    }

    /// Sets the SSE-KMS encryption context (base64 of a JSON object).
    pub fn with_kms_encryption_context(mut self, context: impl Into<String>) -> Self {
        self.kms_encryption_context = Some(context.into());
        self
    }

    /// Turns the S3 Bucket Key on or off for SSE-KMS.
    pub fn with_bucket_key_enabled(mut self, enabled: bool) -> Self {
        self.bucket_key_enabled = Some(enabled);
        self
    }

    /// These options over the store's defaults: fields set here win.
    pub(crate) fn over(&self, defaults: &S3Options) -> S3Options {
        S3Options {
            acl: self.acl.clone().or_else(|| defaults.acl.clone()),
            expected_bucket_owner: self
                .expected_bucket_owner
                .clone()
                .or_else(|| defaults.expected_bucket_owner.clone()),
            request_payer: self.request_payer || defaults.request_payer,
            kms_encryption_context: self
                .kms_encryption_context
                .clone()
                .or_else(|| defaults.kms_encryption_context.clone()),
            bucket_key_enabled: self.bucket_key_enabled.or(defaults.bucket_key_enabled),
        }
    }
}

/// Configuration of an `S3Storage`.
///
/// ```no_run
/// # async fn f() -> storage_types::Result<()> {
/// use storage_s3::S3Builder;
///
/// let store = S3Builder::new("backups")
///     .root("tidb/2024-11-26")
///     .region("eu-west-1")
///     .build()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct S3Builder {
    pub(crate) bucket: String,
    pub(crate) root: String,
    pub(crate) region: Option<String>,
    pub(crate) endpoint: Option<String>,
    pub(crate) force_path_style: bool,
    pub(crate) access_key: Option<String>,
    pub(crate) secret_key: Option<String>,
    pub(crate) session_token: Option<String>,
    pub(crate) profile: Option<String>,
    pub(crate) role_arn: Option<String>,
    pub(crate) external_id: Option<String>,
    pub(crate) anonymous: bool,
    pub(crate) storage_class: Option<String>,
    pub(crate) encryption: Option<Encryption>,
    pub(crate) options: S3Options,
    pub(crate) checksum: ChecksumMode,
    pub(crate) max_attempts: Option<u32>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) part_size: Option<u64>,
    pub(crate) concurrency: Option<usize>,
    pub(crate) loose: bool,
    pub(crate) payload_signing: Option<bool>,
    /// Whether the endpoint `build` configured is https (AWS's own endpoints are).
    pub(crate) over_tls: Option<bool>,
}

impl fmt::Debug for S3Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Builder")
            .field("bucket", &self.bucket)
            .field("root", &self.root)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("force_path_style", &self.force_path_style)
            .field("access_key", &self.access_key.as_ref().map(|_| "<set>"))
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("profile", &self.profile)
            .field("role_arn", &self.role_arn)
            .field("anonymous", &self.anonymous)
            .field("encryption", &self.encryption)
            .field("checksum", &self.checksum)
            .field("payload_signing", &self.payload_signing)
            .finish_non_exhaustive()
    }
}

macro_rules! string_setters {
    ($($(#[$doc:meta])* $name:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: impl Into<String>) -> Self {
                self.$name = Some(value.into());
                self
            }
        )*
    };
}

impl S3Builder {
    /// A store on `bucket`, at its top level, with every other setting from the environment.
    pub fn new(bucket: impl Into<String>) -> Self {
        S3Builder {
            bucket: bucket.into(),
            ..S3Builder::default()
        }
    }

    /// The prefix inside the bucket that paths are relative to.
    pub fn root(mut self, root: impl Into<String>) -> Self {
        self.root = root.into();
        self
    }

    string_setters! {
        /// The region (else from the environment or profile; `us-east-1` if none says).
        region;
        /// A custom endpoint, for S3-compatible stores: `http://127.0.0.1:9000`.
        endpoint;
        /// The profile of the shared config files to use.
        profile;
        /// A role to assume (with STS) on top of the base credentials.
        role_arn;
        /// The external id the role's trust policy demands.
        external_id;
        /// The storage class of writes (`STANDARD_IA`, `GLACIER_IR`, ...).
        storage_class;
    }

    /// Path-style addressing (`endpoint/bucket/key`), which most S3-compatible stores need.
    pub fn force_path_style(mut self, on: bool) -> Self {
        self.force_path_style = on;
        self
    }

    /// Static credentials instead of the default chain.
    pub fn credentials(
        mut self,
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        self.access_key = Some(access_key.into());
        self.secret_key = Some(secret_key.into());
        self.session_token = session_token;
        self
    }

    /// Unsigned requests, for public buckets.
    pub fn anonymous(mut self, on: bool) -> Self {
        self.anonymous = on;
        self
    }

    /// The default encryption of writes (each request may override it). A customer key is
    /// also sent on every read.
    pub fn encryption(mut self, encryption: Encryption) -> Self {
        self.encryption = Some(encryption);
        self
    }

    /// Defaults for the S3-only options (ACL, expected owner, requester pays, KMS context).
    pub fn options(mut self, options: S3Options) -> Self {
        self.options = options;
        self
    }

    /// How the SDK adds checksums to uploads.
    pub fn checksum(mut self, mode: ChecksumMode) -> Self {
        self.checksum = mode;
        self
    }

    /// Attempts per request, retries included (the SDK's standard retry strategy).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts);
        self
    }

    /// A limit on each operation, retries included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// A limit on each attempt of an operation (until its response starts). An attempt that
    /// reaches it is retried, within [`max_attempts`](Self::max_attempts) and
    /// [`timeout`](Self::timeout), so a stalled connection costs one attempt, not the call.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The default part size of streamed writes (and the largest single PutObject).
    pub fn part_size(mut self, bytes: u64) -> Self {
        self.part_size = Some(bytes);
        self
    }

    /// How many parts of one write go up at once.
    pub fn concurrency(mut self, parts: usize) -> Self {
        self.concurrency = Some(parts);
        self
    }

    /// Whether uploads sign their body (SigV4 hashes every byte with SHA-256). By default a
    /// store on an `https` endpoint sends `UNSIGNED-PAYLOAD`, as the SDK itself does for
    /// streamed uploads over TLS: TLS protects the body in transit, and the checksum the SDK
    /// adds (CRC32 unless `checksum=when-required`) lets the service verify every byte. On a
    /// plain `http` endpoint bodies are signed, since nothing else stops a body from being
    /// changed on the way. `true` signs always; `false` never (over `http` this gives up
    /// protection against tampering, not against corruption, which the checksum still covers).
    pub fn payload_signing(mut self, on: bool) -> Self {
        self.payload_signing = Some(on);
        self
    }

    /// Loose mode: options S3 cannot honour are dropped instead of refused.
    pub fn loose(mut self, on: bool) -> Self {
        self.loose = on;
        self
    }

    /// A builder from URL query keys (see [`url_keys`]), as backup tools spell them:
    /// `s3://bucket/prefix?region=..&endpoint=..&force-path-style=true&sse=aws:kms&...`.
    /// Keys are matched in any case, with `_` for `-`; flags take true/false, yes/no, on/off
    /// or 1/0, sizes `8388608` or `8MiB`, timeouts seconds or `500ms`. An unknown key is an
    /// error naming the accepted ones.
    pub fn from_query(
        bucket: &str,
        root: &str,
        query: &BTreeMap<String, String>,
    ) -> Result<S3Builder> {
        let mut keys = UrlKeys::new(SERVICE, query);
        let builder = S3Builder::new(bucket).root(root).take_keys(&mut keys)?;
        keys.finish()?;
        Ok(builder)
    }

    /// Sets what the URL keys say. Every key is taken before any combination is checked, so
    /// that on an empty query this names every key [`url_keys`] lists.
    fn take_keys(mut self, keys: &mut UrlKeys) -> Result<S3Builder> {
        self.region = keys.take_str("region");
        self.endpoint = keys.take_str("endpoint");
        if let Some(on) = keys.take_bool("force-path-style")? {
            self.force_path_style = on;
        }
        let access_key = keys.take_str("access-key");
        let secret_key = keys.take_str("secret-access-key");
        let session_token = keys.take_str("session-token");
        self.profile = keys.take_str("profile");
        self.role_arn = keys.take_str("role-arn");
        self.external_id = keys.take_str("external-id");
        if let Some(on) = keys.take_bool("anonymous")? {
            self.anonymous = on;
        }
        self.storage_class = keys.take_str("storage-class");
        self.options.acl = keys.take_str("acl");
        let sse = keys.take_str("sse");
        let kms_key = keys.take_str("sse-kms-key-id");
        let customer_key = keys.take_with("sse-customer-key", |_, value| {
            CustomerKey::from_base64(value)
        })?;
        self.options.expected_bucket_owner = keys.take_str("expected-bucket-owner");
        if let Some(on) = keys.take_bool("request-payer")? {
            self.options.request_payer = on;
        }
        if let Some(mode) = keys.take_with("checksum", checksum_mode)? {
            self.checksum = mode;
        }
        self.max_attempts = keys.take_num("max-attempts")?;
        self.timeout = keys.take_duration("timeout")?;
        self.attempt_timeout = keys.take_duration("attempt-timeout")?;
        self.part_size = keys.take_size("part-size")?;
        self.concurrency = keys.take_num("concurrency")?;
        if let Some(on) = keys.take_bool("loose")? {
            self.loose = on;
        }
        // BR's `provider` names the vendor (aws, ceph, minio, ...); the endpoint and path
        // style say all we need, so it is accepted and ignored.
        let _provider = keys.take_str("provider");
        self.payload_signing = keys.take_bool("payload-signing")?;

        match (access_key, secret_key) {
            (Some(ak), Some(sk)) => self = self.credentials(ak, sk, session_token),
            (None, None) if session_token.is_none() => {}
            _ => {
                return Err(Error::invalid_input(
                    "access-key and secret-access-key must be given together",
                ));
            }
        }
        if customer_key.is_some() && (sse.is_some() || kms_key.is_some()) {
            return Err(Error::invalid_input(
                "give sse-customer-key or sse / sse-kms-key-id, not both",
            ));
        }
        if let Some(key) = customer_key {
            self.encryption = Some(Encryption::CustomerKey(key));
        }
        match (sse.as_deref(), kms_key) {
            (None, None) => {}
            (Some("AES256" | "aes256"), None) => self.encryption = Some(Encryption::ServiceManaged),
            (Some("aws:kms") | None, Some(key)) => self.encryption = Some(Encryption::kms(key)),
            (Some("aws:kms"), None) => {
                return Err(Error::invalid_input(
                    "sse=aws:kms needs sse-kms-key-id (the key id, ARN or alias)",
                ));
            }
            (Some(other), _) => {
                return Err(Error::invalid_input(format!(
                    "sse must be AES256 or aws:kms, not `{other}`"
                )));
            }
        }
        Ok(self)
    }
}

/// The URL query keys [`S3Builder::from_query`] accepts, as the parser names them
/// (lower-case, `-` between words), read off the parsing code itself.
pub fn url_keys() -> Vec<&'static str> {
    let mut keys = UrlKeys::new(SERVICE, &BTreeMap::new());
    // An empty query sets nothing, so nothing can fail; only the names taken matter here.
    let _ = S3Builder::default().take_keys(&mut keys);
    keys.accepted()
}

fn checksum_mode(key: &str, value: &str) -> Result<ChecksumMode> {
    match value.to_ascii_lowercase().replace('_', "-").as_str() {
        "when-supported" => Ok(ChecksumMode::WhenSupported),
        "when-required" => Ok(ChecksumMode::WhenRequired),
        _ => Err(Error::invalid_input(format!(
            "`{key}` takes when-supported or when-required, not `{value}`"
        ))),
    }
}

#[cfg(test)]
mod tests;
