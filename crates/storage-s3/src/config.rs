//! [`S3Builder`]: configuration of an S3 store from code, from URL query keys and from the
//! environment (the standard AWS credential chain: env, profile, web identity, IMDS), and the
//! S3-only options ([`S3Options`]) a store holds as defaults. Plain data and parsing: the store
//! is built in `backend.rs`.

use std::fmt;
use std::time::Duration;

use storage_types::Encryption;

/// The service name URL-key errors carry (the crate's `SCHEME`).
const SERVICE: &str = "s3";

mod keys;
mod options;
mod provider;

pub use keys::url_keys;

pub use options::S3Options;
pub use provider::Provider;
pub(crate) use provider::{StyleInputs, path_style};

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
    /// Path style as set; `None` leaves it to BR's rules ([`S3Builder::uses_path_style`]).
    pub(crate) force_path_style: Option<bool>,
    pub(crate) provider: Option<Provider>,
    pub(crate) accelerate: bool,
    pub(crate) object_lock: bool,
    pub(crate) sts_endpoint: Option<String>,
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
    /// The checksum mode as set; `None` is when-supported, or when-required for a vendor.
    pub(crate) checksum: Option<ChecksumMode>,
    pub(crate) max_attempts: Option<u32>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) part_size: Option<u64>,
    pub(crate) concurrency: Option<usize>,
    pub(crate) loose: bool,
    pub(crate) payload_signing: Option<bool>,
    /// Whether the endpoint `build` configured is https (AWS's own endpoints are).
    pub(crate) over_tls: Option<bool>,
    /// Whether `build` found no region anywhere, so the store asks the bucket for its own.
    pub(crate) detect_region: bool,
}

impl fmt::Debug for S3Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Builder")
            .field("bucket", &self.bucket)
            .field("root", &self.root)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("force_path_style", &self.force_path_style)
            .field("provider", &self.provider)
            .field("accelerate", &self.accelerate)
            .field("object_lock", &self.object_lock)
            .field("sts_endpoint", &self.sts_endpoint)
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
        /// A role to assume (with STS) on top of the base credentials. STS is asked at its own
        /// endpoint (see [`sts_endpoint`](Self::sts_endpoint)), never at a custom S3 one.
        role_arn;
        /// Where STS is asked when a role is assumed (`http://127.0.0.1:5000`); by default
        /// the SDK's (`AWS_ENDPOINT_URL_STS`, else AWS's regional STS), never the S3 endpoint.
        sts_endpoint;
        /// The external id the role's trust policy demands.
        external_id;
        /// The storage class of writes (`STANDARD_IA`, `GLACIER_IR`, ...).
        storage_class;
    }

    /// Path-style addressing (`endpoint/bucket/key`), which most S3-compatible stores need.
    /// Unset, a store uses it as BR does: path style, except virtual-hosted style on Amazon
    /// (provider `aws`, an `amazonaws.com` endpoint, or a role to assume). The vendors that
    /// serve virtual-hosted style only (Alibaba, Tencent, NetEase) and the accelerate endpoint
    /// never use path style, whatever this says.
    pub fn force_path_style(mut self, on: bool) -> Self {
        self.force_path_style = Some(on);
        self
    }

    /// The vendor behind the endpoint (BR's `provider`): see [`Provider`] for what each
    /// changes. Any vendor but Amazon gets Content-MD5 on every upload and batch delete instead
    /// of the SDK's newer checksum headers (unless [`checksum`](Self::checksum) is set), and no
    /// bucket-region detection.
    pub fn provider(mut self, provider: Provider) -> Self {
        self.provider = Some(provider);
        self
    }

    /// S3 Transfer Acceleration (`bucket.s3-accelerate.amazonaws.com`); implies
    /// virtual-hosted style.
    pub fn use_accelerate_endpoint(mut self, on: bool) -> Self {
        self.accelerate = on;
        self
    }

    /// The bucket has S3 Object Lock on: every PutObject and UploadPart carries Content-MD5,
    /// which S3 demands of writes to such a bucket (BR's `object-lock-enabled`).
    pub fn object_lock_enabled(mut self, on: bool) -> Self {
        self.object_lock = on;
        self
    }

    /// Whether this configuration addresses buckets path-style (see
    /// [`force_path_style`](Self::force_path_style)).
    pub fn uses_path_style(&self) -> bool {
        path_style(&StyleInputs {
            explicit: self.force_path_style,
            provider: self.provider.as_ref(),
            accelerate: self.accelerate,
            endpoint: self.endpoint.as_deref(),
            role_arn: self.role_arn.is_some(),
        })
    }

    /// The checksum mode in force: as set, else when-required for a vendor other than Amazon
    /// (many reject the newer checksum headers), else when-supported.
    pub(crate) fn checksum_mode(&self) -> ChecksumMode {
        match (self.checksum, &self.provider) {
            (Some(mode), _) => mode,
            (None, Some(provider)) if !provider.is_aws() => ChecksumMode::WhenRequired,
            (None, _) => ChecksumMode::WhenSupported,
        }
    }

    /// Content-MD5 on uploads: for a bucket with object lock, and for every vendor other than
    /// Amazon (as BR does), which also gets it instead of the newer checksum headers on the
    /// requests that need one (a batch delete) unless checksums were set to when-supported.
    pub(crate) fn content_md5(&self) -> ContentMd5 {
        let vendor = self.provider.as_ref().is_some_and(|p| !p.is_aws());
        if vendor && self.checksum_mode() == ChecksumMode::WhenRequired {
            ContentMd5::InsteadOfChecksums
        } else if vendor || self.object_lock {
            ContentMd5::Also
        } else {
            ContentMd5::Off
        }
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
        self.checksum = Some(mode);
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
}

/// Where Content-MD5 goes on uploads and batch deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContentMd5 {
    /// Only where a caller gives one.
    Off,
    /// On every upload with a body, besides the SDK's checksums.
    Also,
    /// On every upload and batch delete, and no other checksum header.
    InsteadOfChecksums,
}

#[cfg(test)]
mod tests;
