//! The encryption mapping of Azure: a customer-provided key (CPK: the key and its SHA-256,
//! base64, with algorithm AES256 on every read, write, block, append and properties request)
//! or an encryption scope (our `Encryption::Kms`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use storage_types::{CustomerKey, Encryption};

/// The CPK header values. `Debug` never shows them.
#[derive(Clone)]
pub(crate) struct Cpk {
    pub(crate) key: String,
    pub(crate) key_sha256: String,
}

impl std::fmt::Debug for Cpk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cpk(<redacted>)")
    }
}

impl Cpk {
    pub(crate) fn new(key: &CustomerKey) -> Self {
        let raw = key.expose_bytes();
        Cpk {
            key: STANDARD.encode(raw),
            key_sha256: STANDARD.encode(Sha256::digest(raw)),
        }
    }
}

/// What a request sends for an encryption mode.
#[derive(Debug, Clone, Default)]
pub(crate) struct AzureEncryption {
    pub(crate) cpk: Option<Cpk>,
    pub(crate) scope: Option<String>,
}

impl AzureEncryption {
    pub(crate) fn of(encryption: Option<&Encryption>) -> Self {
        match encryption {
            Some(Encryption::CustomerKey(key)) => AzureEncryption {
                cpk: Some(Cpk::new(key)),
                scope: None,
            },
            Some(Encryption::Kms { key_id }) => AzureEncryption {
                cpk: None,
                scope: Some(key_id.clone()),
            },
            _ => AzureEncryption::default(),
        }
    }
}

/// Sets the three CPK fields on an options struct that has them.
macro_rules! with_cpk {
    ($opts:expr, $cpk:expr) => {{
        let mut opts = $opts;
        if let Some(cpk) = $cpk {
            opts.encryption_algorithm =
                Some(azure_storage_blob::models::EncryptionAlgorithmType::Aes256);
            opts.encryption_key = Some(cpk.key.clone());
            opts.encryption_key_sha256 = Some(cpk.key_sha256.clone());
        }
        opts
    }};
}

pub(crate) use with_cpk;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_and_sha256_are_base64() {
        let cpk = Cpk::new(&CustomerKey::new([0u8; 32]));
        assert_eq!(cpk.key, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        // SHA-256 of 32 zero bytes.
        assert_eq!(
            cpk.key_sha256,
            "Zmh6rfhivXdsj8GLjp+OIAiXFIVu4jOzkCpZHQ1fKSU="
        );
        assert_eq!(format!("{cpk:?}"), "Cpk(<redacted>)");
    }

    #[test]
    fn kms_is_an_encryption_scope() {
        let enc = AzureEncryption::of(Some(&Encryption::kms("scope-a")));
        assert_eq!(enc.scope.as_deref(), Some("scope-a"));
        assert!(enc.cpk.is_none());
        assert!(
            AzureEncryption::of(Some(&Encryption::ServiceManaged))
                .cpk
                .is_none()
        );
    }
}
