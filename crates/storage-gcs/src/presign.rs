//! `presign`: V4 signed URLs (`GOOG4-RSA-SHA256`) from the SDK's signer: locally with a
//! service-account key, or through the IAM API with Application Default Credentials.

use std::time::{Duration, SystemTime};

use google_cloud_storage::builder::storage::SignedUrlBuilder;
use google_cloud_storage::http::Method;
use storage_types::{
    Error, ErrorKind, ObjectPath, PresignMethod, PresignOptions, PresignedRequest, Result,
};

use crate::GcsStorage;
use crate::capability::MAX_PRESIGN_EXPIRY;

impl GcsStorage {
    pub(crate) async fn sign_url(
        &self,
        method: PresignMethod,
        path: &ObjectPath,
        expires: Duration,
        opts: PresignOptions,
    ) -> Result<PresignedRequest> {
        presign(self, method, path, expires, opts).await
    }
}

async fn presign(
    s: &GcsStorage,
    method: PresignMethod,
    path: &ObjectPath,
    expires: Duration,
    opts: PresignOptions,
) -> Result<PresignedRequest> {
    let Some(signer) = &s.inner.signer else {
        return Err(Error::unsupported(
            "signing URLs needs a service-account key or Application Default Credentials",
        ));
    };
    if expires.is_zero() || expires > MAX_PRESIGN_EXPIRY {
        return Err(Error::invalid_input(
            "a GCS signed URL expires after 1 second to 7 days",
        ));
    }
    // The SDK dates the signature when the builder is made: count the expiry from before.
    let expires_at = SystemTime::now() + expires;
    let mut builder = SignedUrlBuilder::for_object(s.bucket_path(), s.object_name(path))
        .with_method(match method {
            PresignMethod::Get => Method::GET,
            PresignMethod::Put => Method::PUT,
            PresignMethod::Head => Method::HEAD,
            PresignMethod::Delete => Method::DELETE,
            _ => return Err(Error::unsupported("this method cannot be signed")),
        })
        .with_expiration(expires);
    if let Some(endpoint) = &s.inner.endpoint {
        builder = builder.with_endpoint(endpoint.clone());
    }
    let mut headers = Vec::new();
    if let Some(content_type) = opts.content_type.filter(|_| method == PresignMethod::Put) {
        builder = builder.with_header("content-type", content_type.clone());
        headers.push(("content-type".to_owned(), content_type));
    }
    let url = builder.sign_with(signer).await.map_err(|err| {
        let kind = if err.is_invalid_parameter() {
            ErrorKind::InvalidInput
        } else {
            ErrorKind::Unauthenticated
        };
        Error::new(kind, "cannot sign the URL").with_source(err.to_string())
    })?;
    Ok(PresignedRequest {
        method,
        url,
        headers,
        expires_at,
    })
}
