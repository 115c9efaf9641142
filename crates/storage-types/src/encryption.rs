//! Server-side encryption as one concept across clouds. Key material never reaches `Debug`.

use std::fmt;

use crate::capability::Pair;
use crate::error::{Error, Result};

/// How the service encrypts an object at rest.
///
/// | variant | S3 | GCS | Azure Blob |
/// |---|---|---|---|
/// | `ServiceManaged` | SSE-S3 (AES256) | default | default |
/// | `Kms` | SSE-KMS | CMEK (`kms_key_name`) | encryption scope |
/// | `CustomerKey` | SSE-C | CSEK | CPK |
///
/// ```
/// use storage_types::{CustomerKey, Encryption};
///
/// let key = CustomerKey::new([7u8; 32]);
/// let enc = Encryption::CustomerKey(key);
/// assert!(!format!("{enc:?}").contains('7'));
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Encryption {
    /// Keys the service manages.
    ServiceManaged,
    /// A key of the cloud's key management service, named by `key_id` (S3 KMS key id or alias,
    /// GCS key resource name, Azure encryption scope).
    Kms {
        /// The key's identifier.
        key_id: String,
    },
    /// A 256-bit key the caller supplies; the service does not keep it, so every read needs it
    /// again.
    CustomerKey(CustomerKey),
}

impl Encryption {
    /// A KMS key by its identifier.
    pub fn kms(key_id: impl Into<String>) -> Self {
        Encryption::Kms {
            key_id: key_id.into(),
        }
    }

    /// The pair a backend must declare to honour this encryption mode.
    pub fn pair(&self) -> Pair {
        match self {
            Encryption::ServiceManaged => Pair::EncryptionServiceManaged,
            Encryption::Kms { .. } => Pair::EncryptionKms,
            Encryption::CustomerKey(_) => Pair::EncryptionCustomerKey,
        }
    }

    /// The customer key, if this is customer-key encryption.
    pub fn customer_key(&self) -> Option<&CustomerKey> {
        match self {
            Encryption::CustomerKey(key) => Some(key),
            _ => None,
        }
    }
}

impl fmt::Debug for Encryption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Encryption::ServiceManaged => f.write_str("ServiceManaged"),
            Encryption::Kms { key_id } => f.debug_struct("Kms").field("key_id", key_id).finish(),
            Encryption::CustomerKey(key) => f.debug_tuple("CustomerKey").field(key).finish(),
        }
    }
}

/// A customer-supplied 256-bit encryption key. `Debug` shows only that a key is present.
#[derive(Clone, PartialEq, Eq)]
pub struct CustomerKey([u8; 32]);

impl CustomerKey {
    /// A key from its 32 raw bytes.
    pub fn new(key: [u8; 32]) -> Self {
        CustomerKey(key)
    }

    /// A key from a slice, which must be exactly 32 bytes long.
    pub fn from_slice(key: &[u8]) -> Result<Self> {
        let bytes: [u8; 32] = key.try_into().map_err(|_| {
            Error::invalid_input(format!(
                "a customer encryption key must be 32 bytes (AES-256), got {}",
                key.len()
            ))
        })?;
        Ok(CustomerKey(bytes))
    }

    /// A key from its base64 text (as URLs and flags carry it). The error never repeats the
    /// text.
    pub fn from_base64(text: &str) -> Result<Self> {
        let raw = decode_base64(text.trim()).ok_or_else(|| {
            Error::invalid_input("a customer encryption key must be base64 of 32 bytes")
        })?;
        CustomerKey::from_slice(&raw)
    }

    /// The raw key bytes, for a backend to send. Never log them.
    pub fn expose_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// Standard base64 (with optional padding); `None` for anything else.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

impl fmt::Debug for CustomerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CustomerKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_length_is_checked_without_echoing_the_key() {
        let err = CustomerKey::from_slice(b"secret-but-short").unwrap_err();
        assert!(err.to_string().contains("32 bytes"));
        assert!(!err.to_string().contains("secret"));
        assert!(CustomerKey::from_slice(&[1; 32]).is_ok());
    }

    #[test]
    fn keys_from_base64() {
        // base64 of 32 bytes of 0x07.
        let key = CustomerKey::from_base64("BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=").unwrap();
        assert_eq!(key.expose_bytes(), &[7u8; 32]);
        let err = CustomerKey::from_base64("BwcHBwcH").unwrap_err();
        assert!(err.to_string().contains("32 bytes") && !err.to_string().contains("BwcH"));
        assert!(CustomerKey::from_base64("not base64!").is_err());
    }

    #[test]
    fn debug_redacts_the_key() {
        let key = CustomerKey::new(*b"0123456789abcdef0123456789abcdef");
        let shown = format!("{:?}", Encryption::CustomerKey(key));
        assert_eq!(shown, "CustomerKey(CustomerKey(<redacted>))");
    }
}
