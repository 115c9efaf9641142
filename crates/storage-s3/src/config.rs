//! [`S3Builder`]: configuration of an S3 store from code, from URL query keys and from the
//! environment (the standard AWS credential chain: env, profile, web identity, IMDS).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{Credentials, Region, RequestChecksumCalculation};
use storage_types::{CustomerKey, Encryption, Error, Result};

use crate::S3Options;
use crate::backend::S3Storage;

/// Default part size of streamed writes, and the largest write sent as one PutObject.
pub const DEFAULT_PART_SIZE: u64 = 8 << 20;
/// Default number of parts uploaded at once.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// The URL query keys `from_query` accepts (after lower-casing and `_` -> `-`).
pub const URL_KEYS: &[&str] = &[
    "region",
    "endpoint",
    "force-path-style",
    "access-key",
    "secret-access-key",
    "session-token",
    "profile",
    "role-arn",
    "external-id",
    "anonymous",
    "storage-class",
    "acl",
    "sse",
    "sse-kms-key-id",
    "sse-customer-key",
    "expected-bucket-owner",
    "request-payer",
    "checksum",
    "max-attempts",
    "timeout",
    "attempt-timeout",
    "part-size",
    "concurrency",
    "loose",
    "provider",
    "payload-signing",
];

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

/// Configuration of an [`S3Storage`].
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
    region: Option<String>,
    endpoint: Option<String>,
    force_path_style: bool,
    access_key: Option<String>,
    secret_key: Option<String>,
    session_token: Option<String>,
    profile: Option<String>,
    role_arn: Option<String>,
    external_id: Option<String>,
    anonymous: bool,
    pub(crate) storage_class: Option<String>,
    pub(crate) encryption: Option<Encryption>,
    pub(crate) options: S3Options,
    checksum: ChecksumMode,
    max_attempts: Option<u32>,
    timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
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

    /// A builder from URL query keys (see [`URL_KEYS`]), as backup tools spell them:
    /// `s3://bucket/prefix?region=..&endpoint=..&force-path-style=true&sse=aws:kms&...`.
    /// Keys must already be lower-case with `-` for `_`. An unknown key is an error.
    pub fn from_query(
        bucket: &str,
        root: &str,
        query: &BTreeMap<String, String>,
    ) -> Result<S3Builder> {
        let mut b = S3Builder::new(bucket).root(root);
        let mut access_key = None;
        let mut secret_key = None;
        let mut session_token = None;
        let mut sse = None;
        let mut kms_key = None;
        for (key, value) in query {
            match key.as_str() {
                "region" => b.region = Some(value.clone()),
                "endpoint" => b.endpoint = Some(value.clone()),
                "force-path-style" => b.force_path_style = flag(key, value)?,
                "access-key" => access_key = Some(value.clone()),
                "secret-access-key" => secret_key = Some(value.clone()),
                "session-token" => session_token = Some(value.clone()),
                "profile" => b.profile = Some(value.clone()),
                "role-arn" => b.role_arn = Some(value.clone()),
                "external-id" => b.external_id = Some(value.clone()),
                "anonymous" => b.anonymous = flag(key, value)?,
                "storage-class" => b.storage_class = Some(value.clone()),
                "acl" => b.options.acl = Some(value.clone()),
                "sse" => sse = Some(value.clone()),
                "sse-kms-key-id" => kms_key = Some(value.clone()),
                "sse-customer-key" => {
                    b.encryption = Some(Encryption::CustomerKey(CustomerKey::from_base64(value)?))
                }
                "expected-bucket-owner" => b.options.expected_bucket_owner = Some(value.clone()),
                "request-payer" => b.options.request_payer = flag(key, value)?,
                "checksum" => b.checksum = checksum_mode(value)?,
                "max-attempts" => b.max_attempts = Some(number(key, value)?),
                "timeout" => b.timeout = Some(Duration::from_secs(number(key, value)?)),
                "attempt-timeout" => {
                    b.attempt_timeout = Some(Duration::from_secs(number(key, value)?))
                }
                "part-size" => b.part_size = Some(number(key, value)?),
                "concurrency" => b.concurrency = Some(number(key, value)?),
                "loose" => b.loose = flag(key, value)?,
                "payload-signing" => b.payload_signing = Some(flag(key, value)?),
                // BR's `provider` names the vendor (aws, ceph, minio, ...); the endpoint and
                // path style say all we need, so it is accepted and ignored.
                "provider" => {}
                other => {
                    return Err(Error::invalid_input(format!(
                        "unknown s3 URL key `{other}`; accepted keys: {}",
                        URL_KEYS.join(", ")
                    )));
                }
            }
        }
        match (access_key, secret_key) {
            (Some(ak), Some(sk)) => b = b.credentials(ak, sk, session_token),
            (None, None) if session_token.is_none() => {}
            _ => {
                return Err(Error::invalid_input(
                    "access-key and secret-access-key must be given together",
                ));
            }
        }
        if b.encryption.is_some() && (sse.is_some() || kms_key.is_some()) {
            return Err(Error::invalid_input(
                "give sse-customer-key or sse / sse-kms-key-id, not both",
            ));
        }
        match (sse.as_deref(), kms_key) {
            (None, None) => {}
            (Some("AES256" | "aes256"), None) => b.encryption = Some(Encryption::ServiceManaged),
            (Some("aws:kms") | None, Some(key)) => b.encryption = Some(Encryption::kms(key)),
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
        Ok(b)
    }

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
            config = config.interceptor(crate::compat::CollapseRepeatedHeaders);
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

fn flag(key: &str, value: &str) -> Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "" | "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(Error::invalid_input(format!(
            "`{key}` takes true or false, not `{value}`"
        ))),
    }
}

