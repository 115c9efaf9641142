//! `presign`: signed GET, PUT, HEAD and DELETE URLs with an expiry.

use std::time::{Duration, SystemTime};

use aws_sdk_s3::presigning::PresigningConfig;
use storage_types::{Error, ObjectPath, PresignMethod, PresignOptions, PresignedRequest, Result};

use crate::S3Storage;
use crate::encryption::{with_sse, with_sse_c};
use crate::error::map_sdk_error;

/// SigV4 signatures last at most a week.
const MAX_EXPIRY: Duration = Duration::from_secs(7 * 24 * 3600);

impl S3Storage {
    /// A signed URL for `method` on `path`, valid for `expires`.
    pub(crate) async fn presign_request(
        &self,
        method: PresignMethod,
        path: &ObjectPath,
        expires: Duration,
        opts: PresignOptions,
    ) -> Result<PresignedRequest> {
        if expires > MAX_EXPIRY {
            return Err(Error::invalid_input(
                "an S3 signed URL expires within 7 days at most",
            ));
        }
        let config = PresigningConfig::expires_in(expires)
            .map_err(|err| Error::invalid_input("bad expiry for a signed URL").with_source(err))?;
        let (client, bucket, key) = (self.s3().await, self.bucket(), self.key(path));
        let s3 = self.s3_options(&opts.extensions);
        let sse_c = self.read_sse_c(opts.encryption.as_ref());
        let signed = match method {
            PresignMethod::Get => {
                let req = client.get_object().bucket(bucket).key(key);
                with_sse_c!(req, sse_c.as_ref())
                    .presigned(config)
                    .await
                    .map_err(map_sdk_error)?
            }
            PresignMethod::Head => {
                let req = client.head_object().bucket(bucket).key(key);
                with_sse_c!(req, sse_c.as_ref())
                    .presigned(config)
                    .await
                    .map_err(map_sdk_error)?
            }
            PresignMethod::Put => {
                let sse = self.write_sse(opts.encryption.as_ref());
                let req = client
                    .put_object()
                    .bucket(bucket)
                    .key(key)
                    .set_content_type(opts.content_type);
                with_sse!(req, sse.as_ref(), s3)
                    .presigned(config)
                    .await
                    .map_err(map_sdk_error)?
            }
            PresignMethod::Delete => client
                .delete_object()
                .bucket(bucket)
                .key(key)
                .presigned(config)
                .await
                .map_err(map_sdk_error)?,
            _ => {
                return Err(Error::unsupported(format!(
                    "S3 cannot sign {method:?} requests"
                )));
            }
        };
        Ok(PresignedRequest {
            method,
            url: signed.uri().to_owned(),
            headers: signed
                .headers()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            expires_at: SystemTime::now() + expires,
        })
    }
}
