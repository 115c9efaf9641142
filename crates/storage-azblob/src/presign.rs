//! `presign`: a blob URL carrying a service SAS signed with the account key.

use std::time::{Duration, SystemTime};

use storage_types::{Error, ObjectPath, PresignMethod, PresignOptions, PresignedRequest, Result};

use crate::AzBlobStorage;
use crate::sas::{SAS_VERSION, SasRequest, service_sas};

impl AzBlobStorage {
    /// `presign`: the URL of a blob with a service SAS for `method`.
    pub(crate) fn presign_request(
        &self,
        method: PresignMethod,
        path: &ObjectPath,
        expires: Duration,
        opts: PresignOptions,
    ) -> Result<PresignedRequest> {
        let key = self
            .inner
            .key
            .as_ref()
            .ok_or_else(|| Error::unsupported("signed URLs need the account key"))?;
        let permissions = match method {
            PresignMethod::Get | PresignMethod::Head => "r",
            PresignMethod::Put => "cw",
            PresignMethod::Delete => "d",
            other => {
                return Err(Error::unsupported(format!(
                    "Azure cannot sign {other:?} requests"
                )));
            }
        };
        let name = self.blob_name(path);
        let expires_at = SystemTime::now() + expires;
        let token = service_sas(
            key,
            &SasRequest {
                permissions,
                expiry: expires_at,
                container: &self.inner.container_name,
                blob: Some(&name),
                version: SAS_VERSION,
            },
        )?;
        let mut url = self.inner.container.blob_client(&name).url().clone();
        url.set_query(Some(&token));
        let mut headers = Vec::new();
        if method == PresignMethod::Put {
            // Put Blob needs the blob type; a signed PUT must send it.
            headers.push(("x-ms-blob-type".to_owned(), "BlockBlob".to_owned()));
            if let Some(content_type) = opts.content_type {
                headers.push(("content-type".to_owned(), content_type));
            }
        }
        Ok(PresignedRequest {
            method,
            url: url.to_string(),
            headers,
            expires_at,
        })
    }
}
