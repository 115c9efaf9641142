//! Customer-supplied encryption keys (CSEK): parsing them from JSON headers and gRPC fields, and
//! the access rules GCS applies to objects written with one. Data is not really encrypted; only
//! the key's SHA-256 is kept, which is all GCS itself keeps.

use crate::errors::{ApiError, ApiResult, Kind};
use crate::store::Object;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

/// A validated customer-supplied key, reduced to its SHA-256 (never the key itself, so that
/// nothing downstream can log it).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Csek {
    pub(crate) sha256: [u8; 32],
}

impl std::fmt::Debug for Csek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Csek").finish_non_exhaustive()
    }
}

impl Csek {
    /// Validates algorithm, key length and the key's hash, as GCS does before anything else.
    pub(crate) fn from_parts(algorithm: &str, key: &[u8], key_sha256: &[u8]) -> ApiResult<Self> {
        if algorithm != "AES256" {
            return Err(ApiError::bad_request(format!(
                "unsupported customer encryption algorithm {algorithm:?}; only AES256 is valid"
            )));
        }
        if key.len() != 32 {
            return Err(ApiError::new(
                Kind::BadRequest,
                "customerEncryptionKeyFormatIsInvalid",
                "the customer-supplied encryption key must be 32 bytes",
            ));
        }
        let sha256: [u8; 32] = Sha256::digest(key).into();
        if sha256.as_slice() != key_sha256 {
            return Err(ApiError::new(
                Kind::BadRequest,
                "customerEncryptionKeySha256IsInvalid",
                "the SHA-256 of the customer-supplied encryption key does not match the key",
            ));
        }
        Ok(Self { sha256 })
    }

    /// Reads a key from the three `prefix-algorithm`, `prefix-key`, `prefix-key-sha256` headers
    /// (`x-goog-encryption` for the key in use, `x-goog-copy-source-encryption` for a source).
    pub(crate) fn from_headers(headers: &http::HeaderMap, prefix: &str) -> ApiResult<Option<Self>> {
        let get = |suffix: &str| {
            headers
                .get(format!("{prefix}-{suffix}"))
                .map(|v| v.to_str().unwrap_or_default().trim().to_string())
        };
        let (algorithm, key, sha) = (get("algorithm"), get("key"), get("key-sha256"));
        if algorithm.is_none() && key.is_none() && sha.is_none() {
            return Ok(None);
        }
        let decode = |v: Option<String>, what: &str| {
            BASE64
                .decode(v.unwrap_or_default())
                .map_err(|_| ApiError::bad_request(format!("{prefix}-{what} is not valid base64")))
        };
        let key = decode(key, "key")?;
        let sha = decode(sha, "key-sha256")?;
        Self::from_parts(&algorithm.unwrap_or_default(), &key, &sha).map(Some)
    }

    /// Reads a key from gRPC fields; all-empty fields mean "no key".
    pub(crate) fn from_grpc(
        algorithm: &str,
        key: &[u8],
        key_sha256: &[u8],
    ) -> ApiResult<Option<Self>> {
        if algorithm.is_empty() && key.is_empty() && key_sha256.is_empty() {
            return Ok(None);
        }
        Self::from_parts(algorithm, key, key_sha256).map(Some)
    }

    pub(crate) fn from_common_params(
        params: Option<
            &googleapis_tonic_google_storage_v2::google::storage::v2::CommonObjectRequestParams,
        >,
    ) -> ApiResult<Option<Self>> {
        match params {
            None => Ok(None),
            Some(p) => Self::from_grpc(
                &p.encryption_algorithm,
                &p.encryption_key_bytes,
                &p.encryption_key_sha256_bytes,
            ),
        }
    }
}

/// Reading the data of an object (download, rewrite or compose source) needs exactly the key it
/// was written with, and no key when it was written without one.
pub(crate) fn check_data_access(object: &Object, key: Option<&Csek>) -> ApiResult<()> {
    match (&object.csek_sha256, key) {
        (None, None) => Ok(()),
        (Some(_), None) => Err(ApiError::new(
            Kind::BadRequest,
            "resourceIsEncryptedWithCustomerEncryptionKey",
            format!(
                "The target object {} is encrypted by a customer-supplied encryption key.",
                object.name
            ),
        )),
        (None, Some(_)) => Err(ApiError::new(
            Kind::BadRequest,
            "resourceNotEncryptedWithCustomerEncryptionKey",
            format!(
                "The target object {} is not encrypted by a customer-supplied encryption key.",
                object.name
            ),
        )),
        (Some(stored), Some(given)) if *stored != given.sha256 => Err(ApiError::new(
            Kind::BadRequest,
            "customerEncryptionKeyIsIncorrect",
            format!(
                "The provided encryption key is incorrect for object {}.",
                object.name
            ),
        )),
        (Some(_), Some(_)) => Ok(()),
    }
}

/// Reading metadata works without a key (hashes are then hidden); a key, when given, must be
/// right. Returns whether the hashes may be shown.
pub(crate) fn check_metadata_access(object: &Object, key: Option<&Csek>) -> ApiResult<bool> {
    match key {
        None => Ok(object.csek_sha256.is_none()),
        Some(_) => check_data_access(object, key).map(|()| true),
    }
}
