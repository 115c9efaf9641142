//! Encryption of one request: a customer-supplied key (CSEK, AES256) or a Cloud KMS key name
//! (CMEK). Keys are handed to the SDK and never formatted into logs or errors.

use google_cloud_storage::model::CommonObjectRequestParams;
use google_cloud_storage::model_ext::KeyAes256;
use sha2::{Digest, Sha256};
use storage_types::{CustomerKey, Encryption, Error, ErrorKind, Result};

/// The GCS form of an [`Encryption`].
#[derive(Default)]
pub(crate) struct GcsEncryption {
    pub(crate) key: Option<KeyAes256>,
    /// The same key in rs-storage's form, for the fields the SDK takes as raw bytes.
    pub(crate) customer: Option<CustomerKey>,
    /// SHA256 of the customer key: what GCS records on the object.
    pub(crate) key_sha256: Option<[u8; 32]>,
    pub(crate) kms_key: Option<String>,
}

impl GcsEncryption {
    pub(crate) fn of(encryption: Option<&Encryption>) -> Result<Self> {
        Ok(match encryption {
            None | Some(Encryption::ServiceManaged) => GcsEncryption::default(),
            Some(Encryption::Kms { key_id }) => GcsEncryption {
                kms_key: Some(key_id.clone()),
                ..GcsEncryption::default()
            },
            Some(Encryption::CustomerKey(key)) => {
                let bytes = key.expose_bytes();
                let sdk_key = KeyAes256::new(bytes)
                    .map_err(|_| Error::invalid_input("a customer key is 32 bytes"))?;
                GcsEncryption {
                    key: Some(sdk_key),
                    customer: Some(key.clone()),
                    key_sha256: Some(Sha256::digest(bytes).into()),
                    kms_key: None,
                }
            }
            Some(_) => {
                return Err(Error::unsupported(
                    "this encryption mode is not available on GCS",
                ));
            }
        })
    }

    /// The gRPC request parameters carrying the customer key, if any.
    pub(crate) fn params(&self) -> Option<CommonObjectRequestParams> {
        self.key.clone().map(CommonObjectRequestParams::from)
    }

    /// Refuses an object whose customer key is not the one given. GCS answers metadata
    /// requests without the key, but rs-storage keeps the rule of the other clouds (no key,
    /// no access), so a missing key shows at `stat` as it does at `read` (where GCS answers
    /// 400: hence `InvalidInput` here too).
    pub(crate) fn check_object(&self, object_key_sha256: Option<&[u8]>) -> Result<()> {
        match (object_key_sha256, &self.key_sha256) {
            (None, _) => Ok(()),
            (Some(stored), Some(given)) if stored == given.as_slice() => Ok(()),
            (Some(_), Some(_)) => Err(Error::new(
                ErrorKind::InvalidInput,
                "the object is encrypted with another customer-supplied key",
            )),
            (Some(_), None) => Err(Error::new(
                ErrorKind::InvalidInput,
                "the object is encrypted with a customer-supplied key; give the key",
            )),
        }
    }
}