fn number<T: std::str::FromStr>(key: &str, value: &str) -> Result<T> {
    value
        .parse()
        .map_err(|_| Error::invalid_input(format!("`{key}` takes a number, not `{value}`")))
}

fn checksum_mode(value: &str) -> Result<ChecksumMode> {
    match value.to_ascii_lowercase().replace('_', "-").as_str() {
        "when-supported" => Ok(ChecksumMode::WhenSupported),
        "when-required" => Ok(ChecksumMode::WhenRequired),
        _ => Err(Error::invalid_input(format!(
            "`checksum` takes when-supported or when-required, not `{value}`"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use storage_types::ErrorKind;

    use super::*;

    fn query(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn backup_tool_keys_are_understood() {
        let q = query(&[
            ("region", "eu-west-1"),
            ("endpoint", "http://127.0.0.1:9000"),
            ("force-path-style", "true"),
            ("access-key", "AK"),
            ("secret-access-key", "SK"),
            ("storage-class", "STANDARD_IA"),
            ("acl", "bucket-owner-full-control"),
            ("sse", "aws:kms"),
            ("sse-kms-key-id", "alias/backup"),
            ("provider", "minio"),
            ("timeout", "30"),
            ("attempt-timeout", "5"),
        ]);
        let b = S3Builder::from_query("bkt", "pre/fix", &q).unwrap();
        assert_eq!(b.region.as_deref(), Some("eu-west-1"));
        assert_eq!(b.timeout, Some(Duration::from_secs(30)));
        assert_eq!(b.attempt_timeout, Some(Duration::from_secs(5)));
        assert!(b.force_path_style);
        assert_eq!(b.access_key.as_deref(), Some("AK"));
        assert_eq!(b.storage_class.as_deref(), Some("STANDARD_IA"));
        assert_eq!(b.options.acl.as_deref(), Some("bucket-owner-full-control"));
        assert_eq!(b.encryption, Some(Encryption::kms("alias/backup")));
        let shown = format!("{b:?}");
        assert!(
            !shown.contains("SK") && !shown.contains("\"AK\""),
            "{shown}"
        );
    }

    #[test]
    fn sse_forms() {
        let b = S3Builder::from_query("b", "", &query(&[("sse", "AES256")])).unwrap();
        assert_eq!(b.encryption, Some(Encryption::ServiceManaged));
        let key = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
        let b = S3Builder::from_query("b", "", &query(&[("sse-customer-key", &key)])).unwrap();
        assert!(matches!(b.encryption, Some(Encryption::CustomerKey(_))));
        assert!(!format!("{b:?}").contains(&key));
        for bad in [("sse", "aws:kms"), ("sse", "rot13")] {
            let err = S3Builder::from_query("b", "", &query(&[bad])).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
        }
        let short = base64::engine::general_purpose::STANDARD.encode([9u8; 16]);
        let err = S3Builder::from_query("b", "", &query(&[("sse-customer-key", &short)]));
        let err = err.unwrap_err();
        assert!(err.to_string().contains("32 bytes") && !err.to_string().contains(&short));
    }

    #[test]
    fn bad_keys_and_values_are_refused() {
        let err = S3Builder::from_query("b", "", &query(&[("colour", "red")])).unwrap_err();
        assert!(err.to_string().contains("accepted keys: region"), "{err}");
        assert!(S3Builder::from_query("b", "", &query(&[("access-key", "AK")])).is_err());
        assert!(S3Builder::from_query("b", "", &query(&[("force-path-style", "maybe")])).is_err());
        assert!(S3Builder::from_query("b", "", &query(&[("part-size", "big")])).is_err());
        assert!(S3Builder::from_query("b", "", &query(&[("checksum", "always")])).is_err());
    }

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
        let q = query(&[("payload-signing", "false")]);
        assert_eq!(
            S3Builder::from_query("b", "", &q).unwrap().payload_signing,
            Some(false)
        );
        let q = query(&[("payload-signing", "sometimes")]);
        assert!(S3Builder::from_query("b", "", &q).is_err());
    }
}
