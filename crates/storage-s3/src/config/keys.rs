//! The builder's URL query keys, as the backup tools spell them, and the checks of their
//! combinations.

use std::collections::BTreeMap;

use storage_types::backend::UrlKeys;
use storage_types::{CustomerKey, Encryption, Error, Result};

use super::{ChecksumMode, Provider, S3Builder, SERVICE};

impl S3Builder {
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
        self.force_path_style = keys.take_bool("force-path-style")?;
        self.provider = keys.take_str("provider").map(|name| Provider::parse(&name));
        if let Some(on) = keys.take_bool("use-accelerate-endpoint")? {
            self.accelerate = on;
        }
        if let Some(on) = keys.take_bool("object-lock-enabled")? {
            self.object_lock = on;
        }
        self.sts_endpoint = keys.take_str("sts-endpoint");
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
            self.checksum = Some(mode);
        }
        self.max_attempts = keys.take_num("max-attempts")?;
        self.timeout = keys.take_duration("timeout")?;
        self.attempt_timeout = keys.take_duration("attempt-timeout")?;
        self.part_size = keys.take_size("part-size")?;
        self.concurrency = keys.take_num("concurrency")?;
        if let Some(on) = keys.take_bool("loose")? {
            self.loose = on;
        }
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
            // As BR: SSE-KMS with no key named is the account's AWS-managed key (`aws/s3`),
            // which S3 picks when the request names none.
            (Some("aws:kms"), None) => self.encryption = Some(Encryption::kms("")),
            (Some(other), _) => {
                return Err(Error::invalid_input(format!(
                    "sse must be AES256 or aws:kms, not `{other}`"
                )));
            }
        }
        self.check_provider()?;
        Ok(self)
    }

    /// What a vendor cannot do, refused before any request: KS3 needs a region and has no
    /// STS (as BR's KS3 store says).
    pub(crate) fn check_provider(&self) -> Result<()> {
        if self.provider == Some(Provider::Ks3) {
            if self.region.is_none() {
                return Err(Error::invalid_input("provider ks3 needs a region"));
            }
            if self.role_arn.is_some() {
                return Err(Error::invalid_input(
                    "provider ks3 has no STS: role-arn cannot be used",
                ));
            }
        }
        Ok(())
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
