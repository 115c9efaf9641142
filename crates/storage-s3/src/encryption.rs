//! Server-side encryption headers: SSE-S3, SSE-KMS and SSE-C. The customer key's base64 and
//! MD5 are computed here, once; the key itself is never logged.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use md5::{Digest, Md5};
use storage_types::{CustomerKey, Encryption};

/// The three SSE-C header values: algorithm, base64 key, base64 MD5 of the key.
#[derive(Clone)]
pub(crate) struct SseC {
    pub(crate) algorithm: &'static str,
    pub(crate) key: String,
    pub(crate) key_md5: String,
}

impl std::fmt::Debug for SseC {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SseC(<redacted>)")
    }
}

impl SseC {
    pub(crate) fn new(key: &CustomerKey) -> Self {
        let raw = key.expose_bytes();
        SseC {
            algorithm: "AES256",
            key: STANDARD.encode(raw),
            key_md5: STANDARD.encode(Md5::digest(raw)),
        }
    }
}

/// What a request sends for an encryption mode.
#[derive(Debug, Clone)]
pub(crate) enum Sse {
    S3,
    /// SSE-KMS with a named key, or (`None`) the account's AWS-managed key.
    Kms(Option<String>),
    Customer(SseC),
}

impl Sse {
    pub(crate) fn of(encryption: &Encryption) -> Option<Sse> {
        match encryption {
            Encryption::ServiceManaged => Some(Sse::S3),
            // An empty key id names no key: S3 then uses the AWS-managed one (`aws/s3`).
            Encryption::Kms { key_id } => {
                Some(Sse::Kms(Some(key_id.clone()).filter(|id| !id.is_empty())))
            }
            Encryption::CustomerKey(key) => Some(Sse::Customer(SseC::new(key))),
            _ => None,
        }
    }

    pub(crate) fn customer(&self) -> Option<&SseC> {
        match self {
            Sse::Customer(c) => Some(c),
            _ => None,
        }
    }
}

/// Sets SSE headers on a write-type request builder (PutObject, CreateMultipartUpload,
/// CopyObject): SSE-S3, SSE-KMS (with context and bucket key from the S3 options) or SSE-C.
macro_rules! with_sse {
    ($req:expr, $sse:expr, $s3opts:expr) => {{
        use aws_sdk_s3::types::ServerSideEncryption;
        let req = $req;
        match $sse {
            Some($crate::encryption::Sse::S3) => {
                req.server_side_encryption(ServerSideEncryption::Aes256)
            }
            Some($crate::encryption::Sse::Kms(key_id)) => req
                .server_side_encryption(ServerSideEncryption::AwsKms)
                .set_ssekms_key_id(key_id.clone())
                .set_ssekms_encryption_context($s3opts.kms_encryption_context.clone())
                .set_bucket_key_enabled($s3opts.bucket_key_enabled),
            Some($crate::encryption::Sse::Customer(c)) => req
                .sse_customer_algorithm(c.algorithm)
                .sse_customer_key(c.key.clone())
                .sse_customer_key_md5(c.key_md5.clone()),
            None => req,
        }
    }};
}

/// Sets the SSE-C headers on a request that only reads or extends an SSE-C object (GetObject,
/// HeadObject, UploadPart).
macro_rules! with_sse_c {
    ($req:expr, $sse_c:expr) => {{
        let req = $req;
        match $sse_c {
            Some(c) => req
                .sse_customer_algorithm(c.algorithm)
                .sse_customer_key(c.key.clone())
                .sse_customer_key_md5(c.key_md5.clone()),
            None => req,
        }
    }};
}

/// Sets the expected-bucket-owner and request-payer headers every S3 request takes.
macro_rules! with_common {
    ($req:expr, $s3opts:expr) => {{
        let req = $req.set_expected_bucket_owner($s3opts.expected_bucket_owner.clone());
        if $s3opts.request_payer {
            req.request_payer(aws_sdk_s3::types::RequestPayer::Requester)
        } else {
            req
        }
    }};
}

/// Sends an upload (PutObject, UploadPart), with an unsigned payload where the store is set to.
/// The SDK's request future is boxed, as every request's is here (see `reader::stat`).
macro_rules! send_upload {
    ($req:expr, $unsigned:expr) => {{
        if $unsigned {
            Box::pin($req.customize().disable_payload_signing().send()).await
        } else {
            Box::pin($req.send()).await
        }
    }};
}

pub(crate) use {send_upload, with_common, with_sse, with_sse_c};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_key_headers_are_base64_and_md5() {
        let key = CustomerKey::new([0u8; 32]);
        let c = SseC::new(&key);
        assert_eq!(c.key, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        // MD5 of 32 zero bytes.
        assert_eq!(c.key_md5, "cLyPS3KoaSFGi/joRB3OUQ==");
        assert_eq!(format!("{c:?}"), "SseC(<redacted>)");
        assert!(!format!("{:?}", Sse::Customer(c)).contains("AAAA"));
    }

    #[test]
    fn bad_key_lengths_are_refused() {
        assert!(CustomerKey::from_slice(&[1; 31]).is_err());
        assert!(CustomerKey::from_slice(&[1; 33]).is_err());
    }
}
