//! [`S3Options`]: the S3-only options of a call (ACL, expected owner, requester pays, KMS
//! context, bucket key), which a store also holds as defaults.

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
